"""XLSForms in and out: a mission's checklist read from, and written to, the
spreadsheet format observation missions write their forms in.

pyxform, the format's reference implementation, reads the workbook's sheets
and has the last word on whether the form is valid XLSForm; this module then
keeps what Observa understands, and names every construct it does not (a
repeat, a calculation, a photo question...) instead of dropping it. Three
columns of the `survey` sheet are Observa's own and ignored by other tools:

    concern                the answers that are a concern, by choice name ("no")
    urgent                 yes if a concern here raises an alert on election day
    irregularity           the code of the irregularity category such an answer raises
    irregularity_severity  minor, significant or serious (serious if empty)
    library                the code of the standard question this one adopts

A checklist written out by `write()` reads back by `read()` to the same checklist.
"""

import io
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from pyxform import xls2json
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform

from observation import conditions
from observation.imports import ImportFileError, _check_archive, _reading_workbook
from observation.models import Irregularity, IrregularityCategory
from observation.models.checklists import CHOICE_TYPES, CODE_PATTERN, NUMBER_TYPES, QuestionType

MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_QUESTIONS = 500

# Language names as forms write them ("label::Español (es)" names its code; "label::Spanish"
# does not), for the languages observation missions use most.
LANGUAGE_NAMES = {
    "english": "en",
    "inglés": "en",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "castellano": "es",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "portuguese": "pt",
    "português": "pt",
    "portugues": "pt",
    "arabic": "ar",
    "russian": "ru",
}
LANGUAGE_TITLES = {"en": "English", "es": "Español", "fr": "Français", "pt": "Português"}

TYPES = {
    "select_one": QuestionType.ONE_CHOICE,
    "select_multiple": QuestionType.CHOICES,
    "integer": QuestionType.INTEGER,
    "decimal": QuestionType.DECIMAL,
    "time": QuestionType.TIME,
    "text": QuestionType.TEXT,
    "note": QuestionType.NOTE,
}
# XLSForm's other spellings of the same types.
SELECT_SPELLINGS = (
    ("select_one ", "select_one"),
    ("select one ", "select_one"),
    ("select_multiple ", "select_multiple"),
    ("select multiple ", "select_multiple"),
    ("select all that apply ", "select_multiple"),
)
TYPE_ALIASES = {
    "int": "integer",
    "string": "text",
    "begin group": "begin_group",
    "end group": "end_group",
    "begin repeat": "begin_repeat",
    "end repeat": "end_repeat",
}
# Recorded by ODK Collect itself, not asked: named in the preview as not kept.
METADATA_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
}
YES_NO = ["yes", "no"]
TRUE_WORDS = {"yes", "true", "true()", "1"}
FALSE_WORDS = {"", "no", "false", "false()", "0"}
# Columns whose content would change what is asked or stored: refused, not ignored.
REFUSED_COLUMNS = ("calculation", "choice_filter", "repeat_count", "trigger", "default")
# The survey columns read besides type, name, label and hint, in the order written.
READ_COLUMNS = (
    "required",
    "relevant",
    "constraint",
    "concern",
    "urgent",
    "irregularity",
    "irregularity_severity",
    "library",
)
_BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self):
        where = self.sheet if self.row is None else f"{self.sheet}, {_('row')} {self.row}"
        return f"{where}: {self.message}"


class XLSFormError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass
class DraftQuestion:
    code: str
    type: str
    labels: dict
    row: int
    hints: dict = field(default_factory=dict)
    section: str = ""
    required: bool = False
    minimum: str | None = None
    maximum: str | None = None
    choices: list = field(default_factory=list)
    relevant: str = ""
    concern: list = field(default_factory=list)
    urgent: bool = False
    raises: str = ""
    raises_severity: str = Irregularity.Severity.SERIOUS
    library: str = ""


@dataclass
class Draft:
    """A checklist as read from a workbook, before it is applied to a mission."""

    title: str
    default_language: str
    sections: list = field(default_factory=list)  # [(code, labels)]
    questions: list = field(default_factory=list)  # [DraftQuestion]
    warnings: list = field(default_factory=list)

    def as_data(self) -> dict:
        return asdict(self)

    @classmethod
    def from_data(cls, data: dict) -> "Draft":
        questions = [DraftQuestion(**question) for question in data["questions"]]
        sections = [tuple(section) for section in data["sections"]]
        return cls(**{**data, "questions": questions, "sections": sections})


