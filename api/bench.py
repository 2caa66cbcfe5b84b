"""Benchmark of field intake through the API, on PostgreSQL, as a server takes it.

Starts gunicorn (sync workers) on a free port of 127.0.0.1 against the configured
database, then a bounded load generator of our own (threads and http.client, a fixed
time and a cap on requests) in this process:

1. the ceiling: a trivial API view behind the same stack (middleware, token
   authentication, throttling), answering {"ok": true};
2. intake: complete reports (times, figures, answers to a checklist, sometimes an
   irregularity) from many teams, each with its own token; a share of them sent twice,
   as a phone that lost the answer would, which must store nothing new;
3. the floor's other side: the same rows inserted one report at a time with plain SQL
   on one connection.

Then it checks that the reports stored are exactly those acknowledged (nothing lost,
nothing doubled), and removes everything it created.
"""

import datetime
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from api.models import ApiToken
from observation.bench import ELECTION_DAY, remove_mission, synthetic_mission, synthetic_teams
from observation.models import (
    Answer,
    Checklist,
    ElectionRound,
    IrregularityCategory,
    Mission,
    MissionMembership,
    ObserverReport,
    PollingStation,
    Question,
    QuestionType,
)
from observation.models.checklists import YES_NO_CHOICES

PING_PATH = "/api/bench/ping/"
PHASES = ["opening", "voting", "closing", "counting"]
QUESTIONS = 20
IRREGULARITY_RATE = 0.05
# The issue's yardstick: a whole election day of reports, as many as Poland's
# parliamentary elections of 15 October 2023 would bring in.
ELECTION_DAY_REPORTS = 22_365


@dataclass
class Outcome:
    label: str
    seconds: float
    latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    failures: int = 0
    acknowledged: set = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.latencies)

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    @property
    def errors(self) -> int:
        expected = {200, 201}
        return self.failures + sum(n for code, n in self.statuses.items() if code not in expected)


@dataclass
class Setup:
    mission: Mission
    round: ElectionRound
    stations: list
    keys: list
    users: list
    questions: list
    # A category code for the reports that log an irregularity, if any is seeded.
    category: str | None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build(*, stations: int, teams: int) -> Setup:
    """A mission with stations, a checklist, and one observer with a token per team."""
    mission, first = synthetic_mission(
        "API benchmark", country="PL", election="Synthetic parliamentary elections"
    )
    rows = PollingStation.objects.bulk_create(
        PollingStation(
            mission=mission,
            code=f"{n:06d}",
            name=f"Station {n}",
            area_1=f"Voivodeship {n % 16:02d}",
            registered_voters=800 + n % 400,
        )
        for n in range(stations)
    )
    members = synthetic_teams(mission, teams, name="Benchmark team")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-api-{uuid.uuid4().hex[:12]}", password="!")
        for _ in members
    )
    MissionMembership.objects.bulk_create(
        MissionMembership(
            mission=mission, user=user, role=MissionMembership.Role.OBSERVER, team=member
        )
        for user, member in zip(users, members, strict=True)
    )
    expires = timezone.now() + datetime.timedelta(days=1)
    keys = [ApiToken.issue(user=user, name="Benchmark", expires_at=expires)[1] for user in users]
    checklist = Checklist.objects.create(mission=mission, phase="", title="Benchmark")
    questions = Question.objects.bulk_create(
        Question(
            mission=mission,
            checklist=checklist,
            position=n,
            code=f"q{n:02d}",
            type=QuestionType.YES_NO,
            labels={"en": f"Question {n}"},
            choices=YES_NO_CHOICES,
            concern=["no"],
        )
        for n in range(QUESTIONS)
    )
    return Setup(
        mission=mission,
        round=first,
        stations=[station.code for station in rows],
        keys=keys,
        users=users,
        questions=questions,
        category=IrregularityCategory.objects.hand_logged().values_list("code", flat=True).first(),
    )


def remove(setup: Setup) -> None:
    report_ids = list(
        ObserverReport.objects.filter(mission=setup.mission).values_list("pk", flat=True)
    )
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        for start in range(0, len(report_ids), 5000):
            chunk = report_ids[start : start + 5000]
            Answer.history.filter(report_id__in=chunk).delete()
        ObserverReport.history.filter(mission_id=setup.mission.pk).delete()
    remove_mission(setup.mission)
    get_user_model().objects.filter(pk__in=[user.pk for user in setup.users]).delete()


