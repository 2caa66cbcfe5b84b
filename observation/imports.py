"""Import polling stations and delegation rosters from CSV or XLSX files.

An import runs in two steps. `preview()` reads the whole file, matches its
columns by header and checks every row, writing nothing; the user sees what
would be created or updated and every problem by line and column. `save()`
writes a clean preview in one transaction: all rows or none.

We read files with the standard csv module and openpyxl rather than
django-import-export: its row-by-row resource model cannot load a national
list of ~90,000 stations in reasonable time, and its error report speaks of
fields and exceptions where users need "line 12, Registered voters: must not
be negative". What we need from it (header matching, a dry run, one
transaction) is short to write on top of Django's own form fields, which
clean each cell.

Files come from anyone with a staff role, so a file is read as a stream, row
by row as the preview checks it, within the limits below: the upload limit
bounds the bytes sent, not what they hold. A 5 KB workbook can unpack to
gigabytes or name a cell at XFD1048576, which would pad every row to 16,384
columns. Reading stops at the first limit a file passes, with a message that
names it, and a file that cannot be read at all is one ImportFileError.
"""

import collections
import contextlib
import csv
import dataclasses
import datetime
import functools
import io
import itertools
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from xml.parsers import expat

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django_countries import countries
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from observation import alerts, exports, rosters
from observation.exports import unneutralise
from observation.models import (
    ColumnMapping,
    DelegationMember,
    Deployment,
    ElectionRound,
    Irregularity,
    Job,
    Mission,
    ObserverReport,
    Organization,
    Person,
    PollingStation,
)
from observation.models.missions import normalise_code
from observation.overvote import Outcome, sync_station

logger = logging.getLogger(__name__)

# Where uploads wait, in the default file storage, between preview and confirmation.
UPLOAD_FOLDER = "imports"
EXTENSIONS = (".csv", ".txt", ".xlsx")
DELIMITERS = (",", ";", "\t")
MICRODEGREE = Decimal("0.000001")
CREATE_BATCH_SIZE = 1000
# The range of a PositiveIntegerField on PostgreSQL (a checked integer column).
MAX_REGISTERED_VOTERS = 2_147_483_647

# What one file may hold. A national list runs to ~90,000 stations (Peru has about
# 86,000 voting tables) in a dozen columns of short text.
MAX_ROWS = 200_000
MAX_COLUMNS = 60
MAX_CELL_LENGTH = 1_000
# An .xlsx file is a zip archive of XML parts: all of them, unpacked, at most this.
MAX_UNCOMPRESSED_SIZE = 100 * 1024 * 1024
# Workbook XML packs about ten to one; a zip bomb, up to a thousand to one. Parts under
# a megabyte are too small to matter, whatever their ratio.
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024
# Excel's last column is XFD: a row of more cells than that is no workbook. Counted in
# the XML, before openpyxl builds the cells of a row, all at once.
MAX_XLSX_CELLS_PER_ROW = 16_384
# openpyxl holds every distinct text of a workbook (its shared strings) in memory, about
# 140 bytes each: at most five a row at the row limit, 140 MB.
MAX_SHARED_STRINGS = 5 * MAX_ROWS
# Other parts openpyxl reads whole, into objects of about a kilobyte an element: the
# stylesheet above all (a million cell formats took 1.1 GB), then the workbook, its
# content types, relationships and properties. A workbook with tens of thousands of
# formats is already one that Excel warns about.
READ_WHOLE = {"styleSheet", "workbook", "Types", "Relationships", "coreProperties", "Properties"}
MAX_READ_WHOLE_ELEMENTS = 100_000
# No CSV line of MAX_COLUMNS cells of MAX_CELL_LENGTH characters is longer, even with
# every cell quoted and every quote in it doubled. Longer lines are refused before the
# csv module splits them: 10 MB of commas would be a list of ten million cells.
MAX_CSV_LINE_LENGTH = MAX_COLUMNS * (2 * MAX_CELL_LENGTH + 3)
# Row problems and notices a preview keeps to show; the rest are only counted.
MAX_KEPT_ERRORS = 200
# Lines listed for each group of problems of one kind.
GROUP_LINES_SHOWN = 5
MAX_KEPT_NOTICES = 200
# Distinct cells of a column remembered once cleaned (see _clean).
MAX_CLEANED_KEPT = 1_000
# Lists converted from PDF or exported by authorities put titles above the header: it is
# looked for among this many first non-blank rows.
HEADER_SEARCH_ROWS = 20
# What the columns step shows of each column: its first distinct values, from the first
# rows under the header.
SAMPLE_VALUES = 3
SAMPLE_ROWS = 50
# Distinct values of a column the columns step offers to match (a roster's roles).
MAX_MATCHED_VALUES = 50
# The field of a column the user chose to leave out.
LEFT_OUT = ""
# How a column's field was found (FileColumn.matched_by).
CHOSEN = "chosen"
BY_HEADER = "header"
BY_CONTENT = "content"


class ImportFileError(Exception):
    """The file as a whole cannot be imported: wrong kind, empty, a required column missing,
    a limit passed, or unreadable."""

    def __init__(self, message, *, code):
        super().__init__(message)
        self.message = message
        self.code = code


class MappingError(ImportFileError):
    """The file reads, but its columns do not give what an import needs: the user can
    match them in the columns step, shown from `file_columns`, without uploading again."""

    def __init__(self, message, *, code, file_columns):
        super().__init__(message, code=code)
        self.file_columns = file_columns


@dataclass(frozen=True)
class Table:
    headers: list[str]
    # (line number as the user sees it in a spreadsheet, cells as text), read once, as the
    # preview asks for them.
    records: Iterator[tuple[int, list[str]]]
    header_line: int = 1


