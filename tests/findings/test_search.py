"""Search across what missions published: never what they did not, never a query run as
code, and the query shown back escaped."""

import pytest
from django.db import connection
from django.urls import reverse

from observation.models import Mission
from tests import factories


def _statement(mission, leader, *, publish, **fields):
    statement = factories.FindingsStatementFactory(mission=mission, **fields)
    factories.RecommendationFactory(
        statement=statement, text=fields.get("title", "") + " Publish results by polling station."
    )
    if publish:
        for move in ("submit_for_review", "approve", "publish"):
            getattr(statement, move)(by=leader)
    return statement


@pytest.fixture
def published(leader, mission):
    _statement(
        mission,
        leader,
        publish=False,
        title="Draft about ballots",
        body="Unpublished words about pre-marked ballots.",
    )
    return _statement(
        mission,
        leader,
        publish=True,
        title="Many flaws in the voting",
        body="The mission saw pre-marked ballots.",
        title_es="Muchas fallas en la votación",
        body_es="La misión vio cédulas marcadas.",
    )


def _search(client, query):
    return client.get(reverse("findings:search"), {"q": query})


@pytest.mark.parametrize("query", ["ballots", "BALLOTS pre-marked", "cédulas", "flaws"])
def test_published_statements_are_found_in_either_language(client, published, query):
    response = _search(client, query)

    assert [s.title for s in response.context["statements"]] == ["Many flaws in the voting"]
    assert "Draft about ballots" not in response.content.decode()


def test_recommendations_are_found_only_when_published(client, published):
    response = _search(client, "polling station")

    assert [r.statement for r in response.context["recommendations"]] == [published]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")
def test_postgresql_finds_other_forms_of_a_word(client, published):
    assert list(_search(client, "ballot").context["statements"]) == [published]
    assert list(_search(client, "marcada").context["statements"]) == [published]


@pytest.mark.parametrize(
    "query",
    [
        "'; DROP TABLE observation_mission; --",
        '" OR 1=1 --',
        "%_\\",
        "<script>alert(1)</script>",
        "a" * 5000,
    ],
)
def test_metacharacters_are_words_and_come_back_escaped(client, published, query):
    response = _search(client, query)

    assert response.status_code == 200
    # Words of the query may match published text ("mission"), never anything else.
    assert all(statement.is_published for statement in response.context["statements"])
    page = response.content.decode()
    assert "Draft about ballots" not in page
    assert "<script>alert(1)</script>" not in page
    assert Mission.objects.exists()


def test_control_characters_are_dropped_from_the_query(client, published):
    response = _search(client, "ballots\x00\x07")

    assert response.context["query"] == "ballots"
    assert list(response.context["statements"]) == [published]
