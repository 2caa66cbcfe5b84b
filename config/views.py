from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult


def csrf_failure(request, reason=""):
    """A form refused for its CSRF token (the user signed out or in since the page was
    served, often in another tab): say that the typed work is kept in the browser
    (static/js/draft.js) and lead back to the form, which offers it again."""
    back = request.headers.get("referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(request, "403_csrf.html", {"back": back}, status=403)


def _queue_stuck() -> bool:
    """Whether a task has waited for a worker longer than TASK_QUEUE_STUCK_AFTER."""
    oldest = (
        DBTaskResult.objects.ready()
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    return oldest is not None and timezone.now() - oldest > settings.TASK_QUEUE_STUCK_AFTER


# Once every migration is found applied it stays so until the next deployment, which
# starts new processes: the migration graph is read again only while some are missing.
_migrated = False


@login_not_required
@require_safe
@never_cache
def health(request):
    """For load balancers and monitors: 200 when the database answers and every
    migration is applied, else 503 naming the check that failed; and whether the task
    queue moves. Says nothing else.

    A stuck queue is said ("queue": "stuck") but fails nothing: the web hosts serve on
    while a worker host is down, and a load balancer must not take them out for it."""
    global _migrated
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        if not _migrated:
            executor = MigrationExecutor(connection)
            _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if _migrated else "not applied"
        # The queue's table is there once the migrations are.
        queue = ("stuck" if _queue_stuck() else "ok") if _migrated else None
    except DatabaseError:
        checks["database"] = "unreachable"
    healthy = all(value == "ok" for value in checks.values())
    if healthy:
        checks["queue"] = queue
    return JsonResponse(
        {"status": "ok" if healthy else "failing", "checks": checks},
        status=200 if healthy else 503,
    )