def normalise_header(text: str) -> str:
    """ "Registered_Voters", "registered voters " and "REGISTERED-VOTERS" read the same;
    so do "Côte d'Ivoire" and the one with the typographic apostrophe that a spreadsheet's
    autocorrect types."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    for separator in "_-.":
        plain = plain.replace(separator, " ")
    for apostrophe in (
        "\N{RIGHT SINGLE QUOTATION MARK}",
        "\N{LEFT SINGLE QUOTATION MARK}",
        "\N{MODIFIER LETTER APOSTROPHE}",
        "`",
    ):
        plain = plain.replace(apostrophe, "'")
    return " ".join(plain.casefold().split())


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def _damaged_xlsx() -> ImportFileError:
    return ImportFileError(
        _("This file is damaged or is not an Excel workbook (.xlsx)."), code="bad_xlsx"
    )


def _cell_too_long(line: int, *, hint: str = "") -> ImportFileError:
    message = _(
        "Line %(line)s has a cell longer than %(limit)s characters, the most we read in one cell."
    ) % {"line": line, "limit": _grouped(MAX_CELL_LENGTH)}
    return ImportFileError(f"{message} {hint}".strip(), code="cell_too_long")


def _csv_quote_hint() -> str:
    return _('If no cell is that long, look there for a quote (") that is never closed.')


@contextlib.contextmanager
def _reading_workbook():
    """Turn whatever reading a workbook raises into one message.

    zipfile, zlib, expat and openpyxl report a damaged workbook with whatever their code
    raises at the spot: BadZipFile, KeyError, IndexError, ValueError for a cell typed as a
    number that is not one, SyntaxError for bad XML, and more. Any of them means that the
    file cannot be read; nothing is written at this point.
    """
    try:
        yield
    except ImportFileError:
        raise
    except Exception as error:
        logger.info("Unreadable workbook: %s: %s", type(error).__name__, error)
        raise _damaged_xlsx() from None


class _PartChecker:
    """Reads each XML part of a workbook as a stream, before openpyxl reads any, and refuses
    what would make openpyxl build too much at once.

    A document type declaration is refused: entity bombs (billion laughs) and external
    entities (XXE) live in it, and no spreadsheet program writes one. So are a row of
    more cells than Excel has columns, more than MAX_SHARED_STRINGS texts, and more than
    MAX_READ_WHOLE_ELEMENTS elements in the parts openpyxl reads whole. A part that is
    not XML (a picture), or not well formed, stops the parser and is left to openpyxl,
    which fails on it if it reads it.
    """

    def __init__(self):
        self.read_whole = 0

    def check(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
        root = None
        cells = strings = 0

        def start(name, _attributes):
            nonlocal root, cells, strings
            # A prefix ("x:row") stays on the name when the writer uses one.
            tag = name.rpartition(":")[2]
            root = root or tag
            if root in READ_WHOLE:
                self.read_whole += 1
                if self.read_whole > MAX_READ_WHOLE_ELEMENTS:
                    raise ImportFileError(
                        _(
                            "This workbook holds more than %(limit)s formats, names and links, "
                            "the most we read. Copy its cells into a new workbook, or save it "
                            "as CSV."
                        )
                        % {"limit": _grouped(MAX_READ_WHOLE_ELEMENTS)},
                        code="too_many_formats",
                    )
            elif tag == "row":
                cells = 0
            elif tag == "c":
                cells += 1
                if cells > MAX_XLSX_CELLS_PER_ROW:
                    raise _damaged_xlsx()
            elif tag == "si":
                strings += 1
                if strings > MAX_SHARED_STRINGS:
                    raise ImportFileError(
                        _(
                            "This workbook holds more than %(limit)s different texts, the most "
                            "we read."
                        )
                        % {"limit": _grouped(MAX_SHARED_STRINGS)},
                        code="too_many_texts",
                    )

        def doctype(*_declaration):
            raise _damaged_xlsx()

        parser = expat.ParserCreate()
        parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = doctype
        with archive.open(member) as part, contextlib.suppress(expat.ExpatError):
            parser.ParseFile(part)


def _check_archive(data: bytes) -> None:
    """Refuse a workbook that unpacks too far or holds a dangerous part, before openpyxl
    opens it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_SIZE:
            raise ImportFileError(
                _("This workbook unpacks to more than %(limit)s MB, the most we read.")
                % {"limit": _grouped(MAX_UNCOMPRESSED_SIZE // (1024 * 1024))},
                code="too_large_unpacked",
            )
        for member in members:
            # Other methods (bzip2, LZMA) unpack a whole block at once, however large, and
            # no spreadsheet program uses them.
            if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise _damaged_xlsx()
            if (
                member.file_size > RATIO_CHECKED_FROM
                and member.file_size > MAX_COMPRESSION_RATIO * member.compress_size
            ):
                raise ImportFileError(
                    _(
                        "A part of this workbook unpacks to more than %(ratio)s times its "
                        "packed size, which no spreadsheet program writes; it was refused."
                    )
                    % {"ratio": MAX_COMPRESSION_RATIO},
                    code="compression_ratio",
                )
        checker = _PartChecker()
        for member in members:
            checker.check(archive, member)


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        # Spreadsheets store whole numbers (codes, voter counts) as floats.
        return str(int(value))
    if isinstance(value, str):
        return unneutralise(value).strip()
    return str(value).strip()


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    with _reading_workbook():
        _check_archive(data)
        # Links to other workbooks are of no use here: not read at all.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("This workbook has no worksheet."), code="no_sheet")
        sheet = workbook.worksheets[0]
        # The size a sheet declares (A1:XFD1048576, say) would pad every row to its width
        # and add every row up to its height: read the cells that are there instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        for line in itertools.count(1):
            with _reading_workbook():
                values = next(rows, None)
            if values is None:
                return
            yield line, [_xlsx_text(value) for value in values]
    finally:
        workbook.close()


def _csv_lines(stream: io.TextIOBase) -> Iterator[str]:
    for line_number in itertools.count(1):
        line = stream.readline(MAX_CSV_LINE_LENGTH + 1)
        if not line:
            return
        if len(line) > MAX_CSV_LINE_LENGTH:
            raise ImportFileError(
                _(
                    "Line %(line)s is longer than %(limit)s characters: no row of at most "
                    "%(columns)s cells of at most %(length)s characters is that long."
                )
                % {
                    "line": line_number,
                    "limit": _grouped(MAX_CSV_LINE_LENGTH),
                    "columns": MAX_COLUMNS,
                    "length": _grouped(MAX_CELL_LENGTH),
                },
                code="line_too_long",
            )
        yield line


def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    # Decoded as it is read: the whole file as one string would take up to four times
    # its size.
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    line = 1
    try:
        start = stream.read(MAX_CSV_LINE_LENGTH)
        if b"\x00" in data:
            raise ImportFileError(
                _("This file is neither a CSV text file nor an Excel workbook (.xlsx)."),
                code="not_tabular",
            )
        lines = [text for text in start.splitlines() if text.strip()][:HEADER_SEARCH_ROWS]
        # Spreadsheets in Spanish (and many other) locales separate with ";". The header
        # tells reliably, and it is the line with the most separators: a title above it
        # has few. csv.Sniffer guesses from quotes and is fooled by short files.
        delimiter = max(DELIMITERS, key=lambda d: max((text.count(d) for text in lines), default=0))
        stream.seek(0)
        reader = csv.reader(_csv_lines(stream), delimiter=delimiter)
        for cells in reader:
            yield line, [unneutralise(cell).strip() for cell in cells]
            line = reader.line_num + 1
    except UnicodeDecodeError:
        raise ImportFileError(
            _(
                "This file is neither a CSV text file in UTF-8 nor an Excel workbook (.xlsx). "
                "In your spreadsheet program, save it as “CSV UTF-8” or as .xlsx."
            ),
            code="not_tabular",
        ) from None
    except csv.Error:
        # The csv module's own limit on a cell (128K characters), far above ours.
        raise _cell_too_long(line, hint=_csv_quote_hint()) from None


def _within_limits(
    records: Iterable[tuple[int, list[str]]], *, hint: str = ""
) -> Iterator[tuple[int, list[str]]]:
    """The non-blank records, up to the first that passes a limit, which stops the reading."""
    for count, (line, cells) in enumerate(records, start=1):
        # Blank rows count: a sheet whose only cell is at row 1,048,576 has that many.
        if count > MAX_ROWS + 1:
            raise ImportFileError(
                _(
                    "This file has more than %(limit)s rows under its header line, the most "
                    "we read. Split it into smaller files."
                )
                % {"limit": _grouped(MAX_ROWS)},
                code="too_many_rows",
            )
        while cells and not cells[-1]:
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise ImportFileError(
                _(
                    "Line %(line)s has a cell in column %(column)s; we read at most %(limit)s "
                    "columns. Delete the columns the import does not need."
                )
                % {"line": line, "column": get_column_letter(len(cells)), "limit": MAX_COLUMNS},
                code="too_many_columns",
            )
        if any(len(cell) > MAX_CELL_LENGTH for cell in cells):
            raise _cell_too_long(line, hint=hint)
        if cells:
            yield line, cells


def read_table(data: bytes, filename: str) -> Table:
    """The header and the non-blank rows of a CSV or XLSX file, decided by its content.

    The rows are read as the preview checks them; an ImportFileError may come from either.
    """
    if not filename.lower().endswith(EXTENSIONS):
        raise ImportFileError(_("Upload a CSV (.csv) or Excel (.xlsx) file."), code="bad_extension")
    if not data or data.isspace():
        raise ImportFileError(_("This file is empty."), code="empty")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Save it as .xlsx or CSV and upload it again."),
            code="old_excel",
        )
    if data.startswith(b"PK\x03\x04"):
        records = _within_limits(_xlsx_records(data))
    else:
        records = _within_limits(_csv_records(data), hint=_csv_quote_hint())
    header = next(records, None)
    if header is None:
        raise ImportFileError(_("This file is empty."), code="empty")
    first = next(records, None)
    if first is None:
        raise ImportFileError(
            _("This file has a header line but no rows under it."), code="no_rows"
        )
    return Table(
        headers=header[1], records=itertools.chain([first], records), header_line=header[0]
    )


@dataclass(frozen=True)
class ImportColumn:
    key: str
    label: str
    field: forms.Field
    aliases: tuple[str, ...] = ()
    required: bool = False
    # Whether a cell's value could only be this field's (a coordinate, a country, a role):
    # a column whose header names no field is matched by its values when they all are.
    recognises: Callable[[str], bool] | None = None
    # The values the field takes, when they are few (roles): the columns step matches each
    # of the file's values to one, as a mission's lists have words of their own.
    choices: tuple[tuple[str, str], ...] = ()

    def names(self) -> set[str]:
        return {normalise_header(name) for name in (self.key, self.label, *self.aliases)}


@dataclass(frozen=True)
class MatchedColumn:
    """A field and the file's columns that give it; several are joined with a space (first
    and last names, a county and a number)."""

    column: ImportColumn
    indexes: tuple[int, ...]

    def raw(self, cells: list[str]) -> str:
        if len(self.indexes) == 1:
            index = self.indexes[0]
            return cells[index] if index < len(cells) else ""
        return " ".join(cells[i] for i in self.indexes if i < len(cells) and cells[i])


@dataclass(frozen=True)
class Mapping:
    """How the user matched a file's columns in the columns step: the field each header
    (normalised) gives, LEFT_OUT for none; and whether the list numbers its stations within
    each area, so that a code is one station only with its areas ("Cluj / 128")."""

    columns: dict[str, str] = field(default_factory=dict)
    codes_within_area: bool = False
    # For a field with choices, what each of the file's values (normalised) stands for.
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def stored(cls, data: dict | None) -> "Mapping | None":
        """The mapping kept as a dict (dataclasses.asdict) in a session, if any."""
        return None if data is None else cls(**data)


@dataclass(frozen=True)
class FileColumn:
    """A named column of the file as the columns step shows it: a sample of its values and
    the field it gives, LEFT_OUT if none."""

    index: int
    header: str
    samples: tuple[str, ...]
    key: str
    # How the field was found: CHOSEN, BY_HEADER or BY_CONTENT; "" when left out.
    matched_by: str = ""
    # For a field with choices, the distinct values under the column, as first written.
    values: tuple[str, ...] = ()

    @property
    def by_content(self) -> bool:
        return self.matched_by == BY_CONTENT

    @classmethod
    def stored(cls, data: dict) -> "FileColumn":
        """The column kept as a dict (dataclasses.asdict) in a job's result."""
        return cls(**{**data, "samples": tuple(data["samples"]), "values": tuple(data["values"])})


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    value: str
    message: str
    # What kind of problem it is, to group them: the field's error code, or the message of
    # a check across cells (which names no value).
    kind: str = ""


@dataclass
class ErrorGroup:
    """Problems of one kind in one column: how many, the message of the first, and the
    first lines they are on."""

    column: str
    example: str
    count: int = 0
    lines: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SkippedLine:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class StationChange:
    """A stored station the file changes: (field label, old, new) for each field."""

    line: int
    code: str
    has_reports: bool
    fields: list[tuple[str, object, object]]


@dataclass
class StationChanges:
    """What a station list does to the stored stations, field by field."""

    # The first MAX_KEPT_NOTICES changes, to show; the others are only counted.
    changed: list[StationChange] = field(default_factory=list)
    changed_count: int = 0
    # Stations the file gives exactly as stored: not written again, so that their
    # updated_at still tells devices syncing the list that nothing changed.
    unchanged_codes: set[str] = field(default_factory=set)
    # Changes to stations with reports need the user's explicit agreement.
    with_reports: int = 0

    @property
    def unchanged(self) -> int:
        return len(self.unchanged_codes)


@dataclass
class Preview:
    columns: list[ImportColumn]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    file_columns: list[FileColumn] = field(default_factory=list)
    # The first `keep_errors` problems, to show; the others are only counted (None keeps
    # them all, for the download). Every one is counted in its group.
    keep_errors: int | None = MAX_KEPT_ERRORS
    errors: list[RowError] = field(default_factory=list)
    errors_not_kept: int = 0
    groups: dict[tuple[str, str], ErrorGroup] = field(default_factory=dict)
    # Rows refused as another row's record again: they tell whether a list numbers its
    # stations within each area.
    repeated: list[dict] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    # Titles above the header, repeated headers and footers: read past, never as rows.
    skipped: list[SkippedLine] = field(default_factory=list)
    skipped_not_kept: int = 0
    changes: StationChanges | None = None

    @property
    def needs_acceptance(self) -> bool:
        return bool(self.changes and self.changes.with_reports)

    @property
    def error_count(self) -> int:
        return len(self.errors) + self.errors_not_kept

    @property
    def is_valid(self) -> bool:
        return not self.error_count

    def add_error(self, error: RowError) -> None:
        group = self.groups.get((error.column, error.kind))
        if group is None:
            group = self.groups[error.column, error.kind] = ErrorGroup(error.column, error.message)
        group.count += 1
        if len(group.lines) < GROUP_LINES_SHOWN:
            group.lines.append(error.line)
        if self.keep_errors is None or len(self.errors) < self.keep_errors:
            self.errors.append(error)
        else:
            self.errors_not_kept += 1

    @property
    def error_groups(self) -> list[ErrorGroup]:
        return sorted(self.groups.values(), key=lambda group: -group.count)

    def keys(self) -> set[str]:
        return {column.key for column in self.columns}

    def keep_first(self, count: int) -> None:
        """Keep only the first `count` problems to show, as a preview that keeps no more
        would have; the others are only counted."""
        self.errors_not_kept += max(0, len(self.errors) - count)
        del self.errors[count:]

    def skip(self, line: int, cells: list[str], reason: str) -> None:
        if len(self.skipped) < MAX_KEPT_NOTICES:
            self.skipped.append(SkippedLine(line, " | ".join(c for c in cells if c), reason))
        else:
            self.skipped_not_kept += 1


def _by_content(
    columns: list[ImportColumn], taken: set[str], unnamed: list[int], rows: Iterable[list[str]]
) -> dict[int, str]:
    """The field each unnamed column gives by its values, where only one field fits.

    A column fits a field that no other column gives when every value under it (in the
    first rows) is one the field recognises. A column that fits one field takes it, which
    may leave one field for another (Mexico's longitudes lie beyond 90°, so its other
    column of coordinates is the latitudes); a field that two columns fit goes to neither.
    """
    rows = list(rows)
    fits = {}
    for index in unnamed:
        values = [cells[index] for cells in rows if index < len(cells) and cells[index]]
        if values:
            fits[index] = {
                column.key
                for column in columns
                if column.recognises
                and column.key not in taken
                and all(column.recognises(value) for value in values)
            }
    found = {}
    while True:
        single = {index: next(iter(keys)) for index, keys in fits.items() if len(keys) == 1}
        claimed = collections.Counter(single.values())
        settled = {index: key for index, key in single.items() if claimed[key] == 1}
        if not settled:
            return found
        found |= settled
        fits = {
            index: keys - set(settled.values())
            for index, keys in fits.items()
            if index not in settled
        }


def _add_values(values: dict[int, dict[str, str]], cells: list[str]) -> None:
    """Note a row's values in the columns whose distinct values are collected."""
    for index, seen in values.items():
        value = cells[index].strip() if index < len(cells) else ""
        if value and len(seen) < MAX_MATCHED_VALUES:
            seen.setdefault(normalise_header(value), value)


def _with_values(
    file_columns: list[FileColumn], values: dict[int, dict[str, str]]
) -> list[FileColumn]:
    return [
        dataclasses.replace(column, values=tuple(values[column.index].values()))
        if column.index in values
        else column
        for column in file_columns
    ]


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def _clean(column: ImportColumn, raw: str, known: dict):
    """The cell cleaned by its column's field, or the ValidationError it raised.

    Areas, voter counts and roles repeat from row to row: each distinct cell of a column is
    cleaned once, which halves the time on a national list. Only the first MAX_CLEANED_KEPT
    are remembered: codes and names, all distinct, would keep a second copy of the file.
    """
    if raw in known:
        return known[raw]
    try:
        value = column.field.clean(raw)
    except ValidationError as error:
        value = error
    if len(known) < MAX_CLEANED_KEPT:
        known[raw] = value
    return value


class Importer:
    """Matches a file's columns by header, cleans each cell with a form field."""

    kind: str
    # What the policy table (observation.access) calls writing these records.
    action: str
    title = ""
    # Whether its records may be numbered within each area (Mapping.codes_within_area).
    numbers_within_areas = False

    def __init__(self, mission: Mission, *, mapping: Mapping | None = None):
        """`mapping` is what the user chose in the columns step; without one, the mapping
        remembered for the mission serves."""
        self.mission = mission
        self.chosen_mapping = mapping is not None
        self.mapping = mapping if self.chosen_mapping else self.remembered_mapping()

    def columns(self) -> list[ImportColumn]:
        raise NotImplementedError

    def remembered_mapping(self) -> Mapping:
        remembered = ColumnMapping.objects.filter(mission=self.mission, kind=self.kind)
        found = remembered.values_list("columns", "codes_within_area", "values").first()
        return Mapping(*found) if found else Mapping()

    def remember_mapping(self, *, by) -> None:
        """Keep this import's mapping for the mission's next file, beside what earlier files
        taught: each authority's list may name its columns its own way."""
        if self.chosen_mapping:
            remembered = self.remembered_mapping()
            values = {
                key: remembered.values.get(key, {}) | chosen
                for key, chosen in self.mapping.values.items()
            }
            ColumnMapping.objects.update_or_create(
                mission=self.mission,
                kind=self.kind,
                defaults={
                    "columns": remembered.columns | self.mapping.columns,
                    "codes_within_area": self.mapping.codes_within_area,
                    "values": remembered.values | values,
                    "updated_by": by,
                },
            )

    def _fields(
        self, headers: list[str], rows: Iterable[list[str]] = ()
    ) -> list[tuple[int, str, str]]:
        """(index, field key or LEFT_OUT, how it was found) of each named column: the
        mapping first, then the header's name or alias, then the values under it."""
        columns = self.columns()
        keys = {column.key for column in columns} | {LEFT_OUT}
        by_name = {name: column.key for column in columns for name in column.names()}
        fields = {}
        for index, header in enumerate(headers):
            if not header:
                continue
            name = normalise_header(header)
            chosen = self.mapping.columns.get(name)
            if chosen in keys:
                fields[index] = (chosen, CHOSEN)
            elif name in by_name:
                fields[index] = (by_name[name], BY_HEADER)
        unnamed = [index for index, header in enumerate(headers) if header and index not in fields]
        found = _by_content(columns, {key for key, _how in fields.values()}, unnamed, rows)
        fields |= {index: (key, BY_CONTENT) for index, key in found.items()}
        return [
            (index, *fields.get(index, (LEFT_OUT, "")))
            for index, header in enumerate(headers)
            if header
        ]

    def match_columns(
        self, headers: list[str], rows: Iterable[list[str]] = ()
    ) -> tuple[list[MatchedColumn], list[str]]:
        """The fields the file's columns give, by header, by the user's choice or by the
        values of `rows` (the first under the header); and notices of what was ignored."""
        columns = {column.key: column for column in self.columns()}
        joined: dict[str, list[int]] = {}
        notices = []
        for index, key, how in self._fields(headers, rows):
            chosen = how == CHOSEN
            if key == LEFT_OUT:
                if not chosen:
                    notices.append(
                        _("The column “%(header)s” is not one we read; it was ignored.")
                        % {"header": headers[index]}
                    )
            elif key in joined and not chosen:
                # Joining columns is the user's choice; two headers naming one field is
                # more likely a copy of a column.
                raise ImportFileError(
                    _(
                        "The columns “%(first)s” and “%(second)s” both give %(what)s; keep "
                        "one. To join them, choose %(what)s for both in the columns step."
                    )
                    % {
                        "first": headers[joined[key][0]],
                        "second": headers[index],
                        "what": columns[key].label,
                    },
                    code="duplicate_column",
                )
            else:
                joined.setdefault(key, []).append(index)
                if how == BY_CONTENT:
                    notices.append(
                        _(
                            "The column “%(header)s” was read as %(what)s from its values; "
                            "choose another field in the columns step if that is wrong."
                        )
                        % {"header": headers[index], "what": columns[key].label}
                    )
        missing = [c.label for c in columns.values() if c.required and c.key not in joined]
        if missing:
            raise ImportFileError(
                _(
                    "The file has no column for: %(missing)s. Add it with that header, or "
                    "choose in the columns step which column gives it. No line among the "
                    "first %(rows)s names it; the line taken for the header has: %(headers)s."
                )
                % {
                    "missing": ", ".join(missing),
                    "rows": HEADER_SEARCH_ROWS,
                    "headers": ", ".join(f"“{header}”" for header in headers if header),
                },
                code="missing_column",
            )
        matched = [MatchedColumn(columns[key], tuple(indexes)) for key, indexes in joined.items()]
        return matched, notices

    def is_header(self, cells: list[str]) -> bool:
        """Whether a row names every required column, by its headers or the mapping."""
        named = {key for _index, key, _how in self._fields(cells)}
        return all(column.key in named for column in self.columns() if column.required)

    def find_header(self, table: Table, preview: Preview):
        """The header row among the first HEADER_SEARCH_ROWS, and the records under it.

        The rows above it are listed as skipped. Without one, the widest row is taken (a
        title above it has one cell), and the missing columns are reported against it.
        """
        above = [(table.header_line, table.headers)]
        records = table.records
        while not self.is_header(above[-1][1]) and len(above) < HEADER_SEARCH_ROWS:
            record = next(records, None)
            if record is None:
                break
            above.append(record)
        if self.is_header(above[-1][1]):
            header_at = len(above) - 1
        else:
            widths = [sum(1 for cell in cells if cell) for _line, cells in above]
            header_at = widths.index(max(widths))
        for line, cells in above[:header_at]:
            preview.skip(line, cells, _("above the header line"))
        return above[header_at][1], itertools.chain(above[header_at + 1 :], records)

    def columns_of(self, table: Table) -> list[FileColumn]:
        """The file's columns as the columns step shows them: read from the first rows,
        and from all of them where a column's field takes a few values (a role)."""
        header, records = self.find_header(table, Preview(columns=[]))
        first_rows = [cells for _line, cells in itertools.islice(records, SAMPLE_ROWS)]
        columns = self.file_columns(header, first_rows)
        values = self.distinct_values(columns)
        if values:
            rows = itertools.chain(first_rows, (cells for _line, cells in records))
            for cells in rows:
                _add_values(values, cells)
        return _with_values(columns, values)

    def distinct_values(self, file_columns: list[FileColumn]) -> dict[int, dict[str, str]]:
        """An empty record of distinct values for each column whose field has choices."""
        keys = {column.key for column in self.columns() if column.choices}
        return {column.index: {} for column in file_columns if column.key in keys}

    def file_columns(self, header: list[str], first_rows: list[list[str]]) -> list[FileColumn]:
        fields = {index: (key, how) for index, key, how in self._fields(header, first_rows)}
        found = []
        for index, name in enumerate(header):
            if not name:
                continue
            samples = []
            for cells in first_rows:
                value = cells[index] if index < len(cells) else ""
                if value and value not in samples:
                    samples.append(value)
                    if len(samples) == SAMPLE_VALUES:
                        break
            found.append(FileColumn(index, name, tuple(samples), *fields[index]))
        return found

    def skip_reason(self, cells: list[str], header: list[str], matched: dict) -> str | None:
        """Why a row is not a record: a header repeated on each page, or a title or footer.

        A header repeated on each page is the same text: its first cell is compared
        first, without normalising, as on a national list each row would cost as much as
        checking its cells.
        """
        if (
            len(cells) == len(header)
            and cells[0].casefold() == header[0].casefold()
            and [normalise_header(cell) for cell in cells] == [normalise_header(h) for h in header]
        ):
            return _("repeats the header line")
        if len(matched) > 1 and sum(1 for cell in cells if cell) == 1:
            return _("a single cell: a title or footer line")
        return None

    def row_key(self, row: dict):
        """What identifies a row's record; a file may hold each record once."""
        raise NotImplementedError

    def duplicate_error(self, row: dict, first_line: int) -> tuple[str, str]:
        raise NotImplementedError

    def preview(self, table: Table, *, keep_errors: int | None = MAX_KEPT_ERRORS) -> Preview:
        if self.mission.is_locked:
            raise ImportFileError(
                _("This mission is locked: nothing can be imported into it."),
                code="mission_locked",
            )
        preview = Preview(columns=[], keep_errors=keep_errors)
        header, records = self.find_header(table, preview)
        first_rows = list(itertools.islice(records, SAMPLE_ROWS))
        records = itertools.chain(first_rows, records)
        preview.file_columns = self.file_columns(header, [cells for _line, cells in first_rows])
        try:
            matched, preview.notices = self.match_columns(
                header, [cells for _line, cells in first_rows]
            )
        except ImportFileError as error:
            raise MappingError(
                error.message, code=error.code, file_columns=preview.file_columns
            ) from None
        preview.columns = [joined.column for joined in matched]
        values = self.distinct_values(preview.file_columns)
        first_lines = {}
        cleaned = [{} for _joined in matched]
        for line, cells in records:
            reason = self.skip_reason(cells, header, matched)
            if reason:
                preview.skip(line, cells, reason)
                continue
            if values:
                _add_values(values, cells)
            row, failed = {}, False
            for joined, known in zip(matched, cleaned, strict=True):
                column = joined.column
                raw = joined.raw(cells)
                value = _clean(column, raw, known)
                if isinstance(value, ValidationError):
                    kind = value.error_list[0].code or "invalid"
                    preview.add_error(RowError(line, column.label, raw, _messages(value), kind))
                    failed = True
                else:
                    row[column.key] = value
            if not failed:
                self.finish_row(row)
                for column, message in self.check_row(row):
                    preview.add_error(RowError(line, column, "", message, message))
                    failed = True
            if not failed:
                first = first_lines.setdefault(self.row_key(row), line)
                if first != line:
                    column, message = self.duplicate_error(row, first)
                    preview.add_error(RowError(line, column, "", message, "duplicate"))
                    preview.repeated.append(row)
                    failed = True
            if not failed:
                preview.rows.append((line, row))
        preview.file_columns = _with_values(preview.file_columns, values)
        if preview.is_valid:
            preview.counts = self.count(preview)
        return preview

    def display(self, row: dict) -> list:
        """A checked row as the preview shows it, in the order of the file's columns."""
        return list(row.values())

    def finish_row(self, row: dict) -> None:
        """Complete a row whose cells are each clean, with what comes from several."""

    def check_row(self, row: dict) -> Iterator[tuple[str, str]]:
        """Problems that span cells, as (column, message)."""
        return iter(())

    def count(self, preview: Preview) -> dict[str, int]:
        raise NotImplementedError

    def save(self, preview: Preview, *, by=None) -> dict[str, int]:
        """Write a valid preview in one transaction; `by` is the user who confirmed it."""
        raise NotImplementedError

    def _lock_mission(self):
        Mission.objects.hold_unlocked(self.mission.pk)


class _DecimalField(forms.DecimalField):
    """A decimal that also accepts a decimal comma, as Spanish-locale spreadsheets write."""

    def to_python(self, value):
        if isinstance(value, str) and "," in value and "." not in value:
            value = value.replace(",", ".")
        return super().to_python(value)

    def clean(self, value):
        # Rounded only once its range is checked: 1E+100000 has too many digits to round.
        value = super().clean(value)
        return value.quantize(MICRODEGREE) if value is not None else None


def _is_coordinate(value: str, *, bound: int) -> bool:
    """Whether a value reads as a coordinate: a number within the bound with several decimal
    places, as no count or number of a list has."""
    whole, point, decimals = value.strip().replace(",", ".").partition(".")
    if not point or len(decimals) < 3 or not decimals.isdigit():
        return False
    if not whole.removeprefix("-").isdigit():
        return False
    return abs(Decimal(f"{whole}.{decimals}")) <= bound


def _coordinate(bound: int) -> forms.Field:
    return _DecimalField(
        required=False,
        min_value=-bound,
        max_value=bound,
        error_messages={
            "invalid": _("must be a number, such as -12.046374."),
            "min_value": _("must lie between -%(bound)s and %(bound)s.") % {"bound": bound},
            "max_value": _("must lie between -%(bound)s and %(bound)s.") % {"bound": bound},
        },
    )


class _YesNoField(forms.CharField):
    """A yes/no cell in the languages lists come in; an empty cell is no."""

    YES = {"yes", "y", "si", "s", "x", "true", "1", "oui", "vrai"}
    NO = {"no", "n", "false", "0", "non", "faux", ""}
    # What only a yes/no column holds: single letters and digits may be anything.
    WORDS = {"yes", "si", "true", "oui", "vrai", "no", "false", "non", "faux"}

    @classmethod
    def recognises(cls, value: str) -> bool:
        return normalise_header(value) in cls.WORDS

    def __init__(self, **kwargs):
        super().__init__(
            required=False, error_messages={"invalid": _("must be yes or no.")}, **kwargs
        )

    def clean(self, value):
        answer = normalise_header(super().clean(value))
        if answer in self.YES:
            return True
        if answer in self.NO:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


CODE_LENGTH = PollingStation._meta.get_field("code").max_length


def _code_within_areas(row: dict) -> str:
    """The code with the row's areas before it, once: an export of such codes imports back
    to the same stations."""
    areas = [row[f"area_{level}"] for level in range(1, 6) if row.get(f"area_{level}")]
    if not areas:
        return row["code"]
    prefix = normalise_code(" / ".join(areas)) + " / "
    return row["code"] if row["code"].startswith(prefix) else prefix + row["code"]


class _CodeField(forms.CharField):
    """A station code, normalised as every code is, so that look-alikes are one station."""

    def to_python(self, value):
        return normalise_code(super().to_python(value))


def _text(model, name, *, required=False, field_class=forms.CharField) -> forms.CharField:
    return field_class(
        required=required,
        max_length=model._meta.get_field(name).max_length,
        error_messages={
            "required": _("is empty; every row needs one."),
            "max_length": _("is longer than %(limit_value)d characters."),
        },
    )


class StationImporter(Importer):
    kind = "stations"
    action = "station_edit"
    title = gettext_lazy("polling stations")
    numbers_within_areas = True

    def columns(self):
        areas = [
            ImportColumn(
                f"area_{level}",
                label,
                _text(PollingStation, f"area_{level}"),
                aliases=(
                    f"area {level}",
                    f"level {level}",
                    f"level{level}",
                    f"admin {level}",
                    f"admin{level}",
                    f"nivel {level}",
                ),
            )
            for level, label in enumerate(self.mission.area_labels(), start=1)
        ]
        return [
            ImportColumn(
                "code",
                _("Code"),
                _text(PollingStation, "code", required=True, field_class=_CodeField),
                # As published: Peru's ONPE (MESA_DE_VOTACION), Mexico's INE (CASILLA),
                # Uganda (PS CODE), Apollo, VoteMonitor ("Polling station number").
                aliases=(
                    "station code",
                    "polling station code",
                    "ps code",
                    "polling station number",
                    "station number",
                    "codigo",
                    "mesa",
                    "mesa de votacion",
                    "numero de mesa",
                    "nro mesa",
                    "casilla",
                ),
                required=True,
            ),
            ImportColumn(
                "name",
                _("Name"),
                _text(PollingStation, "name", required=True),
                aliases=(
                    "station name",
                    "polling station",
                    "polling station name",
                    "ps name",
                    "station",
                    "nombre",
                    "local",
                    "local de votacion",
                    "nombre local",
                ),
                required=True,
            ),
            *areas,
            ImportColumn(
                "registered_voters",
                _("Registered voters"),
                # Optional: most national lists carry no figure; an empty cell is unknown.
                forms.IntegerField(
                    required=False,
                    min_value=0,
                    max_value=MAX_REGISTERED_VOTERS,
                    error_messages={
                        "invalid": _("must be a whole number."),
                        "min_value": _("must not be negative."),
                        "max_value": _("must be at most %(limit_value)s."),
                    },
                ),
                aliases=(
                    "voters",
                    "registered",
                    "electors",
                    "registered electors",
                    "voters count",
                    "electores",
                    "electores habiles",
                    "n elec habil",
                    "electores inscritos",
                ),
            ),
            ImportColumn(
                "in_sample",
                _("In the random sample"),
                _YesNoField(),
                aliases=("sample", "random sample", "in sample", "muestra", "en la muestra"),
                recognises=_YesNoField.recognises,
            ),
            ImportColumn(
                "latitude",
                _("Latitude"),
                _coordinate(90),
                # GIS exports name them by axis (ArcGIS's POINT_Y and POINT_X).
                aliases=("lat", "latitud", "y", "point y", "coord y", "coordenada y"),
                recognises=functools.partial(_is_coordinate, bound=90),
            ),
            ImportColumn(
                "longitude",
                _("Longitude"),
                _coordinate(180),
                aliases=(
                    "lon",
                    "lng",
                    "long",
                    "longitud",
                    "x",
                    "point x",
                    "coord x",
                    "coordenada x",
                ),
                recognises=functools.partial(_is_coordinate, bound=180),
            ),
        ]

    def match_columns(self, headers, rows=()):
        matched, notices = super().match_columns(headers, rows)
        keys = {joined.column.key for joined in matched}
        if len(keys & {"latitude", "longitude"}) == 1:
            raise ImportFileError(
                _("Give both a Latitude and a Longitude column, or neither."),
                code="coordinates_pair",
            )
        return matched, notices

    def finish_row(self, row):
        if self.mapping.codes_within_area:
            row["code"] = _code_within_areas(row)

    def check_row(self, row):
        if (row.get("latitude") is None) != (row.get("longitude") is None):
            yield _("Latitude"), _("give both latitude and longitude, or neither.")
        if len(row["code"]) > CODE_LENGTH:
            yield (
                _("Code"),
                _("with its areas, the code “%(code)s” is longer than %(limit)s characters.")
                % {"code": row["code"], "limit": CODE_LENGTH},
            )

    def row_key(self, row):
        return row["code"]

    def preview(self, table, *, keep_errors=MAX_KEPT_ERRORS):
        preview = super().preview(table, keep_errors=keep_errors)
        if preview.is_valid:
            preview.changes = self._changes(preview)
        elif self._numbered_within_areas(preview):
            example = _code_within_areas(preview.repeated[0])
            preview.notices.append(
                _(
                    "Codes repeat in this list, but never within one area: it numbers its "
                    "stations within each area. Tick “This list numbers its stations within "
                    "each area” in the columns step, and each station is known by its areas "
                    "and its code (%(example)s)."
                )
                % {"example": example}
            )
        return preview

    def _numbered_within_areas(self, preview) -> bool:
        """Whether the codes the list repeats are each unique with their areas."""
        if self.mapping.codes_within_area or not preview.repeated:
            return False
        if not any(column.key.startswith("area_") for column in preview.columns):
            return False
        rows = itertools.chain((row for _line, row in preview.rows), preview.repeated)
        seen = set()
        for row in rows:
            code = _code_within_areas(row)
            if code in seen:
                return False
            seen.add(code)
        return True

    def _changes(self, preview) -> StationChanges:
        """The stored stations the file changes, field by field, and those it leaves as they
        are; one query."""
        labels = {c.key: c.label for c in preview.columns if c.key != "code"}
        keys = list(labels)
        stored = {
            code: values
            for code, *values in PollingStation.objects.filter(mission=self.mission)
            .annotate(has_reports=Exists(ObserverReport.objects.filter(station=OuterRef("pk"))))
            .values_list("code", "has_reports", *keys)
            .iterator(chunk_size=CREATE_BATCH_SIZE)
        }
        changes = StationChanges()
        for line, row in preview.rows:
            values = stored.get(row["code"])
            if values is None:
                continue
            has_reports, *old = values
            fields = [
                (labels[key], before, row[key])
                for key, before in zip(keys, old, strict=True)
                if before != row[key]
            ]
            if not fields:
                changes.unchanged_codes.add(row["code"])
                continue
            changes.changed_count += 1
            changes.with_reports += has_reports
            if len(changes.changed) < MAX_KEPT_NOTICES:
                changes.changed.append(StationChange(line, row["code"], has_reports, fields))
        return changes

    def duplicate_error(self, row, first_line):
        return (
            _("Code"),
            _("the code %(code)s is also on line %(line)s; list each station once.")
            % {"code": row["code"], "line": first_line},
        )

    def _stored_voters(self) -> dict[str, int]:
        """Registered voters of the mission's stations, by code."""
        return dict(
            PollingStation.objects.filter(mission=self.mission).values_list(
                "code", "registered_voters"
            )
        )

    def count(self, preview, stored_voters=None):
        if stored_voters is None:
            stored_voters = self._stored_voters()
        updated = sum(1 for _line, row in preview.rows if row["code"] in stored_voters)
        return {"created": len(preview.rows) - updated, "updated": updated}

    def save(self, preview, *, by=None):
        # PollingStation.save() is skipped for speed: a national list runs to tens of
        # thousands of stations, written in bulk (an upsert on the mission and code) rather
        # than one query each. What save() and the station form would do is done here
        # instead: the mission lock is checked once, under a row lock, and after the write
        # overvote detection is re-run at the stations whose registered voters changed,
        # and only those.
        with transaction.atomic():
            self._lock_mission()
            stored_voters = self._stored_voters()
            counts = self.count(preview, stored_voters)
            unchanged = preview.changes.unchanged_codes if preview.changes else set()
            rows = [row for _line, row in preview.rows if row["code"] not in unchanged]
            if connection.vendor == "postgresql":
                self._copy_and_upsert(preview.columns, rows)
            else:
                PollingStation.objects.bulk_create(
                    (PollingStation(mission=self.mission, **row) for row in rows),
                    batch_size=CREATE_BATCH_SIZE,
                    update_conflicts=True,
                    unique_fields=["mission", "code"],
                    update_fields=sorted(preview.keys() - {"code"} | {"updated_at"}),
                )
            # A file without the column leaves the stored figures as they are.
            changed = (
                {
                    row["code"]
                    for _line, row in preview.rows
                    if row["code"] in stored_voters
                    and stored_voters[row["code"]] != row["registered_voters"]
                }
                if any(column.key == "registered_voters" for column in preview.columns)
                else set()
            )
            # Inside the transaction, while the mission row is held: nobody can lock the
            # mission between the new figures and the irregularities they raise.
            counts["overvotes_raised"] = self._recheck_overvotes(changed, by=by)
        return counts

    def _recheck_overvotes(self, codes: set[str], *, by) -> int:
        """Re-run overvote detection at the stations of these codes; how many were raised."""
        if not codes:
            return 0
        # Only stations with reports can be overvotes: one query, without a list of every
        # changed code (which can run to tens of thousands) in it.
        reported = PollingStation.objects.filter(
            Exists(ObserverReport.objects.filter(station=OuterRef("pk"))), mission=self.mission
        )
        raised, rechecked = 0, []
        for station in reported:
            if station.code in codes:
                outcomes = sync_station(station=station, by=by)
                raised += sum(1 for o in outcomes if o in (Outcome.RAISED, Outcome.REPLACED))
                rechecked.append(station)
        if raised:
            alerts.raise_for(
                irregularities=Irregularity.objects.filter(report__station__in=rechecked)
            )
        return raised

    def _copy_and_upsert(self, import_columns, rows):
        """COPY the rows into a temporary table, then upsert them in one statement.

        On PostgreSQL this is an order of magnitude faster than bulk_create, whose time
        goes into building the SQL of each row in Python.
        """
        meta = PollingStation._meta
        keys = [column.key for column in import_columns]
        columns = {key: meta.get_field(key).column for key in keys}
        every = ["code", "name", *(f"area_{n}" for n in range(1, 6))]
        every += ["registered_voters", "latitude", "longitude", "in_sample"]
        # What a file leaves out takes the model's default on a new station.
        defaults = {f"area_{n}": "''" for n in range(1, 6)} | {"in_sample": "false"}
        staging = ", ".join(
            f"{meta.get_field(key).column} {meta.get_field(key).db_type(connection)}"
            + (f" NOT NULL DEFAULT {defaults[key]}" if key in defaults else "")
            for key in every
        )
        targets = ", ".join(meta.get_field(key).column for key in every)
        updates = ", ".join(
            [
                *(f"{columns[key]} = EXCLUDED.{columns[key]}" for key in keys if key != "code"),
                f"{meta.get_field('updated_at').column} = now()",
            ]
        )
        mission_column = meta.get_field("mission").column
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE station_import ({staging})")
            copy_sql = f"COPY station_import ({', '.join(columns.values())}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row([row[key] for key in keys])
            cursor.execute(
                f"INSERT INTO {meta.db_table} ({mission_column}, {targets}) "
                f"SELECT %s, {targets} FROM station_import "
                f"ON CONFLICT ({mission_column}, {columns['code']}) DO UPDATE SET {updates}",
                [self.mission.pk],
            )
            cursor.execute("DROP TABLE station_import")


@functools.cache
def _country_names() -> dict[str, str]:
    """Country codes by every name a roster may use: names in English, Spanish and French,
    the common short and former ones (rosters.COUNTRY_ALIASES), ISO codes."""
    names = {}
    languages = [language for language, _name in settings.LANGUAGES]
    for language in [*languages, *rosters.EXTRA_COUNTRY_LANGUAGES]:
        with translation.override(language):
            for code, name in countries:
                names.setdefault(normalise_header(name), code)
    for code, aliases in rosters.COUNTRY_ALIASES.items():
        for alias in aliases:
            names.setdefault(normalise_header(alias), code)
    for code, _name in countries:
        names[normalise_header(code)] = code
        names[normalise_header(countries.alpha3(code))] = code
    return names


class _CountryField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)
        self.names = _country_names()

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = self.names.get(normalise_header(value))
        if code is None:
            raise ValidationError(
                _("is not a country we know; give its name or its ISO code (PE or PER)."),
                code="unknown_country",
            )
        return code


