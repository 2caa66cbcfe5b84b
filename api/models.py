"""Personal API tokens, and what the API keeps to answer a retried submission."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "obs_"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def hash_key(key: str) -> str:
    # The key is 256 random bits: a fast hash cannot be reversed, and no slow one is needed.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A user's key for the JSON API. Only its hash is stored: the key is shown once."""

    name = models.CharField(
        _("name"), max_length=100, help_text=_("Where it is used, e.g. “Field office laptop”.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("key begins"), max_length=12, editable=False, help_text=_("To tell keys apart.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name: str, expires_at) -> tuple["ApiToken", str]:
        """A new token and its key, which is never stored and cannot be shown again."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            expires_at=expires_at,
            key_hash=hash_key(key),
            prefix=key[: len(KEY_PREFIX) + 6],
        )
        return token, key

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def revoke(self):
        # One UPDATE: revoking twice keeps the first time.
        now = timezone.now()
        ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now)
        self.refresh_from_db(fields=["revoked_at"])

    def touch(self):
        """Record the token's use, at most once per LAST_USED_PRECISION."""
        now = timezone.now()
        if self.last_used_at and now - self.last_used_at < LAST_USED_PRECISION:
            return
        ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now


class StoredRequest(models.Model):
    """The body of the API request that created a record, under the client's submission
    id: a retry is compared with it, field by field."""

    body = models.JSONField(_("request body"))
    token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API token"),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["-received_at", "-pk"]


class Submission(StoredRequest):
    """A report's request; its submission id is the report's own."""

    report = models.OneToOneField(
        "observation.ObserverReport",
        on_delete=models.CASCADE,
        related_name="api_submission",
        verbose_name=_("observer report"),
    )

    class Meta(StoredRequest.Meta):
        verbose_name = _("API submission")
        verbose_name_plural = _("API submissions")

    def __str__(self):
        return str(self.report.submission_id)


class IrregularitySubmission(StoredRequest):
    """An irregularity's request, under the client's submission id."""

    submission_id = models.UUIDField(_("submission id"), unique=True)
    irregularity = models.OneToOneField(
        "observation.Irregularity",
        on_delete=models.CASCADE,
        related_name="api_submission",
        verbose_name=_("irregularity"),
    )

    class Meta(StoredRequest.Meta):
        verbose_name = _("API irregularity submission")
        verbose_name_plural = _("API irregularity submissions")

    def __str__(self):
        return str(self.submission_id)
