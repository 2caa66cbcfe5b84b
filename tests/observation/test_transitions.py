"""Lifecycle moves: each legal one records who and when; each illegal one is refused."""

import pytest
from django.utils import timezone

from observation.models import (
    FindingsStatement,
    Irregularity,
    MissionLockedError,
    TransitionError,
)
from tests import factories

pytestmark = pytest.mark.django_db

Status = FindingsStatement.Status


def _refused(move, code):
    with pytest.raises(TransitionError) as caught:
        move()
    assert caught.value.code == code
    return caught.value


# Irregularities


def test_reviewer_verifies_an_irregularity(mission, reviewer):
    irregularity = factories.IrregularityFactory(mission=mission)
    before = timezone.now()
    irregularity.verify(by=reviewer, note=" Seen by two teams. ")
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.VERIFIED
    assert irregularity.reviewed_by == reviewer
    assert irregularity.reviewed_at >= before
    assert irregularity.review_note == "Seen by two teams."
    assert irregularity.history.first().history_type == "~"


def test_reviewer_dismisses_an_irregularity_with_a_note(mission, reviewer):
    irregularity = factories.IrregularityFactory(mission=mission)
    irregularity.dismiss(by=reviewer, note="The observer misread the tally.")
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.DISMISSED
    assert irregularity.reviewed_by == reviewer
    assert irregularity.reviewed_at is not None
    assert irregularity.review_note == "The observer misread the tally."


@pytest.mark.parametrize("note", ["", "   ", None])
def test_dismissal_without_a_note_is_refused(mission, reviewer, note):
    irregularity = factories.IrregularityFactory(mission=mission)
    _refused(lambda: irregularity.dismiss(by=reviewer, note=note), "dismiss_note_required")
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED
    assert irregularity.reviewed_by is None


@pytest.mark.parametrize("first", ["verify", "dismiss"])
@pytest.mark.parametrize("second", ["verify", "dismiss"])
def test_a_reviewed_irregularity_cannot_be_reviewed_again(mission, reviewer, leader, first, second):
    irregularity = factories.IrregularityFactory(mission=mission)
    getattr(irregularity, first)(by=reviewer, note="First look.")
    error = _refused(
        lambda: getattr(irregularity, second)(by=leader, note="Second look."), "already_reviewed"
    )
    assert "already" in error.messages[0]
    irregularity.refresh_from_db()
    assert irregularity.reviewed_by == reviewer
    assert irregularity.review_note == "First look."


def test_a_stale_copy_cannot_review_twice(mission, reviewer, leader):
    irregularity = factories.IrregularityFactory(mission=mission)
    stale = Irregularity.objects.get(pk=irregularity.pk)
    irregularity.verify(by=reviewer)
    _refused(lambda: stale.dismiss(by=leader, note="Too late."), "already_reviewed")


def test_review_on_a_locked_mission_is_refused(mission, reviewer, leader):
    irregularity = factories.IrregularityFactory(mission=mission)
    mission.lock(by=leader)
    with pytest.raises(MissionLockedError):
        irregularity.verify(by=reviewer)
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED


# Statements


@pytest.fixture
def statement(mission):
    return factories.FindingsStatementFactory(mission=mission)


def test_statement_goes_from_draft_to_published(statement, reviewer, leader):
    statement.submit_for_review(by=reviewer)
    statement.approve(by=leader)
    statement.publish(by=leader)
    statement.refresh_from_db()
    assert statement.status == Status.PUBLISHED
    assert statement.submitted_by == reviewer
    assert statement.approved_by == leader
    assert statement.published_by == leader
    assert statement.submitted_at <= statement.approved_at <= statement.published_at
    assert [record.status for record in statement.history.order_by("history_date")] == [
        Status.DRAFT,
        Status.IN_REVIEW,
        Status.APPROVED,
        Status.PUBLISHED,
    ]


def _move_to(statement, status, by):
    moves = {
        Status.IN_REVIEW: [statement.submit_for_review],
        Status.APPROVED: [statement.submit_for_review, statement.approve],
        Status.PUBLISHED: [statement.submit_for_review, statement.approve, statement.publish],
    }
    for move in moves.get(status, []):
        move(by=by)


@pytest.mark.parametrize(
    ("start", "move"),
    [
        (Status.IN_REVIEW, "submit_for_review"),
        (Status.APPROVED, "submit_for_review"),
        (Status.PUBLISHED, "submit_for_review"),
        (Status.DRAFT, "approve"),
        (Status.APPROVED, "approve"),
        (Status.PUBLISHED, "approve"),
        (Status.DRAFT, "publish"),
        (Status.IN_REVIEW, "publish"),
        (Status.PUBLISHED, "publish"),
    ],
)
def test_illegal_statement_moves_are_refused(statement, leader, start, move):
    _move_to(statement, start, leader)
    error = _refused(lambda: getattr(statement, move)(by=leader), "illegal_transition")
    assert str(Status(start).label).lower() in error.messages[0]
    statement.refresh_from_db()
    assert statement.status == start


@pytest.mark.parametrize("start", [Status.IN_REVIEW, Status.APPROVED])
def test_return_to_draft_records_who_when_and_why(statement, leader, start):
    _move_to(statement, start, leader)
    statement.return_to_draft(by=leader, reason=" Cite the tabulation delays. ")
    statement.refresh_from_db()
    assert statement.status == Status.DRAFT
    assert statement.returned_by == leader
    assert statement.returned_at is not None
    assert statement.return_reason == "Cite the tabulation delays."
    assert statement.approved_by is None
    assert statement.approved_at is None


@pytest.mark.parametrize("start", [Status.DRAFT, Status.PUBLISHED])
def test_return_to_draft_from_draft_or_published_is_refused(statement, leader, start):
    _move_to(statement, start, leader)
    _refused(lambda: statement.return_to_draft(by=leader, reason="Why not."), "illegal_transition")
    statement.refresh_from_db()
    assert statement.status == start


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_return_to_draft_needs_a_reason(statement, leader, reason):
    _move_to(statement, Status.IN_REVIEW, leader)
    _refused(lambda: statement.return_to_draft(by=leader, reason=reason), "return_reason_required")
    statement.refresh_from_db()
    assert statement.status == Status.IN_REVIEW


def test_statement_move_on_a_locked_mission_is_refused(statement, mission, leader):
    mission.lock(by=leader)
    with pytest.raises(MissionLockedError):
        statement.submit_for_review(by=leader)
    statement.refresh_from_db()
    assert statement.status == Status.DRAFT


# Missions


def test_leader_locks_and_unlocks_a_mission(mission, leader):
    before = timezone.now()
    mission.lock(by=leader)
    mission.refresh_from_db()
    assert mission.is_locked
    assert mission.locked_by == leader
    assert mission.locked_at >= before
    mission.unlock(by=leader)
    mission.refresh_from_db()
    assert not mission.is_locked
    assert mission.locked_by is None
    assert mission.history.count() == 3


def test_locking_a_locked_mission_is_refused(mission, leader, superuser):
    mission.lock(by=leader)
    _refused(lambda: mission.lock(by=superuser), "already_locked")
    mission.refresh_from_db()
    assert mission.locked_by == leader


def test_unlocking_an_open_mission_is_refused(mission, leader):
    _refused(lambda: mission.unlock(by=leader), "not_locked")
