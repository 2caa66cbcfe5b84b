"""The public findings site, walked as a stranger would: every link followed from the
front page, the feed and the sitemap, over records in every state. Nothing unpublished
may appear, and no internal id."""

import datetime
import re
from collections import deque
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from observation import printing, services
from observation.models import FindingsStatement, Recommendation, RecommendationAssessment
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Text that only unpublished records, internal notes or observers' names hold.
SECRETS = [
    "DRAFT-SECRET",
    "IN-REVIEW-SECRET",
    "APPROVED-SECRET",
    "DRAFT-RECOMMENDATION",
    "UNPUBLISHED-EVIDENCE",
    "REVIEW-NOTE-SECRET",
    "Observer Secretname",
    "Hidden mission",
]


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def _statement(mission, leader, day, *, title, status, recommendations=()):
    statement = factories.FindingsStatementFactory(
        mission=mission, issued_on=day, title=title, body=f"{title} body."
    )
    for text in recommendations:
        factories.RecommendationFactory(statement=statement, text=text)
    moves = {
        "draft": [],
        "in_review": ["submit_for_review"],
        "approved": ["submit_for_review", "approve"],
        "published": ["submit_for_review", "approve", "publish"],
    }[status]
    for move in moves:
        getattr(statement, move)(by=leader)
    return statement


@pytest.fixture
def world(leader, mission):
    mission.country = "PE"
    mission.name = "Peru 2000"
    mission.save()
    _statement(
        mission,
        leader,
        datetime.date(2000, 7, 28),
        title="New elections",
        status="published",
        recommendations=["Hold new elections."],
    )
    _statement(
        mission,
        leader,
        datetime.date(2000, 8, 1),
        title="DRAFT-SECRET",
        status="draft",
        recommendations=["DRAFT-RECOMMENDATION"],
    )
    _statement(
        mission, leader, datetime.date(2000, 8, 2), title="IN-REVIEW-SECRET", status="in_review"
    )
    _statement(
        mission, leader, datetime.date(2000, 8, 3), title="APPROVED-SECRET", status="approved"
    )
    factories.IrregularityFactory(mission=mission, review_note="REVIEW-NOTE-SECRET")
    factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name="Observer Secretname")
    )
    later = factories.MissionFactory(name="Peru 2001", country="PE")
    factories.MissionMembershipFactory(mission=later, user=leader, role="leader")
    recommendation = Recommendation.objects.get(text="Hold new elections.")
    published = _statement(
        later, leader, datetime.date(2001, 4, 10), title="Progress", status="draft"
    )
    unpublished = _statement(
        later, leader, datetime.date(2001, 4, 11), title="DRAFT-SECRET too", status="draft"
    )
    for statement, status, evidence in (
        (published, RecommendationAssessment.Status.PARTIALLY, "Held in April 2001."),
        (unpublished, RecommendationAssessment.Status.FULLY, "UNPUBLISHED-EVIDENCE"),
    ):
        services.recommendation_assess(
            assessment=RecommendationAssessment(
                recommendation=recommendation,
                mission=later,
                statement=statement,
                status=status,
                assessed_on=statement.issued_on,
                evidence=evidence,
            ),
            by=leader,
        )
    for move in ("submit_for_review", "approve", "publish"):
        getattr(published, move)(by=leader)
    hidden = factories.MissionFactory(name="Hidden mission", country="PE")
    _statement(
        hidden, leader, datetime.date(2001, 1, 1), title="DRAFT-SECRET hidden", status="draft"
    )
    return {"mission": mission, "later": later}


def _walk(client) -> dict[str, str]:
    """Every page of the site reachable from its front page, by path."""
    start = reverse("findings:index")
    seen, queue, pages = {start}, deque([start]), {}
    while queue:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code == 200, path
        if response["Content-Type"] == "application/pdf":
            # The public summary's PDF, laid out from the same page as on screen.
            assert response.content.startswith(b"%PDF"), path
            continue
        pages[path] = response.content.decode()
        parser = _Links()
        parser.feed(pages[path])
        for href in parser.links:
            href = href.split("?")[0].split("#")[0]
            if href.startswith("/findings/") and href not in seen:
                seen.add(href)
                queue.append(href)
    return pages


