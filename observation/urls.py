from django.urls import path

from observation.views import missions, summary

app_name = "observation"

urlpatterns = [
    path("", missions.mission_list, name="mission_list"),
    path("<int:pk>/", missions.mission_detail, name="mission_detail"),
    path("<int:pk>/summary/", summary.mission_summary, name="mission_summary"),
    path("<int:pk>/summary.pdf", summary.mission_summary_pdf, name="mission_summary_pdf"),
    path("<int:pk>/summary/public/", summary.mission_public_summary, name="mission_public_summary"),
    path(
        "<int:pk>/summary/public.pdf",
        summary.mission_public_summary_pdf,
        name="mission_public_summary_pdf",
    ),
]
