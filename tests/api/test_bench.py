"""The intake benchmark runs end to end on PostgreSQL, and finds what it stored."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from observation.models import Mission, ObserverReport


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn against PostgreSQL")
def test_bench_api_posts_reports_and_checks_them_then_cleans_up():
    out = io.StringIO()

    call_command("bench_api", seconds=1, workers=2, clients=2, teams=3, stations=20, stdout=out)

    printed = out.getvalue()
    assert "Trivial API view" in printed
    assert "Reports through the API" in printed
    assert "nothing lost, nothing doubled" in printed
    assert "Plain SQL INSERTs" in printed
    assert not Mission.objects.exists()
    assert not ObserverReport.objects.exists()
