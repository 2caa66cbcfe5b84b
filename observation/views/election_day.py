"""Election day: the deployment plan of a round, its phases' deadlines, and the reporting
progress the core team watches, as a page and as the small JSON document its script
polls."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from observation import alerts, dates, progress, services
from observation import outlines as area_outlines
from observation.access import mission_for
from observation.filters import AlertFilterSet
from observation.forms import AlertEmailForm, DeadlinesForm, DeploymentForm, OutlinesForm
from observation.models import (
    Alert,
    AreaOutlines,
    Deployment,
    ElectionRound,
    Mission,
    MissionLockedError,
    ObserverReport,
)

DEPLOYMENTS_LISTED = 500
ALERTS_PER_PAGE = 50


def _round(access, round_pk) -> ElectionRound:
    return get_object_or_404(ElectionRound, mission=access.mission, pk=round_pk)


def election_day(request, pk):
    """The progress of the observed round nearest to today (the later of two as near)."""
    access = mission_for(request, pk)
    every = list(access.mission.rounds.order_by("election_day", "pk"))
    # A round the mission declined to observe has no reports to wait for.
    rounds = [election_round for election_round in every if election_round.observed] or every
    if not rounds:
        messages.info(request, _("Add the mission's rounds first: progress is by round."))
        return redirect("observation:mission_detail", pk)
    # Today in the mission's zone, which mission_for made current.
    today = timezone.localdate()
    chosen = min(
        rounds, key=lambda r: (abs((r.election_day - today).days), -r.election_day.toordinal())
    )
    return redirect("observation:round_progress", pk, chosen.pk)


def _level(request, mission) -> int | None:
    """The area level the figures are broken down by: ?level=, else the first."""
    levels = len(mission.area_labels())
    if not levels:
        return None
    try:
        level = int(request.GET.get("level", 1))
    except ValueError:
        level = 1
    return min(max(level, 1), levels)


def round_progress(request, pk, round_pk):
    access = mission_for(request, pk)
    election_round = _round(access, round_pk)
    level = _level(request, access.mission)
    figures = progress.round_progress(election_round, level=level)
    missing, missing_count = progress.missing(election_round)
    context = {
        "open_alerts": _open_alerts(access.mission),
        "access": access,
        "mission": access.mission,
        "round": election_round,
        "rounds": access.mission.rounds.order_by("election_day", "pk"),
        "progress": figures,
        "phase_labels": dict(ObserverReport.Phase.choices),
        "levels": list(enumerate(access.mission.area_labels(), start=1)),
        "missing": missing,
        "missing_count": missing_count,
        "poll_url": reverse("observation:round_progress_json", args=[pk, round_pk])
        + (f"?level={level}" if level else ""),
    }
    return render(request, "observation/round_progress.html", context)


def round_progress_json(request, pk, round_pk):
    """The figures of the progress page, each by the key its cell carries."""
    access = mission_for(request, pk)
    election_round = _round(access, round_pk)
    figures = progress.round_progress(election_round, level=_level(request, access.mission))
    missing = sum(f.missing for f in figures.totals.values())
    return JsonResponse(
        {
            "at": figures.at.isoformat(),
            # Shown as the page shows it: in the mission's zone, named.
            "at_shown": dates.zoned(figures.at),
            "missing_shown": missing_heading(missing),
            "cells": {**figures.cells(), "alerts:open": _open_alerts(access.mission)},
        }
    )


def _open_alerts(mission) -> int:
    """How many alerts wait for acknowledgement, teams silent past a deadline included:
    the core team's screen, which asks every 30 seconds, is what raises those on time."""
    if not mission.is_locked:
        alerts.raise_silent(missions=Mission.objects.filter(pk=mission.pk))
    return mission.alerts.filter(acknowledged_at__isnull=True).count()


def missing_heading(count: int) -> str:
    return ngettext("%(count)s report still missing", "%(count)s reports still missing", count) % {
        "count": count
    }


