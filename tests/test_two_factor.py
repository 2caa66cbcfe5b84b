import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import devices
from tests import authenticator, factories
from tests.factories import PASSWORD
from tests.test_security import INLINE_SCRIPT, INLINE_STYLE

CODE_STEP = reverse("accounts:verify")
SET_UP = reverse("accounts:enrol")


def _sign_in(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


def _wrong(code):
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def _set_up(client, user):
    """Sign in and set up an authenticator app; the page that shows the recovery codes."""
    _sign_in(client, user)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return client.post(SET_UP, {"code": authenticator.code(device)})


def _with_app(user):
    """`user` with an authenticator app set up, and their recovery codes."""
    factories.TOTPDeviceFactory(user=user)
    return devices.replace_recovery_codes(user)


def test_leader_without_an_app_is_sent_to_set_one_up_and_can_open_nothing_else(
    client, leader, mission
):
    response = _sign_in(client, leader)
    assert response.status_code == 302
    assert response["Location"] == SET_UP

    for url in [mission.get_absolute_url(), reverse("home"), reverse("accounts:two_factor")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == SET_UP, url

    page = client.get(SET_UP)
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=leader)
    assert not device.confirmed
    assert devices.manual_key(device).replace(" ", "") in page.content.decode().replace(" ", "")


def test_superuser_must_set_up_an_app_too(client, superuser):
    assert _sign_in(client, superuser)["Location"] == SET_UP
    assert client.get(reverse("admin:index"))["Location"] == SET_UP


def test_setting_up_with_the_right_code_turns_it_on_and_shows_recovery_codes(
    client, leader, mission
):
    _sign_in(client, leader, next_url=mission.get_absolute_url())
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=leader)
    response = client.post(SET_UP, {"code": authenticator.code(device)})

    assert response.status_code == 200
    codes = re.findall(r'font-monospace fs-5">([a-z2-7]{8})<', response.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.values_list("token", flat=True))
    assert response.context["continue_url"] == mission.get_absolute_url()
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(mission.get_absolute_url()).status_code == 200
    # Shown once: the account page tells how many are left, not what they are.
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "10 unused recovery codes" in page
    assert codes[0] not in page


def test_setting_up_refuses_a_wrong_code(client, leader):
    _sign_in(client, leader)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=leader)
    response = client.post(SET_UP, {"code": _wrong(authenticator.code(device))})
    assert response.status_code == 200
    assert response.context["form"].has_error("code", "wrong_code")
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home"))["Location"] == SET_UP


def test_the_set_up_page_holds_no_inline_style_or_script(client, leader):
    _sign_in(client, leader)
    html = client.get(SET_UP).content.decode()
    assert "<svg" in html
    assert not INLINE_STYLE.search(html)
    assert not INLINE_SCRIPT.search(html)


def test_next_sign_in_asks_for_the_code_and_goes_where_the_user_was_going(client, leader, mission):
    _set_up(client, leader)
    client.post(reverse("logout"))

    response = _sign_in(client, leader, next_url=mission.get_absolute_url())
    assert response["Location"] == CODE_STEP
    assert client.get(mission.get_absolute_url())["Location"] == CODE_STEP

    device = TOTPDevice.objects.get(user=leader)
    response = client.post(CODE_STEP, {"code": authenticator.code(device)})
    assert response.status_code == 302
    assert response["Location"] == mission.get_absolute_url()
    assert client.get(mission.get_absolute_url()).status_code == 200
    # Once through, the code step has nothing more to ask.
    assert client.get(CODE_STEP)["Location"] == reverse("home")


def test_a_wrong_code_is_refused_and_a_recovery_code_works_once(client, leader, mission):
    recovery_codes = _with_app(leader)
    device = TOTPDevice.objects.get(user=leader)
    _sign_in(client, leader)

    response = client.post(CODE_STEP, {"code": _wrong(authenticator.code(device))})
    assert response.status_code == 200
    assert response.context["form"].has_error("code", "wrong_code")
    assert client.get(mission.get_absolute_url())["Location"] == CODE_STEP

    response = client.post(CODE_STEP, {"code": recovery_codes[0].upper()})
    assert response["Location"] == reverse("home")
    assert client.get(mission.get_absolute_url()).status_code == 200

    client.post(reverse("logout"))
    _sign_in(client, leader)
    response = client.post(CODE_STEP, {"code": recovery_codes[0]})
    assert response.context["form"].has_error("code", "wrong_code")
    assert StaticToken.objects.count() == 9


