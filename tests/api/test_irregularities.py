"""Irregularities logged on their own through the API: the web form's checks through
the same service, idempotent retries, and an observer reading back only their team's
irregularities and their review status."""

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from api.models import IrregularitySubmission
from observation.models import Irregularity
from tests import factories
from tests.api.conftest import client_for, post_at_once


def url(mission):
    return reverse("api:irregularity_list", args=[mission.pk])


def body(field, **changes):
    return {
        "submission_id": str(uuid.uuid4()),
        "round": field["round"].pk,
        "station": field["station"].code,
        "category": "intimidation",
        "severity": "serious",
        "evidence": "observed",
        "occurred_at": "2000-04-09T09:30:00Z",
        "description": "Police inside the station.",
    } | changes


def counts():
    return Irregularity.objects.count(), IrregularitySubmission.objects.count()


def test_observer_logs_an_irregularity_at_a_station(observer, observer_api, field):
    sent = body(field)

    response = observer_api.post(url(field["mission"]), sent, format="json")

    assert response.status_code == 201, response.json()
    irregularity = Irregularity.objects.get()
    assert response["Location"] == reverse(
        "api:irregularity_detail", args=[field["mission"].pk, irregularity.pk]
    )
    assert irregularity.station == field["station"]
    assert irregularity.round == field["round"]
    assert irregularity.category.code == "intimidation"
    assert irregularity.reported_by == observer
    assert irregularity.status == Irregularity.Status.REPORTED
    data = response.json()
    assert data["status"] == "reported"
    assert data["submission_id"] == sent["submission_id"]
    assert data["photos"] == []
    assert "review_note" not in data
    # It waits in the review queue like one logged from the web form.
    assert list(field["mission"].irregularities.review_queue()) == [irregularity]


def test_a_national_irregularity_has_no_station(observer_api, field):
    response = observer_api.post(
        url(field["mission"]), body(field, station=None, round=None), format="json"
    )

    assert response.status_code == 201, response.json()
    irregularity = Irregularity.objects.get()
    assert irregularity.station is None
    assert irregularity.round is None
    assert response.json()["station"] is None


def test_a_replay_answers_200_with_the_same_irregularity(observer_api, field):
    sent = body(field)
    first = observer_api.post(url(field["mission"]), sent, format="json")

    again = observer_api.post(url(field["mission"]), sent, format="json")

    assert again.status_code == 200
    assert again.json() == first.json()
    assert counts() == (1, 1)


