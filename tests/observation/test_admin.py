import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from observation.models import (
    FindingsStatement,
    Irregularity,
    Mission,
    MissionMembership,
    ObserverReport,
    Recommendation,
)
from observation.overvote import sync_overvote
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


def _reports(mission, count):
    factories.ObserverReportFactory.create_batch(
        count,
        mission=mission,
        round=factories.ElectionRoundFactory(mission=mission),
        station=factories.PollingStationFactory(mission=mission),
        observer=factories.DelegationMemberFactory(mission=mission),
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _action(client, model, action, objects, **extra):
    url = reverse(f"admin:observation_{model}_changelist")
    data = {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects],
        "index": 0,
        **extra,
    }
    return client.post(url, data, follow=True)


# Query counts: the tables that grow load in the same queries at 1 and at 50 rows.
# The first request of each test warms Django's content-type cache and is not counted.


def test_report_changelist_queries_do_not_grow_with_rows(
    admin_client, mission, django_assert_num_queries
):
    url = reverse("admin:observation_observerreport_changelist")
    _reports(mission, 1)
    _get(admin_client, url)
    for more in (0, 49):
        _reports(mission, more)
        # Session, user, the missions for the filter, the count of the filtered
        # reports, and the page of reports with mission, round, station and the
        # observer's person joined in.
        with django_assert_num_queries(5):
            _get(admin_client, url)


def test_irregularity_changelist_queries_do_not_grow_with_rows(
    admin_client, mission, django_assert_num_queries
):
    url = reverse("admin:observation_irregularity_changelist")
    factories.IrregularityFactory(mission=mission)
    _get(admin_client, url)
    for more in (0, 49):
        factories.IrregularityFactory.create_batch(more, mission=mission)
        # Session, user, the categories and the missions for the filters, the count
        # of the filtered irregularities, and the page with category, station, round
        # and mission joined in.
        with django_assert_num_queries(6):
            _get(admin_client, url)


def test_report_change_page_queries_do_not_grow_with_its_irregularities(
    admin_client, mission, django_assert_num_queries
):
    report = factories.ObserverReportFactory(mission=mission)
    where = {"mission": mission, "round": report.round, "station": report.station}
    factories.IrregularityFactory(report=report, **where)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    _get(admin_client, url)
    for more in (0, 49):
        factories.IrregularityFactory.create_batch(more, report=report, **where)
        factories.PollingStationFactory.create_batch(more, mission=mission)
        # Session, user, the report with mission, round and station joined in; whether
        # any of its irregularities was reviewed (then it cannot be deleted); the
        # categories, read once for each of the three times the admin builds the inline
        # formset (never per row); the inline's irregularities with category and
        # station; the read-only list of raised or reviewed irregularities with category
        # and station; the selected round, station and observer team (with person) of
        # the autocomplete widgets: never a list of every station.
        with django_assert_num_queries(12):
            response = _get(admin_client, url)
    assert len(response.context["inline_admin_formsets"][0].formset.forms) == 50


def test_irregularity_change_page_queries_do_not_grow_with_rows(
    admin_client, mission, django_assert_num_queries
):
    report = factories.ObserverReportFactory(mission=mission)
    where = {"mission": mission, "round": report.round, "station": report.station}
    irregularity = factories.IrregularityFactory(report=report, **where)
    url = reverse("admin:observation_irregularity_change", args=[irregularity.pk])
    _get(admin_client, url)
    for more in (0, 49):
        factories.IrregularityFactory.create_batch(more, report=report, **where)
        factories.ObserverReportFactory.create_batch(more, mission=mission, round=report.round)
        # Session, user, the irregularity with mission, category and station joined
        # in, and the selected round, station, report (with its station and round)
        # and category of the autocomplete widgets.
        with django_assert_num_queries(7):
            _get(admin_client, url)


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


def test_mission_change_page_shows_its_inlines(admin_client, mission):
    factories.DelegationMemberFactory(mission=mission)
    factories.ElectionRoundFactory(mission=mission)
    factories.MissionPartnerFactory(mission=mission)
    response = admin_client.get(reverse("admin:observation_mission_change", args=[mission.pk]))
    assert response.status_code == 200
    prefixes = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert prefixes == {"partnerships", "delegation", "rounds", "memberships"}


