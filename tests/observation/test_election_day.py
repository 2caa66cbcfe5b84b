"""Election day: the deployment plan, phase deadlines, and the reporting progress
computed from them, against figures worked out by hand."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observation import progress
from observation.models import Deployment, MissionMembership, PhaseDeadline
from tests import factories

UTC = datetime.UTC


def _at(hour, minute=0):
    return datetime.datetime(2000, 4, 9, hour, minute, tzinfo=UTC)


@pytest.fixture
def day(mission):
    """Three stations in two departments, three teams, two phases with deadlines.

    Opening is due at 8:00, voting at 14:00; the figures are read at 12:00.
    """
    election_round = factories.ElectionRoundFactory(mission=mission)
    lima_1, lima_2 = factories.PollingStationFactory.create_batch(2, mission=mission, area_1="Lima")
    cusco = factories.PollingStationFactory(mission=mission, area_1="Cusco")
    teams = factories.DelegationMemberFactory.create_batch(3, mission=mission)
    plan = [
        (lima_1, teams[0], "opening"),
        (lima_1, teams[0], "voting"),
        (lima_2, teams[1], "opening"),
        (cusco, teams[2], "opening"),
        (cusco, teams[2], "voting"),
    ]
    for station, team, phase in plan:
        Deployment.objects.create(
            mission=mission, round=election_round, station=station, team=team, phase=phase
        )
    PhaseDeadline.objects.create(round=election_round, phase="opening", due_at=_at(8))
    PhaseDeadline.objects.create(round=election_round, phase="voting", due_at=_at(14))

    def report(station, phase, at, round=election_round):
        report = factories.ObserverReportFactory(
            mission=mission, round=round, station=station, phase=phase
        )
        type(report).objects.filter(pk=report.pk).update(entered_at=at)

    report(lima_1, "opening", _at(7, 30))  # on time
    report(lima_1, "opening", _at(9))  # a second report of the same phase counts once
    report(lima_2, "opening", _at(9))  # late
    report(cusco, "voting", _at(11))
    # Neither another phase nor another round is what the plan expects.
    report(cusco, "closing", _at(11))
    runoff = factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day=datetime.date(2000, 6, 4)
    )
    report(cusco, "opening", _at(7), round=runoff)
    return {"round": election_round, "stations": (lima_1, lima_2, cusco), "teams": teams}


def _figures(figures):
    return (figures.expected, figures.received, figures.missing, figures.late, figures.overdue)


def test_progress_by_phase_and_area_is_what_the_plan_and_reports_say(day):
    found = progress.round_progress(day["round"], level=1, at=_at(12))

    assert found.phases == ["opening", "voting"]
    # expected, received, missing, late, overdue
    assert {phase: _figures(f) for phase, f in found.totals.items()} == {
        "opening": (3, 2, 1, 1, 1),
        "voting": (2, 1, 1, 0, 0),
    }
    assert [
        (area, {p: _figures(f) for p, f in phases.items()}) for area, phases in found.areas
    ] == [
        ("Cusco", {"opening": (1, 0, 1, 0, 1), "voting": (1, 1, 0, 0, 0)}),
        ("Lima", {"opening": (2, 2, 0, 1, 0), "voting": (1, 0, 1, 0, 0)}),
    ]


def test_once_the_voting_deadline_passes_its_missing_report_is_overdue(day):
    found = progress.round_progress(day["round"], at=_at(15))

    assert _figures(found.totals["voting"]) == (2, 1, 1, 0, 1)
    assert found.areas == []


def test_the_missing_reports_are_listed_the_earliest_due_first(day):
    lima_1, _lima_2, cusco = day["stations"]

    listed, count = progress.missing(day["round"])

    assert count == 2
    assert [(d.station, d.phase, d.due_at) for d in listed] == [
        (cusco, "opening", _at(8)),
        (lima_1, "voting", _at(14)),
    ]


def test_the_progress_page_shows_the_figures_and_links_each_missing_report(staff_client, day):
    mission = day["round"].mission
    _lima_1, _lima_2, cusco = day["stations"]

    response = staff_client.get(
        reverse("observation:round_progress", args=[mission.pk, day["round"].pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-cell="total:opening:expected">3<' in page
    assert 'data-cell="area:Cusco:voting:received">1<' in page
    assert reverse("observation:station_detail", args=[mission.pk, cusco.pk]) in page
    assert "2 reports still missing" in page


def test_an_areas_received_figure_links_to_the_reports_behind_it(staff_client, day):
    mission = day["round"].mission
    url = reverse("observation:round_progress", args=[mission.pk, day["round"].pk])
    page = staff_client.get(url, {"level": 1}).content.decode()
    link = re.search(r'href="([^"]+)" data-cell="area:Lima:opening:received"', page)

    reports = staff_client.get(html.unescape(link.group(1))).context["page"].object_list

    # Both Lima stations reported their opening, one of them twice.
    assert sorted(r.station.code for r in reports) == sorted(
        [day["stations"][0].code, day["stations"][0].code, day["stations"][1].code]
    )
    assert {(r.round, r.phase) for r in reports} == {(day["round"], "opening")}


def test_the_json_document_carries_every_figure_by_its_cell(staff_client, day):
    mission = day["round"].mission
    url = reverse("observation:round_progress_json", args=[mission.pk, day["round"].pk])

    data = staff_client.get(url, {"level": 1}).json()

    assert data["missing_shown"] == "2 reports still missing"
    assert data["at_shown"].endswith("(UTC time)")
    assert data["cells"]["total:opening:received"] == 2
    assert data["cells"]["area:Lima:opening:late"] == 1
    assert data["cells"]["area:Cusco:voting:percent"] == 100


def test_the_json_documents_queries_do_not_grow_with_stations_and_areas(
    staff_client, staff, day, django_assert_max_num_queries
):
    mission = day["round"].mission
    url = reverse("observation:round_progress_json", args=[mission.pk, day["round"].pk])
    # The first request of each raises the alerts of teams silent past a deadline: a
    # write per new alert, once. The second is the one the page repeats every 30 s.
    staff_client.get(url, {"level": 2})
    with CaptureQueriesContext(connection) as small:
        staff_client.get(url, {"level": 2})
    team = day["teams"][0]
    for n in range(12):
        station = factories.PollingStationFactory(
            mission=mission, area_1=f"Area {n}", area_2=f"P{n}"
        )
        for phase in ("opening", "voting", "closing"):
            Deployment.objects.create(
                mission=mission, round=day["round"], station=station, team=team, phase=phase
            )
        factories.ObserverReportFactory(
            mission=mission, round=day["round"], station=station, phase="closing"
        )

    staff_client.get(url, {"level": 2})
    with CaptureQueriesContext(connection) as large:
        response = staff_client.get(url, {"level": 2})

    assert len(response.json()["cells"]) > 60
    assert len(large.captured_queries) == len(small.captured_queries)


def test_an_observer_sees_no_progress_and_another_missions_round_is_not_found(
    client, day, stranger
):
    mission = day["round"].mission
    url = reverse("observation:round_progress_json", args=[mission.pk, day["round"].pk])
    observer = factories.MissionMembershipFactory(
        mission=mission, role=MissionMembership.Role.OBSERVER, team=day["teams"][0]
    ).user
    client.force_login(observer)
    assert client.get(url).status_code == 403

    client.force_login(stranger)
    assert client.get(url).status_code == 404
    other_round = factories.ElectionRoundFactory()
    staff_elsewhere = factories.MissionMembershipFactory(
        mission=other_round.mission, role=MissionMembership.Role.STAFF
    ).user
    client.force_login(staff_elsewhere)
    wrong = reverse("observation:round_progress", args=[other_round.mission.pk, day["round"].pk])
    assert client.get(wrong).status_code == 404


def test_staff_deploy_a_team_for_the_station_phases_by_default(staff_client, mission):
    election_round = factories.ElectionRoundFactory(mission=mission)
    station = factories.PollingStationFactory(mission=mission, code="LIM-001")
    team = factories.DelegationMemberFactory(mission=mission)
    url = reverse("observation:round_deployment", args=[mission.pk, election_round.pk])
    form = staff_client.get(url).context["form"]

    response = staff_client.post(
        url, {"team": team.pk, "station": "lim\u2011001", "phases": form["phases"].initial}
    )

    assert response.status_code == 302
    assert sorted(Deployment.objects.values_list("phase", flat=True)) == [
        "closing",
        "counting",
        "opening",
        "voting",
    ]
    assert set(Deployment.objects.values_list("station", "team")) == {(station.pk, team.pk)}


@pytest.mark.parametrize(
    "case, message",
    [
        ("deployed twice", "Opening: %(team)s is already deployed at this station."),
        ("unknown station", "There is no polling station with this code in this mission."),
        ("unknown team", "Choose one of this mission's delegation."),
    ],
)
def test_a_bad_deployment_is_refused_with_its_reason_and_nothing_written(
    staff_client, mission, case, message
):
    election_round = factories.ElectionRoundFactory(mission=mission)
    station = factories.PollingStationFactory(mission=mission)
    first, second = factories.DelegationMemberFactory.create_batch(2, mission=mission)
    Deployment.objects.create(
        mission=mission, round=election_round, station=station, team=first, phase="opening"
    )
    data = {"team": second.pk, "station": station.code, "phases": ["opening", "voting"]}
    if case == "unknown station":
        data["station"] = "NOWHERE"
    elif case == "unknown team":
        data["team"] = factories.DelegationMemberFactory().pk
    url = reverse("observation:round_deployment", args=[mission.pk, election_round.pk])

    response = staff_client.post(url, data)

    assert response.status_code == 200
    errors = [str(e) for errors in response.context["form"].errors.values() for e in errors]
    assert message % {"team": first.person} in errors
    assert list(Deployment.objects.values_list("team", "phase")) == [(first.pk, "opening")]


def test_a_reviewer_may_look_but_an_observer_may_not_deploy(client, mission, reviewer):
    election_round = factories.ElectionRoundFactory(mission=mission)
    station = factories.PollingStationFactory(mission=mission)
    team = factories.DelegationMemberFactory(mission=mission)
    url = reverse("observation:round_deployment", args=[mission.pk, election_round.pk])
    observer = factories.MissionMembershipFactory(
        mission=mission, role=MissionMembership.Role.OBSERVER, team=team
    ).user
    client.force_login(observer)

    refused = client.post(url, {"team": team.pk, "station": station.code, "phases": ["voting"]})

    assert refused.status_code == 403
    assert not Deployment.objects.exists()
    client.force_login(reviewer)
    assert client.get(url).status_code == 200


def test_a_deployment_is_removed_and_deadlines_are_set_and_cleared(staff_client, mission):
    election_round = factories.ElectionRoundFactory(mission=mission)
    deployment = Deployment.objects.create(
        mission=mission,
        round=election_round,
        station=factories.PollingStationFactory(mission=mission),
        team=factories.DelegationMemberFactory(mission=mission),
        phase="voting",
    )
    PhaseDeadline.objects.create(round=election_round, phase="closing", due_at=_at(18))
    args = [mission.pk, election_round.pk]

    staff_client.post(reverse("observation:deployment_remove", args=[*args, deployment.pk]))
    staff_client.post(
        reverse("observation:round_deadlines", args=args),
        {"opening": "2000-04-09T07:00", "voting": "2000-04-09T16:00", "closing": ""},
    )

    assert not Deployment.objects.exists()
    deadlines = dict(PhaseDeadline.objects.values_list("phase", "due_at"))
    zone = mission.zone
    assert {phase: due.astimezone(zone).strftime("%H:%M") for phase, due in deadlines.items()} == {
        "opening": "07:00",
        "voting": "16:00",
    }


def test_a_locked_mission_takes_no_deployment(staff_client, mission, leader):
    election_round = factories.ElectionRoundFactory(mission=mission)
    station = factories.PollingStationFactory(mission=mission)
    team = factories.DelegationMemberFactory(mission=mission)
    mission.lock(by=leader, reason="Final report published")
    url = reverse("observation:round_deployment", args=[mission.pk, election_round.pk])

    response = staff_client.post(
        url, {"team": team.pk, "station": station.code, "phases": ["voting"]}
    )

    assert response.status_code == 403
    assert not Deployment.objects.exists()


@pytest.mark.parametrize("typed", ["9999-12-31T23:59", "0001-01-01T00:00", "2031-04-09T08:00"])
def test_a_deadline_far_from_the_mission_is_refused_and_nothing_saved(staff_client, mission, typed):
    election_round = factories.ElectionRoundFactory(mission=mission)
    mission.time_zone = "America/Lima"
    mission.save()

    response = staff_client.post(
        reverse("observation:round_deadlines", args=[mission.pk, election_round.pk]),
        {"opening": "2000-04-09T07:00", "voting": typed},
    )

    assert response.status_code == 200
    [error] = response.context["deadlines_form"].errors["voting"]
    assert error.startswith("Give a time around the mission: between")
    assert not PhaseDeadline.objects.exists()


def test_one_phase_deployed_is_said_in_the_singular(staff_client, mission):
    election_round = factories.ElectionRoundFactory(mission=mission)
    station = factories.PollingStationFactory(mission=mission, code="AYA-0042")
    team = factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name="Jennie Lincoln")
    )
    url = reverse("observation:round_deployment", args=[mission.pk, election_round.pk])

    response = staff_client.post(
        url, {"team": team.pk, "station": station.code, "phases": ["voting"]}, follow=True
    )

    assert "Jennie Lincoln deployed at AYA-0042 for 1 phase." in response.content.decode()


def test_election_day_opens_the_observed_round_nearest_to_today(staff_client, mission):
    first = factories.ElectionRoundFactory(mission=mission)
    factories.ElectionRoundFactory(
        mission=mission,
        kind="runoff",
        election_day=datetime.date(2000, 5, 28),
        observed=False,
        not_observed_reason="The conditions for a fair runoff were not met.",
    )

    response = staff_client.get(reverse("observation:election_day", args=[mission.pk]))

    assert response["Location"] == reverse(
        "observation:round_progress", args=[mission.pk, first.pk]
    )
