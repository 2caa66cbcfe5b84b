"""An upload too long to check in the request is checked by the task worker: the request
matches its columns only, the job's page counts the rows checked, then leads back to the
import page with the preview, which the member confirms as any other. The preview is
theirs alone, and only while the upload waits with the columns it was checked with."""

import csv
import io
import re

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from observation import jobs
from observation.imports import MAX_KEPT_ERRORS, clear_stale_uploads
from observation.models import Job, PollingStation
from observation.views.transfer import SESSION_KEY
from tests import factories
from tests.observation.test_import_jobs import ROWS, _uploads
from tests.observation.test_imports import HEADER, _csv, _preview
from tests.observation.test_imports_columns import JOINED, ROMANIAN, _choose, _upload

pytestmark = pytest.mark.django_db

BAD_ROWS = (
    "0001,Escuela 1,Lima,Lima,Miraflores,-1,,\n"
    "0002,Colegio 2,Áncash,Huaraz,Huaraz,-2,,\n"
    "0003,Colegio 3,Cusco,Cusco,Cusco,-3,,\n"
)


@pytest.fixture(autouse=True)
def _long(settings):
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 2


def _checked_in_the_background(client, mission, capture, text=HEADER + ROWS):
    """Upload the file: its preview is queued, and checked once the request commits."""
    with capture(execute=True):
        response = _preview(client, mission, _csv(text))
    job = Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW)
    assert response.status_code == 302
    assert response.url == reverse("observation:job_detail", args=[mission.pk, job.pk])
    job.refresh_from_db()
    return job


def _preview_page(client, mission, job):
    """The job's page, which sends the member back to the import page with its preview."""
    response = client.get(reverse("observation:job_detail", args=[mission.pk, job.pk]))
    assert response.status_code == 302
    import_url = reverse("observation:station_import", args=[mission.pk])
    assert response.url == f"{import_url}?checked={job.pk}"
    return client.get(response.url)


def test_a_long_uploads_header_is_found_under_a_title_longer_than_the_limit(
    staff_client, mission, django_capture_on_commit_callbacks
):
    # An export with a title block above its header: more lines than are checked in the
    # request, all of them searched for the header as a short file's are.
    title = (
        "Elecciones Generales 2000\nRelación de mesas de sufragio\nFuente: ONPE\n"
        "Lima, 9 de abril de 2000\nPágina 1\nDocumento de trabajo\n"
    )

    job = _checked_in_the_background(
        staff_client, mission, django_capture_on_commit_callbacks, text=title + HEADER + ROWS
    )

    assert job.status == Job.Status.DONE
    html = _preview_page(staff_client, mission, job).content.decode()
    assert "Ready to import: 3 new stations, 0 stations updated by their code." in html


def test_a_long_upload_is_checked_by_the_worker_then_confirmed(
    staff_client, mission, django_capture_on_commit_callbacks
):
    job = _checked_in_the_background(staff_client, mission, django_capture_on_commit_callbacks)

    assert job.title == "Import preview (polling stations): stations.csv"
    assert (job.status, job.done, job.total, job.file.name) == (Job.Status.DONE, 3, None, "")
    assert not PollingStation.objects.exists()
    page = _preview_page(staff_client, mission, job)
    html = page.content.decode()
    assert "Ready to import: 3 new stations, 0 stations updated by their code." in html
    assert "Colegio 3" in html
    # Confirmed above the first rows, as a preview checked in the request is.
    assert html.index("Confirm the import") < html.index("First rows") < html.rindex("Colegio 3")
    # The upload waits, now known to hold three valid rows.
    (entry,) = staff_client.session[SESSION_KEY].values()
    assert entry["rows"] == 3

    response = staff_client.post(
        reverse("observation:station_import_confirm", args=[mission.pk]),
        {"token": page.context["token"]},
    )

    assert response.url == reverse("observation:station_list", args=[mission.pk])
    assert sorted(PollingStation.objects.values_list("code", flat=True)) == [
        "0001",
        "0002",
        "0003",
    ]
    assert _uploads() == []


def test_a_short_upload_is_still_checked_in_the_request(staff_client, mission, settings):
    settings.IMPORT_PREVIEW_IN_REQUEST_ROWS = 3

    response = _preview(staff_client, mission, _csv(HEADER + ROWS))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ready to import: 3 new stations" in html
    assert html.index("Confirm the import") < html.index("First rows") < html.rindex("Colegio 3")
    assert not Job.objects.exists()


