"""Reading and writing XLSForms: what a leader uploads, and every problem named."""

import pytest

from observation import services, xlsform
from observation.models import QuestionType
from tests import factories
from tests.observation.checklists.builder import (
    OPENING_CHOICES,
    OPENING_SURVEY,
    SURVEY_HEADER,
    replaced,
    workbook,
)

pytestmark = pytest.mark.django_db


def _problems(data, **kwargs):
    with pytest.raises(xlsform.XLSFormError) as caught:
        xlsform.read(data, **kwargs)
    return [(p.sheet, p.row, p.column, p.message) for p in caught.value.problems]


def test_an_opening_form_reads_with_sections_conditions_bounds_and_languages():
    draft = xlsform.read(workbook())

    assert draft.title == "Opening"
    assert draft.default_language == "en"
    assert draft.sections == [("setup", {"en": "Setting up", "es": "Instalación"})]
    by_code = {question.code: question for question in draft.questions}
    assert list(by_code) == [
        "opened",
        "opened_at",
        "premarked",
        "premarked_count",
        "missing",
        "remarks",
    ]
    assert by_code["opened"].type == QuestionType.YES_NO
    assert by_code["opened"].required and by_code["opened"].concern == ["no"]
    assert by_code["opened_at"].relevant == "${opened} = 'yes'"
    assert by_code["opened_at"].section == "setup"
    assert by_code["opened_at"].hints == {"en": "As on the tally sheet"}
    assert (by_code["premarked_count"].minimum, by_code["premarked_count"].maximum) == ("1", "500")
    assert by_code["premarked"].raises == "pre_marked_ballots"
    assert by_code["missing"].type == QuestionType.CHOICES
    assert [c["name"] for c in by_code["missing"].choices] == ["ink", "booth", "list"]
    assert by_code["remarks"].labels == {"en": "Remarks", "es": "Observaciones"}


def test_round_trip_xlsform_to_checklist_to_xlsform(leader, mission):
    draft = xlsform.read(workbook())
    services.checklist_apply(mission=mission, phase="opening", draft=draft, by=leader)
    checklist = mission.checklists.get(phase="opening")

    again = xlsform.read(xlsform.write(checklist))

    assert again.as_data() | {"warnings": []} == draft.as_data() | {"warnings": []} | {
        # Rows move: the written form has no blank or metadata rows.
        "questions": [
            {**question, "row": row}
            for question, row in zip(
                draft.as_data()["questions"],
                [q.row for q in again.questions],
                strict=True,
            )
        ]
    }
    changes = services.checklist_changes(mission=mission, phase="opening", draft=again)
    assert changes.added == changes.changed == changes.retired == changes.deleted == []
    assert changes.unchanged == [q.code for q in draft.questions]


def test_unmarked_labels_take_the_language_the_leader_names():
    survey = [["select_one yn", "abierta", "¿Mesa instalada?"]]
    choices = [["yn", "yes", "Sí"], ["yn", "no", "No"]]
    data = workbook(
        survey,
        choices,
        survey_header=["type", "name", "label"],
        choices_header=["list_name", "name", "label"],
        settings=(("form_title", "Apertura"),),
    )

    draft = xlsform.read(data, unmarked_language="es")

    assert draft.default_language == "es"
    assert draft.questions[0].labels == {"es": "¿Mesa instalada?"}


def test_metadata_rows_are_named_in_the_warnings_not_dropped_silently():
    survey = [["start", "start", "", "", "", "", "", "", "", ""], *OPENING_SURVEY]
    draft = xlsform.read(workbook(survey))
    assert any("start" in warning and "Row 2" in warning for warning in draft.warnings)


@pytest.mark.parametrize(
    ("survey", "choices", "expected"),
    [
        pytest.param(
            replaced(OPENING_SURVEY, "remarks", type="geopoint"),
            OPENING_CHOICES,
            ("survey", 9, "type", "“geopoint” is not one a checklist takes"),
            id="unknown-type",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "remarks", name="opened"),
            OPENING_CHOICES,
            ("survey", 9, "name", "“opened” is used already, on row 3"),
            id="duplicate-name",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "missing", type="select_multiple supplies"),
            OPENING_CHOICES,
            ("survey", 8, "type", "“supplies” is not on the choices sheet"),
            id="missing-list",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "missing", type="select_multiple empty"),
            [*OPENING_CHOICES, ["empty", "", "", ""]],
            ("survey", 8, "type", "“empty” has no choices"),
            id="empty-list",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "opened_at", relevant="${nowhere} = 'yes'"),
            OPENING_CHOICES,
            ("survey", 4, "relevant", "“nowhere”, which is not a question of the form"),
            id="condition-on-unknown-question",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "opened_at", relevant="${remarks} != ''"),
            OPENING_CHOICES,
            ("survey", 4, "relevant", "“remarks”, which comes later in the form"),
            id="condition-on-later-question",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "opened_at", relevant="count-selected(${missing}) > 1"),
            OPENING_CHOICES,
            ("survey", 4, "relevant", "is not part of the conditions Observa reads"),
            id="condition-outside-the-subset",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "remarks", **{"label::English (en)": ""}),
            OPENING_CHOICES,
            ("survey", 9, "label", "no label in en, the form's default language"),
            id="label-missing-in-default-language",
        ),
        pytest.param(
            OPENING_SURVEY,
            [*OPENING_CHOICES[:-1], ["materials", "list", "", "Padrón"]],
            ("choices", 6, "label", "no label in en"),
            id="choice-label-missing",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "premarked_count", constraint="regex(., '^[0-9]+$')"),
            OPENING_CHOICES,
            ("survey", 7, "constraint", "Only a minimum and a maximum"),
            id="unsupported-constraint",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "premarked", irregularity="no_such_category"),
            OPENING_CHOICES,
            ("survey", 6, "irregularity", "no irregularity category with the code"),
            id="unknown-category",
        ),
        pytest.param(
            replaced(OPENING_SURVEY, "premarked", concern="perhaps"),
            OPENING_CHOICES,
            ("survey", 6, "concern", "“perhaps” is not one of this question's choices"),
            id="concern-not-a-choice",
        ),
        pytest.param(
            [["begin_repeat", "visits", "Visits", "", "", "", "", "", "", ""], *OPENING_SURVEY],
            OPENING_CHOICES,
            ("survey", 2, "type", "“begin_repeat” is not one a checklist takes"),
            id="repeat",
        ),
    ],
)
def test_a_bad_form_names_each_problem_by_sheet_row_and_column(survey, choices, expected):
    problems = _problems(workbook(survey, choices))
    sheet, row, column, phrase = expected
    assert any(
        (p_sheet, p_row, p_column) == (sheet, row, column) and phrase in message
        for p_sheet, p_row, p_column, message in problems
    ), problems


