"""A leader runs the mission without the admin: locking it refuses every write to staff."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, ObserverReport
from tests.e2e.conftest import member
from tests.factories import PASSWORD


def test_leader_locks_the_mission_and_staff_see_every_write_refused(
    browser, live_server, sign_in, page, peru
):
    mission = peru["mission"]
    staff = member(mission, MissionMembership.Role.STAFF)
    sign_in(member(mission, MissionMembership.Role.LEADER))
    page.goto(reverse("observation:mission_detail", args=[mission.pk]))
    page.get_by_label("Why lock the mission").fill("Final report published.")
    page.get_by_role("button", name="Lock the mission").click()
    expect(page.get_by_text("Mission locked")).to_be_visible()

    context = browser.new_context(base_url=live_server.url)
    staff_page = context.new_page()
    staff_page.goto(reverse("login"))
    staff_page.get_by_label("Username").fill(staff.username)
    staff_page.get_by_label("Password").fill(PASSWORD)
    staff_page.get_by_role("button", name="Sign in").click()
    staff_page.wait_for_url(lambda url: "/accounts/" not in url)

    staff_page.goto(reverse("observation:mission_detail", args=[mission.pk]))
    expect(staff_page.get_by_role("link", name="Log a report")).to_have_count(0)
    for name in ("report_create", "irregularity_create", "station_import"):
        staff_page.goto(reverse(f"observation:{name}", args=[mission.pk]))
        expect(staff_page.locator("#refusal")).to_contain_text("is locked")
    assert not ObserverReport.objects.filter(mission=mission).exists()
    context.close()
