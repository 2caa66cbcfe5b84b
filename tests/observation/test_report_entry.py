"""Fast repeated entry: a run of reports from one team costs one page each."""

import datetime

import pytest
from django.urls import reverse

from observation.models import ElectionRound, ObserverReport
from tests import factories
from tests.observation.test_reports import report_data

pytestmark = pytest.mark.django_db
RUNOFF = ElectionRound.Kind.RUNOFF


def create_url(mission):
    return reverse("observation:report_create", args=[mission.pk])


def selected(page, name, value):
    return f'name="{name}"' in page and f'value="{value}" selected' in page


def test_save_and_log_another_opens_a_new_report_keeping_round_phase_and_team(
    staff_client, mission, setting
):
    data = report_data(setting, another="1")

    response = staff_client.post(create_url(mission), data)

    report = ObserverReport.objects.get()
    assert response.status_code == 302
    assert response.url.startswith(create_url(mission) + "?")
    page = staff_client.get(response.url).content.decode()
    assert selected(page, "round", report.round.pk)
    assert selected(page, "observer", report.observer.pk)
    assert f'value="{ObserverReport.Phase.COUNTING}" selected' in page
    # A fresh visit: the station and figures are not carried.
    assert 'value="LIM-001"' not in page


def test_save_report_alone_opens_the_saved_report(staff_client, mission, setting):
    response = staff_client.post(create_url(mission), report_data(setting))

    assert response.url == ObserverReport.objects.get().get_absolute_url()


def test_the_only_observed_round_is_preselected(staff_client, mission, setting):
    factories.ElectionRoundFactory(
        mission=mission,
        kind=RUNOFF,
        election_day=datetime.date(2000, 5, 28),
        observed=False,
        not_observed_reason="A candidate withdrew.",
    )

    page = staff_client.get(create_url(mission)).content.decode()

    assert f'value="{setting["round"].pk}" selected' in page


def test_no_round_is_preselected_when_several_were_observed(staff_client, mission, setting):
    factories.ElectionRoundFactory(
        mission=mission, kind=RUNOFF, election_day=datetime.date(2000, 5, 28)
    )

    page = staff_client.get(create_url(mission)).content.decode()

    assert f'value="{setting["round"].pk}" selected' not in page


def test_a_carried_value_from_another_mission_selects_nothing(staff_client, mission, setting):
    elsewhere = factories.ElectionRoundFactory()

    page = staff_client.get(f"{create_url(mission)}?round={elsewhere.pk}").content.decode()

    assert f'value="{elsewhere.pk}" selected' not in page


def test_editing_a_report_offers_no_save_and_log_another(staff_client, mission, setting):
    report = factories.ObserverReportFactory(
        mission=mission, round=setting["round"], station=setting["station"]
    )

    page = staff_client.get(
        reverse("observation:report_edit", args=[mission.pk, report.pk])
    ).content.decode()

    assert "Save and log another" not in page


def test_station_search_gives_the_area_and_registered_voters(staff_client, mission):
    factories.PollingStationFactory(
        mission=mission,
        code="AYA-0042",
        name="Colegio San Ramón",
        area_1="Ayacucho",
        area_2="Huamanga",
        area_3="",
        registered_voters=300,
    )
    url = reverse("observation:station_search", args=[mission.pk])

    (result,) = staff_client.get(url, {"q": "AYA-0042"}).json()["results"]

    assert result["name"] == "Colegio San Ramón"
    assert result["area"] == "Ayacucho, Huamanga"
    assert result["registered_voters"] == 300
