"""A mission's stations, reports and irregularities, filtered and paginated.

The list pages and their exports build their rows with the same functions of
observation.filters, so that an export holds exactly the rows of the list across
all its pages.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from observation import filters
from observation.access import mission_for
from observation.models import (
    Answer,
    Deployment,
    Irregularity,
    ObserverReport,
    PollingStation,
)

PAGE_SIZE = 50


def _list_page(request, pk, *, build_filter, template_name):
    access = mission_for(request, pk)
    filterset = build_filter(request.GET, access.mission)
    # An invalid filter would simply be left out of the query: rather than every row,
    # the page shows the form's errors and no rows.
    rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "mission": access.mission,
        "filterset": filterset,
        "page": page,
        "area_labels": access.mission.area_labels(),
    }
    return render(request, template_name, context)


def station_list(request, pk):
    return _list_page(
        request,
        pk,
        build_filter=filters.stations,
        template_name="observation/station_list.html",
    )


def report_list(request, pk):
    return _list_page(
        request,
        pk,
        build_filter=filters.reports,
        template_name="observation/report_list.html",
    )


def irregularity_list(request, pk):
    return _list_page(
        request,
        pk,
        build_filter=filters.irregularities,
        template_name="observation/irregularity_list.html",
    )


def station_detail(request, pk, station_pk):
    """Everything known about one station, round by round: the teams deployed there, its
    reports with the concerns their answers raised, and its irregularities. Its queries do
    not grow with its records."""
    access = mission_for(request, pk)
    mission = access.mission
    station = get_object_or_404(PollingStation, mission=mission, pk=station_pk)
    concerns = Prefetch(
        "answers",
        queryset=Answer.objects.filter(concern=True).select_related("question__checklist"),
        to_attr="concerns",
    )
    reports = (
        ObserverReport.objects.filter(station=station)
        .select_related("round", "observer__person")
        .prefetch_related(concerns)
        .order_by("round__election_day", "round__pk", "entered_at", "pk")
    )
    irregularities = (
        Irregularity.objects.filter(station=station)
        .select_related("round", "category")
        .order_by("round__election_day", "round__pk", "created_at", "pk")
    )
    # Each team's phases in the order of the day.
    day = {phase: n for n, phase in enumerate(ObserverReport.Phase.values)}
    deployments = sorted(
        Deployment.objects.filter(station=station).select_related("round", "team__person"),
        key=lambda deployment: (
            deployment.team.person.full_name,
            deployment.team.pk,
            day[deployment.phase],
        ),
    )
    rounds = {}

    def of(election_round):
        return rounds.setdefault(
            election_round, {"deployed": {}, "reports": [], "irregularities": []}
        )

    for deployment in deployments:
        of(deployment.round)["deployed"].setdefault(deployment.team, []).append(
            deployment.get_phase_display()
        )
    for report in reports:
        of(report.round)["reports"].append(report)
    for irregularity in irregularities:
        of(irregularity.round)["irregularities"].append(irregularity)
    teams = sorted({str(report.observer.person) for report in reports if report.observer_id})
    context = {
        "access": access,
        "mission": mission,
        "station": station,
        "rounds": sorted(rounds.items(), key=lambda item: (item[0].election_day, item[0].pk)),
        "teams": teams,
    }
    return render(request, "observation/station_detail.html", context)