def test_the_problems_of_a_long_upload_are_shown_and_downloaded_from_its_job(
    staff_client, mission, django_capture_on_commit_callbacks, monkeypatch
):
    # The page shows the first problem only; the file has every one.
    monkeypatch.setattr(jobs, "MAX_KEPT_ERRORS", 1)
    job = _checked_in_the_background(
        staff_client, mission, django_capture_on_commit_callbacks, HEADER + BAD_ROWS
    )

    page = _preview_page(staff_client, mission, job)

    html = page.content.decode()
    assert "The file has 3 problems. Nothing was imported" in html
    assert "…and 2 more problems, not shown" in html
    assert "Confirm the import" not in html
    assert page.context["token"] is None
    download_url = reverse("observation:job_download", args=[mission.pk, job.pk])
    assert f'href="{download_url}">Download all 3 problems as a CSV file' in html
    download = staff_client.get(download_url)
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="mission-\d+-stations-import-problems-[\d-]+\.csv"',
        download["Content-Disposition"],
    )
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Line", "Column", "Value", "Problem"]
    assert [(row[0], row[2]) for row in rows[1:]] == [("2", "'-1"), ("3", "'-2"), ("4", "'-3")]
    # Not checked again in a request: the file came with the job.
    (token,) = staff_client.session[SESSION_KEY]
    errors_url = reverse("observation:station_import_errors", args=[mission.pk])
    assert staff_client.get(errors_url, {"token": token}).status_code == 404
    assert not PollingStation.objects.exists()


def test_the_problems_file_has_every_problem_beyond_those_shown(
    staff_client, mission, django_capture_on_commit_callbacks
):
    many = "".join(f"{n:04d},Escuela {n},Lima,Lima,Lima,-1,,\n" for n in range(MAX_KEPT_ERRORS + 1))
    job = _checked_in_the_background(
        staff_client, mission, django_capture_on_commit_callbacks, HEADER + many
    )

    html = _preview_page(staff_client, mission, job).content.decode()

    assert "…and 1 more problem, not shown" in html
    download = staff_client.get(reverse("observation:job_download", args=[mission.pk, job.pk]))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + MAX_KEPT_ERRORS + 1


def test_columns_that_do_not_match_are_shown_at_once_then_checked_in_the_background(
    staff_client, mission, django_capture_on_commit_callbacks
):
    response = _upload(staff_client, mission, ROMANIAN)

    # Matching the columns reads the first lines only: the columns step comes at once.
    assert response.status_code == 200
    assert response.context["columns_form"] is not None
    assert not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        chosen = _choose(staff_client, mission, response, JOINED)

    job = Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW)
    assert chosen.url == reverse("observation:job_detail", args=[mission.pk, job.pk])
    page = _preview_page(staff_client, mission, job)
    assert "Ready to import: 3 new stations" in page.content.decode()
    # The columns as chosen, offered again from what the worker read.
    assert page.context["columns_form"].initial["token"] == page.context["token"]

    # Chosen otherwise, the upload is checked again: the first preview is not its own now.
    _choose(staff_client, mission, response, {**JOINED, "Judet": "area_1"})
    import_url = reverse("observation:station_import", args=[mission.pk])
    again = staff_client.get(import_url, {"checked": job.pk}, follow=True)
    assert "This upload is no longer waiting; upload the file again." in again.content.decode()


def test_the_job_page_counts_the_rows_checked_so_far(staff_client, mission, staff):
    response = _preview(staff_client, mission, _csv(HEADER + ROWS))
    job = Job.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now(), done=2
    )

    page = staff_client.get(response.url)

    assert page.status_code == 200
    assert "<span data-job-done>2</span> rows checked" in page.content.decode()