class _RoleField(forms.CharField):
    def __init__(self, *, matched: dict[str, str] | None = None, **kwargs):
        """`matched`: the roles the user matched to the file's own words, normalised."""
        super().__init__(
            error_messages={"required": _("is empty; every person needs a role.")}, **kwargs
        )
        self.roles = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for value, label in DelegationMember.Role.choices:
                    self.roles[normalise_header(label)] = value
                    self.roles[normalise_header(value)] = value
        for value, aliases in rosters.ROLE_ALIASES.items():
            for alias in aliases:
                self.roles.setdefault(normalise_header(alias), value)
        known = set(DelegationMember.Role.values)
        self.roles |= {word: role for word, role in (matched or {}).items() if role in known}

    def clean(self, value):
        value = super().clean(value)
        role = self.roles.get(normalise_header(value))
        if role is None:
            raise ValidationError(
                _(
                    "is not a role we know; use one of: %(roles)s, or match it to one in the "
                    "columns step."
                )
                % {"roles": ", ".join(str(label) for label in DelegationMember.Role.labels)},
                code="unknown_role",
            )
        return role


class DelegationImporter(Importer):
    kind = "delegation"
    action = "delegation_edit"
    title = gettext_lazy("delegation")

    def columns(self):
        return [
            ImportColumn(
                "full_name",
                _("Name"),
                _text(Person, "full_name", required=True),
                aliases=("full name", "person", "nombre", "nombre completo", "nom", "nom complet"),
                required=True,
            ),
            ImportColumn(
                "nationality",
                _("Nationality"),
                _CountryField(),
                aliases=("country", "citizenship", "nacionalidad", "pais", "nationalite", "pays"),
                recognises=lambda value: normalise_header(value) in _country_names(),
            ),
            ImportColumn(
                "affiliation",
                _("Affiliation"),
                _text(Organization, "name"),
                aliases=("organisation", "organization", "afiliacion", "organizacion"),
            ),
            ImportColumn(
                "role",
                _("Role"),
                role := _RoleField(matched=self.mapping.values.get("role", {})),
                aliases=("rol", "role", "funcion", "fonction"),
                required=True,
                recognises=lambda value: normalise_header(value) in role.roles,
                choices=tuple(DelegationMember.Role.choices),
            ),
            ImportColumn(
                "title",
                pgettext("person", "Title"),
                _text(Person, "title"),
                aliases=("cargo", "position", "titre", "poste"),
            ),
        ]

    def row_key(self, row):
        return _person_key(row)

    def display(self, row):
        shown = dict(row)
        if shown.get("nationality"):
            shown["nationality"] = countries.name(shown["nationality"])
        shown["role"] = DelegationMember.Role(shown["role"]).label
        return list(shown.values())

    def duplicate_error(self, row, first_line):
        return (
            _("Name"),
            _("this person is also on line %(line)s; list each person once.")
            % {"line": first_line},
        )

    def _known_people(self, rows) -> dict[tuple[str, str], Person]:
        names = {row["full_name"] for row in rows}
        # SQLite lowers ASCII letters only, so exact names are asked for as well.
        found = (
            Person.objects.annotate(name_key=Lower("full_name"))
            .filter(Q(full_name__in=names) | Q(name_key__in={name.lower() for name in names}))
            .order_by("-pk")
        )
        people = {}
        # Ordered newest first, so that the oldest record of a name wins.
        for person in found:
            people[(person.full_name.casefold(), person.nationality.code or "")] = person
        return people

    def _known_organizations(self, rows) -> dict[str, Organization]:
        names = {row["affiliation"].casefold() for row in rows if row.get("affiliation")}
        found = Organization.objects.annotate(
            name_key=Lower("name"), acronym_key=Lower("acronym")
        ).filter(Q(name_key__in=names) | Q(acronym_key__in=names))
        organizations = {}
        for organization in found:
            if organization.acronym:
                organizations.setdefault(organization.acronym.casefold(), organization)
            organizations[organization.name.casefold()] = organization
        return organizations

    def preview(self, table, *, keep_errors=MAX_KEPT_ERRORS):
        preview = super().preview(table, keep_errors=keep_errors)
        if preview.is_valid:
            notices = self._kept_notices(preview)
            preview.notices += itertools.islice(notices, MAX_KEPT_NOTICES)
            more = sum(1 for _notice in notices)
            if more:
                preview.notices.append(
                    ngettext(
                        "…and %(count)s more notice like these.",
                        "…and %(count)s more notices like these.",
                        more,
                    )
                    % {"count": more}
                )
        return preview

    def _kept_notices(self, preview) -> Iterator[str]:
        """What the file says of people already on record that the import will not write.

        People and organisations are shared by every mission: a roster of one mission
        must not retitle someone in the delegation of another. What the record holds is
        shown only of people already in this mission's delegation, whom the user sees on
        its pages anyway. Of anyone else a notice repeats only what the file says, the
        same whatever the record holds: a preview must not tell the title or affiliation
        of people on missions the user is not on.
        """
        rows = [row for _line, row in preview.rows]
        people = self._known_people(rows)
        organizations = self._known_organizations(rows)
        members = set(self.mission.delegation.values_list("person_id", flat=True))
        for line, row in preview.rows:
            person = people.get(_person_key(row))
            if person is None:
                continue
            given = row.get("affiliation")
            if person.pk not in members:
                if given or row.get("title"):
                    yield _(
                        "Line %(line)s: %(name)s is already on record, and people are shared "
                        "by every mission: the import adds the person on record as they are, "
                        "without the affiliation or title in the file."
                    ) % {"line": line, "name": row["full_name"]}
                continue
            named = organizations.get(given.casefold()) if given else None
            if given and (named is None or named != person.affiliation):
                yield _kept_notice(line, person, _("affiliation"), person.affiliation, given)
            if row.get("title") and row["title"] != person.title:
                yield _kept_notice(line, person, _("title"), person.title, row["title"])

    def count(self, preview):
        rows = [row for _line, row in preview.rows]
        people = self._known_people(rows)
        organizations = self._known_organizations(rows)
        members = set(self.mission.delegation.values_list("person_id", flat=True))
        known = [people.get(_person_key(row)) for row in rows]
        # An organisation is created only as the affiliation of a person created with it.
        new_affiliations = {
            row["affiliation"].casefold()
            for row, person in zip(rows, known, strict=True)
            if person is None and row.get("affiliation")
        }
        return {
            "people_created": sum(1 for person in known if person is None),
            "members_added": sum(1 for p in known if p is None or p.pk not in members),
            "members_updated": sum(1 for p in known if p is not None and p.pk in members),
            "organizations_created": len(new_affiliations - organizations.keys()),
        }

    def save(self, preview, *, by=None):
        rows = [row for _line, row in preview.rows]
        with transaction.atomic():
            self._lock_mission()
            counts = self.count(preview)
            people = self._known_people(rows)
            organizations = self._known_organizations(rows)
            for row in rows:
                person = people.get(_person_key(row))
                if person is None:
                    person = Person.objects.create(
                        full_name=row["full_name"],
                        nationality=row.get("nationality", ""),
                        affiliation=self._affiliation(row, organizations),
                        title=row.get("title", ""),
                    )
                DelegationMember.objects.update_or_create(
                    mission=self.mission, person=person, defaults={"role": row["role"]}
                )
        return counts

    @staticmethod
    def _affiliation(row, organizations) -> Organization | None:
        if not row.get("affiliation"):
            return None
        key = row["affiliation"].casefold()
        if key not in organizations:
            # The roster names the organisation only; its kind is the likeliest.
            organizations[key] = Organization.objects.create(
                name=row["affiliation"], kind=Organization.Kind.OBSERVER_GROUP
            )
        return organizations[key]


