"""Imports of station lists and delegation rosters; exports of the mission's lists.

Between the preview and the confirmation, the uploaded file waits in the
default file storage (shared by every app server) under a random token that
only this user's session knows. Confirming reads it back and checks it again,
so that what is written is what the server checked, not what the browser sends.
"""

import dataclasses
import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observation import exports, jobs, services
from observation.access import mission_for
from observation.forms import ImportColumnsForm, ImportUploadForm
from observation.imports import (
    UPLOAD_FOLDER,
    DelegationImporter,
    DeploymentImporter,
    FileColumn,
    Importer,
    ImportFileError,
    Mapping,
    MappingError,
    StationImporter,
    done_message,
    longer_than,
    preview_in_request,
    preview_result,
    problem_columns,
    problems_file_name,
    read_table,
)
from observation.models import Deployment, Job, MissionLockedError

SESSION_KEY = "pending_imports"


@dataclass(frozen=True)
class _ImportKind:
    importer: type[Importer]
    url_name: str
    done_url_name: str

    @property
    def action(self) -> str:
        return self.importer.action


IMPORTS = {
    StationImporter.kind: _ImportKind(
        StationImporter, "observation:station_import", "observation:station_list"
    ),
    DelegationImporter.kind: _ImportKind(
        DelegationImporter, "observation:delegation_import", "observation:mission_detail"
    ),
    DeploymentImporter.kind: _ImportKind(
        DeploymentImporter, "observation:deployment_import", "observation:election_day"
    ),
}