def report_body(setup: Setup, rng: random.Random) -> dict:
    arrived = datetime.datetime.combine(
        ELECTION_DAY, datetime.time(7 + rng.randrange(10), rng.randrange(60)), datetime.UTC
    )
    body = {
        "submission_id": str(uuid.uuid4()),
        "round": setup.round.pk,
        "station": rng.choice(setup.stations),
        "phase": rng.choice(PHASES),
        "arrived_at": arrived.isoformat(),
        "departed_at": (arrived + datetime.timedelta(minutes=45)).isoformat(),
        "ballots_cast": rng.randrange(100, 700),
        "assessment": rng.choice(["very_good", "good", "good", "bad"]),
        "notes": "Synthetic report.",
        "answers": {
            question.code: "no" if rng.random() < 0.1 else "yes" for question in setup.questions
        },
    }
    if setup.category and rng.random() < IRREGULARITY_RATE:
        body["irregularities"] = [
            {
                "category": setup.category,
                "severity": "significant",
                "evidence": "observed",
                "description": "Synthetic irregularity.",
            }
        ]
    return body


def load(*, port, seconds, clients, max_requests, next_request, label) -> Outcome:
    """Send requests from `clients` threads until `seconds` pass or `max_requests` are sent."""
    outcome = Outcome(label=label, seconds=seconds)
    lock = threading.Lock()
    sent = 0
    deadline = time.monotonic() + seconds

    def worker(index):
        nonlocal sent
        rng = random.Random(index)
        while time.monotonic() < deadline:
            with lock:
                if sent >= max_requests:
                    return
                sent += 1
            method, path, body, headers, ident = next_request(rng)
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                conn.close()
            except (OSError, http.client.HTTPException):
                with lock:
                    outcome.failures += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                outcome.latencies.append(elapsed)
                outcome.statuses[response.status] = outcome.statuses.get(response.status, 0) + 1
                # A new report's answer acknowledges it, 201 or, if its resending
                # overtook it, 200.
                if response.status in (200, 201) and ident is not None:
                    outcome.acknowledged.add(ident)

    outcome.seconds = run_together([(worker, n) for n in range(clients)])
    return outcome