class _LookupField(forms.CharField):
    """A cell that names one of a few records (a team, a station, a round): their primary
    keys by every name the cell may give, normalised; a name two records share is
    refused as ambiguous."""

    def __init__(self, *, names: dict, normalise, unknown: str, ambiguous: str, **kwargs):
        super().__init__(**kwargs)
        self.names, self.normalise = names, normalise
        self.unknown, self.ambiguous = unknown, ambiguous

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = self.names.get(self.normalise(value))
        if found is None:
            raise ValidationError(self.unknown, code="unknown")
        if found is AMBIGUOUS:
            raise ValidationError(self.ambiguous, code="ambiguous")
        return found


def _round_name(value: str) -> str:
    """A round as a cell names it: an election day, a kind, or both; a day from an Excel
    date cell comes with a time of midnight, which is no part of it."""
    value = value.strip()
    if not ISO_DAY.match(value):
        return normalise_header(value)
    day, rest = value[:10], value[10:].strip()
    if MIDNIGHT.fullmatch(rest):
        rest = ""
    return f"{day} {normalise_header(rest)}" if rest else day


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MIDNIGHT = re.compile(r"00:00(:00)?")

# A name two records answer to (two people of the delegation with one name).
AMBIGUOUS = object()


def _names(pairs) -> dict:
    """{name: pk} of (name, pk) pairs, AMBIGUOUS for a name of two records."""
    names = {}
    for name, pk in pairs:
        names[name] = pk if names.get(name, pk) == pk else AMBIGUOUS
    return names


