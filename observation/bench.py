"""Benchmark of the mission summary on a synthetic mission in the configured database.

Builds the mission with bulk inserts (overvotes go through the real overvote
detection; every report answers a 40-question checklist of its phase), times
the summary as HTML and PDF against the same aggregates in one hand-written SQL
query, then removes everything it created.
"""

import datetime
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from observation import services
from observation.checklist_results import checklist_results
from observation.models import (
    Answer,
    Checklist,
    DelegationMember,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    Mission,
    ObserverReport,
    Organization,
    Person,
    PollingStation,
    Question,
    QuestionType,
    Recommendation,
)
from observation.models.checklists import YES_NO_CHOICES
from observation.printing import (
    forget_kept,
    pdf_response,
    render_document,
    render_pdf,
    write_pdf,
)
from observation.summary import TEMPLATE, build_summary

Assessment = ObserverReport.Assessment
Status = Irregularity.Status

BATCH = 2000
# The first round of every synthetic mission.
ELECTION_DAY = datetime.date(2000, 4, 9)
AREAS = 25
OBSERVERS = 60
# A checklist per phase of this many yes/no questions, "no" a concern in one answer in ten.
QUESTIONS_PER_PHASE = 40
CONCERN_RATE = 0.1
# Roughly one report in a hundred counts more ballots than registered voters.
OVERVOTE_RATE = 0.01


@dataclass(frozen=True)
class Timing:
    label: str
    seconds: float


def kept_pdf(request, context, kept_as):
    return pdf_response(
        request=request, template_name=TEMPLATE, context=context, filename="", kept_as=kept_as
    )


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def synthetic_mission(name: str, **facts) -> tuple[Mission, ElectionRound]:
    """An active mission of the benchmarks' organisation, named `name` and a random suffix,
    and its observed first round of 9 April 2000; remove it with `remove_mission`."""
    organization, _ = Organization.objects.get_or_create(
        name="Observa benchmark", defaults={"kind": Organization.Kind.OBSERVER_GROUP}
    )
    mission = Mission.objects.create(
        name=f"{name} {uuid.uuid4().hex[:8]}",
        kind=Mission.Kind.FULL,
        status=Mission.Status.ACTIVE,
        lead_organization=organization,
        start_date=datetime.date(2000, 3, 1),
        end_date=datetime.date(2000, 7, 31),
        **facts,
    )
    first = ElectionRound.objects.create(
        mission=mission, kind=ElectionRound.Kind.FIRST_ROUND, election_day=ELECTION_DAY
    )
    return mission, first


def synthetic_teams(mission: Mission, count: int, *, name: str) -> list[DelegationMember]:
    """`count` short-term observer teams of the mission, each a person named `name` and
    a number; remove_mission deletes the people with it."""
    people = Person.objects.bulk_create(Person(full_name=f"{name} {n}") for n in range(count))
    return DelegationMember.objects.bulk_create(
        DelegationMember(
            mission=mission, person=person, role=DelegationMember.Role.SHORT_TERM_OBSERVER
        )
        for person in people
    )


