"""Leaders invite members by e-mail; the link sets the password once."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from observation.models import MissionMembership
from tests import factories

pytestmark = pytest.mark.django_db
User = get_user_model()


def invite_url(mission):
    return reverse("observation:membership_invite", args=[mission.pk])


def invite(client, mission, email="new.person@example.org", role="reviewer"):
    return client.post(
        invite_url(mission), {"invite-email": email, "invite-role": role}, follow=True
    )


def link_in(message):
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_members_page_offers_the_invitation(leader_client, mission):
    page = leader_client.get(reverse("observation:membership_list", args=[mission.pk]))
    assert invite_url(mission).encode() in page.content


def test_an_unknown_address_is_invited_and_the_link_sets_the_password_once(client, leader, mission):
    client.force_login(leader)
    response = invite(client, mission)

    assert "Invitation sent to new.person@example.org" in response.content.decode()
    user = User.objects.get(email="new.person@example.org")
    assert not user.is_active and not user.has_usable_password()
    assert MissionMembership.objects.get(mission=mission, user=user).role == "reviewer"
    (message,) = mail.outbox
    assert message.to == ["new.person@example.org"]
    assert mission.name in message.subject
    link = link_in(message)

    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    password = "a long and new passphrase 42"
    done = client.post(set_url, {"new_password1": password, "new_password2": password})
    assert done.status_code == 302 and done.url == reverse("login")

    user.refresh_from_db()
    assert user.is_active and user.check_password(password)

    # The same link again: refused.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert b"invalid-link" in again.content


def test_an_expired_link_is_refused(client, leader, mission, settings):
    client.force_login(leader)
    invite(client, mission)
    link = link_in(mail.outbox[0])
    client.logout()
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert not client.get(link, follow=True).context["validlink"]


def test_an_existing_user_is_added_without_mail(leader_client, mission):
    someone = factories.UserFactory(email="known@example.org")

    response = invite(leader_client, mission, email="KNOWN@example.org", role="staff")

    assert "added as" in response.content.decode()
    assert MissionMembership.objects.get(mission=mission, user=someone).role == "staff"
    assert mail.outbox == []


def nothing_created(mission, users_before, members_before):
    assert User.objects.count() == users_before
    assert mission.memberships.count() == members_before
    assert mail.outbox == []


def test_a_member_already_is_refused_clearly(leader_client, mission, staff):
    users, members = User.objects.count(), mission.memberships.count()
    response = invite(leader_client, mission, email=staff.email)
    assert f"{staff.email} is on this mission already" in response.content.decode()
    nothing_created(mission, users, members)


def test_an_observer_cannot_be_invited_here(leader_client, mission):
    users, members = User.objects.count(), mission.memberships.count()
    response = invite(leader_client, mission, role="observer")
    assert "Select a valid choice" in response.content.decode()
    nothing_created(mission, users, members)


def test_a_bad_address_is_refused(leader_client, mission):
    users, members = User.objects.count(), mission.memberships.count()
    invite(leader_client, mission, email="not an address")
    nothing_created(mission, users, members)


def test_staff_cannot_invite(staff_client, mission):
    users, members = User.objects.count(), mission.memberships.count()
    response = staff_client.post(
        invite_url(mission), {"invite-email": "x@example.org", "invite-role": "staff"}
    )
    assert response.status_code == 403
    nothing_created(mission, users, members)


def test_a_locked_mission_refuses(client, leader, mission):
    mission.lock(by=leader, reason="Final report out.")
    client.force_login(leader)
    users, members = User.objects.count(), mission.memberships.count()
    response = client.post(
        invite_url(mission), {"invite-email": "x@example.org", "invite-role": "staff"}
    )
    assert response.status_code == 403
    nothing_created(mission, users, members)
    page = client.get(reverse("observation:membership_list", args=[mission.pk]))
    assert invite_url(mission).encode() not in page.content
