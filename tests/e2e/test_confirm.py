"""Irreversible moves ask first, in our own dialog; cancelling leaves everything as it was."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import FindingsStatement, Irregularity, MissionMembership
from tests import factories
from tests.e2e.conftest import member


def test_cancelling_the_confirmation_leaves_the_irregularity_unreviewed(page, sign_in, peru):
    mission = peru["mission"]
    irregularity = factories.IrregularityFactory(mission=mission, round=peru["round"])
    sign_in(member(mission, MissionMembership.Role.REVIEWER))
    page.goto(reverse("observation:review_queue", args=[mission.pk]))

    item = page.locator(f".queue-item[data-irregularity='{irregularity.pk}']")
    item.get_by_role("button", name="Verify").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("button", name="Cancel").click()

    expect(dialog).to_be_hidden()
    expect(item.get_by_role("button", name="Verify")).to_be_focused()
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED

    # Escape cancels too.
    item.get_by_role("button", name="Dismiss").click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED


def test_publishing_asks_first(page, sign_in, peru):
    mission = peru["mission"]
    statement = factories.FindingsStatementFactory(mission=mission)
    author = factories.UserFactory()
    statement.submit_for_review(by=author)
    statement.approve(by=factories.UserFactory())
    sign_in(member(mission, MissionMembership.Role.LEADER))
    page.goto(statement.get_absolute_url())

    page.get_by_role("button", name="Publish").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.APPROVED

    page.get_by_role("button", name="Publish").click()
    page.get_by_role("dialog").get_by_role("button", name="Publish").click()
    expect(page.locator("#statement-status")).to_have_text("Published")
