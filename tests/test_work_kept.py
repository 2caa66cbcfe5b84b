"""Work typed into a form survives a failed save: the server's side of it (the browser
side, static/js/draft.js, is exercised in tests/e2e/test_work_kept.py)."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.middleware import IdleSessionMiddleware
from observation.models import MissionMembership
from tests import factories
from tests.factories import PASSWORD
from tests.observation.test_reports import report_data

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return Session.objects.get()


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved by hand."""
    now = {"value": 1_000_000}
    monkeypatch.setattr("config.middleware.time.time", lambda: now["value"])
    return now


def test_a_session_in_use_is_carried_forward_past_its_first_expiry(client, staff, clock, settings):
    settings.SESSION_COOKIE_AGE = 3600
    settings.SESSION_REFRESH_INTERVAL = 300
    first = sign_in(client, staff)
    assert first.get_decoded()[IdleSessionMiddleware.KEY] == 1_000_000

    clock["value"] += 600
    client.get(reverse("home"))

    session = Session.objects.get()
    assert session.get_decoded()[IdleSessionMiddleware.KEY] == 1_000_600
    assert session.expire_date > first.expire_date


def test_a_session_is_written_at_most_once_per_refresh_interval(client, staff, clock, settings):
    settings.SESSION_REFRESH_INTERVAL = 300
    sign_in(client, staff)
    clock["value"] += 60
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("home"))
    assert not any(
        "django_session" in query["sql"] and "UPDATE" in query["sql"]
        for query in captured.captured_queries
    )
    assert Session.objects.get().get_decoded()[IdleSessionMiddleware.KEY] == 1_000_000


def test_an_unused_session_still_ends_after_the_idle_time(client, staff, settings):
    settings.SESSION_COOKIE_AGE = 3600
    sign_in(client, staff)
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_refused_csrf_token_shows_our_page_that_says_the_work_is_kept(staff, mission):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    form_url = reverse("observation:report_create", args=[mission.pk])

    response = client.post(
        form_url, {"notes": "typed"}, HTTP_REFERER=f"http://testserver{form_url}"
    )

    assert response.status_code == 403
    page = response.content.decode()
    assert "This form was not saved" in page
    assert "What you typed is kept in this browser" in page
    assert f'href="http://testserver{form_url}"' in page
    assert "draft.js" in page
    assert not mission.reports.exists()


def test_the_csrf_page_links_back_to_no_foreign_site(staff, mission):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)

    response = client.post(
        reverse("observation:report_create", args=[mission.pk]),
        HTTP_REFERER="https://evil.example.com/phish",
    )

    assert response.status_code == 403
    assert "evil.example.com" not in response.content.decode()


def test_the_server_error_page_says_the_work_is_kept(staff, mission):
    client = Client(raise_request_exception=False)
    client.force_login(staff)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("observation.views.reports.services.report_save", broken)
        setting = _setting(mission)
        response = client.post(
            reverse("observation:report_create", args=[mission.pk]), report_data(setting)
        )

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "What you typed is kept in this browser" in page
    assert "draft.js" in page


def _setting(mission):
    factories.standard_checklist(mission)
    return {
        "round": factories.ElectionRoundFactory(mission=mission),
        "station": factories.PollingStationFactory(mission=mission, code="LIM-001"),
        "observer": factories.DelegationMemberFactory(mission=mission),
    }


@pytest.mark.parametrize(
    "url_name",
    [
        "observation:report_create",
        "observation:irregularity_create",
        "observation:statement_create",
    ],
)
def test_forms_keep_a_draft_under_the_user_and_their_address(client, mission, url_name):
    user = factories.MissionMembershipFactory(
        mission=mission, role=MissionMembership.Role.REVIEWER
    ).user
    client.force_login(user)
    url = reverse(url_name, args=[mission.pk])

    page = client.get(url).content.decode()

    assert f'data-draft="{user.pk}:{url}"' in page
    assert "data-draft-posted" not in page
    assert "data-draft-offer" in page


def test_a_form_answering_a_failed_save_is_marked_as_showing_what_was_posted(
    client, staff, mission
):
    client.force_login(staff)

    page = client.post(
        reverse("observation:irregularity_create", args=[mission.pk]), {"severity": "serious"}
    ).content

    assert b"data-draft-posted" in page
    assert b'id="not-saved"' in page


def test_the_page_after_a_save_tells_the_browser_to_drop_the_draft(client, staff, mission):
    client.force_login(staff)
    setting = _setting(mission)

    response = client.post(
        reverse("observation:report_create", args=[mission.pk]), report_data(setting), follow=True
    )

    assert mission.reports.count() == 1
    assert b"data-draft-saved" in response.content


def test_a_page_after_a_refused_move_does_not_drop_any_draft(client, staff, mission):
    client.force_login(staff)

    response = client.get(reverse("observation:mission_detail", args=[mission.pk]))

    assert b"data-draft-saved" not in response.content
    assert b"data-draft-kept" in response.content
