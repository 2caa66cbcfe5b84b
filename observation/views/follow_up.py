"""Follow-up of recommendations: what missions recommended to a country, and what later
missions (or the same one, in its final report) found of it."""

import itertools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from observation import exports, services
from observation.access import mission_for
from observation.forms import AssessmentForm, FollowUpFilterForm
from observation.models import (
    FindingsStatement,
    Mission,
    Recommendation,
    RecommendationAssessment,
)


def country_recommendations(mission: Mission):
    """Recommendations made to the mission's country: every mission's published ones, and
    this mission's own at any stage (its members see its drafts)."""
    return (
        Recommendation.objects.filter(statement__mission__country=mission.country)
        .filter(
            Q(statement__status=FindingsStatement.Status.PUBLISHED) | Q(statement__mission=mission)
        )
        .with_follow_up()
        .select_related("statement__mission")
    )


def _filtered(request, mission: Mission):
    """The filter form and the recommendations it lets through, each with its history."""
    filters = FollowUpFilterForm(request.GET)
    recommendations = (
        country_recommendations(mission)
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=RecommendationAssessment.objects.select_related("mission", "statement"),
            )
        )
        .order_by("addressee", "statement__issued_on", "pk")
    )
    if filters.is_valid():
        return filters, filters.filter(recommendations)
    # An invalid filter would be left out: rather than every row, none.
    return filters, recommendations.none()


def by_addressee(recommendations) -> list[tuple[str, list]]:
    """(addressee's name, its recommendations) for recommendations ordered by addressee."""
    addressees = dict(Recommendation.Addressee.choices)
    return [
        (addressees[addressee], list(items))
        for addressee, items in itertools.groupby(recommendations, key=lambda r: r.addressee)
    ]


def follow_up(request, pk):
    access = mission_for(request, pk)
    mission = access.mission
    filters, recommendations = _filtered(request, mission)
    groups = by_addressee(recommendations)
    context = {
        "access": access,
        "mission": mission,
        "filters": filters,
        "groups": groups,
    }
    return render(request, "observation/follow_up.html", context)


def _history(recommendation) -> str:
    return "; ".join(
        f"{date_format(a.assessed_on)}: {a.get_status_display()} ({a.mission.name})"
        for a in recommendation.assessments.all()
    )


def follow_up_export(request, pk, fmt):
    """The recommendations the page shows, with their status and history, as CSV or XLSX."""
    access = mission_for(request, pk)
    mission = access.mission
    filters, recommendations = _filtered(request, mission)
    if filters.errors:
        return HttpResponseBadRequest(
            _("These filters are not valid, so nothing was exported."), content_type="text/plain"
        )
    columns = [
        exports.Column(_("Mission"), lambda r: r.statement.mission.name),
        exports.Column(_("Statement"), lambda r: r.statement.reader_title),
        exports.Column(_("Date"), lambda r: r.statement.issued_on),
        exports.Column(_("Addressee"), lambda r: r.get_addressee_display()),
        exports.Column(_("Theme"), lambda r: r.get_theme_display()),
        exports.Column(_("Recommendation"), lambda r: r.text),
        exports.Column(_("Priority"), lambda r: r.get_priority_display()),
        exports.Column(_("Follow-up"), lambda r: r.follow_up_label),
        exports.Column(_("Assessments"), _history),
    ]
    filename = exports.export_filename(mission, f"recommendations-{mission.country.code}")
    if fmt == "csv":
        return exports.csv_response(columns=columns, records=recommendations, filename=filename)
    if fmt == "xlsx":
        return exports.xlsx_response(
            columns=columns, records=recommendations, filename=filename, title=_("Recommendations")
        )
    raise Http404


def recommendation_assess(request, pk, recommendation_pk):
    access = mission_for(request, pk, action="recommendation_assess")
    mission = access.mission
    recommendation = get_object_or_404(country_recommendations(mission), pk=recommendation_pk)
    assessment = RecommendationAssessment(recommendation=recommendation, mission=mission)
    form = AssessmentForm(request.POST or None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        # The form checked it as the model does; the service checks it again while the
        # mission is held (a statement published meanwhile), as every other door does.
        try:
            services.recommendation_assess(assessment=form.instance, by=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Assessment recorded: %(status)s.") % {"status": assessment.get_status_display()},
            )
            return redirect("observation:follow_up", pk)
    context = {
        "access": access,
        "mission": mission,
        "recommendation": recommendation,
        "history": recommendation.assessments.select_related("mission", "statement"),
        "form": form,
    }
    return render(request, "observation/recommendation_assess.html", context)
