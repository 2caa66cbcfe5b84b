"""Checklist answers: read and checked the same way whichever door a report comes
in by (the web form, the admin, the API, ODK), stored with the report, and the
irregularities that concerning answers raise for review.

An answer is stored as canonical text: choice names separated by spaces, whole
and decimal numbers in plain notation, times as HH:MM.
"""

import collections
import copy
import datetime
import functools
import json
import threading
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from observation import conditions, history, raised
from observation.models import (
    Answer,
    Irregularity,
    ObserverReport,
    Question,
    QuestionsStamp,
    QuestionType,
)
from observation.models.checklists import labelled

FIELD_PREFIX = "answer-"
# Far beyond any count at a polling station, and within every database's numbers.
LARGEST_NUMBER = Decimal("999999999")

NOT_THIS_PHASE = gettext_lazy(
    "This question is asked at the %(asked)s phase, not at the %(phase)s phase."
)
NOT_A_PHASE_WITH_ITS_OWN = gettext_lazy(
    "This question is asked at phases without a checklist of their own; "
    "the %(phase)s phase has one."
)
RETIRED = gettext_lazy("This question is no longer asked.")
NOT_OF_MISSION = gettext_lazy("“%(code)s” is not a question of this mission's checklists.")
REQUIRED = gettext_lazy("This answer is required.")


def field_name(question) -> str:
    return f"{FIELD_PREFIX}{question.code}"


def _choices(question):
    return [
        (choice["name"], labelled(choice["labels"], question.checklist.default_language))
        for choice in question.choices
    ]


def _plain(bound, default, question_type):
    value = Decimal(default if bound is None else bound)
    return int(value) if question_type == QuestionType.INTEGER else value.normalize()


def form_field(question) -> forms.Field | None:
    """The form field that reads an answer to `question` (None for a note). Never
    required here: whether an answer is required depends on the phase and on the
    earlier answers, which `check()` knows."""
    common = {"label": question.label, "help_text": question.hint, "required": False}
    # In the question's own notation ("1", not "1.0000"), for the messages that name them.
    bounds = {
        "min_value": _plain(question.minimum, -LARGEST_NUMBER, question.type),
        "max_value": _plain(question.maximum, LARGEST_NUMBER, question.type),
    }
    if question.type in (QuestionType.YES_NO, QuestionType.ONE_CHOICE):
        return forms.ChoiceField(choices=[("", "—"), *_choices(question)], **common)
    if question.type == QuestionType.CHOICES:
        return forms.MultipleChoiceField(
            choices=_choices(question), widget=forms.CheckboxSelectMultiple, **common
        )
    if question.type == QuestionType.INTEGER:
        return forms.IntegerField(**bounds, **common)
    if question.type == QuestionType.DECIMAL:
        return forms.DecimalField(max_digits=14, decimal_places=4, **bounds, **common)
    if question.type == QuestionType.TIME:
        return forms.TimeField(
            widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            input_formats=["%H:%M", "%H:%M:%S"],
            **common,
        )
    if question.type == QuestionType.TEXT:
        return forms.CharField(max_length=2000, **common)
    return None


def canonical(question, value) -> str:
    """The stored text of a cleaned value ('' when unanswered)."""
    if value in (None, "", []):
        return ""
    if question.type == QuestionType.CHOICES:
        order = [choice["name"] for choice in question.choices]
        return " ".join(sorted(value, key=order.index))
    if question.type == QuestionType.DECIMAL:
        return f"{value.normalize():f}"
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return str(value).strip()


def initial(question, stored: str):
    """A stored answer as its form field's initial value."""
    return stored.split() if question.type == QuestionType.CHOICES else stored


def questions_of(mission) -> list[Question]:
    """The questions a mission asks, in form order, with what rendering them reads."""
    return stamped_questions(mission)[1]


def stamped_questions(mission) -> tuple[int | None, list[Question]]:
    """The mission's questions stamp and its questions (see questions_of).

    Every report reads them, through whichever door it comes, and they seldom change: the
    process keeps them while the mission's questions stamp, which the database draws anew
    on any change to them, stays the same (QuestionsStamp). Each call has copies of the
    questions, so that what a request sets on one (a relation it loads) stays its own;
    their checklists, sections and JSON values are shared: read them, never change them."""
    stamp = _questions_stamp(mission.pk)
    with _KEPT_LOCK:
        kept = _KEPT.get(mission.pk)
        if kept is not None:
            _KEPT.move_to_end(mission.pk)
    if kept is None or stamp is None or kept[0] != stamp:
        questions = list(
            Question.objects.asked()
            .filter(mission=mission)
            .select_related("checklist", "section")
            .order_by("checklist__phase", "position")
        )
        if stamp is not None:
            with _KEPT_LOCK:
                _KEPT[mission.pk] = (stamp, questions)
                _KEPT.move_to_end(mission.pk)
                while len(_KEPT) > KEPT_MISSIONS:
                    _KEPT.popitem(last=False)
        kept = (stamp, questions)
    return stamp, [copy.copy(question) for question in kept[1]]


