import pytest
from django.urls import reverse

from observation.models import Irregularity, ObserverReport
from tests import factories

LISTS = ["station_list", "report_list", "irregularity_list"]


def _rows(response):
    return list(response.context["page"].object_list)


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_need_sign_in_and_membership(client, stranger, mission, name):
    url = reverse(f"observation:{name}", args=[mission.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(stranger)
    assert client.get(url).status_code == 404


def test_stations_filter_by_area_and_code_or_name(staff_client, mission):
    lima = factories.PollingStationFactory(mission=mission, code="0001", name="Escuela Grau")
    factories.PollingStationFactory(mission=mission, code="0002", area_1="Junín")
    factories.PollingStationFactory(code="0001")  # another mission's
    url = reverse("observation:station_list", args=[mission.pk])

    assert _rows(staff_client.get(url, {"area_1": "Lima"})) == [lima]
    assert _rows(staff_client.get(url, {"q": "grau"})) == [lima]
    assert _rows(staff_client.get(url, {"q": "0001"})) == [lima]
    assert _rows(staff_client.get(url, {"area_3": "miraflores", "area_1": "Lima"})) == [lima]


def test_reports_filter_by_round_area_station_phase_assessment_and_observer(staff_client, mission):
    first = factories.ElectionRoundFactory(mission=mission)
    runoff = factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day="2000-05-28"
    )
    junin = factories.PollingStationFactory(mission=mission, area_1="Junín", name="Colegio Junín")
    target = factories.ObserverReportFactory(
        mission=mission, round=runoff, station=junin, phase=ObserverReport.Phase.COUNTING
    )
    factories.ObserverReportFactory.create_batch(3, mission=mission, round=first)
    url = reverse("observation:report_list", args=[mission.pk])

    for query in [
        {"round": runoff.pk},
        {"area_1": "Junín"},
        {"station": junin.code},
        {"station": "colegio"},
        {"phase": "counting"},
        {"observer": target.observer_id},
        {"round": runoff.pk, "assessment": "good", "phase": "counting"},
    ]:
        assert _rows(staff_client.get(url, query)) == [target], query
    assert _rows(staff_client.get(url, {"assessment": "very_bad"})) == []


def test_irregularities_filter_by_category_severity_evidence_status_round_and_area(
    staff_client, mission, reviewer
):
    first = factories.ElectionRoundFactory(mission=mission)
    runoff = factories.ElectionRoundFactory(
        mission=mission, kind="runoff", election_day="2000-05-28"
    )
    target = factories.IrregularityFactory(
        mission=mission,
        round=runoff,
        category=factories.category("vote_buying"),
        severity=Irregularity.Severity.MINOR,
        evidence=Irregularity.Evidence.ALLEGED,
        station__area_1="Puno",
    )
    target.verify(by=reviewer)
    factories.IrregularityFactory.create_batch(2, mission=mission, round=first)
    factories.IrregularityFactory(mission=mission, round=first, station=None)
    url = reverse("observation:irregularity_list", args=[mission.pk])

    for query in [
        {"category": target.category_id},
        {"severity": "minor"},
        {"evidence": "alleged"},
        {"status": "verified"},
        {"area_1": "Puno"},
        {"round": runoff.pk, "severity": "minor"},
    ]:
        assert _rows(staff_client.get(url, query)) == [target], query


def test_pages_keep_the_filters(staff_client, mission):
    factories.PollingStationFactory.create_batch(55, mission=mission, area_1="Cusco")
    url = reverse("observation:station_list", args=[mission.pk])

    response = staff_client.get(url, {"area_1": "Cusco"})

    page = response.context["page"]
    assert (page.paginator.count, page.paginator.num_pages) == (55, 2)
    html = response.content.decode()
    assert "?area_1=Cusco&amp;page=2" in html
    assert "export.csv?area_1=Cusco" in html
    assert len(_rows(staff_client.get(url, {"area_1": "Cusco", "page": 2}))) == 5


def _fill(mission, size):
    rounds = factories.ElectionRoundFactory.create_batch(
        2, mission=mission, kind=factories.factory.Iterator(["first_round", "runoff"])
    )
    for n in range(size):
        station = factories.PollingStationFactory(mission=mission, area_1=f"Area {n % 7}")
        report = factories.ObserverReportFactory(
            mission=mission, station=station, round=rounds[n % 2]
        )
        factories.IrregularityFactory(
            mission=mission, station=station, round=rounds[n % 2], report=report
        )


@pytest.mark.parametrize("size", [5, 60])
@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # session, user, mission with role, area choices, count, page of stations
        ("station_list", 6),
        # ... plus the round, observer and checklist question choices of the filter form
        ("report_list", 9),
        # ... plus the round and category choices of the filter form
        ("irregularity_list", 8),
    ],
)
def test_list_pages_query_count_does_not_grow_with_rows(
    staff_client, mission, django_assert_num_queries, size, name, queries
):
    _fill(mission, size)
    # The question filter lists them, read in one query whatever its labels read.
    factories.standard_checklist(mission)
    url = reverse(f"observation:{name}", args=[mission.pk])

    with django_assert_num_queries(queries):
        response = staff_client.get(url, {"phase": "voting"} if name == "report_list" else {})

    assert response.status_code == 200
    assert len(_rows(response)) == min(size, 50)


@pytest.mark.parametrize("name", ["report_list", "irregularity_list"])
@pytest.mark.parametrize("value", ["other-mission", "abc"])
def test_a_bad_filter_shows_its_error_and_no_rows(staff_client, mission, name, value):
    first = factories.ElectionRoundFactory(mission=mission)
    factories.ObserverReportFactory.create_batch(2, mission=mission, round=first)
    factories.IrregularityFactory.create_batch(2, mission=mission, round=first)
    other_round = factories.ElectionRoundFactory()
    url = reverse(f"observation:{name}", args=[mission.pk])

    response = staff_client.get(
        url, {"round": other_round.pk if value == "other-mission" else value}
    )

    assert response.status_code == 200
    assert _rows(response) == []
    assert list(response.context["filterset"].errors) == ["round"]
    html = response.content.decode()
    assert "These filters are not valid, so no rows are shown" in html
    assert "Select a valid choice" in html
    assert "Export CSV" not in html


def test_an_area_the_mission_does_not_have_shows_no_stations(staff_client, mission):
    factories.PollingStationFactory(mission=mission, area_1="Lima")
    url = reverse("observation:station_list", args=[mission.pk])

    response = staff_client.get(url, {"area_1": "Atlantis"})

    assert _rows(response) == []
    assert list(response.context["filterset"].errors) == ["area_1"]
