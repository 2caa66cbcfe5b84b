"""Read settings from the environment, failing loudly on values we cannot use.

A typo in production configuration should stop start-up with the variable's
name, not quietly fall back to a default.
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_str(name: str, *, default: str | None = None) -> str | None:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip()


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < 0:
        raise ImproperlyConfigured(f"{name} must not be negative; got {raw!r}.")
    return value


def env_list(name: str, *, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, *, default_sqlite_path: str) -> dict:
    raw = env_str(name)
    if raw is None:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": default_sqlite_path,
        }
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL we can use: {exc}") from None
    if not config.get("ENGINE") or not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} is missing the database engine or name: {raw!r}.")
    return config


def secret_key(*, debug: bool) -> str:
    """The key from the environment; with DEBUG on, a fixed development key; else empty.

    An empty key is refused where one is needed: Django refuses to sign anything with
    it, and the WSGI and ASGI entry points refuse to serve (`require_secret_key`). Commands
    that need no key, such as `makemigrations --check`, still run without one.
    """
    key = env_str("SECRET_KEY")
    if key:
        return key
    if debug:
        # Development only: a fixed key so sessions survive a restart of `make run`.
        return "django-insecure-observa-local-development-only"
    return ""


def require_secret_key() -> None:
    """Refuse to start serving with DEBUG off and no SECRET_KEY."""
    if not env_bool("DEBUG") and not env_str("SECRET_KEY"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
