"""Recommendations followed across missions: each later mission to the country records
what it found, and the recommendation's status is the latest of these assessments."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from observation import services
from observation.models import (
    FindingsStatement,
    PublishedStatementError,
    Recommendation,
    RecommendationAssessment,
)
from tests import factories

Status = RecommendationAssessment.Status
# The session and its user, the mission, the recommendations, their assessments.
FOLLOW_UP_QUERIES = 5


def _published(mission, day, leader, *, texts, **fields):
    """A published statement of `mission` with a recommendation of each text."""
    statement = factories.FindingsStatementFactory(mission=mission, issued_on=day, **fields)
    for text in texts:
        factories.RecommendationFactory(statement=statement, text=text)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    return statement


@pytest.fixture
def peru(leader, mission):
    """The 2000 mission's call to hold new elections, and two later missions to Peru."""
    mission.country = "PE"
    mission.save()
    statement = factories.FindingsStatementFactory(
        mission=mission, issued_on=datetime.date(2000, 7, 28)
    )
    recommendation = factories.RecommendationFactory(
        statement=statement,
        addressee=Recommendation.Addressee.GOVERNMENT,
        text="Hold new elections.",
    )
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    return {
        "2000": mission,
        "recommendation": recommendation,
        "2001": factories.MissionFactory(country="PE", name="Peru 2001"),
        "2016": factories.MissionFactory(country="PE", name="Peru 2016"),
    }


def _assess(mission, recommendation, status, day, *, by, statement=None, evidence=""):
    return services.recommendation_assess(
        assessment=RecommendationAssessment(
            recommendation=recommendation,
            mission=mission,
            statement=statement,
            status=status,
            assessed_on=day,
            evidence=evidence,
        ),
        by=by,
    )


def test_the_history_across_three_missions_ends_at_the_latest(peru, leader):
    recommendation = peru["recommendation"]
    _assess(
        peru["2000"], recommendation, Status.NOT_IMPLEMENTED, datetime.date(2000, 8, 1), by=leader
    )
    _assess(peru["2016"], recommendation, Status.FULLY, datetime.date(2016, 4, 12), by=leader)
    _assess(peru["2001"], recommendation, Status.PARTIALLY, datetime.date(2001, 4, 10), by=leader)

    history = [(a.mission.name, a.status) for a in recommendation.assessments.all()]
    assert history == [
        (peru["2000"].name, Status.NOT_IMPLEMENTED),
        ("Peru 2001", Status.PARTIALLY),
        ("Peru 2016", Status.FULLY),
    ]
    assert Recommendation.objects.with_follow_up().get().follow_up == Status.FULLY
    assert recommendation.assessments.get(mission=peru["2001"]).entered_by == leader


def test_a_mission_to_another_country_cannot_assess_it(peru, leader):
    bolivia = factories.MissionFactory(country="BO")

    with pytest.raises(ValidationError) as refused:
        _assess(bolivia, peru["recommendation"], Status.FULLY, datetime.date(2001, 1, 1), by=leader)

    assert refused.value.message_dict["recommendation"] == [
        "This recommendation was made to Peru: only a mission to that country assesses it."
    ]
    assert not RecommendationAssessment.objects.exists()


def test_an_assessment_dated_before_the_recommendation_is_refused(peru, leader):
    with pytest.raises(ValidationError) as refused:
        _assess(
            peru["2001"], peru["recommendation"], Status.FULLY, datetime.date(2000, 7, 1), by=leader
        )

    [message] = refused.value.message_dict["assessed_on"]
    assert message.startswith("The recommendation was made on 28 Jul 2000")
    assert not RecommendationAssessment.objects.exists()


def test_an_assessment_published_with_its_statement_is_read_only(peru, leader):
    later = peru["2001"]
    factories.MissionMembershipFactory(mission=later, user=leader, role="leader")
    statement = factories.FindingsStatementFactory(
        mission=later, issued_on=datetime.date(2001, 4, 10)
    )
    assessment = _assess(
        later,
        peru["recommendation"],
        Status.PARTIALLY,
        datetime.date(2001, 4, 10),
        by=leader,
        statement=statement,
    )
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)

    assessment.status = Status.FULLY
    with pytest.raises(PublishedStatementError):
        assessment.save()
    with pytest.raises(PublishedStatementError):
        assessment.delete()
    with pytest.raises(ValidationError):
        _assess(
            later,
            peru["recommendation"],
            Status.FULLY,
            datetime.date(2001, 5, 1),
            by=leader,
            statement=statement,
        )
    assert RecommendationAssessment.objects.get().status == Status.PARTIALLY


def test_a_reviewer_of_the_later_mission_assesses_from_the_follow_up_page(client, peru):
    later = peru["2001"]
    reviewer = factories.MissionMembershipFactory(mission=later, role="reviewer").user
    client.force_login(reviewer)
    url = reverse("observation:recommendation_assess", args=[later.pk, peru["recommendation"].pk])

    response = client.post(
        url,
        {"status": Status.FULLY, "assessed_on": "2001-04-10", "evidence": "New elections held."},
    )

    assert response.status_code == 302
    page = client.get(reverse("observation:follow_up", args=[later.pk])).content.decode()
    assert "Hold new elections." in page
    assert "Fully implemented" in page
    assert "New elections held." in page
    assessment = RecommendationAssessment.objects.get()
    assert (assessment.mission, assessment.entered_by) == (later, reviewer)


