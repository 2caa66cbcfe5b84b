"""The admin of findings statements and recommendations (observation/admin/statements.py)."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from observation.models import (
    FindingsStatement,
    Irregularity,
    Recommendation,
    RecommendationAssessment,
)
from tests import factories
from tests.observation.admin.conftest import _action, _messages, _statement_form_data, _verified

pytestmark = pytest.mark.django_db


# Actions follow the transition rules.


def test_statement_moves_through_its_lifecycle_by_actions(admin_client, superuser, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    for action, status in [
        ("submit_for_review", FindingsStatement.Status.IN_REVIEW),
        ("approve", FindingsStatement.Status.APPROVED),
        ("publish", FindingsStatement.Status.PUBLISHED),
    ]:
        _action(admin_client, "findingsstatement", action, [statement])
        statement.refresh_from_db()
        assert statement.status == status
    assert statement.published_by == superuser
    assert statement.published_at is not None


def test_statement_action_refuses_an_illegal_move(admin_client, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    response = _action(admin_client, "findingsstatement", "publish", [statement])
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.DRAFT
    assert any("Only an approved statement" in message for message in _messages(response))


def test_return_to_draft_action_records_the_reason(admin_client, superuser, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=superuser)
    url = reverse("admin:observation_findingsstatement_changelist")
    data = {
        "action": "return_to_draft",
        helpers.ACTION_CHECKBOX_NAME: [statement.pk],
        "apply": "1",
        "note": "Cite the tabulation delays.",
    }
    assert admin_client.post(url, data).status_code == 302
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.DRAFT
    assert statement.return_reason == "Cite the tabulation delays."
    assert statement.returned_by == superuser


def test_statement_form_refuses_citations_from_another_mission(admin_client, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    foreign = factories.IrregularityFactory()
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    data = {
        "kind": statement.kind,
        "title": statement.title,
        "issued_on": "2000-04-10",
        "body": statement.body,
        "cited_irregularities": [foreign.pk],
        "recommendations-TOTAL_FORMS": 0,
        "recommendations-INITIAL_FORMS": 0,
        "recommendations-MIN_NUM_FORMS": 0,
        "recommendations-MAX_NUM_FORMS": 1000,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["cited_irregularities"]
    assert not statement.cited_irregularities.exists()


def _assessment_rows(recommendation) -> dict:
    """The management form of the read-only inline of a recommendation's assessments."""
    ids = list(recommendation.assessments.values_list("pk", flat=True))
    rows = {f"assessments-{n}-id": pk for n, pk in enumerate(ids)}
    return {
        "assessments-TOTAL_FORMS": len(ids),
        "assessments-INITIAL_FORMS": len(ids),
        "assessments-MIN_NUM_FORMS": 0,
        "assessments-MAX_NUM_FORMS": 1000,
        **rows,
    }


