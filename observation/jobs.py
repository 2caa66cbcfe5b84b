"""Long work off the request: a Job row says what to do and how far it got, and the task
worker does it (`manage.py db_worker`: Django's task framework, its queue in our own
database).

A job is claimed by one worker at a time (a conditional update); it reports how far it
got as it goes, which is also how it is known to be alive. A job whose worker is lost
(a crash, a host restarted) is queued again when its page is next read, and done again
from the start: its result is written whole at the end, never half, so a job interrupted
and run again applies once. An import's rows and its job's "done" are one transaction.
"""

import tempfile
import uuid
from dataclasses import replace

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observation import exports, printing, services
from observation.access import ROLE_REFUSAL, member_access, role_allows
from observation.imports import (
    IMPORTERS,
    MAX_KEPT_ERRORS,
    ImportFileError,
    Mapping,
    done_message,
    preview_result,
    problem_columns,
    problems_file_name,
    read_table,
)
from observation.models import Job, MissionLockedError
from observation.models.jobs import HEARTBEAT_TIMEOUT
from observation.summary import TEMPLATE, build_summary, summary_file_name, summary_variant

Status = Job.Status
# How often a running job says how far it got (and that it is alive), in rows.
PROGRESS_EVERY = 1000
FILE_GONE = gettext_lazy("The uploaded file is no longer kept. Upload it again.")


