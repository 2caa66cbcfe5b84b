"""Admin for observer reports and irregularities."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from observation import services
from observation.admin.base import (
    AdminVersionedForm,
    LockAwareHistoryAdmin,
    LockAwareInline,
    MissionFilter,
    apply_move,
    ask_for_note,
    error_text,
    zoned_time,
)
from observation.forms import (
    BaseReportIrregularityFormSet,
    IrregularityForm,
    ObserverReportForm,
    ReportIrregularityForm,
)
from observation.models import (
    DelegationMember,
    Irregularity,
    IrregularityCategory,
    ObserverReport,
)


class IrregularityInline(LockAwareInline, admin.TabularInline):
    """The report's hand-logged irregularities still awaiting review, open to edits, on
    the web form's own rows (which keep only those).

    Overvote detection owns the system-raised one, and a review settles what an
    irregularity says: the report lists those read-only, linked to their own pages.
    """

    model = Irregularity
    form = ReportIrregularityForm
    formset = BaseReportIrregularityFormSet
    parent_mission_lookup = "mission"
    edit_action = "report_edit"
    fk_name = "report"
    extra = 0
    show_change_link = True


class ObserverReportAdminForm(AdminVersionedForm, ObserverReportForm):
    station_by_code = False
    finds_resubmitted = False
    asks_checklist = False

    class Meta(ObserverReportForm.Meta):
        fields = ["mission", *ObserverReportForm.Meta.fields, "entered_by"]
        exclude = ("version", "submission_id")
        # The admin's own date and time pickers.
        widgets = {}


class OvervoteFilter(admin.SimpleListFilter):
    title = _("overvote")
    parameter_name = "overvote"

    def lookups(self, request, model_admin):
        return [("yes", _("More ballots than voters"))]

    def queryset(self, request, queryset):
        return queryset.overvotes() if self.value() == "yes" else queryset


@admin.register(ObserverReport)
class ObserverReportAdmin(LockAwareHistoryAdmin):
    edit_action = "report_edit"
    list_display = (
        "station",
        "round",
        "phase",
        "ballots_cast",
        "registered_voters",
        "is_overvote",
        "assessment",
        "observer",
        zoned_time("entered_at", _("entered at")),
        "mission",
    )
    list_filter = (("mission", MissionFilter), "phase", "assessment", "round__kind", OvervoteFilter)
    list_select_related = ("mission", "round", "station", "observer__person")
    search_fields = ("station__code", "station__name", "notes")
    autocomplete_fields = ("mission", "round", "station", "observer", "entered_by")
    readonly_fields = ("entered_at", "checklist_answers", "settled_irregularities")
    form = ObserverReportAdminForm
    inlines = (IrregularityInline,)
    show_full_result_count = False

    def get_queryset(self, request):
        # The change page reads these too (title, lock check, overvote detection). The
        # changelist skips list_select_related once a queryset has any, so name them all here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_delete_permission(self, request, obj=None):
        # Deleting a report deletes its irregularities, and reviewed ones stay.
        kept = obj is not None and obj.irregularities.reviewed().exists()
        return super().has_delete_permission(request, obj) and not kept

    def frozen(self, queryset):
        kept = Irregularity.objects.reviewed().filter(report=OuterRef("pk"))
        return super().frozen(queryset) | queryset.filter(Exists(kept))

    def frozen_message(self, count):
        return ngettext(
            "%(count)d selected report can no longer be deleted (its mission is locked "
            "or it has reviewed irregularities): nothing was deleted.",
            "%(count)d selected reports can no longer be deleted (their mission is locked "
            "or they have reviewed irregularities): nothing was deleted.",
            count,
        ) % {"count": count}

    @admin.display(description=_("registered voters"), ordering="station__registered_voters")
    def registered_voters(self, report):
        return report.station.registered_voters

    @admin.display(boolean=True, description=_("overvote"))
    def is_overvote(self, report):
        return report.is_overvote

    @admin.display(description=_("checklist answers"))
    def checklist_answers(self, report):
        # Answered in the web form, which asks the checklist of the report's phase.
        if report.pk is None:
            return self.get_empty_value_display()
        items = format_html_join(
            "",
            "<li>{}: {}</li>",
            (
                (answer.question.label, answer.question.display(answer.value))
                for answer in report.answers.select_related("question__checklist")
            ),
        )
        return format_html("<ul>{}</ul>", items) if items else self.get_empty_value_display()

    @admin.display(description=_("raised by the application or reviewed"))
    def settled_irregularities(self, report):
        if report.pk is None:
            return self.get_empty_value_display()
        open_to_edit = report.irregularities.open_to_edit().values("pk")
        settled = report.irregularities.exclude(pk__in=open_to_edit).select_related(
            "category", "station"
        )
        items = format_html_join(
            "",
            '<li><a href="{}">{}</a>: {}</li>',
            (
                (
                    reverse("admin:observation_irregularity_change", args=[irregularity.pk]),
                    irregularity,
                    self.irregularity_state(irregularity),
                )
                for irregularity in settled
            ),
        )
        return format_html("<ul>{}</ul>", items) if items else self.get_empty_value_display()

    @staticmethod
    def irregularity_state(irregularity) -> str:
        state = [irregularity.get_severity_display(), irregularity.get_status_display()]
        if irregularity.is_superseded:
            state.append(_("superseded"))
        return ", ".join(str(part).lower() for part in state)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "observer":
            # The chosen observer team is shown by the person's name.
            kwargs["queryset"] = DelegationMember.objects.select_related("person")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # Saved in save_related, with its irregularity rows, by the web form's service.
        pass

    def save_related(self, request, form, formsets, change):
        rows = [formset for formset in formsets if formset.model is Irregularity]
        # The form's clean() holds the row at this version, so the service's claim
        # succeeds; if it ever did not, StaleVersion rolls the whole page back.
        saved = services.report_save(
            report=form.instance,
            by=request.user,
            version=form.cleaned_data.get("version"),
            irregularities=[row for formset in rows for row in formset.save(commit=False)],
            removed=[row for formset in rows for row in formset.deleted_objects],
        )
        for warning in saved.warnings:
            self.message_user(request, warning, messages.WARNING)


@admin.register(IrregularityCategory)
class IrregularityCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "system_raised", "position")
    list_filter = ("system_raised",)
    search_fields = ("name", "code", "description")

    def get_readonly_fields(self, request, obj=None):
        # Codes are stable: overvote detection, imports and exports look categories up by them.
        return ("code", "system_raised") if obj is not None else ()


class SupersededFilter(admin.SimpleListFilter):
    title = _("superseded")
    parameter_name = "superseded"

    def lookups(self, request, model_admin):
        return [("no", _("Still standing")), ("yes", _("Superseded"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.current()
        if self.value() == "yes":
            return queryset.filter(superseded_at__isnull=False)
        return queryset


class IrregularityAdminForm(IrregularityForm):
    station_by_code = False

    class Meta(IrregularityForm.Meta):
        fields = ["mission", "report", *IrregularityForm.Meta.fields, "reported_by"]
        # The admin's own date and time pickers.
        widgets = {}


@admin.register(Irregularity)
class IrregularityAdmin(LockAwareHistoryAdmin):
    form = IrregularityAdminForm
    edit_action = "irregularity_edit"
    list_display = (
        "category",
        "station",
        "round",
        "severity",
        "evidence",
        "status",
        "raised_by_system",
        "is_superseded",
        zoned_time("created_at", _("logged at")),
        "mission",
    )
    list_filter = (
        "status",
        "severity",
        "evidence",
        "category",
        "raised_by_system",
        SupersededFilter,
        ("mission", MissionFilter),
    )
    list_select_related = ("category", "station", "round", "mission")
    search_fields = ("description", "review_note", "station__code", "station__name")
    autocomplete_fields = ("mission", "round", "station", "report", "category", "reported_by")
    readonly_fields = (
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "raised_by_system",
        "superseded_at",
        "created_at",
    )
    show_full_result_count = False
    actions = ("verify", "dismiss")

    def get_queryset(self, request):
        # As for reports: the change page reads these for its title and the lock check.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(boolean=True, description=_("superseded"), ordering="superseded_at")
    def is_superseded(self, irregularity):
        return irregularity.is_superseded

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is not None and obj.raised_by_system:
            # Overvote detection keeps these in step with the report.
            readonly = (*readonly, "report", "station", "round", "category")
        if obj is not None and obj.status != Irregularity.Status.REPORTED:
            # The review judged this account of what happened; it no longer changes.
            content = Irregularity.CONTENT_FIELDS
            readonly = (*readonly, *(name for name in content if name not in readonly))
        return readonly

    def has_delete_permission(self, request, obj=None):
        kept = obj is not None and Irregularity.objects.kept().filter(pk=obj.pk).exists()
        return super().has_delete_permission(request, obj) and not kept

    def frozen(self, queryset):
        return super().frozen(queryset) | queryset.kept()

    def frozen_message(self, count):
        return ngettext(
            "%(count)d selected irregularity can no longer be deleted (its mission is locked, "
            "it was reviewed, or it is the overvote of a report that still shows one): "
            "nothing was deleted.",
            "%(count)d selected irregularities can no longer be deleted (their mission is "
            "locked, they were reviewed, or they are overvotes of reports that still show "
            "one): nothing was deleted.",
            count,
        ) % {"count": count}

    def delete_view(self, request, object_id, extra_context=None):
        irregularity = self.get_object(request, unquote(object_id))
        if irregularity is not None:
            try:
                irregularity.check_deletable()
            except ValidationError as error:
                # Say why on the record's page rather than a bare "permission denied".
                self.message_user(request, error_text(error), messages.ERROR)
                change_url = reverse(
                    "admin:observation_irregularity_change", args=[irregularity.pk]
                )
                return HttpResponseRedirect(change_url)
        return super().delete_view(request, object_id, extra_context)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (request.GET.get("model_name"), request.GET.get("field_name")) == (
            "findingsstatement",
            "cited_irregularities",
        ):
            # A statement's citation picker offers only what a statement may cite.
            queryset = queryset.verified_current()
        return queryset, may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "report":
            # The chosen report is shown by its station and round.
            kwargs["queryset"] = ObserverReport.objects.select_related("station", "round")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.irregularity_save(irregularity=obj, by=request.user)

    def _review(self, request, queryset, *, decision, note, done):
        apply_move(
            self,
            request,
            queryset,
            move=lambda irregularity: services.irregularity_review(
                irregularity=irregularity, decision=decision, by=request.user, note=note
            ),
            action="irregularity_review",
            done=done,
        )

    @admin.action(permissions=["change"], description=_("Verify selected irregularities"))
    def verify(self, request, queryset):
        self._review(
            request,
            queryset.select_related("category", "station"),
            decision="verify",
            note="",
            done=lambda n: (
                ngettext("Verified %(n)d irregularity.", "Verified %(n)d irregularities.", n)
                % {"n": n}
            ),
        )

    @admin.action(
        permissions=["change"], description=_("Dismiss selected irregularities (with a note)")
    )
    def dismiss(self, request, queryset):
        queryset = queryset.select_related("category", "station")
        note, page = ask_for_note(
            self,
            request,
            queryset,
            action="dismiss",
            title=_("Dismiss irregularities"),
            intro=_("Say why these irregularities are dismissed. The note is kept with each."),
            label=_("Why they are dismissed"),
        )
        if page is not None:
            return page
        self._review(
            request,
            queryset,
            decision="dismiss",
            note=note,
            done=lambda n: (
                ngettext("Dismissed %(n)d irregularity.", "Dismissed %(n)d irregularities.", n)
                % {"n": n}
            ),
        )
        return None
