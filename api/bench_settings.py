"""Settings of the server that `manage.py bench_api` starts: the site's own, with one
trivial API view added to measure the stack's ceiling (api.bench_urls)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "api.bench_urls"

# The pages' static addresses without a collected manifest: a benchmark or load test needs
# no collectstatic before it runs.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
