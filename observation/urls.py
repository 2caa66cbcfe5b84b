from django.urls import path

from observation.views import lists, missions, transfer

app_name = "observation"

urlpatterns = [
    path("", missions.mission_list, name="mission_list"),
    path("<int:pk>/", missions.mission_detail, name="mission_detail"),
    path("<int:pk>/stations/", lists.station_list, name="station_list"),
    path("<int:pk>/stations/import/", transfer.station_import, name="station_import"),
    path(
        "<int:pk>/stations/import/confirm/",
        transfer.station_import_confirm,
        name="station_import_confirm",
    ),
    path("<int:pk>/stations/export.<str:fmt>", transfer.station_export, name="station_export"),
    path("<int:pk>/delegation/import/", transfer.delegation_import, name="delegation_import"),
    path(
        "<int:pk>/delegation/import/confirm/",
        transfer.delegation_import_confirm,
        name="delegation_import_confirm",
    ),
    path("<int:pk>/reports/", lists.report_list, name="report_list"),
    path("<int:pk>/reports/export.<str:fmt>", transfer.report_export, name="report_export"),
    path("<int:pk>/irregularities/", lists.irregularity_list, name="irregularity_list"),
    path(
        "<int:pk>/irregularities/export.<str:fmt>",
        transfer.irregularity_export,
        name="irregularity_export",
    ),
]
