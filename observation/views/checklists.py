"""A mission's checklists: read, loaded from an XLSForm (checked, previewed, then
applied), downloaded as one, adopted from the question library, questions retired."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from observation import answers, services, xlsform
from observation.access import mission_for
from observation.forms import ChecklistAdoptForm, ChecklistUploadForm
from observation.models import Checklist, Question

# A checked draft travels to the apply step signed, so that what is applied is what was
# previewed; it goes stale after a day.
DRAFT_SALT = "observation.checklist-draft"
DRAFT_MAX_AGE = 24 * 60 * 60


def checklist_list(request, pk):
    access = mission_for(request, pk)
    mission = access.mission
    context = {
        "access": access,
        "mission": mission,
        "checklists": mission.checklists.order_by("phase").prefetch_related("questions"),
        "upload_form": ChecklistUploadForm(initial={"language": _language(request)}),
        "adopt_form": ChecklistAdoptForm(mission=mission),
    }
    return render(request, "observation/checklist_list.html", context)


def checklist_detail(request, pk, checklist_pk):
    access = mission_for(request, pk)
    checklist = get_object_or_404(access.mission.checklists, pk=checklist_pk)
    questions = checklist.questions.select_related("section", "raises", "library")
    context = {
        "access": access,
        "mission": access.mission,
        "checklist": checklist,
        "questions": questions,
    }
    return render(request, "observation/checklist_detail.html", context)


@require_GET
def checklist_download(request, pk, checklist_pk):
    access = mission_for(request, pk)
    checklist = get_object_or_404(access.mission.checklists, pk=checklist_pk)
    response = HttpResponse(
        xlsform.write(checklist),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = slugify(f"{access.mission.name} {checklist.phase or 'all phases'} checklist")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _language(request) -> str:
    return (getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE).split("-")[0]


def _decimal(value):
    return None if value is None else Decimal(value)


def _preview_form(draft) -> forms.Form:
    """The form as staff will see it: the draft's questions as the report form asks them."""
    checklist = Checklist(title=draft.title, default_language=draft.default_language)
    form = forms.Form()
    for item in draft.questions:
        question = Question(
            checklist=checklist,
            code=item.code,
            type=item.type,
            labels=item.labels,
            hints=item.hints,
            choices=item.choices,
            minimum=_decimal(item.minimum),
            maximum=_decimal(item.maximum),
        )
        field = answers.form_field(question)
        if field is not None:
            field.disabled = True
            field.required = item.required
            form.fields[item.code] = field
    return form


@require_POST
def checklist_upload(request, pk):
    access = mission_for(request, pk, action="checklist_edit")
    mission = access.mission
    form = ChecklistUploadForm(request.POST, request.FILES)
    context = {"access": access, "mission": mission, "form": form}
    if form.is_valid():
        phase = form.cleaned_data["phase"]
        try:
            draft = xlsform.read(
                form.cleaned_data["file"].read(), unmarked_language=form.cleaned_data["language"]
            )
        except xlsform.XLSFormError as error:
            context["problems"] = error.problems
        else:
            context.update(
                draft=draft,
                phase=phase,
                changes=services.checklist_changes(mission=mission, phase=phase, draft=draft),
                preview_form=_preview_form(draft),
                token=signing.dumps(
                    {"phase": phase, "draft": draft.as_data()}, salt=DRAFT_SALT, compress=True
                ),
            )
    return render(request, "observation/checklist_upload.html", context)


@require_POST
def checklist_apply(request, pk):
    access = mission_for(request, pk, action="checklist_edit")
    try:
        data = signing.loads(request.POST.get("token", ""), salt=DRAFT_SALT, max_age=DRAFT_MAX_AGE)
    except signing.BadSignature:
        return HttpResponseBadRequest(
            _("This preview is no longer valid: upload the XLSForm again."),
            content_type="text/plain",
        )
    draft = xlsform.Draft.from_data(data["draft"])
    try:
        changes = services.checklist_apply(
            mission=access.mission, phase=data["phase"], draft=draft, by=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("observation:checklist_list", access.mission.pk)
    messages.success(
        request,
        _(
            "Checklist applied: %(added)d questions added, %(changed)d changed, "
            "%(retired)d retired, %(deleted)d removed."
        )
        % {
            "added": len(changes.added),
            "changed": len(changes.changed),
            "retired": len(changes.retired),
            "deleted": len(changes.deleted),
        },
    )
    checklist = access.mission.checklists.get(phase=data["phase"])
    return redirect(checklist)


@require_POST
def checklist_adopt(request, pk):
    access = mission_for(request, pk, action="checklist_edit")
    form = ChecklistAdoptForm(request.POST, mission=access.mission)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("observation:checklist_list", access.mission.pk)
    checklist = services.checklist_adopt(
        mission=access.mission,
        phase=form.cleaned_data["phase"],
        codes=[entry.code for entry in form.cleaned_data["questions"]],
        by=request.user,
    )
    messages.success(request, _("The library questions were added to the checklist."))
    return redirect(checklist)


@require_POST
def question_retire(request, pk, question_pk):
    access = mission_for(request, pk, action="checklist_edit")
    question = get_object_or_404(Question.objects.filter(mission=access.mission), pk=question_pk)
    message = services.question_retire(
        question=question, retired=request.POST.get("retired") == "1", by=request.user
    )
    messages.success(request, message)
    return redirect(question.checklist)
