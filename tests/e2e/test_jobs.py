"""A member has a large mission's summary PDF prepared by the task worker: its page follows
the job without a reload and offers the file once it is written."""

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
