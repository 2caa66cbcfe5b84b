"""Long work off the request: a large Excel export prepared by the task worker, followed on
its page, its file for the one who asked; a job whose worker was lost done again, once."""

import datetime
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from observation import jobs, services
from observation.models import IrregularityCategory, Job
from tests import factories
from tests.conftest import QUEUED_TASKS


@pytest.fixture
def stations(mission, settings):
    settings.EXPORT_IN_REQUEST_ROWS = 3
    for n in range(4):
        factories.PollingStationFactory(mission=mission, code=f"LIM-{n}", area_1="Lima")
    factories.PollingStationFactory(mission=mission, code="CUS-1", area_1="Cusco")


def _codes(data: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    return sorted(row[0] for row in rows[1:])


def _asked(client, mission, query="area_1=Lima"):
    url = reverse("observation:station_export", args=[mission.pk, "xlsx"])
    return client.get(f"{url}?{query}")


def test_a_large_export_is_prepared_in_the_background_with_the_lists_filters(
    staff_client, mission, stations, django_capture_on_commit_callbacks
):
    page = _asked(staff_client, mission)
    assert page.status_code == 200
    assert "This export has 4 rows: it is prepared in the background" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("observation:export_start", args=[mission.pk]),
            {"what": "stations", "query": "area_1=Lima"},
        )

    job = Job.objects.get()
    assert response.url == reverse("observation:job_detail", args=[mission.pk, job.pk])
    assert (job.status, job.done, job.total, job.attempts) == (Job.Status.DONE, 4, 4, 1)
    detail = staff_client.get(response.url).content.decode()
    assert "Download" in detail and job.filename in detail
    download = staff_client.get(reverse("observation:job_download", args=[mission.pk, job.pk]))
    assert download["Content-Disposition"].startswith("attachment")
    assert _codes(b"".join(download.streaming_content)) == [f"LIM-{n}" for n in range(4)]


def test_a_small_export_is_still_sent_at_once(staff_client, mission, stations):
    response = _asked(staff_client, mission, "area_1=Cusco")

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _codes(b"".join(response.streaming_content)) == ["CUS-1"]
    assert not Job.objects.exists()


def _running(mission, user, **fields):
    """A station export a worker has been running since before the test."""
    return Job.objects.create(
        mission=mission,
        kind=Job.Kind.EXPORT,
        title="Polling stations, Excel",
        params={"what": "stations", "query": "", "names_observers": True},
        requested_by=user,
        status=Job.Status.RUNNING,
        **fields,
    )


def test_the_job_page_follows_the_job(staff_client, mission, stations, staff):
    job = _running(mission, staff, heartbeat_at=timezone.now(), done=1000, total=4000)

    data = staff_client.get(reverse("observation:job_json", args=[mission.pk, job.pk])).json()

    assert data == {
        "status": "running",
        "status_shown": "Running",
        "done": 1000,
        "total": 4000,
        "percent": 25,
        "finished": False,
        "download": None,
    }
    page = staff_client.get(reverse("observation:job_detail", args=[mission.pk, job.pk]))
    assert 'value="25"' in page.content.decode()
    missing = staff_client.get(reverse("observation:job_download", args=[mission.pk, job.pk]))
    assert missing.status_code == 404


def _lost(mission, user, *, minutes_ago):
    return _running(
        mission,
        user,
        attempts=1,
        done=2,
        total=5,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def test_a_job_whose_worker_was_lost_is_done_again_once(
    staff_client, mission, stations, staff, django_capture_on_commit_callbacks
):
    job = _lost(mission, staff, minutes_ago=10)
    url = reverse("observation:job_detail", args=[mission.pk, job.pk])

    with django_capture_on_commit_callbacks(execute=True) as queued:
        staff_client.get(url)
        staff_client.get(url)

    job.refresh_from_db()
    assert len(queued) == 1
    assert (job.status, job.attempts, job.done) == (Job.Status.DONE, 2, 5)
    written = job.file.name
    # The task queued twice, or run again by hand: the job is done, nothing is redone.
    jobs.run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (Job.Status.DONE, 2, written)


def test_a_job_still_heard_of_is_left_to_its_worker(
    staff_client, mission, stations, staff, django_capture_on_commit_callbacks
):
    job = _lost(mission, staff, minutes_ago=1)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        staff_client.get(reverse("observation:job_detail", args=[mission.pk, job.pk]))

    job.refresh_from_db()
    assert queued == []
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)


