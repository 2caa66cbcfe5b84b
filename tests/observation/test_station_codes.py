"""A station code typed or imported in any of its look-alike forms means one station, at
every door: the import, the report and irregularity forms, the station search and the
list filters. Each door reads a code through normalise_code."""

import csv
import io

import pytest
from django.urls import reverse

from observation.models import Irregularity, ObserverReport, PollingStation
from observation.models.missions import normalise_code
from tests import factories
from tests.observation.test_reports import report_data

# The station of the `setting` fixture is LIM-001.
LOOK_ALIKES = {
    "lower-case": "lim-001",
    "zero-width-space": "LIM-\u200b001",
    "full-width": "\uff2c\uff29\uff2d\uff0d\uff10\uff10\uff11",
    "unicode-hyphen": "LIM\u2010001",
    "non-breaking-hyphen": "lim\u2011001",
    "en-dash": "LIM\u2013001",
    "minus-sign": "LIM\u2212001",
    "soft-hyphen-inside": "LIM-0\u00ad01",
    "spaces-and-byte-order-mark": "\ufeff LIM-001\u00a0",
    "line-break": "LIM-001\r\n",
}
parametrize_look_alikes = pytest.mark.parametrize(
    "typed", LOOK_ALIKES.values(), ids=LOOK_ALIKES.keys()
)


@parametrize_look_alikes
def test_normalise_code_folds_every_look_alike(typed):
    assert normalise_code(typed) == "LIM-001"


@pytest.mark.parametrize("text", [*LOOK_ALIKES.values(), "ǰ-1", "ΐ\u0301", "ﬁ-ß", "ª1", "A\u20dd"])
def test_normalising_twice_changes_nothing(text):
    once = normalise_code(text)
    assert normalise_code(once) == once


def test_normalise_code_keeps_what_tells_codes_apart():
    assert normalise_code("LIM-001") != normalise_code("LIM-01")
    assert normalise_code("LIM 001") == "LIM 001"


def _station_file(*codes: str):
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(["code", "name", "registered voters"])
    writer.writerows([code, "Escuela renamed", 320] for code in codes)
    file = io.BytesIO(output.getvalue().encode())
    file.name = "stations.csv"
    return file


@parametrize_look_alikes
def test_import_reads_a_look_alike_code_as_the_stored_station(
    staff_client, mission, setting, settings, tmp_path, typed
):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("observation:station_import", args=[mission.pk])

    response = staff_client.post(url, {"file": _station_file(typed)})
    assert response.context["preview"].counts == {"created": 0, "updated": 1}
    staff_client.post(
        reverse("observation:station_import_confirm", args=[mission.pk]),
        {"token": response.context["token"]},
    )

    station = PollingStation.objects.get(mission=mission)
    assert (station.code, station.name, station.registered_voters) == (
        "LIM-001",
        "Escuela renamed",
        320,
    )


