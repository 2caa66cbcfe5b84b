from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from observation import services
from observation.access import mission_for
from observation.models import FindingsStatement, Irregularity, Mission, ObserverReport


def home(request):
    missions = Mission.objects.for_user(request.user).select_related("lead_organization")[:10]
    return render(request, "home.html", {"missions": missions})


def mission_list(request):
    missions = (
        Mission.objects.for_user(request.user)
        .select_related("lead_organization")
        .annotate(round_count=Count("rounds", distinct=True))
    )
    return render(request, "observation/mission_list.html", {"missions": missions})


def _reports_by_round_and_phase(mission, rounds):
    """Rows of (round, [count per phase], total) from one grouped query."""
    counts = {
        (row["round"], row["phase"]): row["n"]
        for row in mission.reports.values("round", "phase").annotate(n=Count("id"))
    }
    phases = ObserverReport.Phase.values
    return [
        (
            round_,
            [counts.get((round_.pk, phase), 0) for phase in phases],
            sum(counts.get((round_.pk, phase), 0) for phase in phases),
        )
        for round_ in rounds
    ]


def _counts_by_status(queryset, choices):
    counts = dict(queryset.values_list("status").annotate(n=Count("id")).order_by())
    return [(label, counts.get(value, 0)) for value, label in choices]


def mission_detail(request, pk):
    access = mission_for(request, pk)
    mission = access.mission
    rounds = list(mission.rounds.all())
    context = {
        "access": access,
        "mission": mission,
        "rounds": rounds,
        "delegation": mission.delegation.select_related("person__affiliation"),
        "partners": mission.partnerships.select_related("organization"),
        "phases": ObserverReport.Phase.labels,
        "report_counts": _reports_by_round_and_phase(mission, rounds),
        "irregularity_counts": _counts_by_status(
            mission.irregularities.current(), Irregularity.Status.choices
        ),
        "statement_counts": _counts_by_status(
            mission.statements.all(), FindingsStatement.Status.choices
        ),
        "latest_irregularities": mission.irregularities.current().select_related(
            "category", "station"
        )[:5],
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
    try:
        done = move(mission=mission, by=request.user)
    except ValidationError as error:  # locked or unlocked meanwhile
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect(mission)
