"""Each user sees what waits for their role, as links, on the home and mission pages."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(mission):
    for _ in range(3):
        factories.IrregularityFactory(mission=mission)
    author, approver = factories.UserFactory(), factories.UserFactory()
    factories.FindingsStatementFactory(mission=mission).submit_for_review(by=author)
    approved = factories.FindingsStatementFactory(mission=mission)
    approved.submit_for_review(by=author)
    approved.approve(by=approver)


def test_reviewer_home_says_how_many_irregularities_await_review(
    client, reviewer, mission, waiting
):
    client.force_login(reviewer)

    page = client.get(reverse("home")).content.decode()

    queue = reverse("observation:review_queue", args=[mission.pk])
    assert f'<a href="{queue}" class="fw-semibold">3 irregularities await review</a>' in page
    assert "awaits approval" not in page


def test_leader_sees_statements_to_approve_and_publish(client, leader, mission, waiting):
    client.force_login(leader)

    page = client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()

    assert "3 irregularities await review" in page
    assert "1 statement awaits approval" in page
    assert "1 approved statement awaits publication" in page


def test_staff_have_no_review_work(client, staff, mission, waiting):
    client.force_login(staff)

    home = client.get(reverse("home")).content.decode()
    detail = client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()

    assert "await review" not in home
    assert "Your work" not in detail


def test_a_locked_mission_asks_no_work(client, leader, mission, waiting):
    mission.lock(by=leader)
    client.force_login(leader)

    page = client.get(reverse("home")).content.decode()

    assert "await" not in page


def test_overview_counts_link_to_the_filtered_lists(client, staff, mission, waiting):
    client.force_login(staff)

    page = client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()

    listed = reverse("observation:irregularity_list", args=[mission.pk])
    assert f'href="{listed}?status=reported"' in page


def test_overview_report_counts_open_the_reports_they_count(client, staff, mission):
    first = factories.ElectionRoundFactory(mission=mission)
    for phase in ("voting", "voting", "counting"):
        factories.ObserverReportFactory(mission=mission, round=first, phase=phase)
    client.force_login(staff)

    page = client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()

    reports = reverse("observation:report_list", args=[mission.pk])
    voting = f"{reports}?round={first.pk}&amp;phase=voting"
    assert f'<a href="{voting}">2</a>' in page
    assert f'href="{reports}?round={first.pk}">3</a>' in page
    listed = client.get(f"{reports}?round={first.pk}&phase=voting")
    assert listed.context["page"].paginator.count == 2


def test_overview_statement_counts_open_the_statements_they_count(client, staff, mission, waiting):
    client.force_login(staff)
    page = client.get(reverse("observation:mission_detail", args=[mission.pk])).content.decode()
    statements = reverse("observation:statement_list", args=[mission.pk])
    assert f'href="{statements}?status=in_review"' in page

    listed = client.get(f"{statements}?status=in_review")
    assert [s.status for s in listed.context["statements"]] == ["in_review"]
    assert "Showing the statements that are: In review." in listed.content.decode()
    assert len(client.get(f"{statements}?status=nonsense").context["statements"]) == 2


@pytest.mark.parametrize("size", [1, 6])
def test_home_queries_do_not_grow_with_missions(client, reviewer, size, django_assert_num_queries):
    for _ in range(size):
        other = factories.MissionFactory()
        factories.MissionMembershipFactory(mission=other, user=reviewer)
        factories.IrregularityFactory(mission=other)
    client.force_login(reviewer)
    # session, user, missions with role and counts
    with django_assert_num_queries(3):
        client.get(reverse("home"))
