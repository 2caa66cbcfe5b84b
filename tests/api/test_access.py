"""Who may use which endpoint: every endpoint as every role, and an observer's view
limited to their own team's work."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from observation.models import (
    Deployment,
    Irregularity,
    IrregularityPhoto,
    MissionMembership,
    ObserverReport,
)
from observation.models.missions import OBSERVER_NEEDS_TEAM
from tests import factories
from tests.api.conftest import client_for
from tests.api.photos import png

# "locked" is a leader of a locked mission: reading goes on, submitting is refused.
ROLES = (
    "anonymous",
    "revoked",
    "expired",
    "stranger",
    "observer",
    "staff",
    "reviewer",
    "leader",
    "superuser",
    "locked",
)


def expect(**changes):
    statuses = {
        "anonymous": 401,
        "revoked": 401,
        "expired": 401,
        "stranger": 404,
        "observer": 200,
        "staff": 200,
        "reviewer": 200,
        "leader": 200,
        "superuser": 200,
        "locked": 200,
    }
    return statuses | changes


READS = expect()
CREATES = expect(observer=201, staff=201, reviewer=201, leader=201, superuser=201, locked=403)
# The token's own code: which of the three an app must tell its user.
TOKEN_CODES = {
    "anonymous": "not_authenticated",
    "revoked": "token_revoked",
    "expired": "token_expired",
}

# (URL name, the objects its arguments name, query, expected status per role)
ENDPOINTS = [
    ("round_list", (), "", READS),
    ("station_list", (), "", READS),
    ("station_list", (), "?updated_since=2000-01-01T00:00:00Z", READS),
    ("deployment_list", (), "", READS),
    ("deployment_list", (), "?round=1", READS),
    ("checklist", (), "?phase=opening", READS),
    ("report_list", (), "", READS),
    ("report_detail", ("report",), "", READS),
    ("irregularity_list", (), "", READS),
    ("irregularity_detail", ("irregularity",), "", READS),
]


def _client(role, field):
    mission = field["mission"]
    if role == "anonymous":
        return APIClient()
    if role == "superuser":
        return client_for(factories.UserFactory(is_superuser=True, is_staff=True))
    if role == "stranger":
        return client_for(factories.MissionMembershipFactory(role="leader").user)
    if role in ("observer", "revoked", "expired"):
        user = factories.MissionMembershipFactory(
            mission=mission, role="observer", team=field["team"]
        ).user
        client = client_for(user)
        if role == "revoked":
            ApiToken.objects.get(user=user).revoke()
        if role == "expired":
            ApiToken.objects.filter(user=user).update(
                created_at=timezone.now() - datetime.timedelta(days=31),
                expires_at=timezone.now() - datetime.timedelta(days=1),
            )
        return client
    if role == "locked":
        mission.lock(by=factories.UserFactory())
        role = "leader"
    return client_for(factories.MissionMembershipFactory(mission=mission, role=role).user)


@pytest.fixture
def team_work(field):
    """A report of the observer's team, with an irregularity logged from it."""
    report = factories.ObserverReportFactory(mission=field["mission"], observer=field["team"])
    field["report"] = report
    field["irregularity"] = factories.IrregularityFactory(
        mission=field["mission"], report=report, round=report.round, station=report.station
    )
    return field


def _check(response, role, expected, what):
    assert response.status_code == expected[role], f"{role} {what}: {response.content[:300]}"
    assert response["Content-Type"] == "application/json"
    if role in TOKEN_CODES:
        assert response.json()["code"] == TOKEN_CODES[role]
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    if role == "locked" and expected[role] == 403:
        assert response.json()["code"] == "mission_locked"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "args", "query", "expected"),
    ENDPOINTS,
    ids=[f"{row[0]}{row[2]}" for row in ENDPOINTS],
)
def test_read_endpoints_by_role(team_work, role, name, args, query, expected):
    resolved = [team_work[arg].pk for arg in args]
    url = reverse(f"api:{name}", args=[team_work["mission"].pk, *resolved]) + query

    response = _client(role, team_work).get(url)

    _check(response, role, expected, url)