def deployment(request, pk, round_pk):
    """The round's deployment plan: who reports which phases where; and its deadlines."""
    access = mission_for(request, pk)
    election_round = _round(access, round_pk)
    form = DeploymentForm(election_round=election_round)
    if request.method == "POST":
        access = mission_for(request, pk, action="deployment_edit")
        form = DeploymentForm(request.POST, election_round=election_round)
        if form.is_valid():
            try:
                added = services.deployment_add(deployments=form.deployments())
            except (ValidationError, IntegrityError, MissionLockedError) as error:
                form.add_error(None, _deployment_refusal(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(team)s deployed at %(station)s for %(count)d phase.",
                        "%(team)s deployed at %(station)s for %(count)d phases.",
                        len(added),
                    )
                    % {
                        "team": form.cleaned_data["team"].person,
                        "station": form.cleaned_data["station"].code,
                        "count": len(added),
                    },
                )
                return redirect("observation:round_deployment", pk, round_pk)
    return _deployment_page(request, access, election_round, form=form)


def _deployment_page(request, access, election_round, *, form=None, deadlines_form=None):
    deployments = (
        Deployment.objects.filter(round=election_round)
        .select_related("station", "team__person")
        .order_by("team__person__full_name", "station__code", "phase")
    )
    context = {
        "access": access,
        "mission": access.mission,
        "round": election_round,
        "form": form or DeploymentForm(election_round=election_round),
        "deadlines_form": deadlines_form or DeadlinesForm(election_round=election_round),
        "can_edit": access.can["deployment_edit"],
        "deployments": deployments[:DEPLOYMENTS_LISTED],
        "deployment_count": deployments.count(),
    }
    return render(request, "observation/round_deployment.html", context)


def _deployment_refusal(error) -> str:
    if isinstance(error, IntegrityError):
        return _("A station was deployed for one of these phases meanwhile; check the plan.")
    return " ".join(error.messages)


@require_POST
def deployment_remove(request, pk, round_pk, deployment_pk):
    access = mission_for(request, pk, action="deployment_edit")
    found = get_object_or_404(
        Deployment.objects.select_related("station", "team__person"),
        round=_round(access, round_pk),
        pk=deployment_pk,
    )
    services.deployment_remove(deployment=found)
    messages.success(
        request,
        _("%(team)s is no longer deployed at %(station)s for %(phase)s.")
        % {
            "team": found.team.person,
            "station": found.station.code,
            "phase": found.get_phase_display(),
        },
    )
    return redirect("observation:round_deployment", pk, round_pk)


@require_POST
def deadlines(request, pk, round_pk):
    access = mission_for(request, pk, action="deployment_edit")
    election_round = _round(access, round_pk)
    form = DeadlinesForm(request.POST, election_round=election_round)
    if not form.is_valid():
        return _deployment_page(request, access, election_round, deadlines_form=form)
    services.deadlines_set(election_round=election_round, deadlines=form.deadlines())
    messages.success(request, _("Deadlines saved."))
    return redirect("observation:round_deployment", pk, round_pk)


def _colour_by(request) -> str:
    return "assessment" if request.GET.get("by") == "assessment" else "status"


def round_map(request, pk, round_pk):
    """The mission's stations on a map, coloured by reporting status or assessment."""
    access = mission_for(request, pk)
    election_round = _round(access, round_pk)
    by = _colour_by(request)
    stations = progress.station_map(election_round, by=by)
    context = {
        "access": access,
        "mission": access.mission,
        "round": election_round,
        "rounds": access.mission.rounds.order_by("election_day", "pk"),
        "by": by,
        "legend": stations.legend,
        "located": len(stations.stations),
        "without_coordinates": stations.without_coordinates,
        "data_url": reverse("observation:round_map_json", args=[pk, round_pk]) + f"?by={by}",
        # The station page of each marker: the script puts the station's id for the 0.
        "station_url": reverse("observation:station_detail", args=[pk, 0]),
        "outlines_url": reverse("observation:outlines_json", args=[pk])
        if access.mission.outlines.exists()
        else "",
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "observation/round_map.html", context)


def round_map_json(request, pk, round_pk):
    access = mission_for(request, pk)
    stations = progress.station_map(_round(access, round_pk), by=_colour_by(request))
    return JsonResponse(
        {
            "legend": [[key, str(label), colour] for key, label, colour in stations.legend],
            "stations": stations.stations,
            "without_coordinates": stations.without_coordinates,
        }
    )


def alert_list(request, pk):
    """What needs a decision: the mission's alerts, the latest first."""
    access = mission_for(request, pk)
    mission = access.mission
    open_count = _open_alerts(mission)
    filterset = AlertFilterSet(request.GET, alerts.feed(mission), mission=mission)
    listed = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(listed, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "mission": mission,
        "page": page,
        "filterset": filterset,
        "query": filterset.query(),
        "open_count": open_count,
        "email_form": AlertEmailForm(initial={"kinds": mission.alert_email_kinds}),
    }
    return render(request, "observation/alert_list.html", context)


