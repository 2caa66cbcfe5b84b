"""Station lists as published: the header below a title, repeated per page, under other names."""

import io
from pathlib import Path

import pytest
from django.urls import reverse

from observation.models import PollingStation

# Uploads wait in media storage between preview and confirmation: each test its own.
pytestmark = pytest.mark.usefixtures("media_root")

FILES = Path(__file__).parent / "files"


def _upload(name, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return file


def _preview(client, mission, file):
    return client.post(reverse("observation:station_import", args=[mission.pk]), {"file": file})


def _confirm(client, mission, response):
    token = response.context["token"]
    assert token, response.context["preview"].errors
    return client.post(
        reverse("observation:station_import_confirm", args=[mission.pk]), {"token": token}
    )


def test_a_list_with_a_title_repeated_headers_and_footers_imports_its_stations_only(
    staff_client, mission
):
    file = _upload("uganda.csv", (FILES / "uganda_title_repeated_headers.csv").read_bytes())
    response = _preview(staff_client, mission, file)

    preview = response.context["preview"]
    assert [(s.line, str(s.reason)) for s in preview.skipped] == [
        (1, "above the header line"),
        (2, "above the header line"),
        (6, "a single cell: a title or footer line"),
        (7, "repeats the header line"),
        (9, "a single cell: a title or footer line"),
    ]
    page = response.content.decode()
    assert "5 lines were skipped" in page
    assert "Page 1 of 2" in page
    assert not PollingStation.objects.exists()

    _confirm(staff_client, mission, response)

    stations = PollingStation.objects.order_by("code")
    assert [(s.code, s.name, s.area_3, s.registered_voters) for s in stations] == [
        ("001", "KOLOLO PRIMARY SCHOOL [A-L]", "KAMPALA", 812),
        ("002", "KOLOLO PRIMARY SCHOOL [M-Z]", "KAMPALA", 790),
        ("003", "NAKASERO MARKET", "KAMPALA", None),
    ]
    assert not stations.filter(name="POLLING STATION NAME").exists()


def test_an_onpe_semicolon_list_is_read_by_its_own_headers(staff_client, mission):
    file = _upload("onpe.csv", (FILES / "onpe_semicolon.csv").read_bytes())
    _confirm(staff_client, mission, _preview(staff_client, mission, file))

    assert list(
        PollingStation.objects.order_by("code").values_list("code", "name", "registered_voters")
    ) == [
        ("900001", "IE 1234 JOSE OLAYA", 300),
        ("900002", "IE 1234 JOSE OLAYA", 298),
        ("900003", "COLEGIO SAN ANDRES", None),
    ]


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Level1", "area_1"),
        ("Admin2", "area_2"),
        ("POLLING STATION NAME", "name"),
        ("Polling station number", "code"),
        ("N_ELEC_HABIL", "registered_voters"),
        ("Electores inscritos", "registered_voters"),
    ],
)
def test_published_header_names_are_matched(staff_client, mission, header, key):
    columns = {"code": "Code", "name": "Name", key: header}
    values = {"code": "0001", "name": "Escuela", "area_1": "Lima", "area_2": "Lima"}
    values["registered_voters"] = "300"
    text = ",".join(columns.values()) + "\n" + ",".join(values[k] for k in columns) + "\n"
    _confirm(
        staff_client, mission, _preview(staff_client, mission, _upload("s.csv", text.encode()))
    )

    station = PollingStation.objects.get()
    assert str(getattr(station, key)) == values[key]


def test_without_a_header_the_error_names_the_headers_the_file_has(staff_client, mission):
    text = "Title\nNumero,Denumire,Judet\n1,Scoala 1,Cluj\n"
    response = _preview(staff_client, mission, _upload("ro.csv", text.encode()))

    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == "missing_column"
    message = " ".join(error.messages)
    assert "The file has no column for: Code, Name." in message
    # The widest line is taken for the header, not the title above it.
    assert "the line taken for the header has: “Numero”, “Denumire”, “Judet”" in message
    assert not PollingStation.objects.exists()


def test_a_header_below_the_first_twenty_rows_is_not_looked_for(staff_client, mission):
    title = "".join(f"Title line {n}\n" for n in range(20))
    text = title + "code,name\n0001,Escuela\n"
    response = _preview(staff_client, mission, _upload("s.csv", text.encode()))

    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == "missing_column"
    assert not PollingStation.objects.exists()


def test_a_list_marks_the_stations_of_the_random_sample(staff_client, mission):
    rows = (
        "Código;Nombre;Muestra\nA1;Escuela 1;sí\nA2;Escuela 2;\nA3;Escuela 3;X\nA4;Escuela 4;no\n"
    )
    file = _upload("stations.csv", rows.encode())
    _confirm(staff_client, mission, _preview(staff_client, mission, file))

    sampled = PollingStation.objects.filter(mission=mission, in_sample=True)
    assert sorted(sampled.values_list("code", flat=True)) == ["A1", "A3"]


def test_a_sample_cell_that_is_neither_yes_nor_no_is_refused(staff_client, mission):
    file = _upload("stations.csv", b"Code,Name,Sample\nA1,Escuela 1,maybe\n")

    response = _preview(staff_client, mission, file)

    assert "must be yes or no." in response.content.decode()
    assert not PollingStation.objects.filter(mission=mission).exists()