def test_a_bad_date_is_shown_on_the_form_and_nothing_is_saved(client, peru):
    later = peru["2001"]
    client.force_login(factories.MissionMembershipFactory(mission=later, role="leader").user)
    url = reverse("observation:recommendation_assess", args=[later.pk, peru["recommendation"].pk])

    response = client.post(
        url, {"status": Status.FULLY, "assessed_on": "1999-01-01", "evidence": "x"}
    )

    assert response.status_code == 200
    assert "an assessment cannot come before it" in response.content.decode()
    assert not RecommendationAssessment.objects.exists()


def test_another_missions_draft_is_neither_listed_nor_assessable(client, peru, leader):
    later = peru["2001"]
    draft = factories.RecommendationFactory(
        statement=factories.FindingsStatementFactory(mission=peru["2016"]),
        text="A draft of the 2016 mission.",
    )
    own = factories.RecommendationFactory(
        statement=factories.FindingsStatementFactory(mission=later), text="Our own draft."
    )
    client.force_login(factories.MissionMembershipFactory(mission=later, role="leader").user)

    page = client.get(reverse("observation:follow_up", args=[later.pk])).content.decode()
    refused = client.get(reverse("observation:recommendation_assess", args=[later.pk, draft.pk]))

    assert "A draft of the 2016 mission." not in page
    assert "Our own draft." in page
    assert refused.status_code == 404
    assert own.statement.status == FindingsStatement.Status.DRAFT


def test_outstanding_recommendations_include_those_never_assessed(client, peru, leader):
    mission = peru["2000"]
    statement = _published(
        mission,
        datetime.date(2000, 8, 1),
        leader,
        title="Second",
        texts=["Send an OAS mission.", "Postpone the elections."],
    )
    done = statement.recommendations.get(text="Send an OAS mission.")
    _assess(mission, done, Status.FULLY, datetime.date(2000, 9, 1), by=leader)
    client.force_login(leader)

    response = client.get(
        reverse("observation:follow_up", args=[mission.pk]), {"status": "outstanding"}
    )

    listed = [r.text for _addressee, items in response.context["groups"] for r in items]
    assert sorted(listed) == ["Hold new elections.", "Postpone the elections."]


def test_the_follow_up_page_costs_the_same_queries_with_more_records(
    client, peru, leader, django_assert_num_queries
):
    mission = peru["2000"]
    client.force_login(leader)
    url = reverse("observation:follow_up", args=[mission.pk])
    with django_assert_num_queries(FOLLOW_UP_QUERIES):
        client.get(url)

    statement = _published(
        mission,
        datetime.date(2000, 8, 1),
        leader,
        title="More",
        texts=[f"Call {n}" for n in range(5)],
    )
    for recommendation in statement.recommendations.all():
        _assess(peru["2001"], recommendation, Status.MOSTLY, datetime.date(2001, 4, 10), by=leader)
    with django_assert_num_queries(FOLLOW_UP_QUERIES):
        client.get(url)


def test_the_countrys_recommendations_export_with_their_history(client, peru, leader):
    recommendation = peru["recommendation"]
    Recommendation.objects.filter(pk=recommendation.pk).update(
        theme=Recommendation.Theme.POLITICAL_PROCESS
    )
    _assess(peru["2001"], recommendation, Status.PARTIALLY, datetime.date(2001, 4, 10), by=leader)
    _assess(peru["2016"], recommendation, Status.FULLY, datetime.date(2016, 4, 12), by=leader)
    client.force_login(leader)
    url = reverse("observation:follow_up_export", args=[peru["2000"].pk, "csv"])

    rows = list(
        csv.reader(io.StringIO(b"".join(client.get(url).streaming_content).decode("utf-8-sig")))
    )
    other_theme = client.get(url, {"theme": Recommendation.Theme.RESULTS})

    assert rows[0][3:] == [
        "Addressee",
        "Theme",
        "Recommendation",
        "Priority",
        "Follow-up",
        "Assessments",
    ]
    assert rows[1][3:] == [
        "Government",
        "Political process and transition",
        "Hold new elections.",
        "High",
        "Fully implemented",
        "10 Apr 2001: Partially implemented (Peru 2001); "
        "12 Apr 2016: Fully implemented (Peru 2016)",
    ]
    assert len(rows) == 2
    assert b"".join(other_theme.streaming_content).decode("utf-8-sig").count("\n") == 1


def test_an_export_with_a_bad_filter_exports_nothing(client, peru, leader):
    client.force_login(leader)

    response = client.get(
        reverse("observation:follow_up_export", args=[peru["2000"].pk, "xlsx"]), {"theme": "nope"}
    )

    assert response.status_code == 400
