"""Leaders set observers up: an observer from the delegation roster, and an API key for
them shown once on the members page. Nobody else may."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken
from observation.models import MissionMembership
from tests import factories

TOKEN = {"token-name": "Phone of the Cusco team", "token-expires_in": "30"}


@pytest.fixture
def observer_membership(field, observer):
    return MissionMembership.objects.get(user=observer, mission=field["mission"])


def token_url(membership):
    return reverse("observation:membership_token", args=[membership.mission_id, membership.pk])


def invite_url(mission):
    return reverse("observation:observer_invite", args=[mission.pk])


def test_leader_creates_an_api_key_for_an_observer_shown_once(
    client, field, leader, observer, observer_membership
):
    client.force_login(leader)

    response = client.post(token_url(observer_membership), TOKEN)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=observer)
    assert token.name == "Phone of the Cusco team"
    key = response.context["issued"]["key"]
    assert key in response.content.decode()
    assert observer.get_username() in response.content.decode()
    # The observer's phone signs in with it.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(reverse("api:me")).json()["username"] == observer.get_username()
    # Shown once: the members page shows how many keys they have, not the key.
    again = client.get(reverse("observation:membership_list", args=[field["mission"].pk]))
    assert key not in again.content.decode()
    assert "1 active API key" in again.content.decode()


@pytest.mark.parametrize("role", ["staff", "reviewer", "observer"])
def test_only_leaders_create_keys_for_observers(client, field, observer_membership, role):
    team = (
        factories.DelegationMemberFactory(mission=field["mission"]) if role == "observer" else None
    )
    user = factories.MissionMembershipFactory(mission=field["mission"], role=role, team=team).user
    client.force_login(user)

    response = client.post(token_url(observer_membership), TOKEN)

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_stranger_cannot_create_a_key(client, field, observer_membership, stranger):
    client.force_login(stranger)

    assert client.post(token_url(observer_membership), TOKEN).status_code == 404
    assert not ApiToken.objects.exists()


def test_a_locked_mission_refuses_new_keys(client, field, leader, observer_membership):
    field["mission"].lock(by=leader)
    client.force_login(leader)

    assert client.post(token_url(observer_membership), TOKEN).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_leader_creates_keys_for_observers_only(client, field, leader, staff):
    client.force_login(leader)
    membership = MissionMembership.objects.get(user=staff)

    response = client.post(token_url(membership), TOKEN, follow=True)

    assert "for observers only" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_no_key_for_an_observer_with_roles_beyond_the_leaders_missions(
    client, field, leader, observer, observer_membership
):
    # A key opens every mission its user is on: here one the leader does not lead.
    factories.MissionMembershipFactory(user=observer, role="reviewer")
    client.force_login(leader)

    response = client.post(token_url(observer_membership), TOKEN, follow=True)

    assert "create their own API key" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_key_for_an_observer_of_two_missions_both_led_by_the_leader(
    client, field, leader, observer, observer_membership
):
    other = factories.MissionMembershipFactory(user=leader, role="leader").mission
    factories.MissionMembershipFactory(
        mission=other,
        user=observer,
        role="observer",
        team=factories.DelegationMemberFactory(mission=other),
    )
    client.force_login(leader)

    assert client.post(token_url(observer_membership), TOKEN).status_code == 200
    assert ApiToken.objects.filter(user=observer).count() == 1


def test_a_bad_key_form_creates_nothing(client, field, leader, observer_membership):
    client.force_login(leader)

    response = client.post(token_url(observer_membership), {"token-name": ""}, follow=True)

    assert response.status_code == 200
    assert not ApiToken.objects.exists()


# Observers from the delegation roster.


def test_leader_makes_a_delegation_member_an_observer_with_a_new_account(client, field, leader):
    team = factories.DelegationMemberFactory(
        mission=field["mission"], person=factories.PersonFactory(full_name="Ana María Quispe")
    )
    client.force_login(leader)

    response = client.post(invite_url(field["mission"]), {"observer-team": team.pk}, follow=True)

    membership = MissionMembership.objects.get(team=team)
    user = membership.user
    assert membership.role == MissionMembership.Role.OBSERVER
    assert membership.mission == field["mission"]
    assert user.username == "ana-maria-quispe"
    assert (user.first_name, user.last_name) == ("Ana", "María Quispe")
    assert user.is_active
    assert not user.has_usable_password()
    assert "Account ana-maria-quispe created" in response.content.decode()
    # The next move: a key for them, from the same page.
    assert token_url(membership) in response.content.decode()


def test_a_second_member_of_the_same_name_gets_a_free_user_name(client, field, leader):
    person = factories.PersonFactory(full_name="Luis Rojas")
    factories.UserFactory(username="luis-rojas")
    team = factories.DelegationMemberFactory(mission=field["mission"], person=person)
    client.force_login(leader)

    client.post(invite_url(field["mission"]), {"observer-team": team.pk})

    assert MissionMembership.objects.get(team=team).user.username == "luis-rojas-2"


def test_leader_makes_an_existing_account_an_observer(client, field, leader):
    existing = factories.UserFactory(username="rosa")
    client.force_login(leader)

    client.post(
        invite_url(field["mission"]),
        {"observer-team": field["other_team"].pk, "observer-user": "rosa"},
    )

    membership = MissionMembership.objects.get(user=existing)
    assert (membership.role, membership.team) == ("observer", field["other_team"])


def test_a_member_already_on_the_mission_is_refused(client, field, leader, staff):
    client.force_login(leader)
    before = MissionMembership.objects.count()

    response = client.post(
        invite_url(field["mission"]),
        {"observer-team": field["team"].pk, "observer-user": staff.username},
        follow=True,
    )

    assert "is on this mission already" in response.content.decode()
    assert MissionMembership.objects.count() == before


def test_a_member_of_another_delegation_is_refused(client, field, leader):
    elsewhere = factories.DelegationMemberFactory()
    client.force_login(leader)
    users = get_user_model().objects.count()

    response = client.post(
        invite_url(field["mission"]), {"observer-team": elsewhere.pk}, follow=True
    )

    assert "Choose a member of this mission&#x27;s delegation." in response.content.decode()
    assert get_user_model().objects.count() == users
    assert not MissionMembership.objects.filter(team=elsewhere).exists()


@pytest.mark.parametrize("role", ["staff", "reviewer", "observer"])
def test_only_leaders_invite_observers(client, field, role):
    team = (
        factories.DelegationMemberFactory(mission=field["mission"]) if role == "observer" else None
    )
    user = factories.MissionMembershipFactory(mission=field["mission"], role=role, team=team).user
    client.force_login(user)
    users = get_user_model().objects.count()

    response = client.post(invite_url(field["mission"]), {"observer-team": field["team"].pk})

    assert response.status_code == 403
    assert get_user_model().objects.count() == users


def test_a_locked_mission_takes_no_new_observers(client, field, leader):
    field["mission"].lock(by=leader)
    client.force_login(leader)

    response = client.post(invite_url(field["mission"]), {"observer-team": field["team"].pk})

    assert response.status_code == 403
    assert not MissionMembership.objects.filter(role="observer").exists()


def test_the_members_page_offers_the_roster_to_leaders(client, field, leader):
    client.force_login(leader)

    page = client.get(reverse("observation:membership_list", args=[field["mission"].pk]))

    assert invite_url(field["mission"]) in page.content.decode()
    assert str(field["team"].person) in page.content.decode()


def test_a_mission_with_observers_deletes_with_them(field, observer_membership):
    mission = field["mission"]

    mission.delete()

    assert not MissionMembership.objects.filter(pk=observer_membership.pk).exists()
