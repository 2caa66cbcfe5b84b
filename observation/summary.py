"""The mission summary: every figure from grouped aggregate queries.

`build_summary` runs a fixed number of queries whatever the size of the
mission; Python only arranges the aggregated rows (in the order of the
choices) and derives chart geometry from them.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from observation.checklist_results import (
    PRINTED_AREA_ROWS,
    alphabetical,
    area_rows,
    checklist_results,
    interval,
    percent,
)
from observation.models import (
    DelegationMember,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    Mission,
    MissionPartner,
    ObserverReport,
    PollingStation,
    Recommendation,
)
from observation.models.reports import category_label

# The summary's one template: on screen, printed, and as a PDF.
TEMPLATE = "observation/mission_summary.html"

# Delegation roles named in the public summary; the others appear as counts only.
PUBLIC_NAMED_ROLES = (
    DelegationMember.Role.LEADER,
    DelegationMember.Role.CO_LEADER,
    DelegationMember.Role.CORE_TEAM,
)

# Irregularities listed one by one (the serious ones); the tables count them all.
DETAIL_LIMIT = 50

Severity = Irregularity.Severity
Assessment = ObserverReport.Assessment
Status = Irregularity.Status


# Fill colours of chart pieces, as SVG attributes so that the PDF renderer needs no CSS.
# Each scale darkens step by step (relative luminance about 87, 68, 43 and 11 %; 85, 62
# and 18 %), so that a summary printed in grey still tells its pieces apart.
COLOURS = {
    Assessment.VERY_GOOD: "#c7e9c0",
    Assessment.GOOD: "#74c476",
    Assessment.BAD: "#e6550d",
    Assessment.VERY_BAD: "#7f0000",
    Severity.MINOR: "#c6dbef",
    Severity.SIGNIFICANT: "#fd8d3c",
    Severity.SERIOUS: "#a50f15",
}


@dataclass(frozen=True)
class Coverage:
    area: str
    listed: int
    visited: int

    @property
    def percent(self):
        """None when no station is listed: there is no share to state."""
        return percent(self.visited, self.listed) if self.listed else None


@dataclass(frozen=True)
class Segment:
    """One coloured piece of a 100 % stacked bar, in percent of the bar."""

    key: str
    label: str
    count: int
    x: float
    width: float

    @property
    def colour(self) -> str:
        return COLOURS[self.key]


def _segments(counts: dict[str, int], choices, whole: int) -> list[Segment]:
    """Pieces of a stacked bar in choice order; a bar of `whole` items fills 100 %."""
    segments, x = [], 0.0
    for value, label in choices:
        width = 100 * counts[value] / whole if whole else 0.0
        segments.append(Segment(key=value, label=label, count=counts[value], x=x, width=width))
        x += width
    return segments


@dataclass(frozen=True)
class PhaseAssessment:
    """Stations observed in one phase of one round, by their assessment.

    A station visited more than once in the phase counts once, with its latest
    assessment (by arrival, then entry); `total` counts the stations observed,
    `unassessed` those whose reports give no assessment.
    """

    phase: str
    label: str
    counts: dict[str, int]
    assessed: int
    unassessed: int
    total: int

    @property
    def by_assessment(self) -> list[int]:
        return [self.counts[value] for value in Assessment.values]

    @property
    def segments(self) -> list[Segment]:
        return _segments(self.counts, Assessment.choices, self.assessed)

    @property
    def bad(self) -> int:
        return self.counts[Assessment.BAD] + self.counts[Assessment.VERY_BAD]

    @property
    def bad_percent(self):
        return percent(self.bad, self.assessed) if self.assessed else None

    @property
    def bad_interval(self):
        return interval(self.bad, self.assessed) if self.assessed else None


@dataclass(frozen=True)
class Headline:
    """A share a press officer quotes, with the count and denominator behind it."""

    sentence: str
    part: int
    whole: int

    @property
    def percent(self):
        return percent(self.part, self.whole)

    @property
    def interval(self):
        return interval(self.part, self.whole)

    @property
    def text(self) -> str:
        low, high = self.interval
        return _(
            "%(sentence)s: %(percent)s %% of %(whole)s (%(part)s); 95 %% interval "
            "%(low)s–%(high)s %%."  # noqa: RUF001 -- a range takes an en dash
        ) % {
            "sentence": self.sentence,
            "percent": formats.number_format(self.percent, 1),
            "whole": formats.number_format(self.whole, force_grouping=True),
            "part": formats.number_format(self.part, force_grouping=True),
            "low": formats.number_format(low, 1),
            "high": formats.number_format(high, 1),
        }


@dataclass(frozen=True)
class RoundHeadlines:
    round: ElectionRound
    headlines: list[Headline]


@dataclass(frozen=True)
class RoundCoverage:
    """Stations visited in one round, overall and by first-level area."""

    round: ElectionRound
    coverage: Coverage
    by_area: list[Coverage]


@dataclass(frozen=True)
class RoundAssessments:
    """The stations' assessments of one round, phase by phase, and by area."""

    round: ElectionRound
    phases: list[PhaseAssessment]
    by_area: list = field(default_factory=list)

    @property
    def area_phases(self) -> list[str]:
        return [ObserverReport.Phase(phase).label for phase in AREA_PHASES]