class DeploymentImporter(Importer):
    """A deployment plan: which team reports which phase at which station, in which
    round; one phase a row. The Round column may be left out when the mission has one."""

    kind = "deployment"
    action = "deployment_edit"
    title = gettext_lazy("deployment plan")

    @functools.cached_property
    def _stations(self) -> dict[str, int]:
        return dict(self.mission.stations.values_list("code", "pk"))

    @functools.cached_property
    def _rounds(self) -> list[ElectionRound]:
        return list(self.mission.rounds.order_by("election_day", "pk"))

    def _round_names(self) -> dict:
        """A round by its election day, its kind, or both ("2000-05-28 Runoff", as the
        export writes it), the kind in any language."""
        pairs = []
        for election_round in self._rounds:
            day = election_round.election_day.isoformat()
            kinds = {normalise_header(election_round.kind)}
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    kinds.add(normalise_header(election_round.get_kind_display()))
            pairs.append((day, election_round.pk))
            for kind in kinds:
                pairs += [(kind, election_round.pk), (f"{day} {kind}", election_round.pk)]
        return _names(dict.fromkeys(pairs))

    @functools.cached_property
    def _teams(self) -> dict:
        return _names(
            (normalise_header(name), pk)
            for pk, name in self.mission.delegation.values_list("pk", "person__full_name")
        )

    def _phases(self) -> dict[str, str]:
        phases = {}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for value, label in ObserverReport.Phase.choices:
                    phases[normalise_header(label)] = value
                    phases[normalise_header(value)] = value
        known = set(ObserverReport.Phase.values)
        matched = self.mapping.values.get("phase", {})
        return phases | {word: phase for word, phase in matched.items() if phase in known}

    def columns(self):
        phases = self._phases()
        return [
            ImportColumn(
                "team",
                _("Observer team"),
                _LookupField(
                    names=self._teams,
                    normalise=normalise_header,
                    unknown=_("is not in the mission's delegation; add the team there first."),
                    ambiguous=_("names two people of the delegation; rename one of them."),
                    error_messages={"required": _("is empty; every row needs one.")},
                ),
                aliases=("team", "observer", "observer team", "equipo", "observador"),
                required=True,
            ),
            ImportColumn(
                "station",
                _("Polling station"),
                _LookupField(
                    names=self._stations,
                    normalise=normalise_code,
                    unknown=_("is not the code of a polling station of this mission."),
                    ambiguous="",
                    error_messages={"required": _("is empty; every row needs one.")},
                ),
                aliases=(
                    "station",
                    "code",
                    "station code",
                    "polling station code",
                    "mesa",
                    "codigo",
                ),
                required=True,
            ),
            ImportColumn(
                "phase",
                _("Phase"),
                _LookupField(
                    names=phases,
                    normalise=normalise_header,
                    unknown=_(
                        "is not a phase we know; use one of: %(phases)s, or match it to one "
                        "in the columns step."
                    )
                    % {"phases": ", ".join(str(label) for label in ObserverReport.Phase.labels)},
                    ambiguous="",
                    error_messages={"required": _("is empty; every row needs one.")},
                ),
                aliases=("fase",),
                required=True,
                choices=tuple(ObserverReport.Phase.choices),
            ),
            ImportColumn(
                "round",
                _("Round"),
                _LookupField(
                    names=self._round_names(),
                    normalise=_round_name,
                    unknown=_(
                        "is not a round of this mission; give its election day (2000-04-09) "
                        "or its kind."
                    ),
                    ambiguous=_(
                        "names two rounds; give the election day and the kind "
                        "(2000-04-09 Referendum)."
                    ),
                    required=False,
                ),
                aliases=("election round", "vuelta", "election day"),
            ),
        ]

    def finish_row(self, row):
        if row.get("round") is None and len(self._rounds) == 1:
            row["round"] = self._rounds[0].pk

    def check_row(self, row):
        if row.get("round") is None:
            yield (
                _("Round"),
                _(
                    "the mission has several rounds: say which, by its election day "
                    "(2000-04-09) or its kind."
                )
                if self._rounds
                else _("the mission has no rounds yet; add them first."),
            )

    def row_key(self, row):
        return (row["round"], row["station"], row["phase"])

    def duplicate_error(self, row, first_line):
        return (
            _("Polling station"),
            _(
                "this station is deployed for this phase of this round also on line "
                "%(line)s; a station has one team a phase."
            )
            % {"line": first_line},
        )

    @functools.cached_property
    def _shown(self) -> tuple[dict, dict, dict]:
        """Team names, station codes and rounds by primary key, for the preview's rows."""
        teams = dict(self.mission.delegation.values_list("pk", "person__full_name"))
        codes = {pk: code for code, pk in self._stations.items()}
        return teams, codes, {election_round.pk: election_round for election_round in self._rounds}

    def display(self, row):
        teams, codes, rounds = self._shown
        return [
            teams[row["team"]],
            codes[row["station"]],
            ObserverReport.Phase(row["phase"]).label,
            rounds[row["round"]],
        ]

    def _stored(self) -> dict:
        return {
            (round_pk, station_pk, phase): team_pk
            for round_pk, station_pk, phase, team_pk in Deployment.objects.filter(
                mission=self.mission
            ).values_list("round", "station", "phase", "team")
        }

    def count(self, preview, stored=None):
        stored = self._stored() if stored is None else stored
        keys = [(self.row_key(row), row["team"]) for _line, row in preview.rows]
        return {
            "created": sum(1 for key, _team in keys if key not in stored),
            "updated": sum(1 for key, team in keys if key in stored and stored[key] != team),
        }

    def save(self, preview, *, by=None):
        with transaction.atomic():
            self._lock_mission()
            counts = self.count(preview)
            Deployment.objects.bulk_create(
                (
                    Deployment(
                        mission=self.mission,
                        round_id=row["round"],
                        station_id=row["station"],
                        team_id=row["team"],
                        phase=row["phase"],
                    )
                    for _line, row in preview.rows
                ),
                batch_size=CREATE_BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["round", "station", "phase"],
                update_fields=["team"],
            )
        return counts


