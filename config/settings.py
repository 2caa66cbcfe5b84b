"""Observa settings: one module, read from the environment (see README)."""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_database, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = secret_key(debug=DEBUG)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # intcomma: counts grouped by the reader's locale ("1,234" / "1.234").
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Its widget templates, for FORM_RENDERER below.
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "django_tasks",
    "django_tasks_db",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "observation",
    "dialogues",
    "findings",
    "api",
    "odk",
]

MIDDLEWARE = [
    # First, to time all the rest.
    "config.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "config.middleware.ResetTimeZoneMiddleware",
    # Its response step runs before the session's, which then writes what it set.
    "config.middleware.IdleSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the session and the user: a signed-in user's chosen language wins over
    # the browser's, which LocaleMiddleware read above.
    "accounts.middleware.PreferredLanguageMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into a response.
    "axes.middleware.AxesMiddleware",
]

# Prometheus metrics at /metrics, for a scraper that sends this token (config/metrics.py);
# off without one.
METRICS_TOKEN = env_str("METRICS_TOKEN", default="")
if METRICS_TOKEN:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE = [
        "django_prometheus.middleware.PrometheusBeforeMiddleware",
        *MIDDLEWARE,
        "django_prometheus.middleware.PrometheusAfterMiddleware",
    ]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Widgets render through TEMPLATES, so that templates/django/forms/ can write a select's
# options in place (see templates/django/forms/widgets/select.html).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": env_database("DATABASE_URL", default_sqlite_path=str(VAR_DIR / "db.sqlite3"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
# The catalogue's .po is kept in git; the .mo is compiled by `make run` and `make test`.
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date style in both languages, day and month name ("9 Apr 2000", "9 abr 2000"):
# a numeric date reads one way in Lima and another in Washington.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env_str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Repeated failed sign-ins lock out that user name from that address until an
# administrator unlocks it (admin: Axes → Access attempts) or the cool-off passes.
# Wrong second-factor codes count as failed sign-ins too (accounts.sign_in).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", default=24) or None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Not on the password alone: failures are forgotten once the second factor is
# passed too (accounts.sign_in.complete), else each right password would buy an
# attacker a fresh set of guesses at the code.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# The client's address. Behind N proxies that each append the address they were
# connected from to X-Forwarded-For, the client is the Nth address from the right:
# whatever a client writes to the left of it is ignored. With no trusted proxy the
# header is ignored altogether, as anyone can send it. Set this only when the app
# can be reached through those proxies alone.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR"] if TRUSTED_PROXY_COUNT else ["REMOTE_ADDR"]
)
# django-ipware counts the proxies listed in the header after the client; the one
# that connects to us is not listed there.
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT - 1 if TRUSTED_PROXY_COUNT else None
# Not strict: a strict chain must be exactly as long as the proxy count, so a client
# that sent its own X-Forwarded-For would have no address at all.
IPWARE_STRICT = False

# Two-factor sign-in (accounts): the name authenticator apps show beside the code.
OTP_TOTP_ISSUER = "Observa"

# Only our own static files: no inline script or style, no other origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap draws its form and navbar icons as data: SVGs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# The map of stations draws over tiles from this server, "{z}/{x}/{y}" in its address
# (https://tile.openstreetmap.org/{z}/{x}/{y}.png, or a mission's own); none by
# default, so that no request leaves the network: stations are drawn on a grid of
# latitudes and longitudes. Its origin is added to the images the policy allows.
MAP_TILE_URL = env_str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", default="")
if MAP_TILE_URL:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL))
    )

# Invitations and election-day alerts. In development they are printed to the console;
# in production they go through the SMTP server named here.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
# Seconds before an unanswering mail server is given up (invitations are sent from the
# request; alerts by the task worker).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="observa@localhost")
# Where the app is reached, for the links of messages sent outside a request (alerts).
SITE_URL = env_str("SITE_URL", default="http://localhost:8000" if DEBUG else "").rstrip("/")

# Long work is queued in the database and done by the task worker (`manage.py
# db_worker`, which `make run` starts beside the development server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The health endpoint says the queue is stuck when a task has waited this long.
TASK_QUEUE_STUCK_AFTER = datetime.timedelta(minutes=env_int("TASK_QUEUE_STUCK_MINUTES", default=5))
# An Excel export of more rows than this is written by the worker, not in the request.
EXPORT_IN_REQUEST_ROWS = env_int("EXPORT_IN_REQUEST_ROWS", default=5000)
# The members' summary PDF of a mission with more reports than this is written by the
# worker: at 20,000 reports it takes seconds (`make bench`).
SUMMARY_PDF_IN_REQUEST_REPORTS = env_int("SUMMARY_PDF_IN_REQUEST_REPORTS", default=2000)
# An import of more rows than this is checked again and written by the worker once
# confirmed: 90,000 stations take seconds (`make bench`).
IMPORT_IN_REQUEST_ROWS = env_int("IMPORT_IN_REQUEST_ROWS", default=5000)
# An upload of more lines than this is checked by the worker before its preview is shown:
# checking 90,000 stations takes seconds. A shorter one is checked in the request.
IMPORT_PREVIEW_IN_REQUEST_ROWS = env_int("IMPORT_PREVIEW_IN_REQUEST_ROWS", default=10_000)

# Station lists and delegation rosters uploaded for import; a national list of
# about 90,000 stations fits well under the default as CSV or XLSX.
# National lists run past 10 MB (Peru's ONPE: 11.7 MB); the file is read as a stream.
IMPORT_MAX_UPLOAD_SIZE = env_int("IMPORT_MAX_UPLOAD_SIZE", default=50 * 1024 * 1024)

# The JSON API (api/): personal tokens or the session (with CSRF), JSON only, every
# error with a stable code (api.errors), a request rate per token.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env_str("API_RATE_PER_TOKEN", default="600/minute")},
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Observa API",
    "DESCRIPTION": "Field intake for election observation missions.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Seconds a signed-in session may sit unused before it ends: a session in use is
# carried forward (config.middleware.IdleSessionMiddleware), at most every
# SESSION_REFRESH_INTERVAL seconds so that a busy user does not cost a write per page.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_REFRESH_INTERVAL = env_int("SESSION_REFRESH_INTERVAL", default=5 * 60)
# Our page for a form refused for its token: it says the typed work is kept.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    # Production sits behind a TLS-terminating proxy or load balancer.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logformat.JsonLines"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "json": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    # WeasyPrint narrates every render at INFO and warns of each CSS rule it skips.
    # Axes logs every sign-in at INFO; failures and lockouts come at WARNING.
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # One JSON line per request (config.middleware.RequestLogMiddleware).
        "observa.requests": {"handlers": ["json"], "level": "INFO", "propagate": False},
    },
}
