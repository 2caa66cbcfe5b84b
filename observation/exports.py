"""CSV and XLSX exports of stations, reports and irregularities.

Each export is a list of columns (a readable header and how to read the value
from one record) over a queryset that the caller has already filtered the way
the list page shows it. Both formats stream: CSV row by row from
`.iterator()`, XLSX through XlsxWriter's constant-memory mode, which keeps rows in
a temporary file rather than in memory. An XLSX export of many rows is written by
the task worker instead (observation.jobs), from the same LIST_EXPORTS.
"""

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from observation import filters
from observation.models import Mission, PollingStation, Question

# A spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...) leaking data, or worse), even after leading spaces.
FORMULA_TRIGGERS = ("=", "+", "-", "@")
# Some programs also act on a leading tab or carriage return.
CONTROL_TRIGGERS = ("\t", "\r")
ITERATOR_CHUNK_SIZE = 2000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def neutralise(value):
    """The value as a cell that no spreadsheet will run as a formula.

    Only text is touched: a negative number (a latitude) is a number, not a formula.
    Control characters, which a workbook cannot hold, are stripped before the check:
    stripped after it, "\\x01=HYPERLINK(...)" would come out as a live formula.
    """
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(CONTROL_TRIGGERS) or value.lstrip().startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """The text of a cell as it was before `neutralise`, so that an export imports back
    unchanged: the one leading apostrophe goes only where `neutralise` would have added it.
    """
    if text.startswith("'") and neutralise(text[1:]) == text:
        return text[1:]
    return text


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        # ISO 8601 with the offset, in the mission's zone: "2000-04-09T07:00:00-05:00"
        # reads one way everywhere, which a spreadsheet's zoneless date cell does not.
        return timezone.localtime(value).replace(microsecond=0).isoformat()
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    return neutralise(str(value))


def _area_columns(mission: Mission, station: Callable[[Any], PollingStation | None]):
    def area(level):
        def read(record):
            found = station(record)
            return getattr(found, f"area_{level}") if found else ""

        return read

    return [Column(label, area(level)) for level, label in enumerate(mission.area_labels(), 1)]


def station_columns(mission: Mission) -> list[Column]:
    # The headers are those the station import reads, so an export imports back.
    sample = {True: _("yes"), False: _("no")}
    return [
        Column(_("Code"), lambda s: s.code),
        Column(_("Name"), lambda s: s.name),
        *_area_columns(mission, lambda s: s),
        Column(_("Registered voters"), lambda s: s.registered_voters),
        Column(_("In the random sample"), lambda s: sample[s.in_sample]),
        Column(_("Latitude"), lambda s: s.latitude),
        Column(_("Longitude"), lambda s: s.longitude),
    ]


def deployment_columns(*, name_observers: bool = True) -> list[Column]:
    """The headers are those the deployment import reads, so an export imports back;
    without `name_observers`, no observer team column. The round is its election day
    and kind, one round only even where two share a day."""
    team = [Column(_("Observer team"), lambda d: d.team.person.full_name)]
    return [
        Column(
            _("Round"),
            lambda d: f"{d.round.election_day.isoformat()} {d.round.get_kind_display()}",
        ),
        Column(_("Polling station"), lambda d: d.station.code),
        *(team if name_observers else []),
        Column(_("Phase"), lambda d: d.get_phase_display()),
    ]


def _choice(record, field):
    return getattr(record, f"get_{field}_display")() if getattr(record, field) else ""


def _answers(report) -> dict:
    """{question id: answer} of a report whose answers were prefetched, read once per row."""
    if "_answer_values" not in report.__dict__:
        report._answer_values = {a.question_id: a.value for a in report.answers.all()}
    return report._answer_values


def report_columns(mission: Mission, *, name_observers: bool = True) -> list[Column]:
    """The report export's columns; without `name_observers`, no observer team column."""
    # One column per question, headed by its code, as XLSForm tools export answers.
    checklist = [
        Column(code, lambda r, pk=pk: _answers(r).get(pk, ""))
        for pk, code in Question.objects.filter(mission=mission)
        .order_by("checklist__phase", "position")
        .values_list("pk", "code")
    ]
    return [
        Column(_("Report"), lambda r: r.pk),
        Column(_("Round"), lambda r: r.round),
        Column(_("Station code"), lambda r: r.station.code),
        Column(_("Station name"), lambda r: r.station.name),
        *_area_columns(mission, lambda r: r.station),
        Column(_("Phase"), lambda r: r.get_phase_display()),
        *(
            [Column(_("Observer team"), lambda r: r.observer.person if r.observer else "")]
            if name_observers
            else []
        ),
        Column(_("Arrival"), lambda r: r.arrived_at),
        Column(_("Departure"), lambda r: r.departed_at),
        Column(_("Ballots cast"), lambda r: r.ballots_cast),
        Column(_("Registered voters"), lambda r: r.station.registered_voters),
        Column(_("Assessment"), lambda r: _choice(r, "assessment")),
        *checklist,
        Column(_("Notes"), lambda r: r.notes),
        Column(_("Entered by"), lambda r: r.entered_by.get_username() if r.entered_by else ""),
        Column(_("Entered at"), lambda r: r.entered_at),
    ]


