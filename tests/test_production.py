"""The documented production set-up, run: two app servers (gunicorn) on two ports against
one PostgreSQL, a report submitted through each, a retry through the other."""

import http.client
import json
import random

import pytest
from django.db import connection

from api import bench
from observation.models import ObserverReport


def _post(port: int, key: str, path: str, body: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        path,
        body=json.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn against PostgreSQL")
def test_two_app_servers_on_one_database_take_reports_through_both(tmp_path):
    setup = bench.build(stations=10, teams=2)
    path = f"/api/v1/missions/{setup.mission.pk}/reports/"
    ports = [bench.free_port(), bench.free_port()]
    rng = random.Random(2023)
    with (tmp_path / "gunicorn.log").open("w") as log:
        servers = [
            bench.start_server(port, 2, log, settings_module="config.settings") for port in ports
        ]
        try:
            for port, server in zip(ports, servers, strict=True):
                bench.wait_until_up(port, server)
            bodies = [bench.report_body(setup, rng) for _ in range(6)]
            statuses = [
                _post(ports[n % 2], setup.keys[n % 2], path, body) for n, body in enumerate(bodies)
            ]
            # A retry reaching the other server finds the report the first one stored.
            retried = _post(ports[1], setup.keys[0], path, bodies[0])
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=30)
    try:
        assert statuses == [201] * 6, (tmp_path / "gunicorn.log").read_text()
        assert retried == 200
        stored = ObserverReport.objects.filter(mission=setup.mission)
        assert sorted(str(r.submission_id) for r in stored) == sorted(
            body["submission_id"] for body in bodies
        )
    finally:
        bench.remove(setup)
