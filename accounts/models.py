from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Preferences(models.Model):
    """What a user chose for themselves, kept across browsers and devices."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=_("user"),
    )
    # Blank until the user chooses: their browser's language is used meanwhile.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")
        ordering = ["user"]

    def __str__(self):
        return str(self.user)
