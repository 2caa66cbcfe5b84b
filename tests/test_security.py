import re
import threading
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.db import connection
from django.test import Client
from django.urls import reverse

from observation.models import ObserverReport
from tests import factories
from tests.factories import PASSWORD
from tests.test_settings import settings_from_environment

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def _sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_locks_after_repeated_failures_until_an_administrator_unlocks(
    client, user, superuser, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _sign_in(client, user.username, "wrong")
    locked = _sign_in(client, user.username, PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    admin = Client()
    admin.force_login(superuser)
    attempt = AccessAttempt.objects.get(username=user.username)
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert _sign_in(client, user.username, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_lockout_is_per_user_name(client, user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    other = factories.UserFactory()
    for _ in range(2):
        _sign_in(client, other.username, "wrong")
    assert _sign_in(client, user.username, PASSWORD).status_code == 302


# The load balancer's own address: every request reaches the app from it.
BALANCER = "10.0.0.2"


@pytest.fixture
def trusted_proxies(settings, monkeypatch):
    """Set TRUSTED_PROXY_COUNT and apply what config/settings.py makes of it."""

    def configure(count):
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", str(count))
        derived = settings_from_environment()
        for name in ["AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT"]:
            setattr(settings, name, derived[name])
        settings.IPWARE_STRICT = derived["IPWARE_STRICT"]

    return configure


def _sign_in_through(client, forwarded_for, username, password):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=BALANCER,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_balancer_failures_lock_that_name_at_that_address_only(user, trusted_proxies):
    trusted_proxies(1)
    # An attacker at 198.51.100.7 writes a victim's address into the header; the
    # balancer appends the address the attacker really connects from.
    for _ in range(5):
        _sign_in_through(Client(), "203.0.113.50, 198.51.100.7", user.username, "wrong")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"

    locked = _sign_in_through(Client(), "198.51.100.7", user.username, PASSWORD)
    assert locked.status_code == 429
    for address in ["203.0.113.50", "198.51.100.8"]:
        client = Client()
        assert _sign_in_through(client, address, user.username, PASSWORD).status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)


def test_behind_two_proxies_the_client_is_second_from_the_right(user, trusted_proxies):
    trusted_proxies(2)
    _sign_in_through(Client(), "203.0.113.50, 198.51.100.7, 10.0.1.9", user.username, "wrong")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(user, trusted_proxies):
    trusted_proxies(0)
    # One sender claiming a new address each time is still one address.
    for n in range(5):
        _sign_in_through(Client(), f"198.51.100.{n}", user.username, "wrong")
    assert AccessAttempt.objects.get().ip_address == BALANCER
    assert _sign_in_through(Client(), "203.0.113.50", user.username, PASSWORD).status_code == 429


def test_ordinary_page_carries_security_headers(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+=", re.IGNORECASE)


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_templates_hold_no_inline_script_style_or_handler(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script> (CSP allows only our files)"
    assert not INLINE_STYLE.search(text), "inline style (CSP allows only our stylesheets)"
    assert not EVENT_HANDLER.search(text), "inline event handler"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_racing_submissions_of_one_form_store_one_report(monkeypatch):
    mission = factories.MissionFactory()
    staff = factories.MissionMembershipFactory(mission=mission).user
    round_ = factories.ElectionRoundFactory(mission=mission)
    station = factories.PollingStationFactory(mission=mission)
    data = {
        "submission_id": "5b0b7b1e-6a43-4a61-9a0e-2a1f0b8e0c11",
        "round": round_.pk,
        "station": station.code,
        "phase": ObserverReport.Phase.OPENING,
        "irregularities-TOTAL_FORMS": "0",
        "irregularities-INITIAL_FORMS": "0",
    }
    # Hold both requests just before their INSERT so that neither sees the other's row.
    barrier = threading.Barrier(2, timeout=20)
    original_save = ObserverReport.save

    def save_after_barrier(self, *args, **kwargs):
        if self.pk is None:
            barrier.wait()
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(ObserverReport, "save", save_after_barrier)
    responses = []

    def submit():
        client = Client()
        client.force_login(staff)
        responses.append(client.post(reverse("observation:report_create", args=[mission.pk]), data))
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    report = ObserverReport.objects.get()
    expected = reverse("observation:report_detail", args=[mission.pk, report.pk])
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {expected}
