"""Who may do what on a mission: the one policy table that views, the admin and
templates read.

Roles are per mission (observer < staff < reviewer < leader); superusers act as
leaders everywhere. Observers use the JSON API only: every web page needs "view".
A user who is not on the mission gets 404, so that a mission's
existence does not leak; a member whose role is too low gets 403, and so does
a change to a locked mission, with a page that says it is locked.
"""

from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observation.models import Mission, MissionLockedError, MissionMembership

Role = MissionMembership.Role


ROLE_REFUSAL = _(
    "Your role on this mission does not allow this. A mission leader can change your role."
)


@dataclass(frozen=True)
class Rule:
    role: str
    # Refused while the mission is locked: a concluded mission's record stays as it is.
    refused_when_locked: bool


# action → the least role that may do it, and whether a locked mission refuses it.
POLICY: dict[str, Rule] = {
    # The JSON API's field intake: what a team needs to report (rounds, stations,
    # checklists), its submissions and their review status. Observers see their team's only.
    "field_read": Rule(Role.OBSERVER, refused_when_locked=False),
    "report_submit": Rule(Role.OBSERVER, refused_when_locked=True),
    # An irregularity logged on its own (at a station or nationwide), and photo evidence.
    "irregularity_submit": Rule(Role.OBSERVER, refused_when_locked=True),
    # Reading the mission, its lists, summaries and exports.
    "view": Rule(Role.STAFF, refused_when_locked=False),
    "review_queue": Rule(Role.REVIEWER, refused_when_locked=False),
    # Photo evidence may show faces and places: the mission's own people only, never the
    # public summary.
    "photo_view": Rule(Role.STAFF, refused_when_locked=False),
    # Entering what observers report, and the lists it is checked against
    # (by hand, by import, or in the admin).
    "report_add": Rule(Role.STAFF, refused_when_locked=True),
    "report_edit": Rule(Role.STAFF, refused_when_locked=True),
    "irregularity_edit": Rule(Role.STAFF, refused_when_locked=True),
    "station_edit": Rule(Role.STAFF, refused_when_locked=True),
    "deployment_edit": Rule(Role.STAFF, refused_when_locked=True),
    # The outlines of the mission's areas, drawn under the map of stations.
    "outlines_edit": Rule(Role.STAFF, refused_when_locked=True),
    # Election day's alerts: acknowledged by the core team, by name.
    "alert_acknowledge": Rule(Role.STAFF, refused_when_locked=True),
    "delegation_edit": Rule(Role.STAFF, refused_when_locked=True),
    # Judging it and drafting findings.
    "irregularity_review": Rule(Role.REVIEWER, refused_when_locked=True),
    # Reopening a decision: only the reviewer who made it (leaders included, for their
    # own decisions only), until a statement cites it (services.irregularity_reopen).
    "irregularity_reopen": Rule(Role.REVIEWER, refused_when_locked=True),
    "statement_draft": Rule(Role.REVIEWER, refused_when_locked=True),
    "statement_submit": Rule(Role.REVIEWER, refused_when_locked=True),
    # What the mission found of recommendations made to its country, earlier missions'
    # included (RecommendationAssessment).
    "recommendation_assess": Rule(Role.REVIEWER, refused_when_locked=True),
    # Leading the mission: its facts, partners and rounds, its findings, its lock.
    "mission_edit": Rule(Role.LEADER, refused_when_locked=True),
    "checklist_edit": Rule(Role.LEADER, refused_when_locked=True),
    # Which kinds of alert are also e-mailed to the core team.
    "alert_email": Rule(Role.LEADER, refused_when_locked=True),
    "statement_approve": Rule(Role.LEADER, refused_when_locked=True),
    "statement_publish": Rule(Role.LEADER, refused_when_locked=True),
    "statement_return": Rule(Role.LEADER, refused_when_locked=True),
    "mission_lock": Rule(Role.LEADER, refused_when_locked=True),
    "mission_unlock": Rule(Role.LEADER, refused_when_locked=False),
    # Setting up observers' phones for ODK Collect: the server URL, QR code and who needs a token.
    "odk_setup": Rule(Role.LEADER, refused_when_locked=False),
    # Where the mission restricts them, observer names are for its leaders.
    "observer_names": Rule(Role.LEADER, refused_when_locked=False),
    # Access outlives the lock: leaders still manage who may read the mission.
    "membership_manage": Rule(Role.LEADER, refused_when_locked=False),
    # Inviting someone new by e-mail creates an account: not on a locked mission.
    "membership_invite": Rule(Role.LEADER, refused_when_locked=True),
    # A key for an observer's phone, shown once to the leader who hands it over.
    "observer_token": Rule(Role.LEADER, refused_when_locked=True),
}

# A statement's lifecycle moves (FindingsStatement.MOVES), as actions of the table.
STATEMENT_MOVE_ACTIONS = {
    "submit": "statement_submit",
    "approve": "statement_approve",
    "publish": "statement_publish",
    "return": "statement_return",
}


