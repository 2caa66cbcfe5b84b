"""Every figure of the summary against independent SQL, on a mission drawn at random:
two observed rounds, stations visited more than once, unassessed reports, overvotes
verified, dismissed and unreviewed, irregularities of every status, some tied to no
round."""

import datetime
import random
from collections import Counter

import pytest
from django.db import connection

from observation.models import Irregularity, IrregularityCategory, ObserverReport, PollingStation
from observation.summary import build_summary
from tests import factories

pytestmark = pytest.mark.django_db

Status = Irregularity.Status
CATEGORIES = ("pre_marked_ballots", "late_opening", "vote_buying", "observers_obstructed")


@pytest.fixture
def drawn(mission, leader):
    rng = random.Random(2000)
    rounds = [
        factories.ElectionRoundFactory(mission=mission),
        factories.ElectionRoundFactory(
            mission=mission, kind="runoff", election_day=datetime.date(2000, 5, 28)
        ),
    ]
    stations = [
        factories.PollingStationFactory(
            mission=mission,
            area_1=rng.choice(["Lima", "Cusco", "Piura", "Áncash"]),
            registered_voters=rng.randrange(100, 300),
            in_sample=rng.random() < 0.3,
        )
        for _ in range(25)
    ]
    start = datetime.datetime(2000, 4, 9, 12, tzinfo=datetime.UTC)
    for minute in range(140):
        factories.ObserverReportFactory(
            mission=mission,
            round=rng.choice(rounds),
            station=rng.choice(stations),
            phase=rng.choice(ObserverReport.Phase.values),
            assessment=rng.choice([*ObserverReport.Assessment.values, ""]),
            ballots_cast=rng.randrange(50, 330),
            entered_at=start + datetime.timedelta(minutes=minute),
            saved_by=leader,
        )
    for overvote in Irregularity.objects.filter(mission=mission, raised_by_system=True):
        move = rng.choice(["verify", "dismiss", "leave"])
        if move == "verify":
            overvote.verify(by=leader)
        elif move == "dismiss":
            overvote.dismiss(by=leader, note="Miscounted.")
    for _ in range(40):
        irregularity = factories.IrregularityFactory(
            mission=mission,
            round=rng.choice([*rounds, None]),
            station=rng.choice([*stations, None]),
            category=factories.category(rng.choice(CATEGORIES)),
            severity=rng.choice(Irregularity.Severity.values),
        )
        move = rng.choice(["verify", "verify", "dismiss", "leave"])
        if move == "verify":
            irregularity.verify(by=leader)
        elif move == "dismiss":
            irregularity.dismiss(by=leader, note="Not seen.")
    return mission


def _rows(sql, *parameters):
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def test_every_figure_matches_independent_sql(drawn):
    report = ObserverReport._meta.db_table
    station = PollingStation._meta.db_table
    irregularity = Irregularity._meta.db_table
    category = IrregularityCategory._meta.db_table
    summary = build_summary(mission=drawn, public=False, include_unverified=False)

    visited = dict(
        _rows(
            f"SELECT round_id, COUNT(DISTINCT station_id) FROM {report} "
            "WHERE mission_id = %s GROUP BY round_id",
            drawn.pk,
        )
    )
    assert {c.round.pk: c.coverage.visited for c in summary.coverage} == visited
    sampled = _rows(
        f"SELECT COUNT(*) FROM {station} WHERE mission_id = %s AND in_sample", drawn.pk
    )[0][0]
    assert summary.sample_size == sampled

    observed = {
        (round_id, phase): stations
        for round_id, phase, stations in _rows(
            f"SELECT round_id, phase, COUNT(DISTINCT station_id) FROM {report} "
            "WHERE mission_id = %s GROUP BY round_id, phase",
            drawn.pk,
        )
    }
    latest = Counter()
    for round_id, phase, assessment, count in _rows(
        f"""SELECT round_id, phase, assessment, COUNT(*) FROM (
              SELECT round_id, phase, assessment, ROW_NUMBER() OVER (
                PARTITION BY station_id, round_id, phase ORDER BY entered_at DESC, id DESC
              ) AS turn
              FROM {report} WHERE mission_id = %s AND assessment <> ''
            ) latest WHERE turn = 1 GROUP BY round_id, phase, assessment""",
        drawn.pk,
    ):
        latest[(round_id, phase, assessment)] = count
    for day in summary.assessments:
        for phase in day.phases:
            key = (day.round.pk, phase.phase)
            assert phase.total == observed[key]
            assert phase.counts == {
                value: latest[(*key, value)] for value in ObserverReport.Assessment.values
            }
            assert phase.unassessed == observed[key] - sum(phase.counts.values())
    assert sum(len(day.phases) for day in summary.assessments) == len(observed)

    counted = Counter()
    for round_id, name, severity, count in _rows(
        f"SELECT i.round_id, c.name, i.severity, COUNT(*) FROM {irregularity} i "
        f"JOIN {category} c ON c.id = i.category_id "
        "WHERE i.mission_id = %s AND i.status = %s AND i.superseded_at IS NULL "
        "GROUP BY i.round_id, c.name, i.severity",
        drawn.pk,
        Status.VERIFIED,
    ):
        counted[(round_id, str(IrregularityCategory(name=name)), severity)] = count
    shown = Counter()
    for day in summary.irregularities:
        for row in day.categories:
            for severity, count in row.verified.items():
                if count:
                    shown[(day.round and day.round.pk, row.category, severity)] = count
    assert shown == counted

    overvotes = {
        (round_id, code): (most, most - voters)
        for round_id, code, voters, most in _rows(
            f"SELECT r.round_id, s.code, s.registered_voters, MAX(r.ballots_cast) "
            f"FROM {report} r JOIN {station} s ON s.id = r.station_id "
            f"JOIN {irregularity} i ON i.report_id = r.id AND i.raised_by_system "
            "AND i.question_id IS NULL AND i.status = %s AND i.superseded_at IS NULL "
            "WHERE r.mission_id = %s GROUP BY r.round_id, s.code, s.registered_voters",
            Status.VERIFIED,
            drawn.pk,
        )
    }
    assert {
        (listed.round_id, listed.code): (listed.ballots_cast, listed.excess)
        for listed in summary.overvotes
    } == overvotes
    assert overvotes, "the drawn mission has verified overvotes"
