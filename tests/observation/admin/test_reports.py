"""The admin of observer reports, irregularities and their categories
(observation/admin/reports.py)."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from observation.models import Irregularity, ObserverReport
from tests import factories
from tests.observation.admin.conftest import (
    _action,
    _inline_row,
    _messages,
    _report_form_data,
    _verified,
)

pytestmark = pytest.mark.django_db


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
        # Session, user, the report with mission, round and station joined in; the
        # inline's irregularities with category and station; the categories, read once
        # for all the rows; whether any of its irregularities was reviewed (then it
        # cannot be deleted); the selected round, station and observer team (with
        # person) of the autocomplete widgets, never a list of every station; the
        # read-only list of raised or reviewed irregularities with category and station;
        # the read-only checklist answers with their questions.
        with django_assert_num_queries(11):
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
        # in; whether it is kept (reviewed, or the overvote of a report that still
        # shows one: then it cannot be deleted); the selected round, station, report
        # (with its station and round) and category of the autocomplete widgets.
        with django_assert_num_queries(8):
            _get(admin_client, url)


# Saving a report runs overvote detection.


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


def test_times_in_the_admin_are_read_and_typed_in_the_missions_zone(admin_client, mission):
    mission.time_zone = "America/Lima"
    mission.save()
    report = factories.ObserverReportFactory(mission=mission)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])

    page = admin_client.get(url).content.decode()
    assert "Times on this page are in Lima time." in page
    assert "Arrival (Lima time)" in page

    admin_client.post(
        url, _report_form_data(report, arrived_at_1="10:15", departed_at_1="11:00"), follow=True
    )
    report.refresh_from_db()
    assert report.arrived_at == datetime.datetime(2000, 4, 9, 15, 15, tzinfo=datetime.UTC)
    listing = admin_client.get(reverse("admin:observation_observerreport_changelist"))
    assert "(Lima time)" in listing.content.decode()


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


def test_system_raised_irregularity_keeps_its_report_and_category(admin_client, superuser, mission):
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=400, saved_by=superuser)
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


# Irregularities: what overvote detection raised, or a review settled, stays as it is.


def test_report_inline_does_not_edit_the_system_raised_overvote(admin_client, superuser, mission):
    # The inline listed the overvote irregularity with its category, severity and
    # description open to edits.
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=400, saved_by=superuser)
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
