"""Follow-up of recommendations: what missions recommended to a country, and what later
missions (or the same one, in its final report) found of it."""

import itertools

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from observation import services
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


def follow_up(request, pk):
    access = mission_for(request, pk)
    mission = access.mission
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
        recommendations = filters.filter(recommendations)
    else:
        recommendations = recommendations.none()
    addressees = dict(Recommendation.Addressee.choices)
    groups = [
        (addressees[addressee], list(items))
        for addressee, items in itertools.groupby(recommendations, key=lambda r: r.addressee)
    ]
    context = {
        "access": access,
        "mission": mission,
        "filters": filters,
        "groups": groups,
    }
    return render(request, "observation/follow_up.html", context)


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
