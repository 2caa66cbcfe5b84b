"""A save that fails only far down the report form is announced at the top, on a phone."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, ObserverReport
from tests.e2e.conftest import member
from tests.e2e.test_work_kept import fill_report


def test_an_error_only_in_the_irregularity_section_is_announced_at_the_top_on_a_phone(
    page, sign_in, peru
):
    page.set_viewport_size({"width": 390, "height": 844})
    mission = peru["mission"]
    sign_in(member(mission, MissionMembership.Role.STAFF))
    page.goto(reverse("observation:report_create", args=[mission.pk]))
    fill_report(page, peru)
    row = page.locator("#irregularity-forms fieldset").first
    row.get_by_label("Category").select_option(label="Intimidation by police or military")
    row.get_by_label("Description").fill("Police inside the station during the count.")

    page.get_by_role("button", name="Save report").click()

    summary = page.locator("#not-saved")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page).to_have_title("Error: Log an observer report · Observa")
    summary.get_by_role("link", name="Row 1, Severity").click()
    expect(row.get_by_label("Severity")).to_be_focused()
    expect(row.get_by_label("Severity")).to_be_in_viewport()
    assert not ObserverReport.objects.exists()