def _language(suffix: str, unmarked: str) -> str:
    """The language code of a column's "::" suffix ("English (en)", "Español", none)."""
    suffix = suffix.strip()
    if not suffix or suffix == "default":
        return unmarked
    coded = re.search(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$", suffix)
    if coded:
        return coded.group(1).lower()
    return LANGUAGE_NAMES.get(suffix.casefold(), suffix)


def _texts(row: dict, kind: str, unmarked: str) -> dict:
    """{language: text} from a row's `kind` columns (label, label::English (en), ...)."""
    texts = {}
    for column, value in row.items():
        head, _separator, suffix = column.partition("::")
        if head.strip().casefold() == kind and str(value).strip():
            texts[_language(suffix, unmarked)] = str(value).strip()
    return texts


def _type(raw_type: str) -> tuple[str, str]:
    """(type, choice list) of a survey row's type cell, in XLSForm's canonical spelling."""
    lowered = raw_type.casefold()
    for spelling, kind in SELECT_SPELLINGS:
        if lowered.startswith(spelling):
            return kind, raw_type[len(spelling) :].strip()
    return TYPE_ALIASES.get(lowered, lowered), ""


def _workbook(data: bytes):
    if len(data) > MAX_FILE_SIZE:
        raise XLSFormError(
            [Problem("", None, "", _("This file is larger than 5 MB; no XLSForm is that large."))]
        )
    try:
        with _reading_workbook():
            _check_archive(data)
            return get_xlsform(io.BytesIO(data), file_type=".xlsx")
    except (ImportFileError, PyXFormError):
        raise XLSFormError(
            [Problem("", None, "", _("This file is not an XLSForm workbook (.xlsx)."))]
        ) from None


class _Reader:
    def __init__(self, workbook, unmarked_language: str):
        self.workbook = workbook
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.settings = (workbook.settings or [{}])[0]
        declared = str(self.settings.get("default_language", "")).strip()
        self.unmarked = unmarked_language
        self.default_language = _language(declared, unmarked_language) if declared else ""

    def problem(self, sheet, row, column, message):
        self.problems.append(Problem(sheet, row, column, message))

    def choice_lists(self) -> dict:
        lists: dict[str, list] = {}
        seen = set()
        for index, row in enumerate(self.workbook.choices or []):
            number = index + 2
            list_name = str(row.get("list_name", row.get("list name", ""))).strip()
            name = str(row.get("name", "")).strip()
            if not list_name and not name:
                continue
            lists.setdefault(list_name, [])
            if not name:
                self.problem("choices", number, "name", _("This choice has no name."))
                continue
            if (list_name, name) in seen:
                self.problem(
                    "choices",
                    number,
                    "name",
                    _("The choice “%(name)s” appears twice in the list “%(list)s”.")
                    % {"name": name, "list": list_name},
                )
                continue
            seen.add((list_name, name))
            labels = _texts(row, "label", self.unmarked)
            lists.setdefault(list_name, []).append({"name": name, "labels": labels, "row": number})
        return lists

    def read(self) -> Draft:
        survey = self.workbook.survey or []
        lists = self.choice_lists()
        used_columns = set()
        for row in survey:
            used_columns.update(column for column, value in row.items() if str(value).strip())
        self._check_columns(survey, used_columns)
        languages = set()
        for row in survey:
            languages.update(_texts(row, "label", self.unmarked))
        if not self.default_language:
            self.default_language = self.unmarked if self.unmarked in languages else ""
            self.default_language = self.default_language or min(languages, default=self.unmarked)
        categories = dict(IrregularityCategory.objects.hand_logged().values_list("code", "code"))

        draft = Draft(
            title=str(self.settings.get("form_title", "")).strip(),
            default_language=self.default_language,
        )
        # Every name in the form, so that a condition on a later question says so.
        self.names = {str(row.get("name", "")).strip() for row in survey}
        codes: dict[str, int] = {}
        section = group_condition = ""
        for index, row in enumerate(survey):
            number = index + 2
            raw_type = " ".join(str(row.get("type", "")).split())
            if not raw_type:
                if any(str(value).strip() for value in row.values()):
                    self.problem("survey", number, "type", _("This row has no type."))
                continue
            kind, list_name = _type(raw_type)
            name = str(row.get("name", "")).strip()
            if kind == "begin_group":
                if section:
                    self.problem(
                        "survey",
                        number,
                        "type",
                        _("A group inside a group is not supported: end “%(group)s” first.")
                        % {"group": section},
                    )
                section = name or f"section_{number}"
                draft.sections.append((section, _texts(row, "label", self.unmarked)))
                group_condition = " ".join(str(row.get("relevant", "")).split())
                if group_condition:
                    self._check_condition(group_condition, number, codes)
                continue
            if kind == "end_group":
                section = group_condition = ""
                continue
            if kind in METADATA_TYPES:
                self.warnings.append(
                    _(
                        "Row %(row)s (%(type)s) is recorded by ODK Collect itself; the "
                        "checklist does not keep it."
                    )
                    % {"row": number, "type": kind}
                )
                continue
            question_type = TYPES.get(kind)
            if question_type is None:
                self.problem(
                    "survey",
                    number,
                    "type",
                    _(
                        "The question type “%(type)s” is not one a checklist takes (yes/no, "
                        "select_one, select_multiple, integer, decimal, time, text, note)."
                    )
                    % {"type": raw_type},
                )
                continue
            if not re.match(CODE_PATTERN, name) or len(name) > 64:
                self.problem(
                    "survey",
                    number,
                    "name",
                    _(
                        "“%(name)s” is not a question name: use up to 64 letters, digits and "
                        "underscores, starting with a letter."
                    )
                    % {"name": name},
                )
                continue
            if name in codes:
                self.problem(
                    "survey",
                    number,
                    "name",
                    _("The name “%(name)s” is used already, on row %(row)s.")
                    % {"name": name, "row": codes[name]},
                )
                continue
            codes[name] = number
            question = DraftQuestion(
                code=name,
                type=question_type,
                labels=_texts(row, "label", self.unmarked),
                hints=_texts(row, "hint", self.unmarked),
                row=number,
                section=section,
            )
            self._choices(question, list_name, lists, number)
            self._required(question, row, number)
            self._bounds(question, row, number)
            self._condition(question, row, number, codes, group_condition)
            self._concern(question, row, number, categories)
            question.library = str(row.get("library", "")).strip()
            if self.default_language not in question.labels:
                self.problem(
                    "survey",
                    number,
                    "label",
                    _(
                        "The question “%(name)s” has no label in %(language)s, the form's "
                        "default language."
                    )
                    % {"name": name, "language": self.default_language},
                )
            draft.questions.append(question)
        if not draft.questions and not self.problems:
            self.problem("survey", None, "", _("This form has no questions."))
        if len(draft.questions) > MAX_QUESTIONS:
            self.problem(
                "survey",
                None,
                "",
                _("This form has more than %(limit)s questions.") % {"limit": MAX_QUESTIONS},
            )
        draft.warnings = self.warnings
        return draft

    def _check_columns(self, survey, used_columns):
        for column in sorted(used_columns):
            head = column.partition("::")[0].strip().casefold()
            if head in REFUSED_COLUMNS:
                rows = [index + 2 for index, row in enumerate(survey) if str(row.get(column, ""))]
                self.problem(
                    "survey",
                    rows[0],
                    column,
                    _(
                        "The column “%(column)s” is not supported by Observa checklists; "
                        "clear it (rows %(rows)s)."
                    )
                    % {"column": column, "rows": ", ".join(map(str, rows))},
                )
            elif head not in READ_COLUMNS and head not in ("type", "name", "label", "hint"):
                self.warnings.append(
                    _("The column “%(column)s” is not used by Observa checklists.")
                    % {"column": column}
                )

    def _choices(self, question, list_name, lists, number):
        if question.type not in (QuestionType.ONE_CHOICE, QuestionType.CHOICES):
            return
        if not list_name:
            self.problem("survey", number, "type", _("Name the choice list after the type."))
            return
        if list_name not in lists:
            self.problem(
                "survey",
                number,
                "type",
                _("The choice list “%(list)s” is not on the choices sheet.") % {"list": list_name},
            )
            return
        choices = lists[list_name]
        if not choices:
            self.problem(
                "survey",
                number,
                "type",
                _("The choice list “%(list)s” has no choices.") % {"list": list_name},
            )
            return
        for choice in choices:
            if self.default_language not in choice["labels"]:
                self.problem(
                    "choices",
                    choice["row"],
                    "label",
                    _(
                        "The choice “%(name)s” has no label in %(language)s, the form's "
                        "default language."
                    )
                    % {"name": choice["name"], "language": self.default_language},
                )
        question.choices = [{"name": c["name"], "labels": c["labels"]} for c in choices]
        if question.type == QuestionType.ONE_CHOICE and [c["name"] for c in choices] == YES_NO:
            question.type = QuestionType.YES_NO

    def _required(self, question, row, number):
        question.required = (
            self._yes(row, number, "required") and question.type != QuestionType.NOTE
        )

    def _yes(self, row, number, column) -> bool:
        value = str(row.get(column, "")).strip().casefold()
        if value not in TRUE_WORDS | FALSE_WORDS:
            self.problem(
                "survey",
                number,
                column,
                _("“%(value)s” is not yes or no.") % {"value": row.get(column)},
            )
        return value in TRUE_WORDS

    def _bounds(self, question, row, number):
        constraint = str(row.get("constraint", "")).strip()
        if not constraint:
            return
        parts = [part.strip() for part in re.split(r"\s+and\s+", constraint)]
        bounds = [_BOUND.match(part) for part in parts]
        if question.type not in NUMBER_TYPES or not all(bounds):
            self.problem(
                "survey",
                number,
                "constraint",
                _(
                    "Only a minimum and a maximum on a number are supported as constraints "
                    "(“. >= 0 and . <= 500”), not “%(constraint)s”."
                )
                % {"constraint": constraint},
            )
            return
        for match in bounds:
            operator, value = match.groups()
            value = Decimal(value)
            if operator in (">", "<") and question.type == QuestionType.INTEGER:
                value += 1 if operator == ">" else -1
            if operator.startswith(">"):
                question.minimum = str(value)
            else:
                question.maximum = str(value)
        if (
            question.minimum is not None
            and question.maximum is not None
            and Decimal(question.minimum) > Decimal(question.maximum)
        ):
            self.problem("survey", number, "constraint", _("The minimum is above the maximum."))

    def _check_condition(self, text, number, codes, own_code=""):
        """Name what in a condition is outside the subset or names no earlier question."""
        try:
            tree = conditions.parse(text)
        except conditions.ConditionError as error:
            self.problem("survey", number, "relevant", str(error))
            return
        for name in conditions.references(tree):
            if name in codes and name != own_code:
                continue
            message = (
                _("The condition names “%(name)s”, which comes later in the form.")
                if name in self.names
                else _("The condition names “%(name)s”, which is not a question of the form.")
            )
            self.problem("survey", number, "relevant", message % {"name": name})

    def _condition(self, question, row, number, codes, group_condition):
        """The question's own condition, and its group's: XLSForm asks a question of a
        group only when the group's condition holds as well."""
        own = " ".join(str(row.get("relevant", "")).split())
        if own:
            self._check_condition(own, number, codes, question.code)
        if own and group_condition:
            question.relevant = f"({group_condition}) and ({own})"
        else:
            question.relevant = own or group_condition

    def _concern(self, question, row, number, categories):
        question.concern = str(row.get("concern", "")).split()
        names = [choice["name"] for choice in question.choices]
        if question.concern and question.type not in CHOICE_TYPES:
            self.problem(
                "survey",
                number,
                "concern",
                _("A concern is named by a choice: only yes/no and choice questions take one."),
            )
        for value in question.concern:
            if question.type in CHOICE_TYPES and value not in names:
                self.problem(
                    "survey",
                    number,
                    "concern",
                    _("“%(value)s” is not one of this question's choices.") % {"value": value},
                )
        question.urgent = self._yes(row, number, "urgent")
        if question.urgent and not question.concern:
            self.problem(
                "survey",
                number,
                "urgent",
                _("Name in the concern column the answers that are urgent."),
            )
        question.raises = str(row.get("irregularity", "")).strip()
        if question.raises and question.raises not in categories:
            self.problem(
                "survey",
                number,
                "irregularity",
                _("There is no irregularity category with the code “%(code)s”.")
                % {"code": question.raises},
            )
        elif question.raises and not question.concern:
            self.problem(
                "survey",
                number,
                "irregularity",
                _("Name in the concern column the answers that raise this irregularity."),
            )
        severity = str(row.get("irregularity_severity", "")).strip().casefold()
        if severity and severity not in Irregularity.Severity.values:
            self.problem(
                "survey",
                number,
                "irregularity_severity",
                _("Give minor, significant or serious, not “%(value)s”.") % {"value": severity},
            )
        question.raises_severity = severity or Irregularity.Severity.SERIOUS


def read(data: bytes, *, unmarked_language: str | None = None) -> Draft:
    """The checklist an XLSForm workbook describes; XLSFormError with every problem found.

    `unmarked_language` is the language of label columns that name none ("label").
    """
    workbook = _workbook(data)
    # pyxform reads a workbook's only sheet as its survey, whatever its name.
    if "survey" not in [name.strip().casefold() for name in workbook.sheet_names or []]:
        raise XLSFormError(
            [
                Problem(
                    "survey",
                    None,
                    "",
                    _("This workbook has no survey sheet (its sheets: %(sheets)s).")
                    % {"sheets": ", ".join(workbook.sheet_names or [])},
                )
            ]
        )
    reader = _Reader(workbook, unmarked_language or settings.LANGUAGE_CODE.split("-")[0])
    draft = reader.read()
    if reader.problems:
        raise XLSFormError(reader.problems)
    try:
        xls2json.workbook_to_json(workbook, form_name="checklist", warnings=[])
    except PyXFormError as error:
        raise XLSFormError([Problem("", None, "", str(error))]) from None
    return draft


def _bound(value) -> str:
    number = Decimal(value).normalize()
    return f"{number:f}"


def write(checklist) -> bytes:
    """The checklist as an XLSForm workbook (survey, choices and settings sheets)."""
    return workbook(sheets(checklist))


def workbook(sheets_rows: dict[str, list[list]]) -> bytes:
    """An xlsx workbook of the given sheets ({title: rows, the first row the header})."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets_rows.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheets(checklist, *, asked_only=False) -> dict[str, list[list]]:
    """The checklist's XLSForm sheets as rows, the first of each its header: what
    `write()` saves, and what ODK intake (odk.forms) adds its own questions to
    (`asked_only`: without retired questions)."""
    questions = checklist.questions.select_related("section", "raises", "library")
    questions = list(questions.filter(retired=False) if asked_only else questions)
    sections = list(checklist.sections.all())
    languages = sorted(
        {language for item in [*questions, *sections] for language in item.labels},
        key=lambda language: (language != checklist.default_language, language),
    )

    def column(kind, language):
        title = LANGUAGE_TITLES.get(language)
        return f"{kind}::{title} ({language})" if title else f"{kind}::{language}"

    survey_columns = [
        "type",
        "name",
        *(column("label", language) for language in languages),
        *(column("hint", language) for language in languages),
        *READ_COLUMNS,
    ]
    lists: dict[str, str] = {}
    choice_rows = []

    def list_for(question):
        key = repr(question.choices)
        if key not in lists:
            name = "yes_no" if question.type == QuestionType.YES_NO else question.code
            name = name if name not in lists.values() else question.code
            lists[key] = name
            for choice in question.choices:
                labels = [choice["labels"].get(language, "") for language in languages]
                choice_rows.append([name, choice["name"], *labels])
        return lists[key]

    survey_rows = []
    section = None
    for question in questions:
        if question.section_id != (section.pk if section else None):
            if section is not None:
                survey_rows.append(["end_group"])
            section = question.section
            if section is not None:
                labels = [section.labels.get(language, "") for language in languages]
                survey_rows.append(["begin_group", section.code, *labels])
        kind = question.type
        if question.type in CHOICE_TYPES:
            base = "select_multiple" if question.type == QuestionType.CHOICES else "select_one"
            kind = f"{base} {list_for(question)}"
        bounds = []
        if question.minimum is not None:
            bounds.append(f". >= {_bound(question.minimum)}")
        if question.maximum is not None:
            bounds.append(f". <= {_bound(question.maximum)}")
        survey_rows.append(
            [
                kind,
                question.code,
                *(question.labels.get(language, "") for language in languages),
                *(question.hints.get(language, "") for language in languages),
                "yes" if question.required else "",
                question.relevant,
                " and ".join(bounds),
                " ".join(question.concern),
                "yes" if question.urgent else "",
                question.raises.code if question.raises else "",
                question.raises_severity if question.raises else "",
                question.library.code if question.library else "",
            ]
        )
    if section is not None:
        survey_rows.append(["end_group"])

    default_language = column("", checklist.default_language).removeprefix("::")
    return {
        "survey": [survey_columns, *survey_rows],
        "choices": [
            ["list_name", "name", *(column("label", language) for language in languages)],
            *choice_rows,
        ],
        "settings": [
            ["form_title", "form_id", "version", "default_language"],
            [
                checklist.title,
                f"{checklist.mission_id}_{checklist.phase or 'all'}",
                str(checklist.version),
                default_language,
            ],
        ],
    }