def role_allows(role: str | None, action: str, *, locked: bool) -> bool:
    """Whether `role` on a mission (locked or not) may do `action`."""
    rule = POLICY[action]
    if not MissionMembership.role_at_least(role, rule.role):
        return False
    return not (locked and rule.refused_when_locked)


def roles_allowed(action: str) -> list[str]:
    """The roles that `action` admits, lowest first."""
    return [role for role in Role if MissionMembership.role_at_least(role, POLICY[action].role)]


@dataclass(frozen=True)
class MissionAccess:
    mission: Mission
    role: str

    def allows(self, action: str) -> bool:
        return role_allows(self.role, action, locked=self.mission.is_locked)

    @property
    def role_label(self) -> str:
        """The role as the reader's language names it."""
        return Role(self.role).label

    @cached_property
    def can(self) -> dict[str, bool]:
        """Every action of the table and whether it is allowed here, for templates:
        `{% if access.can.report_add %}`."""
        return {action: self.allows(action) for action in POLICY}

    @property
    def names_observers(self) -> bool:
        """Whether exports and printed summaries name observer teams for this user."""
        return not self.mission.observer_names_for_leaders_only or self.allows("observer_names")

    def statement_moves(self, statement) -> list[str]:
        """The lifecycle moves this user may make on `statement` now."""
        return [
            move
            for move, action in STATEMENT_MOVE_ACTIONS.items()
            if statement.can_move(move) and self.allows(action)
        ]

    def require(self, action: str):
        """Refuse with 403 unless `action` is allowed, saying so if the lock is why."""
        if self.allows(action):
            return
        if role_allows(self.role, action, locked=False):
            refusal = MissionLockedError(self.mission).messages[0]
        else:
            refusal = str(ROLE_REFUSAL)
        raise PermissionDenied(f"{refusal} {self.leaders_named()}".strip())

    def leaders_named(self) -> str:
        """Who can change a role or lift the lock, for the page that refuses: "a leader
        can" helps only a member who knows who that is."""
        leaders = [
            _public_name(membership.user)
            for membership in self.mission.memberships.filter(role=Role.LEADER)
            .select_related("user")
            .order_by("user__last_name", "user__username")
        ]
        leaders = [name for name in leaders if name]
        if not leaders:
            return ""
        return _("This mission's leaders: %(names)s.") % {"names": ", ".join(leaders)}


def _public_name(user) -> str:
    """A user's full name, or their user name unless it is an e-mail address: the
    refusal page names people, it does not hand out addresses."""
    name = user.get_full_name().strip()
    if name:
        return name
    username = user.get_username()
    return "" if "@" in username else username


def member_access(user, pk) -> MissionAccess | None:
    """The user's access to mission `pk`, in one query; None if they may not see it (an
    inactive account, a stranger, no such mission). Every page and API request reads it
    first, through mission_for; the task worker reads it for the member a job acts for."""
    if not (user.is_authenticated and user.is_active):
        return None
    # get() rather than first(): one row at most, and first() would order it by the
    # models' orderings, joining the user's table for nothing.
    try:
        if user.is_superuser:
            missions = Mission.objects.select_related("lead_organization", "locked_by")
            mission, role, team = missions.get(pk=pk), Role.LEADER, None
        else:
            memberships = MissionMembership.objects.select_related(
                "mission__lead_organization", "mission__locked_by"
            )
            # Through the mission's own key, which answers an id out of range with nothing.
            membership = memberships.get(user=user, mission__pk=pk)
            mission, role, team = membership.mission, membership.role, membership.team_id
    except (Mission.DoesNotExist, MissionMembership.DoesNotExist):
        return None
    # An observer's team: the API reads it on every request of theirs.
    mission.own_team = team
    return MissionAccess(mission=mission, role=role)


def mission_for(request, pk, *, action: str = "view") -> MissionAccess:
    """The mission `pk` as the signed-in user may use it for `action`, or 404/403."""
    access = member_access(request.user, pk)
    if access is None:
        raise Http404
    access.require(action)
    # Election-day times are read and typed in the mission's own time zone, on its
    # pages, forms and exports alike; ResetTimeZoneMiddleware clears it per request.
    timezone.activate(access.mission.zone)
    return access


def missions_allowing(user, action: str):
    """The missions on which `user` may do `action`, as one queryset.

    A queryset rather than a role per mission, so that a whole admin changelist
    or a bulk action is checked in a single query.
    """
    missions = Mission.objects.for_user(user)
    if not user.is_superuser:
        # One filter() call: the same membership must be the user's and carry the role.
        missions = Mission.objects.filter(
            memberships__user=user, memberships__role__in=roles_allowed(action)
        )
    if POLICY[action].refused_when_locked:
        missions = missions.unlocked()
    return missions
