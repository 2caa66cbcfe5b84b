"""`make loadtest` runs end to end on PostgreSQL: every kind of request answered, the
reports stored those acknowledged, and nothing left behind."""

import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection

from observation.models import Irregularity, IrregularityCategory, Mission, ObserverReport


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn against PostgreSQL")
def test_the_load_test_runs_every_kind_of_request_and_cleans_up():
    # The reviewers' irregularities need a category; the seeded ones may have been flushed
    # by an earlier transactional test.
    IrregularityCategory.objects.get_or_create(code="load_test", defaults={"name": "Load test"})
    out = io.StringIO()

    call_command("loadtest", seconds=1, workers=2, users="1", stations=20, stdout=out)

    printed = out.getvalue()
    kinds = [line for line in printed.splitlines() if "answers in" in line]
    assert len(kinds) == 7, printed
    assert all(" errors 0 (" in line for line in kinds), printed
    assert "nothing lost, nothing doubled" in printed
    assert "Plain SQL INSERTs" in printed
    assert not Mission.objects.exists()
    assert not ObserverReport.objects.exists()
    assert not Irregularity.history.exists()
    assert not Session.objects.exists()
