"""A leader loads the mission's own checklist from its XLSForm; staff then log a
report against it, with a question shown only on a concerning answer."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, ObserverReport
from tests.e2e.conftest import member
from tests.observation.checklists.builder import workbook


def test_leader_loads_a_checklist_and_staff_log_a_report_against_it(page, sign_in, peru, tmp_path):
    mission = peru["mission"]
    form = tmp_path / "opening.xlsx"
    form.write_bytes(workbook())

    sign_in(member(mission, MissionMembership.Role.LEADER))
    page.goto(reverse("observation:mission_detail", args=[mission.pk]))
    page.get_by_role("link", name="Checklists").click()
    page.get_by_label("Phase").select_option(label="Opening")
    page.get_by_label("XLSForm (.xlsx)").set_input_files(form)
    page.get_by_role("button", name="Check the form").click()
    expect(page.get_by_text("The form reads cleanly: 6 questions.")).to_be_visible()
    expect(page.get_by_label("Pre-marked ballots seen")).to_be_disabled()
    page.get_by_role("button", name="Apply this checklist").click()
    expect(page.get_by_text("Checklist applied: 6 questions added")).to_be_visible()

    page.context.clear_cookies()
    sign_in(member(mission, MissionMembership.Role.STAFF))
    page.goto(reverse("observation:report_create", args=[mission.pk]))
    page.get_by_label("Round").select_option(label=str(peru["round"]))
    page.get_by_label("Polling station (code)").fill("AYA-0042")
    page.get_by_label("Phase").select_option(label="Opening")

    count = page.get_by_label("How many pre-marked ballots")
    expect(count).to_be_hidden()
    page.get_by_label("Station opened").select_option(label="Yes")
    page.get_by_label("Opening time").fill("07:10")
    page.get_by_label("Pre-marked ballots seen").select_option(label="Yes")
    expect(count).to_be_visible()
    count.fill("14")
    page.get_by_label("Indelible ink").check()
    page.get_by_role("button", name="Save report").click()

    expect(
        page.get_by_text("raised a “Pre-marked ballots” irregularity for review")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Pre-marked ballots")).to_be_visible()
    report = ObserverReport.objects.get()
    assert dict(report.answers.values_list("question__code", "value")) == {
        "opened": "yes",
        "opened_at": "07:10",
        "premarked": "yes",
        "premarked_count": "14",
        "missing": "ink",
    }