def test_a_form_with_no_questions_is_refused():
    problems = _problems(workbook([], []))
    assert problems == [("survey", None, "", "This form has no questions.")]


def test_a_refused_column_is_named_with_its_rows():
    header = [*SURVEY_HEADER, "calculation"]
    survey = [[*row, ""] for row in OPENING_SURVEY]
    survey[5][-1] = "${premarked_count} * 2"
    problems = _problems(workbook(survey, survey_header=header))
    assert any(p[2] == "calculation" and "rows 7" in p[3] for p in problems), problems


@pytest.mark.parametrize(
    "data",
    [b"type,name,label\ntext,a,A\n", b"PK\x03\x04 not really a zip", b""],
    ids=["csv", "broken-zip", "empty"],
)
def test_a_file_that_is_not_a_workbook_is_refused(data):
    assert _problems(data) == [("", None, "", "This file is not an XLSForm workbook (.xlsx).")]


def test_a_workbook_without_a_survey_sheet_is_refused():
    problems = _problems(workbook(sheets=("choices",)))
    assert problems[0][0] == "survey"


def test_the_type_of_an_answered_question_cannot_change(leader, mission, setting):
    services.checklist_apply(
        mission=mission, phase="opening", draft=xlsform.read(workbook()), by=leader
    )
    factories.ObserverReportFactory(
        mission=mission,
        round=setting["round"],
        station=setting["station"],
        phase="opening",
        saved_by=leader,
        answers={"opened": "yes"},
    )
    changed = xlsform.read(
        workbook(replaced(OPENING_SURVEY, "opened", type="text", concern="", required=""))
    )

    changes = services.checklist_changes(mission=mission, phase="opening", draft=changed)

    assert changes.errors == [
        "Question “opened” has answers: its type cannot change from Yes / no to Text. "
        "Retire it and add a question with a new code."
    ]


def test_a_groups_condition_holds_for_each_of_its_questions():
    survey = [
        ["select_one yn", "counting", "Counting observed", "", "", "", "", "", "", ""],
        ["begin_group", "count", "The count", "", "", "", "${counting} = 'yes'", "", "", ""],
        ["integer", "valid", "Valid ballots", "", "", "", "", "", "", ""],
        ["integer", "blank", "Blank ballots", "", "", "", "${valid} > 0", "", "", ""],
        ["end_group", "", "", "", "", "", "", "", "", ""],
    ]
    draft = xlsform.read(workbook(survey))
    relevant = {question.code: question.relevant for question in draft.questions}
    assert relevant == {
        "counting": "",
        "valid": "${counting} = 'yes'",
        "blank": "(${counting} = 'yes') and (${valid} > 0)",
    }


def test_a_groups_condition_on_a_later_question_is_named():
    survey = [
        ["begin_group", "count", "The count", "", "", "", "${valid} > 0", "", "", ""],
        ["integer", "valid", "Valid ballots", "", "", "", "", "", "", ""],
        ["end_group", "", "", "", "", "", "", "", "", ""],
    ]
    assert ("survey", 2, "relevant") in [p[:3] for p in _problems(workbook(survey))]


def _with_urgent(marks: dict) -> bytes:
    """The opening form with an `urgent` column, marked on the questions named."""
    survey = [[*row, marks.get(row[1], "")] for row in OPENING_SURVEY]
    return workbook(survey, survey_header=[*SURVEY_HEADER, "urgent"])


def test_an_urgent_concern_is_read_written_and_applied(leader, mission):
    draft = xlsform.read(_with_urgent({"premarked": "yes"}))

    assert [q.code for q in draft.questions if q.urgent] == ["premarked"]
    services.checklist_apply(mission=mission, phase="opening", draft=draft, by=leader)
    checklist = mission.checklists.get(phase="opening")
    assert list(checklist.questions.filter(urgent=True).values_list("code", flat=True)) == [
        "premarked"
    ]
    again = xlsform.read(xlsform.write(checklist))
    assert [q.code for q in again.questions if q.urgent] == ["premarked"]


@pytest.mark.parametrize(
    ("marks", "row", "phrase"),
    [
        pytest.param({"opened": "perhaps"}, 3, "“perhaps” is not yes or no", id="not-yes-or-no"),
        pytest.param(
            {"remarks": "yes"},
            9,
            "Name in the concern column the answers that are urgent",
            id="urgent-without-concern",
        ),
    ],
)
def test_a_bad_urgent_mark_is_named(marks, row, phrase):
    problems = _problems(_with_urgent(marks))

    assert any(
        (sheet, number, column) == ("survey", row, "urgent") and phrase in message
        for sheet, number, column, message in problems
    ), problems
