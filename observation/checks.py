"""Checks of a production set-up that `manage.py check --deploy` runs."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def site_url(app_configs, **kwargs):
    if settings.SITE_URL:
        return []
    return [
        Warning(
            "SITE_URL is not set: the links in alert e-mails are paths without the site's address.",
            hint="Set SITE_URL to the address the app is reached at, e.g. "
            "https://observa.example.org.",
            id="observation.W001",
        )
    ]
