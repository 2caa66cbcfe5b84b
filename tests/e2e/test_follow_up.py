"""A leader of the 2001 mission records what became of a 2000 recommendation, and the
public findings site shows it once the statement that reports it is published."""

import datetime

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, RecommendationAssessment
from tests import factories
from tests.e2e.conftest import member


def test_a_leader_assesses_an_earlier_missions_recommendation(page, sign_in, peru, superuser):
    earlier = peru["mission"]
    earlier.country = "PE"
    earlier.save()
    statement = factories.FindingsStatementFactory(
        mission=earlier, issued_on=datetime.date(2000, 7, 28), title="New elections"
    )
    factories.RecommendationFactory(statement=statement, text="Hold new elections.")
    for move in ("submit_for_review", "approve", "publish"):
        getattr(statement, move)(by=superuser)
    later = factories.MissionFactory(name="Peru 2001", country="PE")
    progress = factories.FindingsStatementFactory(
        mission=later, issued_on=datetime.date(2001, 4, 10), title="Remarkable progress"
    )
    sign_in(member(later, MissionMembership.Role.LEADER))

    page.goto(reverse("observation:mission_detail", args=[later.pk]))
    page.get_by_role("link", name="Follow-up").first.click()
    expect(page.get_by_text("Hold new elections.")).to_be_visible()
    expect(page.locator(".follow-up-status")).to_have_text("Not assessed")
    page.get_by_role("link", name="Assess").click()
    page.get_by_label("Status").select_option(label="Fully implemented")
    page.get_by_label("Assessed on").fill("2001-04-10")
    page.get_by_label("Evidence").fill("The elections were held in April 2001.")
    page.get_by_label("Statement").select_option(label=str(progress))
    page.get_by_role("button", name="Record the assessment").click()

    expect(page.get_by_text("Assessment recorded: Fully implemented.")).to_be_visible()
    expect(page.locator(".follow-up-status")).to_have_text("Fully implemented")
    expect(page.get_by_text("The elections were held in April 2001.")).to_be_visible()
    assert RecommendationAssessment.objects.get().mission == later

    # Public once the statement that reports it is published, and not before.
    public = reverse("findings:country", args=["pe"])
    page.goto(public)
    expect(page.locator(".follow-up-status")).to_have_text("Not assessed")
    for move in ("submit_for_review", "approve", "publish"):
        getattr(progress, move)(by=superuser)
    page.goto(public)
    expect(page.locator(".follow-up-status")).to_have_text("Fully implemented")
