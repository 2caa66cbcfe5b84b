"""A mission's own observation checklists: questions per phase, and the answers
that reports carry.

A checklist is usually written by the mission as an XLSForm (see
`observation.xlsform`); what is stored here is what Observa understands of it:
sections, questions of seven types, choice lists, conditions on earlier answers
(`observation.conditions`), the answers that are a concern, and the irregularity
category such an answer raises for review.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from observation.models.base import MissionRecord
from observation.models.missions import Mission
from observation.models.reports import Irregularity, IrregularityCategory, ObserverReport

# XLSForm names: a letter or underscore, then letters, digits, "-", "_" or ".".
CODE_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.\-]*$"


def labelled(labels: dict, default_language: str) -> str:
    """The text of `labels` ({language code: text}) in the active language, else in
    `default_language`, else in any language it has."""
    if not labels:
        return ""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return labels.get(language) or labels.get(default_language) or next(iter(labels.values()))


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    ONE_CHOICE = "select_one", _("One choice")
    CHOICES = "select_multiple", _("Several choices")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    TIME = "time", _("Time")
    TEXT = "text", _("Text")
    NOTE = "note", _("Note (shown, not answered)")


# Types whose answers are names from the question's choices, so a concern can be named.
CHOICE_TYPES = (QuestionType.YES_NO, QuestionType.ONE_CHOICE, QuestionType.CHOICES)
NUMBER_TYPES = (QuestionType.INTEGER, QuestionType.DECIMAL)

YES_NO_CHOICES = [
    {"name": "yes", "labels": {"en": "Yes", "es": "Sí"}},
    {"name": "no", "labels": {"en": "No", "es": "No"}},
]

QUESTION_ANSWERED = _("This question has answers: it cannot be deleted, only retired.")
TYPE_OF_ANSWERED = _(
    "Question “%(code)s” has answers: its type cannot change from %(old)s to %(new)s. "
    "Retire it and add a question with a new code."
)


class LibraryQuestion(models.Model):
    """A standard question that missions adopt (and may reword), so that its results
    compare across missions and rounds."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    labels = models.JSONField(_("labels"), default=dict)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    concern = models.JSONField(_("answers that are a concern"), default=list, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("library question")
        verbose_name_plural = _("question library")

    def __str__(self):
        return f"{self.code} — {labelled(self.labels, 'en')}"


class Checklist(MissionRecord):
    """The questions a mission asks at one phase; with no phase, at every phase that
    has no checklist of its own."""

    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="checklists", verbose_name=_("mission")
    )
    phase = models.CharField(
        _("phase"),
        max_length=20,
        choices=ObserverReport.Phase.choices,
        blank=True,
        help_text=_("Leave empty for the checklist of every phase without one of its own."),
    )
    title = models.CharField(_("title"), max_length=200)
    default_language = models.CharField(_("default language"), max_length=20, default="en")
    # Bumped whenever its questions change: the form version that phones carry.
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["mission", "phase"]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = [
            models.UniqueConstraint(fields=["mission", "phase"], name="one_checklist_per_phase")
        ]

    def __str__(self):
        return f"{self.title} ({self.phase_name})"

    @property
    def phase_name(self) -> str:
        return self.get_phase_display() if self.phase else str(_("every phase"))

    def get_absolute_url(self):
        return reverse("observation:checklist_detail", args=[self.mission_id, self.pk])


class ChecklistSection(models.Model):
    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="sections", verbose_name=_("checklist")
    )
    code = models.CharField(_("code"), max_length=64)
    labels = models.JSONField(_("labels"), default=dict)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["checklist", "position"]
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return labelled(self.labels, self.checklist.default_language)


class QuestionsStamp(models.Model):
    """A number the database draws anew whenever a question, checklist or checklist
    section of the mission is written or deleted, by the triggers of migration 0033, so
    that no way of writing them is missed: the questions a process keeps of the mission
    (answers.questions_of) are good while it reads the same number. Drawn at random, not
    counted, so that the number of a change rolled back is never that of another."""

    # No foreign key: a trigger may write it while the mission's rows are being deleted.
    mission_id = models.BigIntegerField(primary_key=True)
    number = models.BigIntegerField()

    class Meta:
        verbose_name = _("questions stamp")
        verbose_name_plural = _("questions stamps")

    def __str__(self):
        return f"{self.mission_id}: {self.number}"


