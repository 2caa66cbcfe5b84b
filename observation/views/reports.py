from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from observation import services
from observation.access import mission_for
from observation.forms import ObserverReportForm, ReportIrregularityFormSet
from observation.history import history_rows, report_answer_history
from observation.models import ObserverReport, PollingStation
from observation.models.missions import normalise_code
from observation.views import DRAFT_SAVED

# What "Save and log another" carries to the next report: the same team, round and phase
# are typical of a run of reports phoned in from one team.
CARRIED = ("round", "phase", "observer")


def _new_report_initial(request, mission) -> dict:
    initial = {name: request.GET[name] for name in CARRIED if request.GET.get(name)}
    if "round" not in initial:
        observed = list(mission.rounds.filter(observed=True).values_list("pk", flat=True)[:2])
        if len(observed) == 1:
            initial["round"] = observed[0]
    return initial


def _report_form_page(request, access, report):
    mission = access.mission
    data = request.POST if request.method == "POST" else None
    creating = report.pk is None
    initial = _new_report_initial(request, mission) if creating and data is None else {}
    form = ObserverReportForm(data, instance=report, mission=mission, initial=initial)
    form_is_valid = data is not None and form.is_valid()
    if getattr(form, "resubmitted", None) is not None:
        # A retry, a double click, a second tab: this form's report is stored already.
        messages.info(
            request, _("This report was already saved; here it is."), extra_tags=DRAFT_SAVED
        )
        return redirect(form.resubmitted)
    # Built after the report form is validated, so rows take the corrected station and round;
    # checked whatever the report form says, so that every error shows at once.
    formset = ReportIrregularityFormSet(data, instance=form.instance, prefix="irregularities")
    rows_are_valid = data is not None and formset.is_valid()

    if form_is_valid and rows_are_valid:
        try:
            saved = services.report_save(
                report=form.instance,
                by=request.user,
                version=form.cleaned_data["version"],
                irregularities=formset.save(commit=False),
                removed=formset.deleted_objects,
                answers=form.answers,
            )
        except services.StaleVersion:
            form.refuse_stale()
        except ValidationError as error:
            # Locked, or a reviewed irregularity touched, between validation and saving.
            form.add_error(None, error)
        except IntegrityError:
            # The unique submission id, stored by a save racing this one.
            existing = mission.reports.filter(
                submission_id=form.cleaned_data["submission_id"]
            ).first()
            if existing is None:
                raise
            messages.info(
                request, _("This report was already saved; here it is."), extra_tags=DRAFT_SAVED
            )
            return redirect(existing)
        else:
            messages.success(request, saved.message, extra_tags=DRAFT_SAVED)
            for warning in saved.warnings:
                messages.warning(request, warning)
            if "another" in data and creating:
                carried = {name: form.data.get(name, "") for name in CARRIED}
                url = reverse("observation:report_create", args=[mission.pk])
                return redirect(f"{url}?{urlencode(carried)}")
            return redirect(saved.report)

    context = {
        "access": access,
        "mission": mission,
        "form": form,
        "formset": formset,
        "report": report,
        "not_saved": data is not None,
    }
    return render(request, "observation/report_form.html", context)


def report_create(request, pk):
    access = mission_for(request, pk, action="report_add")
    return _report_form_page(request, access, ObserverReport(mission=access.mission))


def report_edit(request, pk, report_pk):
    access = mission_for(request, pk, action="report_edit")
    report = get_object_or_404(access.mission.reports, pk=report_pk)
    return _report_form_page(request, access, report)


def report_detail(request, pk, report_pk):
    access = mission_for(request, pk)
    report = get_object_or_404(
        access.mission.reports.select_related("round", "station", "observer__person", "entered_by"),
        pk=report_pk,
    )
    irregularities = report.irregularities.select_related("category", "reviewed_by")
    context = {
        "access": access,
        "mission": access.mission,
        "report": report,
        "irregularities": irregularities,
        "answers": report.answers.select_related("question__checklist", "question__section"),
        "history": history_rows(report, related=report_answer_history(report)),
    }
    return render(request, "observation/report_detail.html", context)


@require_GET
def station_search(request, pk):
    """Stations whose code or name matches, for the station field's suggestions."""
    access = mission_for(request, pk)
    # PostgreSQL refuses a NUL in text; no name holds one.
    query = request.GET.get("q", "").replace("\x00", "").strip()
    stations = access.mission.stations.all()
    if len(query) > PollingStation._meta.get_field("name").max_length:
        # Longer than any code or name: nothing to find, and past SQLite's limit on a
        # LIKE pattern when very long.
        stations = stations.none()
    elif query:
        # The code as the station field will read it, so that a suggestion is a match.
        stations = stations.filter(
            Q(code__startswith=normalise_code(query)) | Q(name__icontains=query)
        )
    # Name, area and registered voters are shown beside the field once a station is
    # chosen: the figure "ballots cast" is checked against.
    results = [
        {
            "code": station.code,
            "label": f"{station.code} — {station.name}",
            "name": station.name,
            "area": ", ".join(station.area_path()),
            "registered_voters": station.registered_voters,
        }
        for station in stations[:20]
    ]
    return JsonResponse({"results": results})
