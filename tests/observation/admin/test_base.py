"""What every observation admin shares: the lock, scoped history, roles across missions,
the version check and the lifecycle actions' note and role rules (observation/admin/base.py)."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from observation.models import Irregularity, Mission, ObserverReport
from tests import factories
from tests.observation.admin.conftest import (
    _action,
    _admin_user,
    _messages,
    _permissions,
    _report_form_data,
    _statement_form_data,
)

pytestmark = pytest.mark.django_db


def test_every_model_has_a_working_changelist_and_add_page(admin_client, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    factories.RecommendationFactory(statement=statement)
    factories.IrregularityFactory(mission=mission)
    factories.MissionPartnerFactory(mission=mission)
    factories.MissionMembershipFactory(mission=mission)
    names = [
        "organization",
        "person",
        "mission",
        "missionpartner",
        "missionmembership",
        "delegationmember",
        "electionround",
        "pollingstation",
        "observerreport",
        "irregularitycategory",
        "irregularity",
        "findingsstatement",
        "recommendation",
    ]
    for name in names:
        for page in ("changelist", "add"):
            response = admin_client.get(reverse(f"admin:observation_{name}_{page}"))
            assert response.status_code == 200, (name, page)


# Actions follow the transition rules.


def test_verify_action_refuses_an_irregularity_already_reviewed(admin_client, mission, leader):
    irregularity = factories.IrregularityFactory(mission=mission)
    irregularity.dismiss(by=leader, note="Not confirmed.")
    response = _action(admin_client, "irregularity", "verify", [irregularity])
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.DISMISSED
    assert irregularity.reviewed_by == leader
    assert any("already dismissed" in message for message in _messages(response))


def test_dismiss_action_asks_for_a_note_first(admin_client, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    response = _action(admin_client, "irregularity", "dismiss", [irregularity])
    assert response.templates[0].name == "admin/observation/action_note.html"
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED


def test_dismiss_action_refuses_an_empty_note(admin_client, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    url = reverse("admin:observation_irregularity_changelist")
    data = {
        "action": "dismiss",
        helpers.ACTION_CHECKBOX_NAME: [irregularity.pk],
        "apply": "1",
        "note": "  ",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED


def test_review_action_needs_a_reviewer_role_on_the_mission(client, mission, staff):
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*_permissions("view_irregularity", "change_irregularity"))
    client.force_login(staff)
    irregularity = factories.IrregularityFactory(mission=mission)
    response = _action(client, "irregularity", "verify", [irregularity])
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED
    assert any("your role" in message for message in _messages(response))


def test_staff_user_sees_only_their_missions_records_in_the_admin(client, mission, staff):
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*_permissions("view_irregularity"))
    client.force_login(staff)
    mine = factories.IrregularityFactory(mission=mission)
    factories.IrregularityFactory()
    response = client.get(reverse("admin:observation_irregularity_changelist"))
    assert list(response.context["cl"].result_list) == [mine]


# A locked mission is read-only in the admin.


@pytest.fixture
def locked_records(mission, superuser):
    report = factories.ObserverReportFactory(mission=mission)
    irregularity = factories.IrregularityFactory(
        mission=mission, report=report, station=report.station, round=report.round
    )
    statement = factories.FindingsStatementFactory(mission=mission)
    recommendation = factories.RecommendationFactory(statement=statement)
    mission.lock(by=superuser)
    return {
        "mission": mission,
        "observerreport": report,
        "irregularity": irregularity,
        "findingsstatement": statement,
        "recommendation": recommendation,
        "pollingstation": report.station,
        "electionround": report.round,
    }


def test_locked_missions_records_show_read_only(admin_client, locked_records):
    for name, obj in locked_records.items():
        response = admin_client.get(reverse(f"admin:observation_{name}_change", args=[obj.pk]))
        assert response.status_code == 200
        assert response.context["has_change_permission"] is False, name
        assert response.context["has_delete_permission"] is False, name
        for inline in response.context["inline_admin_formsets"]:
            assert not inline.has_add_permission, (name, inline.formset.prefix)
            assert not inline.has_change_permission, (name, inline.formset.prefix)
            assert not inline.has_delete_permission, (name, inline.formset.prefix)


def test_locked_missions_report_refuses_a_post(admin_client, locked_records):
    report = locked_records["observerreport"]
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    response = admin_client.post(url, _report_form_data(report, ballots_cast=5))
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.ballots_cast == 120


def test_bulk_delete_refuses_a_locked_missions_records(admin_client, locked_records):
    report = locked_records["observerreport"]
    response = _action(admin_client, "observerreport", "delete_selected", [report], post="yes")
    assert ObserverReport.objects.filter(pk=report.pk).exists()
    assert any("nothing was deleted" in message for message in _messages(response))


def test_bulk_delete_refuses_a_locked_mission(admin_client, locked_records):
    mission = locked_records["mission"]
    _action(admin_client, "mission", "delete_selected", [mission], post="yes")
    assert Mission.objects.filter(pk=mission.pk).exists()


def test_adding_a_report_to_a_locked_mission_shows_why_not(admin_client, locked_records):
    report = locked_records["observerreport"]
    count = ObserverReport.objects.count()
    url = reverse("admin:observation_observerreport_add")
    response = admin_client.post(url, _report_form_data(report))
    assert response.status_code == 200
    assert "is locked" in str(response.context["adminform"].form.non_field_errors())
    assert ObserverReport.objects.count() == count


def test_bulk_delete_of_an_open_missions_reports_still_works(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission)
    _action(admin_client, "observerreport", "delete_selected", [report], post="yes")
    assert not ObserverReport.objects.filter(pk=report.pk).exists()


def test_history_cannot_be_reverted_in_the_admin(admin_client, mission, leader):
    irregularity = factories.IrregularityFactory(mission=mission)
    first = irregularity.history.earliest()
    irregularity.verify(by=leader)
    url = reverse(
        "admin:observation_irregularity_simple_history", args=[irregularity.pk, first.history_id]
    )
    assert admin_client.post(url, {"description": "Reverted"}).status_code == 403
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.VERIFIED


# Admin users who are not superusers act within their missions and roles.


def test_history_pages_of_another_missions_record_are_not_found(client, mission, stranger):
    # simple-history falls back to its history table for a record the admin's queryset
    # does not hold, so these pages showed another mission's irregularity.
    client.force_login(_admin_user(stranger, "view_irregularity"))
    irregularity = factories.IrregularityFactory(mission=mission, description="Secret")
    record = irregularity.history.earliest()
    history = reverse("admin:observation_irregularity_history", args=[irregularity.pk])
    version = reverse(
        "admin:observation_irregularity_simple_history", args=[irregularity.pk, record.history_id]
    )
    assert client.get(history).status_code == 404
    assert client.get(version).status_code == 404


def test_history_pages_of_a_deleted_record_are_not_found(client, mission, staff):
    client.force_login(_admin_user(staff, "view_irregularity"))
    irregularity = factories.IrregularityFactory(mission=mission)
    pk = irregularity.pk
    irregularity.delete()
    assert (
        client.get(reverse("admin:observation_irregularity_history", args=[pk])).status_code == 404
    )


def test_history_pages_of_own_missions_record_still_show(client, mission, staff):
    client.force_login(_admin_user(staff, "view_irregularity"))
    irregularity = factories.IrregularityFactory(mission=mission)
    record = irregularity.history.earliest()
    history = reverse("admin:observation_irregularity_history", args=[irregularity.pk])
    version = reverse(
        "admin:observation_irregularity_simple_history", args=[irregularity.pk, record.history_id]
    )
    assert client.get(history).status_code == 200
    assert client.get(version).status_code == 200


def test_staff_admin_user_cannot_add_a_station_to_another_mission(client, mission, staff):
    client.force_login(_admin_user(staff, "view_pollingstation", "add_pollingstation"))
    other = factories.MissionFactory()
    data = {"mission": other.pk, "code": "001", "name": "School", "registered_voters": 300}
    response = client.post(reverse("admin:observation_pollingstation_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["mission"]
    assert not other.stations.exists()


def test_staff_admin_user_adds_a_station_to_their_mission(client, mission, staff):
    client.force_login(_admin_user(staff, "view_pollingstation", "add_pollingstation"))
    data = {"mission": mission.pk, "code": "001", "name": "School", "registered_voters": 300}
    assert client.post(reverse("admin:observation_pollingstation_add"), data).status_code == 302
    assert mission.stations.filter(code="001").exists()


# An admin save based on an older version is refused, as on the web.


def test_stale_report_save_is_refused(admin_client, mission):
    # The admin bumped the version it read, so it saved over a web edit made meanwhile.
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=100)
    loaded = _report_form_data(report, ballots_cast=150)
    report.ballots_cast = 120
    report.version += 1
    report.save()
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    response = admin_client.post(url, loaded)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Someone else saved this report" in str(form.non_field_errors())
    assert "ballots cast" in str(form.non_field_errors())
    report.refresh_from_db()
    assert (report.ballots_cast, report.version) == (120, 2)
    # The page now carries the current version: saving again, knowingly, goes through.
    assert form.data["version"] == 2
    assert admin_client.post(url, {**loaded, "version": 2}).status_code == 302
    report.refresh_from_db()
    assert (report.ballots_cast, report.version) == (150, 3)


def test_report_save_without_its_version_is_refused(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=100)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    response = admin_client.post(url, _report_form_data(report, ballots_cast=150, version=""))
    assert response.status_code == 200
    # The version is a hidden field: its error shows among the form's own.
    assert "The form lost its version" in " ".join(
        response.context["adminform"].form.non_field_errors()
    )
    report.refresh_from_db()
    assert report.ballots_cast == 100


def test_stale_statement_save_is_refused(admin_client, mission):
    statement = factories.FindingsStatementFactory(mission=mission, title="First")
    loaded = _statement_form_data(statement, title="From the admin")
    statement.title = "From the web"
    statement.version += 1
    statement.save()
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    response = admin_client.post(url, loaded)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "Someone else saved this statement" in str(form.non_field_errors())
    statement.refresh_from_db()
    assert (statement.title, statement.version) == ("From the web", 2)


def test_statement_save_bumps_its_version(admin_client, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    assert admin_client.post(url, _statement_form_data(statement, title="New")).status_code == 302
    statement.refresh_from_db()
    assert (statement.title, statement.version) == ("New", 2)