def test_published_statement_is_read_only_and_shows_its_follow_up(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    recommendation = factories.RecommendationFactory(statement=statement)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    assert admin_client.get(url).context["has_change_permission"] is False
    RecommendationAssessment.objects.create(
        recommendation=recommendation,
        mission=mission,
        status=RecommendationAssessment.Status.PARTIALLY,
        assessed_on=statement.issued_on,
        evidence="Law passed.",
    )

    url = reverse("admin:observation_recommendation_change", args=[recommendation.pk])
    page = admin_client.get(url).content.decode()
    assert "Partially implemented" in page
    assert "Law passed." in page
    # Assessments are entered on the mission's follow-up page, not here.
    assert admin_client.post(url, _assessment_rows(recommendation)).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Publish results by polling station."
    assert recommendation.assessments.count() == 1


def test_bulk_delete_refuses_a_published_statement(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    statement.publish(by=leader)
    _action(admin_client, "findingsstatement", "delete_selected", [statement], post="yes")
    assert FindingsStatement.objects.filter(pk=statement.pk).exists()


# Statements: only a draft is edited, and it cites only what may be cited.


@pytest.mark.parametrize("moves", [["submit_for_review"], ["submit_for_review", "approve"]])
def test_statement_past_draft_cannot_be_edited_in_the_admin(admin_client, mission, leader, moves):
    # An approved statement could be rewritten here and then published unreviewed.
    statement = factories.FindingsStatementFactory(mission=mission, title="As approved")
    for move in moves:
        getattr(statement, move)(by=leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    assert admin_client.get(url).context["has_change_permission"] is False
    response = admin_client.post(url, _statement_form_data(statement, title="Rewritten"))
    assert response.status_code == 403
    statement.refresh_from_db()
    assert statement.title == "As approved"


def test_recommendation_of_an_approved_statement_takes_no_change(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    recommendation = factories.RecommendationFactory(statement=statement)
    statement.submit_for_review(by=leader)
    statement.approve(by=leader)
    url = reverse("admin:observation_recommendation_change", args=[recommendation.pk])
    data = {
        "statement": statement.pk,
        "addressee": recommendation.addressee,
        "text": "Rewritten after approval.",
        "priority": recommendation.priority,
        **_assessment_rows(recommendation),
    }
    assert admin_client.post(url, data).status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.text == "Publish results by polling station."
    delete = reverse("admin:observation_recommendation_delete", args=[recommendation.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Recommendation.objects.filter(pk=recommendation.pk).exists()


def test_statement_pages_recommendations_are_read_only_past_draft(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    factories.RecommendationFactory(statement=statement)
    statement.submit_for_review(by=leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    (recommendations,) = admin_client.get(url).context["inline_admin_formsets"]
    assert not recommendations.has_change_permission
    assert not recommendations.has_delete_permission


@pytest.mark.parametrize("kind", ["unreviewed", "dismissed", "superseded"])
def test_statement_cites_only_verified_irregularities_still_standing(
    admin_client, mission, leader, kind
):
    statement = factories.FindingsStatementFactory(mission=mission)
    irregularity = factories.IrregularityFactory(mission=mission)
    if kind == "dismissed":
        irregularity.dismiss(by=leader, note="Not confirmed.")
    if kind == "superseded":
        irregularity.verify(by=leader)
        Irregularity.objects.filter(pk=irregularity.pk).update(superseded_at=timezone.now())
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    data = _statement_form_data(statement, cited_irregularities=[irregularity.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["cited_irregularities"]
    assert "only verified irregularities" in str(errors)
    assert not statement.cited_irregularities.exists()


def test_statement_cites_a_verified_irregularity_of_its_mission(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    irregularity = _verified(mission, leader)
    url = reverse("admin:observation_findingsstatement_change", args=[statement.pk])
    data = _statement_form_data(statement, cited_irregularities=[irregularity.pk])
    assert admin_client.post(url, data).status_code == 302
    assert list(statement.cited_irregularities.all()) == [irregularity]


def test_citation_search_offers_only_verified_irregularities_still_standing(
    admin_client, mission, leader
):
    verified = _verified(mission, leader)
    factories.IrregularityFactory(mission=mission)
    superseded = _verified(mission, leader)
    Irregularity.objects.filter(pk=superseded.pk).update(superseded_at=timezone.now())
    params = {
        "app_label": "observation",
        "model_name": "findingsstatement",
        "field_name": "cited_irregularities",
        "term": "",
    }
    response = admin_client.get(reverse("admin:autocomplete"), params)
    assert [result["id"] for result in response.json()["results"]] == [str(verified.pk)]


def test_recommendation_cannot_be_added_to_a_statement_past_draft(admin_client, mission, leader):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=leader)
    data = {
        "statement": statement.pk,
        "addressee": Recommendation.Addressee.LEGISLATURE,
        "text": "Added after review.",
        "priority": Recommendation.Priority.HIGH,
    }
    response = admin_client.post(reverse("admin:observation_recommendation_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["statement"]
    assert not statement.recommendations.exists()
