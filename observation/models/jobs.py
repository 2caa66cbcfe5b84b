"""Long work done off the request by the task worker (observation.jobs), with what its
page shows: how far it got, and its result when done."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observation.models.missions import Mission

# A running job whose worker has not said it is alive for this long has lost its worker
# (a crash, a host restarted): it is run again, from the start.
HEARTBEAT_TIMEOUT = datetime.timedelta(minutes=2)


class Job(models.Model):
    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        SUMMARY_PDF = "summary_pdf", _("Summary PDF")
        IMPORT = "import", _("Import")
        IMPORT_PREVIEW = "import_preview", _("Import preview")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for a worker")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("mission")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    # What the work needs to be done again from the start, by a worker.
    params = models.JSONField(_("parameters"), default=dict)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.WAITING
    )
    # Rows for an export; pages for a PDF, known once they are laid out.
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("in all"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("result"), upload_to="jobs/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What the job did, as its requester reads it (an import's counts, or why it wrote
    # nothing), written in their language.
    outcome = models.TextField(_("outcome"), blank=True)
    # What the page of the job's work shows once it is done: an import's preview, laid
    # out, with what confirming it needs (imports.preview_result).
    result = models.JSONField(_("result"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("last heard of"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, 100 * self.done // self.total) if self.total else 0

    def lost(self, now=None) -> bool:
        """Running, but its worker has not been heard of for too long."""
        now = now or timezone.now()
        return self.status == self.Status.RUNNING and (
            self.heartbeat_at is None or now - self.heartbeat_at > HEARTBEAT_TIMEOUT
        )


@receiver(post_delete, sender=Job)
def _delete_file(sender, instance, **kwargs):
    # A result may name observers: it goes with its job, when a mission is deleted too
    # (a signal, as a cascade calls no delete() of the job's).
    if instance.file:
        instance.file.delete(save=False)
