"""Who may do what on a mission: the one place views ask.

Roles are per mission (staff < reviewer < leader); superusers act as leaders
everywhere. A user who is not on the mission gets 404, so that a mission's
existence does not leak; a member whose role is too low gets 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from observation.models import Mission, MissionMembership

Role = MissionMembership.Role


@dataclass(frozen=True)
class MissionAccess:
    mission: Mission
    role: str

    def at_least(self, minimum: str) -> bool:
        return MissionMembership.role_at_least(self.role, minimum)

    @property
    def is_staff(self) -> bool:
        return self.at_least(Role.STAFF)

    @property
    def is_reviewer(self) -> bool:
        return self.at_least(Role.REVIEWER)

    @property
    def is_leader(self) -> bool:
        return self.at_least(Role.LEADER)

    @property
    def can_edit(self) -> bool:
        """Staff and up may change the mission's records while it is unlocked."""
        return self.is_staff and not self.mission.is_locked


def mission_for(request, pk, *, role: str = Role.STAFF) -> MissionAccess:
    """The mission `pk` as the signed-in user may see it, or 404/403."""
    user = request.user
    own_role = MissionMembership.objects.filter(mission=OuterRef("pk"), user=user).values("role")
    mission = get_object_or_404(
        Mission.objects.for_user(user)
        .select_related("lead_organization", "locked_by")
        .annotate(own_role=Subquery(own_role[:1])),
        pk=pk,
    )
    access = MissionAccess(
        mission=mission, role=Role.LEADER if user.is_superuser else mission.own_role
    )
    if not access.at_least(role):
        raise PermissionDenied
    # Election-day times are read and typed in the mission's own time zone, on its
    # pages, forms and exports alike; ResetTimeZoneMiddleware clears it per request.
    timezone.activate(mission.zone)
    return access
