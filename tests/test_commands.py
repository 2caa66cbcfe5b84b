import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from observation.models import Mission, Person, PollingStation
from observation.printing import KEPT_FOLDER


def test_import_benchmark_imports_generated_stations_and_leaves_nothing(db, capsys):
    call_command("bench_import", rows=40)

    out = capsys.readouterr().out
    assert "Station import, 40 rows on" in out
    assert "rows/s" in out
    assert not Mission.objects.exists()
    assert not PollingStation.objects.exists()


def test_bench_summary_prints_timings_and_cleans_up(db):
    missions, people = Mission.objects.count(), Person.objects.count()
    out = io.StringIO()

    call_command("bench_summary", stations=20, reports=400, irregularities=60, repeat=1, stdout=out)

    output = out.getvalue()
    assert "20 stations, 400 reports, 60 irregularities" in output
    assert re.search(r"\((\d+) overvote reports\)", output).group(1) != "0"
    for label in (
        "summary HTML",
        "summary PDF",
        "summary PDF, kept as the public one is",
        "one raw SQL query",
        "ratio summary HTML",
    ):
        assert label in output
    # Nothing kept of its PDF is left behind.
    assert default_storage.listdir(KEPT_FOLDER)[1] == []
    assert Mission.objects.count() == missions
    assert Person.objects.count() == people
    assert not get_user_model().objects.filter(username__startswith="benchmark-").exists()


def test_bench_progress_prints_the_ratio_and_cleans_up(db):
    missions, people = Mission.objects.count(), Person.objects.count()
    out = io.StringIO()

    call_command("bench_progress", stations=30, teams=4, reports=40, repeat=1, stdout=out)

    output = out.getvalue()
    assert "30 stations, 4 teams, 120 deployments, 40 reports" in output
    assert re.search(r"ratio progress JSON / raw SQL: \d+\.\d", output)
    assert Mission.objects.count() == missions
    assert Person.objects.count() == people
    assert not get_user_model().objects.filter(username__startswith="progress-").exists()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
@pytest.mark.parametrize("command", ["bench_api", "bench_pages", "loadtest"])
def test_the_gunicorn_benchmarks_say_they_need_postgresql(db, command):
    out = io.StringIO()

    call_command(command, stdout=out)

    assert "needs PostgreSQL (DATABASE_URL)" in out.getvalue()
