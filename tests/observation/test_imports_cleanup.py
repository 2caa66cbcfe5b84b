import io
import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from observation.models import Job, PollingStation

# The cleanup asks which uploads a job still has to write.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _waiting(tmp_path, name, *, hours_ago):
    path = tmp_path / "imports" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"code,name,registered voters\n0001,A,1\n")
    stamp = time.time() - hours_ago * 3600
    os.utime(path, (stamp, stamp))
    return path


def _clear(*args):
    out = io.StringIO()
    call_command("clear_stale_imports", *args, stdout=out)
    return out.getvalue()


def test_uploads_waiting_longer_than_a_day_are_deleted(tmp_path):
    stale = _waiting(tmp_path, "stale.csv", hours_ago=25)
    fresh = _waiting(tmp_path, "fresh.xlsx", hours_ago=2)

    assert _clear() == "Deleted 1 waiting upload older than 24 h.\n"

    assert not stale.exists()
    assert fresh.exists()


@pytest.mark.parametrize(
    ("status", "kept"),
    [(Job.Status.WAITING, True), (Job.Status.RUNNING, True), (Job.Status.DONE, False)],
)
def test_an_upload_a_job_has_yet_to_write_is_kept_however_old(
    tmp_path, mission, staff, status, kept
):
    taken = _waiting(tmp_path, "taken.csv", hours_ago=48)
    Job.objects.create(
        mission=mission,
        kind=Job.Kind.IMPORT,
        title="Import (polling stations): taken.csv",
        params={"path": "imports/taken.csv"},
        requested_by=staff,
        status=status,
    )
    _waiting(tmp_path, "left.csv", hours_ago=48)

    _clear()

    assert taken.exists() is kept
    assert not (tmp_path / "imports" / "left.csv").exists()


def test_the_age_is_given_in_hours(tmp_path):
    _waiting(tmp_path, "one.csv", hours_ago=3)
    _waiting(tmp_path, "two.csv", hours_ago=2)

    assert _clear("--hours", "1") == "Deleted 2 waiting uploads older than 1 h.\n"

    assert not any((tmp_path / "imports").iterdir())


def test_nothing_to_clear_when_nothing_was_ever_uploaded(tmp_path):
    assert _clear() == "Deleted 0 waiting uploads older than 24 h.\n"


def test_a_negative_age_is_refused(tmp_path):
    stale = _waiting(tmp_path, "stale.csv", hours_ago=25)

    with pytest.raises(CommandError, match="--hours must not be negative"):
        _clear("--hours", "-1")

    assert stale.exists()


def test_confirming_an_upload_that_was_cleared_asks_for_it_again(client, staff, mission):
    client.force_login(staff)
    file = io.BytesIO(b"code,name,registered voters\n0001,A,1\n")
    file.name = "stations.csv"
    response = client.post(reverse("observation:station_import", args=[mission.pk]), {"file": file})
    _clear("--hours", "0")

    response = client.post(
        reverse("observation:station_import_confirm", args=[mission.pk]),
        {"token": response.context["token"]},
        follow=True,
    )

    assert "This upload is no longer waiting; upload the file again." in response.content.decode()
    assert not PollingStation.objects.exists()
