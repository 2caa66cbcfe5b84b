"""Reporting progress of a round: reports expected by the deployment plan against those
received, by phase and by area, with those late or overdue by each phase's deadline.

Every figure comes from one aggregate query over the round's deployments joined to their
reports, whatever the number of stations, teams and areas; the missing deployments
listed are a second one.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observation.models import Deployment, ElectionRound, ObserverReport, PhaseDeadline

# The missing deployments a page lists; the count says how many there are in all.
MAX_MISSING_LISTED = 200


@dataclass
class Figures:
    """Reports of one phase (in one area): expected, received, received after the
    deadline (late), and not received once the deadline passed (overdue)."""

    expected: int = 0
    received: int = 0
    late: int = 0
    overdue: int = 0

    @property
    def missing(self) -> int:
        return self.expected - self.received

    @property
    def percent(self) -> int:
        return round(100 * self.received / self.expected) if self.expected else 0

    def add(self, other: "Figures") -> None:
        self.expected += other.expected
        self.received += other.received
        self.late += other.late
        self.overdue += other.overdue

    def as_dict(self) -> dict:
        return {
            "expected": self.expected,
            "received": self.received,
            "missing": self.missing,
            "late": self.late,
            "overdue": self.overdue,
            "percent": self.percent,
        }


@dataclass
class Progress:
    round: ElectionRound
    level: int | None
    at: datetime.datetime
    deadlines: dict[str, datetime.datetime]
    phases: list[str]
    totals: dict[str, Figures] = field(default_factory=dict)
    # (area, {phase: Figures}), areas in order; empty without a level.
    areas: list[tuple[str, dict[str, Figures]]] = field(default_factory=list)

    def phase_rows(self) -> list[tuple[str, str, Figures, datetime.datetime | None]]:
        """(phase, its label, its figures, its deadline) in the order of the day."""
        return [
            (
                phase,
                ObserverReport.Phase(phase).label,
                self.totals[phase],
                self.deadlines.get(phase),
            )
            for phase in self.phases
        ]

    def area_rows(self) -> list[tuple[str, list[tuple[str, Figures]]]]:
        return [
            (area, [(phase, phases[phase]) for phase in self.phases]) for area, phases in self.areas
        ]

    def cells(self) -> dict[str, int]:
        """Every figure by a key the page marks its cells with ("total:voting:received",
        "area:Lima:voting:received"), for the page's script to update them."""
        cells = {}
        for phase, figures in self.totals.items():
            for name, value in figures.as_dict().items():
                cells[f"total:{phase}:{name}"] = value
        for area, phases in self.areas:
            for phase, figures in phases.items():
                for name, value in figures.as_dict().items():
                    cells[f"area:{area}:{phase}:{name}"] = value
        return cells


def _reports_of_the_deployment() -> FilteredRelation:
    """The reports of a deployment's station, round and phase, joined to it: a deployment
    with several reports comes back once for each, so every count is of distinct ones."""
    return FilteredRelation(
        "station__reports",
        condition=Q(station__reports__round=F("round"), station__reports__phase=F("phase")),
    )


def round_progress(election_round: ElectionRound, *, level: int | None = None, at=None):
    """The round's progress, by phase and, with a `level`, by the areas of that level."""
    at = at or timezone.now()
    deadlines = dict(
        PhaseDeadline.objects.filter(round=election_round).values_list("phase", "due_at")
    )
    # A deployment is on time with a report by its deadline; late, received without one;
    # overdue, without any report once the deadline passed.
    on_time, passed = Q(pk__in=[]), Q(pk__in=[])
    for phase, due_at in deadlines.items():
        on_time |= Q(phase=phase, got__entered_at__lte=due_at)
        if due_at <= at:
            passed |= Q(phase=phase)
    received = Q(got__isnull=False)
    area = F(f"station__area_{level}") if level else Value("")
    rows = (
        Deployment.objects.filter(round=election_round)
        .annotate(got=_reports_of_the_deployment())
        .values("phase", area_name=area)
        .annotate(
            expected=Count("pk", distinct=True),
            received=Count("pk", distinct=True, filter=received),
            on_time=Count("pk", distinct=True, filter=on_time),
            passed=Count("pk", distinct=True, filter=passed),
            passed_received=Count("pk", distinct=True, filter=passed & received),
        )
        .order_by()
    )
    order = {phase: n for n, phase in enumerate(ObserverReport.Phase.values)}
    figures = {}
    for row in rows:
        # Only a phase with a deadline has late reports.
        late = row["received"] - row["on_time"] if row["phase"] in deadlines else 0
        overdue = row["passed"] - row["passed_received"]
        figures[(row["area_name"], row["phase"])] = Figures(
            row["expected"], row["received"], late, overdue
        )
    phases = sorted({phase for _area, phase in figures}, key=order.__getitem__)
    progress = Progress(
        round=election_round, level=level, at=at, deadlines=deadlines, phases=phases
    )
    progress.totals = {phase: Figures() for phase in phases}
    by_area = {}
    for (area_name, phase), found in figures.items():
        progress.totals[phase].add(found)
        by_area.setdefault(area_name, {p: Figures() for p in phases})[phase] = found
    if level:
        progress.areas = sorted(by_area.items(), key=lambda item: item[0].casefold())
    return progress


