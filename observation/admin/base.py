"""What every observation admin shares: the lock, roles, and lifecycle actions.

Who may do what is `access.POLICY`, as in the web app; what a record refuses
is its model's rule, surfaced as form errors and messages.
"""

from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from observation.access import ROLE_REFUSAL, missions_allowing, role_allows
from observation.dates import zone_label, zoned, zoned_label
from observation.forms import VersionedForm
from observation.models import Mission, MissionLockedError, MissionMembership


def _mission_at(obj, path: str) -> Mission:
    """The mission reached from `obj` along a `__` lookup path ("" is obj itself)."""
    return attrgetter(path.replace("__", "."))(obj) if path else obj


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _role_allows(request, mission, action) -> bool:
    """Whether the signed-in user may do `action` on `mission`, per `access.POLICY`.

    Their role is read once per mission and request: a change page asks many times.
    """
    roles = request.__dict__.setdefault("_observa_mission_roles", {})
    if mission.pk not in roles:
        roles[mission.pk] = mission.role_of(request.user)
    return role_allows(roles[mission.pk], action, locked=mission.is_locked)


def _some_mission_allows(request, action) -> bool:
    """Whether the user may do `action` on some mission (to offer "Add" at all).

    Every admin's menu entry asks, so the user's roles are read once per request.
    """
    if request.user.is_superuser:
        return True
    held = request.__dict__.get("_observa_held_roles")
    if held is None:
        memberships = MissionMembership.objects.filter(user=request.user)
        held = {
            (role, locked_at is not None)
            for role, locked_at in memberships.values_list("role", "mission__locked_at")
        }
        request._observa_held_roles = held
    return any(role_allows(role, action, locked=locked) for role, locked in held)


def zoned_time(name: str, description, mission_path: str | None = "mission"):
    """A list or read-only column showing the time `name` in its record's mission zone
    ("9 Apr 2000, 10:15 (Lima time)"); without `mission_path`, in the current zone."""

    @admin.display(description=description, ordering=name)
    def column(obj):
        value = getattr(obj, name)
        if value is None:
            return None
        zone = timezone.get_current_timezone()
        if mission_path is not None:
            zone = _mission_at(obj, mission_path).zone
        with timezone.override(zone):
            return zoned(value)

    return column


class ZonedTimeFields:
    """Time fields labelled with the zone they are typed in: "Arrival (Lima time)"."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(db_field, models.DateTimeField):
            field.label = zoned_label(field.label)
        return field


class MissionFilter(admin.RelatedFieldListFilter):
    """ "By mission", offering only the missions the user may see, as the rows are."""

    def field_choices(self, field, request, model_admin):
        return [(mission.pk, str(mission)) for mission in Mission.objects.for_user(request.user)]


class LockAwareAdmin(ZonedTimeFields, admin.ModelAdmin):
    """An admin for records of a mission, following the site's policy table.

    `mission_lookup` is the ORM path from the model to its mission ("" for the
    mission itself). Non-superusers see only the missions they belong to, so
    the admin never shows more than the rest of the site; Django's model
    permissions let a user into the admin, and `edit_action` (of
    `access.POLICY`) says which role on the record's mission changes it, so
    the admin allows no more than the site either. A locked mission's records
    are read-only.
    """

    mission_lookup = "mission"
    edit_action = "mission_edit"

    def mission_of(self, obj) -> Mission:
        return _mission_at(obj, self.mission_lookup)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = Mission.objects.for_user(request.user)
        return queryset.filter(**{f"{self.mission_lookup or 'pk'}__in": visible})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A record is attached only to a mission (or a record of one) where the user's
        # role allows changing such records.
        head, _sep, rest = self.mission_lookup.partition("__")
        if db_field.name == head and not request.user.is_superuser:
            allowed = missions_allowing(request.user, self.edit_action)
            kwargs["queryset"] = db_field.related_model._default_manager.filter(
                **{f"{rest or 'pk'}__in": allowed}
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def is_frozen(self, obj) -> bool:
        """Whether this record may no longer change: its mission is locked."""
        return obj is not None and self.mission_of(obj).is_locked

    def frozen(self, queryset):
        """The records of `queryset` that may no longer change or be deleted."""
        lookup = f"{self.mission_lookup}__locked_at" if self.mission_lookup else "locked_at"
        return queryset.filter(**{f"{lookup}__isnull": False})

    def role_allows(self, request, obj) -> bool:
        return obj is None or _role_allows(request, self.mission_of(obj), self.edit_action)

    def get_object(self, request, object_id, from_field=None):
        # The change page reads its record for the zone of its times, then Django's view
        # reads it again: once is enough.
        read = request.__dict__.setdefault("_observa_objects", {})
        key = (self.model, object_id, from_field)
        if key not in read:
            read[key] = super().get_object(request, object_id, from_field)
        return read[key]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A mission's record shows and reads its times in the mission's zone, as the
        # mission's pages do, so the page is rendered while that zone is current. A new
        # record has no mission yet: its times are in the site's zone, which its labels name.
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        zone = self.mission_of(obj).zone if obj is not None else timezone.get_current_timezone()
        with timezone.override(zone):
            extra_context = {**(extra_context or {}), "times_in": zone_label()}
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()
        return response

    def has_add_permission(self, request):
        return super().has_add_permission(request) and _some_mission_allows(
            request, self.edit_action
        )

    def has_change_permission(self, request, obj=None):
        return (
            super().has_change_permission(request, obj)
            and not self.is_frozen(obj)
            and self.role_allows(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            super().has_delete_permission(request, obj)
            and not self.is_frozen(obj)
            and self.role_allows(request, obj)
        )

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

    def frozen_message(self, count: int) -> str:
        """Why `count` selected records cannot be deleted."""
        return ngettext(
            "%(count)d selected record can no longer change (its mission is locked "
            "or it is published): nothing was deleted.",
            "%(count)d selected records can no longer change (their mission is locked "
            "or they are published): nothing was deleted.",
            count,
        ) % {"count": count}

    def delete_unless_frozen(self, request, queryset):
        """Django's bulk delete, refused with a message if any selected record is frozen
        or on a mission where the user's role does not allow it."""
        frozen = self.frozen(queryset).count()
        if frozen:
            self.message_user(request, self.frozen_message(frozen), messages.ERROR)
            return None
        lookup = f"{self.mission_lookup or 'pk'}__in"
        allowed = missions_allowing(request.user, self.edit_action)
        if queryset.exclude(**{lookup: allowed}).exists():
            self.message_user(request, ROLE_REFUSAL, messages.ERROR)
            return None
        return django_delete_selected(self, request, queryset)

    def delete_queryset(self, request, queryset):
        # One by one, so that each record's own delete() guards run.
        with transaction.atomic():
            for obj in queryset:
                obj.delete()


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """The history of changes, for reading only, of the records the user may see.

    simple-history falls back to the history table for records it cannot find,
    which would show other missions' records (and deleted ones): a record's
    history is shown only while the record is in this admin's queryset.

    A revert would write an old row back past the lifecycle methods (an old
    review status, an unpublished statement), so history is for reading only.
    """

    def revert_disabled(self, request, obj=None):
        return True

    def check_history_visible(self, request, object_id):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self.check_history_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.check_history_visible(request, object_id)
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class LockAwareHistoryAdmin(LockAwareAdmin, ScopedHistoryAdmin):
    """Lock-aware, with the history of changes of the user's missions' records."""


