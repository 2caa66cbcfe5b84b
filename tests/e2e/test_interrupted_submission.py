"""A submission that never arrives must not leave the form dead."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, ObserverReport
from tests import factories


def test_save_works_again_after_a_submission_that_never_arrived(page, sign_in):
    mission = factories.MissionFactory()
    round_ = factories.ElectionRoundFactory(mission=mission)
    factories.PollingStationFactory(mission=mission, code="AYA-0042")
    staff = factories.MissionMembershipFactory(
        mission=mission, role=MissionMembership.Role.STAFF
    ).user
    sign_in(staff)
    # Timers under the test's control: the form is released after a while.
    page.clock.install()
    page.goto(reverse("observation:report_create", args=[mission.pk]))
    page.get_by_label("Round").select_option(label=str(round_))
    page.get_by_label("Polling station (code)").fill("AYA-0042")
    page.get_by_label("Phase").select_option(label="Voting")

    # The first submission hangs, and the user stops it.
    held = []

    def hold(route):
        held.append(route)

    page.route("**/reports/new/", hold)
    page.get_by_role("button", name="Save report").click(no_wait_after=True)
    page.wait_for_timeout(500)
    page.evaluate("window.stop()")
    page.unroute("**/reports/new/", hold)
    assert not ObserverReport.objects.exists()

    page.clock.run_for(16_000)
    page.get_by_role("button", name="Save report").click()

    expect(page.get_by_text("Report saved.")).to_be_visible()
    assert ObserverReport.objects.count() == 1
