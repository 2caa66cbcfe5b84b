"""Checklist results in the mission summary: stations counted once per round, the share
with a concern and its Wilson interval, per area, in every version of the summary."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observation.checklist_results import checklist_results, percent, wilson
from tests import factories

pytestmark = pytest.mark.django_db


def test_wilson_interval_matches_the_published_values():
    # Newcombe (1998), table I: 81/263 gives 0.2553 to 0.3662, 15/148 0.0624 to 0.1605.
    low, high = wilson(81, 263)
    assert (round(low / 100, 4), round(high / 100, 4)) == (0.2553, 0.3662)
    low, high = wilson(15, 148)
    assert (round(low / 100, 4), round(high / 100, 4)) == (0.0624, 0.1605)
    # All or none answered with a concern stays within 0 to 100 %.
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 100.0
    assert wilson(0, 0) == (0.0, 0.0)


def test_percentages_round_halves_up():
    assert percent(5, 16) == Decimal("31.3")
    assert percent(0, 0) == Decimal("0.0")


@pytest.fixture
def answered(mission, setting, staff):
    """Four stations in two departments; one visited twice, with a concern once."""
    first = setting["round"]
    stations = [
        factories.PollingStationFactory(mission=mission, code=f"S-{n}", area_1=area)
        for n, area in enumerate(["Piura", "Áncash", "Áncash", "Piura"])
    ]
    visits = [
        (stations[0], "yes"),
        (stations[1], "no"),
        (stations[1], "yes"),
        (stations[2], "yes"),
        (stations[3], "no"),
    ]
    for station, sealed in visits:
        factories.ObserverReportFactory(
            mission=mission,
            round=first,
            station=station,
            saved_by=staff,
            answers={"ballot_boxes_sealed": sealed, "secrecy_ensured": "yes"},
        )
    return first


def test_stations_are_counted_once_with_a_concern_if_any_visit_found_one(mission, answered):
    results = {result.question.code: result for result in checklist_results(mission)}

    sealed = results["ballot_boxes_sealed"]
    [(round_, figure)] = sealed.by_round
    assert (round_, figure.answered, figure.concern) == (answered, 4, 2)
    assert figure.percent == Decimal("50.0")
    assert figure.interval == (Decimal("15.0"), Decimal("85.0"))
    assert [(area, f.answered, f.concern) for area, _round, f in sealed.by_area] == [
        ("Áncash", 2, 1),
        ("Piura", 2, 1),
    ]
    assert results["secrecy_ensured"].by_round[0][1].concern == 0
    assert "opened_on_time" not in results


def test_the_figures_take_two_queries_whatever_the_reports(mission, answered, staff):
    def count():
        with CaptureQueriesContext(connection) as captured:
            checklist_results(mission)
        return len(captured)

    before = count()
    factories.ObserverReportFactory.create_batch(
        5, mission=mission, round=answered, saved_by=staff, answers={"secrecy_ensured": "no"}
    )
    assert count() == before


@pytest.mark.parametrize(
    "url_name",
    ["mission_summary", "mission_public_summary"],
)
def test_every_summary_shows_the_results_with_their_interval(
    staff_client, mission, answered, url_name
):
    page = staff_client.get(reverse(f"observation:{url_name}", args=[mission.pk]))
    text = page.content.decode()
    assert "Checklist results" in text
    assert "Ballot boxes sealed" in text
    assert "50.0 % (15.0\u201385.0 %)" in text
    assert "Checklist results by Department" in text


def test_the_pdf_summary_carries_the_results(staff_client, mission, answered):
    from io import BytesIO

    from pypdf import PdfReader

    response = staff_client.get(reverse("observation:mission_summary_pdf", args=[mission.pk]))
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Checklist results" in text
    # A narrow column may wrap the interval after its dash.
    assert re.search(r"50\.0 % \(15\.0\u2013\s*85\.0 %\)", text)
