from django.urls import path

from findings import feeds, views

app_name = "findings"

urlpatterns = [
    path("", views.index, name="index"),
    path("feed/", views.public_page(feeds.LatestStatements()), name="feed"),
    path("countries/<str:code>/", views.country, name="country"),
    path("search/", views.search, name="search"),
    path("<slug:slug>/", views.mission, name="mission"),
    path("<slug:slug>/summary/", views.summary, name="summary"),
    path("<slug:slug>/summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("<slug:mission_slug>/<slug:slug>/", views.statement, name="statement"),
]