@dataclass(frozen=True)
class CategoryCount:
    """Irregularities of one category by severity; `unverified` only when asked for."""

    category: str
    verified: dict[str, int]
    verified_total: int
    unverified: dict[str, int]
    unverified_total: int

    @property
    def verified_by_severity(self) -> list[int]:
        return [self.verified[value] for value in Severity.values]


@dataclass(frozen=True)
class OvervoteStation:
    round_id: int
    round: str
    election_day: datetime.date
    code: str
    name: str
    registered_voters: int
    ballots_cast: int
    excess: int
    verified: bool


@dataclass(frozen=True)
class RoundIrregularities:
    """Irregularities of one election day by category; `round` is None for those tied
    to no election day (before it, or national)."""

    round: ElectionRound | None
    categories: list[CategoryCount]
    totals: CategoryCount
    # The same by area of the chosen level; `category` holds the area's name, and
    # national irregularities (at no station) come last, with None.
    by_area: list[CategoryCount] = field(default_factory=list)

    @property
    def bars(self) -> list[tuple[CategoryCount, list[Segment]]]:
        """Verified irregularities per category by severity; the longest bar fills the chart."""
        widest = max((row.verified_total for row in self.categories), default=0)
        return [(row, _segments(row.verified, Severity.choices, widest)) for row in self.categories]


@dataclass
class MissionSummary:
    mission: Mission
    public: bool
    include_unverified: bool
    partners: list[MissionPartner]
    delegation: list[DelegationMember]
    delegation_by_role: list[tuple[str, int]]
    rounds: list[ElectionRound]
    # The mission's administrative levels, and the one (1-based) coverage is shown by.
    levels: list[str]
    level: int
    stations_listed: int
    coverage: list[RoundCoverage]
    assessments: list[RoundAssessments]
    report_count: int
    irregularities: list["RoundIrregularities"]
    serious_irregularities: list[Irregularity]
    more_serious_irregularities: bool
    overvotes: list[OvervoteStation]
    stations_without_voters: int
    statements: list[FindingsStatement]
    recommendations: list[Recommendation]
    generated_on: datetime.date
    # The figures quoted first, for each round observed.
    headlines: list[RoundHeadlines]
    # The same from the stations drawn at random, when the mission drew some.
    sample_size: int
    sample: list[RoundHeadlines]
    # Each checklist question's result by round and area (observation.checklist_results).
    checklist: list

    @property
    def area_label(self) -> str:
        return self.levels[self.level - 1] if self.levels else ""

    @property
    def coverage_by_area(self) -> list[tuple[str, int, list[Coverage]]]:
        """Rows of (area, stations listed, [its coverage in each round])."""
        if not self.coverage:
            return []
        columns = zip(*(round_.by_area for round_ in self.coverage), strict=True)
        return [(cells[0].area, cells[0].listed, list(cells)) for cells in columns]

    @property
    def checklist_area_rows(self) -> int:
        return area_rows(self.checklist)

    @property
    def checklist_area_rows_printed(self) -> bool:
        return self.checklist_area_rows <= PRINTED_AREA_ROWS

    @property
    def severity_legend(self) -> list[tuple[str, str]]:
        return [(label, COLOURS[value]) for value, label in Severity.choices]

    @property
    def assessment_legend(self) -> list[tuple[str, str]]:
        return [(label, COLOURS[value]) for value, label in Assessment.choices]


