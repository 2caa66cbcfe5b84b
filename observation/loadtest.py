"""Election night under load (`make loadtest`): a mixed workload against gunicorn and
PostgreSQL, bounded in time, at several numbers of users.

Each round runs at once, for a fixed time: staff logging reports through the web form
(the form's page, then its POST), observers sending reports through the API, reviewers
deciding irregularities from the review queue, and the core team polling the progress
page's JSON. It prints each kind's rate and latencies, the errors, and whether the reports
stored are those acknowledged (nothing lost, nothing doubled); beside the ceiling of the
same stack (a trivial API view) and plain SQL INSERTs of the same reports
(api.bench, whose server, teams and report bodies it shares).
"""

import datetime
import http.client
import json
import random
import tempfile
import threading
import time
import uuid
from urllib.parse import urlencode

from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils.crypto import get_random_string

from api import bench
from observation import answers
from observation.models import (
    Deployment,
    Irregularity,
    IrregularityCategory,
    MissionMembership,
    ObserverReport,
)

Role = MissionMembership.Role
# Irregularities waiting for review at the start: more than reviewers can decide.
IRREGULARITIES = 5000


class Browser:
    """A signed-in member's session, as cookies a load client sends."""

    def __init__(self, user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        self.session_key = session.session_key
        # The CSRF secret as its cookie, and as the form's token: Django compares the two.
        self.csrf = get_random_string(32)
        self.cookie = f"sessionid={session.session_key}; csrftoken={self.csrf}"


def _member(setup, role) -> Browser:
    user = get_user_model().objects.create(username=f"load-{role}-{uuid.uuid4().hex[:12]}")
    MissionMembership.objects.create(mission=setup.mission, user=user, role=role)
    setup.users.append(user)
    return Browser(user)


def _prepare(setup) -> dict:
    """The plan the progress page counts against, irregularities to review, sessions."""
    stations = list(setup.mission.stations.order_by("pk"))
    teams = list(setup.mission.delegation.order_by("pk"))
    Deployment.objects.bulk_create(
        Deployment(
            mission=setup.mission,
            round=setup.round,
            station=station,
            team=teams[n % len(teams)],
            phase="voting",
        )
        for n, station in enumerate(stations)
    )
    category = IrregularityCategory.objects.hand_logged().first()
    pending = Irregularity.objects.bulk_create(
        Irregularity(
            mission=setup.mission,
            round=setup.round,
            station=stations[n % len(stations)],
            category=category,
            severity=Irregularity.Severity.SIGNIFICANT,
            evidence=Irregularity.Evidence.OBSERVED,
            description="Synthetic irregularity to review.",
        )
        for n in range(IRREGULARITIES)
    )
    return {
        "teams": teams,
        "irregularities": [irregularity.pk for irregularity in pending],
        "staff": [_member(setup, Role.STAFF) for _ in range(16)],
        "reviewers": [_member(setup, Role.REVIEWER) for _ in range(4)],
        "core": [_member(setup, Role.LEADER) for _ in range(4)],
    }


class Client:
    """One load client's connection; each call records its latency and status."""

    def __init__(self, port):
        self.port = port

    def send(self, outcome, lock, method, path, body=None, headers=None, redirect_to=None):
        """A redirect to `redirect_to` is the answer (a form saved), counted as a 200."""
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            content = response.read()
            location = response.getheader("Location", "")
            conn.close()
        except (OSError, http.client.HTTPException):
            with lock:
                outcome.failures += 1
            return None, b"", ""
        counted = response.status
        if counted == 302 and redirect_to and location.startswith(redirect_to):
            counted = 200
        with lock:
            outcome.latencies.append(time.perf_counter() - started)
            outcome.statuses[counted] = outcome.statuses.get(counted, 0) + 1
        return response.status, content, location


def _form_data(setup, rng, browser, teams) -> dict:
    body = bench.report_body(setup, rng)
    arrived = datetime.datetime.fromisoformat(body["arrived_at"])
    data = {
        "csrfmiddlewaretoken": browser.csrf,
        "submission_id": body["submission_id"],
        "round": setup.round.pk,
        "station": body["station"],
        "observer": rng.choice(teams).pk,
        "phase": body["phase"],
        "arrived_at": f"{arrived:%Y-%m-%dT%H:%M}",
        "departed_at": f"{arrived + datetime.timedelta(minutes=45):%Y-%m-%dT%H:%M}",
        "ballots_cast": body["ballots_cast"],
        "assessment": body["assessment"],
        "notes": body["notes"],
        "irregularities-TOTAL_FORMS": 0,
        "irregularities-INITIAL_FORMS": 0,
        "irregularities-MIN_NUM_FORMS": 0,
        "irregularities-MAX_NUM_FORMS": 1000,
    }
    for question in setup.questions:
        data[answers.field_name(question)] = body["answers"][question.code]
    return data


def _round(setup, prepared, port, *, users, seconds) -> dict:
    """One run of the mixed workload with `users` staff and as many observers; returns
    the outcomes by kind and the submission ids acknowledged."""
    mission = setup.mission.pk
    lock = threading.Lock()
    outcomes = {
        kind: bench.Outcome(label=label, seconds=seconds)
        for kind, label in (
            ("form", "Web form page (staff)"),
            ("post", "Web form POST (staff)"),
            ("api", "Reports through the API (observers)"),
            ("queue", "Review queue page (reviewers)"),
            ("review", "Review decision (reviewers)"),
            ("progress", "Progress JSON (core team)"),
        )
    }
    acknowledged = set()
    deadline = time.monotonic() + seconds
    form_path = reverse("observation:report_create", args=[mission])
    report_prefix = reverse("observation:report_list", args=[mission])
    api_path = f"/api/v1/missions/{mission}/reports/"
    queue_path = reverse("observation:review_queue", args=[mission])
    progress_path = reverse("observation:round_progress_json", args=[mission, setup.round.pk])
    to_review = list(prepared["irregularities"])

    def staff(n):
        rng, client = random.Random(n), Client(port)
        browser = prepared["staff"][n % len(prepared["staff"])]
        headers = {"Cookie": browser.cookie}
        while time.monotonic() < deadline:
            client.send(outcomes["form"], lock, "GET", form_path, headers=headers)
            data = _form_data(setup, rng, browser, prepared["teams"])
            status, _content, location = client.send(
                outcomes["post"],
                lock,
                "POST",
                form_path,
                body=urlencode(data),
                headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                redirect_to=report_prefix,
            )
            if status == 302 and location.startswith(report_prefix):
                with lock:
                    acknowledged.add(data["submission_id"])

    def observer(n):
        rng, client = random.Random(1000 + n), Client(port)
        while time.monotonic() < deadline:
            key = rng.choice(setup.keys)
            body = bench.report_body(setup, rng)
            status, _content, _location = client.send(
                outcomes["api"],
                lock,
                "POST",
                api_path,
                body=json.dumps(body),
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
            )
            if status == 201:
                with lock:
                    acknowledged.add(body["submission_id"])

    def reviewer(n):
        client = Client(port)
        browser = prepared["reviewers"][n % len(prepared["reviewers"])]
        headers = {"Cookie": browser.cookie}
        while time.monotonic() < deadline:
            client.send(outcomes["queue"], lock, "GET", queue_path, headers=headers)
            with lock:
                if not to_review:
                    return
                pk = to_review.pop()
            client.send(
                outcomes["review"],
                lock,
                "POST",
                reverse("observation:irregularity_review", args=[mission, pk]),
                body=urlencode(
                    {"csrfmiddlewaretoken": browser.csrf, "decision": "verify", "next": "queue"}
                ),
                headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
                redirect_to=queue_path,
            )

    def core(n):
        client = Client(port)
        headers = {"Cookie": prepared["core"][n % len(prepared["core"])].cookie}
        while time.monotonic() < deadline:
            client.send(outcomes["progress"], lock, "GET", progress_path, headers=headers)
            # Each screen asks every 30 s; a core team of a few dozen screens, compressed.
            time.sleep(0.5)

    quarter = max(1, users // 4)
    elapsed = bench.run_together(
        [(staff, n) for n in range(users)]
        + [(observer, n) for n in range(users)]
        + [(reviewer, n) for n in range(quarter)]
        + [(core, n) for n in range(quarter)]
    )
    for outcome in outcomes.values():
        outcome.seconds = elapsed
    return {"outcomes": outcomes, "acknowledged": acknowledged}


def run(*, seconds: float, workers: int, users: list[int], stations: int, write) -> bool:
    """Run the load test; returns whether every round stored what it acknowledged."""
    setup = bench.build(stations=stations, teams=max(users))
    consistent, prepared = True, {}
    try:
        prepared = _prepare(setup)
        with tempfile.NamedTemporaryFile(prefix="loadtest-", suffix=".log", delete=False) as log:
            port = bench.free_port()
            process = bench.start_server(port, workers, log)
            try:
                bench.wait_until_up(port, process)
                write(
                    f"Election night on PostgreSQL: gunicorn, {workers} sync workers; "
                    f"{seconds:.0f} s per round; {len(setup.stations):,} stations, "
                    f"{bench.QUESTIONS} answers per report, {IRREGULARITIES:,} irregularities "
                    "to review."
                )
                ceiling = bench.load(
                    port=port,
                    seconds=seconds,
                    clients=6,
                    max_requests=1_000_000,
                    next_request=bench.ping(setup),
                    label="Trivial API view (the stack's ceiling)",
                )
                bench.print_outcome(write, ceiling)
                for count in users:
                    before = set(_stored(setup))
                    result = _round(setup, prepared, port, users=count, seconds=seconds)
                    write(
                        f"-- {count} staff on the web form, {count} observers on the API, "
                        f"{max(1, count // 4)} reviewers, {max(1, count // 4)} core-team "
                        "screens:"
                    )
                    for outcome in result["outcomes"].values():
                        bench.print_outcome(write, outcome)
                    new = set(_stored(setup)) - before
                    ok = new == result["acknowledged"]
                    consistent = consistent and ok
                    reports = len(result["acknowledged"]) / result["outcomes"]["api"].seconds
                    day = bench.ELECTION_DAY_REPORTS / reports if reports else float("inf")
                    write(
                        f"  reports stored {len(new):,} = acknowledged "
                        f"{len(result['acknowledged']):,}: "
                        + ("yes, nothing lost, nothing doubled" if ok else "NO")
                        + f"; {reports:,.1f} reports/s in all "
                        f"({bench.ELECTION_DAY_REPORTS:,} in {day:,.0f} s)"
                    )
            finally:
                process.terminate()
                process.wait(timeout=30)
        sample = [bench.report_body(setup, random.Random(n)) for n in range(1000)]
        raw = bench.raw_inserts(setup, sample)
        write(
            f"Plain SQL INSERTs of such reports, one connection: {len(sample):,} in "
            f"{raw:.2f} s, {len(sample) / raw:,.0f} reports/s"
        )
    finally:
        browsers = [b for kind in ("staff", "reviewers", "core") for b in prepared.get(kind, [])]
        Session.objects.filter(session_key__in=[b.session_key for b in browsers]).delete()
        Irregularity.history.filter(mission_id=setup.mission.pk).delete()
        bench.remove(setup)
    return consistent


def _stored(setup):
    return (
        str(value)
        for value in ObserverReport.objects.filter(mission=setup.mission).values_list(
            "submission_id", flat=True
        )
    )