def irregularity_columns(mission: Mission) -> list[Column]:
    return [
        Column(_("Irregularity"), lambda i: i.pk),
        Column(_("Round"), lambda i: i.round or ""),
        Column(_("Station code"), lambda i: i.station.code if i.station else _("national")),
        Column(_("Station name"), lambda i: i.station.name if i.station else ""),
        *_area_columns(mission, lambda i: i.station),
        Column(_("Category"), lambda i: i.category.name),
        Column(_("Severity"), lambda i: i.get_severity_display()),
        Column(_("Evidence"), lambda i: i.get_evidence_display()),
        Column(_("Description"), lambda i: i.account),
        Column(_("Occurred at"), lambda i: i.occurred_at),
        Column(_("Report"), lambda i: i.report_id),
        Column(_("Raised by the system"), lambda i: i.raised_by_system),
        Column(_("Status"), lambda i: i.get_status_display()),
        Column(_("Reviewed by"), lambda i: i.reviewed_by.get_username() if i.reviewed_by else ""),
        Column(_("Reviewed at"), lambda i: i.reviewed_at),
        Column(_("Review note"), lambda i: i.review_note),
        Column(_("Superseded at"), lambda i: i.superseded_at),
        Column(_("Logged at"), lambda i: i.created_at),
    ]


def rows(columns: list[Column], records: Iterable) -> Iterator[list]:
    """The header row, then one row per record, every cell made safe."""
    yield [neutralise(column.header) for column in columns]
    for record in records:
        yield [_cell(column.value(record)) for column in columns]


class _Echo:
    """A file-like object that hands back what is written, for csv.writer to stream."""

    def write(self, value):
        return value


def csv_lines(*, columns: list[Column], records: Iterable) -> Iterator[str]:
    """The CSV file's text, a line at a time."""
    # A byte-order mark makes spreadsheet programs read the file as UTF-8.
    yield "\ufeff"
    writer = csv.writer(_Echo())
    for row in rows(columns, records):
        yield writer.writerow(row)


def csv_response(
    *, columns: list[Column], records: Iterable, filename: str
) -> StreamingHttpResponse:
    """`records` are read as the file is sent: a queryset's iterator() streams a long list."""

    response = StreamingHttpResponse(
        csv_lines(columns=columns, records=records), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


# Our text is only ever text: XlsxWriter would otherwise write a string starting with "="
# as a formula, and one that looks like a number or an address as such.
XLSX_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    # Each row is written to disk as it comes: a national list takes no more memory than
    # one row.
    "constant_memory": True,
    "default_date_format": "yyyy-mm-dd",
}


def write_xlsx(output, *, columns: list[Column], records: Iterable, title: str) -> None:
    """Write the workbook to the file `output`, with XlsxWriter: twice as fast as openpyxl
    (which reads the imports)."""
    workbook = xlsxwriter.Workbook(output, XLSX_OPTIONS)
    sheet = workbook.add_worksheet(title[:31])
    for number, row in enumerate(rows(columns, records)):
        sheet.write_row(number, 0, row)
    workbook.close()


def xlsx_response(
    *, columns: list[Column], records: Iterable, filename: str, title: str
) -> FileResponse:
    """The workbook is assembled on disk, then sent in chunks and deleted on close."""
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(output, columns=columns, records=records, title=title)
    output.seek(0)
    return FileResponse(
        output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )


def export_filename(mission: Mission, what: str) -> str:
    return f"mission-{mission.pk}-{what}-{timezone.localdate():%Y-%m-%d}"


@dataclass(frozen=True)
class ListExport:
    """A list page's export: its rows as the page's filters select them (`filterset` of
    the query's parameters and the mission), and its columns (of the mission, with or
    without observer names)."""

    what: str
    title: str
    filterset: Callable
    columns: Callable[[Mission, bool], list[Column]]


LIST_EXPORTS = {
    export.what: export
    for export in (
        ListExport(
            "stations",
            gettext_lazy("Polling stations"),
            filters.stations,
            lambda mission, names_observers: station_columns(mission),
        ),
        ListExport(
            "reports",
            gettext_lazy("Observer reports"),
            lambda data, mission: filters.reports(data, mission, with_answers=True),
            lambda mission, names_observers: report_columns(
                mission, name_observers=names_observers
            ),
        ),
        ListExport(
            "irregularities",
            gettext_lazy("Irregularities"),
            filters.irregularities,
            lambda mission, names_observers: irregularity_columns(mission),
        ),
    )
}
