"""Browser tests: Playwright driving Debian's Chromium against the live server."""

import importlib
import os
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from playwright.sync_api import sync_playwright

from accounts import devices
from tests import authenticator, factories
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Chromium's own background traffic would only be refused on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Any value of CI but these counts as CI: there a missing browser must not pass unseen.
_NOT_CI = {"", "0", "false", "no", "off"}


def missing_chromium_outcome(path, env):
    """None when Chromium is at `path`, else how browser tests end without it and why:
    skipped on a developer's machine, failed in CI."""
    if Path(path).exists():
        return None
    reason = f"Chromium is not installed at {path}; install it with: sudo apt-get install chromium"
    if env.get("CI", "").strip().lower() in _NOT_CI:
        return pytest.skip, reason
    return pytest.fail, reason


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    outcome = missing_chromium_outcome(CHROMIUM, os.environ)
    if outcome is not None:
        end, reason = outcome
        end(reason)
    # Playwright's sync API keeps an event loop on the main thread; Django's ORM,
    # called from the tests beside it, must not take that for an async context.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()


# The data migrations whose rows browser tests need.
DATA_MIGRATIONS = [
    ("observation", "0002_seed_irregularity_categories", "seed"),
    ("dialogues", "0002_dialogue_editors_group", "create_editors_group"),
]


@pytest.fixture(autouse=True)
def _data_migrations(transactional_db):
    """Browser tests run in real transactions, and each ends by emptying the tables,
    rows of data migrations included: run those migrations' functions again."""
    loader = MigrationExecutor(connection).loader
    for app_label, name, function in DATA_MIGRATIONS:
        module = importlib.import_module(f"{app_label}.migrations.{name}")
        state = loader.project_state((app_label, name))
        with connection.schema_editor() as schema_editor:
            getattr(module, function)(state.apps, schema_editor)


@pytest.fixture
def sign_in(page):
    def sign_in_as(user):
        # Leaders and superusers must sign in with a second factor: give them an
        # authenticator app, and type the code it shows.
        app = factories.TOTPDeviceFactory(user=user) if devices.is_required(user) else None
        page.goto(reverse("login"))
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        if app is not None:
            page.wait_for_url(f"**{reverse('accounts:verify')}")
            page.get_by_label("Code").fill(authenticator.code(app))
            page.get_by_role("button", name="Verify").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)

    return sign_in_as


@pytest.fixture
def peru(db):
    mission = factories.MissionFactory(name="Peru 2000 general elections")
    round_ = factories.ElectionRoundFactory(mission=mission)
    station = factories.PollingStationFactory(
        mission=mission, code="AYA-0042", name="Colegio San Ramón", registered_voters=300
    )
    observer = factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name="Jennie Lincoln")
    )
    return {"mission": mission, "round": round_, "station": station, "observer": observer}


def member(mission, role):
    return factories.MissionMembershipFactory(mission=mission, role=role).user