def _pending(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _stash(
    request, *, mission, kind, content: bytes, filename: str, rows: int | None, mapping=None
) -> str:
    """Keep an upload until it is confirmed, replacing this user's earlier one for the
    same mission and kind; `rows` its preview's valid rows (None while the task worker
    checks a file too long to check in the request), `mapping` what the user chose in the
    columns step."""
    for token, entry in list(_pending(request).items()):
        if entry["mission"] == mission.pk and entry["kind"] == kind:
            _discard(request, token)
    pending = _pending(request)
    token = secrets.token_urlsafe(24)
    # Kept as a dict: the session is JSON.
    mapping = None if mapping is None else dataclasses.asdict(mapping)
    suffix = PurePath(filename).suffix.lower()
    path = default_storage.save(f"{UPLOAD_FOLDER}/{token}{suffix}", ContentFile(content))
    pending[token] = {
        "mission": mission.pk,
        "kind": kind,
        "path": path,
        "filename": filename,
        "mapping": mapping,
        "rows": rows,
    }
    request.session[SESSION_KEY] = pending
    return token


def _discard(request, token, *, keep_file=False):
    """Forget an upload; its file too, unless a job now has it (`keep_file`)."""
    pending = _pending(request)
    entry = pending.pop(token, None)
    if entry:
        if not keep_file:
            default_storage.delete(entry["path"])
        request.session[SESSION_KEY] = pending


def _waiting(request, token, mission, kind) -> tuple[dict | None, bytes | None]:
    """This user's upload waiting under `token` and its bytes, or (None, None); it stays
    waiting."""
    entry = _pending(request).get(token)
    if not entry or entry["mission"] != mission.pk or entry["kind"] != kind:
        return None, None
    try:
        with default_storage.open(entry["path"], "rb") as stored:
            return entry, stored.read()
    except FileNotFoundError:
        # clear_stale_imports deleted it: it had waited too long.
        return None, None


def import_page(request, pk, kind):
    access = mission_for(request, pk, action=IMPORTS[kind].action)
    importer = IMPORTS[kind].importer(access.mission)
    if request.method != "POST" and "checked" in request.GET:
        return _checked_in_background(request, access, kind, request.GET["checked"])
    form = ImportUploadForm(request.POST or None, request.FILES or None, importer=importer)
    token = None
    # A file that reads is kept even with problems: they may come from how its columns
    # were matched, which the columns step changes without another upload.
    if request.method == "POST" and (form.is_valid() or form.file_columns):
        token = _stash(
            request,
            mission=access.mission,
            kind=kind,
            content=form.content,
            filename=request.FILES["file"].name,
            rows=None if form.checked_later else len(form.preview.rows) if form.preview else 0,
        )
        if form.checked_later:
            return _check_in_background(request, access, kind, token)
    return _render_import(
        request,
        access,
        importer,
        form=form,
        preview=form.preview,
        token=token,
        file_columns=form.file_columns,
    )


def _check_in_background(request, access, kind, token):
    """Queue the preview of the waiting upload `token`, too long to check in the request;
    its job's page shows how far it got, then leads back here to the preview."""
    job = jobs.import_preview_start(
        mission=access.mission, kind=kind, upload=_pending(request)[token], by=request.user
    )
    return redirect("observation:job_detail", access.mission.pk, job.pk)


def _checked_in_background(request, access, kind, job_pk: str):
    """The import page with the preview the task worker made of this user's waiting upload:
    found only while that upload waits with the columns it was checked with."""
    import_kind = IMPORTS[kind]
    job = get_object_or_404(
        Job,
        mission=access.mission,
        # Digits of a bigint only: int() reads other scripts' digits, and refuses long ones.
        pk=int(job_pk) if job_pk.isascii() and job_pk.isdigit() and len(job_pk) < 19 else None,
        kind=Job.Kind.IMPORT_PREVIEW,
        status=Job.Status.DONE,
        requested_by=request.user,
        params__import=kind,
    )
    pending = _pending(request)
    token = next(
        (
            token
            for token, entry in pending.items()
            if entry["path"] == job.params["path"] and entry["mapping"] == job.params["mapping"]
        ),
        None,
    )
    if token is None:
        return _no_longer_waiting(request, import_kind, access.mission.pk)
    # Its valid rows, known now: whether its confirmation is written in the background.
    pending[token]["rows"] = job.result["rows"]
    request.session[SESSION_KEY] = pending
    importer = import_kind.importer(
        access.mission, mapping=Mapping.stored(pending[token]["mapping"])
    )
    return _render_import(
        request,
        access,
        importer,
        form=ImportUploadForm(importer=importer),
        checked=job.result,
        token=token,
        file_columns=[FileColumn.stored(column) for column in job.result["file_columns"]],
    )


def _laid_out(importer, preview, token) -> dict:
    """The preview checked in this request as the page shows it, its problems downloaded
    from the waiting upload `token`."""
    problems_url = ""
    if token and not preview.is_valid:
        problems_url = reverse(
            f"{IMPORTS[importer.kind].url_name}_errors", args=[importer.mission.pk]
        )
        problems_url += "?" + urlencode({"token": token})
    return preview_result(importer, preview, problems_url=problems_url)


def _render_import(
    request,
    access,
    importer,
    *,
    form,
    token,
    preview=None,
    checked=None,
    file_columns=(),
    columns_form=None,
):
    """The import page with the `preview` checked in this request, or the one the task
    worker `checked` and laid out (imports.preview_result); `token` names the waiting
    upload, which only a valid preview lets the user confirm."""
    if preview is not None:
        checked = _laid_out(importer, preview, token)
    if columns_form is None and token and file_columns:
        columns_form = ImportColumnsForm(
            importer=importer, file_columns=file_columns, initial={"token": token}
        )
    context = {
        "access": access,
        "mission": access.mission,
        "importer": importer,
        "columns": importer.columns(),
        "form": form,
        "preview": preview,
        "checked": checked,
        "token": token if checked and checked["valid"] else None,
        # Confirmed, so many rows are checked again and written by the task worker.
        "in_background": bool(checked) and checked["rows"] > settings.IMPORT_IN_REQUEST_ROWS,
        "columns_form": columns_form,
        "confirm_url_name": f"{IMPORTS[importer.kind].url_name}_confirm",
        "columns_url_name": f"{IMPORTS[importer.kind].url_name}_columns",
        "template_url_name": f"{IMPORTS[importer.kind].url_name}_template",
    }
    return render(request, "observation/import.html", context)


@require_POST
def import_columns(request, pk, kind):
    """The columns step: check the waiting upload again with the columns as the user
    matched them."""
    import_kind = IMPORTS[kind]
    access = mission_for(request, pk, action=import_kind.action)
    token = request.POST.get("token", "")
    entry, content = _waiting(request, token, access.mission, kind)
    if entry is None:
        return _no_longer_waiting(request, import_kind, pk)
    importer = import_kind.importer(access.mission, mapping=Mapping.stored(entry["mapping"]))
    # The columns come from the stored file, never from what the browser sends.
    file_columns = importer.columns_of(read_table(content, entry["filename"]))
    columns_form = ImportColumnsForm(request.POST, importer=importer, file_columns=file_columns)
    form = ImportUploadForm(importer=importer)
    if not columns_form.is_valid():
        return _render_import(
            request,
            access,
            importer,
            form=form,
            token=token,
            file_columns=file_columns,
            columns_form=columns_form,
        )
    mapping = columns_form.mapping()
    entry["mapping"] = dataclasses.asdict(mapping)
    pending = _pending(request)
    pending[token] = entry
    request.session[SESSION_KEY] = pending
    importer = import_kind.importer(access.mission, mapping=mapping)
    preview = None
    try:
        preview = preview_in_request(importer, content, entry["filename"])
    except MappingError as error:
        messages.error(request, error.message)
        file_columns = error.file_columns
    else:
        # The session is written at the end of the request: the entry as it is then.
        entry["rows"] = None if preview is None else len(preview.rows)
        if preview is None:
            return _check_in_background(request, access, kind, token)
        file_columns = preview.file_columns
    return _render_import(
        request,
        access,
        importer,
        form=form,
        preview=preview,
        token=token,
        file_columns=file_columns,
    )


@require_POST
def import_confirm(request, pk, kind):
    import_kind = IMPORTS[kind]
    access = mission_for(request, pk, action=import_kind.action)
    token = request.POST.get("token", "")
    entry, content = _waiting(request, token, access.mission, kind)
    if entry is None:
        return _no_longer_waiting(request, import_kind, pk)
    accept = request.POST.get("accept_reported_changes") == "on"
    rows = entry.get("rows", 0)
    if rows is None or rows > settings.IMPORT_IN_REQUEST_ROWS:
        # Checked again and written by the task worker, which takes the file over.
        job = jobs.import_start(
            mission=access.mission,
            kind=kind,
            upload=entry,
            accept_reported_changes=accept,
            by=request.user,
        )
        _discard(request, token, keep_file=True)
        return redirect("observation:job_detail", pk, job.pk)
    _discard(request, token)
    importer = import_kind.importer(access.mission, mapping=Mapping.stored(entry["mapping"]))
    try:
        confirmed = services.import_confirm(
            importer=importer,
            content=content,
            filename=entry["filename"],
            by=request.user,
            accept_reported_changes=accept,
        )
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect(import_kind.url_name, pk)
    except MissionLockedError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(import_kind.url_name, pk)
    if not confirmed.written:
        form = ImportUploadForm(importer=importer)
        preview = confirmed.preview
        token = None
        if preview.is_valid:
            # Valid but not accepted: the same file waits again for the tick.
            messages.error(
                request,
                _("Tick the box to accept the changes to stations that have reports."),
            )
            token = _stash(
                request,
                mission=access.mission,
                kind=kind,
                content=content,
                filename=entry["filename"],
                rows=len(preview.rows),
                mapping=Mapping.stored(entry["mapping"]),
            )
        return _render_import(
            request,
            access,
            importer,
            form=form,
            preview=preview,
            token=token,
            file_columns=preview.file_columns,
        )
    messages.success(request, done_message(kind, confirmed.counts))
    return redirect(import_kind.done_url_name, pk)


def _no_longer_waiting(request, import_kind, pk):
    messages.error(request, _("This upload is no longer waiting; upload the file again."))
    return redirect(import_kind.url_name, pk)


def import_template(request, pk, fmt, kind):
    """An empty file with the headers the import reads, in the user's language."""
    import_kind = IMPORTS[kind]
    access = mission_for(request, pk, action=import_kind.action)
    importer = import_kind.importer(access.mission, mapping=Mapping())
    columns = [exports.Column(column.label, str) for column in importer.columns()]
    filename = exports.export_filename(access.mission, f"{kind}-template")
    if fmt == "csv":
        return exports.csv_response(columns=columns, records=(), filename=filename)
    if fmt == "xlsx":
        return exports.xlsx_response(
            columns=columns, records=(), filename=filename, title=str(importer.title)
        )
    raise Http404


def import_errors(request, pk, kind):
    """Every problem of the waiting upload, not only those the page shows, as a CSV of
    line, column, value and message."""
    import_kind = IMPORTS[kind]
    access = mission_for(request, pk, action=import_kind.action)
    entry, content = _waiting(request, request.GET.get("token", ""), access.mission, kind)
    if entry is None:
        return _no_longer_waiting(request, import_kind, pk)
    importer = import_kind.importer(access.mission, mapping=Mapping.stored(entry["mapping"]))
    if longer_than(content, entry["filename"], settings.IMPORT_PREVIEW_IN_REQUEST_ROWS):
        # Its problems' file came with the preview the task worker made: not checked here.
        raise Http404
    try:
        preview = importer.preview(read_table(content, entry["filename"]), keep_errors=None)
    except ImportFileError as error:
        messages.error(request, error.message)
        return redirect(import_kind.url_name, pk)
    return exports.csv_response(
        columns=problem_columns(),
        records=preview.errors,
        filename=problems_file_name(access.mission, kind),
    )


def _export(request, pk, fmt, what):
    """Export what the list's filters show. An Excel file of many rows is written by the
    task worker: the page offers to prepare it instead."""
    access = mission_for(request, pk)
    mission = access.mission
    export = exports.LIST_EXPORTS[what]
    filterset = export.filterset(request.GET, mission)
    if not filterset.is_valid():
        # An invalid filter would be left out of the query and export every row.
        return HttpResponseBadRequest(filter_errors(filterset), content_type="text/plain")
    columns = export.columns(mission, access.names_observers)
    filename = exports.export_filename(mission, what)
    if fmt == "csv":
        records = filterset.qs.iterator(chunk_size=exports.ITERATOR_CHUNK_SIZE)
        return exports.csv_response(columns=columns, records=records, filename=filename)
    if fmt != "xlsx":
        raise Http404
    count = filterset.qs.count()
    if count > settings.EXPORT_IN_REQUEST_ROWS:
        context = {
            "access": access,
            "mission": mission,
            "export": export,
            "count": count,
            "query": request.GET.urlencode(),
        }
        return render(request, "observation/export_job.html", context)
    return exports.xlsx_response(
        columns=columns,
        records=filterset.qs.iterator(chunk_size=exports.ITERATOR_CHUNK_SIZE),
        filename=filename,
        title=str(export.title),
    )


def filter_errors(filterset) -> str:
    problems = [
        f"{filterset.form[name].label}: {' '.join(errors)}"
        for name, errors in filterset.errors.items()
    ]
    return " ".join([_("These filters are not valid, so nothing was exported."), *problems])


def station_export(request, pk, fmt):
    return _export(request, pk, fmt, "stations")


def report_export(request, pk, fmt):
    return _export(request, pk, fmt, "reports")


def irregularity_export(request, pk, fmt):
    return _export(request, pk, fmt, "irregularities")


def deployment_export(request, pk, fmt):
    """Every round's deployment plan, in the columns its import reads."""
    access = mission_for(request, pk)
    records = (
        Deployment.objects.filter(mission=access.mission)
        .select_related("round", "station", "team__person")
        .order_by("round__election_day", "station__code", "phase")
        .iterator(chunk_size=exports.ITERATOR_CHUNK_SIZE)
    )
    filename = exports.export_filename(access.mission, "deployment")
    if fmt == "csv":
        return exports.csv_response(
            columns=exports.deployment_columns(name_observers=access.names_observers),
            records=records,
            filename=filename,
        )
    if fmt == "xlsx":
        return exports.xlsx_response(
            columns=exports.deployment_columns(name_observers=access.names_observers),
            records=records,
            filename=filename,
            title=_("Deployment plan"),
        )
    raise Http404
