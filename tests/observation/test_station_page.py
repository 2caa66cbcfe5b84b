"""One station, everything known about it, round by round: one click from any list."""

import datetime

import pytest
from django.urls import reverse

from observation.models import Answer, Deployment, ElectionRound, Irregularity, ObserverReport
from tests import factories

STATION_PAGE_QUERIES = 8


@pytest.fixture
def station(mission):
    return factories.PollingStationFactory(
        mission=mission,
        code="AYA-0042",
        name="Colegio San Ramón",
        area_1="Ayacucho",
        area_2="Huamanga",
        registered_voters=None,
    )


def _page(client, mission, station):
    return client.get(reverse("observation:station_detail", args=[mission.pk, station.pk]))


def _reports(mission, station, round_, count, checklist=None):
    checklist = checklist or factories.ChecklistFactory(mission=mission)
    for _n in range(count):
        team = factories.DelegationMemberFactory(mission=mission)
        report = factories.ObserverReportFactory(
            mission=mission, round=round_, station=station, observer=team
        )
        question = factories.QuestionFactory(checklist=checklist)
        Answer.objects.create(report=report, question=question, value="no", concern=True)
        factories.IrregularityFactory(mission=mission, round=round_, station=station)


def test_the_page_shows_each_rounds_reports_concerns_and_irregularities(
    client, staff, mission, station
):
    first = factories.ElectionRoundFactory(mission=mission)
    runoff = factories.ElectionRoundFactory(
        mission=mission, kind=ElectionRound.Kind.RUNOFF, election_day=datetime.date(2000, 5, 28)
    )
    team = factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name="Jennie Lincoln")
    )
    report = factories.ObserverReportFactory(
        mission=mission, round=first, station=station, observer=team, ballots_cast=412
    )
    question = factories.QuestionFactory(
        checklist__mission=mission, labels={"en": "Was the ballot box sealed?"}
    )
    Answer.objects.create(report=report, question=question, value="no", concern=True)
    irregularity = factories.IrregularityFactory(
        mission=mission, round=runoff, station=station, description="Pre-marked ballots."
    )
    elsewhere = factories.ObserverReportFactory(mission=mission, round=first)
    for phase in ("voting", "counting"):
        Deployment.objects.create(
            mission=mission, round=first, station=station, team=team, phase=phase
        )
    client.force_login(staff)

    response = _page(client, mission, station)

    page = response.content.decode()
    assert "AYA-0042 — Colegio San Ramón" in page
    assert "Ayacucho \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} Huamanga" in page
    assert "Not known: overvotes are not checked here." in page
    assert "Jennie Lincoln" in page
    assert "Was the ballot box sealed?" in page
    assert report.get_absolute_url() in page
    assert irregularity.get_absolute_url() in page
    assert elsewhere.get_absolute_url() not in page
    [(first_round, first_records), (runoff_round, runoff_records)] = response.context["rounds"]
    assert (first_round, runoff_round) == (first, runoff)
    assert first_records == {
        "deployed": {team: ["Voting", "Counting"]},
        "reports": [report],
        "irregularities": [],
    }
    assert runoff_records == {"deployed": {}, "reports": [], "irregularities": [irregularity]}
    assert "Jennie Lincoln</a> (Voting, Counting)" in page


def test_every_list_links_to_the_station_page(client, staff, mission, station):
    report = factories.ObserverReportFactory(mission=mission, station=station)
    irregularity = factories.IrregularityFactory(
        mission=mission, round=report.round, station=station
    )
    link = reverse("observation:station_detail", args=[mission.pk, station.pk])
    client.force_login(staff)

    for url in (
        reverse("observation:station_list", args=[mission.pk]),
        reverse("observation:report_list", args=[mission.pk]),
        reverse("observation:irregularity_list", args=[mission.pk]),
        report.get_absolute_url(),
        irregularity.get_absolute_url(),
    ):
        assert f'href="{link}"' in client.get(url).content.decode(), url


def test_a_station_of_another_mission_is_not_found(client, staff, mission):
    other = factories.PollingStationFactory()
    client.force_login(staff)

    response = client.get(reverse("observation:station_detail", args=[mission.pk, other.pk]))

    assert response.status_code == 404


def test_the_page_costs_the_same_queries_with_many_records(
    client, staff, mission, station, django_assert_num_queries
):
    round_ = factories.ElectionRoundFactory(mission=mission)
    _reports(mission, station, round_, 2)
    teams = list(mission.delegation.all())
    for team, phase in zip(teams, ("opening", "voting"), strict=True):
        Deployment.objects.create(
            mission=mission, round=round_, station=station, team=team, phase=phase
        )
    checklist = factories.ChecklistFactory(mission=mission, phase="closing")
    client.force_login(staff)
    # The session and its user, the mission, the station, its reports, their concerns,
    # its irregularities, its deployments.
    with django_assert_num_queries(STATION_PAGE_QUERIES):
        _page(client, mission, station)

    _reports(mission, station, round_, 8, checklist)
    for team, phase in zip(
        mission.delegation.exclude(pk__in=[t.pk for t in teams])[:2],
        ("closing", "counting"),
        strict=True,
    ):
        Deployment.objects.create(
            mission=mission, round=round_, station=station, team=team, phase=phase
        )
    assert (ObserverReport.objects.count(), Irregularity.objects.count()) == (10, 10)
    with django_assert_num_queries(STATION_PAGE_QUERIES):
        _page(client, mission, station)
