from django.urls import path

from api import pages

app_name = "api_tokens"

urlpatterns = [
    path("", pages.token_list, name="token_list"),
    path("<int:pk>/revoke/", pages.token_revoke, name="token_revoke"),
]
