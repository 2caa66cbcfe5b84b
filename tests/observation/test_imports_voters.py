"""Registered voters are optional: most national lists carry no figure."""

import io

import pytest
from django.urls import reverse

from observation.models import Irregularity, IrregularityCategory, PollingStation
from observation.summary import build_summary
from tests import factories

# Uploads wait in media storage between preview and confirmation: each test its own.
pytestmark = pytest.mark.usefixtures("media_root")


def _csv(text: str):
    file = io.BytesIO(text.encode())
    file.name = "stations.csv"
    return file


def _import(client, mission, text):
    """Preview and confirm, accepting changes to stations with reports."""
    response = client.post(
        reverse("observation:station_import", args=[mission.pk]), {"file": _csv(text)}
    )
    token = response.context["token"]
    assert token, response.context["preview"].errors
    return client.post(
        reverse("observation:station_import_confirm", args=[mission.pk]),
        {"token": token, "accept_reported_changes": "on"},
    )


def _standing_overvotes(report):
    return Irregularity.objects.filter(
        report=report, category__code=IrregularityCategory.OVERVOTE, superseded_at__isnull=True
    )


def test_a_list_without_a_registered_voters_column_imports_with_the_figure_unknown(
    staff_client, mission
):
    _import(staff_client, mission, "code,name\n0001,Escuela 1\n0002,Escuela 2\n")

    assert list(PollingStation.objects.values_list("code", "registered_voters")) == [
        ("0001", None),
        ("0002", None),
    ]


def test_an_empty_registered_voters_cell_is_unknown_not_zero(staff_client, mission):
    _import(staff_client, mission, "code,name,registered voters\n0001,A,\n0002,B,0\n")

    stations = dict(PollingStation.objects.values_list("code", "registered_voters"))
    assert stations == {"0001": None, "0002": 0}


def test_a_station_without_a_figure_raises_no_overvote(staff, mission):
    station = factories.PollingStationFactory(mission=mission, registered_voters=None)
    report = factories.ObserverReportFactory(
        mission=mission, station=station, ballots_cast=900, saved_by=staff
    )

    assert not report.is_overvote
    assert not _standing_overvotes(report).exists()
    assert not mission.reports.overvotes().exists()


def test_an_import_filling_in_the_figure_reruns_overvote_detection(staff_client, staff, mission):
    station = factories.PollingStationFactory(mission=mission, code="0001", registered_voters=None)
    report = factories.ObserverReportFactory(
        mission=mission, station=station, ballots_cast=250, saved_by=staff
    )
    assert not _standing_overvotes(report).exists()

    _import(staff_client, mission, "code,name,registered voters\n0001,A,100\n")

    assert _standing_overvotes(report).get().station == station


def test_an_import_emptying_the_figure_removes_an_unreviewed_overvote(staff_client, staff, mission):
    station = factories.PollingStationFactory(mission=mission, code="0001", registered_voters=100)
    report = factories.ObserverReportFactory(
        mission=mission, station=station, ballots_cast=250, saved_by=staff
    )
    assert _standing_overvotes(report).exists()

    _import(staff_client, mission, "code,name,registered voters\n0001,A,\n")

    assert not _standing_overvotes(report).exists()
    assert PollingStation.objects.get().registered_voters is None


def test_a_file_without_the_column_keeps_the_stored_figures(staff_client, staff, mission):
    station = factories.PollingStationFactory(mission=mission, code="0001", registered_voters=100)
    report = factories.ObserverReportFactory(
        mission=mission, station=station, ballots_cast=250, saved_by=staff
    )

    _import(staff_client, mission, "code,name\n0001,Renamed\n")

    station.refresh_from_db()
    assert (station.name, station.registered_voters) == ("Renamed", 100)
    assert _standing_overvotes(report).exists()


def test_the_summary_counts_the_stations_without_a_figure(client, leader, mission):
    factories.PollingStationFactory.create_batch(2, mission=mission, registered_voters=None)
    factories.PollingStationFactory(mission=mission, registered_voters=300)

    summary = build_summary(mission=mission, public=False, include_unverified=False)
    assert summary.stations_without_voters == 2

    client.force_login(leader)
    page = client.get(reverse("observation:mission_summary", args=[mission.pk])).content.decode()
    assert "2 stations have no registered-voters figure" in page


def test_the_station_list_and_report_show_an_unknown_figure_as_a_dash(client, staff, mission):
    station = factories.PollingStationFactory(mission=mission, registered_voters=None)
    report = factories.ObserverReportFactory(
        mission=mission, station=station, ballots_cast=90, saved_by=staff
    )
    client.force_login(staff)

    stations = client.get(reverse("observation:station_list", args=[mission.pk]))
    detail = client.get(reverse("observation:report_detail", args=[mission.pk, report.pk]))

    assert "None" not in stations.content.decode()
    assert "registered voters" not in detail.content.decode().split("Ballots cast")[1][:200]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_unknown_figure_survives_an_export_and_reimport(staff_client, mission, fmt):
    factories.PollingStationFactory(mission=mission, code="-001", registered_voters=None)
    factories.PollingStationFactory(mission=mission, code="0002", registered_voters=300)
    export = staff_client.get(reverse("observation:station_export", args=[mission.pk, fmt]))
    file = io.BytesIO(b"".join(export.streaming_content))
    file.name = f"stations.{fmt}"

    response = staff_client.post(
        reverse("observation:station_import", args=[mission.pk]), {"file": file}
    )

    changes = response.context["preview"].changes
    assert (changes.changed_count, changes.unchanged) == (0, 2)
    assert dict(PollingStation.objects.values_list("code", "registered_voters")) == {
        "-001": None,
        "0002": 300,
    }
