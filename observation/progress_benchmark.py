"""Benchmark of the reporting progress of a round, on a synthetic election day.

Builds a round of STATIONS stations, each deployed for the four station phases
(one of TEAMS teams per station), with a deadline per phase and REPORTS reports
(opening and voting, some late), then times the progress page's JSON document
through the whole view, beside the same aggregates as one hand-written SQL
query, and removes everything it created.
"""

import datetime
import logging
import random
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from observation.bench import (
    ELECTION_DAY,
    best_of,
    remove_mission,
    synthetic_mission,
    synthetic_teams,
)
from observation.models import (
    Deployment,
    MissionMembership,
    ObserverReport,
    PhaseDeadline,
    PollingStation,
)
from observation.models.deployment import STATION_PHASES

BATCH = 5000
DEPARTMENTS = 25
PROVINCES = 196
# When each phase is due, in hours after midnight (UTC) of election day.
DUE_HOURS = {"opening": 8, "voting": 15, "closing": 18, "counting": 22}


def _on_election_day(hours: float) -> datetime.datetime:
    midnight = datetime.datetime.combine(ELECTION_DAY, datetime.time(), tzinfo=datetime.UTC)
    return midnight + datetime.timedelta(hours=hours)


def build(*, stations: int, teams: int, reports: int, rng: random.Random):
    """The mission, its first round and a user of its staff; remove it with
    `remove_mission`."""
    mission, election_round = synthetic_mission(
        "Progress benchmark",
        country="PE",
        election="Synthetic general elections",
        area_label_1="Department",
        area_label_2="Province",
    )
    members = synthetic_teams(mission, teams, name="Progress benchmark team")
    rows = PollingStation.objects.bulk_create(
        (
            PollingStation(
                mission=mission,
                code=f"{n:06d}",
                name=f"Station {n}",
                area_1=f"Department {n % DEPARTMENTS:02d}",
                area_2=f"Province {n % PROVINCES:03d}",
            )
            for n in range(stations)
        ),
        batch_size=BATCH,
    )
    Deployment.objects.bulk_create(
        (
            Deployment(
                mission=mission,
                round=election_round,
                station=station,
                team=members[n % teams],
                phase=phase,
            )
            for n, station in enumerate(rows)
            for phase in STATION_PHASES
        ),
        batch_size=BATCH,
    )
    PhaseDeadline.objects.bulk_create(
        PhaseDeadline(round=election_round, phase=phase, due_at=_on_election_day(hours))
        for phase, hours in DUE_HOURS.items()
    )
    # Opening and voting reported, most on time, some an hour or two late.
    reported = [(station, phase) for station in rows for phase in ("opening", "voting")]
    ObserverReport.objects.bulk_create(
        (
            ObserverReport(
                mission=mission,
                round=election_round,
                station=station,
                observer=members[n % teams],
                phase=phase,
                entered_at=_on_election_day(DUE_HOURS[phase] + rng.uniform(-2, 1.5)),
            )
            for n, (station, phase) in enumerate(rng.sample(reported, min(reports, len(reported))))
        ),
        batch_size=BATCH,
    )
    user = get_user_model().objects.create_user(username=f"progress-{mission.pk}", password=None)
    MissionMembership.objects.create(mission=mission, user=user, role=MissionMembership.Role.STAFF)
    return mission, election_round, user


def raw_progress(election_round, at) -> list[tuple]:
    """The progress figures (expected, received, late, overdue by phase and department)
    in one query."""
    deployment = Deployment._meta.db_table
    station = PollingStation._meta.db_table
    report = ObserverReport._meta.db_table
    deadline = PhaseDeadline._meta.db_table
    # Table names come from the models; values go through parameters.
    sql = f"""
        SELECT d.phase, s.area_1, COUNT(*), COUNT(f.first_at),
               SUM(CASE WHEN f.first_at > dl.due_at THEN 1 ELSE 0 END),
               SUM(CASE WHEN f.first_at IS NULL AND dl.due_at <= %s THEN 1 ELSE 0 END)
        FROM {deployment} d
        JOIN {station} s ON s.id = d.station_id
        LEFT JOIN (
            SELECT station_id, phase, MIN(entered_at) AS first_at FROM {report}
            WHERE round_id = %s GROUP BY station_id, phase
        ) f ON f.station_id = d.station_id AND f.phase = d.phase
        LEFT JOIN {deadline} dl ON dl.round_id = d.round_id AND dl.phase = d.phase
        WHERE d.round_id = %s
        GROUP BY d.phase, s.area_1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [at, election_round.pk, election_round.pk])
        return cursor.fetchall()


def run(*, stations: int, teams: int, reports: int, repeat: int, write) -> None:
    rng = random.Random(2000)
    started = time.perf_counter()
    mission, election_round, user = build(stations=stations, teams=teams, reports=reports, rng=rng)
    try:
        write(
            f"Reporting progress on {connection.vendor}: {stations:,} stations, {teams} teams, "
            f"{stations * len(STATION_PHASES):,} deployments, {reports:,} reports "
            f"(built in {time.perf_counter() - started:.1f} s); best of {repeat}."
        )
        client = Client()
        client.force_login(user)
        url = reverse("observation:round_progress_json", args=[mission.pk, election_round.pk])

        def ask():
            response = client.get(url, {"level": 1})
            if response.status_code != 200:
                raise RuntimeError(f"The progress document answered {response.status_code}")

        at = _on_election_day(12)
        # The request log would print a line per request among the figures.
        request_log = logging.getLogger("observa.requests")
        level = request_log.level
        request_log.setLevel(logging.WARNING)
        try:
            with override_settings(ALLOWED_HOSTS=["testserver"]):
                view = best_of(repeat, ask)
        finally:
            request_log.setLevel(level)
        raw = best_of(repeat, lambda: raw_progress(election_round, at))
        write(f"  progress JSON (the whole view, by department): {view * 1000:,.0f} ms")
        write(f"  the same aggregates in one raw SQL query: {raw * 1000:,.0f} ms")
        write(f"  ratio progress JSON / raw SQL: {view / raw:.1f}")
    finally:
        remove_mission(mission)
        user.delete()