# Saving a report runs overvote detection.


def _report_form_data(report, **changes):
    data = {
        "mission": report.mission_id,
        "round": report.round_id,
        "station": report.station_id,
        "observer": report.observer_id or "",
        "phase": report.phase,
        "arrived_at_0": "2000-04-09",
        "arrived_at_1": "09:00",
        "departed_at_0": "2000-04-09",
        "departed_at_1": "10:00",
        "ballots_cast": report.ballots_cast,
        "assessment": report.assessment,
        "notes": "",
        "entered_by": "",
        "version": report.version,
        "irregularities-TOTAL_FORMS": 0,
        "irregularities-INITIAL_FORMS": 0,
        "irregularities-MIN_NUM_FORMS": 0,
        "irregularities-MAX_NUM_FORMS": 1000,
    }
    for name in ObserverReport.CHECKLIST:
        data[name] = "unknown"
    return {**data, **changes}


def test_saving_a_report_in_the_admin_raises_an_overvote(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=100)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    data = _report_form_data(report, ballots_cast=301)
    response = admin_client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "an overvote irregularity was raised" in " ".join(_messages(response))
    overvote = Irregularity.objects.get(report=report, raised_by_system=True)
    assert "301 ballots cast" in overvote.description
    report.refresh_from_db()
    assert report.version == 2