def test_a_stranger_sees_only_what_was_published(client, world):
    pages = _walk(client)

    assert reverse("findings:country", args=["pe"]) in pages
    assert reverse("findings:summary", args=[world["mission"].slug]) in pages
    assert reverse("findings:mission", args=[world["later"].slug]) in pages
    for path, page in pages.items():
        for secret in SECRETS:
            assert secret not in page, (path, secret)
        # Slugs only: no path segment is a bare number.
        assert not re.search(r"/findings/(?:[^/]+/)*\d+/", path), path
    country = pages[reverse("findings:country", args=["pe"])]
    assert "Hold new elections." in country
    # The status published with the 2001 statement, not the assessment still in draft.
    assert '<span class="follow-up-status">Partially implemented</span>' in country
    assert "Held in April 2001." in country
    assert '<span class="follow-up-status">Fully implemented</span>' not in country


def test_the_feed_and_the_sitemap_list_what_was_published(client, world):
    feed = ElementTree.fromstring(client.get(reverse("findings:feed")).content)
    sitemap = ElementTree.fromstring(client.get("/sitemap.xml").content)

    titles = [entry.find(f"{ATOM}title").text for entry in feed.iter(f"{ATOM}entry")]
    assert sorted(titles) == ["Peru 2000: New elections", "Peru 2001: Progress"]
    locations = {location.text for location in sitemap.iter(f"{SITEMAP}loc")}
    published = FindingsStatement.objects.published()
    assert {
        f"http://testserver{reverse('findings:statement', args=[s.mission.slug, s.slug])}"
        for s in published
    } <= locations
    assert "http://testserver/findings/countries/pe/" in locations
    assert not any("hidden" in location for location in locations)


