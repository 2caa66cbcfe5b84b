"""The public findings site: what missions published, readable without signing in.

Pages name missions and statements by slug, never by internal id, and may be cached by
any proxy for a few minutes: they change only when a mission publishes.
"""

import functools

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.vary import vary_on_cookie
from django_countries import countries as every_country

from findings import public
from findings import search as search_in
from observation.forms import FollowUpFilterForm
from observation.views.follow_up import by_addressee
from observation.views.summary import summary_page

# Five minutes: a statement published appears soon enough for a journalist.
CACHE_SECONDS = 300


def public_page(view):
    """Open without signing in; cacheable by any proxy when the reader is anonymous (the
    page then holds nothing of anyone's), private to a signed-in reader, whose name the
    navigation shows. It varies with the language chosen by cookie or by the browser."""

    @login_not_required
    @vary_on_cookie
    @functools.wraps(view)
    def page(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        else:
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
        return response

    return page


@public_page
def index(request):
    missions = public.missions().order_by("-start_date", "name")
    latest = public.statements().order_by("-published_at", "-pk")[:10]
    context = {"missions": missions, "latest": latest, "countries": public.countries()}
    return render(request, "findings/index.html", context)


@public_page
def mission(request, slug):
    found = get_object_or_404(public.missions(), slug=slug)
    statements = public.statements().filter(mission=found).order_by("issued_on", "pk")
    recommendations = (
        public.recommendations()
        .filter(statement__mission=found)
        .order_by("statement__issued_on", "pk")
    )
    context = {"mission": found, "statements": statements, "recommendations": recommendations}
    return render(request, "findings/mission.html", context)


@public_page
def statement(request, mission_slug, slug):
    found = get_object_or_404(public.statements(), mission__slug=mission_slug, slug=slug)
    context = {
        "statement": found,
        "mission": found.mission,
        "recommendations": public.recommendations().filter(statement=found).order_by("pk"),
    }
    return render(request, "findings/statement.html", context)


@public_page
def summary(request, slug):
    """The mission's public summary: verified and published material only, as it hands it
    to the press; observers unnamed."""
    found = get_object_or_404(public.missions(), slug=slug)
    return summary_page(
        request, found, public=True, pdf=False, name_observers=False, context={"findings": True}
    )


@public_page
def summary_pdf(request, slug):
    """The public summary as a PDF: the same for every reader, and kept as long as it is."""
    found = get_object_or_404(public.missions(), slug=slug)
    return summary_page(
        request,
        found,
        public=True,
        pdf=True,
        name_observers=False,
        context={"findings": True},
        kept=True,
    )


@public_page
def search(request):
    query = search_in.clean(request.GET.get("q", ""))
    context = {
        "query": query,
        "statements": search_in.statements(query) if query else [],
        "recommendations": search_in.recommendations(query) if query else [],
    }
    return render(request, "findings/search.html", context)


@public_page
def country(request, code):
    code = code.upper()
    if code not in dict(every_country):
        raise Http404
    filters = FollowUpFilterForm(request.GET)
    recommendations = (
        public.recommendations()
        .filter(statement__mission__country=code)
        .order_by("addressee", "statement__issued_on", "pk")
    )
    recommendations = (
        filters.filter(recommendations) if filters.is_valid() else recommendations.none()
    )
    context = {
        "country_name": dict(every_country)[code],
        "code": code,
        "filters": filters,
        "groups": by_addressee(recommendations),
    }
    return render(request, "findings/country.html", context)