# The missions whose questions a process keeps: the few at work at once.
KEPT_MISSIONS = 64
_KEPT: collections.OrderedDict = collections.OrderedDict()
_KEPT_LOCK = threading.Lock()


def _questions_stamp(mission_pk) -> int | None:
    """The mission's questions stamp; None for a mission whose questions never changed
    since stamps began, which is then read each time."""
    table = connection.ops.quote_name(QuestionsStamp._meta.db_table)
    with connection.cursor() as cursor:
        # Plain SQL: read for every report, and the ORM would take longer to build it.
        cursor.execute(f"SELECT number FROM {table} WHERE mission_id = %s", [mission_pk])
        row = cursor.fetchone()
    return row[0] if row else None


def checklist_phase(questions, phase) -> str | None:
    """The phase key of the checklist a report of `phase` answers: the phase's own
    checklist, else the one of every phase (""); None if the mission has neither."""
    phases = {question.checklist.phase for question in questions}
    if phase in phases:
        return phase
    return "" if "" in phases else None


@dataclass
class Checked:
    answers: dict  # {Question: canonical text}, answered questions only
    errors: dict  # {code: [ValidationError]}


def check(questions, phase, values: dict, *, unread=()) -> Checked:
    """Check the answers `values` ({code: cleaned value}) given with a report of `phase`.

    An answer to a question of another phase's checklist is refused; one to a
    question whose condition does not hold is dropped, as XLSForm drops it; a
    required question whose condition holds must be answered. `unread` are the codes
    whose answers could not be read: refused already, not said to be missing.
    """
    asked = checklist_phase(questions, phase)
    answers, errors, by_code = {}, {}, {}
    for question in questions:
        if question.type == QuestionType.NOTE:
            continue
        value = canonical(question, values.get(question.code))
        if question.checklist.phase != asked:
            if value:
                errors[question.code] = [
                    ValidationError(
                        NOT_THIS_PHASE if question.checklist.phase else NOT_A_PHASE_WITH_ITS_OWN,
                        code="other_phase",
                        params={
                            "asked": question.checklist.phase_name,
                            "phase": ObserverReport.Phase(phase).label
                            if phase in ObserverReport.Phase.values
                            else phase,
                        },
                    )
                ]
            continue
        if question.relevant and not conditions.evaluate(
            conditions.parse(question.relevant), by_code
        ):
            continue
        if value:
            answers[question] = value
            by_code[question.code] = value
        elif question.required and phase and question.code not in unread:
            errors[question.code] = [ValidationError(REQUIRED, code="required")]
    return Checked(answers=answers, errors=errors)


def clean_raw(mission, phase, raw: dict) -> Checked:
    """Answers sent as data ({code: text, or a list of choice names}), as the API and
    ODK intake send them: each read by its question's form field, then `check()`ed."""
    stamp, questions = stamped_questions(mission)
    known = {question.code: question for question in questions}
    unknown = [code for code in raw if code not in known]
    retired = (
        set(mission.questions.filter(retired=True, code__in=unknown).values_list("code", flat=True))
        if unknown
        else set()
    )
    values, errors = {}, {}
    for code, value in raw.items():
        question = known.get(code)
        if question is None:
            message = RETIRED if code in retired else NOT_OF_MISSION
            errors[code] = [ValidationError(message, code="unknown", params={"code": code})]
            continue
        field = form_field(question) if stamp is None else _kept_reader(stamp, question)
        if field is None:
            continue
        try:
            values[code] = field.clean(value)
        except ValidationError as error:
            errors[code] = error.error_list
    checked = check(questions, phase, values, unread=errors)
    checked.errors = {**errors, **checked.errors}
    return checked


# As many as the kept missions ask, at up to 64 questions each.
@functools.lru_cache(maxsize=KEPT_MISSIONS * 64)
def _kept_reader(stamp, question) -> forms.Field | None:
    """`form_field(question)`, built once per questions stamp: building twenty fields
    costs a report sent as data more than cleaning its answers with them. A field only
    read by clean() keeps no state of its own, and its labels are never shown."""
    return form_field(question)


