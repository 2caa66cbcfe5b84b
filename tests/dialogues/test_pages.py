"""What the reading pages show, and that their query counts do not grow with the data."""

import datetime
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from dialogues.models import Outcome, Participant
from tests import factories

pytestmark = pytest.mark.django_db


def _fill(forum, size):
    """A forum with `size` sessions, each with `size` participants, and `size` outcomes."""
    conveners = [factories.OrganizationFactory() for _ in range(size)]
    forum.conveners.add(*conveners)
    for number in range(1, size + 1):
        session = factories.DialogueSessionFactory(forum=forum, sequence=number)
        for _ in range(size):
            factories.ParticipantFactory(session=session, country="", organization=conveners[0])
        factories.OutcomeFactory(forum=forum, session=session)
        factories.ForumObjectiveFactory(forum=forum, position=number)
    factories.BilateralTrackFactory(forum=forum, country_a="CO", country_b="VE")


@pytest.fixture
def reader_client(client, user):
    client.force_login(user)
    return client


# Every page: the session, the user.
SIGNED_IN = 2
# Templates ask `perms` once: the user's own and their groups' permissions.
PERMISSIONS = 2


@pytest.mark.parametrize("size", [1, 5])
def test_forum_list_queries_do_not_grow(reader_client, django_assert_num_queries, size):
    for _ in range(size):
        _fill(factories.DialogueForumFactory(), 2)
    # Forums with their session counts, their countries, their conveners.
    with django_assert_num_queries(SIGNED_IN + PERMISSIONS + 3):
        response = reader_client.get(reverse("dialogues:forum_list"))
    assert len(response.context["forums"]) == size


@pytest.mark.parametrize("size", [1, 5])
def test_forum_page_queries_do_not_grow(reader_client, forum, django_assert_num_queries, size):
    _fill(forum, size)
    # The forum, its conveners, countries, objectives, sessions with participant counts,
    # outcomes with their sessions, bilateral tracks.
    with django_assert_num_queries(SIGNED_IN + PERMISSIONS + 7):
        response = reader_client.get(reverse("dialogues:forum_detail", args=[forum.pk]))
    assert len(response.context["sessions"]) == size


@pytest.mark.parametrize("size", [1, 5])
def test_session_page_queries_do_not_grow(reader_client, forum, django_assert_num_queries, size):
    _fill(forum, size)
    session = forum.sessions.first()
    # The session with its forum, its participants with people and organisations, outcomes.
    with django_assert_num_queries(SIGNED_IN + PERMISSIONS + 3):
        response = reader_client.get(reverse("dialogues:session_detail", args=[session.pk]))
    assert len(response.context["participants"]) == size


@pytest.mark.parametrize("size", [1, 5])
def test_forum_summary_queries_do_not_grow(reader_client, forum, django_assert_num_queries, size):
    _fill(forum, size)
    # As the forum page, plus the sessions' participants in one go.
    with django_assert_num_queries(SIGNED_IN + 8):
        reader_client.get(reverse("dialogues:forum_summary", args=[forum.pk]))


def test_forum_page_shows_the_forum(reader_client, forum):
    factories.ForumObjectiveFactory(forum=forum, position=1, text="Build trust")
    factories.DialogueSessionFactory(forum=forum, sequence=1, city="Atlanta", country="US")
    factories.DialogueSessionFactory(forum=forum, sequence=2, city="Lima", date=None)
    factories.OutcomeFactory(
        forum=forum, title="Common agenda", kind=Outcome.Kind.COMMON_AGENDA_ITEM
    )
    factories.BilateralTrackFactory(forum=forum, country_a="VE", country_b="CO")
    page = reader_client.get(reverse("dialogues:forum_detail", args=[forum.pk])).content.decode()
    for text in [
        "Andean-U.S. Dialogue Forum",
        "planned to run 18 months",
        "Build trust",
        "Atlanta, United States of America",
        "date not known",
        "Common agenda",
        "Colombia — Venezuela",
        "Bolivia",
    ]:
        assert text in page, text


def test_session_page_lists_participants_and_whom_they_represent(reader_client, forum):
    session = factories.DialogueSessionFactory(forum=forum)
    factories.ParticipantFactory(
        session=session,
        person=factories.PersonFactory(full_name="Jennifer McCoy"),
        role=Participant.Role.MODERATOR,
        country="",
        organization=factories.OrganizationFactory(name="The Carter Center"),
    )
    factories.ParticipantFactory(session=session, country="EC")
    page = reader_client.get(session.get_absolute_url()).content.decode()
    assert "Jennifer McCoy" in page
    assert "Moderator" in page
    assert "The Carter Center" in page
    assert "Ecuador" in page


def test_forum_summary_prints_as_a_pdf_holding_the_forum_name(reader_client, forum):
    factories.DialogueSessionFactory(forum=forum, sequence=1, date=datetime.date(2010, 5, 1))
    response = reader_client.get(reverse("dialogues:forum_summary_pdf", args=[forum.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Andean-U.S. Dialogue Forum" in text
    assert "andean-us-dialogue-forum-summary.pdf" in response["Content-Disposition"]


def test_forum_summary_print_view_links_the_print_stylesheet(reader_client, forum):
    response = reader_client.get(reverse("dialogues:forum_summary", args=[forum.pk]))
    page = response.content.decode()
    assert "css/print.css" in page
    assert reverse("dialogues:forum_summary_pdf", args=[forum.pk]) in page
