from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observation import markdown
from observation.access import Role, mission_for
from observation.forms import (
    RecommendationFormSet,
    ReturnToDraftForm,
    StaleVersion,
    StatementForm,
)
from observation.history import history_rows
from observation.models import FindingsStatement


def statement_list(request, pk):
    access = mission_for(request, pk)
    statements = access.mission.statements.select_related("round", "approved_by", "published_by")
    context = {"access": access, "mission": access.mission, "statements": statements}
    return render(request, "observation/statement_list.html", context)


def statement_detail(request, pk, statement_pk):
    access = mission_for(request, pk)
    statement = get_object_or_404(
        access.mission.statements.select_related(
            "round", "created_by", "submitted_by", "approved_by", "published_by", "returned_by"
        ),
        pk=statement_pk,
    )
    context = {
        "access": access,
        "mission": access.mission,
        "statement": statement,
        "cited": statement.cited_irregularities.select_related("category", "station"),
        "recommendations": statement.recommendations.all(),
        "return_form": ReturnToDraftForm(),
        "history": history_rows(statement),
    }
    return render(request, "observation/statement_detail.html", context)


def _save_statement(*, form, formset, is_new):
    with transaction.atomic():
        statement = form.save(commit=False)
        if not is_new:
            # Only a draft is edited: a statement moved on meanwhile is stale too.
            form.claim_version(status=FindingsStatement.Status.DRAFT)
        statement.save()
        form.save_m2m()
        formset.instance = statement
        formset.save()
    return statement


def _statement_form_page(request, access, statement):
    mission = access.mission
    is_new = statement.pk is None
    data = request.POST if request.method == "POST" else None
    form = StatementForm(data, instance=statement, mission=mission)
    formset = RecommendationFormSet(data, instance=statement, prefix="recommendations")
    preview = None
    if data is not None:
        valid = form.is_valid() and formset.is_valid()
        if "preview" in data:
            if "body" in form.cleaned_data:
                preview = markdown.render(form.cleaned_data["body"])
        elif valid:
            try:
                saved = _save_statement(form=form, formset=formset, is_new=is_new)
            except StaleVersion:
                form.refuse_stale()
            except ValidationError as error:
                # Locked or moved on between validation and saving.
                form.add_error(None, error)
            else:
                messages.success(request, _("Draft saved."))
                return redirect(
                    "observation:statement_detail", pk=mission.pk, statement_pk=saved.pk
                )
    context = {
        "access": access,
        "mission": mission,
        "form": form,
        "formset": formset,
        "statement": statement,
        "preview": preview,
    }
    return render(request, "observation/statement_form.html", context)


def statement_create(request, pk):
    access = mission_for(request, pk, role=Role.REVIEWER)
    statement = FindingsStatement(mission=access.mission, created_by=request.user)
    return _statement_form_page(request, access, statement)


def statement_edit(request, pk, statement_pk):
    access = mission_for(request, pk, role=Role.REVIEWER)
    statement = get_object_or_404(access.mission.statements, pk=statement_pk)
    if not statement.is_editable:
        messages.error(
            request,
            _("Only a draft can be edited; this statement is %(status)s.")
            % {"status": statement.get_status_display().lower()},
        )
        return redirect("observation:statement_detail", pk=pk, statement_pk=statement.pk)
    return _statement_form_page(request, access, statement)


# Who may make each move: drafting is reviewers' work, approval and publication leaders'.
TRANSITIONS = {
    "submit": (Role.REVIEWER, "submit_for_review", _("Statement submitted for review.")),
    "approve": (Role.LEADER, "approve", _("Statement approved.")),
    "publish": (Role.LEADER, "publish", _("Statement published.")),
    "return": (Role.LEADER, "return_to_draft", _("Statement returned to draft.")),
}


@require_POST
def statement_transition(request, pk, statement_pk, action):
    if action not in TRANSITIONS:
        raise Http404
    role, method, done = TRANSITIONS[action]
    access = mission_for(request, pk, role=role)
    statement = get_object_or_404(access.mission.statements, pk=statement_pk)
    kwargs = {"by": request.user}
    if action == "return":
        form = ReturnToDraftForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Say why the statement goes back to draft."))
            return redirect("observation:statement_detail", pk=pk, statement_pk=statement.pk)
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        getattr(statement, method)(**kwargs)
    except ValidationError as error:  # an illegal move, or a locked mission
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect("observation:statement_detail", pk=pk, statement_pk=statement.pk)
