"""Benchmark of the pages the core team watches, idle (`manage.py bench_pages`, part of
`make bench`): the mission's home, the review queue and the report list's first page,
requested one after another through gunicorn by a signed-in reviewer, on PostgreSQL, on a
synthetic mission of 20,000 reports and then of 200,000. Prints each page's p50 and p95
beside the trivial API view's (the stack's floor), and whether the report list reads its
first page from its index (EXPLAIN), then removes everything it built.
"""

import datetime
import random
import tempfile

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from api import bench
from api.models import ApiToken
from observation import filters, services
from observation.bench import BATCH, build_mission, remove_mission
from observation.loadtest import Browser
from observation.models import Irregularity, MissionMembership, ObserverReport

PAGES = (
    ("Mission home", "observation:mission_detail"),
    ("Review queue", "observation:review_queue"),
    ("Report list, page 1", "observation:report_list"),
)
# Reports added at a time on the way to the larger mission.
CHUNK = 20_000


def run(*, sizes: list[int], requests: int, stations: int, write) -> None:
    user = get_user_model().objects.create(username=f"bench-pages-{random.random():.12f}")
    rng = random.Random(1)
    mission = browser = None
    try:
        mission = build_mission(
            stations=stations, reports=sizes[0], irregularities=sizes[0] // 10, user=user, rng=rng
        )
        MissionMembership.objects.create(
            mission=mission, user=user, role=MissionMembership.Role.REVIEWER
        )
        key = ApiToken.issue(
            user=user, name="Benchmark", expires_at=timezone.now() + datetime.timedelta(days=1)
        )[1]
        browser = Browser(user)
        with tempfile.NamedTemporaryFile(prefix="bench-pages-", suffix=".log") as log:
            port = bench.free_port()
            process = bench.start_server(port, 2, log)
            try:
                bench.wait_until_up(port, process)
                write(
                    f"Core-team pages, idle: gunicorn against {connection.vendor}, one "
                    f"request at a time, {requests} of each, as a reviewer."
                )
                stored = sizes[0]
                for size in sizes:
                    _add_reports(mission, size - stored, user, rng)
                    stored = size
                    _measure(mission, browser, key, port, requests=requests, write=write)
            finally:
                process.terminate()
                process.wait(timeout=15)
    finally:
        if browser is not None:
            Session.objects.filter(session_key=browser.session_key).delete()
        if mission is not None:
            remove_mission(mission)
        user.delete()


def _add_reports(mission, count, user, rng) -> None:
    """`count` more reports of the mission's first round, without answers: a larger night."""
    election_round = mission.rounds.filter(observed=True).first()
    stations = list(mission.stations.values_list("pk", "registered_voters"))
    teams = list(mission.delegation.values_list("pk", flat=True))
    phases = ObserverReport.Phase.values
    for start in range(0, count, CHUNK):
        services.report_bulk_create(
            reports=[
                ObserverReport(
                    mission=mission,
                    round=election_round,
                    station_id=stations[n % len(stations)][0],
                    observer_id=rng.choice(teams),
                    phase=phases[n % len(phases)],
                    ballots_cast=rng.randint(0, stations[n % len(stations)][1]),
                )
                for n in range(start, min(start + CHUNK, count))
            ],
            by=user,
            batch_size=BATCH,
        )
    # What autovacuum does after a night of inserts (PostgreSQL 13 and later): the planner's
    # figures brought up to date, and the visibility map that lets counts read indexes only.
    with connection.cursor() as cursor:
        for table in (ObserverReport._meta.db_table, Irregularity._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def _measure(mission, browser, key, port, *, requests, write) -> None:
    reports = mission.reports.count()
    write(f"  {reports:,} reports, {mission.irregularities.count():,} irregularities:")

    def timed(label, path, headers):
        return bench.load(
            port=port,
            seconds=600,
            clients=1,
            max_requests=requests,
            next_request=lambda rng: ("GET", path, None, headers, None),
            label=f"    {label}",
        )

    token = {"Authorization": f"Bearer {key}"}
    bench.print_outcome(write, timed("Trivial API view (the floor)", bench.PING_PATH, token))
    for label, name in PAGES:
        path = reverse(name, args=[mission.pk])
        bench.print_outcome(write, timed(label, path, {"Cookie": browser.cookie}))
    rows = filters.reports(QueryDict(""), mission).qs[:50]
    plan = rows.explain()
    write(
        "    the report list's first page read from its index (report_list_idx): "
        + ("yes" if "report_list_idx" in plan else "NO, the plan:\n" + plan)
    )
