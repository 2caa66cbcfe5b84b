"""Election day: which team is expected to report which phase at which station, and by
when each phase's reports are due."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from observation.models.base import MissionRecord, time_in_range
from observation.models.missions import DelegationMember, ElectionRound, Mission, PollingStation
from observation.models.reports import ObserverReport, same_mission_errors

# The phases a team is deployed for when a plan names none: tabulation is watched at
# the tabulation centres, not at each station.
STATION_PHASES = (
    ObserverReport.Phase.OPENING,
    ObserverReport.Phase.VOTING,
    ObserverReport.Phase.CLOSING,
    ObserverReport.Phase.COUNTING,
)


class Deployment(MissionRecord):
    """One observer team expected to report one phase at one station in one round."""

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="deployments", verbose_name=_("mission")
    )
    round = models.ForeignKey(
        ElectionRound,
        on_delete=models.CASCADE,
        related_name="deployments",
        verbose_name=_("round"),
    )
    station = models.ForeignKey(
        PollingStation,
        on_delete=models.CASCADE,
        related_name="deployments",
        verbose_name=_("polling station"),
    )
    team = models.ForeignKey(
        DelegationMember,
        on_delete=models.CASCADE,
        related_name="deployments",
        verbose_name=_("observer team"),
    )
    phase = models.CharField(_("phase"), max_length=20, choices=ObserverReport.Phase.choices)

    class Meta:
        ordering = ["round", "station__code", "phase"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            # Two teams at one station for one phase would count it expected twice.
            models.UniqueConstraint(
                fields=["round", "station", "phase"],
                name="deployment_once_per_phase",
                violation_error_message=_(
                    "This station is already deployed for this phase in this round."
                ),
            ),
        ]
        indexes = [models.Index(fields=["team", "round"], name="deployment_team_idx")]

    def __str__(self):
        return f"{self.team.person} — {self.station.code}, {self.get_phase_display()}"

    def clean(self):
        super().clean()
        errors = same_mission_errors(self, ["round", "station", "team"])
        if errors:
            raise ValidationError(errors)


class PhaseDeadline(MissionRecord):
    """When a round's reports of one phase are due: later ones are late, and a team
    without one by then is overdue."""

    round = models.ForeignKey(
        ElectionRound,
        on_delete=models.CASCADE,
        related_name="deadlines",
        verbose_name=_("round"),
    )
    phase = models.CharField(_("phase"), max_length=20, choices=ObserverReport.Phase.choices)
    due_at = models.DateTimeField(_("due at"))

    class Meta:
        ordering = ["round", "due_at"]
        verbose_name = _("phase deadline")
        verbose_name_plural = _("phase deadlines")
        constraints = [
            models.UniqueConstraint(fields=["round", "phase"], name="deadline_once_per_phase"),
            models.CheckConstraint(condition=time_in_range("due_at"), name="deadline_in_range"),
        ]

    def __str__(self):
        return f"{self.get_phase_display()}: {self.due_at:%Y-%m-%d %H:%M}"

    def lock_mission_id(self):
        return self.round.mission_id


class AreaOutlines(MissionRecord):
    """The outlines of a mission's administrative areas of one level, from a GeoJSON file,
    drawn under the map of stations (observation.outlines reads and checks the file)."""

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="outlines", verbose_name=_("mission")
    )
    level = models.PositiveSmallIntegerField(_("area level"))
    # A FeatureCollection of Polygons and MultiPolygons in WGS 84, each feature's
    # properties reduced to its area's name.
    geojson = models.JSONField(_("outlines"))
    name_property = models.CharField(_("property naming the area"), max_length=100)
    features = models.PositiveIntegerField(_("outlines"))
    matched = models.PositiveIntegerField(_("outlines naming an area of the mission"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        ordering = ["mission", "level"]
        verbose_name = _("area outlines")
        verbose_name_plural = _("area outlines")
        constraints = [
            models.UniqueConstraint(fields=["mission", "level"], name="outlines_once_per_level"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="outlines_level_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.mission} — {self.level}"
