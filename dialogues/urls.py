from django.urls import path

from dialogues import views

app_name = "dialogues"

urlpatterns = [
    path("", views.forum_list, name="forum_list"),
    path("new/", views.forum_create, name="forum_create"),
    path("<int:pk>/", views.forum_detail, name="forum_detail"),
    path("<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path("<int:pk>/summary/", views.forum_summary, name="forum_summary"),
    path("<int:pk>/summary.pdf", views.forum_summary_pdf, name="forum_summary_pdf"),
    path("<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("<int:pk>/outcomes/new/", views.outcome_create, name="outcome_create"),
    path("<int:pk>/tracks/new/", views.track_create, name="track_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path(
        "sessions/<int:pk>/participants/new/", views.participant_create, name="participant_create"
    ),
    path("participants/<int:pk>/edit/", views.participant_edit, name="participant_edit"),
    path("participants/<int:pk>/delete/", views.participant_delete, name="participant_delete"),
    path("outcomes/<int:pk>/edit/", views.outcome_edit, name="outcome_edit"),
    path("outcomes/<int:pk>/delete/", views.outcome_delete, name="outcome_delete"),
    path("tracks/<int:pk>/edit/", views.track_edit, name="track_edit"),
    path("tracks/<int:pk>/delete/", views.track_delete, name="track_delete"),
]