class AdminVersionedForm(VersionedForm):
    """An admin form that refuses to save over an edit made since it was loaded.

    The check reads the row FOR UPDATE, inside the transaction the admin wraps
    around the whole change page, so the row stays ours until the save, which
    goes through the same service as the web form's. A stale form shows why,
    keeps the input, and carries the current version so that a second save
    goes through. Subclasses exclude the model's `version` in their Meta (it is
    not editable); the hidden field declared on the form carries it instead.
    """

    lock_row = True


class LockAwareInline(ZonedTimeFields):
    """An inline that follows its parent: changed by the roles `edit_action` admits on
    the parent's mission, read-only once that mission is locked.

    `parent_mission_lookup` is the path from the parent object to its mission.
    """

    parent_mission_lookup = ""
    edit_action = "mission_edit"

    def parent_is_frozen(self, obj) -> bool:
        return obj is not None and _mission_at(obj, self.parent_mission_lookup).is_locked

    def parent_allows(self, request, obj) -> bool:
        if obj is None:
            # A mission being added has no members yet: those who may add it staff it.
            return True
        mission = _mission_at(obj, self.parent_mission_lookup)
        return _role_allows(request, mission, self.edit_action)

    def may_edit(self, request, obj) -> bool:
        return not self.parent_is_frozen(obj) and self.parent_allows(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self.may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_edit(request, obj)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}))


def ask_for_note(modeladmin, request, queryset, *, action, title, intro, label):
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


def apply_move(
    modeladmin, request, queryset, *, move, action, done, mission_id=attrgetter("mission_id")
):
    """Call `move(obj)` on each record, report what happened, never write past a rule.

    The admin is no back door around the policy: a move is `action` of
    `access.POLICY`, allowed on the record's mission as anywhere else.
    """
    records = list(queryset)
    ids = {mission_id(obj) for obj in records}
    allowed = set(
        missions_allowing(request.user, action).filter(pk__in=ids).values_list("pk", flat=True)
    )
    locked = {
        mission.pk: mission for mission in Mission.objects.locked().filter(pk__in=ids - allowed)
    }
    moved = 0
    for obj in records:
        if mission_id(obj) not in allowed:
            if mission_id(obj) in locked:
                refusal = error_text(MissionLockedError(locked[mission_id(obj)]))
            else:
                refusal = ROLE_REFUSAL
            modeladmin.message_user(request, f"{obj}: {refusal}", messages.ERROR)
            continue
        try:
            move(obj)
        except ValidationError as error:
            modeladmin.message_user(request, f"{obj}: {error_text(error)}", messages.ERROR)
        else:
            moved += 1
    if moved:
        modeladmin.message_user(request, done(moved), messages.SUCCESS)
