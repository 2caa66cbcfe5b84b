"""On a 390 px phone no page pans sideways, the mission's tabs fold into one menu, and
what a thumb presses is at least 44 px tall."""

from pprint import pformat

import pytest
from django.urls import reverse

from observation.models import MissionMembership
from tests.e2e.conftest import member
from tests.e2e.test_accessibility import SIZES, pages_of

# What overflows the viewport, named so that a failure says where.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  return [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .filter((element) => !element.closest(".table-responsive"))
    .slice(0, 5)
    .map((element) => element.outerHTML.slice(0, 120));
}"""
# Controls meant to be pressed (buttons, tabs, the menu, form fields), not links in text.
# A checkbox or radio button is pressed on its row, label included.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "main .btn, main .nav-link, main summary, main input:not([type=hidden]), main select"
  )]
  .filter((element) => element.offsetParent !== null)
  .map((element) => element.closest(".form-check") || element)
  .filter((element) => element.getBoundingClientRect().height < 44)
  .slice(0, 5)
  .map((element) => {
    const height = element.getBoundingClientRect().height;
    return `${element.outerHTML.slice(0, 100)}: ${height}px`;
  })"""


@pytest.fixture
def phone(browser, live_server, peru, sign_in, page):
    sign_in(member(peru["mission"], MissionMembership.Role.LEADER))
    cookies = page.context.cookies()
    context = browser.new_context(base_url=live_server.url, viewport=SIZES["phone"])
    context.add_cookies(cookies)
    yield context.new_page()
    context.close()


def test_no_page_pans_sideways_and_every_control_can_be_pressed(phone, peru):
    overflowing, small = {}, {}
    extra = [reverse("accounts:two_factor"), reverse("api_tokens:token_list")]
    for url in [*pages_of(peru), *extra]:
        phone.goto(url)
        if found := phone.evaluate(OVERFLOW):
            overflowing[url] = found
        if found := phone.evaluate(SMALL_TARGETS):
            small[url] = found
    assert overflowing == {}, pformat(overflowing)
    assert small == {}, pformat(small)


def test_the_mission_tabs_fold_into_one_menu(phone, peru):
    phone.goto(reverse("observation:report_list", args=[peru["mission"].pk]))
    tabs = phone.locator(".mission-tabs")
    menu = phone.locator(".mission-menu")
    assert not tabs.is_visible()
    assert menu.locator("summary").inner_text().strip().endswith("Reports")

    menu.locator("summary").click()
    menu.get_by_role("link", name="Statements").click()

    assert phone.url.endswith(reverse("observation:statement_list", args=[peru["mission"].pk]))
    box = phone.locator(".mission-menu summary").bounding_box()
    assert box["height"] >= 44
