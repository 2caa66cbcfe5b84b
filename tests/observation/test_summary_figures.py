"""Figures the summary printed wrong, each reproduced on a small mission."""

import datetime
import io
import itertools

import pytest
from django.urls import reverse
from pypdf import PdfReader

from observation.models import Irregularity, ObserverReport
from observation.summary import COLOURS, DETAIL_LIMIT, build_summary
from tests import factories
from tests.factories import category

pytestmark = pytest.mark.django_db
Severity = Irregularity.Severity


@pytest.fixture
def first(mission):
    return factories.ElectionRoundFactory(mission=mission)


def _overvote(mission, first, station, cast, leader):
    report = factories.ObserverReportFactory(
        mission=mission, round=first, station=station, ballots_cast=cast, saved_by=leader
    )
    return Irregularity.objects.get(report=report, raised_by_system=True)


def test_an_unverified_largest_figure_keeps_its_badge_when_a_smaller_one_is_verified(
    mission, first, leader
):
    station = factories.PollingStationFactory(mission=mission, registered_voters=200)
    _overvote(mission, first, station, 230, leader).verify(by=leader)
    _overvote(mission, first, station, 260, leader)

    [listed] = build_summary(mission=mission, public=False, include_unverified=True).overvotes

    assert listed.ballots_cast == 260
    assert listed.verified is False
    [verified] = build_summary(mission=mission, public=False, include_unverified=False).overvotes
    assert (verified.ballots_cast, verified.verified) == (230, True)


def test_a_dismissed_overvote_is_not_an_overvote_station(mission, first, leader):
    station = factories.PollingStationFactory(mission=mission, registered_voters=200)
    _overvote(mission, first, station, 260, leader).dismiss(by=leader, note="Miscounted.")

    for include_unverified in (True, False):
        summary = build_summary(
            mission=mission, public=False, include_unverified=include_unverified
        )
        assert summary.overvotes == []


def test_shares_round_halves_up(mission, first):
    for index in range(16):
        station = factories.PollingStationFactory(mission=mission)
        if index < 5:
            factories.ObserverReportFactory(mission=mission, round=first, station=station)

    [first_round] = build_summary(mission=mission, public=False, include_unverified=False).coverage

    assert str(first_round.coverage.percent) == "31.3"


def test_a_mission_without_stations_states_no_share(client, staff, mission):
    client.force_login(staff)

    page = client.get(reverse("observation:mission_summary", args=[mission.pk]))

    text = page.content.decode()
    assert "0 of 0" not in text and "0.0 %" not in text
    assert "No polling station is listed for this mission" in text


def test_a_cut_serious_list_shows_every_category(mission, first, leader):
    crowded, rare = category("pre_marked_ballots"), category("intimidation")
    for _ in range(DETAIL_LIMIT + 5):
        factories.IrregularityFactory(
            mission=mission, round=first, category=crowded, severity=Severity.SERIOUS
        ).verify(by=leader)
    factories.IrregularityFactory(
        mission=mission, round=first, category=rare, severity=Severity.SERIOUS
    ).verify(by=leader)

    summary = build_summary(mission=mission, public=False, include_unverified=False)

    listed = [irregularity.category for irregularity in summary.serious_irregularities]
    assert len(listed) == DETAIL_LIMIT
    assert rare in listed
    assert summary.more_serious_irregularities
    # Still read by category.
    assert listed == sorted(listed, key=lambda c: (c.position, c.name))


def test_areas_sort_as_a_reader_expects(mission, first):
    for area in ("Piura", "Áncash", "lima", "Cusco"):
        factories.PollingStationFactory(mission=mission, area_1=area)

    summary = build_summary(mission=mission, public=False, include_unverified=False)

    assert [area for area, _listed, _cells in summary.coverage_by_area] == [
        "Áncash",
        "Cusco",
        "lima",
        "Piura",
    ]


