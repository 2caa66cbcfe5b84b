"""A reviewer clears the queue without scrolling back: each decision is made in place."""

import datetime

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from observation.models import Irregularity, MissionMembership
from tests import factories
from tests.e2e.conftest import member


def test_reviewer_decides_three_items_without_losing_their_place(page, sign_in, peru):
    mission = peru["mission"]
    start = timezone.now() - datetime.timedelta(days=1)
    items = []
    for i in range(5):
        item = factories.IrregularityFactory(mission=mission, round=peru["round"])
        Irregularity.objects.filter(pk=item.pk).update(
            created_at=start + datetime.timedelta(minutes=i)
        )
        items.append(item)
    sign_in(member(mission, MissionMembership.Role.REVIEWER))
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(reverse("observation:review_queue", args=[mission.pk]))

    decisions = [("Verify", ""), ("Dismiss", "Not corroborated."), ("Verify", "Two teams.")]
    for item, (decision, note) in zip(items[1:4], decisions, strict=True):
        card = page.locator(f"#irregularity-{item.pk}")
        card.get_by_label("Review note").fill(note)
        card.get_by_role("button", name=decision).click()
        page.get_by_role("dialog").get_by_role("button", name=decision).click()

        expect(card.locator(".review-result")).to_be_visible()
        # The page did not reload: the reviewer is where they were, and goes on below.
        expect(card).to_be_in_viewport()
        following = page.locator(f"#irregularity-{items[items.index(item) + 1].pk} textarea")
        expect(following).to_be_focused()

    statuses = [Irregularity.objects.get(pk=item.pk).status for item in items]
    assert statuses == [
        Irregularity.Status.REPORTED,
        Irregularity.Status.VERIFIED,
        Irregularity.Status.DISMISSED,
        Irregularity.Status.VERIFIED,
        Irregularity.Status.REPORTED,
    ]
