"""What a careless or hostile input must not do: break a mission's pages, or move a
finding after it was judged."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from observation.models import Irregularity, ObserverReport
from tests import factories
from tests.observation.admin.conftest import _inline_row, _messages, _report_form_data
from tests.observation.test_reports import report_data

pytestmark = pytest.mark.django_db

# Far-future and far-past times, typed in the mission's own zone.
OUT_OF_RANGE = ["9999-12-31T23:59", "0001-01-01T00:00", "2005-06-01T10:00", "1995-01-01T10:00"]


@pytest.mark.parametrize("zone", ["America/Lima", "Asia/Tokyo"])
@pytest.mark.parametrize("typed", OUT_OF_RANGE)
def test_report_form_refuses_a_time_outside_the_mission(
    client, staff, mission, setting, zone, typed
):
    mission.time_zone = zone
    mission.save()
    client.force_login(staff)
    data = report_data(setting, arrived_at=typed, departed_at="")
    response = client.post(reverse("observation:report_create", args=[mission.pk]), data)
    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["arrived_at"]
    assert error.code in {"outside_mission", "invalid"}
    assert not ObserverReport.objects.exists()


@pytest.mark.parametrize("typed", OUT_OF_RANGE)
def test_irregularity_form_refuses_a_time_outside_the_mission(client, staff, mission, typed):
    mission.time_zone = "Asia/Tokyo"
    mission.save()
    client.force_login(staff)
    data = {
        "round": factories.ElectionRoundFactory(mission=mission).pk,
        "category": factories.category("intimidation").pk,
        "severity": Irregularity.Severity.SERIOUS,
        "evidence": Irregularity.Evidence.OBSERVED,
        "occurred_at": typed,
        "description": "Police inside the station.",
    }
    url = reverse("observation:irregularity_create", args=[mission.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].has_error("occurred_at")
    assert not Irregularity.objects.exists()


def test_admin_refuses_a_time_outside_the_mission(client, superuser, mission):
    report = factories.ObserverReportFactory(mission=mission)
    client.force_login(superuser)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    data = _report_form_data(report, arrived_at_0="9999-12-31", arrived_at_1="23:59")
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("arrived_at", "outside_mission")
    report.refresh_from_db()
    assert report.arrived_at.year == 2000


def test_the_mission_window_follows_its_dates_and_rounds(mission):
    mission.start_date, mission.end_date = None, None
    mission.save()
    assert mission.window()[0].year == 1900
    factories.ElectionRoundFactory(mission=mission, election_day=datetime.date(2016, 4, 10))
    earliest, latest = mission.window()
    assert (earliest.date(), latest.date()) == (
        datetime.date(2015, 4, 10),
        datetime.date(2017, 4, 11),
    )


def test_the_database_refuses_a_time_no_page_could_show(mission):
    report = factories.ObserverReportFactory(mission=mission)
    report.arrived_at = datetime.datetime(9999, 12, 31, 14, 59, tzinfo=datetime.UTC)
    report.departed_at = None
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()


def test_a_time_at_the_edge_of_the_range_breaks_no_page(client, superuser, mission):
    # The latest time the database keeps, shown in a zone ahead of UTC.
    mission.time_zone, mission.start_date, mission.end_date = "Pacific/Kiritimati", None, None
    mission.save()
    report = factories.ObserverReportFactory(mission=mission, departed_at=None)
    ObserverReport.objects.filter(pk=report.pk).update(
        arrived_at=datetime.datetime(2200, 1, 1, tzinfo=datetime.UTC)
    )
    factories.IrregularityFactory(
        mission=mission,
        report=report,
        occurred_at=datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC),
    )
    client.force_login(superuser)
    pages = [
        reverse("observation:mission_detail", args=[mission.pk]),
        reverse("observation:report_list", args=[mission.pk]),
        reverse("observation:report_detail", args=[mission.pk, report.pk]),
        reverse("observation:report_edit", args=[mission.pk, report.pk]),
        reverse("observation:irregularity_list", args=[mission.pk]),
        reverse("observation:report_export", args=[mission.pk, "csv"]),
        reverse("observation:report_export", args=[mission.pk, "xlsx"]),
        reverse("observation:irregularity_export", args=[mission.pk, "xlsx"]),
        reverse("observation:mission_summary", args=[mission.pk]),
        reverse("admin:observation_observerreport_changelist"),
        reverse("admin:observation_observerreport_change", args=[report.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200, url


# A judged finding stays where it was judged.


@pytest.fixture
def cited(mission, setting, reviewer, leader):
    """A report with a hand-logged irregularity, verified and cited by a published statement."""
    report = factories.ObserverReportFactory(mission=mission, **setting)
    irregularity = factories.IrregularityFactory(
        mission=mission, report=report, round=report.round, station=report.station
    )
    irregularity.verify(by=reviewer)
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.cited_irregularities.add(irregularity)
    statement.submit_for_review(by=reviewer)
    statement.approve(by=leader)
    statement.publish(by=leader)
    return irregularity


def test_web_correction_of_a_report_keeps_a_cited_finding_in_place(
    client, staff, mission, setting, cited
):
    report = cited.report
    elsewhere = factories.PollingStationFactory(mission=mission, code="LIM-009")
    client.force_login(staff)
    data = report_data(setting, station=elsewhere.code, version=report.version)
    response = client.post(reverse("observation:report_edit", args=[mission.pk, report.pk]), data)
    assert response.status_code == 302
    assert any(
        "stays at the round and station where it was judged" in m for m in _messages(response)
    )
    report.refresh_from_db()
    cited.refresh_from_db()
    assert report.station == elsewhere
    assert cited.station == setting["station"]


def test_admin_correction_of_a_report_keeps_a_cited_finding_in_place(
    client, superuser, mission, cited
):
    report = cited.report
    judged_at = cited.station
    elsewhere = factories.PollingStationFactory(mission=mission)
    client.force_login(superuser)
    url = reverse("admin:observation_observerreport_change", args=[report.pk])
    response = client.post(url, _report_form_data(report, station=elsewhere.pk), follow=True)
    assert any(
        "stays at the round and station where it was judged" in m for m in _messages(response)
    )
    cited.refresh_from_db()
    assert cited.station == judged_at


def test_a_judged_findings_place_is_refused_whoever_asks(cited, mission):
    cited.station = factories.PollingStationFactory(mission=mission)
    with pytest.raises(ValidationError) as refused:
        cited.full_clean()
    assert refused.value.error_dict["__all__"][0].code == "irregularity_reviewed"


# Every error a form raises is shown, the stale-version message first.


def test_a_row_reviewed_while_staff_edit_the_report_is_said(
    client, staff, reviewer, mission, setting
):
    report = factories.ObserverReportFactory(mission=mission, **setting)
    row = factories.IrregularityFactory(
        mission=mission, report=report, round=report.round, station=report.station
    )
    data = report_data(setting, version=report.version, ballots_cast="130")
    data.update(
        {
            "irregularities-TOTAL_FORMS": "1",
            "irregularities-INITIAL_FORMS": "1",
            **_inline_row(row, description="Corrected by staff."),
        }
    )
    row.verify(by=reviewer)  # while the staff member was typing
    client.force_login(staff)
    response = client.post(reverse("observation:report_edit", args=[mission.pk, report.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved" in page
    assert "still open for editing" in page
    report.refresh_from_db()
    assert report.ballots_cast == 120


def test_a_stale_statement_says_so_first_even_when_a_row_is_gone(client, reviewer, mission):
    from tests.observation.test_statements import statement_data

    statement = factories.FindingsStatementFactory(mission=mission)
    gone = factories.RecommendationFactory(statement=statement)
    gone_pk, loaded_at = gone.pk, statement.version
    # A second reviewer deletes the recommendation and saves the draft meanwhile.
    gone.delete()
    statement.title = "Changed by someone else"
    statement.version += 1
    statement.save()
    data = statement_data(version=loaded_at)
    data.update(
        {
            "recommendations-INITIAL_FORMS": "1",
            "recommendations-0-id": gone_pk,
            "recommendations-0-statement": statement.pk,
        }
    )
    client.force_login(reviewer)
    url = reverse("observation:statement_edit", args=[mission.pk, statement.pk])
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0].startswith("Someone else saved this statement while you were editing it")
    assert "Not saved" in response.content.decode()
    statement.refresh_from_db()
    assert statement.title == "Changed by someone else"


# A form's submission id belongs to one report of one mission.


def test_a_submission_id_used_in_another_mission_is_refused(client, staff, mission, setting):
    used = factories.ObserverReportFactory()
    used.submission_id = uuid.uuid4()
    used.save()
    client.force_login(staff)
    data = report_data(setting, submission_id=str(used.submission_id))
    response = client.post(reverse("observation:report_create", args=[mission.pk]), data)
    assert response.status_code == 200
    assert "This form was sent already" in response.content.decode()
    assert not mission.reports.exists()


def test_a_report_sent_twice_from_the_admin_is_stored_once(client, superuser, mission):
    report = factories.ObserverReportFactory(mission=mission)
    client.force_login(superuser)
    data = _report_form_data(report, submission_id=str(uuid.uuid4()))
    url = reverse("admin:observation_observerreport_add")
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This form was sent already" in response.content.decode()
    assert mission.reports.count() == 2


# Four eyes on findings.


def _drafted_by(mission, author):
    statement = factories.FindingsStatementFactory(mission=mission, created_by=author)
    statement.submit_for_review(by=author)
    return statement


def test_the_only_author_of_a_statement_cannot_approve_it(client, leader, mission):
    statement = _drafted_by(mission, leader)
    client.force_login(leader)
    url = reverse("observation:statement_transition", args=[mission.pk, statement.pk, "approve"])
    response = client.post(url, follow=True)
    assert any("another leader approves it" in m for m in _messages(response))
    statement.refresh_from_db()
    assert statement.status == statement.Status.IN_REVIEW


def test_the_admin_applies_four_eyes_too(client, mission):
    from tests.observation.admin.conftest import _action

    leader = factories.UserFactory(is_superuser=True, is_staff=True)
    statement = _drafted_by(mission, leader)
    client.force_login(leader)
    response = _action(client, "findingsstatement", "approve", [statement])
    assert any("another leader approves it" in m for m in _messages(response))
    statement.refresh_from_db()
    assert statement.status == statement.Status.IN_REVIEW


def test_another_leader_approves_and_a_small_mission_may_allow_one(leader, reviewer, mission):
    drafted_by_reviewer = _drafted_by(mission, reviewer)
    drafted_by_reviewer.approve(by=leader)
    assert drafted_by_reviewer.status == drafted_by_reviewer.Status.APPROVED

    mission.single_leader_approval = True
    mission.save()
    drafted_alone = _drafted_by(mission, leader)
    drafted_alone.approve(by=leader)
    assert drafted_alone.status == drafted_alone.Status.APPROVED
    assert mission.history.first().single_leader_approval


# Where naming observers puts them at risk, only leaders get their names.


@pytest.fixture
def discreet(mission, setting):
    mission.observer_names_for_leaders_only = True
    mission.save()
    observer = setting["observer"]
    observer.person.full_name = "Observer Sensitive"
    observer.person.save()
    observer.role = "sto"
    observer.save()
    factories.ObserverReportFactory(mission=mission, **setting)
    return mission


@pytest.mark.parametrize(
    "name", ["report_export", "mission_summary", "mission_summary_pdf"], ids=str
)
def test_observer_names_are_for_leaders_only_where_the_mission_says(
    client, staff, leader, discreet, name
):
    args = [discreet.pk, "csv"] if name == "report_export" else [discreet.pk]
    url = reverse(f"observation:{name}", args=args)

    def shown(user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        content = b"".join(response) if response.streaming else response.content
        if name.endswith("_pdf"):
            from io import BytesIO

            from pypdf import PdfReader

            return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
        return content.decode()

    assert "Observer Sensitive" not in shown(staff)
    assert "Observer Sensitive" in shown(leader)
