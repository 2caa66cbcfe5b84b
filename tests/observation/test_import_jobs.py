"""A large import, once confirmed, is checked again and written by the task worker: its
page counts the rows checked and says what was written; the write and the job's "done"
are one transaction, so a job run again after its worker was taken for lost applies once."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation

from observation import jobs
from observation.models import Job, MissionMembership, PollingStation
from observation.views.transfer import SESSION_KEY
from tests import factories
from tests.observation.test_imports import HEADER, _confirm, _csv, _preview

pytestmark = pytest.mark.django_db

ROWS = (
    "0001,Escuela 1,Lima,Lima,Miraflores,300,,\n"
    "0002,Colegio 2,Áncash,Huaraz,Huaraz,250,,\n"
    "0003,Colegio 3,Cusco,Cusco,Cusco,400,,\n"
)


@pytest.fixture(autouse=True)
def _large(settings):
    settings.IMPORT_IN_REQUEST_ROWS = 2


def _uploads() -> list[str]:
    try:
        return default_storage.listdir("imports")[1]
    except FileNotFoundError:
        return []


def _confirmed_in_the_background(client, mission, capture, *, accept=False, before=None):
    """Preview the file, then confirm it: the job is queued, and run once the request's
    transaction commits (after `before(mission)`, if given)."""
    preview = _preview(client, mission, _csv(HEADER + ROWS))
    assert "checked again and written in the background once confirmed" in (
        preview.content.decode()
    )
    assert not PollingStation.objects.exists()
    if before is not None:
        before(mission)
    with capture(execute=True):
        response = _confirm(client, mission, preview, accept=accept)
    return response, Job.objects.get()


def test_a_large_import_is_written_by_the_worker_once_confirmed(
    staff_client, mission, django_capture_on_commit_callbacks
):
    response, job = _confirmed_in_the_background(
        staff_client, mission, django_capture_on_commit_callbacks
    )

    assert response.url == reverse("observation:job_detail", args=[mission.pk, job.pk])
    assert job.title == "Import (polling stations): stations.csv"
    assert (job.status, job.done, job.total, job.attempts) == (Job.Status.DONE, 3, 3, 1)
    assert job.outcome == "Import done: 3 stations added, 0 updated."
    assert sorted(PollingStation.objects.values_list("code", flat=True)) == [
        "0001",
        "0002",
        "0003",
    ]
    # The upload is no longer this user's to confirm, and its file is gone.
    assert staff_client.session.get(SESSION_KEY) == {}
    assert _uploads() == []
    page = staff_client.get(response.url).content.decode()
    assert "Import done: 3 stations added, 0 updated." in page
    assert reverse("observation:station_list", args=[mission.pk]) in page
    assert (
        staff_client.get(reverse("observation:job_json", args=[mission.pk, job.pk])).json()[
            "download"
        ]
        is None
    )


def test_a_small_import_is_still_written_in_the_request(staff_client, mission, settings):
    settings.IMPORT_IN_REQUEST_ROWS = 3
    preview = _preview(staff_client, mission, _csv(HEADER + ROWS))
    assert "written in the background" not in preview.content.decode()

    response = _confirm(staff_client, mission, preview)

    assert response.url == reverse("observation:station_list", args=[mission.pk])
    assert PollingStation.objects.count() == 3
    assert not Job.objects.exists()


def test_the_job_page_counts_the_rows_checked(staff_client, mission, staff):
    job = _queued(staff_client, mission, staff)
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, heartbeat_at=timezone.now(), done=2
    )

    page = staff_client.get(reverse("observation:job_detail", args=[mission.pk, job.pk]))

    html = page.content.decode()
    assert "<span data-job-done>2</span> / 3 rows checked" in html
    assert 'value="66"' in html


def _queued(client, mission, user, *, language="en"):
    """A confirmed upload's job, waiting for a worker, asked for in `language`."""
    preview = _preview(client, mission, _csv(HEADER + ROWS))
    assert preview.status_code == 200
    entry = next(iter(client.session[SESSION_KEY].values()))
    with translation.override(language):
        return jobs.import_start(
            mission=mission,
            kind="stations",
            upload=entry,
            accept_reported_changes=False,
            by=user,
        )


