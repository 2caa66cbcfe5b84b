"""The leaders' page for setting phones up: as many queries with ten observers as with two."""

import pytest
from django.urls import reverse

from observation.models import MissionMembership
from tests import factories
from tests.odk.conftest import token_for


def _observers(mission, count):
    for _ in range(count):
        team = factories.DelegationMemberFactory(mission=mission)
        observer = factories.MissionMembershipFactory(
            mission=mission, role=MissionMembership.Role.OBSERVER, team=team
        ).user
        token_for(observer)


@pytest.mark.parametrize("observers", [2, 10])
def test_the_setup_page_queries_do_not_grow_with_observers(
    field, client, leader, django_assert_num_queries, observers
):
    mission = field["mission"]
    # The field's own observer is one of them.
    _observers(mission, observers - 1)
    url = reverse("odk:setup", args=[mission.pk])
    client.force_login(leader)
    # The first request generates and caches the form, and warms Django's own caches.
    client.get(url)
    # Session, user, the mission with the leader's role, the observers with their user,
    # team and person, their active tokens, the checklists, and for each checklist's
    # cached form the observed rounds and the irregularity categories (its cache key).
    with django_assert_num_queries(8):
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["observers"]) == observers
    assert all(row["active_tokens"] == 1 for row in page.context["observers"])
