from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observation import services
from observation.access import mission_for
from observation.forms import IrregularityForm, ReviewForm
from observation.history import history_rows
from observation.models import Irregularity

QUEUE_PAGE_SIZE = 25


def irregularity_create(request, pk):
    access = mission_for(request, pk, action="irregularity_edit")
    mission = access.mission
    form = IrregularityForm(
        request.POST or None,
        instance=Irregularity(mission=mission, reported_by=request.user),
        mission=mission,
    )
    if request.method == "POST" and form.is_valid():
        irregularity = form.save()
        messages.success(request, _("Irregularity logged; it now waits for review."))
        return redirect(irregularity)
    return render(
        request,
        "observation/irregularity_form.html",
        {"access": access, "mission": mission, "form": form},
    )


def irregularity_detail(request, pk, irregularity_pk):
    access = mission_for(request, pk)
    irregularity = get_object_or_404(
        access.mission.irregularities.select_related(
            "category",
            "round",
            "station",
            "report__station",
            "report__round",
            "reviewed_by",
            "reported_by",
        ),
        pk=irregularity_pk,
    )
    context = {
        "access": access,
        "mission": access.mission,
        "irregularity": irregularity,
        "review_form": ReviewForm(),
        "cited_in": irregularity.cited_in.all(),
        "history": history_rows(irregularity),
    }
    return render(request, "observation/irregularity_detail.html", context)


def review_queue(request, pk):
    access = mission_for(request, pk, action="review_queue")
    queue = access.mission.irregularities.review_queue().select_related(
        "category", "round", "station", "report"
    )
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"access": access, "mission": access.mission, "page": page}
    return render(request, "observation/review_queue.html", context)


@require_POST
def irregularity_review(request, pk, irregularity_pk):
    access = mission_for(request, pk, action="irregularity_review")
    irregularity = get_object_or_404(access.mission.irregularities, pk=irregularity_pk)
    form = ReviewForm(request.POST)
    back = request.POST.get("next") or "detail"
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            done = services.irregularity_review(
                irregularity=irregularity,
                decision=form.cleaned_data["decision"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:  # already reviewed, superseded, or mission locked
            messages.error(request, error.messages[0])
        else:
            messages.success(request, done)
    if back == "queue":
        return redirect("observation:review_queue", pk=access.mission.pk)
    return redirect(irregularity)