def test_the_same_id_with_another_body_is_a_conflict(observer_api, field):
    sent = body(field)
    observer_api.post(url(field["mission"]), sent, format="json")

    response = observer_api.post(
        url(field["mission"]), sent | {"severity": "minor", "station": None}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "submission_conflict"
    assert response.json()["fields"] == ["severity", "station"]
    assert counts() == (1, 1)


def test_an_id_used_on_another_mission_is_a_conflict(observer_api, field, staff):
    other = factories.MissionMembershipFactory(role="staff").mission
    stored = Irregularity.objects.create(
        mission=other,
        category=factories.category("intimidation"),
        severity="minor",
        evidence="alleged",
        description="Elsewhere.",
    )
    sent = body(field)
    IrregularitySubmission.objects.create(
        submission_id=sent["submission_id"], irregularity=stored, body={}
    )

    response = observer_api.post(url(field["mission"]), sent, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "submission_elsewhere"
    assert counts() == (1, 1)


def test_the_web_form_logs_through_the_same_service(client, field, staff, monkeypatch):
    from observation import services

    called = []
    original = services.irregularity_save

    def spy(**kwargs):
        called.append(kwargs["by"])
        return original(**kwargs)

    monkeypatch.setattr(services, "irregularity_save", spy)
    client.force_login(staff)

    response = client.post(
        reverse("observation:irregularity_create", args=[field["mission"].pk]),
        {
            "round": field["round"].pk,
            "station": field["station"].code,
            "category": factories.category("intimidation").pk,
            "severity": "serious",
            "evidence": "observed",
            "description": "Police inside.",
        },
    )

    assert response.status_code == 302
    assert called == [staff]
    assert Irregularity.objects.get().reported_by == staff


# Every refusal: a stable code, the web form's message, nothing saved.


def _refused(client, field, sent, status=400):
    before = counts()
    response = client.post(url(field["mission"]), sent, format="json")
    assert response.status_code == status, response.json()
    assert counts() == before
    return response.json()


def test_a_station_of_another_mission_is_refused(observer_api, field):
    elsewhere = factories.PollingStationFactory(code="9999")

    error = _refused(observer_api, field, body(field, station=elsewhere.code))

    assert error["code"] == "invalid"
    assert error["errors"]["station"] == [
        {
            "code": "invalid_choice",
            "message": "There is no polling station with this code in this mission.",
        }
    ]


def test_a_system_category_is_refused(observer_api, field):
    error = _refused(observer_api, field, body(field, category="overvote"))

    assert error["errors"]["category"][0]["code"] == "invalid_choice"


def test_a_round_of_another_mission_is_refused(observer_api, field):
    elsewhere = factories.ElectionRoundFactory()

    error = _refused(observer_api, field, body(field, round=elsewhere.pk))

    assert error["errors"]["round"][0]["message"] == "Choose one of this mission's rounds."


def test_a_time_outside_the_mission_is_refused(observer_api, field):
    error = _refused(observer_api, field, body(field, occurred_at="1990-01-01T00:00:00Z"))

    assert error["errors"]["occurred_at"][0]["code"] == "outside_mission"


def test_a_missing_description_is_refused(observer_api, field):
    sent = body(field)
    del sent["description"]

    error = _refused(observer_api, field, sent)

    assert error["errors"]["description"][0]["code"] == "required"


def test_a_locked_mission_refuses_it(observer_api, field, leader):
    field["mission"].lock(by=leader)

    error = _refused(observer_api, field, body(field), status=403)

    assert error["code"] == "mission_locked"


def test_a_revoked_token_refuses_it(observer, field):
    client = client_for(observer)
    observer.api_tokens.get().revoke()

    error = _refused(client, field, body(field), status=401)

    assert error["code"] == "token_revoked"


# What an observer reads back.


def test_observer_lists_only_their_teams_irregularities(field, observer, observer_api, staff):
    own_report = factories.ObserverReportFactory(mission=field["mission"], observer=field["team"])
    other_report = factories.ObserverReportFactory(
        mission=field["mission"], observer=field["other_team"]
    )
    teammate = factories.MissionMembershipFactory(
        mission=field["mission"], role="observer", team=field["team"]
    ).user
    stranger_observer = factories.MissionMembershipFactory(
        mission=field["mission"], role="observer", team=field["other_team"]
    ).user

    def logged(**kwargs):
        where = {"round": field["round"], "station": field["station"]} | kwargs
        return factories.IrregularityFactory(mission=field["mission"], **where)

    from_own_report = logged(report=own_report, station=own_report.station, round=own_report.round)
    by_me = logged(reported_by=observer, station=None)
    by_teammate = logged(reported_by=teammate)
    logged(
        report=other_report, station=other_report.station, round=other_report.round
    )  # another team's
    logged(reported_by=stranger_observer)
    logged(reported_by=staff)

    listed = observer_api.get(url(field["mission"])).json()

    assert {item["id"] for item in listed["results"]} == {
        from_own_report.pk,
        by_me.pk,
        by_teammate.pk,
    }
    assert client_for(staff).get(url(field["mission"])).json()["count"] == 6


def test_observer_reads_the_review_status_never_the_note(field, observer_api, reviewer):
    created = observer_api.post(url(field["mission"]), body(field), format="json").json()
    irregularity = Irregularity.objects.get(pk=created["id"])
    irregularity.dismiss(by=reviewer, note="The observer misread the seal.")

    response = observer_api.get(
        reverse("api:irregularity_detail", args=[field["mission"].pk, irregularity.pk])
    )

    assert response.status_code == 200
    assert response.json()["status"] == "dismissed"
    assert "misread" not in response.content.decode()
    assert "review_note" not in response.json()


def test_observer_cannot_read_another_teams_irregularity(field, observer_api):
    other_report = factories.ObserverReportFactory(
        mission=field["mission"], observer=field["other_team"]
    )
    theirs = factories.IrregularityFactory(
        mission=field["mission"],
        report=other_report,
        round=other_report.round,
        station=other_report.station,
    )

    response = observer_api.get(
        reverse("api:irregularity_detail", args=[field["mission"].pk, theirs.pk])
    )

    assert response.status_code == 404


def test_irregularity_list_queries_do_not_grow(field, staff_api, django_assert_num_queries):
    factories.IrregularityFactory(mission=field["mission"])
    staff_api.get(url(field["mission"]))
    # Token, mission with role, count, irregularities (with category, station and
    # submission), their photos.
    with django_assert_num_queries(5):
        staff_api.get(url(field["mission"]))
    factories.IrregularityFactory.create_batch(5, mission=field["mission"])
    with django_assert_num_queries(5):
        staff_api.get(url(field["mission"]))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real concurrency"
)
def test_twenty_concurrent_replays_store_one_irregularity(field, observer):
    sent = body(field)

    statuses = post_at_once(observer, url(field["mission"]), sent)

    assert sorted(statuses) == [200] * 19 + [201]
    assert counts() == (1, 1)
