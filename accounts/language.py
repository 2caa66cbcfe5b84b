"""The language a signed-in user chose, remembered on their account.

Until a user chooses, LocaleMiddleware serves their browser's language. The choice
is stored on their Preferences and copied into the session at sign-in, so that
PreferredLanguageMiddleware applies it on any browser without a query per request.
"""

from django.conf import settings
from django.utils import translation

from accounts.models import Preferences

SESSION_KEY = "preferred_language"


def remember(request, language: str) -> None:
    """Keep `language` as the signed-in user's choice, for this session and the next."""
    Preferences.objects.update_or_create(user=request.user, defaults={"language": language})
    request.session[SESSION_KEY] = language


def restore(request) -> None:
    """At sign-in: carry the user's stored choice, if any, into their session."""
    language = (
        Preferences.objects.filter(user=request.user).values_list("language", flat=True).first()
    )
    if language:
        request.session[SESSION_KEY] = language


def preferred(request) -> str | None:
    language = request.session.get(SESSION_KEY)
    if language and language in dict(settings.LANGUAGES):
        return language
    return None


def activate(request) -> None:
    language = preferred(request)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language
