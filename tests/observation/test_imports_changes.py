"""Before a re-import writes: what is new, what changes field by field, what stays."""

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from observation.models import PollingStation
from tests import factories

# Uploads wait in media storage between preview and confirmation: each test its own.
pytestmark = pytest.mark.usefixtures("media_root")


def _preview(client, mission, text):
    file = io.BytesIO(text.encode())
    file.name = "stations.csv"
    return client.post(reverse("observation:station_import", args=[mission.pk]), {"file": file})


def _confirm(client, mission, response, **data):
    return client.post(
        reverse("observation:station_import_confirm", args=[mission.pk]),
        {"token": response.context["token"], **data},
    )


def test_the_preview_lists_new_changed_field_by_field_and_unchanged_stations(staff_client, mission):
    factories.PollingStationFactory(
        mission=mission, code="0001", name="Escuela 1", registered_voters=300
    )
    factories.PollingStationFactory(
        mission=mission, code="0002", name="Escuela 2", registered_voters=200
    )
    text = "code,name,registered voters\n0001,Escuela 1,300\n0002,Colegio 2,\n0003,New,5\n"
    response = _preview(staff_client, mission, text)

    changes = response.context["preview"].changes
    assert (changes.changed_count, changes.unchanged, changes.with_reports) == (1, 1, 0)
    [change] = changes.changed
    assert (change.line, change.code) == (3, "0002")
    assert [(str(label), old, new) for label, old, new in change.fields] == [
        ("Name", "Escuela 2", "Colegio 2"),
        ("Registered voters", 200, None),
    ]
    page = response.content.decode()
    assert "New: 1. Changed: 1. Unchanged: 1." in page
    assert "Colegio 2" in page
    assert 'name="accept_reported_changes"' not in page
    assert PollingStation.objects.get(code="0002").name == "Escuela 2"


def test_equal_coordinates_written_differently_are_unchanged(staff_client, mission):
    factories.PollingStationFactory(
        mission=mission,
        code="0001",
        name="A",
        registered_voters=1,
        latitude=Decimal("-12.1"),
        longitude=Decimal("-77.03"),
    )
    response = _preview(
        staff_client, mission, "code,name,registered voters,lat,lon\n0001,A,1,-12.100,-77.030000\n"
    )

    changes = response.context["preview"].changes
    assert (changes.changed_count, changes.unchanged) == (0, 1)


def test_changes_to_stations_with_reports_are_written_only_once_accepted(
    staff_client, staff, mission
):
    station = factories.PollingStationFactory(
        mission=mission, code="0001", name="Escuela 1", registered_voters=300
    )
    factories.ObserverReportFactory(mission=mission, station=station, saved_by=staff)
    response = _preview(staff_client, mission, "code,name,registered voters\n0001,Renamed,300\n")
    assert response.context["preview"].changes.with_reports == 1
    assert "has reports" in response.content.decode()
    assert 'name="accept_reported_changes"' in response.content.decode()

    refused = _confirm(staff_client, mission, response)

    assert refused.status_code == 200
    [message] = get_messages(refused.wsgi_request)
    assert "Tick the box" in str(message)
    station.refresh_from_db()
    assert station.name == "Escuela 1"

    # The same file waits again: ticking the box writes it.
    accepted = _confirm(staff_client, mission, refused, accept_reported_changes="on")

    assert accepted.status_code == 302
    station.refresh_from_db()
    assert station.name == "Renamed"


def test_an_unchanged_station_with_reports_needs_no_acceptance(staff_client, staff, mission):
    station = factories.PollingStationFactory(
        mission=mission, code="0001", name="Escuela 1", registered_voters=300
    )
    factories.ObserverReportFactory(mission=mission, station=station, saved_by=staff)
    response = _preview(staff_client, mission, "code,name,registered voters\n0001,Escuela 1,300\n")

    assert response.context["preview"].changes.with_reports == 0
    assert _confirm(staff_client, mission, response).status_code == 302


def test_long_official_names_and_codes_are_kept_whole(staff_client, mission):
    name, code = "N" * 500, "C" * 64
    _confirm(staff_client, mission, _preview(staff_client, mission, f"code,name\n{code},{name}\n"))

    assert PollingStation.objects.get().name == name
    assert PollingStation.objects.get().code == code


def test_a_name_or_code_past_the_limit_is_refused(staff_client, mission):
    text = f"code,name\n{'C' * 65},A\n0002,{'N' * 501}\n"
    response = _preview(staff_client, mission, text)

    errors = [(e.line, str(e.column), e.message) for e in response.context["preview"].errors]
    assert errors == [
        (2, "Code", "is longer than 64 characters."),
        (3, "Name", "is longer than 500 characters."),
    ]
    assert not PollingStation.objects.exists()
