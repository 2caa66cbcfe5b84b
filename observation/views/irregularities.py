from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observation import services
from observation.access import mission_for
from observation.forms import IrregularityForm, ReviewForm
from observation.history import history_rows
from observation.models import Irregularity
from observation.views import DRAFT_SAVED

QUEUE_PAGE_SIZE = 25
# Sent by static/js/review-queue.js: answer with the decided item, not a redirect.
IN_PLACE_HEADER = "X-Review-In-Place"


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
        messages.success(
            request, _("Irregularity logged; it now waits for review."), extra_tags=DRAFT_SAVED
        )
        return redirect(irregularity)
    return render(
        request,
        "observation/irregularity_form.html",
        {"access": access, "mission": mission, "form": form, "not_saved": form.is_bound},
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
    in_place = request.headers.get(IN_PLACE_HEADER) == "1"
    refusals, done = [], None
    if not form.is_valid():
        refusals = [error for errors in form.errors.values() for error in errors]
    else:
        try:
            done = services.irregularity_review(
                irregularity=irregularity,
                decision=form.cleaned_data["decision"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:  # already reviewed, superseded, or mission locked
            refusals = [error.messages[0]]
    if in_place:
        # The queue's script puts this in place of the item: the reviewer keeps their place.
        context = {"irregularity": irregularity, "done": done, "refusals": refusals}
        return render(
            request,
            "observation/includes/_review_result.html",
            context,
            status=400 if refusals else 200,
        )
    for refusal in refusals:
        messages.error(request, refusal)
    if done is not None:
        messages.success(request, done)
    if back == "queue" and done is None:
        # The refusal is shown at the top of the queue.
        return redirect("observation:review_queue", pk=access.mission.pk)
    if back == "queue":
        return redirect(_queue_position(access.mission, irregularity, request.POST.get("page")))
    return redirect(irregularity)


def _queue_position(mission, decided, page):
    """The queue at the item after the one just decided, on the page it now falls on:
    without the in-place script, the reviewer still goes on where they were."""
    url = reverse("observation:review_queue", args=[mission.pk])
    queue = mission.irregularities.review_queue()
    after = queue.filter(
        Q(created_at__gt=decided.created_at) | Q(created_at=decided.created_at, pk__gt=decided.pk)
    )
    following = after.values_list("pk", flat=True).first()
    if following is None:
        return f"{url}?page={page}" if page and page != "1" else url
    position = queue.count() - after.count()
    number = position // QUEUE_PAGE_SIZE + 1
    query = f"?page={number}" if number > 1 else ""
    return f"{url}{query}#irregularity-{following}"
