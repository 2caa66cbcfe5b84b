"""Prometheus metrics, when METRICS_TOKEN is set (django-prometheus: requests, latencies,
database queries; and ours below).

The endpoint answers only a scraper that sends the token (`Authorization: Bearer …`):
counts of reports by mission are nobody else's business. Under gunicorn, each worker
keeps its own counts unless PROMETHEUS_MULTIPROC_DIR names a directory they share, which
the export then adds up (prometheus_client's multiprocess mode).
"""

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView
from django_tasks_db.models import DBTaskResult
from prometheus_client import Counter, Gauge

# New reports stored by every door (web form, admin, API, ODK): a rate over a minute is
# what election night watches.
REPORTS_RECEIVED = Counter("observa_reports_received", "Observer reports stored")
# Tasks waiting for a worker, counted when scraped (one query): a queue that grows while
# workers run needs more of them.
TASKS_WAITING = Gauge(
    "observa_tasks_waiting", "Tasks waiting for a worker", multiprocess_mode="mostrecent"
)


@login_not_required
@never_cache
def export(request):
    expected = f"Bearer {settings.METRICS_TOKEN}"
    given = request.headers.get("authorization", "")
    if not settings.METRICS_TOKEN or not hmac.compare_digest(given.encode(), expected.encode()):
        return HttpResponse(status=404)
    TASKS_WAITING.set(DBTaskResult.objects.ready().count())
    return ExportToDjangoView(request)
