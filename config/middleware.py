from django.utils import timezone


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