def _severity_counts(row: dict, prefix: str) -> dict[str, int]:
    return {value: row[f"{prefix}_{value}"] or 0 for value in Severity.values}


def _irregularity_counts() -> dict:
    verified, unverified = Q(status=Status.VERIFIED), Q(status=Status.REPORTED)
    return {
        **{
            f"verified_{value}": Count("pk", filter=verified & Q(severity=value))
            for value in Severity.values
        },
        "verified_total": Count("pk", filter=verified),
        **{
            f"unverified_{value}": Count("pk", filter=unverified & Q(severity=value))
            for value in Severity.values
        },
        "unverified_total": Count("pk", filter=unverified),
    }


def _category_count(row: dict, *, category: str) -> CategoryCount:
    return CategoryCount(
        category=category,
        verified=_severity_counts(row, "verified"),
        verified_total=row["verified_total"] or 0,
        unverified=_severity_counts(row, "unverified"),
        unverified_total=row["unverified_total"] or 0,
    )


def _latest_assessed(reports):
    """Each station's latest assessed report in each round and phase (the last entered):
    a later visit or a correction replaces what an earlier report said."""
    assessed = reports.exclude(assessment="")
    later = assessed.filter(
        station=OuterRef("station"), round=OuterRef("round"), phase=OuterRef("phase")
    ).filter(
        Q(entered_at__gt=OuterRef("entered_at"))
        | Q(entered_at=OuterRef("entered_at"), pk__gt=OuterRef("pk"))
    )
    return assessed.filter(~Exists(later))


# The phases whose assessment the breakdown by area gives.
AREA_PHASES = (ObserverReport.Phase.VOTING, ObserverReport.Phase.COUNTING)


@dataclass(frozen=True)
class AreaAssessment:
    """Stations of one area assessed bad or very bad in one round: for each of
    AREA_PHASES, the share of those assessed, or None where none was."""

    area: str
    figures: list


def _assessments_by_area(reports, rounds, area: str) -> dict:
    """{round pk: [AreaAssessment]} from one grouped query, areas in reading order."""
    bad = Q(assessment__in=[Assessment.BAD, Assessment.VERY_BAD])
    rows = {}
    for row in (
        _latest_assessed(reports)
        .filter(phase__in=AREA_PHASES)
        .values("round", "phase", place=F(f"station__{area}"))
        .annotate(assessed=Count("pk"), bad=Count("pk", filter=bad))
        .order_by()
    ):
        rows.setdefault(row["round"], {}).setdefault(row["place"], {})[row["phase"]] = Headline(
            "", row["bad"], row["assessed"]
        )
    return {
        round_.pk: [
            AreaAssessment(area=place, figures=[phases.get(phase) for phase in AREA_PHASES])
            for place, phases in sorted(
                rows[round_.pk].items(), key=lambda item: (alphabetical(item[0]), item[0])
            )
        ]
        for round_ in rounds
        if round_.pk in rows
    }


def _assessments(reports, rounds) -> list[RoundAssessments]:
    """Each round's stations by phase and assessment, from two grouped queries.

    A station visited more than once in a phase counts once, with the assessment of
    its latest assessed report (the last entered): a later visit or a correction
    replaces what an earlier report said.
    """
    by_assessment = {value: Count("pk", filter=Q(assessment=value)) for value in Assessment.values}
    counted = {
        (row.pop("round"), row.pop("phase")): row
        for row in _latest_assessed(reports)
        .values("round", "phase")
        .annotate(**by_assessment)
        .order_by()
    }
    observed = {
        (row["round"], row["phase"]): row["stations"]
        for row in reports.values("round", "phase")
        .annotate(stations=Count("station", distinct=True))
        .order_by()
    }
    result = []
    for round_ in rounds:
        phases = []
        for value, label in ObserverReport.Phase.choices:
            stations = observed.get((round_.pk, value))
            if not stations:
                continue
            counts = counted.get((round_.pk, value), dict.fromkeys(Assessment.values, 0))
            total_assessed = sum(counts.values())
            phases.append(
                PhaseAssessment(
                    phase=value,
                    label=label,
                    counts=counts,
                    assessed=total_assessed,
                    unassessed=stations - total_assessed,
                    total=stations,
                )
            )
        if phases:
            result.append(RoundAssessments(round=round_, phases=phases))
    return result


