"""The review queue's filters and sort, kept through a decision."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from observation.models import Irregularity
from observation.views.irregularities import IN_PLACE_HEADER
from tests import factories

pytestmark = pytest.mark.django_db


def queue_url(mission):
    return reverse("observation:review_queue", args=[mission.pk])


def review_url(item):
    return reverse("observation:irregularity_review", args=[item.mission_id, item.pk])


def item(mission, minutes, **fields):
    made = factories.IrregularityFactory(mission=mission, **fields)
    Irregularity.objects.filter(pk=made.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1) + datetime.timedelta(minutes=minutes)
    )
    return made


def shown(response):
    return [each.pk for each in response.context["page"]]


@pytest.fixture
def reviewer_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.fixture
def areas(mission):
    mission.area_1_label = "Region"
    mission.save()
    return {
        "lima": factories.PollingStationFactory(mission=mission, area_1="Lima"),
        "cusco": factories.PollingStationFactory(mission=mission, area_1="Cusco"),
    }


def test_filters_by_severity_category_and_area(reviewer_client, mission, areas):
    lima_minor = item(mission, 1, station=areas["lima"], severity="minor")
    cusco_serious = item(mission, 2, station=areas["cusco"], severity="serious")
    national = item(mission, 3, station=None, severity="serious")
    other = item(
        mission,
        4,
        station=areas["lima"],
        severity="minor",
        category=factories.category("intimidation"),
    )

    assert shown(reviewer_client.get(queue_url(mission), {"severity": "serious"})) == [
        cusco_serious.pk,
        national.pk,
    ]
    # National irregularities have no area: an area filter leaves them out.
    assert shown(reviewer_client.get(queue_url(mission), {"area_1": "Lima"})) == [
        lima_minor.pk,
        other.pk,
    ]
    category = factories.category("intimidation")
    assert shown(reviewer_client.get(queue_url(mission), {"category": category.pk})) == [other.pk]


def test_sorts_serious_first_then_oldest(reviewer_client, mission):
    minor = item(mission, 1, severity="minor")
    significant = item(mission, 2, severity="significant")
    serious_late = item(mission, 4, severity="serious")
    serious_early = item(mission, 3, severity="serious")

    by_time = shown(reviewer_client.get(queue_url(mission)))
    by_severity = shown(reviewer_client.get(queue_url(mission), {"sort": "severity"}))

    assert by_time == [minor.pk, significant.pk, serious_early.pk, serious_late.pk]
    assert by_severity == [serious_early.pk, serious_late.pk, significant.pk, minor.pk]


def test_an_invalid_filter_shows_no_items(reviewer_client, mission):
    item(mission, 1)
    response = reviewer_client.get(queue_url(mission), {"severity": "catastrophic"})
    assert shown(response) == []
    assert b"These filters are not valid" in response.content


def test_the_decision_forms_carry_the_filters(reviewer_client, mission):
    item(mission, 1, severity="serious")
    response = reviewer_client.get(queue_url(mission), {"severity": "serious", "sort": "severity"})
    assert b'name="filters" value="severity=serious&amp;sort=severity"' in response.content


def test_without_the_script_the_next_item_keeps_the_filters(reviewer_client, mission):
    first = item(mission, 1, severity="serious")
    item(mission, 2, severity="minor")
    third = item(mission, 3, severity="serious")

    response = reviewer_client.post(
        review_url(first),
        {"decision": "verify", "next": "queue", "page": "1", "filters": "severity=serious"},
    )

    assert response.url == f"{queue_url(mission)}?severity=serious#irregularity-{third.pk}"


def test_without_the_script_the_next_item_follows_the_severity_sort(reviewer_client, mission):
    minor = item(mission, 1, severity="minor")
    serious = item(mission, 2, severity="serious")
    item(mission, 3, severity="significant")
    significant = Irregularity.objects.filter(severity="significant").get()

    response = reviewer_client.post(
        review_url(serious),
        {"decision": "verify", "next": "queue", "filters": "sort=severity"},
    )

    assert response.url == f"{queue_url(mission)}?sort=severity#irregularity-{significant.pk}"
    response = reviewer_client.post(
        review_url(significant),
        {"decision": "verify", "next": "queue", "filters": "sort=severity"},
    )
    assert response.url == f"{queue_url(mission)}?sort=severity#irregularity-{minor.pk}"


def test_invalid_filters_posted_back_are_dropped(reviewer_client, mission):
    first = item(mission, 1)
    second = item(mission, 2)
    response = reviewer_client.post(
        review_url(first),
        {"decision": "verify", "next": "queue", "filters": "severity=bogus&evil=1"},
    )
    assert response.url == f"{queue_url(mission)}#irregularity-{second.pk}"


def test_a_refusal_returns_to_the_filtered_queue(reviewer_client, mission):
    first = item(mission, 1, severity="serious")
    response = reviewer_client.post(
        review_url(first),
        {"decision": "dismiss", "note": "", "next": "queue", "filters": "severity=serious"},
    )
    assert response.url == f"{queue_url(mission)}?severity=serious"
    first.refresh_from_db()
    assert first.status == Irregularity.Status.REPORTED


def test_an_in_place_decision_leaves_the_filtered_page_as_it_was(reviewer_client, mission):
    first = item(mission, 1, severity="serious")
    response = reviewer_client.post(
        review_url(first),
        {"decision": "verify", "next": "queue", "filters": "severity=serious"},
        headers={IN_PLACE_HEADER: "1"},
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == Irregularity.Status.VERIFIED


@pytest.mark.parametrize("size", [1, 30])
def test_the_filtered_queue_costs_the_same_queries_whatever_its_size(
    reviewer_client, mission, areas, size, django_assert_num_queries
):
    for minutes in range(size):
        item(mission, minutes, station=areas["cusco" if minutes % 2 else "lima"])
    params = {"severity": "serious", "area_1": "Lima", "sort": "severity"}
    reviewer_client.get(queue_url(mission), params)  # warm the session and caches

    with django_assert_num_queries(QUERIES):
        response = reviewer_client.get(queue_url(mission), params)
    assert response.status_code == 200


# Session, user, mission with membership, area choices, count, categories, the page.
QUERIES = 7
