import datetime

import pytest
from django.urls import reverse

from observation.models import FindingsStatement, Recommendation
from tests import factories


@pytest.fixture
def verified(mission, superuser):
    irregularity = factories.IrregularityFactory(mission=mission, description="Pre-marked ballots.")
    irregularity.verify(by=superuser, note="Photographed.")
    return irregularity


def statement_data(**overrides):
    data = {
        "kind": FindingsStatement.Kind.PRELIMINARY,
        "round": "",
        "title": "Preliminary statement on the April 9 election",
        "issued_on": "2000-04-10",
        "body": "The mission saw **pre-marked ballots**.",
        "recommendations-TOTAL_FORMS": "1",
        "recommendations-INITIAL_FORMS": "0",
        "recommendations-MIN_NUM_FORMS": "0",
        "recommendations-MAX_NUM_FORMS": "1000",
        "recommendations-0-addressee": Recommendation.Addressee.ELECTION_AUTHORITY,
        "recommendations-0-text": "Publish results by polling station.",
        "recommendations-0-priority": Recommendation.Priority.HIGH,
    }
    data.update(overrides)
    return data


def create_url(mission):
    return reverse("observation:statement_create", args=[mission.pk])


def transition_url(statement, action):
    return reverse(
        "observation:statement_transition", args=[statement.mission_id, statement.pk, action]
    )


def test_reviewer_drafts_a_statement_citing_verified_evidence(client, reviewer, mission, verified):
    client.force_login(reviewer)
    response = client.post(create_url(mission), statement_data(cited_irregularities=[verified.pk]))
    statement = FindingsStatement.objects.get()
    assert response.status_code == 302
    assert statement.status == FindingsStatement.Status.DRAFT
    assert statement.created_by == reviewer
    assert list(statement.cited_irregularities.all()) == [verified]
    assert statement.recommendations.get().text == "Publish results by polling station."


def test_preview_renders_markdown_without_saving(client, reviewer, mission):
    client.force_login(reviewer)
    response = client.post(create_url(mission), statement_data(preview="1"))
    assert "<strong>pre-marked ballots</strong>" in str(response.context["preview"])
    assert not FindingsStatement.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "Findings <script>alert('x')</script>",
        'An image <img src="x" onerror="alert(1)">',
        "[a link](javascript:alert(1))",
        "[a link][x]\n\n[x]: javascript:alert(1)",
    ],
)
def test_body_with_active_content_is_refused(client, reviewer, mission, body):
    client.force_login(reviewer)
    response = client.post(create_url(mission), statement_data(body=body))
    assert "not active content" in " ".join(response.context["form"].errors["body"])
    assert not FindingsStatement.objects.exists()


def test_prose_that_mentions_javascript_is_kept(client, reviewer, mission):
    client.force_login(reviewer)
    body = "JavaScript: the results site needed it, and failed on election night."
    client.post(create_url(mission), statement_data(body=body))
    assert FindingsStatement.objects.get().body == body


def test_rendering_sanitises_whatever_is_stored(client, reviewer, mission):
    statement = factories.FindingsStatementFactory(
        mission=mission, body='Hi <script>alert(1)</script><img src=x onerror="alert(2)">'
    )
    client.force_login(reviewer)
    html = client.get(
        reverse("observation:statement_detail", args=[mission.pk, statement.pk])
    ).content.decode()
    assert "<script>alert(1)" not in html
    assert "onerror" not in html


def test_citing_an_unverified_irregularity_is_refused(client, reviewer, mission):
    unverified = factories.IrregularityFactory(mission=mission)
    client.force_login(reviewer)
    response = client.post(
        create_url(mission), statement_data(cited_irregularities=[unverified.pk])
    )
    assert "only verified irregularities of this mission" in " ".join(
        response.context["form"].errors["cited_irregularities"]
    )
    assert not FindingsStatement.objects.exists()


def test_citing_another_missions_irregularity_is_refused(client, reviewer, mission, superuser):
    foreign = factories.IrregularityFactory()
    foreign.verify(by=superuser)
    client.force_login(reviewer)
    response = client.post(create_url(mission), statement_data(cited_irregularities=[foreign.pk]))
    assert "cited_irregularities" in response.context["form"].errors
    assert not FindingsStatement.objects.exists()


def test_round_of_another_mission_is_refused(client, reviewer, mission):
    foreign_round = factories.ElectionRoundFactory()
    client.force_login(reviewer)
    response = client.post(create_url(mission), statement_data(round=foreign_round.pk))
    assert "round" in response.context["form"].errors
    assert not FindingsStatement.objects.exists()


