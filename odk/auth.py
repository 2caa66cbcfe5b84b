"""Signing in as ODK Collect does: HTTP Basic with the user's name and a personal API
token as the password (OpenRosa lets a server offer Basic or Digest; Basic over HTTPS
is what Collect uses with ODK Central). The token is checked by the JSON API's own
check (`api.authentication.TokenAuthentication`), so a revoked or expired token is
refused here as there; a wrong one counts toward the sign-in lockout (django-axes),
as a wrong password on the sign-in page does.
"""

import base64
import binascii

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from rest_framework.exceptions import AuthenticationFailed

from api.authentication import TokenAuthentication

REALM = "Observa"


class _Bearer:
    """A stand-in request carrying the token as the JSON API receives it."""

    def __init__(self, key: str):
        self.headers = {"authorization": f"Bearer {key}"}
        self.META = {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def credentials(request) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    return (username, password) if colon else None


class Refused(Exception):
    def __init__(self, message, *, locked=False):
        super().__init__(message)
        self.locked = locked


def authenticate(request):
    """The user and token of the request's Basic credentials; None if it sends none.
    Raises Refused for wrong credentials (counted toward the lockout) or a lockout."""
    sent = credentials(request)
    if sent is None:
        return None
    username, password = sent
    axes_credentials = {"username": username}
    if not AxesProxyHandler.is_allowed(request, axes_credentials):
        raise Refused("locked", locked=True)
    try:
        found = TokenAuthentication().authenticate(_Bearer(password))
    except AuthenticationFailed as error:
        found, reason = None, str(error.detail)
    else:
        reason = None
    if found is None or found[0].get_username() != username:
        user_login_failed.send(sender=__name__, credentials=axes_credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            # This failure locked the account: answered as an OpenRosa message by the
            # view, not with AxesMiddleware's HTML page, which Collect cannot show.
            request.axes_locked_out = False
            raise Refused("locked", locked=True)
        raise Refused(reason or "wrong")
    user, token = found
    # Not a session sign-in: no session is written, only the token's last use.
    request.user = user
    return user, token
