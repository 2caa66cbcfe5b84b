from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from accounts.views import SignInView
from config import metrics
from config.views import health
from findings.sitemaps import SITEMAPS
from findings.views import public_page
from observation.views import missions

admin.site.site_header = _("Observa administration")
admin.site.site_title = _("Observa administration")
admin.site.index_title = _("Observa administration")

urlpatterns = [
    path("", missions.home, name="home"),
    path("missions/", include("observation.urls")),
    path("dialogues/", include("dialogues.urls")),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/api-tokens/", include("api.token_urls")),
    path("accounts/", include("accounts.urls")),
    path("api/", include("api.urls")),
    path("odk/", include("odk.urls")),
    # The admin's own sign-in form would skip the second step: send it to ours,
    # keeping where the user was going (?next=).
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", health, name="health"),
    path("findings/", include("findings.urls")),
    path("metrics", metrics.export, name="metrics"),
    path(
        "sitemap.xml",
        public_page(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