def test_the_preview_is_only_its_requesters_while_their_upload_waits(
    staff_client, mission, django_capture_on_commit_callbacks
):
    job = _checked_in_the_background(staff_client, mission, django_capture_on_commit_callbacks)
    import_url = reverse("observation:station_import", args=[mission.pk])

    other = factories.UserFactory()
    factories.MissionMembershipFactory(mission=mission, user=other, role="staff")
    client = Client()
    client.force_login(other)
    assert client.get(import_url, {"checked": job.pk}).status_code == 404
    assert client.get(reverse("observation:job_detail", args=[mission.pk, job.pk])).status_code == (
        404
    )
    for bad in ("nine", "²", "9" * 5000, "-1", ""):
        assert staff_client.get(import_url, {"checked": bad}).status_code == 404
    # Not a preview of this kind of import, nor of this mission.
    deployment_url = reverse("observation:deployment_import", args=[mission.pk])
    assert staff_client.get(deployment_url, {"checked": job.pk}).status_code == 404
    elsewhere = factories.MissionFactory()
    factories.MissionMembershipFactory(mission=elsewhere, user=job.requested_by, role="staff")
    elsewhere_url = reverse("observation:station_import", args=[elsewhere.pk])
    assert staff_client.get(elsewhere_url, {"checked": job.pk}).status_code == 404

    # Another upload of the same kind replaces the one the preview was made of.
    _preview(staff_client, mission, _csv(HEADER + ROWS.replace("Escuela", "Liceo")))
    response = staff_client.get(import_url, {"checked": job.pk}, follow=True)

    assert response.redirect_chain == [(import_url, 302)]
    assert "This upload is no longer waiting; upload the file again." in (response.content.decode())


def test_an_upload_gone_before_the_worker_checks_it_says_so(
    staff_client, mission, django_capture_on_commit_callbacks
):
    response = _preview(staff_client, mission, _csv(HEADER + ROWS))
    job = Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW)
    default_storage.delete(job.params["path"])

    jobs.run(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.outcome == "The uploaded file is no longer kept. Upload it again."
    html = staff_client.get(response.url).content.decode()
    assert "The uploaded file is no longer kept. Upload it again." in html
    assert reverse("observation:station_import", args=[mission.pk]) in html


def test_the_daily_cleanup_keeps_an_upload_its_preview_job_has_to_check(
    staff_client, mission, django_capture_on_commit_callbacks
):
    _preview(staff_client, mission, _csv(HEADER + ROWS))
    job = Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW)

    assert clear_stale_uploads(older_than=timezone.timedelta(0)) == 0
    assert _uploads() != []

    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    assert clear_stale_uploads(older_than=timezone.timedelta(0)) == 1


def test_an_upload_confirmed_before_its_preview_is_written_by_the_worker(
    staff_client, mission, django_capture_on_commit_callbacks
):
    """A token posted before the worker said how many rows the file has: its confirmation
    checks everything again in the background rather than in the request."""
    _preview(staff_client, mission, _csv(HEADER + ROWS))
    (token,) = staff_client.session[SESSION_KEY]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("observation:station_import_confirm", args=[mission.pk]), {"token": token}
        )

    job = Job.objects.get(kind=Job.Kind.IMPORT)
    assert response.url == reverse("observation:job_detail", args=[mission.pk, job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert PollingStation.objects.count() == 3


def test_the_preview_is_laid_out_in_the_requesters_language(
    staff_client, mission, django_capture_on_commit_callbacks
):
    staff_client.cookies["django_language"] = "es"
    with django_capture_on_commit_callbacks() as queued:
        _preview(staff_client, mission, _csv(HEADER + ROWS))
    # The worker starts in its own language, not the request's.
    with translation.override("en"):
        for callback in queued:
            callback()
    job = Job.objects.get(kind=Job.Kind.IMPORT_PREVIEW)

    html = _preview_page(staff_client, mission, job).content.decode()

    assert job.params["language"] == "es"
    assert re.search(r"Listo para importar: 3 mesas? nuevas?", html), html


def test_the_problems_file_is_only_for_a_member_who_may_still_import(
    staff_client, mission, django_capture_on_commit_callbacks
):
    job = _checked_in_the_background(
        staff_client, mission, django_capture_on_commit_callbacks, HEADER + BAD_ROWS
    )
    download_url = reverse("observation:job_download", args=[mission.pk, job.pk])
    assert staff_client.get(download_url).status_code == 200

    # Locked, the mission still shows its pages, but takes no import: nor its preview.
    mission.lock(by=factories.UserFactory(), reason="Final report published.")

    assert staff_client.get(download_url).status_code == 403
    import_url = reverse("observation:station_import", args=[mission.pk])
    assert staff_client.get(import_url, {"checked": job.pk}).status_code == 403