def _irregularities(shown, rounds, area: str) -> list[RoundIrregularities]:
    """The shown irregularities by round and category, and by round and area, from three
    grouped queries; the rounds in order, then those tied to no round."""
    counts = _irregularity_counts()
    by_round = {}
    for row in (
        shown.values("round", "category__position", "category__name")
        .annotate(**counts)
        .order_by("category__position", "category__name")
    ):
        by_round.setdefault(row["round"], []).append(
            _category_count(row, category=category_label(row["category__name"]))
        )
    totals = {
        row["round"]: _category_count(row, category="")
        for row in shown.values("round").annotate(**counts).order_by()
    }
    by_area = {}
    for row in shown.values("round", place=F(f"station__{area}")).annotate(**counts).order_by():
        by_area.setdefault(row["round"], []).append(_category_count(row, category=row["place"]))
    for places in by_area.values():
        places.sort(
            key=lambda row: (row.category is None, alphabetical(row.category or ""), row.category)
        )
    return [
        RoundIrregularities(
            round=round_, categories=by_round[key], totals=totals[key], by_area=by_area[key]
        )
        for round_, key in [*((round_, round_.pk) for round_ in rounds), (None, None)]
        if key in by_round
    ]


def _phase_headlines(phases: dict, round_) -> list[Headline]:
    """Voting and counting assessed bad or very bad, of the stations assessed."""
    headlines = []
    for phase, sentence in (
        (ObserverReport.Phase.VOTING, _("Voting assessed bad or very bad")),
        (ObserverReport.Phase.COUNTING, _("Counting assessed bad or very bad")),
    ):
        assessed = phases.get((round_.pk, phase))
        if assessed is not None and assessed.assessed:
            headlines.append(Headline(sentence, assessed.bad, assessed.assessed))
    return headlines


def _by_round_and_phase(assessments) -> dict:
    return {
        (round_.round.pk, phase.phase): phase for round_ in assessments for phase in round_.phases
    }


def _sample_headlines(rounds, overall, assessments) -> list[RoundHeadlines]:
    """For each round: the sample's stations observed, and their assessments."""
    phases = _by_round_and_phase(assessments)
    result = []
    for round_ in rounds:
        observed = overall[f"sample_visited_{round_.pk}"]
        if not observed:
            continue
        headlines = [
            Headline(_("Sample stations observed"), observed, overall["sample_size"]),
            *_phase_headlines(phases, round_),
        ]
        result.append(RoundHeadlines(round=round_, headlines=headlines))
    return result


def _headlines(coverage, assessments, overvotes, serious_stations) -> list[RoundHeadlines]:
    """For each round observed: voting and counting assessed bad or very bad, of the
    stations assessed; stations with a verified overvote and with a verified serious
    irregularity, of the stations observed."""
    phases = _by_round_and_phase(assessments)
    verified_overvotes = {}
    for station in overvotes:
        if station.verified:
            verified_overvotes[station.round_id] = verified_overvotes.get(station.round_id, 0) + 1
    result = []
    for covered in coverage:
        round_, observed = covered.round, covered.coverage.visited
        if not observed:
            continue
        headlines = _phase_headlines(phases, round_)
        headlines.append(
            Headline(
                _("Stations observed with a verified overvote"),
                verified_overvotes.get(round_.pk, 0),
                observed,
            )
        )
        headlines.append(
            Headline(
                _("Stations observed with a verified serious irregularity"),
                serious_stations.get(round_.pk, 0),
                observed,
            )
        )
        result.append(RoundHeadlines(round=round_, headlines=headlines))
    return result


