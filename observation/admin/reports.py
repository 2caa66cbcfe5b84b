"""Admin for observer reports and irregularities."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Exists, OuterRef
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from observation import overvote
from observation.admin.base import (
    AdminVersionedForm,
    LockAwareHistoryAdmin,
    LockAwareInline,
    Role,
    apply_move,
    ask_for_note,
)
from observation.forms import ObserverReportForm
from observation.models import (
    DelegationMember,
    Irregularity,
    IrregularityCategory,
    ObserverReport,
)


def reviewed(irregularities):
    """Those of `irregularities` a reviewer decided on: they stay as the record of it
    (published statements cite only these)."""
    return irregularities.exclude(status=Irregularity.Status.REPORTED)


class ReportIrregularityFormSet(forms.BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "report": self.instance}


class ReportIrregularityForm(forms.ModelForm):
    """An irregularity logged from a report: it happened where and when the report was."""

    class Meta:
        model = Irregularity
        fields = ("category", "severity", "evidence", "description", "occurred_at")

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, **kwargs)
        # The report as edited on this page, not as stored: its station may be changing too.
        irregularity = self.instance
        irregularity.report = report
        irregularity.mission_id = report.mission_id
        irregularity.round_id = report.round_id
        if irregularity.pk is None or irregularity.station_id is not None:
            irregularity.station_id = report.station_id


class IrregularityInline(LockAwareInline, admin.TabularInline):
    """The report's hand-logged irregularities still awaiting review, open to edits.

    Overvote detection owns the system-raised one, and a review settles what an
    irregularity says: the report lists those read-only, linked to their own pages.
    """

    model = Irregularity
    form = ReportIrregularityForm
    formset = ReportIrregularityFormSet
    parent_mission_lookup = "mission"
    fk_name = "report"
    extra = 0
    show_change_link = True
    readonly_fields = ("status",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(raised_by_system=False, status=Irregularity.Status.REPORTED)
            .select_related("category", "station")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "category":
            # Read the categories once for the formset, not once per row (and skip the count).
            field.choices = list(iter(field.choices))
        return field


class ObserverReportAdminForm(AdminVersionedForm):
    stale_message = ObserverReportForm.stale_message

    class Meta:
        model = ObserverReport
        exclude = ("version",)


class OvervoteFilter(admin.SimpleListFilter):
    title = _("overvote")
    parameter_name = "overvote"

    def lookups(self, request, model_admin):
        return [("yes", _("More ballots than voters"))]

    def queryset(self, request, queryset):
        return queryset.overvotes() if self.value() == "yes" else queryset


@admin.register(ObserverReport)
class ObserverReportAdmin(LockAwareHistoryAdmin):
    list_display = (
        "station",
        "round",
        "phase",
        "ballots_cast",
        "registered_voters",
        "is_overvote",
        "assessment",
        "observer",
        "entered_at",
        "mission",
    )
    list_filter = ("mission", "phase", "assessment", "round__kind", OvervoteFilter)
    list_select_related = ("mission", "round", "station", "observer__person")
    search_fields = ("station__code", "station__name", "notes")
    autocomplete_fields = ("mission", "round", "station", "observer", "entered_by")
    readonly_fields = ("entered_at", "settled_irregularities")
    form = ObserverReportAdminForm
    inlines = (IrregularityInline,)
    show_full_result_count = False

    def get_queryset(self, request):
        # The change page reads these too (title, lock check, overvote detection). The
        # changelist skips list_select_related once a queryset has any, so name them all here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    def has_delete_permission(self, request, obj=None):
        # Deleting a report deletes its irregularities, and reviewed ones stay.
        kept = obj is not None and reviewed(obj.irregularities.all()).exists()
        return super().has_delete_permission(request, obj) and not kept

    def frozen(self, queryset):
        kept = reviewed(Irregularity.objects.filter(report=OuterRef("pk")))
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

    @admin.display(description=_("raised by the application or reviewed"))
    def settled_irregularities(self, report):
        if report.pk is None:
            return self.get_empty_value_display()
        settled = report.irregularities.exclude(
            raised_by_system=False, status=Irregularity.Status.REPORTED
        ).select_related("category", "station")
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
        if not change and obj.entered_by_id is None:
            obj.entered_by = request.user
        if change:
            # The form's clean() holds the row at this version, so the claim succeeds
            # here; if it ever did not, StaleVersion rolls the whole page back.
            form.claim()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = form.instance
        report.carry_irregularities()
        outcome = overvote.sync_overvote(report=report, by=request.user)
        if outcome in overvote.MESSAGES:
            self.message_user(request, overvote.MESSAGES[outcome], messages.WARNING)


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


@admin.register(Irregularity)
class IrregularityAdmin(LockAwareHistoryAdmin):
    list_display = (
        "category",
        "station",
        "round",
        "severity",
        "evidence",
        "status",
        "raised_by_system",
        "is_superseded",
        "created_at",
        "mission",
    )
    list_filter = (
        "status",
        "severity",
        "evidence",
        "category",
        "raised_by_system",
        SupersededFilter,
        "mission",
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
            settled = ("category", "severity", "evidence", "description")
            readonly = (*readonly, *(name for name in settled if name not in readonly))
        return readonly

    def has_delete_permission(self, request, obj=None):
        kept = obj is not None and obj.status != Irregularity.Status.REPORTED
        return super().has_delete_permission(request, obj) and not kept

    def frozen(self, queryset):
        return super().frozen(queryset) | reviewed(queryset)

    def frozen_message(self, count):
        return ngettext(
            "%(count)d selected irregularity can no longer be deleted (its mission is locked "
            "or it was reviewed): nothing was deleted.",
            "%(count)d selected irregularities can no longer be deleted (their mission is "
            "locked or they were reviewed): nothing was deleted.",
            count,
        ) % {"count": count}

    def delete_view(self, request, object_id, extra_context=None):
        irregularity = self.get_object(request, unquote(object_id))
        if irregularity is not None and irregularity.status != Irregularity.Status.REPORTED:
            self.message_user(
                request,
                _("This irregularity was reviewed: it is kept as the record of that decision."),
                messages.ERROR,
            )
            change_url = reverse("admin:observation_irregularity_change", args=[irregularity.pk])
            return HttpResponseRedirect(change_url)
        return super().delete_view(request, object_id, extra_context)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if (request.GET.get("model_name"), request.GET.get("field_name")) == (
            "findingsstatement",
            "cited_irregularities",
        ):
            # A statement's citation picker offers only what a statement may cite.
            queryset = queryset.verified().current()
        return queryset, may_have_duplicates

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "report":
            # The chosen report is shown by its station and round.
            kwargs["queryset"] = ObserverReport.objects.select_related("station", "round")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.reported_by_id is None:
            obj.reported_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(permissions=["change"], description=_("Verify selected irregularities"))
    def verify(self, request, queryset):
        apply_move(
            self,
            request,
            queryset.select_related("category", "station"),
            move=lambda irregularity: irregularity.verify(by=request.user),
            minimum_role=Role.REVIEWER,
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
        apply_move(
            self,
            request,
            queryset,
            move=lambda irregularity: irregularity.dismiss(by=request.user, note=note),
            minimum_role=Role.REVIEWER,
            done=lambda n: (
                ngettext("Dismissed %(n)d irregularity.", "Dismissed %(n)d irregularities.", n)
                % {"n": n}
            ),
        )
        return None
