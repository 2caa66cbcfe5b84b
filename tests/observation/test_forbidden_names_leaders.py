"""The "forbidden" page names the mission's leaders to its members, and only to them."""

import pytest
from django.urls import reverse

from observation.models import MissionMembership
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def leaders(mission):
    named = factories.UserFactory(
        first_name="Rosalynn", last_name="Smith", email="rosalynn@example.org"
    )
    unnamed = factories.UserFactory(
        username="jimmy@example.org", first_name="", last_name="", email="jimmy@example.org"
    )
    for user in (named, unnamed):
        factories.MissionMembershipFactory(
            mission=mission, user=user, role=MissionMembership.Role.LEADER
        )
    return named, unnamed


def test_a_member_refused_reads_the_leaders_full_names(client, staff, mission, leaders):
    client.force_login(staff)

    response = client.get(reverse("observation:review_queue", args=[mission.pk]))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Rosalynn Smith" in page
    assert "@example.org" not in page


def test_a_refusal_on_a_locked_mission_names_the_leaders(client, reviewer, mission, leaders):
    mission.lock(by=leaders[0], reason="Final report out.")
    client.force_login(reviewer)

    response = client.get(reverse("observation:irregularity_create", args=[mission.pk]))

    assert response.status_code == 403
    assert "Rosalynn Smith" in response.content.decode()


def test_a_non_member_gets_404_and_no_names(client, stranger, mission, leaders):
    client.force_login(stranger)

    response = client.get(reverse("observation:review_queue", args=[mission.pk]))

    assert response.status_code == 404
    assert "Rosalynn" not in response.content.decode()
