"""The map of stations: each station with coordinates coloured by its reporting status
or its worst assessment in the round; those without coordinates counted."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observation import progress
from observation.models import Deployment, MissionMembership
from tests import factories


@pytest.fixture
def located(mission):
    election_round = factories.ElectionRoundFactory(mission=mission)
    team = factories.DelegationMemberFactory(mission=mission)

    def station(code, **extra):
        return factories.PollingStationFactory(
            mission=mission,
            code=code,
            latitude=Decimal("-12.046374"),
            longitude=Decimal("-77.042793"),
            **extra,
        )

    stations = {
        "complete": station("A1"),
        "partial": station("A2"),
        "none": station("A3"),
        "not_deployed": station("A4"),
    }
    factories.PollingStationFactory(mission=mission, code="NO-COORDS")
    for key, phases in [("complete", 2), ("partial", 2), ("none", 1)]:
        for phase in ["opening", "voting"][:phases]:
            Deployment.objects.create(
                mission=mission,
                round=election_round,
                station=stations[key],
                team=team,
                phase=phase,
            )

    def report(key, phase, assessment):
        factories.ObserverReportFactory(
            mission=mission,
            round=election_round,
            station=stations[key],
            phase=phase,
            assessment=assessment,
        )

    report("complete", "opening", "good")
    report("complete", "voting", "very_bad")
    report("complete", "voting", "good")  # a second voting report counts once
    report("partial", "opening", "very_good")
    # Not deployed, yet reported: its assessment shows, its status does not.
    report("not_deployed", "closing", "bad")
    return {"round": election_round, "stations": stations}


def test_each_station_is_coloured_by_its_reports_against_its_deployment(located):
    found = progress.station_map(located["round"])

    by_code = {code: key for _pk, _lat, _lon, code, _name, key in found.stations}
    assert by_code == {"A1": "complete", "A2": "partial", "A3": "none", "A4": "not_deployed"}
    assert found.without_coordinates == 1
    assert found.stations[0][1:3] == (-12.046374, -77.042793)


def test_or_by_the_worst_assessment_of_its_reports(located):
    found = progress.station_map(located["round"], by="assessment")

    by_code = {code: key for _pk, _lat, _lon, code, _name, key in found.stations}
    assert by_code == {"A1": "very_bad", "A2": "very_good", "A3": "", "A4": "bad"}


def test_the_maps_document_costs_the_same_queries_for_more_stations(
    client, mission, staff, located
):
    client.force_login(staff)
    url = reverse("observation:round_map_json", args=[mission.pk, located["round"].pk])
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(20):
        factories.PollingStationFactory(
            mission=mission, code=f"B{n}", latitude=Decimal("1"), longitude=Decimal("2")
        )

    with CaptureQueriesContext(connection) as large:
        data = client.get(url).json()

    assert len(data["stations"]) == 24
    assert data["without_coordinates"] == 1
    assert [key for key, _label, _colour in data["legend"]] == [
        "complete",
        "partial",
        "none",
        "not_deployed",
    ]
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_map_page_names_what_it_does_not_show(client, mission, staff, located):
    client.force_login(staff)
    runoff = factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day=datetime.date(2000, 5, 28)
    )

    response = client.get(
        reverse("observation:round_map", args=[mission.pk, located["round"].pk]),
        {"by": "assessment"},
    )

    page = response.content.decode()
    assert "4 stations on the map." in page
    assert "1 station has no coordinates and is not shown." in page
    assert "No map tiles are loaded" in page
    assert 'data-tile-url=""' in page
    assert "?by=assessment" in response.context["data_url"]
    # The other round's map, coloured the same way.
    other = reverse("observation:round_map", args=[mission.pk, runoff.pk])
    assert f'href="{other}?by=assessment"' in page


def test_an_observer_is_refused_the_map(client, mission, located):
    observer = factories.MissionMembershipFactory(
        mission=mission,
        role=MissionMembership.Role.OBSERVER,
        team=factories.DelegationMemberFactory(mission=mission),
    ).user
    client.force_login(observer)
    url = reverse("observation:round_map_json", args=[mission.pk, located["round"].pk])

    assert client.get(url).status_code == 403
