from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from api.forms import ObserverInviteForm, TokenCreateForm
from observation import services
from observation.access import mission_for, role_allows
from observation.forms import MembershipAddForm, MembershipInviteForm, MembershipRoleForm
from observation.models import (
    FindingsStatement,
    Irregularity,
    Mission,
    MissionMembership,
    ObserverReport,
)


@dataclass(frozen=True)
class WorkItem:
    """Something waiting for this user on a mission, as a link to where it is done."""

    text: str
    url: str


def your_work(*, mission, role, to_review: int, to_approve: int, to_publish: int) -> list:
    """What waits for `role` on `mission`, from counts the caller already has: what the
    policy lets this role do, and only where there is something to do."""
    waiting = [
        (
            "irregularity_review",
            to_review,
            ngettext(
                "%(n)s irregularity awaits review",
                "%(n)s irregularities await review",
                to_review,
            ),
            reverse("observation:review_queue", args=[mission.pk]),
        ),
        (
            "statement_approve",
            to_approve,
            ngettext(
                "%(n)s statement awaits approval",
                "%(n)s statements await approval",
                to_approve,
            ),
            reverse("observation:statement_list", args=[mission.pk]),
        ),
        (
            "statement_publish",
            to_publish,
            ngettext(
                "%(n)s approved statement awaits publication",
                "%(n)s approved statements await publication",
                to_publish,
            ),
            reverse("observation:statement_list", args=[mission.pk]),
        ),
    ]
    return [
        WorkItem(text % {"n": n}, url)
        for action, n, text, url in waiting
        if n and role_allows(role, action, locked=mission.is_locked)
    ]


def _count_of(queryset):
    """The rows of `queryset` on the outer query's mission, as a subquery."""
    counted = queryset.filter(mission=OuterRef("pk")).order_by().values("mission")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def home(request):
    user = request.user
    missions = (
        Mission.objects.for_user(user)
        .select_related("lead_organization")
        .annotate(
            my_role=Subquery(
                MissionMembership.objects.filter(mission=OuterRef("pk"), user=user).values("role")[
                    :1
                ]
            ),
            to_review=_count_of(Irregularity.objects.unreviewed()),
            to_approve=_count_of(
                FindingsStatement.objects.filter(status=FindingsStatement.Status.IN_REVIEW)
            ),
            to_publish=_count_of(
                FindingsStatement.objects.filter(status=FindingsStatement.Status.APPROVED)
            ),
        )[:10]
    )
    for mission in missions:
        role = MissionMembership.Role.LEADER if user.is_superuser else mission.my_role
        mission.work = your_work(
            mission=mission,
            role=role,
            to_review=mission.to_review,
            to_approve=mission.to_approve,
            to_publish=mission.to_publish,
        )
    return render(request, "home.html", {"missions": missions})


def mission_list(request):
    missions = (
        Mission.objects.for_user(request.user)
        .select_related("lead_organization")
        .annotate(round_count=Count("rounds", distinct=True))
    )
    return render(request, "observation/mission_list.html", {"missions": missions})


def _reports_by_round_and_phase(mission, rounds):
    """Rows of (round, [(phase, count) per phase], total) from one grouped query."""
    counts = {
        (row["round"], row["phase"]): row["n"]
        # COUNT(*), not of a column: the (mission, round, phase) index alone answers it.
        for row in mission.reports.values("round", "phase").annotate(n=Count("*"))
    }
    phases = ObserverReport.Phase.values
    return [
        (
            round_,
            [(phase, counts.get((round_.pk, phase), 0)) for phase in phases],
            sum(counts.get((round_.pk, phase), 0) for phase in phases),
        )
        for round_ in rounds
    ]


def _counts_by_status(queryset, choices):
    counts = dict(queryset.values_list("status").annotate(n=Count("id")).order_by())
    return [(value, label, counts.get(value, 0)) for value, label in choices]


def mission_detail(request, pk):
    access = mission_for(request, pk)
    mission = access.mission
    rounds = list(mission.rounds.all())
    irregularity_counts = _counts_by_status(
        mission.irregularities.current(), Irregularity.Status.choices
    )
    statement_counts = _counts_by_status(mission.statements.all(), FindingsStatement.Status.choices)
    irregularity_counts_by = {value: n for value, _label, n in irregularity_counts}
    statement_counts_by = {value: n for value, _label, n in statement_counts}
    context = {
        "access": access,
        "mission": mission,
        "rounds": rounds,
        "delegation": mission.delegation.select_related("person__affiliation"),
        "partners": mission.partnerships.select_related("organization"),
        "phases": ObserverReport.Phase.labels,
        "report_counts": _reports_by_round_and_phase(mission, rounds),
        "irregularity_counts": irregularity_counts,
        "statement_counts": statement_counts,
        "work": your_work(
            mission=mission,
            role=access.role,
            to_review=irregularity_counts_by[Irregularity.Status.REPORTED],
            to_approve=statement_counts_by[FindingsStatement.Status.IN_REVIEW],
            to_publish=statement_counts_by[FindingsStatement.Status.APPROVED],
        ),
        "latest_irregularities": mission.irregularities.current().select_related(
            "category", "station"
        )[:5],
        # The mission an assessment preceded, and the assessments that preceded this one,
        # among the missions the user may open: one query.
        "linked": list(
            Mission.objects.for_user(request.user).filter(
                Q(pk=mission.preceded_id) | Q(preceded=mission)
            )
        ),
    }
    return render(request, "observation/mission_detail.html", context)


