"""The work the task worker does (`manage.py db_worker`), queued after the request."""

from django_tasks import task

from observation import alerts, jobs


@task()
def run_job(job_id: int) -> None:
    jobs.run(job_id)


@task()
def email_alerts(alert_ids: list[int]) -> int:
    return alerts.email(alert_ids)
