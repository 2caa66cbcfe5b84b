from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observation import markdown, services
from observation.access import STATEMENT_MOVE_ACTIONS, mission_for
from observation.forms import RecommendationFormSet, ReturnToDraftForm, StatementForm
from observation.history import history_rows
from observation.models import FindingsStatement
from observation.views import DRAFT_SAVED


def statement_list(request, pk):
    access = mission_for(request, pk)
    statements = access.mission.statements.select_related("round", "approved_by", "published_by")
    # The overview's counts link here by status; an unknown status shows them all.
    status = request.GET.get("status")
    shown = dict(FindingsStatement.Status.choices).get(status)
    if shown is not None:
        statements = statements.filter(status=status)
    context = {
        "access": access,
        "mission": access.mission,
        "statements": statements,
        "status_shown": shown,
    }
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
        "moves": access.statement_moves(statement),
        "may_edit": statement.is_editable and access.allows("statement_draft"),
        "cited": statement.cited_irregularities.select_related("category", "station"),
        "recommendations": statement.recommendations.with_follow_up(),
        "return_form": ReturnToDraftForm(),
        "history": history_rows(statement),
    }
    return render(request, "observation/statement_detail.html", context)


def _statement_form_page(request, access, statement):
    mission = access.mission
    data = request.POST if request.method == "POST" else None
    form = StatementForm(data, instance=statement, mission=mission)
    formset = RecommendationFormSet(data, instance=statement, prefix="recommendations")
    preview = None
    if data is not None:
        # Both checked, so that every error shows at once.
        form_is_valid, rows_are_valid = form.is_valid(), formset.is_valid()
        valid = form_is_valid and rows_are_valid
        if "preview" in data:
            if "body" in form.cleaned_data:
                preview = markdown.render(form.cleaned_data["body"])
        elif valid:

            def save_related(saved):
                form.save_m2m()
                formset.instance = saved
                formset.save()

            try:
                saved = services.statement_save(
                    statement=form.save(commit=False),
                    by=request.user,
                    version=form.cleaned_data["version"],
                    save_related=save_related,
                )
            except services.StaleVersion:
                form.refuse_stale()
            except ValidationError as error:
                # Locked or moved on between validation and saving.
                form.add_error(None, error)
            else:
                messages.success(request, _("Draft saved."), extra_tags=DRAFT_SAVED)
                return redirect(saved)
    context = {
        "access": access,
        "mission": mission,
        "form": form,
        "formset": formset,
        "statement": statement,
        "preview": preview,
        "not_saved": data is not None and "preview" not in data,
    }
    return render(request, "observation/statement_form.html", context)


def statement_create(request, pk):
    access = mission_for(request, pk, action="statement_draft")
    return _statement_form_page(request, access, FindingsStatement(mission=access.mission))


def statement_edit(request, pk, statement_pk):
    access = mission_for(request, pk, action="statement_draft")
    statement = get_object_or_404(access.mission.statements, pk=statement_pk)
    try:
        statement.check_changeable()
    except ValidationError as error:  # past draft, or published
        messages.error(request, error.messages[0])
        return redirect(statement)
    return _statement_form_page(request, access, statement)


@require_POST
def statement_transition(request, pk, statement_pk, action):
    if action not in STATEMENT_MOVE_ACTIONS:
        raise Http404
    access = mission_for(request, pk, action=STATEMENT_MOVE_ACTIONS[action])
    statement = get_object_or_404(access.mission.statements, pk=statement_pk)
    reason = ""
    if action == "return":
        form = ReturnToDraftForm(request.POST)
        if not form.is_valid():
            messages.error(request, FindingsStatement.RETURN_NEEDS_REASON)
            return redirect(statement)
        reason = form.cleaned_data["reason"]
    try:
        done = services.statement_move(
            statement=statement, move=action, by=request.user, reason=reason
        )
    except ValidationError as error:  # an illegal move, or a locked mission
        messages.error(request, error.messages[0])
    else:
        messages.success(request, done)
    return redirect(statement)
