from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from observation.models.base import MissionRecord, TransitionError, unique_slug
from observation.models.missions import ElectionRound, Mission
from observation.models.reports import Irregularity


class StatementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


RETURN_NEEDS_REASON = _("Say why the statement goes back to draft.")


class PublishedStatementError(ValidationError):
    def __init__(self):
        super().__init__(
            _("This statement is published: it can no longer be changed."),
            code="statement_published",
        )


class StatementNotDraftError(ValidationError):
    def __init__(self, status):
        super().__init__(
            _(
                "Only a draft can be changed; this statement is %(status)s. "
                "Return it to draft first."
            ),
            code="statement_not_draft",
            params={"status": status},
        )


class FindingsStatementQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=StatementStatus.PUBLISHED)

    def editable(self):
        """Drafts: the only statements whose content changes."""
        return self.filter(status=StatementStatus.DRAFT)


class FindingsStatement(MissionRecord):
    class Kind(models.TextChoices):
        PRE_ELECTION = "pre_election", _("Pre-election statement")
        INTERIM = "interim", _("Interim report")
        PRELIMINARY = "preliminary", _("Preliminary statement")
        POST_ELECTION = "post_election", _("Post-election statement")
        FINAL_REPORT = "final_report", _("Final report")
        PRESS = "press_statement", _("Press statement")

    Status = StatementStatus
    RETURN_NEEDS_REASON = RETURN_NEEDS_REASON

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="statements", verbose_name=_("mission")
    )
    round = models.ForeignKey(
        ElectionRound,
        on_delete=models.RESTRICT,
        related_name="statements",
        verbose_name=_("round"),
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=250)
    # Its address on the public findings site, within its mission's: set when it is
    # published, when its title no longer changes.
    slug = models.SlugField(_("slug"), max_length=120, blank=True, editable=False)
    issued_on = models.DateField(_("date"))
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))
    # Written once for two audiences: the Spanish beside the English, shown to
    # Spanish readers when present (reader_title, reader_body).
    title_es = models.CharField(_("title in Spanish"), max_length=250, blank=True)
    body_es = models.TextField(_("body in Spanish"), blank=True, help_text=_("Markdown."))
    cited_irregularities = models.ManyToManyField(
        Irregularity,
        verbose_name=_("cited irregularities"),
        related_name="cited_in",
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=StatementStatus.choices, default=StatementStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        editable=False,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
        null=True,
        blank=True,
        editable=False,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("returned to draft by"),
        null=True,
        blank=True,
        editable=False,
    )
    returned_at = models.DateTimeField(
        _("returned to draft at"), null=True, blank=True, editable=False
    )
    return_reason = models.TextField(_("why it was returned"), blank=True, editable=False)
    # Bumped on every edit; an edit based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = FindingsStatementQuerySet.as_manager()
    history = HistoricalRecords()

    # What the lifecycle moves write, in the order a page shows them.
    LIFECYCLE_FIELDS = (
        "status",
        "submitted_by",
        "submitted_at",
        "approved_by",
        "approved_at",
        "published_by",
        "published_at",
        "returned_by",
        "returned_at",
        "return_reason",
    )

    class Meta:
        ordering = ["mission", "issued_on", "pk"]
        verbose_name = _("findings statement")
        verbose_name_plural = _("findings statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(status=StatementStatus.DRAFT)
                | Q(submitted_by__isnull=False, submitted_at__isnull=False),
                name="statement_submission_recorded",
            ),
            models.UniqueConstraint(
                fields=["mission", "slug"], condition=~Q(slug=""), name="statement_slug_once"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[StatementStatus.APPROVED, StatementStatus.PUBLISHED])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="statement_approval_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(status=StatementStatus.PUBLISHED)
                | Q(published_by__isnull=False, published_at__isnull=False),
                name="statement_publication_recorded",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | ~Q(return_reason=""),
                name="statement_return_has_reason",
                violation_error_message=RETURN_NEEDS_REASON,
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("observation:statement_detail", args=[self.mission_id, self.pk])

    @property
    def is_bilingual(self) -> bool:
        return bool(self.title_es or self.body_es)

    @property
    def reader_title(self) -> str:
        """The title in the reader's language when written in it, else the English."""
        return self._in_reader_language(self.title, self.title_es)

    @property
    def reader_body(self) -> str:
        return self._in_reader_language(self.body, self.body_es)

    @staticmethod
    def _in_reader_language(english: str, spanish: str) -> str:
        return spanish if spanish and (get_language() or "").startswith("es") else english

    @property
    def is_published(self) -> bool:
        return self.status == StatementStatus.PUBLISHED

    @property
    def is_editable(self) -> bool:
        return self.status == StatementStatus.DRAFT

    def check_not_published(self):
        if self.pk and FindingsStatement.objects.published().filter(pk=self.pk).exists():
            raise PublishedStatementError()

    def check_changeable(self, update_fields=None):
        """Only a draft's content changes: what was approved is what gets published.

        Lifecycle moves write their own fields and pass; a published statement
        refuses everything.
        """
        if not self.pk:
            return
        stored = FindingsStatement.objects.filter(pk=self.pk).first()
        if stored is None:
            return
        if stored.is_published:
            raise PublishedStatementError()
        # Publishing also gives the statement its public address.
        is_move = update_fields is not None and set(update_fields) <= {
            *self.LIFECYCLE_FIELDS,
            "version",
            "slug",
        }
        if stored.status != StatementStatus.DRAFT and not is_move:
            raise StatementNotDraftError(stored.get_status_display().lower())

    def clean(self):
        super().clean()
        self.check_changeable()
        if self.round_id and self.mission_id and self.round.mission_id != self.mission_id:
            raise ValidationError(
                {"round": _("This round belongs to another mission.")}, code="other_mission"
            )

    def clean_citations(self, irregularities):
        """Refuse citations of irregularities from another mission."""
        foreign = [i for i in irregularities if i.mission_id != self.mission_id]
        if foreign:
            raise ValidationError(
                _("A statement can cite only irregularities of its own mission."),
                code="other_mission",
            )

    def save(self, *args, **kwargs):
        self.check_changeable(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.check_not_published()
        return super().delete(*args, **kwargs)

    # Each lifecycle move: the statuses it leaves from, and the status it reaches.
    MOVES = {
        "submit": ({StatementStatus.DRAFT}, StatementStatus.IN_REVIEW),
        "approve": ({StatementStatus.IN_REVIEW}, StatementStatus.APPROVED),
        "publish": ({StatementStatus.APPROVED}, StatementStatus.PUBLISHED),
        "return": ({StatementStatus.IN_REVIEW, StatementStatus.APPROVED}, StatementStatus.DRAFT),
    }

    def can_move(self, move: str) -> bool:
        """Whether the statement's status allows `move` (one of MOVES)."""
        return self.status in self.MOVES[move][0]

    def _move(self, move, *, message, fields):
        """Make `move`, recording `fields` (name → value), if the stored status allows it."""
        allowed_from, to = self.MOVES[move]
        with transaction.atomic():
            current = FindingsStatement.objects.select_for_update().get(pk=self.pk)
            if current.status not in allowed_from:
                raise TransitionError(
                    message, params={"status": current.get_status_display().lower()}
                )
            self.status = to
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=["status", *fields])

    def submit_for_review(self, *, by):
        self._move(
            "submit",
            message=_("Only a draft can be submitted for review; this one is %(status)s."),
            fields={"submitted_by": by, "submitted_at": timezone.now()},
        )

    def authors(self) -> set[int]:
        """The users who wrote this statement: who created it and who saved it as a draft."""
        editors = self.history.filter(status=StatementStatus.DRAFT, history_user__isnull=False)
        authors = set(editors.values_list("history_user_id", flat=True))
        return authors | ({self.created_by_id} if self.created_by_id else set())

    def check_four_eyes(self, approver):
        """Findings are approved by someone other than their only author, unless the
        mission allows a single leader to do both (a setting its history records)."""
        if self.mission.single_leader_approval:
            return
        if self.authors() == {approver.pk}:
            raise TransitionError(
                _(
                    "You wrote this statement alone: another leader approves it. (A small "
                    "mission may allow one leader to do both, in its settings.)"
                ),
                code="four_eyes",
            )

    def approve(self, *, by):
        self.check_four_eyes(by)
        self._move(
            "approve",
            message=_("Only a statement in review can be approved; this one is %(status)s."),
            fields={"approved_by": by, "approved_at": timezone.now()},
        )

    def publish(self, *, by):
        self._move(
            "publish",
            message=_("Only an approved statement can be published; this one is %(status)s."),
            fields={
                "published_by": by,
                "published_at": timezone.now(),
                "slug": self.slug
                or unique_slug(
                    self.mission.statements.all(),
                    f"{self.issued_on:%Y-%m-%d} {self.title}",
                    max_length=120,
                ),
            },
        )

    def return_to_draft(self, *, by, reason):
        if not reason or not reason.strip():
            raise TransitionError(RETURN_NEEDS_REASON, code="return_reason_required")
        self._move(
            "return",
            message=_(
                "Only a statement in review or approved can return to draft; "
                "this one is %(status)s."
            ),
            fields={
                "returned_by": by,
                "returned_at": timezone.now(),
                "return_reason": reason.strip(),
                "approved_by": None,
                "approved_at": None,
            },
        )


