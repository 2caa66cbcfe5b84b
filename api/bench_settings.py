"""Settings of the server that `manage.py bench_api` starts: the site's own, with one
trivial API view added to measure the stack's ceiling (api.bench_urls)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "api.bench_urls"
