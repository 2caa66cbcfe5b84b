from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from observation import raised
from observation.models.base import MissionRecord, TransitionError, time_in_range
from observation.models.missions import DelegationMember, ElectionRound, Mission, PollingStation


def same_mission_errors(record, fields) -> dict:
    """Errors for each related record that belongs to a mission other than the record's."""
    errors = {}
    for field in fields:
        # An unset required relation is reported by clean_fields(); reading it here would raise.
        if getattr(record, f"{field}_id") is None:
            continue
        related = getattr(record, field)
        if related.mission_id != record.mission_id:
            errors[field] = ValidationError(
                _("This %(what)s belongs to another mission."),
                code="other_mission",
                params={"what": record._meta.get_field(field).verbose_name},
            )
    return errors


DEPARTURE_BEFORE_ARRIVAL = _("Departure cannot be before arrival.")


class ObserverReportQuerySet(models.QuerySet):
    def overvotes(self):
        return self.filter(ballots_cast__gt=F("station__registered_voters"))


class ObserverReport(MissionRecord):
    """One observer team's visit to one polling station in one round."""

    class Phase(models.TextChoices):
        OPENING = "opening", _("Opening")
        VOTING = "voting", _("Voting")
        CLOSING = "closing", _("Closing")
        COUNTING = "counting", _("Counting")
        TABULATION = "tabulation", _("Tabulation")

    class Assessment(models.TextChoices):
        VERY_GOOD = "very_good", _("Very good")
        GOOD = "good", _("Good")
        BAD = "bad", _("Bad")
        VERY_BAD = "very_bad", _("Very bad")

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="reports", verbose_name=_("mission")
    )
    # RESTRICT, not PROTECT: a round, station or observer with reports cannot be deleted
    # on its own, yet deleting the whole mission removes them together with the reports.
    round = models.ForeignKey(
        ElectionRound, on_delete=models.RESTRICT, related_name="reports", verbose_name=_("round")
    )
    station = models.ForeignKey(
        PollingStation,
        on_delete=models.RESTRICT,
        related_name="reports",
        verbose_name=_("polling station"),
    )
    observer = models.ForeignKey(
        DelegationMember,
        on_delete=models.RESTRICT,
        related_name="reports",
        verbose_name=_("observer team"),
        null=True,
        blank=True,
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices)
    arrived_at = models.DateTimeField(_("arrival"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departure"), null=True, blank=True)
    ballots_cast = models.PositiveIntegerField(_("ballots cast"), null=True, blank=True)
    assessment = models.CharField(
        _("overall assessment"), max_length=20, choices=Assessment.choices, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
        null=True,
        blank=True,
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)
    # One-time id carried by the entry form: a resubmitted form finds its report.
    submission_id = models.UUIDField(
        _("submission id"), unique=True, null=True, blank=True, editable=False
    )
    # Bumped on every edit; an edit based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ObserverReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["submission_id"])

    class Meta:
        ordering = ["-entered_at", "-pk"]
        verbose_name = _("observer report")
        verbose_name_plural = _("observer reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(arrived_at__isnull=True)
                | Q(departed_at__isnull=True)
                | Q(departed_at__gte=F("arrived_at")),
                name="report_departure_not_before_arrival",
                violation_error_message=DEPARTURE_BEFORE_ARRIVAL,
            ),
            models.CheckConstraint(
                condition=time_in_range("arrived_at") & time_in_range("departed_at"),
                name="report_times_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "round", "phase"], name="report_round_phase_idx"),
            # The report list's order: its first page reads 50 rows, not sorts them all.
            models.Index(fields=["mission", "-entered_at", "-id"], name="report_list_idx"),
        ]

    def __str__(self):
        return f"{self.station} — {self.get_phase_display()} ({self.round})"

    def get_absolute_url(self):
        return reverse("observation:report_detail", args=[self.mission_id, self.pk])

    def delete(self, *args, **kwargs):
        # Its irregularities go with it; a reviewed one is the record of a decision.
        if self.irregularities.reviewed().exists():
            raise ReviewedIrregularityError(
                _("This report has reviewed irregularities: it is kept with them.")
            )
        return super().delete(*args, **kwargs)

    def place_of(self, irregularity) -> tuple:
        """The round and station of an irregularity logged from this report: the report's.
        A national-level one (no station) stays national."""
        national = irregularity.pk is not None and irregularity.station_id is None
        return self.round_id, None if national else self.station_id

    def place(self, irregularity):
        """Put an irregularity logged from this report where the report is."""
        irregularity.mission_id = self.mission_id
        irregularity.round_id, irregularity.station_id = self.place_of(irregularity)

    def carry_irregularities(self) -> int:
        """Hand-logged irregularities awaiting review follow the report to its corrected
        round and station. A reviewed one stays where it was judged (a statement may cite
        it there): returns how many now stand apart from the report for that reason."""
        kept = 0
        for irregularity in self.irregularities.filter(raised_by_system=False):
            where = self.place_of(irregularity)
            if (irregularity.round_id, irregularity.station_id) == where:
                continue
            if irregularity.status != ReviewStatus.REPORTED:
                kept += 1
                continue
            irregularity.round_id, irregularity.station_id = where
            irregularity.save(update_fields=["round", "station"])
        return kept

    @property
    def is_overvote(self) -> bool:
        registered = self.station.registered_voters
        # Without a figure for the station there is nothing to compare with.
        return (
            self.ballots_cast is not None
            and registered is not None
            and self.ballots_cast > registered
        )

    # clean() checks these in Python, with the mission's own window for the times: asking
    # the database as well would cost intake two queries a report. The database still
    # enforces them on every write.
    CHECKED_BY_CLEAN = frozenset({"report_departure_not_before_arrival", "report_times_in_range"})

    def get_constraints(self):
        return [
            (model, [c for c in constraints if c.name not in self.CHECKED_BY_CLEAN])
            for model, constraints in super().get_constraints()
        ]

    def clean(self):
        super().clean()
        errors = same_mission_errors(self, ("round", "station", "observer"))
        errors.update(self.time_errors(("arrived_at", "departed_at")))
        if "round" not in errors and self.round_id and not self.round.observed:
            errors["round"] = ValidationError(
                _("The mission did not observe this round: it takes no reports."),
                code="round_not_observed",
            )
        if self.arrived_at and self.departed_at and self.departed_at < self.arrived_at:
            errors["departed_at"] = ValidationError(
                DEPARTURE_BEFORE_ARRIVAL, code="departure_before_arrival"
            )
        if errors:
            raise ValidationError(errors)


# The standard list's names as seeded (migration 0002, in English), shown in the
# reader's language while a category keeps its seeded name; a renamed or added
# category shows as it was written.
STANDARD_CATEGORY_NAMES = {
    "Pre-marked ballots": _("Pre-marked ballots"),
    "Candidate missing from the ballot": _("Candidate missing from the ballot"),
    "Intimidation by police or military": _("Intimidation by police or military"),
    "Unexplained delays in tabulation": _("Unexplained delays in tabulation"),
    "More ballots cast than registered voters": _("More ballots cast than registered voters"),
    "Late opening": _("Late opening"),
    "Polling station not opened": _("Polling station not opened"),
    "Ballot box not sealed": _("Ballot box not sealed"),
    "Secrecy of the vote compromised": _("Secrecy of the vote compromised"),
    "Voters turned away": _("Voters turned away"),
    "Unauthorised persons present": _("Unauthorised persons present"),
    "Observers obstructed": _("Observers obstructed"),
    "Vote buying": _("Vote buying"),
    "Campaigning at the polling station": _("Campaigning at the polling station"),
    "Missing election materials": _("Missing election materials"),
    "Other": _("Other"),
}


def category_label(name: str) -> str:
    """A category's name in the reader's language (see STANDARD_CATEGORY_NAMES)."""
    return str(STANDARD_CATEGORY_NAMES.get(name, name))


class IrregularityCategoryQuerySet(models.QuerySet):
    def hand_logged(self):
        """The categories people log; overvote detection alone raises the others."""
        return self.filter(system_raised=False)


class IrregularityCategory(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    system_raised = models.BooleanField(
        _("raised by the system"),
        default=False,
        help_text=_("Raised by the application itself (overvote detection), not entered by hand."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = IrregularityCategoryQuerySet.as_manager()

    OVERVOTE = "overvote"

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("irregularity category")
        verbose_name_plural = _("irregularity categories")

    def __str__(self):
        return category_label(self.name)


DISMISSAL_NEEDS_NOTE = _("Say why the irregularity is dismissed.")


class ReviewedIrregularityError(ValidationError):
    def __init__(self, message):
        super().__init__(message, code="irregularity_reviewed")


class ReviewStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    VERIFIED = "verified", _("Verified")
    DISMISSED = "dismissed", _("Dismissed")


class IrregularityQuerySet(models.QuerySet):
    def verified(self):
        return self.filter(status=Irregularity.Status.VERIFIED)

    def reviewed(self):
        """Those a reviewer decided on, either way: the record of that decision."""
        return self.exclude(status=Irregularity.Status.REPORTED)

    def open_to_edit(self):
        """Those a report's form edits: hand-logged and awaiting review. Overvote detection
        owns the system-raised one, and a reviewed one stands as decided."""
        return self.filter(raised_by_system=False, status=Irregularity.Status.REPORTED)

    def verified_current(self):
        """What a statement may cite: verified, and not superseded by a corrected report."""
        return self.verified().current()

    def standing_overvotes(self):
        """System-raised irregularities whose report is, as stored, still an overvote."""
        still_overvote = ObserverReport.objects.overvotes().filter(pk=OuterRef("report"))
        return self.current().filter(Exists(still_overvote), raised_by_system=True, question=None)

    def kept(self):
        """Those never deleted: the reviewed ones, and the overvotes that overvote detection
        keeps while their report's figures stand. They go only with their report."""
        return self.reviewed() | self.standing_overvotes()

    def unreviewed(self):
        return self.filter(status=Irregularity.Status.REPORTED, superseded_at__isnull=True)

    def current(self):
        """Irregularities that still stand: not superseded by a corrected report."""
        return self.filter(superseded_at__isnull=True)

    def review_queue(self):
        return self.unreviewed().order_by("created_at", "pk")


class Irregularity(MissionRecord):
    class Severity(models.TextChoices):
        MINOR = "minor", _("Minor")
        SIGNIFICANT = "significant", _("Significant")
        SERIOUS = "serious", _("Serious")

    class Evidence(models.TextChoices):
        OBSERVED = "observed", _("Observed directly")
        CREDIBLE_SOURCE = "credible_source", _("Reported by a credible source")
        ALLEGED = "alleged", _("Alleged")

    Status = ReviewStatus
    DISMISSAL_NEEDS_NOTE = DISMISSAL_NEEDS_NOTE

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="irregularities", verbose_name=_("mission")
    )
    round = models.ForeignKey(
        ElectionRound,
        on_delete=models.RESTRICT,
        related_name="irregularities",
        verbose_name=_("round"),
        null=True,
        blank=True,
    )
    station = models.ForeignKey(
        PollingStation,
        on_delete=models.RESTRICT,
        related_name="irregularities",
        verbose_name=_("polling station"),
        null=True,
        blank=True,
        help_text=_("Leave empty for a national-level irregularity."),
    )
    report = models.ForeignKey(
        ObserverReport,
        on_delete=models.CASCADE,
        related_name="irregularities",
        verbose_name=_("observer report"),
        null=True,
        blank=True,
    )
    category = models.ForeignKey(
        IrregularityCategory,
        on_delete=models.PROTECT,
        related_name="irregularities",
        verbose_name=_("category"),
    )
    severity = models.CharField(_("severity"), max_length=20, choices=Severity.choices)
    evidence = models.CharField(_("evidence"), max_length=20, choices=Evidence.choices)
    description = models.TextField(_("description"))
    # What the application wrote the description of an irregularity it raised from, so
    # that each reader gets it in their language (observation.raised); empty otherwise.
    facts = models.JSONField(_("facts"), default=dict, blank=True, editable=False)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    raised_by_system = models.BooleanField(_("raised by the system"), default=False, editable=False)
    # The checklist question whose answer raised it; none for an overvote.
    question = models.ForeignKey(
        "observation.Question",
        on_delete=models.RESTRICT,
        related_name="+",
        verbose_name=_("raised by the answer to"),
        null=True,
        blank=True,
        editable=False,
    )
    status = models.CharField(
        _("review status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    review_note = models.TextField(_("review note"), blank=True)
    superseded_at = models.DateTimeField(
        _("superseded at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when a corrected report no longer shows what this records."),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("logged at"), default=timezone.now, editable=False)

    objects = IrregularityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("irregularity")
        verbose_name_plural = _("irregularities")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.REPORTED)
                | Q(reviewed_by__isnull=False, reviewed_at__isnull=False),
                name="irregularity_review_recorded",
            ),
            models.CheckConstraint(
                condition=time_in_range("occurred_at"), name="irregularity_time_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReviewStatus.DISMISSED) | ~Q(review_note=""),
                name="irregularity_dismissal_has_note",
                violation_error_message=DISMISSAL_NEEDS_NOTE,
            ),
            # Overvote detection keeps one standing overvote per report, and checklist
            # detection one standing irregularity per report and question.
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(
                    raised_by_system=True, question__isnull=True, superseded_at__isnull=True
                ),
                name="one_standing_system_irregularity_per_report",
            ),
            models.UniqueConstraint(
                fields=["report", "question"],
                condition=Q(
                    raised_by_system=True, question__isnull=False, superseded_at__isnull=True
                ),
                name="one_standing_raised_irregularity_per_answer",
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "status", "created_at"], name="irregularity_queue_idx"),
            # The irregularity list's order, as the report list's.
            models.Index(fields=["mission", "-created_at", "-id"], name="irregularity_list_idx"),
        ]

    def __str__(self):
        where = self.station.code if self.station_id else _("national")
        return f"{self.category} — {where}"

    def get_absolute_url(self):
        return reverse("observation:irregularity_detail", args=[self.mission_id, self.pk])

    @property
    def account(self) -> str:
        """The description in the reader's language, for those the application wrote."""
        return raised.account(self.facts) if self.facts else self.description

    # What a reviewer decided on, where and when included; it does not change once they have.
    CONTENT_FIELDS = (
        "round",
        "station",
        "category",
        "severity",
        "evidence",
        "description",
        "occurred_at",
    )

    def save(self, *args, **kwargs):
        self.check_changeable(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_deletable()
        return super().delete(*args, **kwargs)

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    def check_changeable(self, update_fields=None):
        touched = set(self.CONTENT_FIELDS) if update_fields is None else set(update_fields)
        if not self.pk or not touched & set(self.CONTENT_FIELDS):
            return
        names = [self._meta.get_field(name).attname for name in self.CONTENT_FIELDS]
        stored = Irregularity.objects.filter(pk=self.pk).values("status", *names).first()
        if stored is None or stored["status"] == ReviewStatus.REPORTED:
            return
        if any(stored[name] != getattr(self, name) for name in names):
            raise ReviewedIrregularityError(
                _("This irregularity was reviewed: what it records can no longer be changed.")
            )

    def check_deletable(self):
        stored = Irregularity.objects.filter(pk=self.pk)
        if stored.reviewed().exists():
            raise ReviewedIrregularityError(
                _("This irregularity was reviewed: it is kept as the record of that decision.")
            )
        if stored.standing_overvotes().exists():
            raise ValidationError(
                _(
                    "Overvote detection raised this irregularity from the report's figures: "
                    "it goes by itself once the report is corrected."
                ),
                code="overvote_standing",
            )

    @property
    def awaits_review(self) -> bool:
        return self.status == ReviewStatus.REPORTED and not self.is_superseded

    def clean(self):
        super().clean()
        self.check_changeable()
        errors = same_mission_errors(self, ("round", "station", "report"))
        errors.update(self.time_errors(("occurred_at",)))
        if self.category_id and self.category.system_raised and not self.raised_by_system:
            errors["category"] = ValidationError(
                _("Only the application raises this category, from the figures of a report."),
                code="system_category",
            )
        report = self.report if self.report_id else None
        # A reviewed irregularity stays where it was judged, even if its report moved.
        if report is not None and "report" not in errors and self.awaits_review:
            if self.station_id and self.station_id != report.station_id:
                errors["station"] = ValidationError(
                    _("The station differs from the station of the report."),
                    code="report_station_mismatch",
                )
            if self.round_id and self.round_id != report.round_id:
                errors["round"] = ValidationError(
                    _("The round differs from the round of the report."),
                    code="report_round_mismatch",
                )
        if errors:
            raise ValidationError(errors)

    def _review(self, *, status, by, note):
        with transaction.atomic():
            current = Irregularity.objects.select_for_update().get(pk=self.pk)
            if current.status != Irregularity.Status.REPORTED:
                raise TransitionError(
                    _("This irregularity was already %(status)s."),
                    code="already_reviewed",
                    params={"status": current.get_status_display().lower()},
                )
            if current.is_superseded:
                raise TransitionError(
                    _("This irregularity was superseded by a corrected report."),
                    code="superseded",
                )
            self.status = status
            self.reviewed_by = by
            self.reviewed_at = timezone.now()
            self.review_note = note.strip()
            self.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])

    def verify(self, *, by, note=""):
        self._review(status=Irregularity.Status.VERIFIED, by=by, note=note)

    def dismiss(self, *, by, note):
        if not note or not note.strip():
            raise TransitionError(DISMISSAL_NEEDS_NOTE, code="dismiss_note_required")
        self._review(status=Irregularity.Status.DISMISSED, by=by, note=note)