def build_mission(*, stations: int, reports: int, irregularities: int, user, rng) -> Mission:
    """A synthetic mission of the given size. Returns it; remove it with `remove_mission`."""
    mission, first = synthetic_mission(
        "Benchmark mission",
        country="PE",
        election="Synthetic general elections",
        area_label_1="Department",
    )
    ElectionRound.objects.create(
        mission=mission,
        kind=ElectionRound.Kind.RUNOFF,
        election_day=datetime.date(2000, 5, 28),
        observed=False,
        not_observed_reason="Fundamental flaws were not rectified.",
    )
    people = Person.objects.bulk_create(
        Person(full_name=f"Benchmark observer {n}", title="Observer") for n in range(OBSERVERS)
    )
    observers = DelegationMember.objects.bulk_create(
        DelegationMember(
            mission=mission,
            person=person,
            role=DelegationMember.Role.LEADER
            if n == 0
            else DelegationMember.Role.SHORT_TERM_OBSERVER,
        )
        for n, person in enumerate(people)
    )
    station_rows = PollingStation.objects.bulk_create(
        (
            PollingStation(
                mission=mission,
                code=f"{n:06d}",
                name=f"Station {n}",
                area_1=f"Department {n % AREAS:02d}",
                registered_voters=rng.randint(200, 600),
            )
            for n in range(stations)
        ),
        batch_size=BATCH,
    )
    phases = ObserverReport.Phase.values
    assessments = [*Assessment.values, ""]
    report_rows = []
    for n in range(reports):
        station = station_rows[n % stations]
        registered = station.registered_voters
        overvote = rng.random() < OVERVOTE_RATE
        report_rows.append(
            ObserverReport(
                mission=mission,
                round=first,
                station=station,
                observer=rng.choice(observers),
                phase=phases[n % len(phases)],
                assessment=rng.choices(assessments, weights=[30, 45, 15, 5, 5])[0],
                ballots_cast=registered + rng.randint(1, 80)
                if overvote
                else rng.randint(registered // 3, registered),
            )
        )
    report_rows = services.report_bulk_create(reports=report_rows, by=user, batch_size=BATCH)
    _answer_checklists(mission, report_rows, rng)
    raised = Irregularity.objects.filter(mission=mission)
    raised.filter(pk__in=list(raised.values_list("pk", flat=True)[::2])).update(
        status=Status.VERIFIED, reviewed_by=user, reviewed_at=timezone.now()
    )

    categories = list(IrregularityCategory.objects.hand_logged())
    now = timezone.now()
    irregularity_rows = []
    for _ in range(max(irregularities - raised.count(), 0)):
        report = rng.choice(report_rows)
        status = rng.choices(Status.values, weights=[30, 60, 10])[0]
        reviewed = status != Status.REPORTED
        irregularity_rows.append(
            Irregularity(
                mission=mission,
                round=first,
                station_id=report.station_id,
                report=report,
                category=rng.choice(categories),
                severity=rng.choice(Irregularity.Severity.values),
                evidence=rng.choice(Irregularity.Evidence.values),
                description="Synthetic irregularity for the benchmark.",
                status=status,
                reviewed_by=user if reviewed else None,
                reviewed_at=now if reviewed else None,
                review_note="Checked." if reviewed else "",
            )
        )
    Irregularity.objects.bulk_create(irregularity_rows, batch_size=BATCH)

    statements = FindingsStatement.objects.bulk_create(
        FindingsStatement(
            mission=mission,
            kind=kind,
            title=f"Benchmark {kind}",
            issued_on=datetime.date(2000, 4, 10) + datetime.timedelta(days=n),
        )
        for n, kind in enumerate(FindingsStatement.Kind.values)
    )
    Recommendation.objects.bulk_create(
        Recommendation(
            statement=statement,
            addressee=rng.choice(Recommendation.Addressee.values),
            text="Synthetic recommendation.",
        )
        for statement in statements
        for _ in range(4)
    )
    return mission


def _answer_checklists(mission: Mission, reports, rng) -> None:
    """A checklist per phase, and every report's answers to its phase's questions."""
    questions = {}
    for phase in ObserverReport.Phase.values:
        checklist = Checklist.objects.create(mission=mission, phase=phase, title=phase)
        questions[phase] = Question.objects.bulk_create(
            Question(
                mission=mission,
                checklist=checklist,
                position=n,
                code=f"{phase}_{n:02d}",
                type=QuestionType.YES_NO,
                labels={"en": f"{phase} question {n}"},
                choices=YES_NO_CHOICES,
                concern=["no"],
            )
            for n in range(QUESTIONS_PER_PHASE)
        )
    answers = []
    for report in reports:
        for question in questions[report.phase]:
            concern = rng.random() < CONCERN_RATE
            answers.append(
                Answer(
                    report=report,
                    question=question,
                    value="no" if concern else "yes",
                    concern=concern,
                )
            )
            if len(answers) == BATCH:
                Answer.objects.bulk_create(answers)
                answers = []
    Answer.objects.bulk_create(answers)


def remove_mission(mission: Mission) -> None:
    """Delete the synthetic mission, children first: reports and irregularities protect it."""
    # No history rows for deleting what only the benchmark ever saw.
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        Irregularity.objects.filter(mission=mission).delete()
        FindingsStatement.objects.filter(mission=mission).delete()
        ObserverReport.objects.filter(mission=mission).delete()
        people = list(mission.delegation.values_list("person_id", flat=True))
        pk = mission.pk
        mission.delete()
        # The history its records' creation left (their deletion here leaves none).
        Mission.history.filter(id=pk).delete()
        for model in apps.get_app_config("observation").get_models():
            if hasattr(model, "history") and any(f.name == "mission" for f in model._meta.fields):
                model.history.filter(mission_id=pk).delete()
        Person.objects.filter(pk__in=people).delete()


def raw_aggregates(mission: Mission) -> list[tuple]:
    """The summary's figures (coverage, assessments, irregularities, overvotes) in one query."""
    station = PollingStation._meta.db_table
    report = ObserverReport._meta.db_table
    irregularity = Irregularity._meta.db_table
    category = IrregularityCategory._meta.db_table
    answer = Answer._meta.db_table
    # Table names come from the models; values go through parameters.
    sql = f"""
        SELECT 'coverage', s.area_1, NULL, COUNT(DISTINCT s.id), COUNT(DISTINCT r.station_id)
        FROM {station} s LEFT JOIN {report} r ON r.station_id = s.id
        WHERE s.mission_id = %s GROUP BY s.area_1
        UNION ALL
        SELECT 'assessment', r.phase, r.assessment, COUNT(*), NULL
        FROM {report} r WHERE r.mission_id = %s GROUP BY r.phase, r.assessment
        UNION ALL
        SELECT 'irregularity', c.name, i.severity, COUNT(*), NULL
        FROM {irregularity} i JOIN {category} c ON c.id = i.category_id
        WHERE i.mission_id = %s AND i.status = %s AND i.superseded_at IS NULL
        GROUP BY c.name, i.severity
        UNION ALL
        SELECT 'overvote', s.code, NULL, s.registered_voters, MAX(r.ballots_cast)
        FROM {report} r JOIN {station} s ON s.id = r.station_id
        WHERE r.mission_id = %s AND r.ballots_cast > s.registered_voters
        GROUP BY s.code, s.registered_voters
        UNION ALL
        SELECT 'checklist', CAST(a.question_id AS TEXT), CAST(r.round_id AS TEXT),
               COUNT(DISTINCT r.station_id),
               COUNT(DISTINCT CASE WHEN a.concern THEN r.station_id END)
        FROM {answer} a JOIN {report} r ON r.id = a.report_id
        WHERE r.mission_id = %s GROUP BY a.question_id, r.round_id
        UNION ALL
        SELECT 'checklist by area', CAST(a.question_id AS TEXT), s.area_1,
               COUNT(DISTINCT r.station_id),
               COUNT(DISTINCT CASE WHEN a.concern THEN r.station_id END)
        FROM {answer} a JOIN {report} r ON r.id = a.report_id
        JOIN {station} s ON s.id = r.station_id
        WHERE r.mission_id = %s GROUP BY a.question_id, r.round_id, s.area_1
    """
    parameters = [mission.pk] * 3 + [Status.VERIFIED] + [mission.pk] * 3
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def run(*, stations: int, reports: int, irregularities: int, repeat: int, write) -> list[Timing]:
    """Build, time, report through `write` (one line at a time), clean up."""
    rng = random.Random(2000)
    user = get_user_model().objects.create(username=f"benchmark-{uuid.uuid4().hex[:8]}")
    start = time.perf_counter()
    mission = build_mission(
        stations=stations, reports=reports, irregularities=irregularities, user=user, rng=rng
    )
    write(
        f"Built {mission.name} on {connection.vendor} in {time.perf_counter() - start:.1f} s: "
        f"{mission.stations.count()} stations, {mission.reports.count()} reports, "
        f"{mission.irregularities.count()} irregularities "
        f"({mission.reports.overvotes().count()} overvote reports), "
        f"{Answer.objects.filter(report__mission=mission).count()} checklist answers "
        f"({QUESTIONS_PER_PHASE} questions per phase)."
    )
    kept_as = f"bench-summary-{mission.pk}"
    try:
        # The request is made up: let its host through the host check.
        with override_settings(ALLOWED_HOSTS=["testserver"]):
            request = RequestFactory().get(
                reverse("observation:mission_summary", args=[mission.pk])
            )
            request.user = user

            def summary():
                return build_summary(mission=mission, public=False, include_unverified=True)

            def context():
                return {"mission": mission, "summary": summary()}

            ready = context()
            # Laid out once here; then each reader's request counts the figures, lays out
            # the HTML and finds the PDF kept (the public findings site's).
            kept_pdf(request, ready, kept_as)
            pages = len(
                render_document(request=request, template_name=TEMPLATE, context=ready).pages
            )
            timings = [
                Timing("summary aggregates (ORM)", best_of(repeat, summary)),
                Timing(
                    "of which checklist results",
                    best_of(repeat, lambda: checklist_results(mission)),
                ),
                Timing(
                    "summary HTML",
                    best_of(repeat, lambda: render_to_string(TEMPLATE, context(), request)),
                ),
                Timing(
                    "summary PDF",
                    best_of(
                        repeat,
                        lambda: render_pdf(
                            request=request, template_name=TEMPLATE, context=context()
                        ),
                    ),
                ),
                Timing(
                    "of which laying out and writing the PDF",
                    best_of(
                        repeat,
                        lambda: write_pdf(
                            render_document(request=request, template_name=TEMPLATE, context=ready)
                        ),
                    ),
                ),
                Timing(
                    "summary PDF, kept as the public one is",
                    best_of(repeat, lambda: kept_pdf(request, context(), kept_as)),
                ),
                Timing(
                    "same aggregates, one raw SQL query",
                    best_of(repeat, lambda: raw_aggregates(mission)),
                ),
            ]
    finally:
        forget_kept(kept_as)
        remove_mission(mission)
        user.delete()
    raw = timings[-1].seconds
    for timing in timings:
        write(f"{timing.label:<40} {timing.seconds * 1000:9.1f} ms")
    write(f"{'ratio summary aggregates / raw SQL':<40} {timings[0].seconds / raw:9.1f}")
    write(f"{'ratio summary HTML / raw SQL':<40} {timings[2].seconds / raw:9.1f}")
    write(f"{'PDF pages':<40} {pages:9d}")
    write(f"{'PDF pages per second (laid out, written)':<40} {pages / timings[4].seconds:9.1f}")
    return timings