@require_POST
def alert_acknowledge(request, pk, alert_pk):
    access = mission_for(request, pk, action="alert_acknowledge")
    alert = get_object_or_404(Alert, mission=access.mission, pk=alert_pk)
    try:
        acknowledged = services.alert_acknowledge(alert=alert, by=request.user)
    except MissionLockedError as error:
        messages.error(request, " ".join(error.messages))
    except Alert.DoesNotExist:
        messages.info(request, _("This alert is gone: what raised it was corrected meanwhile."))
    else:
        _acknowledged(request, alert, acknowledged)
    return _back_to_alerts(request, access.mission)


def _acknowledged(request, alert, acknowledged):
    if acknowledged:
        messages.success(request, _("Alert acknowledged in your name."))
    else:
        messages.info(
            request,
            _("%(name)s acknowledged this alert first, at %(time)s.")
            % {
                "name": alert.acknowledged_by.get_full_name()
                or alert.acknowledged_by.get_username(),
                "time": dates.zoned(alert.acknowledged_at),
            },
        )


@require_POST
def alert_email(request, pk):
    access = mission_for(request, pk, action="alert_email")
    form = AlertEmailForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["kinds"]))
        return _back_to_alerts(request, access.mission)
    services.alert_email_set(
        mission=access.mission, kinds=form.cleaned_data["kinds"], by=request.user
    )
    messages.success(request, _("Alert e-mails saved."))
    return _back_to_alerts(request, access.mission)


def _back_to_alerts(request, mission):
    """The alerts page with the filters it was seen with, checked again there."""
    carried = QueryDict(request.POST.get("filters", ""))
    query = AlertFilterSet(carried, mission=mission).query()
    url = reverse("observation:alerts", args=[mission.pk])
    return redirect(f"{url}?{query}" if query else url)


def outlines(request, pk):
    """The outlines of the mission's areas drawn under the map: loaded from GeoJSON, one
    file a level."""
    access = mission_for(request, pk)
    mission = access.mission
    form = OutlinesForm(mission=mission)
    if request.method == "POST":
        access = mission_for(request, pk, action="outlines_edit")
        form = OutlinesForm(request.POST, request.FILES, mission=mission)
        if form.is_valid():
            level, read = form.cleaned_data["level"], form.cleaned_data["outlines"]
            services.outlines_save(mission=mission, level=level, outlines=read)
            label = mission.area_labels()[level - 1]
            messages.success(request, area_outlines.summary(read, label))
            if read.unmatched_areas:
                messages.warning(request, _unmatched(read.unmatched_areas, label))
            return redirect("observation:outlines", pk)
    context = {
        "access": access,
        "mission": mission,
        "form": form,
        "stored": [
            (mission.area_labels()[stored.level - 1], stored)
            for stored in mission.outlines.defer("geojson")
            if stored.level <= len(mission.area_labels())
        ],
    }
    return render(request, "observation/outlines.html", context)


OUTLINES_UNMATCHED_NAMED = 10


def _unmatched(areas: list[str], label: str) -> str:
    named = ", ".join(areas[:OUTLINES_UNMATCHED_NAMED])
    if len(areas) > OUTLINES_UNMATCHED_NAMED:
        named += "…"
    return ngettext(
        "%(count)d area of the level %(level)s has no outline in the file: %(areas)s.",
        "%(count)d areas of the level %(level)s have no outline in the file: %(areas)s.",
        len(areas),
    ) % {"count": len(areas), "level": label, "areas": named}


@require_POST
def outlines_remove(request, pk, level):
    access = mission_for(request, pk, action="outlines_edit")
    stored = get_object_or_404(AreaOutlines, mission=access.mission, level=level)
    services.outlines_remove(outlines=stored)
    messages.success(request, _("Outlines removed."))
    return redirect("observation:outlines", pk)


def outlines_json(request, pk):
    """Every level's outlines as one GeoJSON FeatureCollection, each feature with its
    level, the widest areas first."""
    access = mission_for(request, pk)
    features = [
        {**feature, "properties": {**feature["properties"], "level": stored.level}}
        for stored in access.mission.outlines.order_by("level")
        for feature in stored.geojson["features"]
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Content-Type"] = "application/geo+json"
    return response
