"""The site's URLs and a trivial API view, for the benchmark's server only: the same
middleware, token authentication and throttling as every API view, and no work."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


class PingView(APIView):
    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/bench/ping/", login_not_required(PingView.as_view())),
    path("", include("config.urls")),
]