def test_import_takes_look_alikes_in_one_file_for_one_station(
    staff_client, mission, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    file = _station_file("LIM-001", "lim\u2010001", "LIM-0\u200b01")

    response = staff_client.post(
        reverse("observation:station_import", args=[mission.pk]), {"file": file}
    )

    assert [(e.line, e.message) for e in response.context["preview"].errors] == [
        (line, "the code LIM-001 is also on line 2; list each station once.") for line in (3, 4)
    ]
    assert not PollingStation.objects.exists()


@parametrize_look_alikes
def test_report_form_reads_a_look_alike_code_as_the_station(staff_client, mission, setting, typed):
    url = reverse("observation:report_create", args=[mission.pk])

    response = staff_client.post(url, report_data(setting, station=typed))

    assert response.status_code == 302, response.context["form"].errors
    assert ObserverReport.objects.get().station == setting["station"]


@parametrize_look_alikes
def test_irregularity_form_reads_a_look_alike_code_as_the_station(
    staff_client, mission, setting, typed
):
    data = {
        "round": setting["round"].pk,
        "station": typed,
        "category": factories.category("intimidation").pk,
        "severity": Irregularity.Severity.SERIOUS,
        "evidence": Irregularity.Evidence.OBSERVED,
        "occurred_at": "2000-04-09T10:00",
        "description": "Police inside the station.",
    }

    response = staff_client.post(
        reverse("observation:irregularity_create", args=[mission.pk]), data
    )

    assert response.status_code == 302, response.context["form"].errors
    assert Irregularity.objects.get().station == setting["station"]


def test_report_form_still_refuses_a_code_that_is_not_there(staff_client, mission, setting):
    url = reverse("observation:report_create", args=[mission.pk])

    response = staff_client.post(url, report_data(setting, station="LIM-01"))

    assert response.context["form"].has_error("station", "invalid_choice")


@parametrize_look_alikes
def test_station_search_suggests_the_station_of_a_look_alike_code(
    staff_client, mission, setting, typed
):
    factories.PollingStationFactory(mission=mission, code="LIM-002", name="Colegio")
    url = reverse("observation:station_search", args=[mission.pk])

    results = staff_client.get(url, {"q": typed}).json()["results"]

    assert [result["code"] for result in results] == ["LIM-001"]


@parametrize_look_alikes
def test_station_list_filter_finds_the_station_the_report_form_takes(
    staff_client, mission, setting, typed
):
    factories.PollingStationFactory(mission=mission, code="LIM-002")
    url = reverse("observation:station_list", args=[mission.pk])

    listed = list(staff_client.get(url, {"q": typed}).context["page"].object_list)

    assert listed == [setting["station"]]


@parametrize_look_alikes
def test_report_and_export_filters_find_the_reports_of_a_look_alike_code(
    staff_client, mission, setting, typed
):
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"]
    )
    factories.ObserverReportFactory(mission=mission, round=setting["round"])
    listed = staff_client.get(
        reverse("observation:report_list", args=[mission.pk]), {"station": typed}
    )
    exported = staff_client.get(
        reverse("observation:report_export", args=[mission.pk, "csv"]), {"station": typed}
    )

    assert list(listed.context["page"].object_list) == [report]
    lines = b"".join(exported.streaming_content).decode().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == [str(report.pk)]


def test_a_code_typed_in_the_admin_is_stored_normalised(client, superuser, mission):
    client.force_login(superuser)
    data = {
        "mission": mission.pk,
        "code": "lim\u2011\uff10\uff10\uff11",
        "name": "Mesa 1",
        "registered_voters": 200,
    }
    response = client.post(reverse("admin:observation_pollingstation_add"), data)
    assert response.status_code == 302
    assert mission.stations.get().code == "LIM-001"
    # A look-alike of it is the same code: refused as a duplicate, not stored beside it.
    data["code"] = "LIM-001"
    response = client.post(reverse("admin:observation_pollingstation_add"), data)
    assert response.status_code == 200
    assert mission.stations.count() == 1


def test_the_migration_normalises_stored_codes_and_leaves_collisions(mission):
    import importlib

    from django.apps import apps

    from observation.models import PollingStation

    migration = importlib.import_module("observation.migrations.0007_normalise_station_codes")
    lower = factories.PollingStationFactory(mission=mission, code="X")
    twin = factories.PollingStationFactory(mission=mission, code="Y")
    # Stored before codes were normalised: written past save().
    PollingStation.objects.filter(pk=lower.pk).update(code="lim-001")
    PollingStation.objects.filter(pk=twin.pk).update(code="LIM-002")
    third = factories.PollingStationFactory(mission=mission, code="Z")
    PollingStation.objects.filter(pk=third.pk).update(code="lim-002")

    migration.normalise(apps, None)

    codes = dict(PollingStation.objects.values_list("pk", "code"))
    assert codes[lower.pk] == "LIM-001"
    assert codes[twin.pk] == "LIM-002"
    assert codes[third.pk] == "lim-002"