def _kept_notice(line, person, what, stored, given) -> str:
    return _(
        "Line %(line)s: %(name)s is already on record, and people are shared by every "
        "mission: the import kept the stored %(what)s %(stored)s, not “%(given)s”."
    ) % {
        "line": line,
        "name": person.full_name,
        "what": what,
        "stored": f"“{stored}”" if stored else _("(none)"),
        "given": given,
    }


def _person_key(row) -> tuple[str, str]:
    return (row["full_name"].casefold(), row.get("nationality", ""))


IMPORTERS = {
    importer.kind: importer
    for importer in (StationImporter, DelegationImporter, DeploymentImporter)
}


def done_message(kind: str, counts: dict) -> str:
    """What an import of `kind` wrote, as its `counts` say."""
    if kind == StationImporter.kind:
        message = _("Import done: %(created)d stations added, %(updated)d updated.") % counts
        if counts["overvotes_raised"]:
            message += " " + (
                ngettext(
                    "With the new registered voters, %(count)d report is an overvote: "
                    "an irregularity was raised for review.",
                    "With the new registered voters, %(count)d reports are overvotes: "
                    "irregularities were raised for review.",
                    counts["overvotes_raised"],
                )
                % {"count": counts["overvotes_raised"]}
            )
        return message
    if kind == DeploymentImporter.kind:
        return (
            ngettext(
                "Import done: %(created)d deployment added, %(updated)d given another team.",
                "Import done: %(created)d deployments added, %(updated)d given another team.",
                counts["created"],
            )
            % counts
        )
    return (
        _(
            "Import done: %(members_added)d delegation members added, %(members_updated)d "
            "updated; %(people_created)d people and %(organizations_created)d organisations new."
        )
        % counts
    )