@require_POST
def mission_lock(request, pk):
    access = mission_for(request, pk, action="mission_lock")
    return _lock_move(request, access.mission, services.mission_lock)


@require_POST
def mission_unlock(request, pk):
    access = mission_for(request, pk, action="mission_unlock")
    return _lock_move(request, access.mission, services.mission_unlock)


def _lock_move(request, mission, move):
    reason = request.POST.get("reason", "")
    try:
        done = move(mission=mission, by=request.user, reason=reason)
    except ValidationError as error:  # no reason, or locked or unlocked meanwhile
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect(mission)


def membership_list(request, pk):
    """The mission's members: a leader adds, re-roles and removes them here."""
    access = mission_for(request, pk, action="membership_manage")
    mission = access.mission
    form = MembershipAddForm(request.POST or None, mission=mission)
    if form.is_valid():
        membership = MissionMembership(
            mission=mission, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
        )
        try:
            services.membership_save(membership=membership, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(user)s added as %(role)s.")
                % {"user": _name(membership.user), "role": membership.get_role_display()},
            )
            return redirect("observation:membership_list", pk=mission.pk)
    return _members_page(request, access, form=form)


def _members_page(request, access, *, form=None, issued=None):
    """The members page; `issued` is an observer's new API key, shown on this answer only."""
    mission = access.mission
    if form is None:
        form = MembershipAddForm(mission=mission)
    now = timezone.now()
    active_keys = Count(
        "user__api_tokens",
        filter=Q(user__api_tokens__revoked_at__isnull=True, user__api_tokens__expires_at__gt=now),
    )
    context = {
        "access": access,
        "mission": mission,
        "form": form,
        "not_saved": form.is_bound,
        "memberships": mission.memberships.select_related("user", "team__person")
        .annotate(active_keys=active_keys)
        .order_by("user__last_name", "user__username"),
        "roles": MissionMembership.Role.choices,
        "invite_form": MembershipInviteForm(mission=mission, prefix="invite"),
        "observer_form": ObserverInviteForm(mission=mission, prefix="observer"),
        "token_form": TokenCreateForm(prefix="token"),
        "issued": issued,
    }
    response = render(request, "observation/membership_list.html", context)
    if issued:
        # The key is in this page alone: no cache keeps it.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def observer_invite(request, pk):
    """A leader makes a delegation member's team an observer, with an existing account or
    a new one. Refused on a locked mission, since it may create an account."""
    access = mission_for(request, pk, action="membership_invite")
    mission = access.mission
    form = ObserverInviteForm(request.POST, mission=mission, prefix="observer")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("observation:membership_list", pk=mission.pk)
    try:
        done = services.observer_invite(
            mission=mission,
            team=form.cleaned_data["team"],
            by=request.user,
            user=form.cleaned_data["user"],
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect("observation:membership_list", pk=mission.pk)


@require_POST
def membership_token(request, pk, membership_pk):
    """A leader creates an API key for an observer of the mission, to hand to them: shown
    once, on the page this answers with."""
    access = mission_for(request, pk, action="observer_token")
    membership = get_object_or_404(
        access.mission.memberships.select_related("user"), pk=membership_pk
    )
    form = TokenCreateForm(request.POST, prefix="token")
    refusals = [error for errors in form.errors.values() for error in errors]
    if not refusals:
        try:
            token, key = services.observer_token_issue(
                membership=membership,
                by=request.user,
                name=form.cleaned_data["name"],
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            refusals = error.messages
    if refusals:
        for refusal in refusals:
            messages.error(request, refusal)
        return redirect("observation:membership_list", pk=access.mission.pk)
    issued = {"membership": membership, "token": token, "key": key}
    return _members_page(request, access, issued=issued)


@require_POST
def membership_invite(request, pk):
    """A leader invites a member by e-mail address (not an observer: they come from the
    delegation). Refused on a locked mission, since it may create an account."""
    access = mission_for(request, pk, action="membership_invite")
    mission = access.mission
    form = MembershipInviteForm(request.POST, mission=mission, prefix="invite")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("observation:membership_list", pk=mission.pk)

    def link_for(user):
        path = reverse(
            "accounts:invitation",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        return request.build_absolute_uri(path)

    try:
        done = services.membership_invite(
            mission=mission,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            by=request.user,
            link_for=link_for,
            user=form.user,
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect("observation:membership_list", pk=mission.pk)


@require_POST
def membership_role(request, pk, membership_pk):
    access = mission_for(request, pk, action="membership_manage")
    membership = get_object_or_404(access.mission.memberships, pk=membership_pk)
    form = MembershipRoleForm(request.POST, instance=membership)
    if not form.is_valid():
        messages.error(request, form.errors["role"][0])
    else:
        try:
            services.membership_save(membership=form.save(commit=False), by=request.user)
        except ValidationError as error:  # one's own role
            messages.error(request, error.messages[0])
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s.")
                % {"user": _name(membership.user), "role": membership.get_role_display()},
            )
    return redirect("observation:membership_list", pk=access.mission.pk)


@require_POST
def membership_remove(request, pk, membership_pk):
    access = mission_for(request, pk, action="membership_manage")
    membership = get_object_or_404(access.mission.memberships, pk=membership_pk)
    try:
        services.membership_delete(membership=membership, by=request.user)
    except ValidationError as error:  # oneself
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("%(user)s was taken off the mission.") % {"user": _name(membership.user)}
        )
    return redirect("observation:membership_list", pk=access.mission.pk)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()
