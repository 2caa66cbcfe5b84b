"""What stays as it was once someone has decided on it."""

import pytest
from django.core.exceptions import ValidationError

from observation.models import FindingsStatement, Irregularity, Mission, ObserverReport
from tests import factories


@pytest.fixture
def verified(mission, superuser):
    irregularity = factories.IrregularityFactory(mission=mission, description="As seen.")
    irregularity.verify(by=superuser, note="Confirmed.")
    return irregularity


def test_a_reviewed_irregularity_keeps_what_it_records(verified):
    verified.description = "Rewritten afterwards."
    with pytest.raises(ValidationError, match="was reviewed"):
        verified.save()
    verified.refresh_from_db()
    assert verified.description == "As seen."


def test_a_reviewed_irregularity_stays_where_it_was_judged(verified, mission):
    judged_at = verified.station
    verified.station = factories.PollingStationFactory(mission=mission)
    with pytest.raises(ValidationError, match="can no longer be changed"):
        verified.save(update_fields=["station"])
    verified.refresh_from_db()
    assert verified.station == judged_at


def test_a_reviewed_irregularity_cannot_be_deleted(verified):
    with pytest.raises(ValidationError, match="kept as the record"):
        verified.delete()
    assert Irregularity.objects.filter(pk=verified.pk).exists()


def test_an_unreviewed_irregularity_can_be_corrected_and_deleted(mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    irregularity.description = "Corrected."
    irregularity.save()
    irregularity.delete()
    assert not Irregularity.objects.exists()


def test_a_report_with_reviewed_irregularities_cannot_be_deleted(mission, superuser):
    report = factories.ObserverReportFactory(mission=mission)
    irregularity = factories.IrregularityFactory(
        mission=mission, report=report, round=report.round, station=report.station
    )
    irregularity.dismiss(by=superuser, note="Not corroborated.")
    with pytest.raises(ValidationError, match="reviewed irregularities"):
        report.delete()
    assert ObserverReport.objects.filter(pk=report.pk).exists()


@pytest.mark.parametrize("moves", [["submit"], ["submit", "approve"]])
def test_only_a_draft_statement_changes(mission, superuser, moves):
    statement = factories.FindingsStatementFactory(mission=mission, title="As approved")
    for move in moves:
        {"submit": statement.submit_for_review, "approve": statement.approve}[move](by=superuser)
    statement.title = "Changed after review"
    with pytest.raises(ValidationError, match="Only a draft can be changed"):
        statement.save()
    with pytest.raises(ValidationError, match="Only a draft can be changed"):
        statement.full_clean()
    assert FindingsStatement.objects.get(pk=statement.pk).title == "As approved"


def test_a_statement_returned_to_draft_changes_again(mission, superuser):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=superuser)
    statement.return_to_draft(by=superuser, reason="Cite the delays.")
    statement.title = "Now citing the delays"
    statement.save()
    assert FindingsStatement.objects.get(pk=statement.pk).title == "Now citing the delays"


def test_a_mission_with_published_statements_cannot_be_deleted(mission, superuser):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=superuser)
    statement.approve(by=superuser)
    statement.publish(by=superuser)
    with pytest.raises(ValidationError, match="published statements"):
        mission.delete()
    assert Mission.objects.filter(pk=mission.pk).exists()
