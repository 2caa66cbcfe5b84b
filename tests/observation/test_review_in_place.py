"""The review queue as a work tool: a decision keeps the reviewer's place."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from observation.models import Irregularity
from observation.views.irregularities import IN_PLACE_HEADER, QUEUE_PAGE_SIZE
from tests import factories

pytestmark = pytest.mark.django_db


def queue_url(mission):
    return reverse("observation:review_queue", args=[mission.pk])


def review_url(irregularity):
    return reverse(
        "observation:irregularity_review", args=[irregularity.mission_id, irregularity.pk]
    )


def queue_of(mission, n):
    start = timezone.now() - datetime.timedelta(days=1)
    items = []
    for i in range(n):
        item = factories.IrregularityFactory(mission=mission)
        Irregularity.objects.filter(pk=item.pk).update(
            created_at=start + datetime.timedelta(minutes=i)
        )
        items.append(item)
    return items


def test_a_decision_in_place_answers_with_the_item_result(client, reviewer, mission):
    (item,) = queue_of(mission, 1)
    client.force_login(reviewer)

    response = client.post(
        review_url(item),
        {"decision": "verify", "note": "Seen.", "next": "queue"},
        headers={IN_PLACE_HEADER: "1"},
    )

    assert response.status_code == 200
    assert b"review-result" in response.content
    assert item.get_absolute_url().encode() in response.content
    item.refresh_from_db()
    assert item.status == Irregularity.Status.VERIFIED


def test_a_refused_decision_in_place_says_why_and_changes_nothing(client, reviewer, mission):
    (item,) = queue_of(mission, 1)
    client.force_login(reviewer)

    response = client.post(
        review_url(item), {"decision": "dismiss", "note": ""}, headers={IN_PLACE_HEADER: "1"}
    )

    assert response.status_code == 400
    assert b"review-refusal" in response.content
    item.refresh_from_db()
    assert item.status == Irregularity.Status.REPORTED


def test_without_the_script_the_queue_reopens_at_the_next_item(client, reviewer, mission):
    first, second, _third = queue_of(mission, 3)
    client.force_login(reviewer)

    response = client.post(review_url(first), {"decision": "verify", "next": "queue", "page": "1"})

    assert response.url == f"{queue_url(mission)}#irregularity-{second.pk}"


def test_a_later_page_is_named_when_the_next_item_falls_on_it(client, reviewer, mission):
    items = queue_of(mission, QUEUE_PAGE_SIZE + 3)
    client.force_login(reviewer)

    response = client.post(
        review_url(items[QUEUE_PAGE_SIZE + 1]), {"decision": "verify", "next": "queue"}
    )

    assert response.url == (
        f"{queue_url(mission)}?page=2#irregularity-{items[QUEUE_PAGE_SIZE + 2].pk}"
    )


def test_queue_controls_name_their_item(client, reviewer, mission):
    (item,) = queue_of(mission, 1)
    client.force_login(reviewer)

    page = client.get(queue_url(mission)).content.decode()

    assert f'Verify<span class="visually-hidden"> — {item.category}</span>' in page
    assert f'id="irregularity-{item.pk}"' in page
    assert "review-queue.js" in page