class QuestionQuerySet(models.QuerySet):
    def asked(self):
        return self.filter(retired=False)


class Question(MissionRecord):
    mission = models.ForeignKey(
        Mission, on_delete=models.CASCADE, related_name="questions", verbose_name=_("mission")
    )
    checklist = models.ForeignKey(
        Checklist, on_delete=models.CASCADE, related_name="questions", verbose_name=_("checklist")
    )
    section = models.ForeignKey(
        ChecklistSection,
        on_delete=models.SET_NULL,
        related_name="questions",
        verbose_name=_("section"),
        null=True,
        blank=True,
    )
    library = models.ForeignKey(
        LibraryQuestion,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=_("library question"),
        null=True,
        blank=True,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    code = models.CharField(_("code"), max_length=64)
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    labels = models.JSONField(_("labels"), default=dict)
    hints = models.JSONField(_("hints"), default=dict, blank=True)
    required = models.BooleanField(_("required"), default=False)
    minimum = models.DecimalField(
        _("minimum"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    # [{"name": ..., "labels": {language: text}}], in the order shown.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    relevant = models.CharField(
        _("shown only when"),
        max_length=500,
        blank=True,
        help_text=_("A condition on earlier answers, in XLSForm's notation."),
    )
    concern = models.JSONField(_("answers that are a concern"), default=list, blank=True)
    urgent = models.BooleanField(
        _("a concern is urgent"),
        default=False,
        help_text=_("A concerning answer raises an alert for the core team on election day."),
    )
    raises = models.ForeignKey(
        IrregularityCategory,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raises an irregularity of"),
        null=True,
        blank=True,
        help_text=_("An answer that is a concern raises an irregularity of this category."),
    )
    raises_severity = models.CharField(
        _("severity of the irregularity raised"),
        max_length=20,
        choices=Irregularity.Severity.choices,
        default=Irregularity.Severity.SERIOUS,
    )
    retired = models.BooleanField(
        _("retired"), default=False, help_text=_("No longer asked; its answers are kept.")
    )

    objects = QuestionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["checklist", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["mission", "code"], name="unique_question_code"),
            models.CheckConstraint(
                condition=Q(minimum__isnull=True)
                | Q(maximum__isnull=True)
                | Q(maximum__gte=models.F("minimum")),
                name="question_minimum_not_above_maximum",
            ),
        ]

    def __str__(self):
        return f"{self.code} — {self.label}"

    @property
    def label(self) -> str:
        return labelled(self.labels, self.checklist.default_language)

    @property
    def hint(self) -> str:
        return labelled(self.hints, self.checklist.default_language)

    def choice_label(self, name: str) -> str:
        for choice in self.choices:
            if choice["name"] == name:
                return labelled(choice["labels"], self.checklist.default_language)
        return name

    def display(self, value: str) -> str:
        """An answer as a person reads it: choice labels, not their names."""
        if self.type in CHOICE_TYPES:
            return ", ".join(self.choice_label(name) for name in value.split())
        return value

    @property
    def concern_display(self) -> str:
        return ", ".join(self.choice_label(name) for name in self.concern)

    def is_concern(self, value: str) -> bool:
        return bool(self.concern) and bool(set(value.split()) & set(self.concern))

    def delete(self, *args, **kwargs):
        if self.answers.exists():
            raise ValidationError(QUESTION_ANSWERED, code="question_answered")
        return super().delete(*args, **kwargs)


class Answer(models.Model):
    """One report's answer to one question, as the canonical text of its value
    (choice names separated by spaces, numbers in plain notation, times as HH:MM)."""

    report = models.ForeignKey(
        ObserverReport, on_delete=models.CASCADE, related_name="answers", verbose_name=_("report")
    )
    question = models.ForeignKey(
        # RESTRICT: a question with answers stays, yet goes with its whole mission.
        Question,
        on_delete=models.RESTRICT,
        related_name="answers",
        verbose_name=_("question"),
    )
    value = models.TextField(_("answer"))
    # Stored at save, so that the summary counts concerns in one aggregate.
    concern = models.BooleanField(_("a concern"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["report", "question__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["report", "question"], name="one_answer_per_question")
        ]
        indexes = [models.Index(fields=["question", "concern"], name="answer_concern_idx")]

    def __str__(self):
        return f"{self.question.code} = {self.value}"

    @property
    def display(self) -> str:
        return self.question.display(self.value)
