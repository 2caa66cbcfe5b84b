from django.urls import path

from odk import views

app_name = "odk"

# ODK Collect is given /odk/<mission>/ as its server URL and asks the OpenRosa
# paths below it.
urlpatterns = [
    path("<int:pk>/", views.server_root, name="server"),
    path("<int:pk>/formList", views.form_list, name="form_list"),
    path("<int:pk>/forms/<str:form_id>.xml", views.form_download, name="form_download"),
    path("<int:pk>/forms/<str:form_id>/manifest", views.manifest, name="manifest"),
    path("<int:pk>/forms/<str:form_id>/<str:filename>", views.media, name="media"),
    path("<int:pk>/submission", views.submission, name="submission"),
    path("<int:pk>/setup/", views.setup, name="setup"),
]
