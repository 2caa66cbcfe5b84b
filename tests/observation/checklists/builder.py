"""XLSForm workbooks built in memory for the tests, as a mission would write them."""

import io

from openpyxl import Workbook

SURVEY_HEADER = [
    "type",
    "name",
    "label::English (en)",
    "label::Español (es)",
    "hint::English (en)",
    "required",
    "relevant",
    "constraint",
    "concern",
    "irregularity",
]
CHOICES_HEADER = ["list_name", "name", "label::English (en)", "label::Español (es)"]

# An opening checklist in the shape observation missions write: a group, yes/no
# questions, a follow-up shown only on a concerning answer, a count with bounds.
OPENING_SURVEY = [
    ["begin_group", "setup", "Setting up", "Instalación", "", "", "", "", "", ""],
    ["select_one yn", "opened", "Station opened", "Mesa instalada", "", "yes", "", "", "no", ""],
    [
        "time",
        "opened_at",
        "Opening time",
        "Hora de instalación",
        "As on the tally sheet",
        "",
        "${opened} = 'yes'",
        "",
        "",
        "",
    ],
    ["end_group", "", "", "", "", "", "", "", "", ""],
    [
        "select_one yn",
        "premarked",
        "Pre-marked ballots seen",
        "Boletas marcadas de antemano",
        "",
        "",
        "",
        "",
        "yes",
        "pre_marked_ballots",
    ],
    [
        "integer",
        "premarked_count",
        "How many pre-marked ballots",
        "Cuántas boletas marcadas",
        "",
        "yes",
        "${premarked} = 'yes'",
        ". >= 1 and . <= 500",
        "",
        "",
    ],
    [
        "select_multiple materials",
        "missing",
        "Materials missing",
        "Material faltante",
        "",
        "",
        "",
        "",
        "ink booth",
        "",
    ],
    ["text", "remarks", "Remarks", "Observaciones", "", "", "", "", "", ""],
]
OPENING_CHOICES = [
    ["yn", "yes", "Yes", "Sí"],
    ["yn", "no", "No", "No"],
    ["materials", "ink", "Indelible ink", "Tinta indeleble"],
    ["materials", "booth", "Voting booth", "Cabina de votación"],
    ["materials", "list", "Voter list", "Padrón"],
]


def workbook(
    survey=OPENING_SURVEY,
    choices=OPENING_CHOICES,
    *,
    survey_header=SURVEY_HEADER,
    choices_header=CHOICES_HEADER,
    settings=(("form_title", "Opening"), ("default_language", "English (en)")),
    sheets=("survey", "choices", "settings"),
) -> bytes:
    book = Workbook()
    book.remove(book.active)
    if "survey" in sheets:
        sheet = book.create_sheet("survey")
        sheet.append(list(survey_header))
        for row in survey:
            sheet.append(list(row))
    if "choices" in sheets:
        sheet = book.create_sheet("choices")
        sheet.append(list(choices_header))
        for row in choices:
            sheet.append(list(row))
    if "settings" in sheets and settings:
        sheet = book.create_sheet("settings")
        sheet.append([name for name, _value in settings])
        sheet.append([value for _name, value in settings])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def replaced(rows, code, /, **changes):
    """`rows` with the row of the question `code` changed (columns by header name)."""
    index = {column: position for position, column in enumerate(SURVEY_HEADER)}
    result = []
    for row in rows:
        row = list(row)
        if row[1] == code:
            for column, value in changes.items():
                row[index[column]] = value
        result.append(row)
    return result
