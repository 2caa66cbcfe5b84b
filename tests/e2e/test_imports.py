"""A data officer imports a national list whose headers Observa does not know, numbered
within each county: the columns are matched once, by clicking, and remembered."""

from django.urls import reverse
from playwright.sync_api import expect

from observation.models import MissionMembership, PollingStation
from tests.e2e.conftest import member

# Modelled on Romania's list of polling stations: numbered within each county.
ROMANIAN = (
    "Judet;Numar sectie;Denumire sectie\n"
    "Cluj;1;Scoala Gimnaziala 1\n"
    "Cluj;2;Liceul Teoretic 2\n"
    "Iasi;1;Scoala 7\n"
)


def _upload(page, text):
    page.get_by_label("File").set_input_files(
        files=[{"name": "sectii.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()


def test_a_list_with_its_own_headers_is_matched_once_and_imported(
    page, sign_in, peru, settings, tmp_path
):
    # The uploads wait in this test's own media folder, never in var/media.
    settings.MEDIA_ROOT = tmp_path
    mission = peru["mission"]
    sign_in(member(mission, MissionMembership.Role.STAFF))
    page.goto(reverse("observation:station_list", args=[mission.pk]))
    page.get_by_role("link", name="Import stations").click()

    _upload(page, ROMANIAN)

    expect(page.get_by_text("The file has no column for: Code, Name.")).to_be_visible()
    expect(page.get_by_text("Scoala Gimnaziala 1 · Liceul Teoretic 2 · Scoala 7")).to_be_visible()
    page.get_by_label("Judet").select_option(label="Department")
    page.get_by_label("Numar sectie").select_option(label="Code")
    page.get_by_label("Denumire sectie").select_option(label="Name")
    page.get_by_role("button", name="Check again with these columns").click()

    expect(page.get_by_text("Codes repeat in this list, but never within one area")).to_be_visible()
    page.get_by_label("This list numbers its stations within each area").check()
    page.get_by_role("button", name="Check again with these columns").click()

    expect(page.get_by_text("Ready to import: 3 new stations")).to_be_visible()
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_text("Import done: 3 stations added, 0 updated.")).to_be_visible()
    codes = set(PollingStation.objects.filter(mission=mission).values_list("code", flat=True))
    assert {"CLUJ / 1", "CLUJ / 2", "IASI / 1"} <= codes

    page.goto(reverse("observation:station_import", args=[mission.pk]))
    _upload(page, ROMANIAN + "Iasi;2;Liceul 9\n")

    expect(page.get_by_text("Ready to import: 1 new stations, 3 stations updated")).to_be_visible()
