from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"),
    path("language/", views.set_language, name="set_language"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/code/", views.verify, name="verify"),
    path("two-factor/set-up/", views.enrol, name="enrol"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("two-factor/turn-off/", views.turn_off, name="turn_off"),
]
