import datetime
import unicodedata
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Max, Min, Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from observation.models.base import (
    EARLIEST,
    LATEST,
    MISSION_MARGIN,
    ChoiceLabels,
    MissionLockedError,
    MissionRecord,
    TransitionError,
    unique_slug,
)
from observation.models.people import Organization, Person


def validate_time_zone(value):
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as America/Lima or UTC."),
            code="time_zone",
            params={"value": value},
        )


class MissionQuerySet(models.QuerySet):
    def for_user(self, user):
        """Missions the user may see: theirs through a membership, all for superusers."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user)

    def locked(self):
        return self.filter(locked_at__isnull=False)

    def unlocked(self):
        return self.filter(locked_at__isnull=True)

    def hold_unlocked(self, pk) -> "Mission":
        """The mission, its row held until the transaction ends; refused if locked.

        For writes in bulk, which skip the records' own save() and its lock check:
        nobody can lock the mission while they run.
        """
        mission = self.select_for_update().get(pk=pk)
        if mission.is_locked:
            raise MissionLockedError(mission)
        return mission


# Paths of the public findings site beside missions' own (findings/urls.py).
RESERVED_SLUGS = frozenset({"feed", "countries", "search"})


class Mission(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        # As ODIHR and the EU name them; a pre-election assessment is a needs assessment.
        NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment (pre-election assessment)")
        ELECTION_ASSESSMENT = "election_assessment", _("Election assessment")
        LIMITED = "limited", _("Limited observation")
        FULL = "full", _("Full observation")
        EXPERT = "expert", _("Expert mission")
        STUDY = "study", _("Study mission")
        FOLLOW_UP = "follow_up", _("Follow-up mission")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        CONCLUDED = "concluded", _("Concluded")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    name = models.CharField(_("name"), max_length=200, unique=True)
    # The mission's address on the public findings site, set once: links stay valid when
    # the name is corrected, and no internal id is shown.
    slug = models.SlugField(_("slug"), max_length=220, unique=True, editable=False)
    country = CountryField(_("country"))
    election = models.CharField(
        _("election observed"), max_length=200, help_text=_("e.g. 2000 general elections")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    status_note = models.CharField(
        _("status note"),
        max_length=300,
        blank=True,
        help_text=_("Why the mission is in this status, e.g. why it withdrew."),
    )
    lead_organization = models.ForeignKey(
        Organization,
        verbose_name=_("lead organisation"),
        on_delete=models.PROTECT,
        related_name="led_missions",
    )
    preceded = models.ForeignKey(
        "self",
        verbose_name=_("preceded"),
        help_text=_("For a pre-election assessment: the mission it preceded."),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
    )
    partners = models.ManyToManyField(
        Organization,
        verbose_name=_("partner organisations"),
        through="MissionPartner",
        related_name="partner_missions",
        blank=True,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    summary = models.TextField(_("public summary"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_(
            "Where the election happens, as an IANA name such as America/Lima: the "
            "mission's pages show and take times in it."
        ),
    )
    single_leader_approval = models.BooleanField(
        _("a statement's only author may approve it"),
        default=False,
        help_text=_(
            "Small missions only: by default a statement is approved by someone other than "
            "the one who wrote it."
        ),
    )
    observer_names_for_leaders_only = models.BooleanField(
        _("observer names for leaders only"),
        default=False,
        help_text=_(
            "Where naming observers puts them at risk: exports and printed summaries name "
            "observer teams only for the mission's leaders."
        ),
    )
    alert_email_kinds = models.JSONField(
        _("alerts sent by e-mail"),
        default=list,
        blank=True,
        help_text=_("The kinds of alert also e-mailed to the mission's core team."),
    )
    area_label_1 = models.CharField(_("first area level"), max_length=40, default=_("Region"))
    area_label_2 = models.CharField(_("second area level"), max_length=40, blank=True)
    area_label_3 = models.CharField(_("third area level"), max_length=40, blank=True)
    area_label_4 = models.CharField(_("fourth area level"), max_length=40, blank=True)
    area_label_5 = models.CharField(_("fifth area level"), max_length=40, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = MissionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "name"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="mission_end_not_before_start",
                violation_error_message=_("The mission cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(locked_at__isnull=True) | Q(locked_by__isnull=False),
                name="mission_lock_has_author",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A locked row refuses every save but lock() and unlock(), which write only these.
        lock_fields = {"locked_at", "locked_by"}
        update_fields = kwargs.get("update_fields")
        is_lock_change = update_fields is not None and set(update_fields) <= lock_fields
        if self.pk and not is_lock_change and Mission.objects.locked().filter(pk=self.pk).exists():
            raise MissionLockedError(self)
        if not self.slug:
            self.slug = unique_slug(
                Mission.objects.all(), self.name, max_length=220, reserved=RESERVED_SLUGS
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("observation:mission_detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        # The cascade deletes records without calling their delete(), so the lock is checked here.
        if self.pk and Mission.objects.locked().filter(pk=self.pk).exists():
            raise MissionLockedError(self)
        if self.statements.published().exists():
            raise ValidationError(
                _("This mission has published statements: it is kept as their record."),
                code="mission_published",
            )
        return super().delete(*args, **kwargs)

    def window(self) -> tuple[datetime.datetime, datetime.datetime]:
        """When the mission's events can have happened: a year either side of its dates
        and rounds (within EARLIEST and LATEST), or any time it has none."""
        days = [day for day in (self.start_date, self.end_date) if day]
        if self.pk:
            span = self.rounds.aggregate(first=Min("election_day"), last=Max("election_day"))
            days += [day for day in span.values() if day]
        if not days:
            return EARLIEST, LATEST

        def at_midnight(day):
            return datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)

        earliest = max(at_midnight(min(days)) - MISSION_MARGIN, EARLIEST)
        latest = min(at_midnight(max(days)) + MISSION_MARGIN, LATEST)
        return earliest, latest

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def is_locked(self):
        return self.locked_at is not None

    def _area_label_slots(self) -> list[str]:
        return [getattr(self, f"area_label_{level}") for level in range(1, 6)]

    def area_labels(self) -> list[str]:
        """The names of this mission's administrative levels, e.g. department, province."""
        return [str(label) for label in self._area_label_slots() if label]

    def clean(self):
        super().clean()
        labels = self._area_label_slots()
        if any(labels[i] and not labels[i - 1] for i in range(1, len(labels))):
            raise ValidationError(
                _("Name the area levels in order, without gaps."), code="area_label_gap"
            )
        if self.pk and Mission.objects.locked().filter(pk=self.pk).exists():
            raise MissionLockedError(self)

    def lock(self, *, by, reason=""):
        """Lock the mission; `reason` is kept as the change's reason in its history."""
        with transaction.atomic():
            current = Mission.objects.select_for_update().get(pk=self.pk)
            if current.is_locked:
                raise TransitionError(_("This mission is already locked."), code="already_locked")
            self.locked_at, self.locked_by = timezone.now(), by
            self._change_reason = reason or None
            self.save(update_fields=["locked_at", "locked_by"])

    def unlock(self, *, by, reason=""):
        with transaction.atomic():
            current = Mission.objects.select_for_update().get(pk=self.pk)
            if not current.is_locked:
                raise TransitionError(_("This mission is not locked."), code="not_locked")
            self.locked_at, self.locked_by = None, None
            self._change_reason = reason or None
            self.save(update_fields=["locked_at", "locked_by"])

    def role_of(self, user):
        """The user's role on this mission, or None. Superusers count as leaders."""
        if user.is_superuser:
            return MissionMembership.Role.LEADER
        membership = self.memberships.filter(user=user).first()
        return membership.role if membership else None


