"""The Django admin: how administrators manage a whole mission.

Lifecycle moves (verify, dismiss, submit, approve, publish, return to draft,
lock, unlock) are admin actions that call the model methods, so the rules and
their messages are the same here as everywhere else. A locked mission's
records are read-only, and so is a published statement.
"""

from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from observation.models import (
    DelegationMember,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    Mission,
    MissionMembership,
    MissionPartner,
    ObserverReport,
    Organization,
    Person,
    PollingStation,
    Recommendation,
)
from observation.overvote import Outcome, sync_overvote

Role = MissionMembership.Role


def _mission_at(obj, path: str) -> Mission:
    """The mission reached from `obj` along a `__` lookup path ("" is obj itself)."""
    return attrgetter(path.replace("__", "."))(obj) if path else obj


def _roles_for(user, mission_ids) -> dict[int, str]:
    """The user's role on each of these missions, in one query. Superusers lead everywhere."""
    if user.is_superuser:
        return dict.fromkeys(mission_ids, Role.LEADER)
    memberships = MissionMembership.objects.filter(user=user, mission_id__in=mission_ids)
    return dict(memberships.values_list("mission_id", "role"))


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


class LockAwareAdmin(admin.ModelAdmin):
    """An admin for records of a mission: read-only once the mission is locked.

    `mission_lookup` is the ORM path from the model to its mission ("" for the
    mission itself). Non-superusers see only the missions they belong to,
    so the admin never shows more than the rest of the site.
    """

    mission_lookup = "mission"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = Mission.objects.for_user(request.user)
        return queryset.filter(**{f"{self.mission_lookup or 'pk'}__in": visible})

    def is_frozen(self, obj) -> bool:
        """Whether this record may no longer change: its mission is locked."""
        return obj is not None and _mission_at(obj, self.mission_lookup).is_locked

    def frozen(self, queryset):
        """The records of `queryset` that may no longer change or be deleted."""
        lookup = f"{self.mission_lookup}__locked_at" if self.mission_lookup else "locked_at"
        return queryset.filter(**{f"{lookup}__isnull": False})

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.is_frozen(obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        # A record stays with the mission it was entered for.
        if obj is not None and self.mission_lookup == "mission":
            readonly = ("mission", *readonly)
        return readonly

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _func, name, description = actions["delete_selected"]
            actions[name] = (LockAwareAdmin.delete_unless_frozen, name, description)
        return actions

    def delete_unless_frozen(self, request, queryset):
        """Django's bulk delete, refused with a message if any selected record is frozen."""
        frozen = self.frozen(queryset).count()
        if frozen:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected record can no longer change (its mission is locked "
                    "or it is published): nothing was deleted.",
                    "%(count)d selected records can no longer change (their mission is locked "
                    "or they are published): nothing was deleted.",
                    frozen,
                )
                % {"count": frozen},
                messages.ERROR,
            )
            return None
        return django_delete_selected(self, request, queryset)

    def delete_queryset(self, request, queryset):
        # One by one, so that each record's own delete() guards run.
        with transaction.atomic():
            for obj in queryset:
                obj.delete()


