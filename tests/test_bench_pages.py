"""`manage.py bench_pages` (in `make bench`) runs end to end on PostgreSQL: every page
answered at each size, the report list read from its index, nothing left behind."""

import io

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection

from api.models import ApiToken
from observation.models import (
    Checklist,
    IrregularityCategory,
    Mission,
    MissionMembership,
    ObserverReport,
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="gunicorn against PostgreSQL")
def test_the_pages_benchmark_answers_every_page_and_cleans_up():
    # The synthetic irregularities need a category; the seeded ones may have been flushed
    # by an earlier transactional test.
    IrregularityCategory.objects.get_or_create(code="bench_pages", defaults={"name": "Bench"})
    histories = [Mission.history, MissionMembership.history, Checklist.history]
    kept = [history.count() for history in histories]
    out = io.StringIO()

    call_command("bench_pages", reports=[100, 3000], requests=2, stations=50, stdout=out)

    printed = out.getvalue()
    pages = [line for line in printed.splitlines() if "answers in" in line]
    # The floor and three pages, at each of the two sizes.
    assert len(pages) == 8, printed
    assert all("answers in" in line and " errors 0 (200: 2)" in line for line in pages), printed
    assert "3,000 reports" in printed
    # A hundred rows the planner sorts; three thousand it reads from the list's index.
    index_lines = [line for line in printed.splitlines() if "read from its index" in line]
    assert len(index_lines) == 2, printed
    assert index_lines[-1].endswith("(report_list_idx): yes"), printed
    assert not Mission.objects.exists()
    assert not ObserverReport.objects.exists()
    assert not Session.objects.exists()
    assert not ApiToken.objects.exists()
    assert [history.count() for history in histories] == kept
