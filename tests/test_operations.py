"""What operators rely on: a health endpoint for load balancers and one structured log
line per request."""

import datetime
import json
import logging

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config import views
from config.logformat import JsonLines
from observation.tasks import run_job
from tests.conftest import QUEUED_TASKS

pytestmark = pytest.mark.django_db


def test_health_says_ok_without_signing_in(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "queue": "ok"},
    }
    assert "no-cache" in response["Cache-Control"]
    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


def test_health_fails_when_migrations_are_missing(client, monkeypatch):
    monkeypatch.setattr(views, "_migrated", False)
    monkeypatch.setattr(
        views.MigrationExecutor, "migration_plan", lambda self, targets: ["pending"]
    )

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "not applied"


def test_health_fails_when_the_database_does_not_answer(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(views.connection, "cursor", refuse)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"database": "unreachable"}}


def test_each_request_is_logged_as_one_json_line_without_its_query(client, staff, caplog):
    client.force_login(staff)
    with caplog.at_level(logging.INFO, logger="observa.requests"):
        client.get(reverse("home"), {"q": "secret typed text"})

    [record] = [r for r in caplog.records if r.name == "observa.requests"]
    line = json.loads(JsonLines().format(record))
    assert line["method"] == "GET"
    assert line["path"] == reverse("home")
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert "secret" not in json.dumps(line)


def test_health_says_when_the_task_queue_is_stuck_without_failing(client, settings):
    settings.TASKS = QUEUED_TASKS
    run_job.enqueue(0)
    waiting = DBTaskResult.objects.get()

    assert client.get(reverse("health")).json()["checks"]["queue"] == "ok"

    DBTaskResult.objects.filter(pk=waiting.pk).update(
        enqueued_at=timezone.now() - settings.TASK_QUEUE_STUCK_AFTER - datetime.timedelta(1)
    )
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "queue": "stuck"},
    }
