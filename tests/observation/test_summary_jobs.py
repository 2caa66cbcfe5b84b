"""The summary's PDF of a large mission is written by the task worker: the same document
the request would have written, followed on its page, its file for the one who asked."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from observation import jobs
from observation.models import Job
from tests import factories
from tests.observation.test_summary import _grow
from tests.observation.test_summary_files import MARKING

pytestmark = pytest.mark.django_db

OBSERVER_NAME = "Olga Observadora"


@pytest.fixture
def peru(mission, leader):
    """Six reports, each with an irregularity verified, one more not yet reviewed; an
    observer the public summary does not name."""
    mission.name = "Peru 2000 general elections"
    mission.save()
    factories.DelegationMemberFactory(
        mission=mission, person=factories.PersonFactory(full_name=OBSERVER_NAME)
    )
    _grow(mission, stations=6, reviewer=leader)
    report = mission.reports.first()
    factories.IrregularityFactory(
        mission=mission, round=report.round, station=report.station, report=report
    )
    return mission


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _downloaded(client, job) -> tuple[bytes, str]:
    response = client.get(reverse("observation:job_download", args=[job.mission_id, job.pk]))
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content), response["Content-Disposition"]


def _members_pdf(mission, by):
    """The members' summary PDF, queued as the summary's page queues it."""
    return jobs.summary_pdf_start(
        mission=mission,
        public=False,
        include_unverified=False,
        names_observers=True,
        base_url="http://testserver/",
        by=by,
    )


def test_a_large_missions_pdf_is_prepared_in_the_background_as_the_request_wrote_it(
    client,
    peru,
    leader,
    settings,
    django_capture_on_commit_callbacks,
):
    client.force_login(leader)
    url = reverse("observation:mission_summary_pdf", args=[peru.pk])
    in_request = client.get(f"{url}?unverified=1")
    assert in_request["Content-Type"] == "application/pdf"
    settings.SUMMARY_PDF_IN_REQUEST_REPORTS = 5

    offer = client.get(f"{url}?unverified=1")

    assert offer["Content-Type"].startswith("text/html")
    page = offer.content.decode()
    assert "This mission has 6 reports: its summary's PDF is prepared in the background" in page
    assert '<input type="hidden" name="unverified" value="1">' in page
    assert not Job.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("observation:summary_pdf_start", args=[peru.pk]), {"unverified": "1"}
        )

    job = Job.objects.get()
    assert response.url == reverse("observation:job_detail", args=[peru.pk, job.pk])
    assert job.title == "Members' summary with unverified irregularities, PDF"
    data, disposition = _downloaded(client, job)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert (job.status, job.done, job.total) == (Job.Status.DONE, pages, pages)
    assert disposition == (
        'attachment; filename="peru-2000-general-elections-members-summary-with-unverified.pdf"'
    )
    assert _text(data) == _text(in_request.content)
    assert MARKING in _text(data)
    assert OBSERVER_NAME in _text(data)
    detail = client.get(response.url).content.decode()
    assert f"{pages} pages laid out" in detail


def test_the_public_summarys_pdf_in_the_background_is_the_public_one(
    client,
    peru,
    staff,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.SUMMARY_PDF_IN_REQUEST_REPORTS = 5
    client.force_login(staff)

    offer = client.get(reverse("observation:mission_public_summary_pdf", args=[peru.pk]))
    assert '<input type="hidden" name="public" value="1">' in offer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        # The public summary holds verified irregularities only, whatever is asked.
        client.post(
            reverse("observation:summary_pdf_start", args=[peru.pk]),
            {"public": "1", "unverified": "1"},
        )

    job = Job.objects.get()
    assert job.title == "Public summary, PDF"
    # It names no observer: a member whose role hides names may still download it.
    assert job.params["names_observers"] is False
    data, disposition = _downloaded(client, job)
    assert disposition == 'attachment; filename="peru-2000-general-elections-public-summary.pdf"'
    text = _text(data)
    assert "Public summary" in text
    assert MARKING not in text
    assert OBSERVER_NAME not in text


def test_the_pdf_is_written_in_its_requesters_language(peru, leader):
    with translation.override("es"):
        job = _members_pdf(peru, leader)
    # As a worker process starts: no zone, the site's language.
    timezone.deactivate()

    jobs.run(job.pk)

    job.refresh_from_db()
    text = _text(job.file.read())
    assert "Interno: no citar" in text
    assert MARKING not in text


def test_the_job_page_says_what_the_worker_is_doing(client, peru, leader):
    job = _members_pdf(peru, leader)
    client.force_login(leader)
    url = reverse("observation:job_detail", args=[peru.pk, job.pk])

    waiting = client.get(url).content.decode()
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now(), total=12
    )
    laid_out = client.get(url).content.decode()

    assert "Counting the mission's figures and laying out the pages." in waiting
    assert 'data-job-total=""' in waiting
    assert "12 pages laid out" in laid_out
    assert 'data-job-total="12"' in laid_out
    assert "rows written" not in waiting + laid_out
