from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from observation.views import missions

admin.site.site_header = _("Observa administration")
admin.site.site_title = _("Observa administration")
admin.site.index_title = _("Observa administration")

urlpatterns = [
    path("", missions.home, name="home"),
    path("missions/", include("observation.urls")),
    path("dialogues/", include("dialogues.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