class RecommendationQuerySet(models.QuerySet):
    def with_follow_up(self, *, published=False):
        """Annotated with `follow_up`, the status of the latest assessment, or None;
        `published`: of the latest published with its statement, for public pages."""
        latest = RecommendationAssessment.objects.filter(
            recommendation=models.OuterRef("pk")
        ).order_by("-assessed_on", "-entered_at", "-pk")
        if published:
            latest = latest.filter(statement__status=StatementStatus.PUBLISHED)
        return self.annotate(follow_up=models.Subquery(latest.values("status")[:1]))


class Recommendation(MissionRecord):
    class Addressee(models.TextChoices):
        ELECTION_AUTHORITY = "election_authority", _("Election authority")
        GOVERNMENT = "government", _("Government")
        LEGISLATURE = "legislature", _("Legislature")
        JUDICIARY = "judiciary", _("Judiciary")
        POLITICAL_PARTIES = "political_parties", _("Political parties")
        SECURITY_FORCES = "security_forces", _("Police and military")
        MEDIA = "media", _("Media")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        INTERNATIONAL = "international", _("International community (OAS, donors)")

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    # A small controlled vocabulary, so that one country's recommendations can be read
    # by theme across missions.
    class Theme(models.TextChoices):
        LEGAL_FRAMEWORK = "legal_framework", _("Legal framework")
        ELECTION_ADMINISTRATION = "election_administration", _("Election administration")
        VOTER_REGISTRATION = "voter_registration", _("Voter registration")
        CANDIDATE_REGISTRATION = "candidate_registration", _("Candidate registration")
        CAMPAIGN_AND_MEDIA = "campaign_media", _("Campaign and media")
        CAMPAIGN_FINANCE = "campaign_finance", _("Campaign finance")
        VOTING_AND_COUNTING = "voting_counting", _("Voting and counting")
        RESULTS = "results", _("Tabulation and results")
        COMPLAINTS = "complaints", _("Complaints and appeals")
        OBSERVER_ACCESS = "observer_access", _("Observer access")
        WOMEN = "women", _("Participation of women")
        MINORITIES = "minorities", _("Participation of minorities and indigenous peoples")
        POLITICAL_PROCESS = "political_process", _("Political process and transition")

    statement = models.ForeignKey(
        FindingsStatement,
        on_delete=models.CASCADE,
        related_name="recommendations",
        verbose_name=_("statement"),
    )
    addressee = models.CharField(_("addressee"), max_length=30, choices=Addressee.choices)
    text = models.TextField(_("recommendation"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices, blank=True)

    objects = RecommendationQuerySet.as_manager()
    history = HistoricalRecords()

    # What was reviewed and published; the theme, a reader's classification, may be set
    # later (in the admin), so that past recommendations are found by theme too.
    REVIEWED_FIELDS = ("statement", "addressee", "text", "priority")

    class Meta:
        ordering = ["statement", "pk"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")

    def __str__(self):
        return f"{self.get_addressee_display()}: {self.text[:60]}"

    def lock_mission_id(self):
        return self.statement.mission_id if self.statement_id else None

    def _changed_frozen_fields(self) -> set[str]:
        if not self.pk:
            return {"statement"}
        names = [self._meta.get_field(name).attname for name in self.REVIEWED_FIELDS]
        stored = Recommendation.objects.filter(pk=self.pk).values(*names).first() or {}
        return {name for name in names if stored.get(name) != getattr(self, name)}

    @property
    def follow_up_label(self) -> str:
        """The status of its latest assessment (`with_follow_up`), in words."""
        if self.follow_up is None:
            return _("Not assessed")
        return RecommendationAssessment.Status(self.follow_up).label

    def check_statement_allows_change(self):
        """A published statement freezes its recommendations; their follow-up is assessed
        apart (RecommendationAssessment), by later missions too."""
        published = FindingsStatement.objects.published().filter(pk=self.statement_id).exists()
        if published and self._changed_frozen_fields():
            raise PublishedStatementError()

    def clean(self):
        super().clean()
        self.check_statement_allows_change()

    def save(self, *args, **kwargs):
        self.check_statement_allows_change()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if FindingsStatement.objects.published().filter(pk=self.statement_id).exists():
            raise PublishedStatementError()
        return super().delete(*args, **kwargs)


class RecommendationAssessment(MissionRecord):
    """What a mission found of a recommendation made to its country: an earlier
    mission's, or its own in its final report. A recommendation's status is its latest
    assessment; the earlier ones stay as its history. An assessment made in a statement
    is published with it, and is then read-only like the statement."""

    # ODIHR's follow-up scale.
    class Status(models.TextChoices):
        NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
        PARTIALLY = "partially", _("Partially implemented")
        MOSTLY = "mostly", _("Mostly implemented")
        FULLY = "fully", _("Fully implemented")

    recommendation = models.ForeignKey(
        Recommendation,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("recommendation"),
    )
    mission = models.ForeignKey(
        Mission,
        on_delete=models.CASCADE,
        related_name="recommendation_assessments",
        verbose_name=_("assessed by the mission"),
    )
    statement = models.ForeignKey(
        FindingsStatement,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("in its statement"),
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    assessed_on = models.DateField(_("assessed on"))
    evidence = models.TextField(
        _("evidence"), blank=True, help_text=_("What the mission found, and where.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
        null=True,
        editable=False,
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["recommendation", "assessed_on", "entered_at", "pk"]
        verbose_name = _("follow-up assessment")
        verbose_name_plural = _("follow-up assessments")

    def __str__(self):
        return f"{self.get_status_display()} ({self.assessed_on}): {self.recommendation}"

    def clean(self):
        super().clean()
        errors = {}
        made_by = self.recommendation.statement.mission
        if self.mission_id and made_by.country != self.mission.country:
            errors["recommendation"] = _(
                "This recommendation was made to %(country)s: only a mission to that country "
                "assesses it."
            ) % {"country": made_by.country.name}
        issued = self.recommendation.statement.issued_on
        if self.assessed_on and self.assessed_on < issued:
            errors["assessed_on"] = _(
                "The recommendation was made on %(date)s: an assessment cannot come before it."
            ) % {"date": date_format(issued)}
        if self.statement_id and self.statement.mission_id != self.mission_id:
            errors["statement"] = _("Choose a statement of the assessing mission.")
        if errors:
            raise ValidationError(errors)
        self.check_not_published()

    # What an assessment says; published with its statement, none of it changes.
    ASSESSED_FIELDS = (
        "recommendation",
        "mission",
        "statement",
        "status",
        "assessed_on",
        "evidence",
    )

    def _stored(self) -> dict | None:
        names = [self._meta.get_field(name).attname for name in self.ASSESSED_FIELDS]
        return RecommendationAssessment.objects.filter(pk=self.pk).values(*names).first()

    def check_not_published(self):
        """Refuse a change to an assessment published with its statement, and a new one in
        a published statement."""
        stored = self._stored() if self.pk else None
        if stored is not None and all(getattr(self, name) == stored[name] for name in stored):
            return
        statements = [self.statement_id, stored and stored["statement_id"]]
        if FindingsStatement.objects.published().filter(pk__in=statements).exists():
            raise PublishedStatementError()

    def save(self, *args, **kwargs):
        self.check_not_published()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        stored = self._stored()
        published = FindingsStatement.objects.published()
        if stored and published.filter(pk=stored["statement_id"]).exists():
            raise PublishedStatementError()
        return super().delete(*args, **kwargs)
