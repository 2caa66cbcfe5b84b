"""One rule, both doors: each rule of the mission's records holds the same through
the web app and through the admin, with a readable refusal and nothing written."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from observation.models import ElectionRound, Irregularity, ObserverReport
from tests import factories
from tests.observation.admin.conftest import (
    _action,
    _inline_row,
    _messages,
    _report_form_data,
    _statement_form_data,
)
from tests.observation.test_reports import report_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def runoff(mission):
    return factories.ElectionRoundFactory(
        mission=mission,
        kind=ElectionRound.Kind.RUNOFF,
        election_day=datetime.date(2000, 5, 28),
        observed=False,
        not_observed_reason="Fundamental flaws were not rectified.",
    )


# A round the mission did not observe takes no reports.


def test_web_form_refuses_a_report_on_a_round_not_observed(client, staff, mission, setting, runoff):
    client.force_login(staff)
    data = report_data({**setting, "round": runoff})
    response = client.post(reverse("observation:report_create", args=[mission.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].has_error("round")
    assert not ObserverReport.objects.exists()


def test_admin_refuses_a_report_on_a_round_not_observed(client, superuser, mission, runoff):
    report = factories.ObserverReportFactory(mission=mission)
    client.force_login(superuser)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    response = client.post(url, _report_form_data(report, round=runoff.pk))
    assert response.status_code == 200
    # The mission is known: its observed rounds are the only choices, as on the web form.
    assert response.context["adminform"].form.errors["round"] == [
        "Choose one of this mission's observed rounds."
    ]
    report.refresh_from_db()
    assert report.round != runoff

    # Adding, the mission is chosen on the same form: the report itself refuses the round.
    data = _report_form_data(report, round=runoff.pk, submission_id=str(uuid.uuid4()))
    response = client.post(reverse("admin:observation_observerreport_add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [error.code for error in form.errors.as_data()["round"]] == ["round_not_observed"]
    assert ObserverReport.objects.count() == 1


def test_a_round_with_reports_stays_observed_in_the_admin(client, superuser, mission):
    report = factories.ObserverReportFactory(mission=mission)
    round_ = report.round
    client.force_login(superuser)
    url = reverse("admin:observation_electionround_change", args=[round_.pk])
    data = {
        "kind": round_.kind,
        "election_day": "2000-04-09",
        "observed": "",
        "not_observed_reason": "Declined.",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This round has observer reports" in str(response.context["adminform"].form.errors)
    round_.refresh_from_db()
    assert round_.observed


def test_a_round_with_reports_stays_observed_whoever_asks(mission):
    round_ = factories.ObserverReportFactory(mission=mission).round
    round_.observed, round_.not_observed_reason = False, "Declined."
    with pytest.raises(ValidationError) as refused:
        round_.full_clean()
    assert refused.value.error_dict["observed"][0].code == "round_has_reports"


# A national irregularity logged from a report stays national when the report is edited.


def _national(report):
    return factories.IrregularityFactory(
        mission=report.mission, round=report.round, station=None, report=report
    )


def test_web_edit_keeps_a_national_irregularity_national(client, staff, mission, setting):
    report = factories.ObserverReportFactory(mission=mission, **setting)
    national = _national(report)
    moved_to = factories.PollingStationFactory(mission=mission, code="LIM-002")
    client.force_login(staff)
    data = report_data(setting, station=moved_to.code, version=report.version)
    data.update(
        {
            "irregularities-TOTAL_FORMS": "1",
            "irregularities-INITIAL_FORMS": "1",
            **_inline_row(national, description="Results centre closed to observers."),
        }
    )
    url = reverse("observation:report_edit", args=[mission.pk, report.pk])
    assert client.post(url, data).status_code == 302
    national.refresh_from_db()
    assert national.description == "Results centre closed to observers."
    assert national.station is None
    report.refresh_from_db()
    assert report.station == moved_to


def test_admin_edit_keeps_a_national_irregularity_national(client, superuser, mission):
    report = factories.ObserverReportFactory(mission=mission)
    national = _national(report)
    moved_to = factories.PollingStationFactory(mission=mission)
    client.force_login(superuser)
    data = _report_form_data(report, station=moved_to.pk)
    data.update(
        {
            "irregularities-TOTAL_FORMS": 1,
            "irregularities-INITIAL_FORMS": 1,
            **_inline_row(national),
        }
    )
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    assert client.post(url, data).status_code == 302
    national.refresh_from_db()
    assert national.station is None
    assert national.round == report.round


# What a reviewer decided on, occurrence time included, no longer changes.


def test_admin_keeps_a_reviewed_irregularitys_time(client, superuser, mission, leader):
    occurred = datetime.datetime(2000, 4, 9, 8, 0, tzinfo=datetime.UTC)
    irregularity = factories.IrregularityFactory(mission=mission, occurred_at=occurred)
    irregularity.verify(by=leader)
    client.force_login(superuser)
    url = reverse("admin:observation_irregularity_change", args=[irregularity.pk])
    data = {
        "round": irregularity.round_id,
        "station": irregularity.station_id,
        "occurred_at_0": "2000-04-09",
        "occurred_at_1": "23:00",
        "reported_by": "",
    }
    response = client.post(url, data)
    # The time is read-only on a reviewed irregularity: the save goes through without it.
    assert response.status_code == 302
    irregularity.refresh_from_db()
    assert irregularity.occurred_at == occurred


def test_a_reviewed_irregularitys_time_is_refused_whoever_asks(mission, leader):
    irregularity = factories.IrregularityFactory(mission=mission)
    irregularity.verify(by=leader)
    irregularity.occurred_at = datetime.datetime(2000, 4, 9, 23, 0, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError) as refused:
        irregularity.full_clean()
    assert refused.value.error_dict["__all__"][0].code == "irregularity_reviewed"


# The overvote that overvote detection raised goes only with corrected figures.


@pytest.fixture
def overvote(mission, staff):
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=400, saved_by=staff)
    return report.irregularities.get(raised_by_system=True)


def test_admin_cannot_delete_a_standing_overvote(client, superuser, overvote):
    client.force_login(superuser)
    url = reverse("admin:observation_irregularity_delete", args=[overvote.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert any("Overvote detection raised this irregularity" in m for m in _messages(response))
    response = _action(client, "irregularity", "delete_selected", [overvote], post="yes")
    assert any("nothing was deleted" in m for m in _messages(response))
    assert Irregularity.objects.filter(pk=overvote.pk).exists()


def test_correcting_the_report_on_the_web_removes_the_overvote(client, staff, mission, overvote):
    report = overvote.report
    with pytest.raises(ValidationError):
        overvote.delete()
    client.force_login(staff)
    setting = {"round": report.round, "station": report.station, "observer": report.observer}
    data = report_data(
        setting, ballots_cast="100", station=report.station.code, version=report.version
    )
    url = reverse("observation:report_edit", args=[mission.pk, report.pk])
    assert client.post(url, data).status_code == 302
    assert not Irregularity.objects.filter(pk=overvote.pk).exists()


# A statement holds text, not active content, whichever door it comes through.


def test_admin_refuses_a_statement_body_with_a_script(client, superuser, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    client.force_login(superuser)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    data = _statement_form_data(statement, body="Results <script>alert(1)</script>")
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [error.code for error in form.errors.as_data()["body"]] == ["active_content"]
    statement.refresh_from_db()
    assert "script" not in statement.body


# Locking records who locked, from the mission page as from the admin.


def test_leader_locks_and_unlocks_the_mission_from_its_page(client, leader, mission):
    client.force_login(leader)
    response = client.post(
        reverse("observation:mission_lock", args=[mission.pk]),
        {"reason": "Final report published."},
        follow=True,
    )
    mission.refresh_from_db()
    assert mission.locked_by == leader
    assert "Mission locked" in _messages(response)[0]
    # Locked, the page offers to unlock, and no longer to log a report.
    page = response.content.decode()
    assert reverse("observation:mission_unlock", args=[mission.pk]) in page
    assert reverse("observation:report_create", args=[mission.pk]) not in page
    client.post(
        reverse("observation:mission_unlock", args=[mission.pk]),
        {"reason": "Typo in the final report."},
    )
    mission.refresh_from_db()
    assert not mission.is_locked
    # Each reason is kept in the mission's history.
    assert [h.history_change_reason for h in mission.history.order_by("history_id")][-2:] == [
        "Final report published.",
        "Typo in the final report.",
    ]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 101])
def test_locking_without_a_fitting_reason_is_refused_and_changes_nothing(
    client, leader, mission, reason
):
    client.force_login(leader)
    response = client.post(
        reverse("observation:mission_lock", args=[mission.pk]), {"reason": reason}, follow=True
    )
    mission.refresh_from_db()
    assert not mission.is_locked
    assert "Say why" in _messages(response)[0]


def test_a_reviewer_cannot_lock_the_mission_from_its_page(client, reviewer, mission):
    client.force_login(reviewer)
    page = client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()
    assert reverse("observation:mission_lock", args=[mission.pk]) not in page
    response = client.post(reverse("observation:mission_lock", args=[mission.pk]))
    assert response.status_code == 403
    mission.refresh_from_db()
    assert not mission.is_locked


# The admin allows no more than the site: the policy table's roles hold there too.


def _admin_member(mission, role, *codenames):
    from tests.observation.admin.conftest import _admin_user

    user = factories.MissionMembershipFactory(mission=mission, role=role).user
    return _admin_user(user, *codenames)


def test_staff_with_model_permissions_cannot_edit_a_draft_or_the_mission_in_the_admin(
    client, mission
):
    staff = _admin_member(
        mission, "staff", "view_findingsstatement", "change_findingsstatement", "change_mission"
    )
    statement = factories.FindingsStatementFactory(mission=mission, title="Draft")
    client.force_login(staff)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    response = client.post(url, _statement_form_data(statement, title="Rewritten by staff"))
    # Read-only for staff: the page shows the draft, and a save is forbidden.
    assert client.get(url).status_code == 200
    assert response.status_code == 403
    statement.refresh_from_db()
    assert statement.title == "Draft"
    mission_url = reverse("admin:observation_mission_change", args=[mission.pk])
    response = client.post(mission_url, {"name": "Renamed by staff"})
    assert response.status_code == 403
    mission.refresh_from_db()
    assert mission.name != "Renamed by staff"


def test_a_reviewer_with_model_permissions_edits_a_draft_in_the_admin(client, mission):
    reviewer = _admin_member(
        mission, "reviewer", "view_findingsstatement", "change_findingsstatement"
    )
    statement = factories.FindingsStatementFactory(mission=mission, title="Draft")
    client.force_login(reviewer)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    response = client.post(url, _statement_form_data(statement, title="Reviewed draft"))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.title == "Reviewed draft"


# Nobody changes their own role, in the admin or anywhere else.


def test_a_leader_cannot_change_their_own_membership(leader, mission):
    from observation import services

    own = leader.mission_memberships.get(mission=mission)
    own.role = "staff"
    with pytest.raises(ValidationError) as refused:
        services.membership_save(membership=own, by=leader)
    assert refused.value.code == "own_membership"
    with pytest.raises(ValidationError):
        services.membership_delete(membership=own, by=leader)
    own.refresh_from_db()
    assert own.role == "leader"


def test_reports_in_bulk_are_refused_on_a_locked_mission(mission, setting, superuser):
    from observation import services
    from observation.models import MissionLockedError

    mission.lock(by=superuser)
    reports = [ObserverReport(mission=mission, phase="voting", ballots_cast=400, **setting)]
    with pytest.raises(MissionLockedError):
        services.report_bulk_create(reports=reports, by=superuser)
    assert not ObserverReport.objects.exists()


def test_the_admin_names_only_the_users_missions_and_people(client, mission):
    other = factories.MissionFactory(name="Another country's 2001 elections")
    hidden = factories.DelegationMemberFactory(
        mission=other, person=factories.PersonFactory(full_name="Observer Elsewhere")
    )
    factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name="Observer Here")
    )
    staff = _admin_member(mission, "staff", "view_observerreport", "view_person")
    # On two missions, so that the admin shows its "By mission" filter.
    second = factories.MissionMembershipFactory(user=staff, role="staff").mission
    client.force_login(staff)
    reports = client.get(reverse("admin:observation_observerreport_changelist"))
    assert mission.name in reports.content.decode()
    assert second.name in reports.content.decode()
    assert other.name not in reports.content.decode()
    people = client.get(reverse("admin:observation_person_changelist")).content.decode()
    assert "Observer Here" in people
    assert hidden.person.full_name not in people
    search = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "Observer",
            "app_label": "observation",
            "model_name": "delegationmember",
            "field_name": "person",
        },
    )
    assert "Observer Elsewhere" not in search.content.decode()
