"""A reviewer reopens their own decision until a statement cites it."""

import pytest
from django.urls import reverse

from observation import services
from observation.models import Irregularity, MissionMembership
from tests import factories

pytestmark = pytest.mark.django_db


def reopen_url(item):
    return reverse("observation:irregularity_reopen", args=[item.mission_id, item.pk])


@pytest.fixture
def decided(mission, reviewer):
    item = factories.IrregularityFactory(mission=mission)
    item.verify(by=reviewer, note="Seen on the photo.")
    return item


def snapshot(item):
    item.refresh_from_db()
    return (
        item.status,
        item.reviewed_by_id,
        item.reviewed_at,
        item.review_note,
        item.history.count(),
    )


def test_the_reviewer_reopens_their_decision_with_a_reason_in_the_history(
    client, reviewer, decided
):
    client.force_login(reviewer)

    page = client.get(decided.get_absolute_url())
    assert reopen_url(decided).encode() in page.content
    assert b"data-confirm=" in page.content

    response = client.post(reopen_url(decided), {"reason": "Wrong station read."}, follow=True)

    decided.refresh_from_db()
    assert decided.status == Irregularity.Status.REPORTED
    assert decided.reviewed_by is None and decided.reviewed_at is None
    latest = decided.history.latest()
    assert latest.history_change_reason == "Wrong station read."
    assert latest.history_user == reviewer
    assert "Decision reopened" in response.content.decode()
    # The history on the page shows the reason as the new review note.
    assert "Wrong station read." in response.content.decode()
    # Back in the queue.
    assert decided in Irregularity.objects.review_queue()


def test_a_dismissal_is_reopened_too(client, reviewer, mission):
    item = factories.IrregularityFactory(mission=mission)
    item.dismiss(by=reviewer, note="Duplicate.")
    client.force_login(reviewer)
    client.post(reopen_url(item), {"reason": "Not a duplicate after all."})
    item.refresh_from_db()
    assert item.status == Irregularity.Status.REPORTED


def refused(client, user, item, reason="Changed my mind."):
    before = snapshot(item)
    client.force_login(user)
    response = client.post(reopen_url(item), {"reason": reason}, follow=True)
    assert snapshot(item) == before
    return response


def test_refused_without_a_reason(client, reviewer, decided):
    response = refused(client, reviewer, decided, reason="  ")
    assert "Say why you reopen this decision" in response.content.decode()


def test_refused_when_a_statement_cites_it(client, reviewer, decided, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.cited_irregularities.add(decided)
    response = refused(client, reviewer, decided)
    assert "A statement cites this irregularity" in response.content.decode()
    page = client.get(decided.get_absolute_url())
    assert reopen_url(decided).encode() not in page.content


def test_refused_to_another_reviewer(client, decided, mission):
    other = factories.MissionMembershipFactory(
        mission=mission, role=MissionMembership.Role.REVIEWER
    ).user
    client.force_login(other)
    assert reopen_url(decided).encode() not in client.get(decided.get_absolute_url()).content
    response = refused(client, other, decided)
    assert "Only the reviewer who made this decision" in response.content.decode()


def test_refused_to_a_leader_for_someone_elses_decision(client, leader, decided):
    response = refused(client, leader, decided)
    assert "Only the reviewer who made this decision" in response.content.decode()


def test_refused_to_staff(client, staff, decided):
    before = snapshot(decided)
    client.force_login(staff)
    assert client.post(reopen_url(decided), {"reason": "x"}).status_code == 403
    assert snapshot(decided) == before


def test_refused_when_the_mission_is_locked(client, reviewer, leader, decided, mission):
    mission.lock(by=leader, reason="Final report out.")
    before = snapshot(decided)
    client.force_login(reviewer)
    assert client.post(reopen_url(decided), {"reason": "x"}).status_code == 403
    assert snapshot(decided) == before
    with pytest.raises(services.ValidationError, match="locked"):
        services.irregularity_reopen(decided, by=reviewer, reason="x")
    assert snapshot(decided) == before


def test_refused_when_superseded(client, reviewer, decided):
    from django.utils import timezone

    Irregularity.objects.filter(pk=decided.pk).update(superseded_at=timezone.now())
    response = refused(client, reviewer, decided)
    assert "superseded" in response.content.decode()


def test_refused_when_not_decided(client, reviewer, mission):
    item = factories.IrregularityFactory(mission=mission)
    response = refused(client, reviewer, item)
    assert "no decision to reopen" in response.content.decode()


def test_refused_when_the_reason_is_too_long(client, reviewer, decided):
    response = refused(client, reviewer, decided, reason="x" * 101)
    assert "at most 100 characters" in response.content.decode()
