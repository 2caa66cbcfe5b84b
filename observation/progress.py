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


def missing(election_round: ElectionRound, *, phase: str = "", limit=MAX_MISSING_LISTED):
    """The round's deployments without a report yet, the earliest due first, and how many
    there are in all."""
    reports = ObserverReport.objects.filter(
        round=OuterRef("round"), station=OuterRef("station"), phase=OuterRef("phase")
    )
    deployments = Deployment.objects.filter(~Exists(reports), round=election_round)
    if phase:
        deployments = deployments.filter(phase=phase)
    due = PhaseDeadline.objects.filter(round=OuterRef("round"), phase=OuterRef("phase"))
    listed = (
        deployments.select_related("station", "team__person")
        .annotate(due_at=Subquery(due.values("due_at")))
        .order_by(F("due_at").asc(nulls_last=True), "station__code", "phase")[:limit]
    )
    return list(listed), deployments.count()