def test_staff_cannot_draft_statements(client, staff, mission):
    client.force_login(staff)
    assert client.get(create_url(mission)).status_code == 403
    assert client.post(create_url(mission), statement_data()).status_code == 403
    assert not FindingsStatement.objects.exists()


def test_full_lifecycle_by_role(client, reviewer, leader, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    client.force_login(reviewer)
    client.post(transition_url(statement, "submit"))
    assert client.post(transition_url(statement, "approve")).status_code == 403

    client.force_login(leader)
    client.post(transition_url(statement, "approve"))
    client.post(transition_url(statement, "publish"))
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.PUBLISHED
    assert (statement.submitted_by, statement.approved_by, statement.published_by) == (
        reviewer,
        leader,
        leader,
    )
    page = client.get(reverse("observation:statement_detail", args=[mission.pk, statement.pk]))
    assert "Published and read-only" in page.content.decode()
    assert f"Approved by {leader}" in page.content.decode()


def test_publishing_a_draft_is_refused(client, leader, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    client.force_login(leader)
    response = client.post(transition_url(statement, "publish"), follow=True)
    assert "Only an approved statement can be published" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.DRAFT


def test_return_to_draft_needs_a_reason(client, leader, mission, reviewer):
    statement = factories.FindingsStatementFactory(mission=mission)
    statement.submit_for_review(by=reviewer)
    client.force_login(leader)
    response = client.post(transition_url(statement, "return"), {"reason": ""}, follow=True)
    assert "Say why" in response.content.decode()
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.IN_REVIEW

    client.post(transition_url(statement, "return"), {"reason": "Cite the tabulation delays."})
    statement.refresh_from_db()
    assert statement.status == FindingsStatement.Status.DRAFT
    assert statement.return_reason == "Cite the tabulation delays."


def test_transitions_need_post(client, leader, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    client.force_login(leader)
    assert client.get(transition_url(statement, "submit")).status_code == 405


def test_unknown_transition_is_not_found(client, leader, mission):
    statement = factories.FindingsStatementFactory(mission=mission)
    client.force_login(leader)
    assert client.post(transition_url(statement, "delete")).status_code == 404


def _published(mission, reviewer, leader):
    statement = factories.FindingsStatementFactory(mission=mission, title="Final words")
    statement.submit_for_review(by=reviewer)
    statement.approve(by=leader)
    statement.publish(by=leader)
    return statement


def test_editing_a_published_statement_is_refused(client, reviewer, leader, mission):
    statement = _published(mission, reviewer, leader)
    client.force_login(reviewer)
    url = reverse("observation:statement_edit", args=[mission.pk, statement.pk])
    response = client.post(url, statement_data(title="Rewritten", version=statement.version))
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.title == "Final words"
    followed = client.get(url, follow=True)
    assert "This statement is published: it can no longer be changed." in (
        followed.content.decode()
    )


def test_second_of_two_concurrent_draft_edits_is_refused(client, reviewer, mission):
    statement = factories.FindingsStatementFactory(mission=mission, title="Original")
    url = reverse("observation:statement_edit", args=[mission.pk, statement.pk])
    client.force_login(reviewer)
    version = client.get(url).context["form"]["version"].value()
    assert client.post(url, statement_data(title="First", version=version)).status_code == 302
    response = client.post(url, statement_data(title="Second", version=version))
    assert "Someone else saved this statement" in " ".join(
        response.context["form"].non_field_errors()
    )
    assert response.context["form"]["title"].value() == "Second"
    statement.refresh_from_db()
    assert statement.title == "First"


def test_locked_mission_refuses_a_new_statement(client, reviewer, mission, superuser):
    mission.lock(by=superuser)
    client.force_login(reviewer)
    response = client.post(create_url(mission), statement_data())
    assert response.status_code == 403
    assert "is locked: its records can no longer be changed" in response.content.decode()
    assert not FindingsStatement.objects.exists()


def test_statement_list_in_date_order(client, staff, mission):
    later = factories.FindingsStatementFactory(mission=mission, issued_on=datetime.date(2000, 7, 1))
    earlier = factories.FindingsStatementFactory(
        mission=mission, issued_on=datetime.date(2000, 3, 1)
    )
    client.force_login(staff)
    response = client.get(reverse("observation:statement_list", args=[mission.pk]))
    assert list(response.context["statements"]) == [earlier, later]
