"""Real election-observation workbooks found in public repositories, read by the XLSForm reader.

Each fixture in files/ is a small excerpt of a published workbook; files/SOURCES.md names the
repository, path and commit of each.
"""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from observation import xlsform
from observation.models import QuestionType

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


def _problems(name):
    with pytest.raises(xlsform.XLSFormError) as caught:
        xlsform.read((FILES / name).read_bytes())
    return caught.value.problems


# Source: code4romania/monitorizare-vot, forms-parser/forms-2023-10-10-en.xlsx at
# c1e2f3361d385d1743af543baa29ec3d2edfbe35 (MPL-2.0): VoteMonitor's Polish 2023 opening
# checklist (form "A") in its own layout, one sheet "final" with the columns "Form Code",
# "Form", "Question ID", "Question (PL)", "Question (EN)", "Type" ("<single_selection>",
# "<multi_choice>"...) and the options spread over the following columns. It is not XLSForm:
# there is no survey sheet and no choices sheet.
VOTEMONITOR = "votemonitor_pl_2023_opening_checklist.xlsx"


def test_the_votemonitor_checklist_is_named_as_having_no_survey_sheet():
    """VoteMonitor's Polish 2023 opening checklist (code4romania/monitorizare-vot): one problem,
    the missing survey sheet, naming the sheet the workbook has."""
    problems = _problems(VOTEMONITOR)

    assert [(p.sheet, p.row, p.column) for p in problems] == [("survey", None, "")]
    assert problems[0].message == "This workbook has no survey sheet (its sheets: final)."


# Source: thecartercenter/nemo (ELMO/NEMO), spec/fixtures/tabular_imports/odk_form.xlsx at
# f6d1830e3346a14fff3d5b3759c05e45099780b9 (Apache-2.0), whole: the XLSForm The Carter
# Center's observation tool tests its ODK import with. Its quirks: a "list name" header
# with a space, the old "title"/"id_string" settings, "constraint-msg", "appearance",
# nested groups, date questions with a default, image-only choices.
NEMO = "nemo_appearance_widgets.xlsx"


def test_the_nemo_form_names_each_construct_a_checklist_does_not_take():
    problems = _problems(NEMO)

    assert [(p.sheet, p.row, p.column) for p in problems] == [
        ("survey", 9, "default"),
        ("survey", 9, "type"),
        ("survey", 10, "type"),
        ("survey", 11, "type"),
        ("survey", 16, "type"),
    ]
    assert "“date” is not one a checklist takes" in problems[1].message
    assert "group inside a group" in problems[4].message


def test_the_nemo_form_without_them_reads_with_its_quirks():
    """The same form once its dates and its inner group are taken out, as a leader would."""
    book = load_workbook(FILES / NEMO)
    survey = book["survey"]
    for row in (19, 16, 11, 10, 9):
        survey.delete_rows(row)
    buffer = io.BytesIO()
    book.save(buffer)

    draft = xlsform.read(buffer.getvalue())

    by_code = {question.code: question for question in draft.questions}
    assert list(by_code) == [
        "intro",
        "my_text",
        "my_long_text",
        "spinner",
        "table_list_3",
        "table_list_4",
    ]
    assert by_code["intro"].type == QuestionType.NOTE
    assert by_code["spinner"].type == QuestionType.ONE_CHOICE
    assert [c["name"] for c in by_code["spinner"].choices] == ["a", "b", "c", "d"]
    # Its yes_no list also holds "Don't Know" and "Not Applicable": one choice, not yes/no.
    assert by_code["table_list_4"].type == QuestionType.ONE_CHOICE
    assert len(by_code["table_list_4"].choices) == 4
    assert [code for code, _labels in draft.sections] == [
        "text_widgets",
        "date_time_widgets",
        "mult_choice_widgets",
    ]
    assert any("appearance" in warning for warning in draft.warnings)
