"""The members page: observers come from the roster, never from "Add a member"; its
queries do not grow with the members."""

from django.urls import reverse

from observation.models import MissionMembership
from tests import factories

# The session and its user, the mission, the members with their active keys, the roster
# (whether it has anyone, then its teams for the observers' form).
MEMBERS_PAGE_QUERIES = 6


def test_add_a_member_offers_no_observer_role(leader_client, mission):
    page = leader_client.get(reverse("observation:membership_list", args=[mission.pk]))

    roles = [value for value, _label in page.context["form"].fields["role"].choices]
    assert MissionMembership.Role.OBSERVER not in roles
    assert "Observers are made from the delegation's roster" in page.content.decode()


def test_an_observer_role_posted_anyway_is_refused(leader_client, mission):
    user = factories.UserFactory(username="ana")

    response = leader_client.post(
        reverse("observation:membership_list", args=[mission.pk]),
        {"user": "ana", "role": MissionMembership.Role.OBSERVER},
    )

    assert response.status_code == 200
    assert "Select a valid choice." in " ".join(response.context["form"].errors["role"])
    assert not MissionMembership.objects.filter(mission=mission, user=user).exists()


def test_the_page_costs_the_same_queries_with_more_members(
    leader_client, mission, django_assert_num_queries
):
    url = reverse("observation:membership_list", args=[mission.pk])
    factories.MissionMembershipFactory(mission=mission, role="staff")
    # With a roster, so that the observers' form lists its teams both times.
    factories.DelegationMemberFactory(mission=mission)
    with django_assert_num_queries(MEMBERS_PAGE_QUERIES):
        leader_client.get(url)

    for _n in range(8):
        team = factories.DelegationMemberFactory(mission=mission)
        factories.MissionMembershipFactory(mission=mission, role="observer", team=team)
    assert mission.memberships.count() == 10
    with django_assert_num_queries(MEMBERS_PAGE_QUERIES):
        leader_client.get(url)
