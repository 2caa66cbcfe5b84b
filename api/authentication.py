from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api.models import ApiToken, hash_key

KEYWORDS = {"bearer", "token"}


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` (or `Token <key>`) with a personal API token.

    A request without the header is left to the next authentication (the session);
    one with a key that is unknown, revoked or expired is refused outright, with a
    code that says which.
    """

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as “Authorization: Bearer <key>”."), code="token_malformed"
            )
        try:
            key = words[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                _("This API token is not known."), code="token_unknown"
            ) from None
        try:
            # get(): the hash is unique, and first() would order by the tokens' ordering.
            token = ApiToken.objects.select_related("user").get(key_hash=hash_key(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(
                _("This API token is not known."), code="token_unknown"
            ) from None
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(
                _("This API token was revoked. Create a new one on your account page."),
                code="token_revoked",
            )
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("This API token has expired. Create a new one on your account page."),
                code="token_expired",
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                _("This account is disabled."), code="user_inactive"
            )
        token.touch()
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, created on your account's API tokens page.",
        }