def condition_json(question) -> str:
    """The question's condition as the browser evaluates it (see static/js/checklist.js)."""
    return json.dumps(conditions.parse(question.relevant)) if question.relevant else ""


def save(report, answers: dict, *, by, new=False) -> list[Answer]:
    """Store `answers` ({Question: text}) as the report's answers to the questions it is
    asked: others are removed, answers to retired questions kept. A constant number of
    queries however many answers, so that a 60-question report saves as fast as a short one.
    `new`: the report was stored just now and has no answers yet. Returns the answers
    added."""
    stored = (
        {}
        if new
        else {answer.question_id: answer for answer in report.answers.select_related("question")}
    )
    new, changed = [], []
    for question, value in answers.items():
        concern = question.is_concern(value)
        answer = stored.pop(question.pk, None)
        if answer is None:
            new.append(Answer(report=report, question=question, value=value, concern=concern))
        elif (answer.value, answer.concern) != (value, concern):
            answer.value, answer.concern = value, concern
            changed.append(answer)
    gone = [answer.pk for answer in stored.values() if not answer.question.retired]
    if gone:
        Answer.objects.filter(pk__in=gone).delete()
    if new:
        Answer.objects.bulk_create(new)
        history.record_created(Answer, [answer.pk for answer in new], by=by)
    if changed:
        bulk_update_with_history(changed, Answer, ["value", "concern"], default_user=by)
    return new


def sync_raised(report, *, by, new_answers=None) -> list[str]:
    """Keep the irregularities that the report's answers raise in step with them, the way
    overvote detection does for ballots: one per concerning answer of a question that
    raises one; updated while unreviewed; removed when the answer changes back; never
    rewritten once reviewed (kept, marked superseded, and raised anew if still a concern).
    `new_answers`: the report was stored just now with these answers, none raised yet.
    Returns what to tell the person who saved the report."""
    answers = (
        report.answers.select_related("question__raises", "question__checklist")
        if new_answers is None
        else new_answers
    )
    concerns = {
        answer.question_id: answer
        for answer in answers
        if answer.concern and answer.question.raises_id
    }
    if new_answers is not None and not concerns:
        return []
    standing = (
        {}
        if new_answers is not None
        else {
            irregularity.question_id: irregularity
            for irregularity in Irregularity.objects.select_for_update().filter(
                report=report,
                raised_by_system=True,
                question__isnull=False,
                superseded_at__isnull=True,
            )
        }
    )
    now = timezone.now()
    create, update, supersede, delete, told = [], [], [], [], []
    for question_id, irregularity in standing.items():
        answer = concerns.get(question_id)
        wanted = None if answer is None else _raised_fields(report, answer)
        if wanted is not None and all(getattr(irregularity, k) == v for k, v in wanted.items()):
            concerns.pop(question_id)
            continue
        if irregularity.status == Irregularity.Status.REPORTED:
            if wanted is None:
                delete.append(irregularity.pk)
            else:
                for name, value in wanted.items():
                    setattr(irregularity, name, value)
                update.append(irregularity)
                concerns.pop(question_id)
            continue
        irregularity.superseded_at = now
        supersede.append(irregularity)
    for answer in concerns.values():
        question = answer.question
        create.append(
            Irregularity(
                report=report,
                question=question,
                raised_by_system=True,
                category=question.raises,
                severity=question.raises_severity,
                evidence=Irregularity.Evidence.OBSERVED,
                reported_by=by,
                **_raised_fields(report, answer),
            )
        )
        told.append(
            _("Your answer to “%(question)s” raised a “%(category)s” irregularity for review.")
            % {"question": question.label, "category": question.raises}
        )
    if delete:
        Irregularity.objects.filter(pk__in=delete).delete()
    if supersede:
        bulk_update_with_history(supersede, Irregularity, ["superseded_at"], default_user=by)
    if update:
        bulk_update_with_history(
            update,
            Irregularity,
            ["mission", "round", "station", "facts", "description"],
            default_user=by,
        )
    if create:
        bulk_create_with_history(create, Irregularity, default_user=by)
    return told


def _raised_fields(report, answer) -> dict:
    return {
        "mission_id": report.mission_id,
        "round_id": report.round_id,
        "station_id": report.station_id,
        **raised.recorded(raised.answer_facts(answer)),
    }
