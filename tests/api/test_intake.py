"""Submitting reports through the API: the web form's checks, answers and
irregularities, idempotent retries, and nothing saved on any refusal."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.models import Submission
from observation.models import Answer, Irregularity, ObserverReport
from tests import factories
from tests.api.conftest import client_for, post_at_once


def reports_url(mission):
    return reverse("api:report_list", args=[mission.pk])


def body(field, **changes):
    return {
        "submission_id": str(uuid.uuid4()),
        "round": field["round"].pk,
        "station": field["station"].code,
        "phase": "voting",
        "arrived_at": "2000-04-09T09:00:00Z",
        "departed_at": "2000-04-09T10:00:00Z",
        "ballots_cast": 120,
        "assessment": "good",
        "notes": "Calm.",
    } | changes


def counts():
    return (
        ObserverReport.objects.count(),
        Irregularity.objects.count(),
        Answer.objects.count(),
        Submission.objects.count(),
    )


@pytest.fixture
def question(field):
    checklist = factories.ChecklistFactory(mission=field["mission"], phase="")
    return factories.QuestionFactory(
        checklist=checklist,
        code="box_sealed",
        raises=factories.category("box_not_sealed"),
    )


def test_observer_submits_a_report_with_answers_and_irregularities(observer_api, field, question):
    sent = body(
        field,
        observer=field["other_team"].pk,
        answers={"box_sealed": "no"},
        irregularities=[
            {
                "category": "intimidation",
                "severity": "serious",
                "evidence": "observed",
                "description": "Police inside the station.",
            }
        ],
    )

    response = observer_api.post(reports_url(field["mission"]), sent, format="json")

    assert response.status_code == 201, response.json()
    report = ObserverReport.objects.get()
    assert response["Location"] == reverse(
        "api:report_detail", args=[field["mission"].pk, report.pk]
    )
    # An observer submits for their own team, whatever they send.
    assert report.observer == field["team"]
    assert str(report.submission_id) == sent["submission_id"]
    assert dict(report.answers.values_list("question__code", "value")) == {"box_sealed": "no"}
    categories = set(report.irregularities.values_list("category__code", flat=True))
    # The one logged, and the one the concerning answer raised.
    assert categories == {"intimidation", "box_not_sealed"}
    assert response.json()["answers"] == {"box_sealed": "no"}


LOGGED = [
    {
        "category": "intimidation",
        "severity": "serious",
        "evidence": "observed",
        "description": "Police inside the station.",
    },
    {
        "category": "vote_buying",
        "severity": "significant",
        "evidence": "credible_source",
        "description": "Money offered at the door.",
    },
]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"irregularities": LOGGED}, id="logged"),
        pytest.param({"irregularities": LOGGED[:1], "answers": {"box_sealed": "no"}}, id="raised"),
        pytest.param({"irregularities": LOGGED[:1], "ballots_cast": 900}, id="overvote"),
        pytest.param({}, id="nothing"),
    ],
)
def test_the_answer_is_the_report_as_stored(observer_api, field, question, changes):
    """The 201 is built from what the request stored, not read back: it must be what a
    read of the report gives, irregularities the system raised and their order included."""
    field["station"].registered_voters = 500
    field["station"].save()
    factories.category("vote_buying")

    created = observer_api.post(
        reports_url(field["mission"]), body(field, **changes), format="json"
    )

    assert created.status_code == 201, created.json()
    read = observer_api.get(created["Location"])
    assert created.json() == read.json()
    assert len(created.json()["irregularities"]) == Irregularity.objects.count()


def test_staff_chooses_the_team(staff_api, field):
    sent = body(field, observer=field["other_team"].pk)

    response = staff_api.post(reports_url(field["mission"]), sent, format="json")

    assert response.status_code == 201
    assert ObserverReport.objects.get().observer == field["other_team"]


def test_a_replay_answers_200_with_the_same_report(observer_api, field):
    sent = body(field)
    first = observer_api.post(reports_url(field["mission"]), sent, format="json")

    again = observer_api.post(reports_url(field["mission"]), sent, format="json")

    assert again.status_code == 200
    assert again.json() == first.json()
    assert counts()[0] == 1


def test_a_replay_of_the_same_instant_in_another_notation_is_the_same(observer_api, field):
    sent = body(field)
    observer_api.post(reports_url(field["mission"]), sent, format="json")

    again = observer_api.post(
        reports_url(field["mission"]),
        sent | {"arrived_at": "2000-04-09T04:00:00-05:00"},
        format="json",
    )

    assert again.status_code == 200


def test_the_same_id_with_another_body_is_a_conflict(observer_api, field):
    sent = body(field)
    observer_api.post(reports_url(field["mission"]), sent, format="json")
    before = counts()

    response = observer_api.post(
        reports_url(field["mission"]), sent | {"ballots_cast": 7, "notes": "Tense."}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "submission_conflict"
    assert response.json()["fields"] == ["ballots_cast", "notes"]
    assert counts() == before
    assert ObserverReport.objects.get().ballots_cast == 120


def test_an_id_the_web_form_used_is_a_conflict(observer_api, field, staff):
    stored = factories.ObserverReportFactory(mission=field["mission"], submission_id=uuid.uuid4())
    before = counts()

    response = observer_api.post(
        reports_url(field["mission"]),
        body(field, submission_id=str(stored.submission_id)),
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "submission_elsewhere"
    assert counts() == before


def test_the_submission_id_is_required(observer_api, field):
    sent = body(field)
    del sent["submission_id"]

    response = observer_api.post(reports_url(field["mission"]), sent, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["submission_id"][0]["code"] == "required"
    assert counts() == (0, 0, 0, 0)


# Every refusal: a stable code, the web form's message, nothing saved.


def _refused(client, field, sent, status=400):
    before = counts()
    response = client.post(reports_url(field["mission"]), sent, format="json")
    assert response.status_code == status, response.json()
    assert counts() == before
    return response.json()


def test_a_locked_mission_refuses_the_report(observer_api, field, leader):
    field["mission"].lock(by=leader)

    error = _refused(observer_api, field, body(field), status=403)

    assert error["code"] == "mission_locked"
    assert "locked" in error["detail"]


def test_a_round_not_observed_refuses_the_report(observer_api, field):
    runoff = factories.ElectionRoundFactory(
        mission=field["mission"], kind="runoff", observed=False, not_observed_reason="Withdrew."
    )

    error = _refused(observer_api, field, body(field, round=runoff.pk))

    assert error["code"] == "invalid"
    assert error["errors"]["round"] == [
        {"code": "invalid_choice", "message": "Choose one of this mission's observed rounds."}
    ]


def test_a_station_of_another_mission_refuses_the_report(observer_api, field):
    elsewhere = factories.PollingStationFactory(code="9999")

    error = _refused(observer_api, field, body(field, station=elsewhere.code))

    assert error["errors"]["station"] == [
        {
            "code": "invalid_choice",
            "message": "There is no polling station with this code in this mission.",
        }
    ]


def test_a_station_code_is_read_as_the_web_form_reads_it(observer_api, field):
    field["station"].code = "ab-01"
    field["station"].save()

    response = observer_api.post(
        reports_url(field["mission"]), body(field, station="AB\u201001"), format="json"
    )

    assert response.status_code == 201


def test_a_bad_answer_refuses_the_report(observer_api, field, question):
    error = _refused(observer_api, field, body(field, answers={"box_sealed": "maybe"}))

    assert error["errors"]["answers.box_sealed"][0]["code"] == "invalid_choice"


def test_an_unknown_question_refuses_the_report(observer_api, field, question):
    error = _refused(observer_api, field, body(field, answers={"no_such": "yes"}))

    assert error["errors"]["answers.no_such"] == [
        {"code": "unknown", "message": "“no_such” is not a question of this mission's checklists."}
    ]


def test_a_required_answer_is_asked_for(observer_api, field, question):
    question.required = True
    question.save()

    error = _refused(observer_api, field, body(field))

    assert error["errors"]["answers.box_sealed"][0]["code"] == "required"


def test_departure_before_arrival_refuses_the_report(observer_api, field):
    error = _refused(observer_api, field, body(field, departed_at="2000-04-09T08:00:00Z"))

    assert error["errors"]["departed_at"][0]["message"] == "Departure cannot be before arrival."


def test_times_outside_the_mission_refuse_the_report(observer_api, field):
    error = _refused(observer_api, field, body(field, arrived_at="1990-04-09T08:00:00Z"))

    assert error["errors"]["arrived_at"][0]["code"]


def test_a_bad_irregularity_refuses_the_whole_report(observer_api, field):
    sent = body(
        field,
        irregularities=[
            {
                "category": "overvote",
                "severity": "serious",
                "evidence": "observed",
                "description": "x",
            }
        ],
    )

    error = _refused(observer_api, field, sent)

    assert error["errors"]["irregularities.0.category"][0]["code"] == "invalid_choice"


def test_a_revoked_token_refuses_the_report(observer, field):
    client = client_for(observer)
    observer.api_tokens.get().revoke()

    error = _refused(client, field, body(field), status=401)

    assert error["code"] == "token_revoked"


def test_a_stranger_cannot_submit(field, stranger):
    error = _refused(client_for(stranger), field, body(field), status=404)

    assert error["code"] == "not_found"


def test_an_observer_of_another_mission_cannot_submit(field):
    other = factories.MissionFactory()
    membership = factories.MissionMembershipFactory(
        mission=other, role="observer", team=factories.DelegationMemberFactory(mission=other)
    )

    _refused(client_for(membership.user), field, body(field), status=404)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no real concurrency"
)
def test_twenty_concurrent_replays_store_one_report(field, observer):
    sent = body(field)

    statuses = post_at_once(observer, reports_url(field["mission"]), sent)

    assert sorted(statuses) == [200] * 19 + [201]
    assert ObserverReport.objects.filter(submission_id=sent["submission_id"]).count() == 1
    assert Submission.objects.count() == 1


# The token, the mission with the user's role and team, the round, station and team
# chosen, the lock and the span of the mission's rounds, the questions stamp (the
# questions themselves kept by the process since an earlier report); then in the
# transaction the lock again, the report and its history, the answers and theirs, the
# submission. No lookup of a retry, no read back for the answer. Savepoints aside, which
# differ between the databases.
REPORT_INTAKE_QUERIES = 14


def test_a_report_costs_the_same_queries_whatever_its_answers(observer_api, field):
    checklist = factories.ChecklistFactory(mission=field["mission"], phase="")
    codes = [factories.QuestionFactory(checklist=checklist).code for _ in range(30)]
    url = reports_url(field["mission"])
    # A token's first use of the minute records when it was used, and the first report
    # has the process read the mission's questions: neither counted below.
    observer_api.post(url, body(field), format="json")

    for answered in (codes[:3], codes):
        sent = body(field, answers=dict.fromkeys(answered, "yes"))
        with CaptureQueriesContext(connection) as queries:
            response = observer_api.post(url, sent, format="json")
        assert response.status_code == 201, response.json()
        assert len(response.json()["answers"]) == len(answered)
        statements = [
            query["sql"]
            for query in queries.captured_queries
            if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]
        assert len(statements) == REPORT_INTAKE_QUERIES, "\n".join(s[:90] for s in statements)
