"""A process keeps each mission's questions while the database's questions stamp stays the
same: any change to a question, checklist or section, however it is written (the ORM, a
bulk update, plain SQL, a cascade), is read at once; a change rolled back never is."""

import pytest
from django.db import connection, transaction

from observation import answers
from observation.models import ChecklistSection, Question, QuestionsStamp
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def question():
    question = factories.QuestionFactory(labels={"en": "Did the station open on time?"})
    # Kept by the process from here on.
    answers.questions_of(question.mission)
    return question


def _labels(mission) -> list[str]:
    return [question.label for question in answers.questions_of(mission)]


def test_kept_questions_are_read_with_one_small_query(question, django_assert_num_queries):
    with django_assert_num_queries(1):
        kept = answers.questions_of(question.mission)

    assert [(q.pk, q.label, q.checklist.phase) for q in kept] == [
        (question.pk, "Did the station open on time?", "opening")
    ]


def test_each_call_has_questions_of_its_own(question):
    first = answers.questions_of(question.mission)
    first[0].labels = {"en": "Changed in one request only"}

    assert _labels(question.mission) == ["Did the station open on time?"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda q: Question.objects.filter(pk=q.pk).update(labels={"en": "Changed"}),
            id="bulk update",
        ),
        pytest.param(
            lambda q: _execute(
                "UPDATE observation_question SET labels = %s WHERE id = %s",
                ['{"en": "Changed"}', q.pk],
            ),
            id="plain SQL",
        ),
        pytest.param(lambda q: _saved(q, labels={"en": "Changed"}), id="saved"),
    ],
)
def test_a_question_changed_however_it_is_written_is_read_at_once(question, change):
    change(question)

    assert _labels(question.mission) == ["Changed"]


def test_added_retired_and_deleted_questions_are_read_at_once(question):
    mission = question.mission
    Question.objects.bulk_create(
        [
            Question(
                mission=mission,
                checklist=question.checklist,
                code="queue",
                position=99,
                labels={"en": "Was there a queue?"},
            )
        ]
    )
    assert _labels(mission) == ["Did the station open on time?", "Was there a queue?"]

    _saved(question, retired=True)
    assert _labels(mission) == ["Was there a queue?"]

    Question.objects.filter(code="queue").delete()
    assert _labels(mission) == []


def test_a_changed_checklist_or_section_is_read_at_once(question):
    section = ChecklistSection.objects.create(
        checklist=question.checklist, code="arrival", labels={"en": "Arrival"}
    )
    _saved(question, section=section)
    assert answers.questions_of(question.mission)[0].section.label == "Arrival"

    ChecklistSection.objects.filter(pk=section.pk).update(labels={"en": "On arrival"})
    assert answers.questions_of(question.mission)[0].section.label == "On arrival"

    _execute(
        "UPDATE observation_checklist SET phase = %s WHERE id = %s",
        ["closing", question.checklist_id],
    )
    assert answers.questions_of(question.mission)[0].checklist.phase == "closing"


def test_a_change_rolled_back_is_never_read(question):
    mission = question.mission
    with pytest.raises(RuntimeError), transaction.atomic():
        _saved(question, labels={"en": "Never committed"})
        # Read (and kept) inside the transaction that is then rolled back.
        assert _labels(mission) == ["Never committed"]
        raise RuntimeError

    # The next change draws a stamp of its own, not the one rolled back (a count would
    # come to the same number again, under which the rolled-back label is kept).
    question.refresh_from_db()
    _saved(question, hints={"en": "Committed"})
    assert _labels(mission) == ["Did the station open on time?"]
    assert answers.questions_of(mission)[0].hints == {"en": "Committed"}


def test_answers_sent_as_data_are_read_by_the_questions_current_choices(question):
    mission, phase = question.mission, question.checklist.phase
    assert not answers.clean_raw(mission, phase, {question.code: "yes"}).errors

    Question.objects.filter(pk=question.pk).update(
        choices=[{"name": "open", "labels": {"en": "Open"}}]
    )

    assert answers.clean_raw(mission, phase, {question.code: "open"}).errors == {}
    assert [
        error.code
        for error in answers.clean_raw(mission, phase, {question.code: "yes"}).errors[question.code]
    ] == ["invalid_choice"]


def test_answers_sent_as_data_are_read_by_fields_built_once_a_stamp(question, monkeypatch):
    built, form_field = [], answers.form_field

    def counted(q):
        built.append(q.code)
        return form_field(q)

    monkeypatch.setattr(answers, "form_field", counted)
    mission, phase = question.mission, question.checklist.phase
    for _ in range(2):
        answers.clean_raw(mission, phase, {question.code: "yes"})
    assert built == [question.code]

    _saved(question, hints={"en": "Changed"})
    answers.clean_raw(mission, phase, {question.code: "yes"})
    assert built == [question.code, question.code]


def test_a_mission_with_its_questions_is_deleted_and_leaves_only_its_stamp(question):
    mission, pk = question.mission, question.mission_id
    ChecklistSection.objects.create(checklist=question.checklist, code="s", labels={})

    mission.delete()

    assert not Question.objects.filter(pk=question.pk).exists()
    # Harmless: no mission is ever given a deleted one's key again.
    assert QuestionsStamp.objects.filter(mission_id=pk).exists()


def test_a_mission_without_a_stamp_has_its_questions_read_each_time(
    question, django_assert_num_queries
):
    QuestionsStamp.objects.filter(mission_id=question.mission_id).delete()

    for _ in range(2):
        with django_assert_num_queries(2):
            assert _labels(question.mission) == ["Did the station open on time?"]


def _saved(question, **values):
    for name, value in values.items():
        setattr(question, name, value)
    question.save()


def _execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