def test_a_job_that_fails_says_so(
    staff_client, mission, stations, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(job, attempt):
        raise OSError("disk full")

    monkeypatch.setitem(jobs.RUNNERS, Job.Kind.EXPORT, broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("observation:export_start", args=[mission.pk]),
            {"what": "stations", "query": ""},
        )

    job = Job.objects.get()
    assert (job.status, job.error) == (Job.Status.FAILED, "disk full")
    assert "The job failed." in staff_client.get(response.url).content.decode()


def test_a_job_is_its_requesters_only(client, mission, stations, staff, reviewer):
    job = _lost(mission, staff, minutes_ago=0)
    client.force_login(reviewer)

    for name in ("job_detail", "job_json", "job_download"):
        response = client.get(reverse(f"observation:{name}", args=[mission.pk, job.pk]))
        assert response.status_code == 404, name


def test_an_export_that_is_not_a_list_is_not_found(staff_client, mission):
    response = staff_client.post(
        reverse("observation:export_start", args=[mission.pk]), {"what": "users", "query": ""}
    )

    assert response.status_code == 404
    assert not Job.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_does_what_the_requests_queued(client, settings):
    """Through the real queue: a row in the database, taken by `manage.py db_worker`."""
    settings.TASKS = QUEUED_TASKS
    settings.EXPORT_IN_REQUEST_ROWS = 1
    mission = factories.MissionFactory(alert_email_kinds=["serious"])
    staff = factories.MissionMembershipFactory(mission=mission, role="staff").user
    for code in ("LIM-1", "LIM-2"):
        station = factories.PollingStationFactory(mission=mission, code=code)
    client.force_login(staff)
    client.post(
        reverse("observation:export_start", args=[mission.pk]),
        {"what": "stations", "query": ""},
    )
    services.irregularity_save(
        irregularity=factories.IrregularityFactory.build(
            mission=mission,
            round=factories.ElectionRoundFactory(mission=mission),
            station=station,
            # Its own: the seeded ones may have been flushed by an earlier transactional test.
            category=IrregularityCategory.objects.get_or_create(
                code="queue_test", defaults={"name": "Queue test"}
            )[0],
        ),
        by=staff,
    )
    assert DBTaskResult.objects.ready().count() == 2
    assert (Job.objects.get().status, mail.outbox) == (Job.Status.WAITING, [])

    call_command("db_worker", "--batch", "--interval=0", "--no-startup-delay", verbosity=0)

    assert Job.objects.get().status == Job.Status.DONE
    assert [message.to for message in mail.outbox] == [[staff.email]]
    assert DBTaskResult.objects.successful().count() == 2


def test_a_job_writes_as_its_requester_reads_whatever_the_worker_has_active(
    client, mission, staff, settings
):
    mission.time_zone = "America/Lima"
    mission.save()
    factories.ObserverReportFactory(
        mission=mission,
        arrived_at=datetime.datetime(2000, 4, 9, 9, 0, tzinfo=datetime.UTC),
    )
    with translation.override("es"):
        job = jobs.export_start(
            mission=mission, what="reports", query="", names_observers=True, by=staff
        )
    # As a worker process starts: no zone, the site's language.
    timezone.deactivate()

    jobs.run(job.pk)

    job.refresh_from_db()
    sheet = load_workbook(job.file.path, read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))
    cells = dict(zip(header, row, strict=True))
    assert cells["Llegada"] == "2000-04-09T04:00:00-05:00"


def test_a_worker_thought_lost_that_wakes_up_changes_nothing(mission, stations, staff, monkeypatch):
    job = jobs.export_start(
        mission=mission, what="stations", query="", names_observers=True, by=staff
    )
    export = jobs.RUNNERS[Job.Kind.EXPORT]
    results = []

    def stalls(job, attempt):
        # While the first worker stalls, its job is thought lost, queued again and done by
        # a second; then the first wakes up and finishes.
        Job.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - datetime.timedelta(minutes=10)
        )
        assert jobs.requeue_if_lost(Job.objects.get(pk=job.pk))
        monkeypatch.setitem(jobs.RUNNERS, Job.Kind.EXPORT, export)
        jobs.run(job.pk)
        results.append(Job.objects.get(pk=job.pk).file.name)
        export(job, attempt)

    monkeypatch.setitem(jobs.RUNNERS, Job.Kind.EXPORT, stalls)
    jobs.run(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.file.name) == (Job.Status.DONE, 2, results[0])
    # The first attempt's file was deleted: the result alone is left.
    assert [path.name for path in Path(job.file.path).parent.iterdir()] == [
        Path(job.file.name).name
    ]


def test_an_invalid_filter_is_refused_and_nothing_queued(staff_client, mission, stations):
    response = staff_client.post(
        reverse("observation:export_start", args=[mission.pk]),
        {"what": "stations", "query": "area_1=Atlantis"},
    )

    assert response.status_code == 400
    assert "nothing was exported" in response.content.decode()
    assert not Job.objects.exists()


def test_a_file_that_names_observers_is_refused_to_who_may_no_longer_see_them(
    client, mission, stations, staff, leader, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("observation:export_start", args=[mission.pk]),
            {"what": "stations", "query": ""},
        )
    job = Job.objects.get()
    mission.observer_names_for_leaders_only = True
    mission.save()

    response = client.get(reverse("observation:job_download", args=[mission.pk, job.pk]))

    assert response.status_code == 403


def test_a_jobs_file_goes_with_its_mission(
    mission, stations, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.export_start(
            mission=mission, what="stations", query="", names_observers=True, by=staff
        )
    job.refresh_from_db()
    path = job.file.path

    mission.delete()

    assert not Path(path).exists()