class MissionPartner(MissionRecord):
    class Role(models.TextChoices):
        CO_ORGANISER = "co_organiser", _("Co-organiser")
        PARTNER = "partner", _("Partner")
        FUNDER = "funder", _("Funder")
        HOST = "host", _("Host")
        TECHNICAL = "technical", _("Technical partner")

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="partnerships", verbose_name=_("mission")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="partnerships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTNER)

    class Meta:
        ordering = ["mission", "organization__name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "organization"], name="unique_partner_per_mission"
            ),
        ]

    def __str__(self):
        return f"{self.organization} — {self.get_role_display()}"


OBSERVER_NEEDS_TEAM = _(
    "An observer is tied to one delegation member of the mission (their team), and only "
    "an observer is."
)


class MissionMembership(models.Model):
    """A user's role on one mission: what they may do there."""

    class Role(models.TextChoices):
        # Submits their own team's reports through the API; no web page of the mission.
        OBSERVER = "observer", _("Observer")
        STAFF = "staff", _("Staff")
        REVIEWER = "reviewer", _("Reviewer")
        LEADER = "leader", _("Leader")

    RANK = {Role.OBSERVER: 0, Role.STAFF: 1, Role.REVIEWER: 2, Role.LEADER: 3}

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mission_memberships",
        verbose_name=_("user"),
    )
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("mission")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # The observer's team: they submit and read back that delegation member's reports only.
    # RESTRICT, not PROTECT: the member stays while an observer sends for them, yet the
    # whole mission deletes with both.
    team = models.ForeignKey(
        "DelegationMember",
        on_delete=models.RESTRICT,
        related_name="observer_memberships",
        verbose_name=_("observer team"),
        null=True,
        blank=True,
        help_text=_("Required for an observer: the delegation member whose reports they send."),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["mission", "user__username"]
        verbose_name = _("mission membership")
        verbose_name_plural = _("mission memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "mission"], name="unique_membership"),
            models.CheckConstraint(
                condition=Q(role="observer", team__isnull=False)
                | (~Q(role="observer") & Q(team__isnull=True)),
                name="membership_observer_has_team",
                violation_error_message=OBSERVER_NEEDS_TEAM,
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} on {self.mission}"

    @classmethod
    def role_at_least(cls, role, minimum) -> bool:
        return role is not None and cls.RANK[role] >= cls.RANK[minimum]

    def is_own_for(self, user) -> bool:
        """Whether this is `user`'s own membership, which only a superuser changes:
        no one promotes themselves."""
        return self.user_id == user.pk and not user.is_superuser

    def clean(self):
        super().clean()
        is_observer = self.role == self.Role.OBSERVER
        # Not tied to the team field: forms that add a member without one show it too.
        if is_observer != (self.team_id is not None):
            raise ValidationError(OBSERVER_NEEDS_TEAM, code="team")
        if self.team_id and self.mission_id and self.team.mission_id != self.mission_id:
            raise ValidationError(
                _("This delegation member belongs to another mission."), code="other_mission"
            )

    def check_changeable_by(self, user):
        if self.is_own_for(user):
            raise ValidationError(
                _("Nobody changes their own role on a mission: ask another leader."),
                code="own_membership",
            )


class DelegationMember(MissionRecord):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        CO_LEADER = "co_leader", _("Co-leader")
        CORE_TEAM = "core_team", _("Core team")
        LONG_TERM_OBSERVER = "lto", _("Long-term observer")
        SHORT_TERM_OBSERVER = "sto", _("Short-term observer")
        STAFF = "staff", _("Staff")

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="delegation", verbose_name=_("mission")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["mission", "role", "person__full_name"]
        verbose_name = _("delegation member")
        verbose_name_plural = _("delegation members")
        constraints = [
            models.UniqueConstraint(fields=["mission", "person"], name="unique_delegation_member"),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"


NOT_OBSERVED_NEEDS_REASON = _("Say why the mission did not observe this round.")


class ElectionRound(MissionRecord):
    class Kind(models.TextChoices):
        FIRST_ROUND = "first_round", _("First round")
        RUNOFF = "runoff", _("Runoff")
        REFERENDUM = "referendum", _("Referendum")
        LEGISLATIVE = "legislative", _("Legislative election")
        LOCAL = "local", _("Local election")
        REPEAT = "repeat", _("Repeat vote")

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("mission")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    election_day = models.DateField(_("election day"))
    observed = models.BooleanField(_("observed"), default=True)
    not_observed_reason = models.TextField(
        _("why it was not observed"),
        blank=True,
        help_text=_("Required when the mission did not observe this round."),
    )

    class Meta:
        ordering = ["mission", "election_day"]
        verbose_name = _("election round")
        verbose_name_plural = _("election rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "kind", "election_day"], name="unique_round_per_mission"
            ),
            models.CheckConstraint(
                condition=Q(observed=True) | ~Q(not_observed_reason=""),
                name="round_not_observed_has_reason",
                violation_error_message=NOT_OBSERVED_NEEDS_REASON,
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {date_format(self.election_day)}"

    def clean(self):
        super().clean()
        errors = {}
        if not self.observed and not self.not_observed_reason.strip():
            errors["not_observed_reason"] = ValidationError(
                NOT_OBSERVED_NEEDS_REASON, code="reason_required"
            )
        if not self.observed and self.pk and self.reports.exists():
            errors["observed"] = ValidationError(
                _("This round has observer reports: it stays observed while they stand."),
                code="round_has_reports",
            )
        mission = self.mission if self.mission_id else None
        if mission and self.election_day:
            if mission.start_date and self.election_day < mission.start_date:
                errors["election_day"] = ValidationError(
                    _("The election day falls before the mission starts (%(date)s)."),
                    code="before_mission",
                    params={"date": date_format(mission.start_date)},
                )
            elif mission.end_date and self.election_day > mission.end_date:
                errors["election_day"] = ValidationError(
                    _("The election day falls after the mission ends (%(date)s)."),
                    code="after_mission",
                    params={"date": date_format(mission.end_date)},
                )
        if errors:
            raise ValidationError(errors)


def normalise_code(value: str) -> str:
    """A station code as it is stored and looked up, so that codes that look alike are one.

    Spreadsheets and keyboards turn "LIM-001" into lower case, full-width letters and
    digits, a Unicode hyphen or minus sign, or the same code with a zero-width space
    inside. Compatibility forms are folded (NFKC); control and format characters, which
    print as nothing, are dropped (a NUL among them, which PostgreSQL refuses in text);
    every dash and the minus sign become "-"; letters are upper-cased. Folded once more at
    the end, as upper-casing can unfold a character: normalising twice changes nothing.
    """
    kept = []
    for char in unicodedata.normalize("NFKC", value):
        category = unicodedata.category(char)
        if category in ("Cc", "Cf"):
            continue
        kept.append("-" if category == "Pd" or char == "\u2212" else char)
    return unicodedata.normalize("NFKC", "".join(kept).strip().upper())


class PollingStation(MissionRecord):
    # No index of its own: unique_station_code and the two indexes below begin with the
    # mission, and a national list's import writes each index 90,000 times.
    mission = models.ForeignKey(
        Mission,
        on_delete=models.CASCADE,
        related_name="stations",
        verbose_name=_("mission"),
        db_index=False,
    )
    # Official lists run long: Poland's has station names past 200 characters.
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=500)
    area_1 = models.CharField(_("area, first level"), max_length=100, blank=True)
    area_2 = models.CharField(_("area, second level"), max_length=100, blank=True)
    area_3 = models.CharField(_("area, third level"), max_length=100, blank=True)
    area_4 = models.CharField(_("area, fourth level"), max_length=100, blank=True)
    area_5 = models.CharField(_("area, fifth level"), max_length=100, blank=True)
    # Most national lists carry no figure: unknown is NULL, never 0, which would make
    # every report with ballots an overvote.
    registered_voters = models.PositiveIntegerField(
        _("registered voters"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the list gives no figure; overvotes are not checked then."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # The stations a mission drew at random: what their teams see estimates every
    # station, so the summary gives their figures apart, with that meaning.
    # A database default too: the import's COPY names only the columns the file fills.
    in_sample = models.BooleanField(
        _("in the random sample"),
        default=False,
        db_default=False,
        help_text=_("Drawn at random for the mission's sample of stations."),
    )
    # What a field device syncs from (the API's `updated_since`). A database default too,
    # for writes that skip save(): the import's COPY.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_default=Now())

    class Meta:
        ordering = ["mission", "code"]
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="unique_station_code"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="station_latitude_range",
                violation_error_message=_("Latitude must lie between -90 and 90."),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="station_longitude_range",
                violation_error_message=_("Longitude must lie between -180 and 180."),
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="station_coordinates_together",
                violation_error_message=_("Give both latitude and longitude, or neither."),
            ),
        ]
        indexes = [
            models.Index(fields=["mission", "area_1"], name="station_area_idx"),
            models.Index(fields=["mission", "updated_at"], name="station_updated_idx"),
        ]

    def __str__(self):
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        # Every door stores the code the way it is looked up (the import writes in bulk
        # and normalises on its own).
        self.code = normalise_code(self.code)
        super().save(*args, **kwargs)

    def area_path(self) -> list[str]:
        areas = [self.area_1, self.area_2, self.area_3, self.area_4, self.area_5]
        return [area for area in areas if area]

    def clean(self):
        # Before the uniqueness check, so that a look-alike of a stored code is refused
        # as a duplicate, not stored beside it.
        self.code = normalise_code(self.code)
        super().clean()
