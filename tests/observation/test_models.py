"""Every rule of the observation domain, broken once through full_clean() and,
where the database holds the rule, once through a direct save.

Rules that span tables (a related record belongs to the same mission, an
election day falls inside the mission's dates, citations stay within the
mission) live only in clean(): the database cannot check them with a
constraint, so they have no IntegrityError test.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.deletion import RestrictedError
from django.utils import timezone

from observation import services
from observation.models import (
    ElectionRound,
    FindingsStatement,
    Irregularity,
    Mission,
    MissionLockedError,
    ObserverReport,
    PollingStation,
    PublishedStatementError,
    Recommendation,
    RecommendationAssessment,
)
from tests import factories

pytestmark = pytest.mark.django_db


def clean_errors(obj) -> dict[str, list[str]]:
    """The messages full_clean() gives, by field ("__all__" for the record as a whole)."""
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def clean_codes(obj) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return {error.code for errors in caught.value.error_dict.values() for error in errors}


def refused_by_database(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def _when(hour):
    return datetime.datetime(2000, 4, 9, hour, tzinfo=datetime.UTC)


# Missions


def test_mission_cannot_end_before_it_starts(mission):
    mission.end_date = mission.start_date - datetime.timedelta(days=1)
    assert clean_errors(mission)["__all__"] == ["The mission cannot end before it starts."]
    refused_by_database(mission)


def test_mission_area_levels_are_named_without_gaps(mission):
    mission.area_label_2 = ""
    assert "area_label_gap" in clean_codes(mission)


def test_mission_lock_needs_an_author(mission):
    mission.locked_at = timezone.now()
    assert "__all__" in clean_errors(mission)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mission.objects.filter(pk=mission.pk).update(locked_at=timezone.now())


# Polling stations


def test_station_code_is_unique_within_a_mission(mission):
    factories.PollingStationFactory(mission=mission, code="0001")
    duplicate = factories.PollingStationFactory.build(mission=mission, code="0001")
    assert "__all__" in clean_errors(duplicate)
    refused_by_database(duplicate)
    assert PollingStation.objects.filter(code="0001").count() == 1


def test_station_code_may_repeat_in_another_mission(mission):
    factories.PollingStationFactory(mission=mission, code="0001")
    other = factories.PollingStationFactory.build(mission=factories.MissionFactory(), code="0001")
    other.full_clean()
    other.save()


def test_station_registered_voters_cannot_be_negative(mission):
    station = factories.PollingStationFactory.build(mission=mission, registered_voters=-1)
    assert "registered_voters" in clean_errors(station)
    refused_by_database(station)
    assert not PollingStation.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(Decimal("91"), Decimal("0")), (Decimal("0"), Decimal("-181")), (Decimal("-12"), None)],
)
def test_station_coordinates_are_in_range_and_together(mission, latitude, longitude):
    station = factories.PollingStationFactory.build(
        mission=mission, latitude=latitude, longitude=longitude
    )
    assert "__all__" in clean_errors(station)
    refused_by_database(station)


# Election rounds


def test_round_not_observed_must_say_why(mission):
    runoff = factories.ElectionRoundFactory.build(
        mission=mission,
        kind=ElectionRound.Kind.RUNOFF,
        election_day=datetime.date(2000, 5, 28),
        observed=False,
        not_observed_reason="",
    )
    assert "reason_required" in clean_codes(runoff)
    refused_by_database(runoff)
    assert not ElectionRound.objects.exists()


def test_round_reason_of_blanks_only_is_refused_by_clean(mission):
    runoff = factories.ElectionRoundFactory.build(
        mission=mission, observed=False, not_observed_reason="   "
    )
    assert "reason_required" in clean_codes(runoff)


def test_round_not_observed_with_a_reason_is_valid(mission):
    runoff = factories.ElectionRoundFactory.build(
        mission=mission,
        kind=ElectionRound.Kind.RUNOFF,
        election_day=datetime.date(2000, 5, 28),
        observed=False,
        not_observed_reason="Fundamental flaws were not rectified and a candidate withdrew.",
    )
    runoff.full_clean()


@pytest.mark.parametrize(
    ("day", "code"),
    [(datetime.date(2000, 2, 28), "before_mission"), (datetime.date(2000, 8, 1), "after_mission")],
)
def test_election_day_falls_inside_the_mission_dates(mission, day, code):
    # Across two tables: clean() only.
    election_round = factories.ElectionRoundFactory.build(mission=mission, election_day=day)
    assert code in clean_codes(election_round)


def test_election_day_is_free_when_the_mission_has_no_dates():
    mission = factories.MissionFactory(start_date=None, end_date=None)
    factories.ElectionRoundFactory.build(
        mission=mission, election_day=datetime.date(1990, 1, 1)
    ).full_clean()


def test_round_kind_and_day_are_unique_within_a_mission(mission):
    factories.ElectionRoundFactory(mission=mission)
    duplicate = ElectionRound(
        mission=mission, kind=ElectionRound.Kind.FIRST_ROUND, election_day=datetime.date(2000, 4, 9)
    )
    assert "__all__" in clean_errors(duplicate)
    refused_by_database(duplicate)


# Observer reports


def test_report_ballots_cast_cannot_be_negative(mission):
    report = factories.ObserverReportFactory(mission=mission)
    report.ballots_cast = -5
    assert "ballots_cast" in clean_errors(report)
    refused_by_database(report)
    report.refresh_from_db()
    assert report.ballots_cast == 120


def test_report_departure_not_before_arrival(mission):
    report = factories.ObserverReportFactory(mission=mission)
    report.arrived_at, report.departed_at = _when(11), _when(10)
    assert "departure_before_arrival" in clean_codes(report)
    refused_by_database(report)
    report.refresh_from_db()
    assert report.departed_at == _when(10)


def test_report_departure_at_the_arrival_time_is_valid(mission):
    report = factories.ObserverReportFactory(mission=mission)
    report.departed_at = report.arrived_at
    report.full_clean()


@pytest.mark.parametrize("field", ["round", "station", "observer"])
def test_report_relations_belong_to_its_mission(mission, field):
    # Across tables: clean() only.
    report = factories.ObserverReportFactory(mission=mission)
    other = factories.ObserverReportFactory()
    setattr(report, field, getattr(other, field))
    errors = clean_errors(report)
    assert list(errors) == [field]
    assert "belongs to another mission" in errors[field][0]


def test_report_clean_with_a_missing_round_reports_the_field_not_a_crash(mission):
    report = ObserverReport(mission=mission, phase=ObserverReport.Phase.VOTING)
    errors = clean_errors(report)
    assert "round" in errors
    assert "station" in errors


# Irregularities


@pytest.mark.parametrize("field", ["round", "station", "report"])
def test_irregularity_relations_belong_to_its_mission(mission, field):
    # Across tables: clean() only.
    irregularity = factories.IrregularityFactory(mission=mission, report=None)
    other = factories.ObserverReportFactory()
    setattr(irregularity, field, other if field == "report" else getattr(other, field))
    errors = clean_errors(irregularity)
    assert "belongs to another mission" in errors[field][0]


def test_irregularity_follows_the_station_and_round_of_its_report(mission):
    report = factories.ObserverReportFactory(mission=mission)
    irregularity = factories.IrregularityFactory.build(
        mission=mission,
        report=report,
        round=factories.ElectionRoundFactory(
            mission=mission,
            kind=ElectionRound.Kind.RUNOFF,
            election_day=datetime.date(2000, 5, 28),
        ),
        station=factories.PollingStationFactory(mission=mission),
    )
    assert clean_codes(irregularity) == {"report_station_mismatch", "report_round_mismatch"}


def test_hand_logged_irregularity_cannot_take_a_system_category(mission):
    # A property of the category row: clean() only.
    irregularity = factories.IrregularityFactory.build(
        mission=mission,
        round=factories.ElectionRoundFactory(mission=mission),
        station=factories.PollingStationFactory(mission=mission),
        category=factories.category("overvote"),
    )
    assert clean_codes(irregularity) == {"system_category"}


def test_national_irregularity_needs_no_station(mission):
    irregularity = factories.IrregularityFactory.build(
        mission=mission,
        station=None,
        round=factories.ElectionRoundFactory(mission=mission),
        category=factories.category("tabulation_delay"),
    )
    irregularity.full_clean()


def test_reviewed_irregularity_records_who_and_when(mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    irregularity.status = Irregularity.Status.VERIFIED
    assert "__all__" in clean_errors(irregularity)
    refused_by_database(irregularity)


def test_dismissed_irregularity_has_a_note(mission, reviewer):
    irregularity = factories.IrregularityFactory(mission=mission)
    irregularity.status = Irregularity.Status.DISMISSED
    irregularity.reviewed_by, irregularity.reviewed_at = reviewer, timezone.now()
    assert clean_errors(irregularity)["__all__"] == ["Say why the irregularity is dismissed."]
    refused_by_database(irregularity)


def test_one_standing_system_irregularity_per_report(mission):
    report = factories.ObserverReportFactory(mission=mission)
    where = {"mission": mission, "report": report, "round": report.round, "station": report.station}
    factories.IrregularityFactory(raised_by_system=True, **where)
    second = factories.IrregularityFactory.build(raised_by_system=True, **where)
    refused_by_database(second)
    assert Irregularity.objects.filter(report=report).count() == 1


# Statements and recommendations


def _published(mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    return statement


def test_statement_round_belongs_to_its_mission(mission):
    statement = factories.FindingsStatementFactory.build(
        mission=mission, round=factories.ElectionRoundFactory()
    )
    assert "round" in clean_errors(statement)


def test_statement_cites_only_irregularities_of_its_mission(mission):
    # Across tables, and the citations are a many-to-many relation: clean_citations()
    # is called by the forms (the admin's statement form included) before saving them.
    statement = factories.FindingsStatementFactory(mission=mission)
    own = factories.IrregularityFactory(mission=mission)
    foreign = factories.IrregularityFactory()
    statement.clean_citations([own])
    with pytest.raises(ValidationError) as caught:
        statement.clean_citations([own, foreign])
    assert caught.value.code == "other_mission"


def test_published_statement_cannot_change(mission, leader):
    statement = _published(mission, leader)
    statement.title = "A new title"
    assert "This statement is published" in clean_errors(statement)["__all__"][0]
    with pytest.raises(PublishedStatementError):
        statement.save()
    with pytest.raises(PublishedStatementError):
        statement.delete()
    statement.refresh_from_db()
    assert statement.title != "A new title"


@pytest.mark.parametrize(
    ("status", "missing"),
    [
        (FindingsStatement.Status.IN_REVIEW, "submission"),
        (FindingsStatement.Status.APPROVED, "approval"),
        (FindingsStatement.Status.PUBLISHED, "publication"),
    ],
)
def test_statement_status_records_who_moved_it(mission, leader, status, missing):
    statement = factories.FindingsStatementFactory(mission=mission)
    now = timezone.now()
    recorded = {
        "submitted_by": leader,
        "submitted_at": now,
        "approved_by": leader,
        "approved_at": now,
        "published_by": leader,
        "published_at": now,
    }
    prefix = {"submission": "submitted", "approval": "approved", "publication": "published"}
    for name, value in recorded.items():
        if not name.startswith(prefix[missing]):
            setattr(statement, name, value)
    statement.status = status
    assert "__all__" in clean_errors(statement)
    refused_by_database(statement)


def test_statement_returned_to_draft_says_why(mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.returned_by, statement.returned_at = leader, timezone.now()
    assert clean_errors(statement)["__all__"] == ["Say why the statement goes back to draft."]
    refused_by_database(statement)


def test_recommendation_of_a_published_statement_is_frozen_but_for_follow_up(mission, leader):
    recommendation = factories.RecommendationFactory(
        statement=factories.FindingsStatementFactory(mission=mission)
    )
    statement = recommendation.statement
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)

    # Its follow-up is assessed apart, as long after publication as it takes.
    services.recommendation_assess(
        assessment=RecommendationAssessment(
            recommendation=recommendation,
            mission=mission,
            status=RecommendationAssessment.Status.MOSTLY,
            assessed_on=statement.issued_on,
        ),
        by=leader,
    )
    assert Recommendation.objects.with_follow_up().get().follow_up == "mostly"

    recommendation.text = "Something else"
    assert "__all__" in clean_errors(recommendation)
    with pytest.raises(PublishedStatementError):
        recommendation.save()
    with pytest.raises(PublishedStatementError):
        recommendation.delete()
    new = factories.RecommendationFactory.build(statement=statement)
    with pytest.raises(PublishedStatementError):
        new.save()
    assert statement.recommendations.count() == 1


# A locked mission refuses every change to its records.


@pytest.fixture
def locked(mission, leader):
    report = factories.ObserverReportFactory(mission=mission)
    records = {
        "report": report,
        "irregularity": factories.IrregularityFactory(
            mission=mission, report=report, station=report.station, round=report.round
        ),
        "statement": factories.FindingsStatementFactory(mission=mission),
        "station": report.station,
        "round": report.round,
        "observer": report.observer,
        "partner": factories.MissionPartnerFactory(mission=mission),
    }
    records["recommendation"] = factories.RecommendationFactory(statement=records["statement"])
    mission.lock(by=leader)
    return records


@pytest.mark.parametrize(
    "name",
    [
        "report",
        "irregularity",
        "statement",
        "recommendation",
        "station",
        "round",
        "observer",
        "partner",
    ],
)
def test_locked_mission_refuses_changes_to_its_records(locked, name):
    record = locked[name]
    assert clean_codes(record) == {"mission_locked"}
    with pytest.raises(MissionLockedError):
        record.save()
    with pytest.raises(MissionLockedError):
        record.delete()
    assert type(record).objects.filter(pk=record.pk).exists()


def test_locked_mission_refuses_new_records(locked, mission):
    report = factories.ObserverReportFactory.build(
        mission=mission, round=locked["round"], station=locked["station"], observer=None
    )
    assert clean_codes(report) == {"mission_locked"}
    with pytest.raises(MissionLockedError):
        report.save()
    assert ObserverReport.objects.count() == 1


def test_locked_mission_itself_refuses_changes_and_deletion(locked, mission):
    mission.summary = "Rewritten"
    assert clean_codes(mission) == {"mission_locked"}
    with pytest.raises(MissionLockedError):
        mission.save()
    with pytest.raises(MissionLockedError):
        mission.delete()
    assert Mission.objects.filter(pk=mission.pk).exists()


# Deletion


def test_an_open_mission_is_deleted_with_all_its_records(mission):
    report = factories.ObserverReportFactory(mission=mission)
    factories.IrregularityFactory(
        mission=mission, report=report, station=report.station, round=report.round
    )
    factories.FindingsStatementFactory(mission=mission, round=report.round)
    mission.delete()
    assert not ObserverReport.objects.exists()
    assert not Irregularity.objects.exists()


def test_a_station_with_reports_cannot_be_deleted_alone(mission):
    report = factories.ObserverReportFactory(mission=mission)
    with pytest.raises(RestrictedError):
        report.station.delete()
    assert PollingStation.objects.filter(pk=report.station_id).exists()


# Readable names


def test_every_model_reads_well_as_text(mission):
    report = factories.ObserverReportFactory(mission=mission)
    irregularity = factories.IrregularityFactory(
        mission=mission, report=report, station=report.station, round=report.round
    )
    recommendation = factories.RecommendationFactory()
    assert str(report.round) == "First round, 9 Apr 2000"
    assert str(report.station).startswith(report.station.code)
    assert str(irregularity) == f"Pre-marked ballots — {report.station.code}"
    assert str(recommendation).startswith("Election authority: Publish results")
    assert str(mission) == mission.name