def test_adding_an_irregularity_inline_takes_the_reports_station_and_round(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    data = _report_form_data(
        report,
        **{
            "irregularities-TOTAL_FORMS": 1,
            "irregularities-0-category": factories.category("late_opening").pk,
            "irregularities-0-severity": Irregularity.Severity.MINOR,
            "irregularities-0-evidence": Irregularity.Evidence.OBSERVED,
            "irregularities-0-description": "Opened at 9:40.",
        },
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    irregularity = Irregularity.objects.get(report=report)
    assert (irregularity.mission, irregularity.station, irregularity.round) == (
        mission,
        report.station,
        report.round,
    )


def test_moving_a_report_carries_its_irregularities_along(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission)
    where = {"mission": mission, "round": report.round, "station": report.station}
    logged = factories.IrregularityFactory(report=report, **where)
    national = factories.IrregularityFactory(report=report, mission=mission, station=None)
    moved_to = factories.PollingStationFactory(mission=mission)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    data = _report_form_data(
        report,
        station=moved_to.pk,
        **{
            "irregularities-TOTAL_FORMS": 1,
            "irregularities-0-category": factories.category("late_opening").pk,
            "irregularities-0-severity": Irregularity.Severity.MINOR,
            "irregularities-0-evidence": Irregularity.Evidence.OBSERVED,
            "irregularities-0-description": "Opened at 9:40.",
        },
    )
    assert admin_client.post(url, data).status_code == 302
    assert report.irregularities.filter(station=moved_to).count() == 2
    logged.refresh_from_db()
    national.refresh_from_db()
    assert logged.station == moved_to
    assert national.station is None


def test_adding_a_mission_with_its_rounds_and_members(admin_client, user):
    lead = factories.OrganizationFactory(name="The Carter Center")
    inline_forms = {
        prefix: {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for prefix in ("partnerships", "delegation", "rounds", "memberships")
    }
    data = {
        "name": "Peru 2000 general elections",
        "country": "PE",
        "time_zone": "America/Lima",
        "election": "2000 general elections",
        "kind": Mission.Kind.FULL,
        "status": Mission.Status.ACTIVE,
        "lead_organization": lead.pk,
        "start_date": "2000-03-01",
        "end_date": "2000-07-31",
        "area_label_1": "Department",
        **inline_forms["partnerships"],
        **inline_forms["delegation"],
        **{
            **inline_forms["rounds"],
            "rounds-TOTAL_FORMS": 2,
            "rounds-0-kind": "first_round",
            "rounds-0-election_day": "2000-04-09",
            "rounds-0-observed": "on",
            "rounds-1-kind": "runoff",
            "rounds-1-election_day": "2000-05-28",
            "rounds-1-not_observed_reason": "Fundamental flaws were not rectified.",
        },
        **{
            **inline_forms["memberships"],
            "memberships-TOTAL_FORMS": 1,
            "memberships-0-user": user.pk,
            "memberships-0-role": MissionMembership.Role.LEADER,
        },
    }
    response = admin_client.post(reverse("admin:observation_mission_add"), data)
    assert response.status_code == 302
    mission = Mission.objects.get(name="Peru 2000 general elections")
    assert mission.rounds.count() == 2
    assert mission.rounds.get(kind="runoff").observed is False
    assert mission.role_of(user) == MissionMembership.Role.LEADER


def test_adding_a_round_not_observed_without_a_reason_is_refused(admin_client, mission):
    url = reverse("admin:observation_electionround_add")
    data = {"mission": mission.pk, "kind": "runoff", "election_day": "2000-05-28"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["not_observed_reason"]
    assert mission.rounds.count() == 0


def test_correcting_a_stations_register_in_the_admin_resyncs_its_reports(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=250)
    station = report.station
    url = reverse("admin:observation_pollingstation_change", args=[station.pk])
    data = {
        "code": station.code,
        "name": station.name,
        "area_1": station.area_1,
        "registered_voters": 200,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert Irregularity.objects.filter(report=report, raised_by_system=True).exists()


def test_adding_an_irregularity_records_who_reported_it(admin_client, superuser, mission):
    station = factories.PollingStationFactory(mission=mission)
    data = {
        "mission": mission.pk,
        "round": factories.ElectionRoundFactory(mission=mission).pk,
        "station": station.pk,
        "category": factories.category("intimidation").pk,
        "severity": Irregularity.Severity.SERIOUS,
        "evidence": Irregularity.Evidence.CREDIBLE_SOURCE,
        "description": "Police questioned voters in the queue.",
    }
    response = admin_client.post(reverse("admin:observation_irregularity_add"), data)
    assert response.status_code == 302
    assert Irregularity.objects.get().reported_by == superuser


def test_adding_an_irregularity_by_hand_refuses_the_overvote_category(admin_client, mission):
    data = {
        "mission": mission.pk,
        "category": factories.category("overvote").pk,
        "severity": Irregularity.Severity.SERIOUS,
        "evidence": Irregularity.Evidence.ALLEGED,
        "description": "Too many ballots.",
    }
    response = admin_client.post(reverse("admin:observation_irregularity_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["category"]
    assert not Irregularity.objects.exists()


def test_system_raised_irregularity_keeps_its_report_and_category(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=400)
    sync_overvote(report=report)
    overvote = Irregularity.objects.get(report=report)
    url = reverse("admin:observation_irregularity_change", args=[overvote.pk])
    form = admin_client.get(url).context["adminform"].form
    assert not {"report", "station", "round", "category"} & set(form.fields)


# Actions follow the transition rules.


def test_verify_action_verifies_and_records_the_reviewer(admin_client, superuser, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    response = _action(admin_client, "irregularity", "verify", [irregularity])
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.VERIFIED
    assert irregularity.reviewed_by == superuser
    assert "Verified 1 irregularity." in _messages(response)


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


def test_dismiss_action_with_a_note_dismisses(admin_client, superuser, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    url = reverse("admin:observation_irregularity_changelist")
    data = {
        "action": "dismiss",
        helpers.ACTION_CHECKBOX_NAME: [irregularity.pk],
        "apply": "1",
        "note": "The observer misread the tally sheet.",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.DISMISSED
    assert irregularity.review_note == "The observer misread the tally sheet."
    assert irregularity.reviewed_by == superuser


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


def _permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="observation", codename__in=codenames)


def test_staff_user_sees_only_their_missions_records_in_the_admin(client, mission, staff):
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(*_permissions("view_irregularity"))
    client.force_login(staff)
    mine = factories.IrregularityFactory(mission=mission)
    factories.IrregularityFactory()
    response = client.get(reverse("admin:observation_irregularity_changelist"))
    assert list(response.context["cl"].result_list) == [mine]


def test_statement_moves_through_its_lifecycle_by_actions(admin_client, superuser, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    for action, status in [
        ("submit_for_review", FindingsStatement.Status.IN_REVIEW),
        ("approve", FindingsStatement.Status.APPROVED),
        ("publish", FindingsStatement.Status.PUBLISHED),
    ]:
        _action(admin_client, "findingsstatement", action, [statement])
        statement.refresh_from_db()
        assert statement.status == status
    assert statement.published_by == superuser
    assert statement.published_at is not None


def test_statement_action_refuses_an_illegal_move(admin_client, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    response = _action(admin_client, "findingsstatement", "publish", [statement])
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.DRAFT
    assert any("Only an approved statement" in message for message in _messages(response))


def test_return_to_draft_action_records_the_reason(admin_client, superuser, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=superuser)
    url = reverse("admin:observation_findingsstatement_changelist")
    data = {
        "action": "return_to_draft",
        helpers.ACTION_CHECKBOX_NAME: [statement.pk],
        "apply": "1",
        "note": "Cite the tabulation delays.",
    }
    assert admin_client.post(url, data).status_code == 302
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.DRAFT
    assert statement.return_reason == "Cite the tabulation delays."
    assert statement.returned_by == superuser


def test_statement_form_refuses_citations_from_another_mission(admin_client, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    foreign = factories.IrregularityFactory()
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    data = {
        "kind": statement.kind,
        "title": statement.title,
        "issued_on": "2000-04-10",
        "body": statement.body,
        "cited_irregularities": [foreign.pk],
        "recommendations-TOTAL_FORMS": 0,
        "recommendations-INITIAL_FORMS": 0,
        "recommendations-MIN_NUM_FORMS": 0,
        "recommendations-MAX_NUM_FORMS": 1000,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["cited_irregularities"]
    assert not statement.cited_irregularities.exists()


def test_lock_and_unlock_actions_record_who(admin_client, superuser, mission):
    _action(admin_client, "mission", "lock", [mission])
    mission.refresh_from_db()
    assert mission.locked_by == superuser
    response = _action(admin_client, "mission", "lock", [mission])
    assert any("already locked" in message for message in _messages(response))
    _action(admin_client, "mission", "unlock", [mission])
    mission.refresh_from_db()
    assert not mission.is_locked


def test_lock_action_needs_a_leader(client, mission, reviewer):
    reviewer.is_staff = True
    reviewer.save()
    reviewer.user_permissions.add(*_permissions("view_mission", "change_mission"))
    client.force_login(reviewer)
    _action(client, "mission", "lock", [mission])
    mission.refresh_from_db()
    assert not mission.is_locked


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


def test_published_statement_is_read_only_but_follow_up_stays_open(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    recommendation = factories.RecommendationFactory(statement=statement)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    assert admin_client.get(url).context["has_change_permission"] is False

    url = reverse("admin:observation_recommendation_change", args=[recommendation.pk])
    data = {"follow_up": Recommendation.FollowUp.PARTIALLY, "follow_up_notes": "Law passed."}
    assert admin_client.post(url, data).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.follow_up == Recommendation.FollowUp.PARTIALLY
    assert recommendation.text == "Publish results by polling station."


def test_bulk_delete_refuses_a_published_statement(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    _action(admin_client, "findingsstatement", "delete_selected", [statement], post="yes")
    assert FindingsStatement.objects.filter(pk=statement.pk).exists()


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


def test_membership_admin_is_registered(admin_client, mission, staff):
    membership = MissionMembership.objects.get(user=staff)
    url = reverse("admin:observation_missionmembership_change", args=[membership.pk])
    assert admin_client.get(url).status_code == 200


# Admin users who are not superusers act within their missions and roles.


def _admin_user(user, *codenames):
    """`user` allowed into the admin with these model permissions (their missions still rule)."""
    user.is_staff = True
    user.save()
    user.user_permissions.add(*_permissions(*codenames))
    return user


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


def test_membership_history_of_a_mission_not_led_is_not_found(client, mission, staff, leader):
    client.force_login(_admin_user(staff, "view_missionmembership"))
    membership = MissionMembership.objects.get(user=leader)
    url = reverse("admin:observation_missionmembership_history", args=[membership.pk])
    assert client.get(url).status_code == 404


MEMBERSHIP_PERMISSIONS = (
    "view_missionmembership",
    "add_missionmembership",
    "change_missionmembership",
    "delete_missionmembership",
)


def test_staff_admin_user_cannot_promote_themselves(client, mission, staff):
    # Staff with the membership permissions could open their own membership and make
    # themselves leader.
    client.force_login(_admin_user(staff, *MEMBERSHIP_PERMISSIONS))
    membership = MissionMembership.objects.get(user=staff)
    url = reverse("admin:observation_missionmembership_change", args=[membership.pk])
    response = client.post(url, {"role": MissionMembership.Role.LEADER})
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    membership.refresh_from_db()
    assert membership.role == MissionMembership.Role.STAFF
    changelist = client.get(reverse("admin:observation_missionmembership_changelist"))
    assert list(changelist.context["cl"].result_list) == []


def test_staff_admin_user_cannot_join_another_mission(client, mission, staff):
    client.force_login(_admin_user(staff, *MEMBERSHIP_PERMISSIONS))
    other = factories.MissionFactory()
    count = MissionMembership.objects.count()
    data = {"user": staff.pk, "mission": other.pk, "role": MissionMembership.Role.LEADER}
    response = client.post(reverse("admin:observation_missionmembership_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["mission"]
    assert MissionMembership.objects.count() == count
    assert other.role_of(staff) is None


def test_leader_manages_memberships_of_their_missions_only(client, mission, leader, staff):
    client.force_login(_admin_user(leader, *MEMBERSHIP_PERMISSIONS))
    factories.MissionMembershipFactory()
    response = client.get(reverse("admin:observation_missionmembership_changelist"))
    assert set(response.context["cl"].result_list) == set(mission.memberships.all())

    membership = MissionMembership.objects.get(user=staff)
    url = reverse("admin:observation_missionmembership_change", args=[membership.pk])
    assert client.post(url, {"role": MissionMembership.Role.REVIEWER}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == MissionMembership.Role.REVIEWER


def test_leader_cannot_change_or_remove_their_own_membership(client, mission, leader):
    client.force_login(_admin_user(leader, *MEMBERSHIP_PERMISSIONS))
    own = MissionMembership.objects.get(user=leader)
    url = reverse("admin:observation_missionmembership_change", args=[own.pk])
    assert client.post(url, {"role": MissionMembership.Role.STAFF}).status_code == 403
    delete = reverse("admin:observation_missionmembership_delete", args=[own.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    own.refresh_from_db()
    assert own.role == MissionMembership.Role.LEADER


def test_mission_page_leaves_memberships_to_leaders(client, mission, staff, leader):
    # The mission page's membership rows were one more way for staff to promote themselves.
    client.force_login(
        _admin_user(staff, "view_mission", "change_mission", *MEMBERSHIP_PERMISSIONS)
    )
    response = client.get(reverse("admin:observation_mission_change", args=[mission.pk]))
    (memberships,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "memberships"
    ]
    assert not memberships.has_add_permission
    assert not memberships.has_change_permission
    assert not memberships.has_delete_permission

    client.force_login(
        _admin_user(leader, "view_mission", "change_mission", *MEMBERSHIP_PERMISSIONS)
    )
    response = client.get(reverse("admin:observation_mission_change", args=[mission.pk]))
    (memberships,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "memberships"
    ]
    assert memberships.has_change_permission
    # The leader's own row is not among those they may edit.
    assert {form.instance.user for form in memberships.formset.initial_forms} == {staff}


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


# Statements: only a draft is edited, and it cites only what may be cited.


def _statement_form_data(statement, **changes):
    data = {
        "kind": statement.kind,
        "title": statement.title,
        "issued_on": "2000-04-10",
        "body": statement.body,
        "cited_irregularities": [],
        "version": statement.version,
        "recommendations-TOTAL_FORMS": 0,
        "recommendations-INITIAL_FORMS": 0,
        "recommendations-MIN_NUM_FORMS": 0,
        "recommendations-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


@pytest.mark.parametrize("moves", [["submit_for_review"], ["submit_for_review", "approve"]])
def test_statement_past_draft_cannot_be_edited_in_the_admin(admin_client, mission, leader, moves):
    # An approved statement could be rewritten here and then published unreviewed.
    statement = factories.FindingsStatementFactory(mission=mission, title="As approved")
    for move in moves:
        getattr(statement, move)(by=leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    assert admin_client.get(url).context["has_change_permission"] is False
    response = admin_client.post(url, _statement_form_data(statement, title="Rewritten"))
    assert response.status_code == 403
    statement.refresh_from_db()
    assert statement.title == "As approved"


def test_recommendation_of_an_approved_statement_takes_only_follow_up(
    admin_client, mission, leader
):
    statement = factories.FindingsStatementFactory(mission=mission)
    recommendation = factories.RecommendationFactory(statement=statement)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    url = reverse("admin:observation_recommendation_change", args=[recommendation.pk])
    data = {
        "statement": statement.pk,
        "addressee": recommendation.addressee,
        "text": "Rewritten after approval.",
        "priority": recommendation.priority,
        "follow_up": Recommendation.FollowUp.PARTIALLY,
        "follow_up_notes": "Law passed.",
    }
    assert admin_client.post(url, data).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Publish results by polling station."
    assert recommendation.follow_up == Recommendation.FollowUp.PARTIALLY
    delete = reverse("admin:observation_recommendation_delete", args=[recommendation.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()


def test_statement_pages_recommendations_are_read_only_past_draft(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    factories.RecommendationFactory(statement=statement)
    statement.submit_for_review(by=leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    (recommendations,) = admin_client.get(url).context["inline_admin_formsets"]
    assert not recommendations.has_change_permission
    assert not recommendations.has_delete_permission


def _verified(mission, leader, **fields):
    irregularity = factories.IrregularityFactory(mission=mission, **fields)
    irregularity.verify(by=leader)
    return irregularity


@pytest.mark.parametrize("kind", ["unreviewed", "dismissed", "superseded"])
def test_statement_cites_only_verified_irregularities_still_standing(
    admin_client, mission, leader, kind
):
    statement = factories.FindingsStatementFactory(mission=mission)
    irregularity = factories.IrregularityFactory(mission=mission)
    if kind == "dismissed":
        irregularity.dismiss(by=leader, note="Not confirmed.")
    if kind == "superseded":
        irregularity.verify(by=leader)
        Irregularity.objects.filter(pk=irregularity.pk).update(superseded_at=timezone.now())
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    data = _statement_form_data(statement, cited_irregularities=[irregularity.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["cited_irregularities"]
    assert "only verified irregularities" in str(errors)
    assert not statement.cited_irregularities.exists()


def test_statement_cites_a_verified_irregularity_of_its_mission(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    irregularity = _verified(mission, leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    data = _statement_form_data(statement, cited_irregularities=[irregularity.pk])
    assert admin_client.post(url, data).status_code == 302
    assert list(statement.cited_irregularities.all()) == [irregularity]


def test_citation_search_offers_only_verified_irregularities_still_standing(
    admin_client, mission, leader
):
    verified = _verified(mission, leader)
    factories.IrregularityFactory(mission=mission)
    superseded = _verified(mission, leader)
    Irregularity.objects.filter(pk=superseded.pk).update(superseded_at=timezone.now())
    params = {
        "app_label": "observation",
        "model_name": "findingsstatement",
        "field_name": "cited_irregularities",
        "term": "",
    }
    response = admin_client.get(reverse("admin:autocomplete"), params)
    assert [result["id"] for result in response.json()["results"]] == [str(verified.pk)]


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
    assert response.context["adminform"].form.errors["version"]
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


# Irregularities: what overvote detection raised, or a review settled, stays as it is.


def _inline_row(irregularity, index=0, **changes):
    row = {
        "id": irregularity.pk,
        "report": irregularity.report_id,
        "category": irregularity.category_id,
        "severity": irregularity.severity,
        "evidence": irregularity.evidence,
        "description": irregularity.description,
        **changes,
    }
    return {f"irregularities-{index}-{name}": value for name, value in row.items()}


def test_report_inline_does_not_edit_the_system_raised_overvote(admin_client, mission):
    # The inline listed the overvote irregularity with its category, severity and
    # description open to edits.
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=400)
    sync_overvote(report=report)
    overvote = Irregularity.objects.get(report=report)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    response = _get(admin_client, url)
    (inline,) = response.context["inline_admin_formsets"]
    assert inline.formset.initial_forms == []
    assert reverse("admin:observation_irregularity_change", args=[overvote.pk]) in (
        response.content.decode()
    )

    tampered = _inline_row(overvote, severity=Irregularity.Severity.MINOR, description="Fine.")
    data = _report_form_data(
        report,
        **{"irregularities-TOTAL_FORMS": 1, "irregularities-INITIAL_FORMS": 1, **tampered},
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    overvote.refresh_from_db()
    assert overvote.severity == Irregularity.Severity.SERIOUS
    assert "ballots cast" in overvote.description


def test_report_inline_does_not_edit_a_reviewed_irregularity(admin_client, mission, leader):
    report = factories.ObserverReportFactory(mission=mission)
    where = {"mission": mission, "round": report.round, "station": report.station}
    reviewed = _verified(mission, leader, report=report, round=report.round, station=report.station)
    waiting = factories.IrregularityFactory(report=report, **where)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    (inline,) = _get(admin_client, url).context["inline_admin_formsets"]
    assert [form.instance for form in inline.formset.initial_forms] == [waiting]
    listed = reverse("admin:observation_irregularity_change", args=[reviewed.pk])
    assert listed in _get(admin_client, url).content.decode()


def test_reviewed_irregularity_keeps_what_it_says(admin_client, mission, leader):
    irregularity = _verified(mission, leader, description="Ballots were pre-marked.")
    url = reverse("admin:observation_irregularity_change", args=[irregularity.pk])
    form = _get(admin_client, url).context["adminform"].form
    assert not {"category", "severity", "evidence", "description"} & set(form.fields)
    data = {
        "round": irregularity.round_id,
        "station": irregularity.station_id,
        "category": factories.category("late_opening").pk,
        "severity": Irregularity.Severity.MINOR,
        "evidence": Irregularity.Evidence.ALLEGED,
        "description": "Nothing happened.",
    }
    assert admin_client.post(url, data).status_code == 302
    irregularity.refresh_from_db()
    assert irregularity.description == "Ballots were pre-marked."
    assert irregularity.severity == Irregularity.Severity.SERIOUS
    assert irregularity.category.code == "pre_marked_ballots"


def _published_citing(mission, leader, irregularity):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.cited_irregularities.add(irregularity)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    return statement


@pytest.mark.parametrize("cited_by", ["nothing", "a draft", "a published statement"])
def test_a_reviewed_irregularity_cannot_be_deleted(admin_client, mission, leader, cited_by):
    irregularity = _verified(mission, leader)
    if cited_by == "a draft":
        factories.FindingsStatementFactory(mission=mission).cited_irregularities.add(irregularity)
    elif cited_by == "a published statement":
        _published_citing(mission, leader, irregularity)
    url = reverse("admin:observation_irregularity_delete", args=[irregularity.pk])
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert "it is kept as the record" in " ".join(_messages(response))
    assert Irregularity.objects.filter(pk=irregularity.pk).exists()

    response = _action(admin_client, "irregularity", "delete_selected", [irregularity], post="yes")
    assert any("it was reviewed" in message for message in _messages(response))
    assert Irregularity.objects.filter(pk=irregularity.pk).exists()


def test_an_unreviewed_irregularity_can_be_deleted(admin_client, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    url = reverse("admin:observation_irregularity_delete", args=[irregularity.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Irregularity.objects.filter(pk=irregularity.pk).exists()


def test_report_with_a_reviewed_irregularity_cannot_be_deleted(admin_client, mission, leader):
    # Deleting the report would delete its irregularities with it.
    report = factories.ObserverReportFactory(mission=mission)
    cited = _verified(mission, leader, report=report, round=report.round, station=report.station)
    _published_citing(mission, leader, cited)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    assert admin_client.get(url).context["has_delete_permission"] is False
    response = _action(admin_client, "observerreport", "delete_selected", [report], post="yes")
    assert any("reviewed irregularities" in message for message in _messages(response))
    assert Irregularity.objects.filter(pk=cited.pk).exists()
    assert ObserverReport.objects.filter(pk=report.pk).exists()


def test_recommendation_cannot_be_added_to_a_statement_past_draft(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=leader)
    data = {
        "statement": statement.pk,
        "addressee": Recommendation.Addressee.LEGISLATURE,
        "text": "Added after review.",
        "priority": Recommendation.Priority.HIGH,
        "follow_up": Recommendation.FollowUp.NOT_ASSESSED,
    }
    response = admin_client.post(reverse("admin:observation_recommendation_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["statement"]
    assert not statement.recommendations.exists()
