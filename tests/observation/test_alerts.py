"""Election day's alerts: raised once by what causes them, whatever door it came in by,
acknowledged once by a named user, e-mailed for the kinds the leaders chose."""

import datetime
import io
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Preferences
from observation import alerts, services
from observation.imports import StationImporter
from observation.models import Alert, Deployment, MissionMembership, PhaseDeadline
from tests import factories

Kind = Alert.Kind


def _login(client, user):
    client.force_login(user)
    return client


def _kinds(mission):
    return sorted(Alert.objects.filter(mission=mission).values_list("kind", flat=True))


@pytest.fixture
def election_round(mission):
    return factories.ElectionRoundFactory(mission=mission)


@pytest.fixture
def station(mission):
    return factories.PollingStationFactory(mission=mission, registered_voters=300)


def _report(mission, election_round, station, by, **values):
    values = {"ballots_cast": 120, **values}
    return factories.ObserverReportFactory(
        mission=mission, round=election_round, station=station, saved_by=by, **values
    )


def test_an_overvote_raises_one_alert_however_often_its_report_is_saved(
    client, mission, election_round, station, staff
):
    report = _report(mission, election_round, station, staff, ballots_cast=412)
    report.notes = "Counted twice."
    services.report_save(report=report, by=staff, version=report.version)

    alert = Alert.objects.get(mission=mission)
    assert (alert.kind, alert.round, alert.acknowledged) == (Kind.OVERVOTE, election_round, False)
    assert alert.irregularity.report == report
    page = _login(client, staff).get(reverse("observation:alerts", args=[mission.pk]))
    assert "412" in page.content.decode()


def test_a_report_corrected_below_the_register_takes_its_overvote_alert_along(
    mission, election_round, station, staff
):
    report = _report(mission, election_round, station, staff, ballots_cast=412)
    report.ballots_cast = 280
    services.report_save(report=report, by=staff, version=report.version)

    assert not Alert.objects.exists()


