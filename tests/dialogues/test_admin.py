import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["dialogueforum", "dialoguesession", "participant", "outcome", "bilateraltrack"]
)
def test_admin_lists_and_searches_each_model(client, superuser, forum, model):
    factories.ParticipantFactory(session=factories.DialogueSessionFactory(forum=forum))
    factories.OutcomeFactory(forum=forum)
    factories.BilateralTrackFactory(forum=forum)
    client.force_login(superuser)
    url = reverse(f"admin:dialogues_{model}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "Andean"}).status_code == 200


def test_admin_forum_page_carries_its_inlines(client, superuser, forum):
    factories.DialogueSessionFactory(forum=forum, city="Atlanta")
    client.force_login(superuser)
    response = client.get(reverse("admin:dialogues_dialogueforum_change", args=[forum.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for prefix in ["countries", "objectives", "sessions", "outcomes", "bilateral_tracks"]:
        assert f'name="{prefix}-TOTAL_FORMS"' in page, prefix
    assert "Atlanta" in page


def test_admin_session_page_carries_its_participants(client, superuser):
    participant = factories.ParticipantFactory()
    client.force_login(superuser)
    response = client.get(
        reverse("admin:dialogues_dialoguesession_change", args=[participant.session.pk])
    )
    assert response.status_code == 200
    assert 'name="participants-TOTAL_FORMS"' in response.content.decode()


def test_admin_adds_tracks_only_to_a_saved_forum(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:dialogues_dialogueforum_add")).content.decode()
    assert 'name="countries-TOTAL_FORMS"' in page
    assert 'name="bilateral_tracks-TOTAL_FORMS"' not in page
