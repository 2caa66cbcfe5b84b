"""The admin of organisations, people, missions and what hangs off a mission
(observation/admin/missions.py)."""

import pytest
from django.urls import reverse

from observation.models import Irregularity, Mission, MissionMembership
from tests import factories
from tests.observation.admin.conftest import _action, _admin_user, _messages, _permissions

pytestmark = pytest.mark.django_db


def test_mission_change_page_shows_its_inlines(admin_client, mission):
    factories.DelegationMemberFactory(mission=mission)
    factories.ElectionRoundFactory(mission=mission)
    factories.MissionPartnerFactory(mission=mission)
    response = admin_client.get(reverse("admin:observation_mission_change", args=[mission.pk]))
    assert response.status_code == 200
    prefixes = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert prefixes == {"partnerships", "delegation", "rounds", "memberships"}


def test_adding_a_mission_with_its_rounds_and_members(admin_client, user):
    lead = factories.OrganizationFactory(name="The Carter Center")
    inline_forms = {
        prefix: {
            f"{prefix}-TOTAL_FORMS": 0,
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for prefix in ("partnerships", "delegation", "rounds", "memberships")
    }
    data = {
        "name": "Peru 2000 general elections",
        "country": "PE",
        "time_zone": "America/Lima",
        "election": "2000 general elections",
        "kind": Mission.Kind.FULL,
        "status": Mission.Status.ACTIVE,
        "lead_organization": lead.pk,
        "start_date": "2000-03-01",
        "end_date": "2000-07-31",
        "area_label_1": "Department",
        **inline_forms["partnerships"],
        **inline_forms["delegation"],
        **{
            **inline_forms["rounds"],
            "rounds-TOTAL_FORMS": 2,
            "rounds-0-kind": "first_round",
            "rounds-0-election_day": "2000-04-09",
            "rounds-0-observed": "on",
            "rounds-1-kind": "runoff",
            "rounds-1-election_day": "2000-05-28",
            "rounds-1-not_observed_reason": "Fundamental flaws were not rectified.",
        },
        **{
            **inline_forms["memberships"],
            "memberships-TOTAL_FORMS": 1,
            "memberships-0-user": user.pk,
            "memberships-0-role": MissionMembership.Role.LEADER,
        },
    }
    response = admin_client.post(reverse("admin:observation_mission_add"), data)
    assert response.status_code == 302
    mission = Mission.objects.get(name="Peru 2000 general elections")
    assert mission.rounds.count() == 2
    assert mission.rounds.get(kind="runoff").observed is False
    assert mission.role_of(user) == MissionMembership.Role.LEADER


def test_adding_a_round_not_observed_without_a_reason_is_refused(admin_client, mission):
    url = reverse("admin:observation_electionround_add")
    data = {"mission": mission.pk, "kind": "runoff", "election_day": "2000-05-28"}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["not_observed_reason"]
    assert mission.rounds.count() == 0


def test_correcting_a_stations_register_in_the_admin_resyncs_its_reports(admin_client, mission):
    report = factories.ObserverReportFactory(mission=mission, ballots_cast=250)
    station = report.station
    url = reverse("admin:observation_pollingstation_change", args=[station.pk])
    data = {
        "code": station.code,
        "name": station.name,
        "area_1": station.area_1,
        "registered_voters": 200,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    assert Irregularity.objects.filter(report=report, raised_by_system=True).exists()


def test_lock_and_unlock_actions_record_who_and_why(admin_client, superuser, mission):
    asked = _action(admin_client, "mission", "lock", [mission])
    assert "Why they are locked" in asked.content.decode()
    mission.refresh_from_db()
    assert not mission.is_locked

    _action(admin_client, "mission", "lock", [mission], apply="1", note="Final report out.")
    mission.refresh_from_db()
    assert mission.locked_by == superuser
    response = _action(admin_client, "mission", "lock", [mission], apply="1", note="Again.")
    assert any("is locked" in message for message in _messages(response))
    _action(admin_client, "mission", "unlock", [mission], apply="1", note="A correction.")
    mission.refresh_from_db()
    assert not mission.is_locked
    assert [h.history_change_reason for h in mission.history.order_by("history_id")][-2:] == [
        "Final report out.",
        "A correction.",
    ]


def test_lock_action_needs_a_leader(client, mission, reviewer):
    reviewer.is_staff = True
    reviewer.save()
    reviewer.user_permissions.add(*_permissions("view_mission", "change_mission"))
    client.force_login(reviewer)
    _action(client, "mission", "lock", [mission], apply="1", note="Final report out.")
    mission.refresh_from_db()
    assert not mission.is_locked


def test_membership_admin_is_registered(admin_client, mission, staff):
    membership = MissionMembership.objects.get(user=staff)
    url = reverse("admin:observation_missionmembership_change", args=[membership.pk])
    assert admin_client.get(url).status_code == 200


# Admin users who are not superusers act within their missions and roles.


def test_membership_history_of_a_mission_not_led_is_not_found(client, mission, staff, leader):
    client.force_login(_admin_user(staff, "view_missionmembership"))
    membership = MissionMembership.objects.get(user=leader)
    url = reverse("admin:observation_missionmembership_history", args=[membership.pk])
    assert client.get(url).status_code == 404


MEMBERSHIP_PERMISSIONS = (
    "view_missionmembership",
    "add_missionmembership",
    "change_missionmembership",
    "delete_missionmembership",
)


def test_staff_admin_user_cannot_promote_themselves(client, mission, staff):
    # Staff with the membership permissions could open their own membership and make
    # themselves leader.
    client.force_login(_admin_user(staff, *MEMBERSHIP_PERMISSIONS))
    membership = MissionMembership.objects.get(user=staff)
    url = reverse("admin:observation_missionmembership_change", args=[membership.pk])
    response = client.post(url, {"role": MissionMembership.Role.LEADER})
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    membership.refresh_from_db()
    assert membership.role == MissionMembership.Role.STAFF
    changelist = client.get(reverse("admin:observation_missionmembership_changelist"))
    assert list(changelist.context["cl"].result_list) == []


def test_staff_admin_user_cannot_join_another_mission(client, mission, staff):
    client.force_login(_admin_user(staff, *MEMBERSHIP_PERMISSIONS))
    other = factories.MissionFactory()
    count = MissionMembership.objects.count()
    data = {"user": staff.pk, "mission": other.pk, "role": MissionMembership.Role.LEADER}
    response = client.post(reverse("admin:observation_missionmembership_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["mission"]
    assert MissionMembership.objects.count() == count
    assert other.role_of(staff) is None


def test_leader_manages_memberships_of_their_missions_only(client, mission, leader, staff):
    client.force_login(_admin_user(leader, *MEMBERSHIP_PERMISSIONS))
    factories.MissionMembershipFactory()
    response = client.get(reverse("admin:observation_missionmembership_changelist"))
    assert set(response.context["cl"].result_list) == set(mission.memberships.all())

    membership = MissionMembership.objects.get(user=staff)
    url = reverse("admin:observation_missionmembership_change", args=[membership.pk])
    assert client.post(url, {"role": MissionMembership.Role.REVIEWER}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == MissionMembership.Role.REVIEWER


def test_leader_cannot_change_or_remove_their_own_membership(client, mission, leader):
    client.force_login(_admin_user(leader, *MEMBERSHIP_PERMISSIONS))
    own = MissionMembership.objects.get(user=leader)
    url = reverse("admin:observation_missionmembership_change", args=[own.pk])
    assert client.post(url, {"role": MissionMembership.Role.STAFF}).status_code == 403
    delete = reverse("admin:observation_missionmembership_delete", args=[own.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    own.refresh_from_db()
    assert own.role == MissionMembership.Role.LEADER


def test_mission_page_leaves_memberships_to_leaders(client, mission, staff, leader):
    # The mission page's membership rows were one more way for staff to promote themselves.
    client.force_login(
        _admin_user(staff, "view_mission", "change_mission", *MEMBERSHIP_PERMISSIONS)
    )
    response = client.get(reverse("admin:observation_mission_change", args=[mission.pk]))
    (memberships,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "memberships"
    ]
    assert not memberships.has_add_permission
    assert not memberships.has_change_permission
    assert not memberships.has_delete_permission

    client.force_login(
        _admin_user(leader, "view_mission", "change_mission", *MEMBERSHIP_PERMISSIONS)
    )
    response = client.get(reverse("admin:observation_mission_change", args=[mission.pk]))
    (memberships,) = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "memberships"
    ]
    assert memberships.has_change_permission
    # The leader's own row is not among those they may edit.
    assert {form.instance.user for form in memberships.formset.initial_forms} == {staff}