@pytest.mark.parametrize("role", ROLES)
def test_me_by_role(field, role):
    response = _client(role, field).get(reverse("api:me"))

    expected = 401 if role in TOKEN_CODES else 200
    assert response.status_code == expected


def _report(field):
    return {
        "submission_id": str(uuid.uuid4()),
        "round": field["round"].pk,
        "station": field["station"].code,
        "phase": "voting",
    }


def _irregularity(field):
    return {
        "submission_id": str(uuid.uuid4()),
        "station": field["station"].code,
        "category": "intimidation",
        "severity": "minor",
        "evidence": "alleged",
        "description": "Threats.",
    }


# (URL name, the objects its arguments name, the body, its format, the rows it adds)
WRITES = [
    ("report_list", (), _report, "json", lambda: ObserverReport.objects.count()),
    ("irregularity_list", (), _irregularity, "json", lambda: Irregularity.objects.count()),
    (
        "irregularity_photos",
        ("irregularity",),
        lambda field: {"image": SimpleUploadedFile("p.png", png(), content_type="image/png")},
        "multipart",
        lambda: IrregularityPhoto.objects.count(),
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "args", "make_body", "fmt", "rows"), WRITES, ids=[row[0] for row in WRITES]
)
def test_write_endpoints_by_role(team_work, role, name, args, make_body, fmt, rows):
    client = _client(role, team_work)
    resolved = [team_work[arg].pk for arg in args]
    url = reverse(f"api:{name}", args=[team_work["mission"].pk, *resolved])
    before = rows()

    response = client.post(url, make_body(team_work), format=fmt)

    _check(response, role, CREATES, f"POST {url}")
    assert rows() == before + (1 if response.status_code == 201 else 0)


def test_every_api_url_is_in_the_matrix():
    from api.urls import v1

    names = {pattern.name for pattern in v1}
    covered = {row[0] for row in ENDPOINTS} | {row[0] for row in WRITES} | {"me"}
    assert names == covered


def test_me_lists_missions_and_roles(field, observer, observer_api):
    other = factories.MissionMembershipFactory(user=observer, role="staff")

    memberships = observer_api.get(reverse("api:me")).json()["memberships"]

    assert {(m["mission"], m["role"], m["team"]) for m in memberships} == {
        (field["mission"].pk, "observer", field["team"].pk),
        (other.mission_id, "staff", None),
    }


def test_observer_sees_only_their_teams_reports(field, observer_api):
    own = factories.ObserverReportFactory(mission=field["mission"], observer=field["team"])
    other = factories.ObserverReportFactory(mission=field["mission"], observer=field["other_team"])
    mission = field["mission"]

    listed = observer_api.get(reverse("api:report_list", args=[mission.pk])).json()

    assert [report["id"] for report in listed["results"]] == [own.pk]
    detail = reverse("api:report_detail", args=[mission.pk, other.pk])
    assert observer_api.get(detail).status_code == 404


def test_staff_sees_every_teams_reports(field, staff_api):
    for team in (field["team"], field["other_team"]):
        factories.ObserverReportFactory(mission=field["mission"], observer=team)

    listed = staff_api.get(reverse("api:report_list", args=[field["mission"].pk])).json()

    assert listed["count"] == 2


def test_observer_sees_review_status_never_the_note(field, observer_api, reviewer):
    report = factories.ObserverReportFactory(mission=field["mission"], observer=field["team"])
    irregularity = factories.IrregularityFactory(
        mission=field["mission"], round=report.round, station=report.station, report=report
    )
    irregularity.dismiss(by=reviewer, note="The observer misread the seal.")

    response = observer_api.get(reverse("api:report_detail", args=[field["mission"].pk, report.pk]))

    assert response.json()["irregularities"][0]["status"] == "dismissed"
    assert "misread" not in response.content.decode()
    assert "review_note" not in response.content.decode()


def test_stations_filter_by_code_and_area(field, staff_api):
    url = reverse("api:station_list", args=[field["mission"].pk])

    by_code = staff_api.get(url, {"code": "0101"}).json()
    by_area = staff_api.get(url, {"area": "Cusco"}).json()

    assert [s["code"] for s in by_code["results"]] == ["0101"]
    assert [s["code"] for s in by_area["results"]] == ["0202"]