def test_a_mission_locked_before_the_worker_runs_gets_nothing_and_says_so(
    staff_client, mission, staff
):
    job = _queued(staff_client, mission, staff)
    mission.lock(by=factories.UserFactory(), reason="Final report published.")

    jobs.run(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.outcome == "This mission is locked: nothing can be imported into it."
    assert not PollingStation.objects.exists()
    assert _uploads() == []
    page = staff_client.get(reverse("observation:job_detail", args=[mission.pk, job.pk]))
    html = page.content.decode()
    assert "This mission is locked: nothing can be imported into it." in html
    assert reverse("observation:station_import", args=[mission.pk]) in html
    assert "The job failed." not in html


@pytest.mark.parametrize("now", ["observer", "gone"])
def test_a_requester_no_longer_allowed_to_import_gets_nothing_written(
    staff_client, mission, staff, now
):
    job = _queued(staff_client, mission, staff)
    membership = MissionMembership.objects.get(mission=mission, user=staff)
    # A leader changes their role, or removes them, before the worker runs.
    if now == "gone":
        membership.delete()
    else:
        membership.role = MissionMembership.Role.OBSERVER
        membership.team = factories.DelegationMemberFactory(mission=mission)
        membership.save()

    jobs.run(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.outcome == (
        "Your role on this mission does not allow this. A mission leader can change your role."
    )
    assert not PollingStation.objects.exists()
    assert _uploads() == []


def _station_with_a_report(mission):
    """Station 0001, which the file changes, with a report."""
    station = factories.PollingStationFactory(
        mission=mission, code="0001", name="Escuela 1", registered_voters=900
    )
    factories.ObserverReportFactory(mission=mission, station=station)


def test_changes_to_stations_with_reports_not_accepted_write_nothing(
    staff_client, mission, django_capture_on_commit_callbacks
):
    _response, job = _confirmed_in_the_background(
        staff_client,
        mission,
        django_capture_on_commit_callbacks,
        before=_station_with_a_report,
    )

    assert job.status == Job.Status.FAILED
    assert job.outcome == (
        "Nothing was imported. Its changes to stations that have reports were not accepted. "
        "Upload the file again to see its preview."
    )
    assert list(PollingStation.objects.values_list("code", "registered_voters")) == [("0001", 900)]


def test_changes_to_stations_with_reports_accepted_are_written(
    staff_client, mission, django_capture_on_commit_callbacks
):
    _response, job = _confirmed_in_the_background(
        staff_client,
        mission,
        django_capture_on_commit_callbacks,
        accept=True,
        before=_station_with_a_report,
    )

    assert job.status == Job.Status.DONE
    assert job.outcome == "Import done: 2 stations added, 1 updated."
    assert PollingStation.objects.get(code="0001").registered_voters == 300


def _taken_for_lost_while_checking(job, monkeypatch, *, then=None):
    """While the next worker checks the file, its job is taken for lost and queued again
    for another worker (and `then` happens); the first worker goes on."""
    counted = jobs._counted

    def stalls(records, attempt):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.WAITING)
        if then is not None:
            then()
        monkeypatch.setattr(jobs, "_counted", counted)
        return counted(records, attempt)

    monkeypatch.setattr(jobs, "_counted", stalls)


def test_an_attempt_taken_for_lost_undoes_its_write_and_the_job_applies_once(
    staff_client, mission, staff, monkeypatch
):
    job = _queued(staff_client, mission, staff)
    # The first worker goes on and reaches its write.
    _taken_for_lost_while_checking(job, monkeypatch)

    jobs.run(job.pk)

    assert not PollingStation.objects.exists()
    assert Job.objects.get(pk=job.pk).status == Job.Status.WAITING
    assert _uploads() != []

    jobs.run(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.DONE, 2)
    assert PollingStation.objects.count() == 3
    jobs.run(job.pk)
    assert PollingStation.objects.count() == 3
    assert Job.objects.get(pk=job.pk).attempts == 2


def test_the_outcome_is_in_the_requesters_language(
    client, mission, django_capture_on_commit_callbacks
):
    leader = factories.MissionMembershipFactory(
        mission=mission, role=MissionMembership.Role.LEADER
    ).user
    client.force_login(leader)
    job = _queued(client, mission, leader, language="es")

    jobs.run(job.pk)

    job.refresh_from_db()
    assert job.title == "Importación (mesas de votación): stations.csv"
    assert job.outcome == "Importación terminada: 3 mesas agregadas, 0 actualizadas."


def test_an_attempt_taken_for_lost_that_is_refused_leaves_the_file_to_the_next(
    staff_client, mission, staff, monkeypatch
):
    job = _queued(staff_client, mission, staff)
    # Then the mission is locked, which the first attempt finds on its way to the write.
    _taken_for_lost_while_checking(
        job,
        monkeypatch,
        then=lambda: mission.lock(by=factories.UserFactory(), reason="Final report published."),
    )

    jobs.run(job.pk)

    job.refresh_from_db()
    assert (job.status, job.outcome) == (Job.Status.WAITING, "")
    # Still there for the attempt that has the job now, which says why nothing was written.
    assert _uploads() != []
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.outcome == "This mission is locked: nothing can be imported into it."
    assert _uploads() == []


def test_a_long_file_name_is_cut_to_fit_the_jobs_title(staff_client, mission, staff):
    preview = _preview(staff_client, mission, _csv(HEADER + ROWS, name=f"{'x' * 240}.csv"))
    entry = next(iter(staff_client.session[SESSION_KEY].values()))

    job = jobs.import_start(
        mission=mission,
        kind="stations",
        upload=entry,
        accept_reported_changes=False,
        by=staff,
    )

    assert preview.status_code == 200
    assert len(job.title) == 200
    assert job.title.startswith("Import (polling stations): xxx")
    assert job.title.endswith("…")
