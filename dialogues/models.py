"""Dialogue forums: the series of meetings the observing organisations convene between
countries, or between rivals at home, and what those meetings produce.

Organisations and people are shared with the observation app; the dependency runs
one way only (observation never imports from here).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from observation.models import Organization, Person


class DialogueForum(models.Model):
    class Kind(models.TextChoices):
        MULTILATERAL = "multilateral", _("Multilateral forum")
        SERIES = "series", _("Discussion series")
        NATIONAL = "national", _("National dialogue")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    conveners = models.ManyToManyField(
        Organization,
        verbose_name=_("convening organisations"),
        related_name="convened_forums",
        blank=True,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    planned_months = models.PositiveSmallIntegerField(
        _("planned duration (months)"),
        null=True,
        blank=True,
        help_text=_("How long the forum was planned to run, e.g. 18 for an 18-month series."),
    )
    purpose = models.TextField(_("purpose"), blank=True)

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "name"]
        verbose_name = _("dialogue forum")
        verbose_name_plural = _("dialogue forums")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="forum_end_not_before_start",
                violation_error_message=_("The forum cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(planned_months__isnull=True) | Q(planned_months__gte=1),
                name="forum_planned_months_positive",
                violation_error_message=_("A planned duration is at least one month."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dialogues:forum_detail", args=[self.pk])

    def next_session_number(self) -> int:
        last = self.sessions.aggregate(last=Max("sequence"))["last"]
        return (last or 0) + 1

    def clean(self):
        super().clean()
        # Sessions already held must stay inside the forum's dates when those change.
        if not self.pk or not (self.start_date or self.end_date):
            return
        outside = Q()
        if self.start_date:
            outside |= Q(date__lt=self.start_date)
        if self.end_date:
            outside |= Q(date__gt=self.end_date)
        stray = self.sessions.filter(outside).order_by("sequence").first()
        if stray:
            raise ValidationError(
                _("Session %(sequence)s (%(date)s) would fall outside the forum's dates."),
                code="session_outside_forum",
                params={"sequence": stray.sequence, "date": date_format(stray.date)},
            )


class ForumCountry(models.Model):
    """A country taking part in a forum.

    A row per country, rather than a multi-valued field, so that the bilateral-track
    rule ("both countries take part in the forum") is one indexed query.
    """

    forum = models.ForeignKey(
        DialogueForum, on_delete=models.CASCADE, related_name="countries", verbose_name=_("forum")
    )
    country = CountryField(_("country"))

    class Meta:
        ordering = ["forum", "country"]
        verbose_name = _("participating country")
        verbose_name_plural = _("participating countries")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "country"],
                name="unique_forum_country",
                violation_error_message=_("This country already takes part in the forum."),
            ),
        ]

    def __str__(self):
        return str(self.country.name)


class ForumObjective(models.Model):
    forum = models.ForeignKey(
        DialogueForum, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("forum")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("objective"))

    class Meta:
        ordering = ["forum", "position"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "position"],
                name="unique_objective_position",
                violation_error_message=_("The forum already has an objective at this position."),
            ),
            models.CheckConstraint(
                condition=Q(position__gte=1),
                name="objective_position_positive",
                violation_error_message=_("Positions start at 1."),
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.text}"


class DialogueSession(models.Model):
    forum = models.ForeignKey(
        DialogueForum, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("forum")
    )
    sequence = models.PositiveSmallIntegerField(
        _("number"), help_text=_("The session's place in the series: 1 for the first meeting.")
    )
    city = models.CharField(_("city"), max_length=100)
    country = CountryField(_("country"))
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("Leave empty when the date is not known.")
    )
    topic = models.CharField(_("topic"), max_length=300)
    agenda = models.TextField(_("agenda"), blank=True)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["forum", "sequence"]
        verbose_name = _("dialogue session")
        verbose_name_plural = _("dialogue sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "sequence"],
                name="unique_session_sequence",
                violation_error_message=_("The forum already has a session with this number."),
            ),
            models.CheckConstraint(
                condition=Q(sequence__gte=1),
                name="session_sequence_positive",
                violation_error_message=_("Sessions are numbered from 1."),
            ),
        ]

    def __str__(self):
        return _("Session %(sequence)s, %(city)s") % {"sequence": self.sequence, "city": self.city}

    def get_absolute_url(self):
        return reverse("dialogues:session_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if not self.forum_id:
            return
        errors = {}
        # Raised on the field, so full_clean() skips the matching database constraint
        # instead of reporting the same problem twice; forms, which leave `forum` out,
        # would otherwise skip that constraint and fail on save.
        if (
            self.sequence
            and DialogueSession.objects.filter(forum_id=self.forum_id, sequence=self.sequence)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["sequence"] = ValidationError(
                _("The forum already has a session number %(sequence)s."),
                code="duplicate_sequence",
                params={"sequence": self.sequence},
            )
        forum = self.forum
        if self.date and forum.start_date and self.date < forum.start_date:
            errors["date"] = ValidationError(
                _("The session falls before the forum starts (%(date)s)."),
                code="before_forum",
                params={"date": date_format(forum.start_date)},
            )
        elif self.date and forum.end_date and self.date > forum.end_date:
            errors["date"] = ValidationError(
                _("The session falls after the forum ends (%(date)s)."),
                code="after_forum",
                params={"date": date_format(forum.end_date)},
            )
        if errors:
            raise ValidationError(errors)


class Participant(models.Model):
    class Role(models.TextChoices):
        DELEGATE = "delegate", _("Delegate")
        MODERATOR = "moderator", _("Moderator")
        ADVISER = "adviser", _("Adviser")
        SPEAKER = "speaker", _("Speaker")
        OBSERVER = "observer", _("Observer")

    session = models.ForeignKey(
        DialogueSession,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("session"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="dialogue_participations",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    country = CountryField(_("representing country"), blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dialogue_participants",
        verbose_name=_("representing organisation"),
    )

    class Meta:
        ordering = ["session", "person__full_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                name="unique_participant_per_session",
                violation_error_message=_("This person already takes part in the session."),
            ),
            models.CheckConstraint(
                condition=(Q(country="") & Q(organization__isnull=False))
                | (~Q(country="") & Q(organization__isnull=True)),
                name="participant_represents_one",
                violation_error_message=_(
                    "A participant represents either a country or an organisation: give one."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"

    @property
    def represents(self):
        return self.organization if self.organization_id else self.country.name

    def clean(self):
        super().clean()
        if (
            self.session_id
            and self.person_id
            and Participant.objects.filter(session_id=self.session_id, person_id=self.person_id)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "person": ValidationError(
                        _("%(person)s already takes part in this session."),
                        code="duplicate_participant",
                        params={"person": self.person},
                    )
                }
            )


class Outcome(models.Model):
    class Kind(models.TextChoices):
        CONSENSUS_DOCUMENT = "consensus_document", _("Consensus document")
        PROPOSAL = "proposal", _("Proposal")
        AGREEMENT = "agreement", _("Agreement")
        COMMON_AGENDA_ITEM = "common_agenda_item", _("Common agenda item")
        STATEMENT = "statement", _("Statement")

    forum = models.ForeignKey(
        DialogueForum, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("forum")
    )
    session = models.ForeignKey(
        DialogueSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("session"),
        help_text=_("Leave empty for an outcome of the forum as a whole."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering = ["forum", F("date").asc(nulls_last=True), "title"]
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        # Two foreign keys cannot make the database check that they agree (that needs a
        # composite key), so this rule lives here only.
        if self.session_id and self.forum_id and self.session.forum_id != self.forum_id:
            raise ValidationError(
                {
                    "session": ValidationError(
                        _("The session belongs to another forum."), code="session_of_other_forum"
                    )
                }
            )


class BilateralTrack(models.Model):
    """Two of a forum's countries whose tense relations the forum explores on their own.

    The pair is stored in code order, so (PE, CO) and (CO, PE) are the same row.
    """

    class Status(models.TextChoices):
        EXPLORED = "explored", _("Explored")
        PROPOSED = "proposed", _("Proposed")
        HELD = "held", _("Held")

    forum = models.ForeignKey(
        DialogueForum,
        on_delete=models.CASCADE,
        related_name="bilateral_tracks",
        verbose_name=_("forum"),
    )
    country_a = CountryField(_("first country"))
    country_b = CountryField(_("second country"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.EXPLORED
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["forum", "country_a", "country_b"]
        verbose_name = _("bilateral track")
        verbose_name_plural = _("bilateral tracks")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "country_a", "country_b"],
                name="unique_bilateral_pair",
                violation_error_message=_("The forum already has a track for this pair."),
            ),
            models.CheckConstraint(
                condition=~Q(country_a=F("country_b")),
                name="bilateral_track_two_countries",
                violation_error_message=_("A country cannot pair with itself."),
            ),
            models.CheckConstraint(
                condition=Q(country_a__lt=F("country_b")),
                name="bilateral_track_pair_ordered",
                violation_error_message=_("The pair must be stored in code order."),
            ),
        ]

    def __str__(self):
        return f"{self.country_a.name} — {self.country_b.name}"

    def save(self, *args, **kwargs):
        # Callers may name the pair in either order; only the stored order is fixed.
        self.normalise_pair()
        super().save(*args, **kwargs)

    def normalise_pair(self):
        if self.country_a and self.country_b and str(self.country_a) > str(self.country_b):
            self.country_a, self.country_b = self.country_b, self.country_a

    def clean(self):
        super().clean()
        self.normalise_pair()
        if not (self.country_a and self.country_b):
            return
        a, b = str(self.country_a), str(self.country_b)
        if a == b:
            raise ValidationError(
                {
                    "country_b": ValidationError(
                        _("A country cannot pair with itself."), code="same_country"
                    )
                }
            )
        if not self.forum_id:
            return
        taking_part = set(
            self.forum.countries.filter(country__in=[a, b]).values_list("country", flat=True)
        )
        errors = {
            field: ValidationError(
                _("%(country)s does not take part in this forum."),
                code="country_not_in_forum",
                params={"country": country.name},
            )
            for field, country in (("country_a", self.country_a), ("country_b", self.country_b))
            if str(country) not in taking_part
        }
        if errors:
            raise ValidationError(errors)
        if (
            BilateralTrack.objects.filter(forum_id=self.forum_id, country_a=a, country_b=b)
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "country_b": ValidationError(
                        _("The forum already has a track for %(pair)s."),
                        code="duplicate_pair",
                        params={"pair": str(self)},
                    )
                }
            )
