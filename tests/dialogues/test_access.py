"""Reading needs sign-in; editing needs the "Dialogue editors" permissions."""

import pytest
from django.urls import reverse

from dialogues.models import DialogueForum
from tests import factories

pytestmark = pytest.mark.django_db


def _pages(forum):
    session = factories.DialogueSessionFactory(forum=forum)
    participant = factories.ParticipantFactory(session=session)
    outcome = factories.OutcomeFactory(forum=forum)
    track = factories.BilateralTrackFactory(forum=forum)
    reading = [
        reverse("dialogues:forum_list"),
        reverse("dialogues:forum_detail", args=[forum.pk]),
        reverse("dialogues:forum_summary", args=[forum.pk]),
        reverse("dialogues:session_detail", args=[session.pk]),
    ]
    editing = [
        reverse("dialogues:forum_create"),
        reverse("dialogues:forum_edit", args=[forum.pk]),
        reverse("dialogues:session_create", args=[forum.pk]),
        reverse("dialogues:session_edit", args=[session.pk]),
        reverse("dialogues:participant_create", args=[session.pk]),
        reverse("dialogues:participant_edit", args=[participant.pk]),
        reverse("dialogues:outcome_create", args=[forum.pk]),
        reverse("dialogues:outcome_edit", args=[outcome.pk]),
        reverse("dialogues:track_create", args=[forum.pk]),
        reverse("dialogues:track_edit", args=[track.pk]),
    ]
    return reading, editing


def test_anonymous_visitor_is_sent_to_sign_in(client, forum):
    reading, editing = _pages(forum)
    for url in [*reading, *editing, reverse("dialogues:forum_summary_pdf", args=[forum.pk])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_signed_in_reader_can_read_but_not_edit(client, user, forum):
    reading, editing = _pages(forum)
    client.force_login(user)
    for url in reading:
        assert client.get(url).status_code == 200, url
    for url in editing:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


def test_reader_cannot_create_a_forum_by_posting(client, user):
    client.force_login(user)
    response = client.post(
        reverse("dialogues:forum_create"), {"name": "X", "kind": "national", "countries": ["PE"]}
    )
    assert response.status_code == 403
    assert not DialogueForum.objects.exists()


def test_reader_sees_no_edit_links(client, user, forum):
    client.force_login(user)
    response = client.get(reverse("dialogues:forum_detail", args=[forum.pk]))
    assert reverse("dialogues:forum_edit", args=[forum.pk]) not in response.content.decode()


def test_editor_can_open_every_form(client, editor, forum):
    _, editing = _pages(forum)
    client.force_login(editor)
    for url in editing:
        assert client.get(url).status_code == 200, url


def test_editor_sees_edit_links(client, editor, forum):
    client.force_login(editor)
    response = client.get(reverse("dialogues:forum_detail", args=[forum.pk]))
    assert reverse("dialogues:forum_edit", args=[forum.pk]) in response.content.decode()


def _removable(forum):
    session = factories.DialogueSessionFactory(forum=forum)
    return [
        ("participant_delete", factories.ParticipantFactory(session=session)),
        ("outcome_delete", factories.OutcomeFactory(forum=forum)),
        ("track_delete", factories.BilateralTrackFactory(forum=forum)),
    ]


def test_removing_is_post_only(client, editor, forum):
    client.force_login(editor)
    for name, obj in _removable(forum):
        assert client.get(reverse(f"dialogues:{name}", args=[obj.pk])).status_code == 405
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_reader_cannot_remove(client, user, forum):
    client.force_login(user)
    for name, obj in _removable(forum):
        assert client.post(reverse(f"dialogues:{name}", args=[obj.pk])).status_code == 403
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_editor_removes_participants_outcomes_and_tracks(client, editor, forum):
    client.force_login(editor)
    for name, obj in _removable(forum):
        response = client.post(reverse(f"dialogues:{name}", args=[obj.pk]))
        assert response.status_code == 302
        assert not type(obj).objects.filter(pk=obj.pk).exists()
