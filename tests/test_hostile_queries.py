"""Every page, asked with hostile query strings, answers without a server error.

NUL characters (PostgreSQL refuses them in text), overlong and non-UTF-8 values,
numbers out of range and far-future or far-past dates go into every parameter a
view or its filters read.
"""

from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from observation.filters import IrregularityFilterSet, ReportFilterSet, StationFilterSet
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE = [
    "%00",
    "a%00b",
    quote("x" * 10_000),
    "%FF%FE%FD",
    "9999-12-31",
    "0001-01-01",
    "-1",
    "1e309",
    "99999999999999999999",
]

PARAMETERS = sorted(
    {"q", "page", "unverified", "next", "sort"}
    | set(StationFilterSet.base_filters)
    | set(ReportFilterSet.base_filters)
    | set(IrregularityFilterSet.base_filters)
)


def _get_urls(world) -> list[str]:
    """Every URL of the site (but the admin and the language switch), filled in."""
    urls = []

    def walk(patterns, namespace="", keys=()):
        for pattern in patterns:
            found = (*keys, *pattern.pattern.converters)
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin" or str(pattern.pattern).startswith("i18n"):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, found)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}{pattern.name}"
                urls.append(reverse(name, kwargs={key: world(name, key) for key in found}))

    walk(get_resolver().url_patterns)
    return urls


@pytest.fixture
def world(mission):
    report = factories.ObserverReportFactory(mission=mission)
    forum = factories.DialogueForumFactory()
    session = factories.DialogueSessionFactory(forum=forum)
    objects = {
        "report_pk": report.pk,
        "station_pk": report.station_id,
        "recommendation_pk": factories.RecommendationFactory(statement__mission=mission).pk,
        "irregularity_pk": factories.IrregularityFactory(mission=mission).pk,
        "statement_pk": factories.FindingsStatementFactory(mission=mission).pk,
        "fmt": "csv",
        "action": "submit",
    }
    # A dialogues URL's pk names the record its path starts with.
    dialogue_records = {
        "sessions": session.pk,
        "participants": factories.ParticipantFactory(session=session).pk,
        "outcomes": factories.OutcomeFactory(forum=forum).pk,
        "tracks": factories.BilateralTrackFactory(forum=forum).pk,
    }

    def value(name, key):
        if key in objects:
            return objects[key]
        if name.startswith("dialogues:"):
            path = reverse(name, kwargs={"pk": 1})
            first = path.removeprefix("/dialogues/").split("/")[0]
            return dialogue_records.get(first, forum.pk)
        return mission.pk

    return value


def test_no_page_fails_on_a_hostile_query_string(client, superuser, world):
    client.force_login(superuser)
    urls = _get_urls(world)
    assert len(urls) > 30
    for url in urls:
        for value in HOSTILE:
            query = "&".join(f"{name}={value}" for name in PARAMETERS)
            response = client.get(f"{url}?{query}")
            assert response.status_code < 500, (url, value)