class LockAwareHistoryAdmin(LockAwareAdmin, SimpleHistoryAdmin):
    """Lock-aware, with the history of changes; no revert.

    A revert would write an old row back past the lifecycle methods (an old
    review status, an unpublished statement), so history is for reading only.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class LockAwareInline:
    """An inline that follows its parent: read-only once the parent's mission is locked.

    `parent_mission_lookup` is the path from the parent object to its mission.
    """

    parent_mission_lookup = ""

    def parent_is_frozen(self, obj) -> bool:
        return obj is not None and _mission_at(obj, self.parent_mission_lookup).is_locked

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self.parent_is_frozen(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.parent_is_frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.parent_is_frozen(obj)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))


def _ask_for_note(modeladmin, request, queryset, *, action, title, intro, label):
    """The note a move needs (why an irregularity is dismissed, why a statement goes back).

    Returns the note once the intermediate page is confirmed, or the page to show.
    """
    form = NoteForm(request.POST if "apply" in request.POST else None)
    form.fields["note"].label = label
    if form.is_bound and form.is_valid():
        return form.cleaned_data["note"], None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "form": form,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    page = TemplateResponse(request, "admin/observation/action_note.html", context)
    return None, page


def _apply_move(
    modeladmin, request, queryset, *, move, minimum_role, done, mission_id=attrgetter("mission_id")
):
    """Call `move(obj)` on each record, report what happened, never write past a rule.

    The admin is no back door around roles: a move needs the same role on the
    record's mission as anywhere else (superusers lead everywhere).
    """
    records = list(queryset)
    roles = _roles_for(request.user, {mission_id(obj) for obj in records})
    moved = 0
    for obj in records:
        if not MissionMembership.role_at_least(roles.get(mission_id(obj)), minimum_role):
            modeladmin.message_user(
                request,
                _("%(obj)s: your role on its mission does not allow this.") % {"obj": obj},
                messages.ERROR,
            )
            continue
        try:
            move(obj)
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {_error_text(error)}", messages.ERROR)
        else:
            moved += 1
    if moved:
        modeladmin.message_user(request, done(moved), messages.SUCCESS)


# Organisations and people


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "acronym", "kind", "country")
    list_filter = ("kind", "country")
    search_fields = ("name", "acronym")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "title", "nationality", "affiliation")
    list_filter = ("nationality", "affiliation__kind")
    list_select_related = ("affiliation",)
    search_fields = ("full_name", "title", "affiliation__name", "affiliation__acronym")
    autocomplete_fields = ("affiliation",)


# Missions


class LockedFilter(admin.SimpleListFilter):
    title = _("lock")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", _("Locked")), ("no", _("Open"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.locked()
        if self.value() == "no":
            return queryset.unlocked()
        return queryset


class MissionPartnerInline(LockAwareInline, admin.TabularInline):
    model = MissionPartner
    extra = 0
    autocomplete_fields = ("organization",)


class DelegationMemberInline(LockAwareInline, admin.TabularInline):
    model = DelegationMember
    extra = 0
    autocomplete_fields = ("person",)


class ElectionRoundInline(LockAwareInline, admin.TabularInline):
    model = ElectionRound
    extra = 0


class MissionMembershipInline(LockAwareInline, admin.TabularInline):
    model = MissionMembership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Mission)
class MissionAdmin(LockAwareHistoryAdmin):
    mission_lookup = ""
    list_display = (
        "name",
        "country",
        "kind",
        "status",
        "lead_organization",
        "start_date",
        "end_date",
        "is_locked",
    )
    list_filter = ("status", "kind", LockedFilter, "country")
    list_select_related = ("lead_organization",)
    search_fields = ("name", "election", "lead_organization__name")
    autocomplete_fields = ("lead_organization",)
    readonly_fields = ("locked_at", "locked_by")
    inlines = (
        MissionPartnerInline,
        DelegationMemberInline,
        ElectionRoundInline,
        MissionMembershipInline,
    )
    actions = ("lock", "unlock")

    @admin.display(boolean=True, description=_("locked"), ordering="locked_at")
    def is_locked(self, mission):
        return mission.is_locked

    @admin.action(
        permissions=["change"], description=_("Lock selected missions (make them read-only)")
    )
    def lock(self, request, queryset):
        _apply_move(
            self,
            request,
            queryset,
            move=lambda mission: mission.lock(by=request.user),
            minimum_role=Role.LEADER,
            mission_id=attrgetter("pk"),
            done=lambda n: (
                ngettext("Locked %(n)d mission.", "Locked %(n)d missions.", n) % {"n": n}
            ),
        )

    @admin.action(permissions=["change"], description=_("Unlock selected missions"))
    def unlock(self, request, queryset):
        _apply_move(
            self,
            request,
            queryset,
            move=lambda mission: mission.unlock(by=request.user),
            minimum_role=Role.LEADER,
            mission_id=attrgetter("pk"),
            done=lambda n: (
                ngettext("Unlocked %(n)d mission.", "Unlocked %(n)d missions.", n) % {"n": n}
            ),
        )


@admin.register(MissionPartner)
class MissionPartnerAdmin(LockAwareAdmin):
    list_display = ("organization", "role", "mission")
    list_filter = ("role", "mission")
    list_select_related = ("organization", "mission")
    search_fields = ("organization__name", "organization__acronym", "mission__name")
    autocomplete_fields = ("mission", "organization")


@admin.register(MissionMembership)
class MissionMembershipAdmin(SimpleHistoryAdmin):
    """Who may use a mission. Not a mission record: access outlives the lock."""

    list_display = ("user", "role", "mission")
    list_filter = ("role", "mission")
    list_select_related = ("user", "mission")
    search_fields = ("user__username", "user__first_name", "user__last_name", "mission__name")
    autocomplete_fields = ("user", "mission")


@admin.register(DelegationMember)
class DelegationMemberAdmin(LockAwareAdmin):
    list_display = ("person", "role", "mission")
    list_filter = ("role", "mission")
    list_select_related = ("person", "mission")
    search_fields = ("person__full_name", "mission__name")
    autocomplete_fields = ("mission", "person")


@admin.register(ElectionRound)
class ElectionRoundAdmin(LockAwareAdmin):
    list_display = ("__str__", "kind", "election_day", "observed", "mission")
    list_filter = ("kind", "observed", "mission")
    list_select_related = ("mission",)
    search_fields = ("mission__name", "not_observed_reason")
    autocomplete_fields = ("mission",)
    date_hierarchy = "election_day"


@admin.register(PollingStation)
class PollingStationAdmin(LockAwareAdmin):
    list_display = ("code", "name", "area_1", "area_2", "area_3", "registered_voters", "mission")
    list_filter = ("mission",)
    list_select_related = ("mission",)
    search_fields = ("code", "name", "area_1", "area_2", "area_3", "area_4", "area_5")
    autocomplete_fields = ("mission",)
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A corrected register changes which of the station's reports are overvotes.
        if change and "registered_voters" in form.changed_data:
            for report in obj.reports.select_related("station"):
                sync_overvote(report=report, by=request.user)


# Reports and irregularities


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
    model = Irregularity
    form = ReportIrregularityForm
    formset = ReportIrregularityFormSet
    parent_mission_lookup = "mission"
    fk_name = "report"
    extra = 0
    show_change_link = True
    readonly_fields = ("status", "raised_by_system")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("category", "station")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "category":
            # Read the categories once for the formset, not once per row (and skip the count).
            field.choices = list(iter(field.choices))
        return field


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
    readonly_fields = ("entered_at", "version")
    inlines = (IrregularityInline,)
    show_full_result_count = False

    def get_queryset(self, request):
        # The change page reads these too (title, lock check, overvote detection). The
        # changelist skips list_select_related once a queryset has any, so name them all here.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description=_("registered voters"), ordering="station__registered_voters")
    def registered_voters(self, report):
        return report.station.registered_voters

    @admin.display(boolean=True, description=_("overvote"))
    def is_overvote(self, report):
        return report.is_overvote

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "observer":
            # The chosen observer team is shown by the person's name.
            kwargs["queryset"] = DelegationMember.objects.select_related("person")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.entered_by_id is None:
            obj.entered_by = request.user
        if change:
            # An edit here outdates any form opened on the earlier version.
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = form.instance
        # Hand-logged irregularities follow the report to its corrected station and round.
        moved = report.irregularities.filter(raised_by_system=False, station__isnull=False)
        for irregularity in moved.exclude(station=report.station_id, round=report.round_id):
            irregularity.station_id, irregularity.round_id = report.station_id, report.round_id
            irregularity.save(update_fields=["station", "round"])
        outcome = sync_overvote(report=report, by=request.user)
        notices = {
            Outcome.RAISED: _("More ballots cast than registered voters: overvote raised."),
            Outcome.UPDATED: _("The overvote irregularity was updated to the new figures."),
            Outcome.REMOVED: _("No longer an overvote: the unreviewed overvote was removed."),
            Outcome.SUPERSEDED: _("No longer an overvote: the reviewed overvote is superseded."),
        }
        if outcome in notices:
            self.message_user(request, notices[outcome], messages.WARNING)


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
        return readonly

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
        _apply_move(
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
        note, page = _ask_for_note(
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
        _apply_move(
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


# Statements and recommendations


class RecommendationInline(LockAwareInline, admin.StackedInline):
    model = Recommendation
    parent_mission_lookup = "mission"
    extra = 0

    def parent_is_frozen(self, obj) -> bool:
        return super().parent_is_frozen(obj) or (obj is not None and obj.is_published)


class FindingsStatementForm(forms.ModelForm):
    class Meta:
        model = FindingsStatement
        fields = (
            "mission",
            "round",
            "kind",
            "title",
            "issued_on",
            "body",
            "cited_irregularities",
            "created_by",
        )

    def clean(self):
        cleaned_data = super().clean()
        cited = cleaned_data.get("cited_irregularities")
        mission = cleaned_data.get("mission") or (
            self.instance.mission if self.instance.mission_id else None
        )
        if cited is not None and mission is not None:
            self.instance.mission = mission
            try:
                self.instance.clean_citations(cited)
            except ValidationError as error:
                self.add_error("cited_irregularities", error)
        return cleaned_data


@admin.register(FindingsStatement)
class FindingsStatementAdmin(LockAwareHistoryAdmin):
    form = FindingsStatementForm
    list_display = ("title", "kind", "issued_on", "status", "round", "mission")
    list_filter = ("status", "kind", "mission")
    list_select_related = ("round", "mission")
    search_fields = ("title", "body")
    autocomplete_fields = ("mission", "round", "cited_irregularities", "created_by")
    readonly_fields = (
        "status",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "published_by",
        "published_at",
        "returned_by",
        "returned_at",
        "return_reason",
        "version",
    )
    inlines = (RecommendationInline,)
    date_hierarchy = "issued_on"
    actions = ("submit_for_review", "approve", "publish", "return_to_draft")

    def is_frozen(self, obj) -> bool:
        return super().is_frozen(obj) or (obj is not None and obj.is_published)

    def frozen(self, queryset):
        return super().frozen(queryset) | queryset.published()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "cited_irregularities":
            kwargs["queryset"] = Irregularity.objects.select_related("category", "station")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)

    def _move(self, request, queryset, *, move, minimum_role, done):
        _apply_move(
            self,
            request,
            queryset,
            move=move,
            minimum_role=minimum_role,
            done=lambda n: done % {"n": n},
        )

    @admin.action(permissions=["change"], description=_("Submit selected statements for review"))
    def submit_for_review(self, request, queryset):
        self._move(
            request,
            queryset,
            move=lambda statement: statement.submit_for_review(by=request.user),
            minimum_role=Role.REVIEWER,
            done=_("Statements submitted for review: %(n)d."),
        )

    @admin.action(permissions=["change"], description=_("Approve selected statements"))
    def approve(self, request, queryset):
        self._move(
            request,
            queryset,
            move=lambda statement: statement.approve(by=request.user),
            minimum_role=Role.LEADER,
            done=_("Statements approved: %(n)d."),
        )

    @admin.action(permissions=["change"], description=_("Publish selected statements"))
    def publish(self, request, queryset):
        self._move(
            request,
            queryset,
            move=lambda statement: statement.publish(by=request.user),
            minimum_role=Role.LEADER,
            done=_("Statements published: %(n)d."),
        )

    @admin.action(
        permissions=["change"], description=_("Return selected statements to draft (with a reason)")
    )
    def return_to_draft(self, request, queryset):
        reason, page = _ask_for_note(
            self,
            request,
            queryset,
            action="return_to_draft",
            title=_("Return statements to draft"),
            intro=_("Say why these statements go back to draft. The reason is kept with each."),
            label=_("Why they go back to draft"),
        )
        if page is not None:
            return page
        self._move(
            request,
            queryset,
            move=lambda statement: statement.return_to_draft(by=request.user, reason=reason),
            minimum_role=Role.LEADER,
            done=_("Statements returned to draft: %(n)d."),
        )
        return None


@admin.register(Recommendation)
class RecommendationAdmin(LockAwareHistoryAdmin):
    mission_lookup = "statement__mission"
    list_display = ("__str__", "addressee", "priority", "follow_up", "statement")
    list_filter = ("follow_up", "priority", "addressee", "statement__mission")
    list_select_related = ("statement",)
    search_fields = ("text", "follow_up_notes", "statement__title")
    autocomplete_fields = ("statement",)

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.statement.is_published:
            # Follow-up is assessed long after publication; the rest is frozen with the statement.
            frozen = ("statement", "addressee", "text", "priority")
            readonly = (*readonly, *frozen)
        return readonly

    def has_delete_permission(self, request, obj=None):
        published = obj is not None and obj.statement.is_published
        return super().has_delete_permission(request, obj) and not published

    def frozen(self, queryset):
        return super().frozen(queryset) | queryset.filter(
            statement__status=FindingsStatement.Status.PUBLISHED
        )
