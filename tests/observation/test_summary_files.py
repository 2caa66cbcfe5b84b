"""Each summary variant downloads under its own name; the members' versions say on every
printed page that they are not for quotation."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests import factories
from tests.observation.test_summary import _grow

pytestmark = pytest.mark.django_db

MARKING = "Internal — not for quotation"


@pytest.mark.parametrize(
    ("name", "query", "file_name"),
    [
        ("mission_summary_pdf", "", "peru-2000-members-summary.pdf"),
        ("mission_summary_pdf", "?unverified=1", "peru-2000-members-summary-with-unverified.pdf"),
        ("mission_public_summary_pdf", "", "peru-2000-public-summary.pdf"),
    ],
)
def test_each_summary_variant_has_its_own_file_name(client, staff, name, query, file_name):
    mission = factories.MissionFactory(name="Peru 2000")
    factories.MissionMembershipFactory(mission=mission, user=staff)
    client.force_login(staff)

    response = client.get(reverse(f"observation:{name}", args=[mission.pk]) + query)

    assert response["Content-Disposition"] == f'attachment; filename="{file_name}"'


def test_members_summary_pdf_is_marked_internal_on_every_page(client, mission, leader):
    _grow(mission, stations=80, reviewer=leader)
    client.force_login(leader)

    response = client.get(reverse("observation:mission_summary_pdf", args=[mission.pk]))

    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) > 1
    for page in pages:
        assert MARKING in page.extract_text()


def test_public_summary_is_not_marked_internal(client, mission, staff):
    client.force_login(staff)

    html = client.get(reverse("observation:mission_public_summary", args=[mission.pk]))
    pdf = client.get(reverse("observation:mission_public_summary_pdf", args=[mission.pk]))

    assert MARKING not in html.content.decode()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert MARKING not in text


def test_members_summary_page_shows_the_marking(client, mission, staff):
    client.force_login(staff)

    response = client.get(reverse("observation:mission_summary", args=[mission.pk]))

    assert MARKING in response.content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_summary_pdf_is_tagged_titled_and_in_the_readers_language(client, staff, language):
    mission = factories.MissionFactory(name="Perú 2000")
    factories.MissionMembershipFactory(mission=mission, user=staff)
    client.force_login(staff)

    response = client.get(
        reverse("observation:mission_public_summary_pdf", args=[mission.pk]),
        headers={"accept-language": language},
    )

    pdf = PdfReader(io.BytesIO(response.content))
    catalog = pdf.trailer["/Root"]
    # Tagged: a structure tree that screen readers follow, and the mark saying so.
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == language
    assert "Perú 2000" in pdf.metadata.title
