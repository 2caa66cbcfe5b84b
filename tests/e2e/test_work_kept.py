"""Nothing typed is lost: a save refused for an expired session or a stale form keeps
the typed report in the browser, and the form offers it back."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, ObserverReport
from tests.e2e.conftest import member
from tests.factories import PASSWORD


def fill_report(page, peru):
    page.get_by_label("Round").select_option(label=str(peru["round"]))
    page.get_by_label("Polling station (code)").fill("AYA-0042")
    page.get_by_label("Observer team").select_option(label="Jennie Lincoln")
    page.get_by_label("Phase").select_option(label="Counting")
    page.get_by_label("Ballots cast").fill("250")
    page.get_by_label("Overall assessment").select_option(label="Good")
    page.get_by_label("Notes").fill("Count finished at 19:30, tally sheets posted.")


def test_report_typed_when_the_session_expired_is_restored_and_saved(page, sign_in, peru):
    mission = peru["mission"]
    staff = member(mission, MissionMembership.Role.STAFF)
    sign_in(staff)
    page.goto(reverse("observation:report_create", args=[mission.pk]))
    fill_report(page, peru)

    # The session ends while the report is being typed.
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("button", name="Save report").click()

    page.wait_for_url("**/accounts/login/**")
    expect(page.get_by_text("what you typed is kept in this browser")).to_be_visible()
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(f"**{reverse('observation:report_create', args=[mission.pk])}")
    offer = page.get_by_role("alert").filter(has_text="was not saved")
    expect(offer).to_be_visible()
    offer.get_by_role("button", name="Restore it").click()
    expect(page.get_by_label("Notes")).to_have_value(
        "Count finished at 19:30, tally sheets posted."
    )
    expect(page.get_by_label("Ballots cast")).to_have_value("250")
    page.get_by_role("button", name="Save report").click()

    expect(page.get_by_role("alert").filter(has_text="Report saved")).to_be_visible()
    report = ObserverReport.objects.get(mission=mission)
    assert report.notes == "Count finished at 19:30, tally sheets posted."
    assert report.ballots_cast == 250

    # Saved: the draft has served, and the next new report starts empty.
    page.goto(reverse("observation:report_create", args=[mission.pk]))
    expect(page.get_by_label("Notes")).to_have_value("")
    expect(page.get_by_role("button", name="Restore it")).to_be_hidden()


def test_report_refused_for_a_stale_token_keeps_the_work(page, sign_in, peru):
    mission = peru["mission"]
    staff = member(mission, MissionMembership.Role.STAFF)
    sign_in(staff)
    page.goto(reverse("observation:report_create", args=[mission.pk]))
    fill_report(page, peru)

    # Signed out and in again in another tab: this page's token is stale.
    other = page.context.new_page()
    other.goto(reverse("home"))
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/accounts/login/**")
    other.get_by_label("Username").fill(staff.username)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_url(lambda url: "/accounts/" not in url)
    other.close()

    page.get_by_role("button", name="Save report").click()

    expect(page.get_by_role("heading", name="This form was not saved")).to_be_visible()
    page.get_by_role("link", name="Open the form again").first.click()
    page.get_by_role("button", name="Restore it").click()
    page.get_by_role("button", name="Save report").click()

    expect(page.get_by_role("alert").filter(has_text="Report saved")).to_be_visible()
    assert ObserverReport.objects.get(mission=mission).ballots_cast == 250


def test_report_typed_in_a_tab_that_was_closed_is_offered_back(page, sign_in, peru):
    mission = peru["mission"]
    sign_in(member(mission, MissionMembership.Role.STAFF))
    form_url = reverse("observation:report_create", args=[mission.pk])
    page.goto(form_url)
    fill_report(page, peru)
    page.close()

    again = page.context.new_page()
    again.goto(form_url)
    again.get_by_role("button", name="Restore it").click()

    expect(again.get_by_label("Notes")).to_have_value(
        "Count finished at 19:30, tally sheets posted."
    )
    expect(again.get_by_label("Polling station (code)")).to_have_value("AYA-0042")