def test_pages_are_cacheable_for_strangers_and_private_for_members(client, world, leader):
    url = reverse("findings:mission", args=[world["mission"].slug])

    anonymous = client.get(url)
    client.force_login(leader)
    member = client.get(url)

    assert anonymous["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in anonymous["Vary"]
    assert member["Cache-Control"] == "private"


@pytest.mark.parametrize(
    "path",
    [
        "/findings/hidden-mission/",
        "/findings/hidden-mission/summary/",
        "/findings/peru-2000/draft-secret/",
        "/findings/countries/xx/",
        "/findings/countries/<script>/",
    ],
)
def test_what_is_not_published_or_not_valid_is_not_found(client, world, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "DRAFT-SECRET" not in response.content.decode()
    assert "Hidden mission" not in response.content.decode()


def test_hostile_filter_values_show_nothing_and_come_back_escaped(client, world):
    response = client.get(
        reverse("findings:country", args=["pe"]),
        {"theme": "' OR 1=1 --", "status": "<b>bold</b>"},
    )

    assert response.status_code == 200
    assert response.context["groups"] == []
    page = response.content.decode()
    assert "<b>bold</b>" not in page
    assert "Hold new elections." not in page


def test_public_pages_cost_the_same_queries_with_more_records(
    client, world, leader, django_assert_num_queries
):
    mission = world["mission"]
    pages = [
        reverse("findings:index"),
        reverse("findings:mission", args=[mission.slug]),
        reverse("findings:country", args=["pe"]),
        reverse("findings:search") + "?q=elections",
    ]
    counts = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(page)
        counts[page] = len(queries)

    more = _statement(
        mission,
        leader,
        datetime.date(2000, 9, 1),
        title="More elections",
        status="published",
        recommendations=[f"Hold new elections in region {n}." for n in range(6)],
    )
    # Assessed by the later mission in a statement it then publishes: each shows with its
    # mission and statement.
    later = world["later"]
    assessing = _statement(
        later, leader, datetime.date(2001, 5, 1), title="Follow-up", status="draft"
    )
    for recommendation in more.recommendations.all():
        services.recommendation_assess(
            assessment=RecommendationAssessment(
                recommendation=recommendation,
                mission=later,
                statement=assessing,
                status=RecommendationAssessment.Status.PARTIALLY,
                assessed_on=assessing.issued_on,
            ),
            by=leader,
        )
    for move in ("submit_for_review", "approve", "publish"):
        getattr(assessing, move)(by=leader)
    factories.MissionPartnerFactory(mission=mission)
    assert RecommendationAssessment.objects.filter(statement=assessing).count() == 6

    for page in pages:
        with django_assert_num_queries(counts[page]):
            client.get(page)


def test_the_rest_of_observa_stays_behind_the_sign_in(client, world):
    response = client.get(reverse("observation:mission_detail", args=[world["mission"].pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_statement_reads_in_the_readers_language_with_the_other_below(client, leader, mission):
    statement = factories.FindingsStatementFactory(
        mission=mission,
        title="Many flaws",
        body="The mission saw **pre-marked ballots**.",
        title_es="Muchas fallas",
        body_es="La misión vio **cédulas marcadas**.",
    )
    for move in ("submit_for_review", "approve", "publish"):
        getattr(statement, move)(by=leader)
    url = reverse("findings:statement", args=[mission.slug, statement.slug])

    spanish = client.get(url, headers={"accept-language": "es"}).content.decode()

    assert '<h1 class="h3 mb-1">Muchas fallas</h1>' in spanish
    assert "<strong>cédulas marcadas</strong>" in spanish
    assert "The statement in English" in spanish
    assert "<strong>pre-marked ballots</strong>" in spanish
    assert statement.slug == f"{statement.issued_on:%Y-%m-%d}-many-flaws"


def test_the_summary_pdf_is_laid_out_once_while_it_reads_the_same(
    client, world, leader, monkeypatch
):
    """The day a mission publishes, every reader downloads the same PDF: it is laid out
    once, kept, and laid out again only once the page reads otherwise."""
    laid_out = []
    write_pdf = printing.write_pdf
    monkeypatch.setattr(
        printing, "write_pdf", lambda document: laid_out.append(1) or write_pdf(document)
    )
    url = reverse("findings:summary_pdf", args=[world["mission"].slug])

    first, second = client.get(url), client.get(url)

    assert first.content.startswith(b"%PDF")
    assert second.content == first.content
    assert len(laid_out) == 1
    assert len(default_storage.listdir(printing.KEPT_FOLDER)[1]) == 1

    # Another reader's language is another page, kept beside it.
    client.cookies["django_language"] = "es"
    spanish = client.get(url)
    assert spanish.content != first.content
    assert len(laid_out) == 2
    assert len(default_storage.listdir(printing.KEPT_FOLDER)[1]) == 2

    # A statement published: the page reads otherwise, and the earlier PDF goes.
    client.cookies["django_language"] = "en"
    _statement(
        world["mission"],
        leader,
        datetime.date(2000, 9, 1),
        title="Final report",
        status="published",
    )
    renewed = client.get(url)
    assert renewed.content != first.content
    assert len(laid_out) == 3
    assert len(default_storage.listdir(printing.KEPT_FOLDER)[1]) == 2
    assert client.get(url).content == renewed.content
    assert len(laid_out) == 3


def test_a_kept_pdf_cut_short_is_laid_out_again(client, world, monkeypatch):
    laid_out = []
    write_pdf = printing.write_pdf
    monkeypatch.setattr(
        printing, "write_pdf", lambda document: laid_out.append(1) or write_pdf(document)
    )
    url = reverse("findings:summary_pdf", args=[world["mission"].slug])
    whole = client.get(url).content
    (name,) = default_storage.listdir(printing.KEPT_FOLDER)[1]
    # As a file still being written, or cut short by a full disk, lies in the storage.
    with default_storage.open(f"{printing.KEPT_FOLDER}/{name}", "wb") as kept:
        kept.write(whole[: len(whole) // 2])

    again = client.get(url).content

    assert again.rstrip().endswith(b"%%EOF")
    assert len(laid_out) == 2
    assert client.get(url).content == again
    assert len(laid_out) == 2
