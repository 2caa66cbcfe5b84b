import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

import config.settings
from config import env


def settings_from_environment() -> dict:
    """config/settings.py run afresh on the environment as it is now."""
    return runpy.run_path(config.settings.__file__)


@pytest.mark.parametrize("value", ["maybe", "2", "enabled"])
def test_debug_with_unreadable_value_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("DEBUG", value)
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env.env_bool("DEBUG")


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("yes", True), ("off", False)])
def test_debug_reads_common_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("DEBUG", value)
    assert env.env_bool("DEBUG") is expected


def test_debug_is_off_unless_set(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    assert env.env_bool("DEBUG") is False


@pytest.mark.parametrize(
    "url",
    ["nonsense", "mongodb://localhost/observa", "postgres://u@h:notaport/db", "postgres://"],
)
def test_malformed_database_url_stops_start_up(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.env_database("DATABASE_URL", default_sqlite_path="/tmp/x.sqlite3")


def test_absent_database_url_means_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.env_database("DATABASE_URL", default_sqlite_path="/tmp/x.sqlite3")
    assert config == {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x.sqlite3"}


def test_postgres_database_url_is_parsed(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://obs@db.internal:5433/observa")
    config = env.env_database("DATABASE_URL", default_sqlite_path="/tmp/x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "observa")


def test_serving_needs_a_secret_key_when_debug_is_off(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DEBUG", "0")
    assert env.secret_key(debug=False) == ""
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        env.require_secret_key()
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    env.require_secret_key()


def test_development_secret_key_only_with_debug(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert "insecure" in env.secret_key(debug=True)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert env.secret_key(debug=False) == "from-the-environment"


@pytest.mark.parametrize("value", ["soon", "-5", "1.5"])
def test_whole_number_setting_rejects_bad_value(monkeypatch, value):
    monkeypatch.setenv("SESSION_COOKIE_AGE", value)
    with pytest.raises(ImproperlyConfigured, match="SESSION_COOKIE_AGE"):
        env.env_int("SESSION_COOKIE_AGE", default=10)


def test_list_setting_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "observa.example.org, www.observa.example.org,")
    assert env.env_list("ALLOWED_HOSTS") == ["observa.example.org", "www.observa.example.org"]


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_unreadable_trusted_proxy_count_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXY_COUNT", value)
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXY_COUNT"):
        settings_from_environment()


@pytest.mark.parametrize(
    ("value", "headers", "listed_proxies"),
    [
        (None, ["REMOTE_ADDR"], None),
        ("1", ["HTTP_X_FORWARDED_FOR"], 0),
        ("3", ["HTTP_X_FORWARDED_FOR"], 2),
    ],
)
def test_trusted_proxy_count_chooses_where_the_client_address_is_read(
    monkeypatch, value, headers, listed_proxies
):
    if value is None:
        monkeypatch.delenv("TRUSTED_PROXY_COUNT", raising=False)
    else:
        monkeypatch.setenv("TRUSTED_PROXY_COUNT", value)
    derived = settings_from_environment()
    assert derived["AXES_IPWARE_META_PRECEDENCE_ORDER"] == headers
    assert derived["AXES_IPWARE_PROXY_COUNT"] == listed_proxies
