"""Long work in the task worker as a member follows it: a large mission's summary PDF, whose
page follows the job without a reload and offers the file once it is written, and a long
list's preview, whose page leads back to the preview once every row is checked."""

from django.urls import reverse
from playwright.sync_api import expect

from observation import jobs
from observation.models import Job, MissionMembership
from tests import factories
from tests.conftest import QUEUED_TASKS
from tests.e2e.conftest import member


def test_a_member_has_the_summary_pdf_prepared_and_downloads_it(page, sign_in, peru, settings):
    # Queued for a worker, which the test plays once the page is waiting.
    settings.TASKS = QUEUED_TASKS
    settings.SUMMARY_PDF_IN_REQUEST_REPORTS = 1
    mission = peru["mission"]
    for phase in ("opening", "closing"):
        factories.ObserverReportFactory(
            mission=mission, round=peru["round"], station=peru["station"], phase=phase
        )
    sign_in(member(mission, MissionMembership.Role.STAFF))

    page.goto(reverse("observation:mission_summary", args=[mission.pk]))
    page.get_by_role("link", name="Download PDF").click()
    expect(page.get_by_text("This mission has 2 reports")).to_be_visible()
    page.get_by_role("button", name="Prepare the PDF").click()
    expect(page.get_by_role("heading", name="Members' summary, PDF")).to_be_visible()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()
    expect(page.get_by_text("Counting the mission's figures")).to_be_visible()

    job = Job.objects.get()
    jobs.run(job.pk)

    # The page asks after the job every 2 seconds and shows the file once it is ready.
    download_link = page.get_by_role("link", name=f"Download {job.filename}")
    expect(download_link).to_be_visible(timeout=10_000)
    expect(page.get_by_text("Done")).to_be_visible()
    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename == "peru-2000-general-elections-members-summary.pdf"
    assert Job.objects.get().status == Job.Status.DONE


def test_a_long_list_is_checked_in_the_background_then_confirmed(
    page, sign_in, peru, settings, tmp_path
):
    settings.TASKS = QUEUED_TASKS
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 2
    mission = peru["mission"]
    sign_in(member(mission, MissionMembership.Role.STAFF))
    page.goto(reverse("observation:station_import", args=[mission.pk]))

    page.get_by_label("File").set_input_files(
        files=[{"name": "mesas.csv", "mimeType": "text/csv", "buffer": LONG_LIST.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(
        page.get_by_role("heading", name="Import preview (polling stations): mesas.csv")
    ).to_be_visible()
    expect(page.get_by_text("Waiting for a worker")).to_be_visible()

    jobs.run(Job.objects.get().pk)

    # The page follows the job and, once it is done, shows the preview to confirm.
    expect(page.get_by_text("Ready to import: 3 new stations")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Confirm the import").click()
    expect(page.get_by_text("Import done: 3 stations added, 0 updated.")).to_be_visible()
    assert {"900001", "900002", "900003"} <= set(mission.stations.values_list("code", flat=True))


LONG_LIST = (
    "Code,Name,Registered voters\n"
    "900001,Escuela 1,300\n"
    "900002,Colegio 2,250\n"
    "900003,Colegio 3,400\n"
)
