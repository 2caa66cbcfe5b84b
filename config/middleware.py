import logging
import time

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger("observa.requests")


class ResetTimeZoneMiddleware:
    """Start every request in the server's time zone.

    Mission pages switch to the mission's zone (observation.access.mission_for);
    a thread serves many requests, so the switch must not outlive its request.
    The reset comes first, not last: a streamed export still formats its rows
    after the view has returned.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        return self.get_response(request)


class IdleSessionMiddleware:
    """Make SESSION_COOKIE_AGE an idle time: a session in use is carried forward, so
    someone signed in on election morning is still signed in for the night's counting.

    Django's SESSION_SAVE_EVERY_REQUEST would do it with a session write on every
    request; this writes at most once per SESSION_REFRESH_INTERVAL seconds, which
    shortens the idle time by no more than that.
    """

    KEY = "_observa_active"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response
        now = int(time.time())
        if session.modified:
            # Written anyway (a sign-in is): the stamp costs nothing.
            session[self.KEY] = now
        elif now - session.get(self.KEY, now) >= settings.SESSION_REFRESH_INTERVAL:
            # A session with no stamp was not opened through a sign-in here (a test's
            # force_login, or one from before this middleware); it ends as it began.
            session[self.KEY] = now
        return response


class RequestLogMiddleware:
    """One structured line per request on the `observa.requests` logger: method, path
    (never the query string, which may carry what users typed), status and time taken,
    for the operators' log collector."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 1),
            },
        )
        return response
