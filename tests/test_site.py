import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdefgh",
    "ALLOWED_HOSTS": "observa.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://observa.example.org",
    "SITE_URL": "https://observa.example.org",
}


# Start from a clean slate for the variables under test (pytest-env sets some).
UNSET = {"DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _manage(*args, env):
    base_env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_start_up_refuses_an_unreadable_debug_value():
    result = _manage("check", env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def _python(code, *, env):
    base_env = {k: v for k, v in os.environ.items() if k not in UNSET}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**base_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.asgi"])
def test_serving_refuses_production_without_a_secret_key(entry_point):
    result = _python(f"import {entry_point}", env={"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_django_refuses_to_sign_with_an_empty_key():
    result = _python(
        "import django; django.setup(); from django.core import signing; signing.dumps(1)",
        env={"DEBUG": "0", "DJANGO_SETTINGS_MODULE": "config.settings"},
    )
    assert result.returncode != 0
    assert "SECRET_KEY setting must not be empty" in result.stderr


def test_migration_check_runs_without_any_environment():
    result = _manage("makemigrations", "--check", "--dry-run", env={})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_deploy_checks_pass_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_admin_redirects_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_sign_in_page_renders_the_form(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_sign_in_with_good_credentials_reaches_home(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"] == user
    assert user.first_name in response.content.decode()


def test_sign_in_with_bad_credentials_shows_an_error(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert b"Please enter a correct" in response.content


def test_sign_out_needs_post(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_home_shows_the_signed_in_user_and_sign_out(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert user.first_name in response.content.decode()
    assert reverse("logout") in response.content.decode()


def test_admin_index_loads_for_a_superuser(client, superuser):
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Observa administration" in response.content


def test_collected_static_files_are_served_by_whitenoise(tmp_path, db):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        response = Client().get("/static/vendor/bootstrap/bootstrap.min.css")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/css")
        body = b"".join(response.streaming_content)
        assert b"Bootstrap" in body[:200]


def test_static_files_are_served_without_sign_in(client, db):
    response = client.get("/static/css/observa.css")
    assert response.status_code == 200
