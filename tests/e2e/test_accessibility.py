"""axe-core finds no serious or critical violation on the pages of the navigation, at
desktop and phone sizes."""

from pathlib import Path

import pytest
from django.urls import reverse

from observation.models import MissionMembership
from tests import factories
from tests.e2e.conftest import member

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = """async () => {
  const { violations } = await axe.run(document, { resultTypes: ["violations"] });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}"""


def pages_of(peru):
    mission = peru["mission"].pk
    report = factories.ObserverReportFactory(
        mission=peru["mission"], round=peru["round"], station=peru["station"]
    )
    irregularity = factories.IrregularityFactory(mission=peru["mission"], round=peru["round"])
    statement = factories.FindingsStatementFactory(mission=peru["mission"])
    on_mission = [
        "mission_detail",
        "report_list",
        "report_create",
        "irregularity_list",
        "irregularity_create",
        "review_queue",
        "statement_list",
        "statement_create",
        "station_list",
        "mission_summary",
        "mission_public_summary",
        "membership_list",
    ]
    return [
        reverse("home"),
        reverse("observation:mission_list"),
        *(reverse(f"observation:{name}", args=[mission]) for name in on_mission),
        report.get_absolute_url(),
        irregularity.get_absolute_url(),
        statement.get_absolute_url(),
        reverse("dialogues:forum_list"),
    ]


@pytest.mark.parametrize("size", SIZES)
def test_no_serious_accessibility_violation_on_the_navigation(
    browser, live_server, peru, size, sign_in, page
):
    leader = member(peru["mission"], MissionMembership.Role.LEADER)
    sign_in(leader)
    cookies = page.context.cookies()
    # axe is injected as a script of the test's own: the app's CSP would refuse it.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport=SIZES[size])
    context.add_cookies(cookies)
    audited = context.new_page()
    found = {}
    for url in [reverse("login"), *pages_of(peru)]:
        audited.goto(url)
        audited.add_script_tag(path=AXE)
        violations = audited.evaluate(SERIOUS)
        if violations:
            found[url] = violations
    context.close()
    assert found == {}
