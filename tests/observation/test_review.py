import pytest
from django.urls import reverse

from observation.models import Irregularity
from tests import factories


def queue_url(mission):
    return reverse("observation:review_queue", args=[mission.pk])


def review_url(irregularity):
    return reverse(
        "observation:irregularity_review", args=[irregularity.mission_id, irregularity.pk]
    )


def test_queue_shows_unreviewed_oldest_first(client, reviewer, mission, superuser):
    old = factories.IrregularityFactory(mission=mission, description="Oldest")
    new = factories.IrregularityFactory(mission=mission, description="Newest")
    Irregularity.objects.filter(pk=old.pk).update(created_at=new.created_at.replace(year=1999))
    done = factories.IrregularityFactory(mission=mission, description="Already verified")
    done.verify(by=superuser)
    factories.IrregularityFactory(description="Another mission's")

    client.force_login(reviewer)
    response = client.get(queue_url(mission))
    assert [i.pk for i in response.context["page"]] == [old.pk, new.pk]


def test_reviewer_verifies_with_a_note_and_it_leaves_the_queue(client, reviewer, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    client.force_login(reviewer)
    response = client.post(
        review_url(irregularity),
        {"decision": "verify", "note": "Seen by two teams.", "next": "queue"},
        follow=True,
    )
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.VERIFIED
    assert (irregularity.reviewed_by, irregularity.review_note) == (reviewer, "Seen by two teams.")
    assert response.redirect_chain[-1][0] == queue_url(mission)
    assert list(response.context["page"]) == []


def test_reviewer_dismisses_with_a_note(client, reviewer, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    client.force_login(reviewer)
    client.post(review_url(irregularity), {"decision": "dismiss", "note": "Not corroborated."})
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.DISMISSED


def test_dismissal_without_a_note_is_refused(client, reviewer, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    client.force_login(reviewer)
    response = client.post(review_url(irregularity), {"decision": "dismiss"}, follow=True)
    assert "Say why the irregularity is dismissed" in response.content.decode()
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED


def test_reviewing_twice_is_refused_with_a_message(client, reviewer, mission, superuser):
    irregularity = factories.IrregularityFactory(mission=mission)
    irregularity.dismiss(by=superuser, note="Duplicate.")
    client.force_login(reviewer)
    response = client.post(review_url(irregularity), {"decision": "verify"}, follow=True)
    assert "already dismissed" in response.content.decode()
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.DISMISSED


def test_review_on_a_locked_mission_is_refused(client, reviewer, mission, superuser):
    irregularity = factories.IrregularityFactory(mission=mission)
    mission.lock(by=superuser)
    client.force_login(reviewer)
    response = client.post(review_url(irregularity), {"decision": "verify"}, follow=True)
    assert "is locked" in response.content.decode()
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED


def test_staff_cannot_review(client, staff, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    client.force_login(staff)
    assert client.get(queue_url(mission)).status_code == 403
    assert client.post(review_url(irregularity), {"decision": "verify"}).status_code == 403
    irregularity.refresh_from_db()
    assert irregularity.status == Irregularity.Status.REPORTED


def test_review_needs_post(client, reviewer, mission):
    irregularity = factories.IrregularityFactory(mission=mission)
    client.force_login(reviewer)
    assert client.get(review_url(irregularity)).status_code == 405


def test_staff_logs_a_national_irregularity(client, staff, mission):
    round_ = factories.ElectionRoundFactory(mission=mission)
    client.force_login(staff)
    response = client.post(
        reverse("observation:irregularity_create", args=[mission.pk]),
        {
            "round": round_.pk,
            "station": "",
            "category": factories.category("tabulation_delay").pk,
            "severity": "serious",
            "evidence": "credible_source",
            "occurred_at": "2000-04-10T09:00",
            "description": "Inexplicable delays in the vote-computing process.",
        },
    )
    irregularity = Irregularity.objects.get()
    assert response.status_code == 302
    assert irregularity.station is None
    assert irregularity.reported_by == staff
    assert irregularity.status == Irregularity.Status.REPORTED


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"station": "NOT-A-CODE"}, "station"),
        ({"round": "987654"}, "round"),
        ({"category": "987654"}, "category"),
        ({"description": ""}, "description"),
    ],
)
def test_irregularity_form_rejects_bad_input(client, staff, mission, overrides, field):
    client.force_login(staff)
    data = {
        "category": factories.category("vote_buying").pk,
        "severity": "minor",
        "evidence": "alleged",
        "description": "Cash offered outside.",
        **overrides,
    }
    response = client.post(reverse("observation:irregularity_create", args=[mission.pk]), data)
    assert field in response.context["form"].errors
    assert not Irregularity.objects.exists()


def test_irregularity_form_refuses_the_system_overvote_category(client, staff, mission):
    client.force_login(staff)
    data = {
        "category": factories.category("overvote").pk,
        "severity": "serious",
        "evidence": "observed",
        "description": "Typed by hand.",
    }
    response = client.post(reverse("observation:irregularity_create", args=[mission.pk]), data)
    assert "category" in response.context["form"].errors
    assert not Irregularity.objects.exists()


def _irregularities(mission, n):
    for _ in range(n):
        factories.IrregularityFactory(mission=mission)


@pytest.mark.parametrize("size", [5, 60])
def test_review_queue_queries_do_not_grow(
    client, reviewer, mission, size, django_assert_num_queries
):
    _irregularities(mission, size)
    client.force_login(reviewer)
    # session, user, mission with role, the filters' areas and categories, queue count,
    # queue page
    with django_assert_num_queries(7):
        response = client.get(queue_url(mission))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 60])
def test_mission_home_queries_do_not_grow(client, staff, mission, size, django_assert_num_queries):
    _irregularities(mission, size)
    for _ in range(size // 5):
        factories.ObserverReportFactory(mission=mission)
    factories.FindingsStatementFactory(mission=mission)
    client.force_login(staff)
    # session, user, mission with role, rounds, report counts, irregularity counts,
    # statement counts, partners, delegation, latest irregularities, linked assessments
    with django_assert_num_queries(11):
        response = client.get(reverse("observation:mission_detail", args=[mission.pk]))
    assert response.status_code == 200
