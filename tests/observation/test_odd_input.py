"""Every query parameter of the list filters, the exports and the station search, and every
field of the import forms, given a NUL, an overlong value or bytes that are not UTF-8:
an answer, never a server error. PostgreSQL refuses a NUL in text, where SQLite stores
it: run these on both (DATABASE_URL)."""

import io

import pytest
from django.urls import reverse

from observation.models import PollingStation
from tests import factories

ODD_VALUES = {
    "nul": "LIM\x00001",
    "only-nul": "\x00",
    "overlong": "9" * 100_000,
    # Past the range of a 64-bit integer, under Python's limit on digits.
    "past-bigint": "9" * 30,
}
# Percent-encoded bytes that are not UTF-8, with a NUL among them, sent as they are.
NOT_UTF8 = "%FF%FE%00%C3"
FILTERS = {
    "station_list": ["q", "area_1", "area_2", "area_3", "page"],
    "report_list": [
        "round",
        "station",
        "phase",
        "assessment",
        "observer",
        "area_1",
        "area_2",
        "page",
    ],
    "irregularity_list": ["category", "severity", "evidence", "status", "round", "area_1", "page"],
    "station_search": ["q"],
}
EXPORTS = {
    "station_export": FILTERS["station_list"],
    "report_export": FILTERS["report_list"],
    "irregularity_export": FILTERS["irregularity_list"],
}
QUERIES = [
    (name, parameter)
    for name, parameters in {**FILTERS, **EXPORTS}.items()
    for parameter in parameters
]


@pytest.fixture
def staff_client(client, staff, mission):
    # A row in every list, so that each filter is run against one.
    station = factories.PollingStationFactory(mission=mission, code="LIM-001", name="Escuela")
    factories.ObserverReportFactory(mission=mission, station=station)
    factories.IrregularityFactory(mission=mission, station=station)
    client.force_login(staff)
    return client


def _url(name, mission):
    args = [mission.pk, "csv"] if name.endswith("_export") else [mission.pk]
    return reverse(f"observation:{name}", args=args)


@pytest.mark.parametrize(("name", "parameter"), QUERIES)
@pytest.mark.parametrize("value", ODD_VALUES.values(), ids=ODD_VALUES.keys())
def test_odd_query_value_gets_an_answer(staff_client, mission, name, parameter, value):
    response = staff_client.get(_url(name, mission), {parameter: value})

    # A list shows what is wrong with its filters, an export refuses them (400).
    assert response.status_code in {200, 400}


@pytest.mark.parametrize(("name", "parameter"), QUERIES)
def test_query_value_that_is_not_utf8_gets_an_answer(staff_client, mission, name, parameter):
    response = staff_client.get(f"{_url(name, mission)}?{parameter}={NOT_UTF8}")

    assert response.status_code in {200, 400}


def test_station_search_reads_a_nul_as_nothing(staff_client, mission):
    url = reverse("observation:station_search", args=[mission.pk])

    results = staff_client.get(url, {"q": "Escu\x00ela"}).json()["results"]

    assert [result["code"] for result in results] == ["LIM-001"]


def test_station_list_refuses_a_nul_with_a_form_error(staff_client, mission):
    response = staff_client.get(
        reverse("observation:station_list", args=[mission.pk]), {"q": "\x00"}
    )

    assert response.context["filterset"].errors["q"] == ["Null characters are not allowed."]


@pytest.mark.parametrize("kind", ["station", "delegation"])
@pytest.mark.parametrize(
    "value", [*ODD_VALUES.values(), NOT_UTF8], ids=[*ODD_VALUES.keys(), "not-utf-8"]
)
def test_odd_import_fields_get_an_answer(staff_client, mission, settings, tmp_path, kind, value):
    settings.MEDIA_ROOT = tmp_path
    page = reverse(f"observation:{kind}_import", args=[mission.pk])
    confirm = reverse(f"observation:{kind}_import_confirm", args=[mission.pk])
    named = io.BytesIO(b"code,name,registered voters\n0002,B,1\n")
    named.name = f"stations{value[:200]}.csv"

    answers = [
        staff_client.get(page, {"file": value}),
        # A text where the file should be, and a file with an odd name.
        staff_client.post(page, {"file": value}),
        staff_client.post(page, {"file": named}),
        staff_client.post(confirm, {"token": value}),
        staff_client.post(
            confirm,
            f"token={value}".encode(),
            content_type="application/x-www-form-urlencoded",
        ),
    ]

    assert [answer.status_code < 500 for answer in answers] == [True] * len(answers)
    assert list(PollingStation.objects.values_list("code", flat=True)) == ["LIM-001"]