def longer_than(content: bytes, filename: str, lines: int) -> bool:
    """Whether the file has more than `lines` lines under its first, counted without
    checking them (titles and footers count as lines)."""
    records = read_table(content, filename).records
    return next(itertools.islice(records, lines, None), None) is not None


def preview_in_request(importer: "Importer", content: bytes, filename: str) -> Preview | None:
    """The upload's preview, or None if it has too many lines to check in the request (the
    task worker checks them): then only its columns are matched, from its first lines, so
    that a MappingError comes at once, for the columns step."""
    table = read_table(content, filename)
    limit = settings.IMPORT_PREVIEW_IN_REQUEST_ROWS
    # The lines where the header is looked for, and the rows under it that matching reads.
    matched = HEADER_SEARCH_ROWS + SAMPLE_ROWS
    # Read once: a short file's lines are all checked; a long one's first ones matched.
    lines = list(itertools.islice(table.records, max(limit + 1, matched)))
    if len(lines) <= limit:
        return importer.preview(dataclasses.replace(table, records=iter(lines)))
    first = lines[:matched]
    importer.preview(dataclasses.replace(table, records=iter(first)))
    return None


def problem_columns() -> list:
    """The columns of the file of a preview's problems, one problem a row."""
    return [
        exports.Column(_("Line"), attrgetter("line")),
        exports.Column(_("Column"), attrgetter("column")),
        exports.Column(_("Value"), attrgetter("value")),
        exports.Column(_("Problem"), attrgetter("message")),
    ]


