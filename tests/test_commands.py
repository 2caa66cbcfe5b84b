from django.core.management import call_command

from observation.models import Mission, PollingStation


def test_import_benchmark_imports_generated_stations_and_leaves_nothing(db, capsys):
    call_command("bench_import", rows=40)

    out = capsys.readouterr().out
    assert "Station import, 40 rows on" in out
    assert "rows/s" in out
    assert not Mission.objects.exists()
    assert not PollingStation.objects.exists()
