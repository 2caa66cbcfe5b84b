"""Personal API tokens: stored hashed, shown once, refused once revoked or expired."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken, hash_key
from tests import factories
from tests.api.conftest import token_for

ME = "/api/v1/me/"


def test_token_is_stored_as_a_hash_only(user):
    token, key = ApiToken.issue(
        user=user, name="Laptop", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    token.refresh_from_db()
    assert key.startswith("obs_") and len(key) > 40
    assert token.key_hash == hash_key(key) != key
    assert key.startswith(token.prefix)
    assert key not in str(ApiToken.objects.values().get(pk=token.pk))


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer"])
def test_a_token_signs_in_as_its_user(user, keyword):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {token_for(user)}")

    response = client.get(ME)

    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert ApiToken.objects.get(user=user).last_used_at is not None


def _refused(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    return response.json()


def test_a_revoked_token_is_refused_with_its_code(user):
    key = token_for(user)
    ApiToken.objects.get(user=user).revoke()

    body = _refused(key)

    assert body["code"] == "token_revoked"
    assert "revoked" in body["detail"]


def test_an_expired_token_is_refused_with_its_code(user):
    key = token_for(user)
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now())

    assert _refused(key)["code"] == "token_expired"


def test_an_unknown_or_malformed_token_is_refused(user):
    assert _refused("obs_not-a-key")["code"] == "token_unknown"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two words")
    assert client.get(ME).json()["code"] == "token_malformed"


def test_a_disabled_users_token_is_refused(user):
    key = token_for(user)
    user.is_active = False
    user.save()

    assert _refused(key)["code"] == "user_inactive"


def test_without_credentials_the_api_answers_401_in_json(db):
    response = APIClient().get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_session_authentication_works_and_asks_for_csrf(staff, mission):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff)

    assert client.get(ME).status_code == 200
    response = client.post(f"/api/v1/missions/{mission.pk}/reports/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# The account page


def test_user_creates_a_token_and_sees_its_key_once(client, user):
    client.force_login(user)
    url = reverse("api_tokens:token_list")

    response = client.post(url, {"name": "Field office", "expires_in": "30"})

    assert response.status_code == 200
    key = response.context["key"]
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == hash_key(key)
    assert key in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert (token.expires_at - timezone.now()).days in (29, 30)
    listed = client.get(url)
    assert "Field office" in listed.content.decode()
    assert key not in listed.content.decode()


def test_token_form_refuses_a_missing_name(client, user):
    client.force_login(user)

    response = client.post(reverse("api_tokens:token_list"), {"name": "", "expires_in": "30"})

    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_user_revokes_their_token(client, user):
    token_for(user)
    token = ApiToken.objects.get(user=user)
    client.force_login(user)

    response = client.post(reverse("api_tokens:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked


def test_nobody_revokes_another_users_token(client, user):
    token_for(factories.UserFactory())
    token = ApiToken.objects.get()
    client.force_login(user)

    assert client.post(reverse("api_tokens:token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("api_tokens:token_revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert not token.is_revoked


def test_token_page_is_for_signed_in_users(client, db):
    response = client.get(reverse("api_tokens:token_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_navbar_links_to_the_token_page(client, user):
    client.force_login(user)

    assert reverse("api_tokens:token_list") in client.get(reverse("home")).content.decode()


# The admin


def test_admin_lists_and_revokes_tokens(client, superuser, user):
    token_for(user)
    token = ApiToken.objects.get()
    client.force_login(superuser)
    url = reverse("admin:api_apitoken_changelist")

    assert token.prefix in client.get(url).content.decode()
    response = client.post(url, {"action": "revoke", "_selected_action": [token.pk]})

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_revoked
