"""The XForms that ODK Collect downloads: one per checklist of a mission, built by
pyxform from the checklist's XLSForm (`observation.xlsform.sheets`) with the visit's
own questions put first (round, station, phase) and the report's overall assessment
and notes last; and the station list, a CSV media file that the form reads with
`select_one_from_file`, so that a 30,000-station list does not bloat the form.
After the checklist, an optional repeat logs the irregularities the observer saw at the
station, each with a photo if they took one: Collect sends the photo as an attachment
named by the instance's `obs__photo`, as it does for any XLSForm `image` question.

A generated XForm is cached under the checklist's version and what else it shows
(the mission's observed rounds, the phases without a checklist of their own, the
irregularity categories): a new version, round, checklist or category makes a new
key; nothing is regenerated per request.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from functools import partial

from django.core.cache import cache
from django.utils.translation import gettext_lazy, override
from pyxform.xls2xform import convert

from observation import xlsform
from observation.models import Irregularity, IrregularityCategory, ObserverReport
from observation.models.checklists import Checklist
from observation.models.reports import category_label

# Our own questions' names: a checklist question code cannot start with "obs__"
# without clashing, which pyxform would refuse at generation (never silently).
ROUND = "obs__round"
STATION = "obs__station"
PHASE = "obs__phase"
ASSESSMENT = "obs__assessment"
NOTES = "obs__notes"
OWN = (ROUND, STATION, PHASE, ASSESSMENT, NOTES)
# The repeat of irregularities and its questions.
IRREGULARITIES = "obs__irregularities"
CATEGORY = "obs__category"
SEVERITY = "obs__severity"
DESCRIPTION = "obs__description"
PHOTO = "obs__photo"
# Collect shrinks a photo to this many pixels on its longer side before sending it:
# enough to show what happened, and a few photos stay within the submission limit.
PHOTO_MAX_PIXELS = 2048
STATIONS_FILE = "stations.csv"
# Bumped when what this module generates changes, so that cached forms are rebuilt.
GENERATOR = "3"
CACHE_SECONDS = 60 * 60 * 24


@dataclass(frozen=True)
class Form:
    checklist: Checklist
    form_id: str
    version: str
    xml: bytes

    @property
    def hash(self) -> str:
        return "md5:" + hashlib.md5(self.xml, usedforsecurity=False).hexdigest()

    @property
    def name(self) -> str:
        return f"{self.checklist.title} ({self.checklist.phase_name})"


def form_id(checklist) -> str:
    return f"observa-{checklist.mission_id}-{checklist.phase or 'all'}"


def checklist_for(mission, form_id_: str):
    """The mission's checklist that `form_id_` names, or None: a form never issued."""
    for checklist in mission.checklists.all():
        if form_id(checklist) == form_id_:
            return checklist
    return None


def _rounds(mission) -> list:
    return list(mission.rounds.filter(observed=True).order_by("election_day", "pk"))


def _phases(checklist) -> list[tuple[str, object]]:
    """The phases a report on this checklist may be of, (value, lazy label): its own, or,
    for the checklist of every phase, those without a checklist of their own."""
    labels = dict(ObserverReport.Phase.choices)
    if checklist.phase:
        return [(checklist.phase, labels[checklist.phase])]
    own = set(checklist.mission.checklists.exclude(phase="").values_list("phase", flat=True))
    return [(value, label) for value, label in labels.items() if value not in own]


def _categories() -> list[tuple[str, str]]:
    """The categories an observer logs, as the web form offers them: (code, name)."""
    return list(IrregularityCategory.objects.hand_logged().values_list("code", "name"))


def _language_of(column: str) -> str:
    """The language of a label column as `xlsform.sheets` names it ("label::English (en)",
    "label::es")."""
    suffix = column.partition("::")[2]
    coded = re.search(r"\(([^()]+)\)$", suffix)
    return coded.group(1) if coded else suffix


def _in_each_language(language_columns: list[str], label) -> dict[str, str]:
    """{label column: `label` in that column's language}; `label` is a lazy translation
    or a function that translates."""
    texts = {}
    for column in language_columns:
        with override(_language_of(column)):
            texts[column] = str(label() if callable(label) else label)
    return texts


