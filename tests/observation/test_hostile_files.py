"""Hostile and malformed import files: each is refused with one clear message, in bounded
memory, and nothing is written.

The files are built here, from zipfile and a few XML strings: the workbooks take 1.3 KB
to 2.5 MB, the CSV files up to 200 KB, and 10 MB for the one that is all commas. An .xlsx
file is a zip archive of XML parts; `_workbook` writes the five that openpyxl needs to
open one (content types, two relationship lists, the workbook and its first sheet), and
each case changes one.

Measured peaks (tracemalloc, around the preview): at most 1.2 MB, for 200,000 blank CSV
lines; 0.4 MB for the 10 MB of commas; 0.1 MB for the 100 MB zip bomb.
"""

import io
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from observation import imports
from observation.imports import ImportFileError, StationImporter, read_table
from observation.models import PollingStation

# What reading any file below may cost at most, from the upload's bytes to the preview's
# refusal, as Python's own allocations (tracemalloc). The file itself is built before.
# Before the fix, the 1.4 KB far-cell workbook alone ran out of 6 GB.
MEMORY_CEILING = 5 * 1024 * 1024

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
WORKBOOK = (
    f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}">'
    '<sheets><sheet name="Stations" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
# A DTD that expands one entity a billion times ("billion laughs"), and one that reads a
# file of the server into a cell (XXE).
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    + "]>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file://{path}">]>'
)
HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'


def _write_package(archive: zipfile.ZipFile, *, workbook: str = WORKBOOK) -> None:
    """Every part of a one-sheet workbook but the sheet."""
    archive.writestr("[Content_Types].xml", CONTENT_TYPES)
    archive.writestr(
        "_rels/.rels",
        f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    )
    archive.writestr("xl/workbook.xml", workbook)
    archive.writestr(
        "xl/_rels/workbook.xml.rels",
        f'<Relationships xmlns="{RELATIONSHIPS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    )


def _workbook(
    sheet: str, *, workbook: str = WORKBOOK, styles: str = "", compression=zipfile.ZIP_DEFLATED
) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression) as archive:
        _write_package(archive, workbook=workbook)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if styles:
            archive.writestr("xl/styles.xml", styles)
    return output.getvalue()


def _sheet(rows: str, *, prolog: str = "", dimension: str = "") -> str:
    """A worksheet: a code column, then `rows`; `dimension` is the size it declares."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{prolog}<worksheet xmlns="{MAIN}">{declared}'
        f"<sheetData>{HEADER_ROW}{rows}</sheetData></worksheet>"
    )


def _cells(row: int, cells: str) -> str:
    return f'<row r="{row}">{cells}</row>'


def _bomb(*, megabytes: int) -> bytes:
    """A workbook whose sheet unpacks to `megabytes` MB of white space, a thousand to one."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_package(archive)
        # Written a megabyte at a time: the test never holds the whole part.
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for _megabyte in range(megabytes):
                sheet.write(b" " * (1024 * 1024))
            sheet.write(b"</sheetData></worksheet>")
    return output.getvalue()


