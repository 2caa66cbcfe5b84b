"""A run of reports phoned in by one team: each costs one page."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, ObserverReport
from tests import factories
from tests.e2e.conftest import member


def test_save_and_log_another_logs_three_reports_in_a_row(page, sign_in, peru):
    mission = peru["mission"]
    for code in ("AYA-0043", "AYA-0044"):
        factories.PollingStationFactory(mission=mission, code=code, registered_voters=300)
    sign_in(member(mission, MissionMembership.Role.STAFF))
    page.goto(reverse("observation:report_create", args=[mission.pk]))

    # The mission observed one round: it is chosen already.
    expect(page.get_by_label("Round")).to_have_value(str(peru["round"].pk))
    page.get_by_label("Observer team").select_option(label="Jennie Lincoln")
    page.get_by_label("Phase").select_option(label="Counting")
    for n, code in enumerate(("AYA-0042", "AYA-0043", "AYA-0044"), start=1):
        page.get_by_label("Polling station (code)").fill(code)
        expect(page.locator("#id_station-info")).to_contain_text("300 registered voters")
        page.get_by_label("Ballots cast").fill(str(200 + n))
        page.get_by_label("Overall assessment").select_option(label="Good")
        page.get_by_role("button", name="Save and log another").click()

        expect(page.get_by_role("alert").filter(has_text="Report saved")).to_be_visible()
        expect(page.get_by_label("Observer team")).to_have_value(str(peru["observer"].pk))
        expect(page.get_by_label("Phase")).to_have_value(ObserverReport.Phase.COUNTING)
        expect(page.get_by_label("Polling station (code)")).to_have_value("")
        expect(page.get_by_role("button", name="Restore it")).to_be_hidden()
        assert ObserverReport.objects.filter(mission=mission).count() == n

    assert sorted(
        ObserverReport.objects.filter(mission=mission).values_list("station__code", flat=True)
    ) == ["AYA-0042", "AYA-0043", "AYA-0044"]