def missing(election_round: ElectionRound, *, limit=MAX_MISSING_LISTED):
    """The round's deployments without a report yet, the earliest due first, and how many
    there are in all."""
    reports = ObserverReport.objects.filter(
        round=OuterRef("round"), station=OuterRef("station"), phase=OuterRef("phase")
    )
    deployments = Deployment.objects.filter(~Exists(reports), round=election_round)
    due = PhaseDeadline.objects.filter(round=OuterRef("round"), phase=OuterRef("phase"))
    listed = (
        deployments.select_related("station", "team__person")
        .annotate(due_at=Subquery(due.values("due_at")))
        .order_by(F("due_at").asc(nulls_last=True), "station__code", "phase")[:limit]
    )
    return list(listed), deployments.count()


# How the map colours a station: its reports of the round against its deployment, or
# the worst assessment its reports of the round gave. (key, label, colour)
STATUS_LEGEND = [
    ("complete", _("Every expected report in"), "#198754"),
    ("partial", _("Some reports in"), "#fd7e14"),
    ("none", _("No report yet"), "#dc3545"),
    ("not_deployed", _("No team deployed"), "#6c757d"),
]
ASSESSMENT_LEGEND = [
    ("very_bad", _("Very bad"), "#dc3545"),
    ("bad", _("Bad"), "#fd7e14"),
    ("good", _("Good"), "#20c997"),
    ("very_good", _("Very good"), "#198754"),
    ("", _("No assessment"), "#6c757d"),
]
# Worst first: the assessment a station shows is the worst of its reports'.
_WORST = {key: n for n, (key, _label, _colour) in enumerate(ASSESSMENT_LEGEND[:-1])}


@dataclass
class StationMap:
    by: str
    legend: list
    # (pk, latitude, longitude, code, name, legend key) of each station with coordinates
    stations: list
    without_coordinates: int


def _worst_assessments(election_round):
    """The legend key of each station: the worst assessment of its reports in the round."""
    worst = {}
    reports = ObserverReport.objects.filter(round=election_round).exclude(assessment="")
    for station_pk, assessment in reports.values_list("station", "assessment"):
        if _WORST[assessment] < _WORST.get(worst.get(station_pk), len(_WORST)):
            worst[station_pk] = assessment
    return lambda pk: worst.get(pk, "")


def _reporting_status(election_round):
    """The legend key of each station: its reports of the round against its deployment."""
    counts = {
        row["station"]: (row["expected"], row["received"])
        for row in Deployment.objects.filter(round=election_round)
        .annotate(got=_reports_of_the_deployment())
        .values("station")
        .annotate(
            expected=Count("pk", distinct=True),
            received=Count("pk", distinct=True, filter=Q(got__isnull=False)),
        )
        .order_by()
    }

    def status(pk):
        expected, received = counts.get(pk, (0, 0))
        if not expected:
            return "not_deployed"
        return "complete" if received == expected else "partial" if received else "none"

    return status


def station_map(election_round: ElectionRound, *, by: str = "status") -> StationMap:
    """The mission's stations with their coordinates, each with its colour's key for the
    round; those without coordinates are counted. Three queries, whatever the size."""
    if by == "assessment":
        legend, key_of = ASSESSMENT_LEGEND, _worst_assessments(election_round)
    else:
        legend, key_of = STATUS_LEGEND, _reporting_status(election_round)
    stations = election_round.mission.stations
    located = stations.filter(latitude__isnull=False).order_by("code")
    return StationMap(
        by=by,
        legend=legend,
        stations=[
            (pk, float(latitude), float(longitude), code, name, key_of(pk))
            for pk, latitude, longitude, code, name in located.values_list(
                "pk", "latitude", "longitude", "code", "name"
            )
        ],
        without_coordinates=stations.filter(latitude__isnull=True).count(),
    )
