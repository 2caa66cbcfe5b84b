"""Election day's alerts: what needs a decision from the mission's core team, raised once
by what caused it and acknowledged once, by a named user."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from observation.models.missions import DelegationMember, ElectionRound, Mission
from observation.models.reports import Irregularity, ObserverReport


class Alert(models.Model):
    class Kind(models.TextChoices):
        OVERVOTE = "overvote", _("Overvote")
        SERIOUS = "serious", _("Serious irregularity")
        URGENT = "urgent", _("Urgent checklist concern")
        SILENT = "silent", _("Team silent past its deadline")

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("mission")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What raised it: an irregularity (overvote, serious), a report (urgent concern), or a
    # team and phase of a round (silent). An alert goes with what raised it: an overvote
    # corrected away takes its alert along.
    irregularity = models.ForeignKey(
        Irregularity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("irregularity"),
    )
    report = models.ForeignKey(
        ObserverReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("report"),
    )
    round = models.ForeignKey(
        ElectionRound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("round"),
    )
    team = models.ForeignKey(
        DelegationMember,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("observer team"),
    )
    phase = models.CharField(
        _("phase"), max_length=20, choices=ObserverReport.Phase.choices, blank=True
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            # Raised once: by the database, whoever raises it at the same moment.
            models.UniqueConstraint(fields=["irregularity"], name="alert_once_per_irregularity"),
            models.UniqueConstraint(
                fields=["report"], condition=Q(kind="urgent"), name="alert_once_per_report"
            ),
            models.UniqueConstraint(
                fields=["round", "team", "phase"],
                condition=Q(kind="silent"),
                name="alert_once_per_silent_team",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_by__isnull=True, acknowledged_at__isnull=True)
                | Q(acknowledged_by__isnull=False, acknowledged_at__isnull=False),
                name="alert_acknowledged_by_someone",
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "acknowledged_at", "-raised_at"], name="alert_feed_idx")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.raised_at:%Y-%m-%d %H:%M})"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None
