from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from api import pages, views

app_name = "api"


def _api(view):
    # The API answers an unauthenticated request itself, with a JSON 401, rather
    # than the sign-in redirect of LoginRequiredMiddleware.
    return login_not_required(view.as_view())


v1 = [
    path("me/", _api(views.MeView), name="me"),
    path("missions/<int:pk>/rounds/", _api(views.RoundListView), name="round_list"),
    path("missions/<int:pk>/stations/", _api(views.StationListView), name="station_list"),
    path(
        "missions/<int:pk>/deployment/",
        _api(views.DeploymentListView),
        name="deployment_list",
    ),
    path("missions/<int:pk>/checklist/", _api(views.ChecklistView), name="checklist"),
    path("missions/<int:pk>/reports/", _api(views.ReportListView), name="report_list"),
    path(
        "missions/<int:pk>/reports/<int:report_pk>/",
        _api(views.ReportDetailView),
        name="report_detail",
    ),
    path(
        "missions/<int:pk>/irregularities/",
        _api(views.IrregularityListView),
        name="irregularity_list",
    ),
    path(
        "missions/<int:pk>/irregularities/<int:irregularity_pk>/",
        _api(views.IrregularityDetailView),
        name="irregularity_detail",
    ),
    path(
        "missions/<int:pk>/irregularities/<int:irregularity_pk>/photos/",
        _api(views.IrregularityPhotoView),
        name="irregularity_photos",
    ),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", _api(SpectacularAPIView), name="schema"),
    path("docs/", pages.docs, name="docs"),
]