def summary_variant(*, public: bool, include_unverified: bool) -> tuple[str, str]:
    """Which summary a PDF holds, as its file name says it and as its title does: a folder
    of downloads must not mix the press's copy with the members' one, nor the members'
    one with its unverified variant."""
    if public:
        return "public-summary", _("Public summary, PDF")
    if include_unverified:
        return (
            "members-summary-with-unverified",
            _("Members' summary with unverified irregularities, PDF"),
        )
    return "members-summary", _("Members' summary, PDF")


def summary_file_name(mission: Mission, *, public: bool, include_unverified: bool) -> str:
    variant, _title = summary_variant(public=public, include_unverified=include_unverified)
    # Cut so that the longest variant's name fits where a job keeps it (200 characters).
    return f"{slugify(mission.name)[:150]}-{variant}.pdf"


def build_summary(
    *,
    mission: Mission,
    public: bool,
    include_unverified: bool,
    name_observers: bool = True,
    level: int = 1,
) -> MissionSummary:
    """The figures of one mission's summary.

    The public summary holds verified irregularities only, published statements
    and their recommendations, and names only the delegation's leadership; it
    ignores `include_unverified`. Without `name_observers` (a mission that keeps
    observer names for its leaders), the members' summary names only the
    leadership too.
    """
    include_unverified = include_unverified and not public

    partners = list(mission.partnerships.select_related("organization"))

    delegation = mission.delegation.select_related("person__affiliation")
    if public or not name_observers:
        delegation = delegation.filter(role__in=PUBLIC_NAMED_ROLES)
    role_counts = dict(
        mission.delegation.values_list("role").annotate(count=Count("pk")).order_by("role")
    )
    delegation_by_role = [
        (label, role_counts[value])
        for value, label in DelegationMember.Role.choices
        if value in role_counts
    ]

    rounds = list(mission.rounds.annotate(report_count=Count("reports")))
    # Figures are given per round, never pooled: the rounds observed, and any other
    # that has reports.
    covered = [round_ for round_ in rounds if round_.observed or round_.report_count]

    # Semi-joins instead of joining every report, which would need COUNT(DISTINCT).
    stations = PollingStation.objects.filter(mission=mission)
    visited_in = {
        f"visited_{round_.pk}": Count(
            "pk",
            filter=Exists(ObserverReport.objects.filter(station=OuterRef("pk"), round=round_)),
        )
        for round_ in covered
    }
    sampled = Q(in_sample=True)
    overall = stations.aggregate(
        listed=Count("pk"),
        # Overvotes cannot be checked at these: the summary says how many there are.
        without_voters=Count("pk", filter=Q(registered_voters__isnull=True)),
        sample_size=Count("pk", filter=sampled),
        **visited_in,
        **{
            f"sample_{name}": Count("pk", filter=sampled & figure.filter)
            for name, figure in visited_in.items()
        },
    )
    levels = mission.area_labels()
    level = level if 1 <= level <= len(levels) else 1
    area = f"area_{level}"
    by_area = sorted(
        stations.values(area=F(area)).annotate(listed=Count("pk"), **visited_in).order_by(),
        key=lambda row: (alphabetical(row["area"]), row["area"]),
    )
    coverage = [
        RoundCoverage(
            round=round_,
            coverage=Coverage(
                area="", listed=overall["listed"], visited=overall[f"visited_{round_.pk}"]
            ),
            by_area=[
                Coverage(
                    area=row["area"], listed=row["listed"], visited=row[f"visited_{round_.pk}"]
                )
                for row in by_area
            ],
        )
        for round_ in covered
    ]

    reports = ObserverReport.objects.filter(mission=mission)
    report_count = reports.count()
    by_area_assessed = _assessments_by_area(reports, covered, area)
    assessments = [
        RoundAssessments(
            round=day.round, phases=day.phases, by_area=by_area_assessed.get(day.round.pk, [])
        )
        for day in _assessments(reports, covered)
    ]
    standing = Irregularity.objects.filter(mission=mission).current()
    shown_statuses = [Status.VERIFIED, Status.REPORTED] if include_unverified else [Status.VERIFIED]
    shown = standing.filter(status__in=shown_statuses)
    irregularities = _irregularities(shown, rounds, area)
    # Cut short, the list takes every category's first in turn (by station), then their
    # seconds, so that one frequent category does not fill it; it is shown by category.
    # One row past the limit tells whether it is cut short, without a count query.
    serious_irregularities = list(
        shown.filter(severity=Severity.SERIOUS)
        .select_related("category", "station")
        .annotate(
            is_verified=ExpressionWrapper(Q(status=Status.VERIFIED), output_field=BooleanField()),
            turn=Window(
                RowNumber(),
                partition_by=F("category"),
                order_by=[F("station__code").asc(nulls_first=True), F("pk").asc()],
            ),
        )
        .order_by("turn", "category__position", "category__name")[: DETAIL_LIMIT + 1]
    )

    # Overvote detection keeps at most one standing system irregularity per report. A
    # report is listed while that irregularity is shown (verified, or awaiting review when
    # unverified ones are included): a dismissed overvote is not an overvote station.
    standing_overvote = Irregularity.objects.current().filter(
        report=OuterRef("pk"), raised_by_system=True, question=None
    )
    verified_overvote = Exists(standing_overvote.filter(status=Status.VERIFIED))
    overvote_reports = reports.overvotes().filter(
        Exists(standing_overvote.filter(status__in=shown_statuses))
    )
    overvotes = [
        OvervoteStation(
            round_id=row["round"],
            round=ElectionRound.Kind(row["round_kind"]).label,
            election_day=row["election_day"],
            code=row["code"],
            name=row["name"],
            registered_voters=row["registered_voters"],
            ballots_cast=row["most_cast"],
            excess=row["excess"],
            # The figure printed is the largest; it is verified only if a verified
            # overvote reports it, whatever the station's other reports say.
            verified=row["verified_most"] == row["most_cast"],
        )
        for row in overvote_reports.values(
            "round",
            round_kind=F("round__kind"),
            election_day=F("round__election_day"),
            code=F("station__code"),
            name=F("station__name"),
            registered_voters=F("station__registered_voters"),
        )
        .annotate(
            most_cast=Max("ballots_cast"),
            excess=Max("ballots_cast") - F("station__registered_voters"),
            verified_most=Max("ballots_cast", filter=verified_overvote),
        )
        .order_by("election_day", "-excess", "code")
    ]

    serious_stations = dict(
        shown.filter(severity=Severity.SERIOUS, status=Status.VERIFIED, station__isnull=False)
        .values_list("round")
        .annotate(stations=Count("station", distinct=True))
        .order_by()
    )
    headlines = _headlines(coverage, assessments, overvotes, serious_stations)
    sample = []
    if overall["sample_size"]:
        sample = _sample_headlines(
            covered,
            overall,
            _assessments(reports.filter(station__in_sample=True), covered),
        )

    statements = mission.statements.annotate(recommendation_count=Count("recommendations"))
    recommendations = (
        Recommendation.objects.filter(statement__mission=mission)
        .with_follow_up(published=public)
        .select_related("statement")
    )
    if public:
        statements = statements.published()
        recommendations = recommendations.filter(
            statement__status=FindingsStatement.Status.PUBLISHED
        )

    return MissionSummary(
        mission=mission,
        public=public,
        include_unverified=include_unverified,
        partners=partners,
        delegation=list(delegation),
        delegation_by_role=delegation_by_role,
        rounds=rounds,
        levels=levels,
        level=level,
        stations_listed=overall["listed"],
        stations_without_voters=overall["without_voters"],
        coverage=coverage,
        assessments=assessments,
        report_count=report_count,
        irregularities=irregularities,
        serious_irregularities=sorted(
            serious_irregularities[:DETAIL_LIMIT],
            key=lambda irregularity: (
                irregularity.category.position,
                irregularity.category.name,
                irregularity.turn,
            ),
        ),
        more_serious_irregularities=len(serious_irregularities) > DETAIL_LIMIT,
        overvotes=overvotes,
        statements=list(statements.order_by("issued_on", "pk")),
        recommendations=list(
            recommendations.order_by("statement__issued_on", "statement__pk", "pk")
        ),
        generated_on=timezone.localdate(),
        headlines=headlines,
        sample_size=overall["sample_size"],
        sample=sample,
        checklist=checklist_results(mission, rounds=rounds),
    )