def test_stations_are_paginated(field, staff_api, django_assert_max_num_queries):
    factories.PollingStationFactory.create_batch(5, mission=field["mission"])
    url = reverse("api:station_list", args=[field["mission"].pk])

    # Token, its last use, mission with role, count, page.
    with django_assert_max_num_queries(6):
        page = staff_api.get(url, {"page_size": 3}).json()

    assert page["count"] == 7
    assert len(page["results"]) == 3
    assert page["next"]


def test_report_list_queries_do_not_grow_with_reports(field, staff_api, django_assert_num_queries):
    url = reverse("api:report_list", args=[field["mission"].pk])
    factories.ObserverReportFactory(mission=field["mission"])
    staff_api.get(url)
    with django_assert_num_queries(6) as few:
        staff_api.get(url)
    factories.ObserverReportFactory.create_batch(5, mission=field["mission"])
    # Token, mission with role, count, reports, their answers, their irregularities.
    with django_assert_num_queries(len(few.captured_queries)):
        staff_api.get(url)


def test_checklist_lists_the_questions_of_the_phase(field, staff_api):
    opening = factories.ChecklistFactory(mission=field["mission"], phase="opening")
    asked = factories.QuestionFactory(checklist=opening, code="opened_on_time")
    factories.QuestionFactory(
        checklist=factories.ChecklistFactory(mission=field["mission"], phase="closing"),
        code="closed_on_time",
    )
    url = reverse("api:checklist", args=[field["mission"].pk])

    checklist = staff_api.get(url, {"phase": "opening"}).json()

    assert checklist["checklist_phase"] == "opening"
    assert [q["code"] for q in checklist["questions"]] == [asked.code]
    assert checklist["questions"][0]["choices"][0] == {"name": "yes", "label": "Yes"}
    refused = staff_api.get(url, {"phase": "lunch"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "phase_required"


def test_observers_are_refused_the_missions_web_pages(client, field, observer):
    client.force_login(observer)

    response = client.get(field["mission"].get_absolute_url())

    assert response.status_code == 403


def test_observer_needs_a_team_and_only_an_observer_has_one(field):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    membership = MissionMembership(
        mission=field["mission"], user=factories.UserFactory(), role="observer"
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert str(OBSERVER_NEEDS_TEAM) in error.value.messages
    membership.role, membership.team = "staff", field["team"]
    with pytest.raises(ValidationError):
        membership.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        membership.save()


def test_observer_team_must_be_of_the_mission(field):
    from django.core.exceptions import ValidationError

    membership = MissionMembership(
        mission=field["mission"],
        user=factories.UserFactory(),
        role="observer",
        team=factories.DelegationMemberFactory(),
    )

    with pytest.raises(ValidationError) as error:
        membership.full_clean()

    assert error.value.messages == ["This delegation member belongs to another mission."]


def test_an_observer_syncs_their_teams_deployment_and_staff_every_teams(
    field, observer_api, staff_api
):
    mission = field["mission"]
    election_round = factories.ElectionRoundFactory(mission=mission)
    own, other = factories.PollingStationFactory.create_batch(2, mission=mission)
    for station, team, phase in [
        (own, field["team"], "opening"),
        (own, field["team"], "voting"),
        (other, field["other_team"], "voting"),
    ]:
        Deployment.objects.create(
            mission=mission, round=election_round, station=station, team=team, phase=phase
        )
    url = reverse("api:deployment_list", args=[mission.pk])

    listed = observer_api.get(url).json()

    assert [(d["station"], d["phase"], d["team"]) for d in listed["results"]] == [
        (own.code, "opening", field["team"].pk),
        (own.code, "voting", field["team"].pk),
    ]
    assert listed["results"][0]["station_name"] == own.name
    assert staff_api.get(url).json()["count"] == 3
    assert staff_api.get(url, {"round": election_round.pk + 1}).json()["count"] == 0
    for value in ("first", "²", "9" * 30):
        refused = staff_api.get(url, {"round": value})
        assert (refused.status_code, refused.json()["code"]) == (400, "invalid_round")
