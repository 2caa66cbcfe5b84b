from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observation import services
from observation.access import mission_for
from observation.filters import SEVERITY_RANK, ReviewQueueFilterSet
from observation.forms import IrregularityForm, ReviewForm
from observation.history import history_rows
from observation.models import Irregularity, IrregularityPhoto
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
        try:
            irregularity = services.irregularity_save(
                irregularity=form.save(commit=False), by=request.user
            )
        except ValidationError as error:  # the mission locked since the form was checked
            form.add_error(None, error)
        else:
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
        "photos": (
            irregularity.photos.select_related("irregularity")
            if access.allows("photo_view")
            else []
        ),
        "can_reopen": (
            access.allows("irregularity_reopen")
            and not irregularity.awaits_review
            and not irregularity.is_superseded
            and irregularity.reviewed_by_id == request.user.pk
        ),
    }
    return render(request, "observation/irregularity_detail.html", context)


def irregularity_photo(request, pk, irregularity_pk, photo_pk):
    """A photo of an irregularity, to the mission's members whose role allows it: photo
    evidence is never public, and no cache outside the browser keeps it."""
    access = mission_for(request, pk, action="photo_view")
    photo = get_object_or_404(
        IrregularityPhoto.objects.filter(
            irregularity__mission=access.mission, irregularity_id=irregularity_pk
        ),
        pk=photo_pk,
    )
    extension = photo.image.name.rsplit(".", 1)[-1]
    response = FileResponse(
        photo.image.open("rb"),
        content_type=photo.content_type,
        filename=f"irregularity-{irregularity_pk}-photo-{photo.pk}.{extension}",
    )
    response["Cache-Control"] = "private, no-cache"
    return response


def _queue_filter(data, mission) -> ReviewQueueFilterSet:
    queryset = mission.irregularities.review_queue().select_related(
        "category", "round", "station", "report"
    )
    return ReviewQueueFilterSet(data, queryset, mission=mission)


def review_queue(request, pk):
    access = mission_for(request, pk, action="review_queue")
    filterset = _queue_filter(request.GET, access.mission)
    # An invalid filter shows its error and no items, rather than the whole queue.
    queue = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "access": access,
        "mission": access.mission,
        "page": page,
        "filterset": filterset,
        "query": filterset.query(),
        "filtered": any(
            value not in (None, "")
            for name, value in (filterset.form.cleaned_data if filterset.is_valid() else {}).items()
            if name != "sort"
        ),
    }
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
    if back == "queue":
        # The queue's filters and sort come back with the reviewer, read again here
        # rather than echoed, so that only valid filters are carried.
        filterset = _queue_filter(QueryDict(request.POST.get("filters", "")), access.mission)
        if not filterset.is_valid():
            filterset = _queue_filter(QueryDict(), access.mission)
        if done is None:
            # The refusal is shown at the top of the queue.
            return redirect(_queue_url(access.mission, filterset.query()))
        return redirect(_queue_position(filterset, irregularity, request.POST.get("page")))
    return redirect(irregularity)


@require_POST
def irregularity_reopen(request, pk, irregularity_pk):
    access = mission_for(request, pk, action="irregularity_reopen")
    irregularity = get_object_or_404(access.mission.irregularities, pk=irregularity_pk)
    try:
        done = services.irregularity_reopen(
            irregularity, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:  # cited, not theirs, superseded, locked, no reason
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect(irregularity)


def _queue_url(mission, query, page=None):
    url = reverse("observation:review_queue", args=[mission.pk])
    parts = [part for part in (query, f"page={page}" if page and page != 1 else "") if part]
    return f"{url}?{'&'.join(parts)}" if parts else url


def _queue_position(filterset, decided, page):
    """The queue at the item after the one just decided, on the page it now falls on,
    with the same filters and sort: without the in-place script, the reviewer still
    goes on where they were."""
    mission, query = filterset.mission, filterset.query()
    queue = filterset.qs
    sort = filterset.form.cleaned_data.get("sort")
    later = Q(created_at__gt=decided.created_at) | Q(
        created_at=decided.created_at, pk__gt=decided.pk
    )
    if sort == ReviewQueueFilterSet.SORT_SEVERITY:
        rank = SEVERITY_RANK.get(decided.severity, len(SEVERITY_RANK))
        later = Q(rank__gt=rank) | (Q(rank=rank) & later)
    after = queue.filter(later)
    following = after.values_list("pk", flat=True).first()
    if following is None:
        number = int(page) if page and str(page).isdigit() else None
        return _queue_url(mission, query, number)
    position = queue.count() - after.count()
    number = position // QUEUE_PAGE_SIZE + 1
    return f"{_queue_url(mission, query, number)}#irregularity-{following}"
