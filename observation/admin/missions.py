"""Admin for organisations, people, missions and what hangs off a mission."""

from operator import attrgetter

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from observation import services
from observation.access import missions_allowing
from observation.admin.base import (
    LockAwareAdmin,
    LockAwareHistoryAdmin,
    LockAwareInline,
    MissionFilter,
    ScopedHistoryAdmin,
    apply_move,
    ask_for_note,
)
from observation.models import (
    DelegationMember,
    ElectionRound,
    Mission,
    MissionMembership,
    MissionPartner,
    Organization,
    Person,
    PollingStation,
)


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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # People are shared by every mission, and who observed where can be sensitive:
        # a user sees the delegations of their own missions, and people on none yet.
        theirs = Q(delegations__mission__in=Mission.objects.for_user(request.user))
        return queryset.filter(theirs | Q(delegations__isnull=True)).distinct()


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
    edit_action = "delegation_edit"
    extra = 0
    autocomplete_fields = ("person",)


class ElectionRoundInline(LockAwareInline, admin.TabularInline):
    model = ElectionRound
    extra = 0


class MissionMembershipInline(LockAwareInline, admin.TabularInline):
    """Who may use the mission, managed by its leaders; nobody changes their own role
    (their own row is not listed, and the service refuses it)."""

    model = MissionMembership
    extra = 0
    autocomplete_fields = ("user",)
    edit_action = "membership_manage"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(user=request.user)

    def parent_allows(self, request, obj) -> bool:
        if obj is None:
            # A mission being added has no leader yet: superusers staff it.
            return request.user.is_superuser
        return super().parent_allows(request, obj)


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

    def save_formset(self, request, form, formset, change):
        if formset.model is not MissionMembership:
            return super().save_formset(request, form, formset, change)
        for membership in formset.save(commit=False):
            services.membership_save(membership=membership, by=request.user)
        for membership in formset.deleted_objects:
            services.membership_delete(membership=membership, by=request.user)
        return None

    @admin.action(
        permissions=["change"], description=_("Lock selected missions (make them read-only)")
    )
    def lock(self, request, queryset):
        reason, page = ask_for_note(
            self,
            request,
            queryset,
            action="lock",
            title=_("Lock missions"),
            intro=_("Say why these missions are locked. The reason is kept in their history."),
            label=_("Why they are locked"),
        )
        if page is not None:
            return page
        apply_move(
            self,
            request,
            queryset,
            move=lambda mission: services.mission_lock(
                mission=mission, by=request.user, reason=reason
            ),
            action="mission_lock",
            mission_id=attrgetter("pk"),
            done=lambda n: (
                ngettext("Locked %(n)d mission.", "Locked %(n)d missions.", n) % {"n": n}
            ),
        )

    @admin.action(permissions=["change"], description=_("Unlock selected missions"))
    def unlock(self, request, queryset):
        reason, page = ask_for_note(
            self,
            request,
            queryset,
            action="unlock",
            title=_("Unlock missions"),
            intro=_("Say why these missions are unlocked. The reason is kept in their history."),
            label=_("Why they are unlocked"),
        )
        if page is not None:
            return page
        apply_move(
            self,
            request,
            queryset,
            move=lambda mission: services.mission_unlock(
                mission=mission, by=request.user, reason=reason
            ),
            action="mission_unlock",
            mission_id=attrgetter("pk"),
            done=lambda n: (
                ngettext("Unlocked %(n)d mission.", "Unlocked %(n)d missions.", n) % {"n": n}
            ),
        )


@admin.register(MissionPartner)
class MissionPartnerAdmin(LockAwareAdmin):
    list_display = ("organization", "role", "mission")
    list_filter = ("role", ("mission", MissionFilter))
    list_select_related = ("organization", "mission")
    search_fields = ("organization__name", "organization__acronym", "mission__name")
    autocomplete_fields = ("mission", "organization")


@admin.register(MissionMembership)
class MissionMembershipAdmin(ScopedHistoryAdmin):
    """Who may use a mission. Not a mission record: access outlives the lock.

    Leaders manage their missions' memberships; nobody but a superuser changes
    their own, so that no one promotes themselves.
    """

    list_display = ("user", "role", "mission")
    list_filter = ("role", ("mission", MissionFilter))
    list_select_related = ("user", "mission")
    search_fields = ("user__username", "user__first_name", "user__last_name", "mission__name")
    autocomplete_fields = ("user", "mission")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(mission__in=missions_allowing(request.user, "membership_manage"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "mission":
            kwargs["queryset"] = missions_allowing(request.user, "membership_manage")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        # A membership is one user on one mission; what changes is the role.
        return ("user", "mission", *readonly) if obj is not None else readonly

    def is_own(self, request, obj) -> bool:
        return obj is not None and obj.is_own_for(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self.is_own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self.is_own(request, obj)

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj, by=request.user)

    def delete_model(self, request, obj):
        services.membership_delete(membership=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_delete(membership=membership, by=request.user)


@admin.register(DelegationMember)
class DelegationMemberAdmin(LockAwareAdmin):
    edit_action = "delegation_edit"
    list_display = ("person", "role", "mission")
    list_filter = ("role", ("mission", MissionFilter))
    list_select_related = ("person", "mission")
    search_fields = ("person__full_name", "mission__name")
    autocomplete_fields = ("mission", "person")


@admin.register(ElectionRound)
class ElectionRoundAdmin(LockAwareAdmin):
    list_display = ("__str__", "kind", "election_day", "observed", "mission")
    list_filter = ("kind", "observed", ("mission", MissionFilter))
    list_select_related = ("mission",)
    search_fields = ("mission__name", "not_observed_reason")
    autocomplete_fields = ("mission",)
    date_hierarchy = "election_day"


@admin.register(PollingStation)
class PollingStationAdmin(LockAwareAdmin):
    edit_action = "station_edit"
    list_display = (
        "code",
        "name",
        "area_1",
        "area_2",
        "area_3",
        "registered_voters",
        "in_sample",
        "mission",
    )
    list_filter = (("mission", MissionFilter), "in_sample")
    list_select_related = ("mission",)
    search_fields = ("code", "name", "area_1", "area_2", "area_3", "area_4", "area_5")
    autocomplete_fields = ("mission",)
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        # A corrected register changes which of the station's reports are overvotes.
        for warning in services.station_save(station=obj, by=request.user):
            self.message_user(request, warning, messages.WARNING)