def test_a_statement_citing_a_later_corrected_overvote_says_so(
    client, staff, mission, first, leader
):
    station = factories.PollingStationFactory(mission=mission, registered_voters=200)
    overvote = _overvote(mission, first, station, 260, leader)
    overvote.verify(by=leader)
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.cited_irregularities.add(overvote)
    corrected = datetime.datetime(2000, 4, 12, 15, 0, tzinfo=datetime.UTC)
    Irregularity.objects.filter(pk=overvote.pk).update(superseded_at=corrected)
    client.force_login(staff)

    page = client.get(statement.get_absolute_url()).content.decode()

    assert "260 ballots cast" in page
    assert "The report was corrected after this was cited, on 12 Apr 2000" in page


def test_every_figure_is_given_per_round(client, staff, mission, first, leader):
    runoff = factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day=datetime.date(2000, 5, 28)
    )
    lima, cusco = (
        factories.PollingStationFactory(mission=mission, code=code, registered_voters=300)
        for code in ("L1", "C1")
    )
    factories.PollingStationFactory(mission=mission, code="P1")

    def report(round_, station, assessment, **extra):
        return factories.ObserverReportFactory(
            mission=mission,
            round=round_,
            station=station,
            phase="voting",
            assessment=assessment,
            saved_by=leader,
            **extra,
        )

    report(first, lima, "bad")
    report(first, cusco, "good")
    # Lima visited twice in the runoff's voting: it counts once, with its latest report.
    report(runoff, lima, "very_bad")
    report(runoff, lima, "good")

    summary = build_summary(mission=mission, public=False, include_unverified=False)

    assert [(c.round, c.coverage.visited, c.coverage.listed) for c in summary.coverage] == [
        (first, 2, 3),
        (runoff, 1, 3),
    ]
    voting = {a.round: a.phases[0] for a in summary.assessments}
    assert (voting[first].total, voting[first].bad, str(voting[first].bad_percent)) == (
        2,
        1,
        "50.0",
    )
    assert (voting[runoff].total, voting[runoff].by_assessment) == (1, [0, 1, 0, 0])
    client.force_login(staff)
    page = client.get(reverse("observation:mission_summary", args=[mission.pk])).content.decode()
    assert "First round, 9 Apr 2000: 2 of 3 polling stations visited (66.7 %)" in page
    assert "Runoff, 28 May 2000: 1 of 3 polling stations visited (33.3 %)" in page
    assert (
        "Voting assessed bad or very bad in 50.0 % of the 2 polling stations assessed (1); "
        "95 % interval 9.5\N{EN DASH}90.5 %." in page
    )


def test_coverage_by_any_administrative_level_on_screen_and_the_first_in_print(
    client, staff, mission, first
):
    for code, province, visited in (("L1", "Lima", True), ("L2", "Huaura", False)):
        station = factories.PollingStationFactory(
            mission=mission, code=code, area_1="Lima", area_2=province
        )
        if visited:
            factories.ObserverReportFactory(mission=mission, round=first, station=station)
    client.force_login(staff)
    url = reverse("observation:mission_summary", args=[mission.pk])

    by_province = client.get(url, {"level": "2"}).context["summary"]
    assert by_province.area_label == "Province"
    assert [(area, cells[0].visited) for area, _n, cells in by_province.coverage_by_area] == [
        ("Huaura", 0),
        ("Lima", 1),
    ]
    for level in ("9", "x", "-1"):
        summary = client.get(url, {"level": level}).context["summary"]
        assert summary.area_label == "Department"
    printed = client.get(
        reverse("observation:mission_summary_pdf", args=[mission.pk]), {"level": "2"}
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.content)).pages)
    assert "Department" in text
    assert "Province" not in text
    assert 'id="coverage-level"' in client.get(url).content.decode()


