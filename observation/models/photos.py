import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observation.models.base import MissionRecord
from observation.models.reports import Irregularity


def photo_path(photo, filename):
    # A name of our own: the one the phone gave may say when, where or by whom.
    extension = filename.rsplit(".", 1)[-1]
    return f"irregularity-photos/{photo.irregularity.mission_id}/{uuid.uuid4().hex}.{extension}"


class IrregularityPhoto(MissionRecord):
    """Photo evidence of an irregularity, stored without its metadata (observation.photos)
    and served only to the mission's members whose role allows it, never publicly."""

    irregularity = models.ForeignKey(
        Irregularity,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("irregularity"),
    )
    image = models.FileField(_("image"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=20, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    # SHA-256 of the file as sent: a retried upload finds the photo stored already.
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("irregularity photo")
        verbose_name_plural = _("irregularity photos")
        constraints = [
            models.UniqueConstraint(
                fields=["irregularity", "digest"], name="one_photo_per_file_and_irregularity"
            ),
        ]

    def __str__(self):
        return f"{self.irregularity} — {_('photo')} {self.pk}"

    def get_absolute_url(self):
        return reverse(
            "observation:irregularity_photo",
            args=[self.irregularity.mission_id, self.irregularity_id, self.pk],
        )

    def lock_mission_id(self):
        return (
            Irregularity.objects.filter(pk=self.irregularity_id)
            .values_list("mission_id", flat=True)
            .first()
        )


@receiver(post_delete, sender=IrregularityPhoto)
def _delete_file(sender, instance, **kwargs):
    """Evidence may show faces and places: its file goes with its row, however the row
    goes (with its irregularity, its report or its mission), once that is committed (a
    deletion rolled back keeps both)."""
    storage, name = instance.image.storage, instance.image.name
    if name:
        transaction.on_commit(lambda: storage.delete(name))