def test_a_serious_irregularity_logged_on_the_web_form_raises_an_alert_a_minor_one_none(
    client, mission, election_round, station, staff
):
    _login(client, staff)
    url = reverse("observation:irregularity_create", args=[mission.pk])
    for severity in ("serious", "minor"):
        response = client.post(
            url,
            {
                "round": election_round.pk,
                "station": station.code,
                "category": factories.category("intimidation").pk,
                "severity": severity,
                "evidence": "observed",
                "description": f"<script>alert(1)</script> Police at the door ({severity}).",
            },
        )
        assert response.status_code == 302

    alert = Alert.objects.get()
    assert alert.kind == Kind.SERIOUS
    assert "(serious)" in alert.irregularity.description
    page = client.get(reverse("observation:alerts", args=[mission.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_a_serious_irregularity_added_in_the_admin_raises_its_alert(
    admin_client, mission, election_round, station
):
    data = {
        "mission": mission.pk,
        "round": election_round.pk,
        "station": station.pk,
        "category": factories.category("intimidation").pk,
        "severity": "serious",
        "evidence": "credible_source",
        "description": "Police questioned voters in the queue.",
    }

    response = admin_client.post(reverse("admin:observation_irregularity_add"), data)

    assert response.status_code == 302
    assert Alert.objects.get().kind == Kind.SERIOUS


@pytest.fixture
def checklist(mission):
    checklist = factories.ChecklistFactory(mission=mission, phase="voting")
    factories.QuestionFactory(
        checklist=checklist, code="police_inside", urgent=True, concern=["yes"]
    )
    factories.QuestionFactory(checklist=checklist, code="booth_private")
    return checklist


def test_a_concern_to_an_urgent_question_raises_an_alert_once(
    client, mission, election_round, station, staff, checklist
):
    report = _report(
        mission,
        election_round,
        station,
        staff,
        answers={"police_inside": "yes", "booth_private": "no"},
    )
    report.notes = "Second call from the team."
    services.report_save(report=report, by=staff, version=report.version, answers=None)

    alert = Alert.objects.get()
    assert (alert.kind, alert.report) == (Kind.URGENT, report)
    page = _login(client, staff).get(reverse("observation:alerts", args=[mission.pk]))
    assert "Question police_inside" in page.content.decode()
    # The other concern is no alert: its question is not marked urgent.
    assert "Question booth_private" not in page.content.decode()


def test_an_urgent_concern_that_raises_a_serious_irregularity_is_one_alert(
    mission, election_round, station, staff, checklist
):
    checklist.questions.filter(code="police_inside").update(
        raises=factories.category("intimidation"), raises_severity="serious"
    )

    report = _report(mission, election_round, station, staff, answers={"police_inside": "yes"})

    assert report.irregularities.get().severity == "serious"
    assert _kinds(mission) == [Kind.URGENT]


def test_a_concern_to_a_question_not_urgent_raises_no_alert(
    mission, election_round, station, staff, checklist
):
    _report(
        mission,
        election_round,
        station,
        staff,
        answers={"police_inside": "no", "booth_private": "no"},
    )

    assert not Alert.objects.exists()


def _at(hour):
    return datetime.datetime(2000, 4, 9, hour, tzinfo=datetime.UTC)


@pytest.fixture
def plan(mission, election_round):
    """Two teams deployed for opening, due at 8:00; the first has reported from one of its
    two stations, the second from none of its."""
    stations = factories.PollingStationFactory.create_batch(3, mission=mission)
    teams = factories.DelegationMemberFactory.create_batch(2, mission=mission)
    for station, team in zip(stations, [teams[0], teams[0], teams[1]], strict=True):
        Deployment.objects.create(
            mission=mission, round=election_round, station=station, team=team, phase="opening"
        )
    factories.ObserverReportFactory(
        mission=mission, round=election_round, station=stations[0], phase="opening"
    )
    PhaseDeadline.objects.create(round=election_round, phase="opening", due_at=_at(8))
    return {"stations": stations, "teams": teams}


def test_a_team_silent_past_its_deadline_raises_one_alert(mission, election_round, plan):
    assert alerts.raise_silent(at=_at(7)) == []

    raised = alerts.raise_silent(at=_at(9))
    again = alerts.raise_silent(at=_at(10))

    assert [(a.kind, a.team, a.phase) for a in raised] == [
        (Kind.SILENT, plan["teams"][1], "opening")
    ]
    assert again == []
    assert Alert.objects.count() == 1


def test_a_deadline_of_an_earlier_election_day_raises_nothing(mission, election_round, plan):
    assert (
        alerts.raise_silent(at=_at(8) + alerts.SILENT_WINDOW + datetime.timedelta(minutes=1)) == []
    )


def test_the_command_raises_the_silent_teams_of_every_mission(mission, election_round, plan):
    _due_an_hour_ago(election_round)
    out = io.StringIO()

    call_command("raise_alerts", stdout=out)

    assert out.getvalue().strip() == "Raised 1 alert of a silent team."
    assert Alert.objects.get().team == plan["teams"][1]


def test_a_team_that_reports_before_the_deadline_passes_is_not_silent(
    mission, election_round, plan
):
    factories.ObserverReportFactory(
        mission=mission, round=election_round, station=plan["stations"][2], phase="opening"
    )

    assert alerts.raise_silent(at=_at(9)) == []


def _due_an_hour_ago(election_round):
    PhaseDeadline.objects.filter(round=election_round).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )


def test_the_alerts_page_raises_the_silent_teams_and_names_them(
    client, mission, election_round, plan, staff
):
    _due_an_hour_ago(election_round)

    page = _login(client, staff).get(reverse("observation:alerts", args=[mission.pk]))

    assert page.status_code == 200
    assert f"{plan['teams'][1].person} has sent no Opening report" in page.content.decode()
    assert Alert.objects.get().team == plan["teams"][1]


def test_a_locked_mission_raises_no_silent_team(mission, election_round, plan, leader):
    services.mission_lock(mission=mission, by=leader, reason="Concluded.")

    assert alerts.raise_silent(at=_at(9)) == []


def _alert(mission, election_round, station, by):
    _report(mission, election_round, station, by, ballots_cast=412)
    return Alert.objects.get(mission=mission)


def test_an_alert_is_acknowledged_once_in_the_name_of_the_first(
    client, mission, election_round, station, staff, reviewer
):
    alert = _alert(mission, election_round, station, staff)
    url = reverse("observation:alert_acknowledge", args=[mission.pk, alert.pk])

    first = _login(client, staff).post(url, {"filters": "show=all&kind=overvote"}, follow=True)
    second = _login(client, reviewer).post(url, follow=True)

    assert first.redirect_chain[0][0].endswith("/alerts/?show=all&kind=overvote")
    assert "Alert acknowledged in your name." in first.content.decode()
    assert "acknowledged this alert first" in second.content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_by == staff
    assert alert.acknowledged_at is not None


def _at_once(work, arguments):
    """Run work(argument) for each argument in its own thread and database connection, all
    released at the same moment."""
    start = threading.Barrier(len(arguments))

    def run(argument):
        start.wait()
        try:
            work(argument)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real concurrency"
)


@committed
@on_postgresql
def test_concurrent_acknowledgements_acknowledge_once():
    mission = factories.MissionFactory()
    users = [
        factories.MissionMembershipFactory(mission=mission, role="staff").user for _ in range(10)
    ]
    # A silent team's: an overvote needs the seeded categories, which a transactional
    # test cannot count on (the tests before it may have flushed them).
    alert = Alert.objects.create(
        mission=mission,
        kind=Kind.SILENT,
        round=factories.ElectionRoundFactory(mission=mission),
        team=factories.DelegationMemberFactory(mission=mission),
        phase="opening",
    )
    won = []

    def acknowledge(user):
        if services.alert_acknowledge(alert=Alert.objects.get(pk=alert.pk), by=user):
            won.append(user)

    _at_once(acknowledge, users)

    alert.refresh_from_db()
    assert len(won) == 1
    assert alert.acknowledged_by == won[0]


@committed
@on_postgresql
def test_a_silent_team_looked_for_by_many_at_once_is_raised_once():
    mission = factories.MissionFactory()
    election_round = factories.ElectionRoundFactory(mission=mission)
    Deployment.objects.create(
        mission=mission,
        round=election_round,
        station=factories.PollingStationFactory(mission=mission),
        team=factories.DelegationMemberFactory(mission=mission),
        phase="opening",
    )
    PhaseDeadline.objects.create(round=election_round, phase="opening", due_at=_at(8))
    raised = []

    _at_once(lambda _: raised.extend(alerts.raise_silent(at=_at(9))), range(10))

    assert len(raised) == 1
    assert Alert.objects.filter(mission=mission).count() == 1


def test_an_alert_gone_meanwhile_is_said_to_be_gone(
    client, mission, election_round, station, staff
):
    alert = _alert(mission, election_round, station, staff)
    url = reverse("observation:alert_acknowledge", args=[mission.pk, alert.pk])
    found = Alert.objects.get(pk=alert.pk)
    # The report corrected below the register between the page and the click.
    alert.irregularity.report.ballots_cast = 200
    report = alert.irregularity.report
    services.report_save(report=report, by=staff, version=report.version)

    with pytest.raises(Alert.DoesNotExist):
        services.alert_acknowledge(alert=found, by=staff)
    response = _login(client, staff).post(url, follow=True)

    assert response.status_code == 404


def test_a_station_import_that_makes_an_overvote_raises_its_alert(
    mission, election_round, station, staff
):
    _report(mission, election_round, station, staff, ballots_cast=250)
    csv = f"code,name,registered_voters\n{station.code},{station.name},200\n".encode()

    services.import_confirm(
        importer=StationImporter(mission),
        content=csv,
        filename="stations.csv",
        by=staff,
        accept_reported_changes=True,
    )

    assert _kinds(mission) == [Kind.OVERVOTE]


def test_a_locked_mission_refuses_an_acknowledgement(
    client, mission, election_round, station, staff, leader
):
    alert = _alert(mission, election_round, station, staff)
    services.mission_lock(mission=mission, by=leader, reason="Concluded.")

    response = _login(client, staff).post(
        reverse("observation:alert_acknowledge", args=[mission.pk, alert.pk])
    )

    assert response.status_code == 403
    alert.refresh_from_db()
    assert not alert.acknowledged


def test_an_alert_of_another_mission_is_not_found(client, mission, election_round, station, staff):
    alert = _alert(mission, election_round, station, staff)
    other = factories.MissionMembershipFactory(role="leader")

    response = _login(client, other.user).post(
        reverse("observation:alert_acknowledge", args=[other.mission.pk, alert.pk])
    )

    assert response.status_code == 404
    alert.refresh_from_db()
    assert not alert.acknowledged


@pytest.fixture
def core_team(mission, staff, reviewer, leader):
    observer = factories.MissionMembershipFactory(
        mission=mission,
        role=MissionMembership.Role.OBSERVER,
        team=factories.DelegationMemberFactory(mission=mission),
    ).user
    # Every one has an address (the user factory's "<username>@example.org").
    return {"staff": staff, "reviewer": reviewer, "leader": leader, "observer": observer}


def test_leaders_choose_the_kinds_e_mailed_to_the_core_team(
    client,
    mission,
    election_round,
    station,
    core_team,
    django_capture_on_commit_callbacks,
):
    response = _login(client, core_team["leader"]).post(
        reverse("observation:alert_email", args=[mission.pk]), {"kinds": ["overvote"]}
    )
    assert response.status_code == 302
    mission.refresh_from_db()
    assert mission.alert_email_kinds == ["overvote"]

    with django_capture_on_commit_callbacks(execute=True):
        services.irregularity_save(
            irregularity=factories.IrregularityFactory.build(
                mission=mission, round=election_round, station=station
            ),
            by=core_team["staff"],
        )
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        _report(mission, election_round, station, core_team["staff"], ballots_cast=412)

    # One message a person: no one sees the others' addresses; the observer gets none.
    assert sorted(message.to for message in mail.outbox) == sorted(
        [f"{core_team[role].username}@example.org"] for role in ("staff", "reviewer", "leader")
    )
    message = mail.outbox[0]
    assert message.subject == f"{mission.name}: an alert to acknowledge"
    assert "Overvote" in message.body
    assert f"/missions/{mission.pk}/alerts/" in message.body
    assert _kinds(mission) == [Kind.OVERVOTE, Kind.SERIOUS]


def test_an_alert_e_mail_is_in_its_readers_language_and_its_subject_plain_text(
    mission, election_round, station, core_team, django_capture_on_commit_callbacks
):
    mission.name = "Perú 2000 & O'Higgins <segunda vuelta>"
    mission.alert_email_kinds = ["overvote"]
    mission.save()
    Preferences.objects.create(user=core_team["reviewer"], language="es")

    with django_capture_on_commit_callbacks(execute=True):
        _report(mission, election_round, station, core_team["staff"], ballots_cast=412)

    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[core_team["staff"].email] == (
        "Perú 2000 & O'Higgins <segunda vuelta>: an alert to acknowledge"
    )
    assert subjects[core_team["reviewer"].email] == (
        "Perú 2000 & O'Higgins <segunda vuelta>: una alerta por atender"
    )


def test_an_alert_rolled_back_with_its_report_is_never_e_mailed(
    mission, election_round, station, core_team, django_capture_on_commit_callbacks
):
    services.alert_email_set(mission=mission, kinds=["overvote"], by=core_team["leader"])

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _report(mission, election_round, station, core_team["staff"], ballots_cast=412)
        raise RuntimeError("the caller's transaction fails after the save")

    assert mail.outbox == []
    assert not Alert.objects.exists()
    assert callbacks == []


def test_a_silent_team_is_not_named_in_e_mails_where_names_are_for_leaders(
    mission, election_round, plan, core_team, django_capture_on_commit_callbacks
):
    mission.observer_names_for_leaders_only = True
    mission.alert_email_kinds = ["silent"]
    mission.save()

    with django_capture_on_commit_callbacks(execute=True):
        alerts.raise_silent(at=_at(9))

    body = mail.outbox[0].body
    assert "A team has sent no Opening report" in body
    assert str(plan["teams"][1].person) not in body


def test_a_kind_that_does_not_exist_is_refused_and_nothing_saved(client, mission, leader):
    response = _login(client, leader).post(
        reverse("observation:alert_email", args=[mission.pk]),
        {"kinds": ["everything"]},
        follow=True,
    )

    assert "Select a valid choice" in response.content.decode()
    mission.refresh_from_db()
    assert mission.alert_email_kinds == []


def test_only_leaders_choose_the_e_mails(client, mission, staff):
    response = _login(client, staff).post(
        reverse("observation:alert_email", args=[mission.pk]), {"kinds": ["overvote"]}
    )

    assert response.status_code == 403
    mission.refresh_from_db()
    assert mission.alert_email_kinds == []


def test_the_page_lists_open_alerts_until_all_are_asked_for(
    client, mission, election_round, station, staff
):
    alert = _alert(mission, election_round, station, staff)
    services.alert_acknowledge(alert=alert, by=staff)
    _login(client, staff)
    url = reverse("observation:alerts", args=[mission.pk])

    assert list(client.get(url).context["page"].object_list) == []
    assert list(client.get(url, {"show": "all"}).context["page"].object_list) == [alert]
    assert list(client.get(url, {"show": "everything"}).context["page"].object_list) == []


def test_the_pages_queries_do_not_grow_with_alerts(
    client, mission, election_round, plan, staff, checklist
):
    def one_of_each_kind():
        station = factories.PollingStationFactory(mission=mission, registered_voters=300)
        _report(mission, election_round, station, staff, ballots_cast=412)
        _report(mission, election_round, station, staff, answers={"police_inside": "yes"})
        services.irregularity_save(
            irregularity=factories.IrregularityFactory.build(
                mission=mission, round=election_round, station=station
            ),
            by=staff,
        )

    _due_an_hour_ago(election_round)
    _login(client, staff)
    url = reverse("observation:alerts", args=[mission.pk])
    one_of_each_kind()
    client.get(url, {"show": "all"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"show": "all"})
    for _more in range(3):
        one_of_each_kind()
    client.get(url, {"show": "all"})

    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"show": "all"})

    assert len(response.context["page"].object_list) == 13
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_progress_page_counts_the_alerts_to_acknowledge(
    client, mission, election_round, plan, staff
):
    _due_an_hour_ago(election_round)
    _login(client, staff)

    data = client.get(
        reverse("observation:round_progress_json", args=[mission.pk, election_round.pk])
    ).json()

    assert data["cells"]["alerts:open"] == 1
