"""What the public findings site may show: only what missions published.

Every public page reads through these querysets, so that nothing unpublished (draft
statements, their recommendations, assessments not yet published with a statement,
reviewers' notes, observers' names) can reach it by another path.
"""

from django.db.models import Count, Prefetch, Q
from django_countries.fields import Country

from observation.models import (
    FindingsStatement,
    Mission,
    MissionPartner,
    Recommendation,
    RecommendationAssessment,
)

PUBLISHED = FindingsStatement.Status.PUBLISHED


def statements():
    return FindingsStatement.objects.published().select_related("mission")


def missions():
    """Missions with at least one published statement, with how many."""
    return (
        Mission.objects.annotate(
            published=Count("statements", filter=Q(statements__status=PUBLISHED))
        )
        .filter(published__gt=0)
        .select_related("lead_organization")
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=MissionPartner.objects.select_related("organization"),
            )
        )
    )


def assessments():
    """Assessments published with their statement."""
    return RecommendationAssessment.objects.filter(statement__status=PUBLISHED).select_related(
        "mission", "statement"
    )


def recommendations():
    """Recommendations of published statements, their status and history as published."""
    return (
        Recommendation.objects.filter(statement__status=PUBLISHED)
        .with_follow_up(published=True)
        .select_related("statement__mission")
        .prefetch_related(Prefetch("assessments", queryset=assessments(), to_attr="published"))
    )


def countries() -> list[Country]:
    """The countries with public findings, in the order of their names in the reader's
    language."""
    codes = Mission.objects.filter(statements__status=PUBLISHED).values_list("country", flat=True)
    return sorted((Country(code) for code in set(codes)), key=lambda country: country.name)
