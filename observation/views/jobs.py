"""Background jobs as their requester sees them: asked for, followed, their result taken."""

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from observation import exports, jobs
from observation.access import mission_for
from observation.models import Job
from observation.views.transfer import IMPORTS, filter_errors

# What a job's progress bar counts, for the kinds that go row by row.
ROWS_COUNTED = {
    Job.Kind.EXPORT: gettext_lazy("rows written"),
    Job.Kind.IMPORT: gettext_lazy("rows checked"),
    Job.Kind.IMPORT_PREVIEW: gettext_lazy("rows checked"),
}
# What each kind of job's result is.
CONTENT_TYPES = {
    Job.Kind.EXPORT: exports.XLSX_CONTENT_TYPE,
    Job.Kind.SUMMARY_PDF: "application/pdf",
    # An import preview's file of every problem.
    Job.Kind.IMPORT_PREVIEW: "text/csv; charset=utf-8",
}


@require_POST
def export_start(request, pk):
    """Queue the Excel export the export page offered, with the list's filters."""
    access = mission_for(request, pk)
    what = request.POST.get("what", "")
    if what not in exports.LIST_EXPORTS:
        raise Http404
    query = request.POST.get("query", "")
    filterset = exports.LIST_EXPORTS[what].filterset(QueryDict(query), access.mission)
    if not filterset.is_valid():
        # Left out, an invalid filter would export every row.
        return HttpResponseBadRequest(filter_errors(filterset), content_type="text/plain")
    job = jobs.export_start(
        mission=access.mission,
        what=what,
        query=query,
        names_observers=access.names_observers,
        by=request.user,
    )
    return redirect("observation:job_detail", pk, job.pk)


@require_POST
def summary_pdf_start(request, pk):
    """Queue the summary's PDF that the summary's page offered for a large mission."""
    access = mission_for(request, pk)
    job = jobs.summary_pdf_start(
        mission=access.mission,
        public=request.POST.get("public") == "1",
        include_unverified=request.POST.get("unverified") == "1",
        names_observers=access.names_observers,
        base_url=request.build_absolute_uri("/"),
        by=request.user,
    )
    return redirect("observation:job_detail", pk, job.pk)


def _job(request, pk, job_pk):
    """A job of the mission, shown to the member who asked for it only: an export holds
    what their role lets them see."""
    access = mission_for(request, pk)
    job = get_object_or_404(Job, mission=access.mission, pk=job_pk, requested_by=request.user)
    jobs.requeue_if_lost(job)
    return access, job


def job_detail(request, pk, job_pk):
    access, job = _job(request, pk, job_pk)
    context = {
        "access": access,
        "mission": access.mission,
        "job": job,
        "rows_counted": ROWS_COUNTED.get(job.kind),
    }
    if job.kind in (Job.Kind.IMPORT, Job.Kind.IMPORT_PREVIEW):
        # Where to go next: the records imported, the preview, or the import page for
        # another file.
        import_kind = IMPORTS[job.params["import"]]
        import_url = reverse(import_kind.url_name, args=[pk])
        if job.kind == Job.Kind.IMPORT_PREVIEW and job.status == Job.Status.DONE:
            return redirect(f"{import_url}?{urlencode({'checked': job.pk})}")
        context["records_url"] = reverse(import_kind.done_url_name, args=[pk])
        context["import_url"] = import_url
    return render(request, "observation/job_detail.html", context)


def job_json(request, pk, job_pk):
    _access, job = _job(request, pk, job_pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_shown": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "finished": job.finished,
            "download": reverse("observation:job_download", args=[pk, job.pk])
            if job.status == Job.Status.DONE and job.file
            else None,
        }
    )


def job_download(request, pk, job_pk):
    access, job = _job(request, pk, job_pk)
    if job.status != Job.Status.DONE or not job.file:
        raise Http404
    if job.kind == Job.Kind.IMPORT_PREVIEW:
        # The uploaded rows' problems: for whoever may still import them, as the preview is.
        access.require(IMPORTS[job.params["import"]].action)
    if job.params.get("names_observers") and not access.names_observers:
        # Written when its requester could see observer names; they no longer may.
        raise PermissionDenied(_("This file names observers, which your role no longer shows."))
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response