def test_codes_typed_in_quick_succession_after_a_wrong_one_wait(client, leader):
    _with_app(leader)
    device = TOTPDevice.objects.get(user=leader)
    _sign_in(client, leader)
    client.post(CODE_STEP, {"code": _wrong(authenticator.code(device))})
    response = client.post(CODE_STEP, {"code": authenticator.code(device)})
    assert response.context["form"].has_error("code", "throttled")


def test_staff_sign_in_without_a_second_factor_and_may_set_one_up(client, staff, mission):
    response = _sign_in(client, staff)
    assert response["Location"] == reverse("home")
    assert client.get(mission.get_absolute_url()).status_code == 200
    assert (
        "Two-factor sign-in is off" in client.get(reverse("accounts:two_factor")).content.decode()
    )

    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(SET_UP, {"code": authenticator.code(device)})
    assert response.context["continue_url"] == reverse("accounts:two_factor")
    assert "Two-factor sign-in is on" in client.get(reverse("accounts:two_factor")).content.decode()

    client.post(reverse("logout"))
    assert _sign_in(client, staff)["Location"] == CODE_STEP


def test_staff_turn_it_off_with_a_current_code(client, staff):
    recovery_codes = _with_app(staff)
    client.force_login(staff)
    url = reverse("accounts:turn_off")

    app_code = authenticator.code(TOTPDevice.objects.get(user=staff))
    response = client.post(url, {"code": _wrong(app_code)})
    assert response.context["turn_off_form"].has_error("code", "wrong_code")
    assert devices.authenticator(staff) is not None

    assert client.post(url, {"code": recovery_codes[0]}).status_code == 302
    assert devices.authenticator(staff) is None
    assert not StaticToken.objects.exists()
    assert _sign_in(Client(), staff)["Location"] == reverse("home")


def test_leader_may_not_turn_it_off(client, leader):
    recovery_codes = _with_app(leader)
    client.force_login(leader)
    response = client.post(reverse("accounts:turn_off"), {"code": recovery_codes[0]})
    assert response.status_code == 403
    assert devices.authenticator(leader) is not None
    assert "Turn off" not in client.get(reverse("accounts:two_factor")).content.decode()


def test_new_recovery_codes_replace_the_old_ones(client, staff):
    old_codes = _with_app(staff)
    client.force_login(staff)
    response = client.post(reverse("accounts:recovery_codes"))
    new_codes = re.findall(r'font-monospace fs-5">([a-z2-7]{8})<', response.content.decode())
    assert len(new_codes) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new_codes)
    assert not set(old_codes) & set(new_codes)


def test_wrong_codes_count_towards_the_lockout(client, leader, settings):
    settings.AXES_FAILURE_LIMIT = 3
    _with_app(leader)
    device = TOTPDevice.objects.get(user=leader)
    client.post(reverse("login"), {"username": leader.username, "password": "wrong"})
    # The right password does not wipe the failure before it.
    assert _sign_in(client, leader)["Location"] == CODE_STEP

    client.post(CODE_STEP, {"code": _wrong(authenticator.code(device))})
    locked = client.post(CODE_STEP, {"code": _wrong(authenticator.code(device))})
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert _sign_in(client, leader).status_code == 429


def test_a_pending_session_cannot_try_codes_once_locked_out(client, leader, settings):
    settings.AXES_FAILURE_LIMIT = 2
    _with_app(leader)
    device = TOTPDevice.objects.get(user=leader)
    _sign_in(client, leader)
    other = Client()
    _sign_in(other, leader)
    for _ in range(2):
        other.post(CODE_STEP, {"code": "abcdefgh"})

    response = client.post(CODE_STEP, {"code": authenticator.code(device)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_full_sign_in_forgets_earlier_failures(client, user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert _sign_in(client, user).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert _sign_in(client, user).status_code == 302


def test_the_admin_sign_in_form_sends_to_ours(client, superuser):
    for response in [
        client.get("/admin/login/?next=/admin/"),
        client.post(
            "/admin/login/?next=/admin/",
            {"username": superuser.username, "password": PASSWORD},
        ),
    ]:
        assert response.status_code == 302
        assert response["Location"] == reverse("login") + "?next=/admin/"
    assert "_auth_user_id" not in client.session


def test_a_session_pending_its_code_may_sign_out(client, leader):
    _with_app(leader)
    _sign_in(client, leader)
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("name", ["accounts:recovery_codes", "accounts:turn_off"])
def test_changes_to_two_factor_sign_in_are_post_only(client, staff, name):
    client.force_login(staff)
    assert client.get(reverse(name)).status_code == 405