def test_a_random_sample_is_given_apart_with_its_intervals(client, staff, mission, first):
    for index in range(10):
        station = factories.PollingStationFactory(mission=mission, in_sample=index < 4)
        assessment = "bad" if index in (0, 5, 6) else "good"
        factories.ObserverReportFactory(
            mission=mission, round=first, station=station, phase="voting", assessment=assessment
        )

    summary = build_summary(mission=mission, public=True, include_unverified=False)

    # Deployment: 3 of 10 bad. Sample: 4 stations, all observed, 1 of them bad.
    assert summary.sample_size == 4
    [sample] = summary.sample
    assert [(h.part, h.whole) for h in sample.headlines] == [(4, 4), (1, 4)]
    [deployment] = summary.headlines
    assert (deployment.headlines[0].part, deployment.headlines[0].whole) == (3, 10)
    client.force_login(staff)
    page = client.get(reverse("observation:mission_summary", args=[mission.pk])).content.decode()
    assert "From the 4 polling stations the mission drew at random" in page


def test_without_a_sample_the_summary_says_nothing_of_one(mission, first):
    station = factories.PollingStationFactory(mission=mission)
    factories.ObserverReportFactory(mission=mission, round=first, station=station)

    summary = build_summary(mission=mission, public=True, include_unverified=False)

    assert (summary.sample_size, summary.sample) == (0, [])


def _grey(colour: str) -> float:
    """The share of white a colour prints as in grey (Rec. 709 luma)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("scale", [ObserverReport.Assessment.values, Irregularity.Severity.values])
def test_chart_colours_stay_apart_in_grey(scale):
    greys = [_grey(COLOURS[value]) for value in scale]
    # From the best to the worst, each piece prints clearly darker than the one before.
    assert all(lighter - darker >= 0.15 for lighter, darker in itertools.pairwise(greys))


def test_assessments_by_the_chosen_administrative_level(client, staff, mission, first):
    def station(province):
        return factories.PollingStationFactory(mission=mission, area_1="Lima", area_2=province)

    lima, huaura = station("Lima"), station("Huaura")
    for where, phase, assessment in (
        (lima, "voting", "bad"),
        (lima, "voting", "good"),  # the latest for Lima: the first no longer counts
        (huaura, "voting", "very_bad"),
        (huaura, "counting", "good"),
    ):
        factories.ObserverReportFactory(
            mission=mission, round=first, station=where, phase=phase, assessment=assessment
        )
    client.force_login(staff)
    url = reverse("observation:mission_summary", args=[mission.pk])

    [day] = client.get(url, {"level": "2"}).context["summary"].assessments
    figures = {
        area.area: [None if f is None else (f.part, f.whole) for f in area.figures]
        for area in day.by_area
    }
    assert figures == {"Huaura": [(1, 1), (0, 1)], "Lima": [(0, 1), None]}
    [day] = client.get(url).context["summary"].assessments
    assert [(area.area, area.figures[0].whole) for area in day.by_area] == [("Lima", 2)]


def test_irregularities_by_the_chosen_administrative_level(client, staff, mission, first, leader):
    lima = factories.PollingStationFactory(mission=mission, area_1="Lima", area_2="Huaura")
    cusco = factories.PollingStationFactory(mission=mission, area_1="Cusco", area_2="Urubamba")
    for where, severity in ((lima, "serious"), (lima, "minor"), (cusco, "minor"), (None, "minor")):
        factories.IrregularityFactory(
            mission=mission, round=first, station=where, severity=severity
        ).verify(by=leader)
    client.force_login(staff)
    url = reverse("observation:mission_summary", args=[mission.pk])

    [day] = client.get(url, {"level": "2"}).context["summary"].irregularities
    assert [(row.category, row.verified_by_severity) for row in day.by_area] == [
        ("Huaura", [1, 0, 1]),
        ("Urubamba", [1, 0, 0]),
        (None, [1, 0, 0]),
    ]
    page = client.get(url).content.decode()
    assert "Verified irregularities by Department" in page