def run_together(targets) -> float:
    """Run each (function, argument) in a thread of its own, all at once; the seconds until
    the last is done."""
    threads = [
        threading.Thread(target=function, args=(argument,)) for function, argument in targets
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def ping(setup: Setup):
    """The next-request function of the trivial view, the stack's ceiling."""

    def request(rng):
        key = rng.choice(setup.keys)
        return "GET", PING_PATH, None, {"Authorization": f"Bearer {key}"}, None

    return request


def start_server(port: int, workers: int, log, *, settings_module="api.bench_settings"):
    """gunicorn serving the site on `port` against this process's database."""
    env = os.environ.copy()
    env.update(
        # The database this process uses, whatever DATABASE_URL says (a test's own, say).
        DATABASE_URL=_database_url(),
        DJANGO_SETTINGS_MODULE=settings_module,
        DEBUG="0",
        # This process's own key: sessions it opens (the load test's) are the server's too.
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        # The rate limit would measure itself: here each token may send as fast as it can.
        API_RATE_PER_TOKEN="100000000/minute",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=log,
    )


def _database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "localhost"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def wait_until_up(port: int, process, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn stopped before it answered: see its log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def raw_inserts(setup: Setup, bodies: list[dict]) -> float:
    """The same rows (report, answers) with plain INSERTs, a transaction per report;
    returns the seconds taken. They are removed with the mission."""
    report_table = ObserverReport._meta.db_table
    answer_table = Answer._meta.db_table
    codes = {station: pk for pk, station in setup.mission.stations.values_list("pk", "code")}
    questions = {question.code: question.pk for question in setup.questions}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for body in bodies:
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO {report_table} (mission_id, round_id, station_id, phase, "
                    "arrived_at, departed_at, ballots_cast, assessment, notes, entered_at, "
                    "submission_id, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, now(), "
                    "%s, 1) RETURNING id",
                    [
                        setup.mission.pk,
                        setup.round.pk,
                        codes[body["station"]],
                        body["phase"],
                        body["arrived_at"],
                        body["departed_at"],
                        body["ballots_cast"],
                        body["assessment"],
                        body["notes"],
                        str(uuid.uuid4()),
                    ],
                )
                (report_id,) = cursor.fetchone()
                cursor.executemany(
                    f"INSERT INTO {answer_table} (report_id, question_id, value, concern) "
                    "VALUES (%s, %s, %s, %s)",
                    [
                        (report_id, questions[code], value, value == "no")
                        for code, value in body["answers"].items()
                    ],
                )
    return time.perf_counter() - started


def run(*, seconds: float, workers: int, clients: int, teams: int, stations: int, write) -> bool:
    """Run the benchmark; returns whether stored reports equal acknowledged ones."""
    setup = build(stations=stations, teams=teams)
    try:
        with tempfile.NamedTemporaryFile(prefix="bench-api-", suffix=".log", delete=False) as log:
            return _measure(
                setup, seconds=seconds, workers=workers, clients=clients, log=log, write=write
            )
    finally:
        remove(setup)


def _measure(setup, *, seconds, workers, clients, log, write) -> bool:
    port = free_port()
    process = start_server(port, workers, log)
    stopped_cleanly = False
    try:
        wait_until_up(port, process)
        write(
            f"API intake on PostgreSQL: gunicorn, {workers} sync workers; {clients} clients "
            f"for {seconds:.0f} s per run; {len(setup.keys)} teams, {len(setup.stations):,} "
            "stations, "
            f"{QUESTIONS} answers per report."
        )

        ceiling = load(
            port=port,
            seconds=seconds,
            clients=clients,
            max_requests=1_000_000,
            next_request=ping(setup),
            label="Trivial API view (token, throttle)",
        )
        print_outcome(write, ceiling)

        path = f"/api/v1/missions/{setup.mission.pk}/reports/"
        sent_bodies = []
        replays = {"sent": 0}

        def report(rng):
            key_index = rng.randrange(len(setup.keys))
            if sent_bodies and rng.random() < 0.05:
                # A phone that lost the answer sends the same report again.
                body, key_index = rng.choice(sent_bodies)
                replays["sent"] += 1
                ident = None
            else:
                body = report_body(setup, rng)
                sent_bodies.append((body, key_index))
                ident = body["submission_id"]
            headers = {
                "Authorization": f"Bearer {setup.keys[key_index]}",
                "Content-Type": "application/json",
            }
            return "POST", path, json.dumps(body), headers, ident

        intake = load(
            port=port,
            seconds=seconds,
            clients=clients,
            max_requests=1_000_000,
            next_request=report,
            label="Reports through the API",
        )
        print_outcome(write, intake)
        rate = len(intake.acknowledged) / intake.seconds if intake.seconds else 0
        ceiling_rate = ceiling.count / ceiling.seconds if ceiling.seconds else 0
        write(
            f"  accepted {len(intake.acknowledged):,} new reports, {rate:,.1f}/s "
            f"({rate / ceiling_rate:.0%} of the trivial view's rate); "
            f"{replays['sent']:,} resent, answered "
            f"{intake.statuses.get(200, 0):,} times as stored already"
        )
        if rate:
            write(
                f"  a whole election day of {ELECTION_DAY_REPORTS:,} reports "
                f"(Poland 2023) at this rate: {ELECTION_DAY_REPORTS / rate:,.0f} s"
            )
        stored = {
            str(value)
            for value in ObserverReport.objects.filter(mission=setup.mission).values_list(
                "submission_id", flat=True
            )
        }
        consistent = stored == intake.acknowledged
        write(
            f"  stored {len(stored):,} = acknowledged {len(intake.acknowledged):,}: "
            + ("yes, nothing lost, nothing doubled" if consistent else "NO")
        )

        sample = [body for body, _key in sent_bodies][: max(1, min(len(sent_bodies), 5000))]
        raw_seconds = raw_inserts(setup, sample)
        write(
            f"Plain SQL INSERTs of the same rows (report and answers, a transaction each), "
            f"one connection: {len(sample):,} in {raw_seconds:.2f} s, "
            f"{len(sample) / raw_seconds:,.0f} reports/s"
        )
        return consistent
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
            stopped_cleanly = process.returncode in (0, -15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if stopped_cleanly:
            os.unlink(log.name)
        else:
            write(f"  (gunicorn's log: {log.name})")


def print_outcome(write, outcome: Outcome) -> None:
    rate = outcome.count / outcome.seconds if outcome.seconds else 0
    statuses = ", ".join(f"{code}: {n:,}" for code, n in sorted(outcome.statuses.items()))
    write(
        f"{outcome.label}: {outcome.count:,} answers in {outcome.seconds:.1f} s, "
        f"{rate:,.1f}/s; latency p50 {outcome.percentile(0.50):.1f} ms, "
        f"p95 {outcome.percentile(0.95):.1f} ms, p99 {outcome.percentile(0.99):.1f} ms; "
        f"errors {outcome.errors:,} ({statuses})"
    )
