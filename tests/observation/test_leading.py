"""A leader runs the mission's membership in the web app; a refusal names the leaders."""

import pytest
from django.urls import reverse

from observation.models import MissionMembership
from tests import factories

pytestmark = pytest.mark.django_db
Role = MissionMembership.Role


def members_url(mission):
    return reverse("observation:membership_list", args=[mission.pk])


def test_leader_adds_an_existing_user_by_user_name(leader_client, mission):
    newcomer = factories.UserFactory(username="jlincoln")

    response = leader_client.post(members_url(mission), {"user": "JLincoln", "role": "reviewer"})

    assert response.status_code == 302
    assert mission.memberships.get(user=newcomer).role == Role.REVIEWER


def test_leader_adds_an_existing_user_by_e_mail(leader_client, mission):
    newcomer = factories.UserFactory(email="jennie@example.org")

    leader_client.post(members_url(mission), {"user": "Jennie@Example.org", "role": "staff"})

    assert mission.memberships.get(user=newcomer).role == Role.STAFF


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("nobody", "No single active user has this user name or e-mail address."),
        ("", "This field is required."),
    ],
)
def test_adding_an_unknown_user_says_so_and_adds_nobody(leader_client, mission, typed, message):
    before = mission.memberships.count()

    response = leader_client.post(members_url(mission), {"user": typed, "role": "staff"})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert mission.memberships.count() == before


def test_adding_a_member_twice_is_refused(leader_client, mission, staff):
    response = leader_client.post(members_url(mission), {"user": staff.username, "role": "leader"})

    assert "is on this mission already" in response.content.decode()
    assert mission.memberships.get(user=staff).role == Role.STAFF


def test_adding_with_an_unknown_role_is_refused(leader_client, mission):
    newcomer = factories.UserFactory()

    response = leader_client.post(members_url(mission), {"user": newcomer.username, "role": "king"})

    assert "Select a valid choice" in response.content.decode()
    assert not mission.memberships.filter(user=newcomer).exists()


def test_leader_changes_a_role(leader_client, mission, staff):
    membership = mission.memberships.get(user=staff)

    leader_client.post(
        reverse("observation:membership_role", args=[mission.pk, membership.pk]),
        {"role": "reviewer"},
    )

    membership.refresh_from_db()
    assert membership.role == Role.REVIEWER


def test_nobody_changes_their_own_role(leader_client, mission, leader):
    own = mission.memberships.get(user=leader)

    response = leader_client.post(
        reverse("observation:membership_role", args=[mission.pk, own.pk]),
        {"role": "staff"},
        follow=True,
    )

    assert "Nobody changes their own role" in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.LEADER


def test_leader_removes_a_member_after_confirming(leader_client, mission, staff):
    membership = mission.memberships.get(user=staff)
    page = leader_client.get(members_url(mission)).content.decode()
    assert "Take" in page and "off this mission?" in page  # the confirmation asked first

    leader_client.post(reverse("observation:membership_remove", args=[mission.pk, membership.pk]))

    assert not mission.memberships.filter(user=staff).exists()


def test_the_refusal_page_names_the_mission_leaders(client, mission, staff):
    factories.MissionMembershipFactory(
        mission=mission,
        role=Role.LEADER,
        user=factories.UserFactory(first_name="Jennifer", last_name="McCoy"),
    )
    client.force_login(staff)

    response = client.get(members_url(mission))

    assert response.status_code == 403
    assert "This mission&#x27;s leaders:" in response.content.decode()
    assert "Jennifer McCoy" in response.content.decode()
