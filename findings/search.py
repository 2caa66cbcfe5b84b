"""Search across published statements and recommendations.

On PostgreSQL, full-text search in English and Spanish (each text with its language's
stemming, so "elecciones" finds "elección" and "observers" finds "observer"), ranked.
On the embedded SQLite, every word of the query must appear, in any case: no stemming,
no ranking, but the same results for exact words.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q

from findings import public

# Longer queries are cut: a search box is not a place for essays.
MAX_QUERY_LENGTH = 200
MAX_RESULTS = 50


def clean(query: str) -> str:
    """The query as words: cut to MAX_QUERY_LENGTH, without the control characters a
    search box cannot type (a NUL, which PostgreSQL refuses in text)."""
    return "".join(char for char in query[:MAX_QUERY_LENGTH] if char.isprintable()).strip()


def _words(query: str) -> list[str]:
    return clean(query).split()


def statements(query: str):
    found = public.statements()
    if connection.vendor == "postgresql":
        vector = SearchVector("title", "body", config="english") + SearchVector(
            "title_es", "body_es", config="spanish"
        )
        terms = _query(query)
        return (
            found.annotate(rank=SearchRank(vector, terms))
            .filter(rank__gt=0)
            .order_by("-rank", "-issued_on")[:MAX_RESULTS]
        )
    return _every_word(found, query, ["title", "body", "title_es", "body_es"]).order_by(
        "-issued_on"
    )[:MAX_RESULTS]


def recommendations(query: str):
    found = public.recommendations()
    if connection.vendor == "postgresql":
        vector = SearchVector("text", config="english") + SearchVector("text", config="spanish")
        return (
            found.annotate(rank=SearchRank(vector, _query(query)))
            .filter(rank__gt=0)
            .order_by("-rank", "-statement__issued_on")[:MAX_RESULTS]
        )
    return _every_word(found, query, ["text"]).order_by("-statement__issued_on")[:MAX_RESULTS]


def _query(query: str):
    # websearch syntax: quotes, "or" and "-" as a reader types them; anything else is a
    # word, never SQL.
    text = clean(query)
    return SearchQuery(text, config="english", search_type="websearch") | SearchQuery(
        text, config="spanish", search_type="websearch"
    )


def _every_word(queryset, query: str, fields: list[str]):
    for word in _words(query):
        matches = Q()
        for name in fields:
            matches |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(matches)
    return queryset