def _shared_strings(count: int) -> bytes:
    """A workbook holding `count` different short texts, which no cell uses."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_package(archive)
        archive.writestr("xl/worksheets/sheet1.xml", _sheet(""))
        with archive.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(f'<sst xmlns="{MAIN}">'.encode())
            for start in range(0, count, 10_000):
                chunk = range(start, min(start + 10_000, count))
                strings.write("".join(f"<si><t>{n:x}</t></si>" for n in chunk).encode())
            strings.write(b"</sst>")
    return output.getvalue()


def _quoted_cell_over_lines(characters: int) -> bytes:
    # Each line is short; the quote opened on line 2 is never closed.
    lines = "".join(f"{'a' * 99}\n" for _line in range(characters // 100))
    return f'code,name,registered voters\n0001,"{lines}\n'.encode()


HOSTILE = {
    "zip-bomb": (
        lambda: _bomb(megabytes=101),
        "too_large_unpacked",
        "This workbook unpacks to more than 100 MB, the most we read.",
    ),
    "compression-ratio": (
        lambda: _bomb(megabytes=2),
        "compression_ratio",
        "A part of this workbook unpacks to more than 100 times its packed size",
    ),
    "shared-strings": (
        # openpyxl reads them all into memory: 1.5 million, a 3.6 MB file, took 204 MB.
        lambda: _shared_strings(1_000_001),
        "too_many_texts",
        "This workbook holds more than 1,000,000 different texts, the most we read.",
    ),
    "cell-formats": (
        # openpyxl reads the stylesheet whole: a million formats, an 8 MB file, took 1.1 GB.
        lambda: _workbook(
            _sheet(""),
            styles=f'<styleSheet xmlns="{MAIN}"><cellXfs>{"<xf/>" * 100_000}</cellXfs>'
            "</styleSheet>",
        ),
        "too_many_formats",
        "This workbook holds more than 100,000 formats, names and links, the most we read.",
    ),
    "bzip2-member": (
        # Bzip2 unpacks a whole block at once, whatever its size; no spreadsheet uses it.
        lambda: _workbook(_sheet(""), compression=zipfile.ZIP_BZIP2),
        "bad_xlsx",
        "This file is damaged or is not an Excel workbook (.xlsx).",
    ),
    "billion-laughs": (
        lambda: _workbook(
            _sheet(
                _cells(2, '<c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c>'),
                prolog=BILLION_LAUGHS,
            )
        ),
        "bad_xlsx",
        "This file is damaged or is not an Excel workbook (.xlsx).",
    ),
    "billion-laughs-in-workbook-part": (
        lambda: _workbook(
            _sheet(""),
            workbook=BILLION_LAUGHS.replace("worksheet", "workbook")
            + WORKBOOK.replace('name="Stations"', 'name="&lol9;"'),
        ),
        "bad_xlsx",
        "This file is damaged or is not an Excel workbook (.xlsx).",
    ),
    "far-cell": (
        # One cell, at the last row and column Excel has, and a size declared to match:
        # openpyxl would pad a million rows to 16,384 cells each.
        lambda: _workbook(
            _sheet(_cells(1048576, '<c r="XFD1048576"><v>1</v></c>'), dimension="A1:XFD1048576")
        ),
        "too_many_rows",
        "This file has more than 200,000 rows under its header line, the most we read.",
    ),
    "far-column": (
        lambda: _workbook(_sheet(_cells(2, '<c r="XFD2"><v>1</v></c>'))),
        "too_many_columns",
        "Line 2 has a cell in column XFD; we read at most 60 columns.",
    ),
    "row-wider-than-excel": (
        # Cells without a reference follow one another: 20,000 of them in one row.
        lambda: _workbook(_sheet(_cells(2, "<c/>" * 20_000))),
        "bad_xlsx",
        "This file is damaged or is not an Excel workbook (.xlsx).",
    ),
    "huge-xlsx-cell": (
        lambda: _workbook(
            _sheet(_cells(2, f'<c r="A2" t="inlineStr"><is><t>{"x" * 5000}</t></is></c>'))
        ),
        "cell_too_long",
        "Line 2 has a cell longer than 1,000 characters, the most we read in one cell.",
    ),
    "no-sheets": (
        lambda: _workbook(_sheet(""), workbook=f'<workbook xmlns="{MAIN}"><sheets/></workbook>'),
        "no_sheet",
        "This workbook has no worksheet.",
    ),
    "bad-xml": (
        lambda: _workbook(f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">'),
        "bad_xlsx",
        "This file is damaged or is not an Excel workbook (.xlsx).",
    ),
    "csv-200k-cell": (
        lambda: b"code,name,registered voters\n0001," + b"x" * 200_000 + b",1\n",
        "line_too_long",
        "Line 2 is longer than 120,180 characters",
    ),
    "csv-200k-quoted-cell": (
        lambda: _quoted_cell_over_lines(200_000),
        "cell_too_long",
        "Line 2 has a cell longer than 1,000 characters, the most we read in one cell. "
        'If no cell is that long, look there for a quote (") that is never closed.',
    ),
    "csv-long-cell": (
        lambda: b"code,name,registered voters\n0001," + b"x" * 1001 + b",1\n",
        "cell_too_long",
        "Line 2 has a cell longer than 1,000 characters",
    ),
    "csv-10-mb-of-commas": (
        lambda: b"code,name,registered voters\n" + b"," * (10 * 1024 * 1024 - 100),
        "line_too_long",
        "Line 2 is longer than",
    ),
    "csv-too-many-columns": (
        lambda: b"code,name,registered voters\n" + b"1," * 61 + b"\n",
        "too_many_columns",
        "Line 2 has a cell in column BI; we read at most 60 columns.",
    ),
    "csv-blank-rows": (
        lambda: b"code,name,registered voters\n" + b"\n" * 200_000 + b"0001,A,1\n",
        "too_many_rows",
        "This file has more than 200,000 rows under its header line",
    ),
    "csv-latin-1": (
        lambda: "code,name,registered voters\n0001,Peñalolén,1\n".encode("latin-1"),
        "not_tabular",
        "This file is neither a CSV text file in UTF-8 nor an Excel workbook (.xlsx).",
    ),
    "csv-utf-16": (
        lambda: "code,name,registered voters\n0001,Peñalolén,1\n".encode("utf-16"),
        "not_tabular",
        "This file is neither a CSV text file in UTF-8 nor an Excel workbook (.xlsx).",
    ),
}

BAD_CELLS = {
    "number-that-is-not": '<c r="A2" t="n"><v>abc</v></c>',
    "boolean-that-is-not": '<c r="A2" t="b"><v>maybe</v></c>',
    "date-that-is-not": '<c r="A2" t="d"><v>the ninth of April</v></c>',
    "shared-string-not-there": '<c r="A2" t="s"><v>7</v></c>',
    "reference-past-xfd": '<c r="ZZZZ2"><v>1</v></c>',
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _name(content: bytes) -> str:
    return "stations.xlsx" if content.startswith(b"PK") else "stations.csv"


def _refusal_and_peak(mission, content: bytes) -> tuple[ImportFileError, int]:
    """The refusal of the preview, and the most memory it took on the way."""
    importer = StationImporter(mission)
    tracemalloc.start()
    try:
        with pytest.raises(ImportFileError) as refused:
            importer.preview(read_table(content, _name(content)))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return refused.value, peak


def _assert_refused(client, mission, content, code, message, tmp_path):
    file = io.BytesIO(content)
    file.name = _name(content)
    url = reverse("observation:station_import", args=[mission.pk])

    response = client.post(url, {"file": file})

    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == code, error.message
    assert message in error.message
    assert message in response.content.decode().replace("&quot;", '"')
    assert response.context["token"] is None
    assert not PollingStation.objects.exists()
    assert not (tmp_path / "imports").exists()


@pytest.mark.parametrize(("build", "code", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_file_is_refused_in_bounded_memory_and_nothing_is_written(
    client, staff, mission, settings, tmp_path, build, code, message
):
    content = build()
    # Each passes the upload limit, which bounds only the bytes sent.
    assert len(content) <= settings.IMPORT_MAX_UPLOAD_SIZE
    client.force_login(staff)

    _assert_refused(client, mission, content, code, message, tmp_path)

    refusal, peak = _refusal_and_peak(mission, content)
    assert refusal.code == code
    assert peak < MEMORY_CEILING, f"{peak / 2**20:.1f} MB"


@pytest.mark.parametrize("cell", BAD_CELLS.values(), ids=BAD_CELLS.keys())
def test_workbook_with_a_cell_openpyxl_cannot_read_is_refused(
    client, staff, mission, tmp_path, cell
):
    client.force_login(staff)
    content = _workbook(_sheet(_cells(2, cell)))

    _assert_refused(
        client,
        mission,
        content,
        "bad_xlsx",
        "This file is damaged or is not an Excel workbook (.xlsx).",
        tmp_path,
    )


def test_external_entity_is_never_read_into_a_cell(client, staff, mission, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("ZEBRA-7731")
    sheet = _sheet(
        _cells(2, '<c r="A2" t="inlineStr"><is><t>&secret;</t></is></c>'),
        prolog=EXTERNAL_ENTITY.format(path=secret),
    )
    client.force_login(staff)
    file = io.BytesIO(_workbook(sheet))
    file.name = "stations.xlsx"

    response = client.post(reverse("observation:station_import", args=[mission.pk]), {"file": file})

    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == "bad_xlsx"
    assert "ZEBRA-7731" not in response.content.decode()
    assert not PollingStation.objects.exists()


def test_the_row_limit_names_itself(client, staff, mission, tmp_path, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 50)
    client.force_login(staff)
    rows = "".join(f"{n:04d},Escuela {n},100\n" for n in range(51))

    _assert_refused(
        client,
        mission,
        f"code,name,registered voters\n{rows}".encode(),
        "too_many_rows",
        "This file has more than 50 rows under its header line, the most we read. "
        "Split it into smaller files.",
        tmp_path,
    )


def test_a_file_at_the_limits_is_read(client, staff, mission):
    """Sixty columns, a cell of a thousand characters: refused only past them."""
    header = "code,name,registered voters," + ",".join(f"extra {n}" for n in range(57))
    row = "0001,Escuela,300," + ",".join(["x" * 1000] * 57)
    client.force_login(staff)
    file = io.BytesIO(f"{header}\n{row}\n".encode())
    file.name = "stations.csv"

    response = client.post(reverse("observation:station_import", args=[mission.pk]), {"file": file})

    assert response.context["preview"].counts == {"created": 1, "updated": 0}