def _with_visit(sheets: dict, rounds, phases, categories, language_columns: list[str]) -> dict:
    """The checklist's sheets with the visit's questions first, the repeat of
    irregularities after the checklist, and the assessment and notes last; their labels
    in every language the checklist has, so that a phone set to Spanish shows them too."""
    survey_header, *survey_rows = sheets["survey"]
    choices_header, *choice_rows = sheets["choices"]
    width = len(survey_header)
    header = [*survey_header, "appearance", "calculation", "parameters"]

    def row(
        kind, name, *, required=False, appearance="", calculation="", parameters="", labels=None
    ):
        cells = [""] * width
        cells[0], cells[1] = kind, name
        for column, text in (labels or {}).items():
            cells[survey_header.index(column)] = text
        cells[survey_header.index("required")] = "yes" if required else ""
        return [*cells, appearance, calculation, parameters]

    def translated(kind, name, label, **kwargs):
        return row(kind, name, labels=_in_each_language(language_columns, label), **kwargs)

    def translated_choices(list_name, items):
        out = []
        for value, label in items:
            texts = _in_each_language(language_columns, label)
            out.append(
                [list_name, value, *(texts.get(column, "") for column in choices_header[2:])]
            )
        return out

    first = [
        translated("select_one obs__rounds", ROUND, gettext_lazy("Round"), required=True),
        translated(
            f"select_one_from_file {STATIONS_FILE}",
            STATION,
            gettext_lazy("Polling station"),
            required=True,
            appearance="autocomplete",
        ),
    ]
    if len(phases) == 1:
        first.append(row("calculate", PHASE, calculation=f"'{phases[0][0]}'"))
    else:
        first.append(
            translated("select_one obs__phases", PHASE, gettext_lazy("Phase"), required=True)
        )
    irregularities = [
        translated(
            "begin_repeat",
            IRREGULARITIES,
            gettext_lazy("Irregularities seen at this station"),
        ),
        translated(
            "select_one obs__categories",
            CATEGORY,
            gettext_lazy("Category"),
            required=True,
        ),
        translated(
            "select_one obs__severities",
            SEVERITY,
            gettext_lazy("Severity"),
            required=True,
        ),
        translated("text", DESCRIPTION, gettext_lazy("What happened"), required=True),
        translated(
            "image",
            PHOTO,
            gettext_lazy("Photo (optional)"),
            parameters=f"max-pixels={PHOTO_MAX_PIXELS}",
        ),
        row("end_repeat", ""),
    ]
    last = [
        translated("select_one obs__assessments", ASSESSMENT, gettext_lazy("Overall assessment")),
        translated("text", NOTES, gettext_lazy("Notes")),
    ]
    padded = [[*cells, *[""] * (len(header) - len(cells))] for cells in survey_rows]
    extra_choices = [
        *translated_choices("obs__rounds", [(str(r.pk), partial(str, r)) for r in rounds]),
        *translated_choices("obs__phases", phases if len(phases) > 1 else []),
        *translated_choices("obs__assessments", ObserverReport.Assessment.choices),
        *translated_choices(
            "obs__categories",
            [(code, partial(category_label, name)) for code, name in categories],
        ),
        *translated_choices(
            "obs__severities",
            Irregularity.Severity.choices,
        ),
    ]
    return {
        "survey": [header, *first, *padded, *irregularities, *last],
        "choices": [choices_header, *extra_choices, *choice_rows],
        "settings": sheets["settings"],
    }


def build_sheets(checklist) -> dict:
    with override(checklist.default_language):
        sheets = xlsform.sheets(checklist, asked_only=True)
        header = sheets["survey"][0]
        label_columns = [name for name in header if name.startswith("label")]
        if not label_columns:
            # A checklist without labels at all still needs a label column for ours.
            label = f"label::{checklist.default_language}"
            sheets["survey"] = [
                [*sheets["survey"][0], label],
                *([*cells, ""] for cells in sheets["survey"][1:]),
            ]
            sheets["choices"][0] = [*sheets["choices"][0], label]
            sheets["choices"][1:] = [[*cells, ""] for cells in sheets["choices"][1:]]
            label_columns = [label]
        sheets = _with_visit(
            sheets,
            _rounds(checklist.mission),
            _phases(checklist),
            _categories(),
            label_columns,
        )
    sheets["settings"] = [
        ["form_title", "form_id", "version", "default_language"],
        [
            f"{checklist.title} ({checklist.phase_name})",
            form_id(checklist),
            str(checklist.version),
            sheets["settings"][1][3],
        ],
    ]
    return sheets


def _key(checklist) -> str:
    digest = hashlib.sha256(
        repr(
            (
                # What the form shows of them, in every language: their kind and day.
                [(r.pk, r.kind, r.election_day) for r in _rounds(checklist.mission)],
                [value for value, _label in _phases(checklist)],
                _categories(),
                checklist.title,
                checklist.updated_at.isoformat(),
            )
        ).encode()
    ).hexdigest()[:16]
    return f"odk:xform:{GENERATOR}:{checklist.pk}:{checklist.version}:{digest}"


def xform(checklist) -> Form:
    """The checklist's XForm, from the cache when its version and rounds are unchanged."""
    key = _key(checklist)
    xml = cache.get(key)
    if xml is None:
        xml = generate(checklist)
        cache.set(key, xml, CACHE_SECONDS)
    return Form(
        checklist=checklist, form_id=form_id(checklist), version=str(checklist.version), xml=xml
    )


def generate(checklist, *, validate=False) -> bytes:
    """The XForm XML, generated by pyxform (with ODK Validate when `validate`)."""
    result = convert(
        xlsform=xlsform.workbook(build_sheets(checklist)),
        file_type=".xlsx",
        validate=validate,
        pretty_print=False,
    )
    return result.xform.encode()


def stations_csv(mission) -> bytes:
    """The mission's stations as the form's choices: name (the code) and label."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "label"])
    for code, name in mission.stations.order_by("code").values_list("code", "name"):
        writer.writerow([code, f"{code} — {name}"])
    return buffer.getvalue().encode()


def media_hash(data: bytes) -> str:
    return "md5:" + hashlib.md5(data, usedforsecurity=False).hexdigest()