def problems_file_name(mission, kind: str) -> str:
    return exports.export_filename(mission, f"{kind}-import-problems")


PREVIEW_TEMPLATE = "observation/includes/_import_preview.html"
FIRST_ROWS_TEMPLATE = "observation/includes/_import_first_rows.html"
# The first rows of the file a preview shows.
FIRST_ROWS_SHOWN = 20


def preview_result(importer: "Importer", preview: Preview, *, problems_url: str) -> dict:
    """What the import page shows of a preview, and what acting on it needs: the preview
    laid out (in the active language), whether it may be confirmed, and the file's columns
    for the columns step. Plain data, so that the task worker can keep it for the page;
    `problems_url` is where the file of every problem is downloaded."""
    context = {
        "mission": importer.mission,
        "importer": importer,
        "preview": preview,
        "first_rows": [
            (line, importer.display(row)) for line, row in preview.rows[:FIRST_ROWS_SHOWN]
        ],
        "problems_url": problems_url,
    }
    return {
        # What the preview found, then (under the forms that act on it) the first rows.
        "html": render_to_string(PREVIEW_TEMPLATE, context),
        "first_rows_html": render_to_string(FIRST_ROWS_TEMPLATE, context),
        "valid": preview.is_valid,
        "rows": len(preview.rows),
        "needs_acceptance": preview.needs_acceptance,
        "with_reports": preview.changes.with_reports if preview.changes else 0,
        "file_columns": [dataclasses.asdict(column) for column in preview.file_columns],
    }


def clear_stale_uploads(*, older_than: datetime.timedelta) -> int:
    """Delete the uploads left waiting for a confirmation longer than `older_than`.

    A preview that is never confirmed leaves its file behind, and rosters hold
    personal data. Returns how many files were deleted.
    """
    cutoff = timezone.now() - older_than
    try:
        _folders, names = default_storage.listdir(UPLOAD_FOLDER)
    except FileNotFoundError:
        return 0
    # An upload that a job still has to check or write is not left waiting.
    taken = set(
        Job.objects.filter(
            kind__in=[Job.Kind.IMPORT, Job.Kind.IMPORT_PREVIEW],
            status__in=[Job.Status.WAITING, Job.Status.RUNNING],
        ).values_list("params__path", flat=True)
    )
    deleted = 0
    for name in names:
        path = f"{UPLOAD_FOLDER}/{name}"
        if path not in taken and default_storage.get_modified_time(path) <= cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
