from django.urls import path

from observation.views import missions

app_name = "observation"

urlpatterns = [
    path("", missions.mission_list, name="mission_list"),
    path("<int:pk>/", missions.mission_detail, name="mission_detail"),
]
