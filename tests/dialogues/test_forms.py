"""Editing through the pages: what an editor can save, and what each form refuses
with a readable message while saving nothing."""

import datetime

import pytest
from django.urls import reverse

from dialogues.models import (
    BilateralTrack,
    DialogueForum,
    DialogueSession,
    ForumCountry,
    Outcome,
    Participant,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _forum_data(**overrides):
    return {
        "name": "Contentious Issues in the Americas",
        "kind": DialogueForum.Kind.SERIES,
        "conveners": [factories.OrganizationFactory(name="The Carter Center").pk],
        "countries": ["US", "PE", "CO"],
        "start_date": "2013-01-01",
        "end_date": "2014-12-31",
        "planned_months": "24",
        "purpose": "Discuss the issues that divide the hemisphere.",
        "objectives": "Name the contentious issues\n\nPropose ways forward\n",
        **overrides,
    }


def test_editor_creates_a_forum_with_countries_and_ordered_objectives(editor_client):
    response = editor_client.post(reverse("dialogues:forum_create"), _forum_data())
    forum = DialogueForum.objects.get()
    assert response.status_code == 302
    assert response["Location"] == forum.get_absolute_url()
    assert sorted(str(row.country) for row in forum.countries.all()) == ["CO", "PE", "US"]
    assert [(o.position, o.text) for o in forum.objectives.all()] == [
        (1, "Name the contentious issues"),
        (2, "Propose ways forward"),
    ]
    assert forum.planned_months == 24
    assert [str(c) for c in forum.conveners.all()] == ["The Carter Center"]


def test_editing_a_forum_reorders_objectives_and_changes_countries(editor_client, forum):
    factories.ForumObjectiveFactory(forum=forum, position=1, text="First")
    factories.ForumObjectiveFactory(forum=forum, position=2, text="Second")
    data = _forum_data(name=forum.name, countries=["PE", "US"], objectives="Second\nFirst")
    response = editor_client.post(reverse("dialogues:forum_edit", args=[forum.pk]), data)
    assert response.status_code == 302
    assert [o.text for o in forum.objectives.all()] == ["Second", "First"]
    assert sorted(str(row.country) for row in forum.countries.all()) == ["PE", "US"]


def test_forum_form_refuses_an_end_before_the_start(editor_client):
    data = _forum_data(start_date="2014-01-01", end_date="2013-01-01")
    response = editor_client.post(reverse("dialogues:forum_create"), data)
    assert response.status_code == 200
    assert "The forum cannot end before it starts." in response.content.decode()
    assert DialogueForum.objects.count() == 0
    assert ForumCountry.objects.count() == 0


def test_forum_form_refuses_a_planned_duration_of_zero_months(editor_client):
    response = editor_client.post(
        reverse("dialogues:forum_create"), _forum_data(planned_months="0")
    )
    assert response.status_code == 200
    assert "A planned duration is at least one month." in response.content.decode()
    assert DialogueForum.objects.count() == 0


def test_forum_form_refuses_to_drop_a_country_that_has_a_track(editor_client, forum):
    factories.BilateralTrackFactory(forum=forum, country_a="CO", country_b="VE")
    data = _forum_data(name=forum.name, countries=["CO", "PE"])
    response = editor_client.post(reverse("dialogues:forum_edit", args=[forum.pk]), data)
    assert response.status_code == 200
    assert "Remove the bilateral tracks of Venezuela before dropping them." in (
        response.content.decode()
    )
    assert forum.countries.filter(country="VE").exists()


def test_forum_form_refuses_dates_that_leave_a_session_outside(editor_client, forum):
    factories.DialogueSessionFactory(forum=forum, sequence=1, date=datetime.date(2010, 6, 15))
    data = _forum_data(name=forum.name, start_date="2010-07-01", end_date="2011-06-30")
    response = editor_client.post(reverse("dialogues:forum_edit", args=[forum.pk]), data)
    assert response.status_code == 200
    assert "would fall outside the forum&#x27;s dates" in response.content.decode()
    forum.refresh_from_db()
    assert forum.start_date == datetime.date(2010, 1, 1)


def _session_data(**overrides):
    return {
        "sequence": "1",
        "city": "Atlanta",
        "country": "US",
        "date": "",
        "topic": "Opening session",
        **overrides,
    }


def test_editor_adds_a_session_without_a_known_date(editor_client, forum):
    response = editor_client.post(
        reverse("dialogues:session_create", args=[forum.pk]), _session_data()
    )
    session = DialogueSession.objects.get()
    assert response["Location"] == session.get_absolute_url()
    assert session.forum == forum
    assert session.date is None
    page = editor_client.get(session.get_absolute_url())
    assert "date not known" in page.content.decode()


def test_new_session_form_suggests_the_next_number(editor_client, forum):
    factories.DialogueSessionFactory(forum=forum, sequence=3)
    response = editor_client.get(reverse("dialogues:session_create", args=[forum.pk]))
    assert response.context["form"].initial["sequence"] == 4


def test_session_form_refuses_a_number_already_taken(editor_client, forum):
    factories.DialogueSessionFactory(forum=forum, sequence=1)
    response = editor_client.post(
        reverse("dialogues:session_create", args=[forum.pk]), _session_data()
    )
    assert response.status_code == 200
    assert "The forum already has a session number 1." in response.content.decode()
    assert DialogueSession.objects.count() == 1


def test_session_form_refuses_a_date_outside_the_forum(editor_client, forum):
    response = editor_client.post(
        reverse("dialogues:session_create", args=[forum.pk]), _session_data(date="2012-01-01")
    )
    assert response.status_code == 200
    assert "The session falls after the forum ends" in response.content.decode()
    assert DialogueSession.objects.count() == 0


def test_editor_adds_a_participant(editor_client):
    session = factories.DialogueSessionFactory()
    person = factories.PersonFactory()
    response = editor_client.post(
        reverse("dialogues:participant_create", args=[session.pk]),
        {
            "person": person.pk,
            "role": Participant.Role.MODERATOR,
            "country": "",
            "organization": person.affiliation.pk,
        },
    )
    assert response["Location"] == session.get_absolute_url()
    assert Participant.objects.get().organization == person.affiliation


def test_participant_form_refuses_the_same_person_twice(editor_client):
    participant = factories.ParticipantFactory()
    response = editor_client.post(
        reverse("dialogues:participant_create", args=[participant.session.pk]),
        {"person": participant.person.pk, "role": Participant.Role.SPEAKER, "country": "PE"},
    )
    assert response.status_code == 200
    assert "already takes part in this session." in response.content.decode()
    assert Participant.objects.count() == 1


def test_participant_form_refuses_no_representation(editor_client):
    session = factories.DialogueSessionFactory()
    response = editor_client.post(
        reverse("dialogues:participant_create", args=[session.pk]),
        {"person": factories.PersonFactory().pk, "role": Participant.Role.DELEGATE},
    )
    assert response.status_code == 200
    assert "represents either a country or an organisation" in response.content.decode()
    assert Participant.objects.count() == 0


def test_editor_records_a_session_outcome(editor_client, forum):
    session = factories.DialogueSessionFactory(forum=forum)
    response = editor_client.post(
        reverse("dialogues:outcome_create", args=[forum.pk]),
        {"kind": Outcome.Kind.AGREEMENT, "title": "Lima agreement", "session": session.pk},
    )
    assert response["Location"] == forum.get_absolute_url()
    assert Outcome.objects.get().session == session


def test_outcome_form_refuses_a_session_of_another_forum(editor_client, forum):
    other = factories.DialogueSessionFactory()
    response = editor_client.post(
        reverse("dialogues:outcome_create", args=[forum.pk]),
        {"kind": Outcome.Kind.PROPOSAL, "title": "Stray", "session": other.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Outcome.objects.count() == 0


@pytest.mark.parametrize(("first", "second"), [("CO", "VE"), ("VE", "CO")])
def test_editor_adds_a_track_in_either_order(editor_client, forum, first, second):
    response = editor_client.post(
        reverse("dialogues:track_create", args=[forum.pk]),
        {"country_a": first, "country_b": second, "status": BilateralTrack.Status.PROPOSED},
    )
    assert response["Location"] == forum.get_absolute_url()
    track = BilateralTrack.objects.get()
    assert (str(track.country_a), str(track.country_b)) == ("CO", "VE")


def test_track_form_refuses_the_reversed_pair_of_an_existing_track(editor_client, forum):
    factories.BilateralTrackFactory(forum=forum, country_a="CO", country_b="VE")
    response = editor_client.post(
        reverse("dialogues:track_create", args=[forum.pk]),
        {"country_a": "VE", "country_b": "CO", "status": BilateralTrack.Status.HELD},
    )
    assert response.status_code == 200
    assert "The forum already has a track for Colombia — Venezuela." in response.content.decode()
    assert BilateralTrack.objects.count() == 1


def test_track_form_refuses_a_country_paired_with_itself(editor_client, forum):
    response = editor_client.post(
        reverse("dialogues:track_create", args=[forum.pk]),
        {"country_a": "PE", "country_b": "PE", "status": BilateralTrack.Status.EXPLORED},
    )
    assert response.status_code == 200
    assert "A country cannot pair with itself." in response.content.decode()
    assert BilateralTrack.objects.count() == 0


def test_track_form_offers_only_the_forum_countries(editor_client):
    forum = factories.DialogueForumFactory(countries=["PE", "US"])
    response = editor_client.post(
        reverse("dialogues:track_create", args=[forum.pk]),
        {"country_a": "PE", "country_b": "VE", "status": BilateralTrack.Status.EXPLORED},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert BilateralTrack.objects.count() == 0
