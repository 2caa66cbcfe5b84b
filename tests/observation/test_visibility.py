"""Who sees which missions, and the query vocabulary the views use."""

import pytest
from django.contrib.auth.models import AnonymousUser

from observation.models import FindingsStatement, Irregularity, Mission, ObserverReport
from tests import factories

pytestmark = pytest.mark.django_db


def test_members_see_their_missions_only(mission, staff, stranger):
    factories.MissionFactory()
    assert list(Mission.objects.for_user(staff)) == [mission]
    assert mission not in Mission.objects.for_user(stranger)
    assert Mission.objects.for_user(stranger).count() == 1


def test_each_role_sees_the_mission(mission, staff, reviewer, leader):
    for user in (staff, reviewer, leader):
        assert list(Mission.objects.for_user(user)) == [mission]


def test_superusers_see_every_mission(mission, superuser):
    other = factories.MissionFactory()
    assert set(Mission.objects.for_user(superuser)) == {mission, other}


def test_a_user_on_no_mission_sees_none(mission, user):
    assert not Mission.objects.for_user(user).exists()


def test_anonymous_visitors_see_none(mission):
    assert not Mission.objects.for_user(AnonymousUser()).exists()


def test_inactive_users_see_none(mission, staff, superuser):
    for user in (staff, superuser):
        user.is_active = False
        user.save()
        assert not Mission.objects.for_user(user).exists()


def test_a_member_of_two_missions_sees_each_once(mission, staff):
    other = factories.MissionFactory()
    factories.MissionMembershipFactory(mission=other, user=staff)
    assert sorted(Mission.objects.for_user(staff).values_list("pk", flat=True)) == sorted(
        [mission.pk, other.pk]
    )


def test_role_of_a_user_on_a_mission(mission, staff, leader, stranger, superuser):
    assert mission.role_of(staff) == "staff"
    assert mission.role_of(leader) == "leader"
    assert mission.role_of(stranger) is None
    assert mission.role_of(superuser) == "leader"


def test_locked_and_unlocked_missions(mission, leader):
    other = factories.MissionFactory()
    mission.lock(by=leader)
    assert list(Mission.objects.locked()) == [mission]
    assert list(Mission.objects.unlocked()) == [other]


def test_irregularity_queries(mission, reviewer):
    verified, dismissed, waiting = factories.IrregularityFactory.create_batch(3, mission=mission)
    verified.verify(by=reviewer)
    dismissed.dismiss(by=reviewer, note="Not confirmed.")
    assert list(Irregularity.objects.verified()) == [verified]
    assert list(Irregularity.objects.unreviewed()) == [waiting]
    assert list(Irregularity.objects.review_queue()) == [waiting]


def test_published_statements(mission, leader):
    published, _draft = factories.FindingsStatementFactory.create_batch(2, mission=mission)
    published.submit_for_review(by=leader)
    published.approve(by=leader)
    published.publish(by=leader)
    assert list(FindingsStatement.objects.published()) == [published]


def test_overvote_reports(mission):
    station = factories.PollingStationFactory(mission=mission, registered_voters=300)
    over = factories.ObserverReportFactory(mission=mission, station=station, ballots_cast=301)
    factories.ObserverReportFactory(mission=mission, station=station, ballots_cast=300)
    factories.ObserverReportFactory(mission=mission, station=station, ballots_cast=None)
    assert list(ObserverReport.objects.overvotes()) == [over]