def export_start(*, mission, what: str, query: str, names_observers: bool, by) -> Job:
    """Queue the XLSX export of a list (`what`, as its filters `query` select the rows)."""
    export = exports.LIST_EXPORTS[what]
    job = Job.objects.create(
        mission=mission,
        kind=Job.Kind.EXPORT,
        title=_("%(list)s, Excel") % {"list": export.title},
        params={
            "what": what,
            "query": query,
            "names_observers": names_observers,
            # Written as the requester reads: their language, the mission's zone.
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
        requested_by=by,
        filename=f"{exports.export_filename(mission, what)}.xlsx",
    )
    _enqueue(job)
    return job


def summary_pdf_start(
    *, mission, public: bool, include_unverified: bool, names_observers: bool, base_url: str, by
) -> Job:
    """Queue the PDF of the mission's summary: the public one, or the members' one (with
    the irregularities not yet reviewed if `include_unverified`). `base_url` is the site's
    address as the requester reached it, which the PDF's links start with."""
    include_unverified = include_unverified and not public
    _variant, title = summary_variant(public=public, include_unverified=include_unverified)
    job = Job.objects.create(
        mission=mission,
        kind=Job.Kind.SUMMARY_PDF,
        title=title,
        params={
            "public": public,
            "include_unverified": include_unverified,
            # The public summary names no observer, whoever asks for it.
            "names_observers": names_observers and not public,
            "base_url": base_url,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
        },
        requested_by=by,
        filename=summary_file_name(mission, public=public, include_unverified=include_unverified),
    )
    _enqueue(job)
    return job


def import_start(
    *,
    mission,
    kind: str,
    upload: dict,
    accept_reported_changes: bool,
    by,
) -> Job:
    """Queue the confirmation of an upload previewed already (`upload`: its stored file,
    name, chosen columns and valid rows): checked again and written by the worker, which
    then deletes the file."""
    return _import_job(
        Job.Kind.IMPORT,
        _("Import (%(records)s): %(file)s"),
        mission=mission,
        kind=kind,
        upload=upload,
        by=by,
        total=upload["rows"],
        accept_reported_changes=accept_reported_changes,
    )


def import_preview_start(*, mission, kind: str, upload: dict, by) -> Job:
    """Queue the preview of an upload too long to check in the request (`upload`: its
    stored file, name and chosen columns): the worker checks every row and keeps the
    preview for the import page; the file waits there for its confirmation."""
    return _import_job(
        Job.Kind.IMPORT_PREVIEW,
        _("Import preview (%(records)s): %(file)s"),
        mission=mission,
        kind=kind,
        upload=upload,
        by=by,
    )


def _import_job(job_kind, title, *, mission, kind, upload, by, total=None, **params) -> Job:
    job = Job.objects.create(
        mission=mission,
        kind=job_kind,
        title=Truncator(
            title % {"records": IMPORTERS[kind].title, "file": upload["filename"]}
        ).chars(Job._meta.get_field("title").max_length),
        params={
            "import": kind,
            "path": upload["path"],
            "filename": upload["filename"],
            "mapping": upload["mapping"],
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            **params,
        },
        requested_by=by,
        total=total,
    )
    _enqueue(job)
    return job


def _enqueue(job: Job) -> None:
    from observation import tasks

    # Once the job's row is committed: a worker that looked before would not find it. A
    # queue that refuses is logged; the job's page queues it again once it looks lost.
    transaction.on_commit(lambda: tasks.run_job.enqueue(job.pk), robust=True)


def requeue_if_lost(job: Job) -> bool:
    """Queue again a job whose worker was lost; True if this call did (one caller does)."""
    if not job.lost():
        return False
    stale = timezone.now() - HEARTBEAT_TIMEOUT
    requeued = (
        Job.objects.filter(pk=job.pk, status=Status.RUNNING)
        .filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
        .update(status=Status.WAITING)
    )
    if requeued:
        _enqueue(job)
        job.refresh_from_db()
    return bool(requeued)


def run(job_id: int) -> None:
    """Do the job, if it waits for a worker: a job done, failed or another worker's is left
    alone (a task queued twice runs once). Every write after the claim is this attempt's
    only: a worker thought lost that wakes up after the job was queued again changes
    nothing, and its file is deleted."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Status.WAITING).update(
        status=Status.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1, done=0
    )
    if not claimed:
        return
    job = Job.objects.select_related("mission").get(pk=job_id)
    attempt = Job.objects.filter(pk=job.pk, attempts=job.attempts, status=Status.RUNNING)
    try:
        with (
            timezone.override(job.mission.zone),
            translation.override(job.params.get("language") or settings.LANGUAGE_CODE),
        ):
            RUNNERS[job.kind](job, attempt)
    except Exception as error:
        attempt.update(status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        raise


def _counted(records, attempt):
    done = 0
    for done, record in enumerate(records, start=1):
        if done % PROGRESS_EVERY == 0:
            attempt.update(done=done, heartbeat_at=timezone.now())
        yield record
    attempt.update(done=done, heartbeat_at=timezone.now())


def _export(job: Job, attempt) -> None:
    mission = job.mission
    export = exports.LIST_EXPORTS[job.params["what"]]
    filterset = export.filterset(QueryDict(job.params["query"]), mission)
    # The filters were valid when the job was asked for; the mission may have changed.
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    attempt.update(total=queryset.count())
    records = _counted(queryset.iterator(chunk_size=exports.ITERATOR_CHUNK_SIZE), attempt)
    with tempfile.TemporaryFile(suffix=".xlsx") as output:
        exports.write_xlsx(
            output,
            columns=export.columns(mission, job.params["names_observers"]),
            records=records,
            title=str(export.title),
        )
        output.seek(0)
        _finish(job, attempt, File(output), suffix=".xlsx")


def _summary_pdf(job: Job, attempt) -> None:
    params = job.params
    summary = build_summary(
        mission=job.mission,
        public=params["public"],
        include_unverified=params["include_unverified"],
        name_observers=params["names_observers"],
    )
    attempt.update(heartbeat_at=timezone.now())
    document = printing.render_document(
        template_name=TEMPLATE,
        context={"mission": job.mission, "summary": summary},
        base_url=params["base_url"],
    )
    pages = len(document.pages)
    # Laid out: the page can say how long the PDF is while it is written.
    attempt.update(total=pages, heartbeat_at=timezone.now())
    _finish(job, attempt, ContentFile(printing.write_pdf(document)), suffix=".pdf", done=pages)


class _Superseded(Exception):
    """Another attempt has the job now: this one's write is undone."""


def _import(job: Job, attempt) -> None:
    params = job.params
    importer = IMPORTERS[params["import"]](job.mission, mapping=Mapping.stored(params["mapping"]))
    access = member_access(job.requested_by, job.mission_id)
    if access is None or not role_allows(access.role, importer.action, locked=False):
        # Allowed when confirmed, no longer: the role judged now, as a request would be.
        # A lock is the import's own to refuse, with its reason.
        held = _refused(attempt, str(ROLE_REFUSAL))
    else:
        held = _write(job, attempt, importer)
    # The upload is done with, unless another attempt has the job (and the file) now.
    if held:
        default_storage.delete(params["path"])


def _write(job: Job, attempt, importer) -> bool:
    """Check the upload again and write it; False if another attempt has the job now."""
    params = job.params

    def written(counts):
        # In the write's own transaction: the rows and the job's "done" commit together,
        # or neither does, if this attempt was taken for lost and the job run again.
        if not attempt.update(
            status=Status.DONE,
            done=job.total or 0,
            outcome=done_message(params["import"], counts),
            finished_at=timezone.now(),
        ):
            raise _Superseded

    try:
        with default_storage.open(params["path"], "rb") as stored:
            content = stored.read()
        confirmed = services.import_confirm(
            importer=importer,
            content=content,
            filename=params["filename"],
            by=job.requested_by,
            accept_reported_changes=params["accept_reported_changes"],
            counted=lambda records: _counted(records, attempt),
            written=written,
        )
    except _Superseded:
        return False
    except FileNotFoundError:
        return _refused(attempt, str(FILE_GONE))
    except ImportFileError as error:
        return _refused(attempt, error.message)
    except MissionLockedError as error:
        return _refused(attempt, error.messages[0])
    return confirmed.written or _refused(attempt, _refusal(confirmed.preview))


def _import_preview(job: Job, attempt) -> None:
    """Check every row of the upload and keep the preview for the import page, with the
    file of every problem, if any, as the job's result. The upload waits on for its
    confirmation."""
    params = job.params
    importer = IMPORTERS[params["import"]](job.mission, mapping=Mapping.stored(params["mapping"]))
    try:
        with default_storage.open(params["path"], "rb") as stored:
            table = read_table(stored.read(), params["filename"])
        # Every problem kept, for their file; the page shows the first, as in a request.
        preview = importer.preview(
            replace(table, records=_counted(table.records, attempt)), keep_errors=None
        )
    except FileNotFoundError:
        _refused(attempt, str(FILE_GONE))
        return
    except ImportFileError as error:
        _refused(attempt, error.message)
        return
    problems = list(preview.errors)
    preview.keep_first(MAX_KEPT_ERRORS)
    download = reverse("observation:job_download", args=[job.mission_id, job.pk])
    result = preview_result(importer, preview, problems_url=download if problems else "")
    if not problems:
        attempt.update(status=Status.DONE, result=result, finished_at=timezone.now())
        return
    lines = exports.csv_lines(columns=problem_columns(), records=problems)
    _finish(
        job,
        attempt,
        ContentFile("".join(lines).encode()),
        suffix=".csv",
        result=result,
        filename=f"{problems_file_name(job.mission, params['import'])}.csv",
    )


def _refusal(preview) -> str:
    if preview.is_valid:
        why = _("Its changes to stations that have reports were not accepted.")
    else:
        why = _(
            "The mission's records changed since the preview, and some rows no longer "
            "pass its checks."
        )
    return _("Nothing was imported. %(why)s Upload the file again to see its preview.") % {
        "why": why
    }


def _refused(attempt, outcome: str) -> bool:
    """The import wrote nothing, and says why to the one who asked for it; False if another
    attempt has the job now."""
    return bool(attempt.update(status=Status.FAILED, outcome=outcome, finished_at=timezone.now()))


def _finish(job: Job, attempt, content, *, suffix: str, **fields) -> None:
    """Keep the result and mark the job done, unless another attempt has it meanwhile."""
    # A name no one can guess: the file is served only through its job's page.
    job.file.save(f"{uuid.uuid4().hex}{suffix}", content, save=False)
    done = attempt.update(
        status=Status.DONE, file=job.file.name, finished_at=timezone.now(), **fields
    )
    if not done:
        # Another attempt has the job now: its file, not this one, is the result.
        job.file.delete(save=False)


RUNNERS = {
    Job.Kind.EXPORT: _export,
    Job.Kind.SUMMARY_PDF: _summary_pdf,
    Job.Kind.IMPORT: _import,
    Job.Kind.IMPORT_PREVIEW: _import_preview,
}
