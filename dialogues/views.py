"""Dialogue pages. Reading needs sign-in only (the login middleware sees to it);
changing anything needs the app's model permissions, which the "Dialogue editors"
group holds.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dialogues.forms import (
    BilateralTrackForm,
    ForumForm,
    OutcomeForm,
    ParticipantForm,
    SessionForm,
)
from dialogues.models import (
    BilateralTrack,
    DialogueForum,
    DialogueSession,
    Outcome,
    Participant,
)
from observation.printing import pdf_response


def _editor_required(permission):
    return permission_required(f"dialogues.{permission}", raise_exception=True)


def forum_list(request):
    forums = DialogueForum.objects.prefetch_related("countries", "conveners").annotate(
        session_count=Count("sessions")
    )
    return render(request, "dialogues/forum_list.html", {"forums": forums})


def _forum_context(forum, *, with_participants=False):
    sessions = forum.sessions.annotate(participant_count=Count("participants"))
    if with_participants:
        sessions = sessions.prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.select_related("person", "organization"),
            )
        )
    return {
        "forum": forum,
        "conveners": list(forum.conveners.all()),
        "countries": list(forum.countries.all()),
        "objectives": list(forum.objectives.all()),
        "sessions": list(sessions),
        "outcomes": list(forum.outcomes.select_related("session")),
        "tracks": list(forum.bilateral_tracks.all()),
    }


def forum_detail(request, pk):
    forum = get_object_or_404(DialogueForum, pk=pk)
    return render(request, "dialogues/forum_detail.html", _forum_context(forum))


def forum_summary(request, pk):
    forum = get_object_or_404(DialogueForum, pk=pk)
    context = _forum_context(forum, with_participants=True)
    return render(request, "dialogues/forum_summary.html", context)


def forum_summary_pdf(request, pk):
    forum = get_object_or_404(DialogueForum, pk=pk)
    return pdf_response(
        request=request,
        template_name="dialogues/forum_summary.html",
        context=_forum_context(forum, with_participants=True),
        filename=f"{slugify(forum.name) or 'forum'}-summary.pdf",
    )


def session_detail(request, pk):
    session = get_object_or_404(DialogueSession.objects.select_related("forum"), pk=pk)
    context = {
        "forum": session.forum,
        "session": session,
        "participants": session.participants.select_related("person__affiliation", "organization"),
        "outcomes": session.outcomes.all(),
    }
    return render(request, "dialogues/session_detail.html", context)


def _form_page(request, form, *, title, back, done=None, delete_url=None):
    """Save a valid posted form and go to `done(saved)`, or to the saved object's own
    page; otherwise show the form. `back` (a model, URL name or URL) is where
    "Cancel" leads.
    """
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Saved “%(name)s”.") % {"name": saved})
        return redirect(done(saved) if done else saved)
    context = {
        "form": form,
        "title": title,
        "back_url": resolve_url(back),
        "delete_url": delete_url,
    }
    return render(request, "dialogues/form.html", context)


def _deleted(request, obj, *, then):
    obj.delete()
    messages.success(request, _("Removed “%(name)s”.") % {"name": obj})
    return redirect(then)


@_editor_required("add_dialogueforum")
def forum_create(request):
    form = ForumForm(request.POST or None)
    return _form_page(request, form, title=_("New dialogue forum"), back="dialogues:forum_list")


@_editor_required("change_dialogueforum")
def forum_edit(request, pk):
    forum = get_object_or_404(DialogueForum, pk=pk)
    form = ForumForm(request.POST or None, instance=forum)
    return _form_page(request, form, title=_("Edit %(forum)s") % {"forum": forum}, back=forum)


@_editor_required("add_dialoguesession")
def session_create(request, pk):
    forum = get_object_or_404(DialogueForum, pk=pk)
    form = SessionForm(
        request.POST or None,
        instance=DialogueSession(forum=forum),
        initial={"sequence": forum.next_session_number()},
    )
    return _form_page(
        request, form, title=_("New session of %(forum)s") % {"forum": forum}, back=forum
    )


@_editor_required("change_dialoguesession")
def session_edit(request, pk):
    session = get_object_or_404(DialogueSession.objects.select_related("forum"), pk=pk)
    form = SessionForm(request.POST or None, instance=session)
    return _form_page(
        request, form, title=_("Edit %(session)s") % {"session": session}, back=session
    )


@_editor_required("add_participant")
def participant_create(request, pk):
    session = get_object_or_404(DialogueSession.objects.select_related("forum"), pk=pk)
    form = ParticipantForm(request.POST or None, instance=Participant(session=session))
    return _form_page(
        request,
        form,
        title=_("New participant in %(session)s") % {"session": session},
        back=session,
        done=lambda participant: participant.session,
    )


@_editor_required("change_participant")
def participant_edit(request, pk):
    participant = get_object_or_404(
        Participant.objects.select_related("session__forum", "person"), pk=pk
    )
    form = ParticipantForm(request.POST or None, instance=participant)
    return _form_page(
        request,
        form,
        title=_("Edit %(participant)s") % {"participant": participant},
        back=participant.session,
        done=lambda p: p.session,
        delete_url=reverse("dialogues:participant_delete", args=[participant.pk]),
    )


@require_POST
@_editor_required("delete_participant")
def participant_delete(request, pk):
    participant = get_object_or_404(Participant.objects.select_related("session", "person"), pk=pk)
    return _deleted(request, participant, then=participant.session)


@_editor_required("add_outcome")
def outcome_create(request, pk):
    forum = get_object_or_404(DialogueForum, pk=pk)
    form = OutcomeForm(request.POST or None, instance=Outcome(forum=forum))
    return _form_page(
        request,
        form,
        title=_("New outcome of %(forum)s") % {"forum": forum},
        back=forum,
        done=lambda outcome: outcome.forum,
    )


@_editor_required("change_outcome")
def outcome_edit(request, pk):
    outcome = get_object_or_404(Outcome.objects.select_related("forum"), pk=pk)
    form = OutcomeForm(request.POST or None, instance=outcome)
    return _form_page(
        request,
        form,
        title=_("Edit %(outcome)s") % {"outcome": outcome},
        back=outcome.forum,
        done=lambda o: o.forum,
        delete_url=reverse("dialogues:outcome_delete", args=[outcome.pk]),
    )


@require_POST
@_editor_required("delete_outcome")
def outcome_delete(request, pk):
    outcome = get_object_or_404(Outcome.objects.select_related("forum"), pk=pk)
    return _deleted(request, outcome, then=outcome.forum)


@_editor_required("add_bilateraltrack")
def track_create(request, pk):
    forum = get_object_or_404(DialogueForum, pk=pk)
    form = BilateralTrackForm(request.POST or None, instance=BilateralTrack(forum=forum))
    return _form_page(
        request,
        form,
        title=_("New bilateral track in %(forum)s") % {"forum": forum},
        back=forum,
        done=lambda track: track.forum,
    )


@_editor_required("change_bilateraltrack")
def track_edit(request, pk):
    track = get_object_or_404(BilateralTrack.objects.select_related("forum"), pk=pk)
    form = BilateralTrackForm(request.POST or None, instance=track)
    return _form_page(
        request,
        form,
        title=_("Edit the track %(track)s") % {"track": track},
        back=track.forum,
        done=lambda t: t.forum,
        delete_url=reverse("dialogues:track_delete", args=[track.pk]),
    )


@require_POST
@_editor_required("delete_bilateraltrack")
def track_delete(request, pk):
    track = get_object_or_404(BilateralTrack.objects.select_related("forum"), pk=pk)
    return _deleted(request, track, then=track.forum)
