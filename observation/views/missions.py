from django.db.models import Count
from django.shortcuts import render

from observation.access import mission_for
from observation.models import Mission


def home(request):
    missions = Mission.objects.for_user(request.user).select_related("lead_organization")[:10]
    return render(request, "home.html", {"missions": missions})


def mission_list(request):
    missions = (
        Mission.objects.for_user(request.user)
        .select_related("lead_organization")
        .annotate(round_count=Count("rounds", distinct=True))
    )
    return render(request, "observation/mission_list.html", {"missions": missions})


def mission_detail(request, pk):
    access = mission_for(request, pk)
    mission = access.mission
    context = {
        "access": access,
        "mission": mission,
        "rounds": mission.rounds.all(),
        "delegation": mission.delegation.select_related("person__affiliation"),
        "partners": mission.partnerships.select_related("organization"),
    }
    return render(request, "observation/mission_detail.html", context)
