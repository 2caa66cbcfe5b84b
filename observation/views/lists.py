"""A mission's stations, reports and irregularities, filtered and paginated.

The `*_filter` functions build the filtered, ordered queryset that a list page
shows; the exports call the same functions, so that an export holds exactly
the rows of the list across all its pages.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from observation.access import mission_for
from observation.filters import IrregularityFilterSet, ReportFilterSet, StationFilterSet
from observation.models import (
    Answer,
    Deployment,
    Irregularity,
    Mission,
    ObserverReport,
    PollingStation,
)

PAGE_SIZE = 50


def station_filter(request, mission: Mission) -> StationFilterSet:
    # Ordered explicitly: the model's ordering starts with the mission and would join it.
    queryset = PollingStation.objects.filter(mission=mission).order_by("code", "pk")
    return StationFilterSet(request.GET, queryset, mission=mission)


def report_filter(request, mission: Mission, *, with_answers=False) -> ReportFilterSet:
    """The report list's filters; `with_answers` reads the checklist answers with the
    rows (for an export, which has a column per question)."""
    queryset = ObserverReport.objects.filter(mission=mission).select_related(
        "round", "station", "observer__person", "entered_by"
    )
    if with_answers:
        queryset = queryset.prefetch_related("answers")
    return ReportFilterSet(request.GET, queryset, mission=mission)


def irregularity_filter(request, mission: Mission) -> IrregularityFilterSet:
    queryset = Irregularity.objects.filter(mission=mission).select_related(
        "round", "station", "category", "reviewed_by"
    )
    return IrregularityFilterSet(request.GET, queryset, mission=mission)


def _list_page(request, pk, *, build_filter, template_name):
    access = mission_for(request, pk)
    filterset = build_filter(request, access.mission)
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
        build_filter=station_filter,
        template_name="observation/station_list.html",
    )


def report_list(request, pk):
    return _list_page(
        request,
        pk,
        build_filter=report_filter,
        template_name="observation/report_list.html",
    )


def irregularity_list(request, pk):
    return _list_page(
        request,
        pk,
        build_filter=irregularity_filter,
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
