"""Writes that several entry points share: the web forms, the admin, imports,
the demo loader and the benchmark.

Each is one transaction that leaves the mission consistent (overvote detection
included, so no caller has to remember it) and returns what to tell the person
who made the change. Who may call them is answered by `access.POLICY`; what a
record refuses (a lock, a review, a publication) by its model, so these raise
the models' ValidationErrors for the caller to show.
"""

from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.metrics import REPORTS_RECEIVED
from observation import alerts, history, overvote, photos
from observation import answers as checklist_answers
from observation.imports import Importer, Preview, read_table
from observation.models import (
    Alert,
    Answer,
    AreaOutlines,
    Checklist,
    ChecklistSection,
    Deployment,
    ElectionRound,
    FindingsStatement,
    Irregularity,
    IrregularityCategory,
    IrregularityPhoto,
    LibraryQuestion,
    Mission,
    MissionLockedError,
    MissionMembership,
    ObserverReport,
    PhaseDeadline,
    PollingStation,
    Question,
    QuestionType,
    RecommendationAssessment,
)
from observation.models.checklists import TYPE_OF_ANSWERED


class StaleVersion(Exception):
    """The record changed since the version the change was based on."""


def _claim_version(record, version, rows=None):
    """Bump the stored version if it is still `version` (among `rows`, if given).

    Check and bump are one UPDATE, so of two editors racing only one wins; it
    runs inside the transaction that then saves the record.
    """
    rows = type(record)._default_manager.all() if rows is None else rows
    claimed = rows.filter(pk=record.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise StaleVersion
    record.version = version + 1


@dataclass(frozen=True)
class ReportSaved:
    report: ObserverReport
    created: bool
    overvote: overvote.Outcome
    # Reviewed irregularities that stayed where they were judged when the report moved.
    kept_in_place: int = 0
    # What the checklist answers raised for review, to say so.
    raised: tuple = ()
    # The answers this save added (for a new report: all of them), their questions loaded.
    answers: tuple = ()

    @property
    def message(self) -> str:
        return _("Report saved.") if self.created else _("Report updated.")

    @property
    def warnings(self) -> list[str]:
        """What else the save did, for the person who saved the report."""
        warnings = []
        if self.kept_in_place:
            warnings.append(
                ngettext(
                    "%(count)d reviewed irregularity of this report stays at the round and "
                    "station where it was judged.",
                    "%(count)d reviewed irregularities of this report stay at the round and "
                    "station where they were judged.",
                    self.kept_in_place,
                )
                % {"count": self.kept_in_place}
            )
        if self.overvote in overvote.MESSAGES:
            warnings.append(str(overvote.MESSAGES[self.overvote]))
        warnings.extend(self.raised)
        return warnings


def report_save(
    *, report: ObserverReport, by, version=None, irregularities=(), removed=(), answers=None
) -> ReportSaved:
    """Save a report with its checklist answers and the irregularities logged from it,
    wholly or not at all.

    `report` holds the new values; `version` is the one an edit was loaded at
    (ignored for a new report). `answers` ({Question: text}, checked by
    `answers.check()`) replace the report's answers; None leaves them as they are.
    `irregularities` are new or changed irregularity rows, placed where the report
    is; `removed` are rows to delete. Then the report's other irregularities follow
    it, and overvote and checklist detection run.

    Raises StaleVersion if someone saved the report since `version`, the models'
    ValidationError if the mission was locked or a row reviewed meanwhile, and
    IntegrityError for a submission id stored already (the caller finds that report).
    """
    created = report.pk is None
    with transaction.atomic():
        if created:
            report.entered_by = report.entered_by or by
            # Its "created" history record is copied from the stored row below, in one
            # statement: intake stores reports one at a time, many a second.
            report.save_without_historical_record()
            history.record_created(ObserverReport, [report.pk], by=by)
        else:
            _claim_version(report, version)
            report.save()
        for irregularity in irregularities:
            irregularity.report = report
            report.place(irregularity)
            irregularity.reported_by = irregularity.reported_by or by
            irregularity.save()
        for irregularity in removed:
            irregularity.delete()
        # A report stored just now has nothing to carry, correct or look up again: what
        # it holds is what this call gave it (intake's hot path, a report at a time).
        kept_in_place = 0 if created else report.carry_irregularities()
        outcome = overvote.sync_overvote(report=report, by=by, new=created)
        added = []
        if answers is not None:
            added = checklist_answers.save(report, answers, by=by, new=created)
        raised = checklist_answers.sync_raised(
            report, by=by, new_answers=added if created else None
        )
        serious = (
            not created
            or outcome is overvote.Outcome.RAISED
            or bool(raised)
            or any(i.severity == Irregularity.Severity.SERIOUS for i in irregularities)
        )
        urgent = not created or any(a.concern and a.question.urgent for a in added)
        alerts.raise_for(
            irregularities=Irregularity.objects.filter(report=report) if serious else None,
            reports=ObserverReport.objects.filter(pk=report.pk) if urgent else None,
        )
        if created:
            # Counted once stored: a rolled-back report was never received.
            transaction.on_commit(REPORTS_RECEIVED.inc)
    return ReportSaved(
        report=report,
        created=created,
        overvote=outcome,
        kept_in_place=kept_in_place,
        raised=tuple(raised),
        answers=tuple(added),
    )


def report_bulk_create(*, reports: list[ObserverReport], by, batch_size=1000):
    """Store many new reports at once, then run overvote detection on the overvotes.

    For intake in bulk, where saving reports one by one would take minutes.
    The reports are not validated one by one here: the caller built them from
    checked data, with their missions and stations loaded, which the lock check
    and overvote detection read. A locked mission refuses them all.
    Returns the stored reports.
    """
    with transaction.atomic():
        for mission_id in {report.mission_id for report in reports}:
            Mission.objects.hold_unlocked(mission_id)
        for report in reports:
            report.entered_by = report.entered_by or by
        created = ObserverReport.objects.bulk_create(reports, batch_size=batch_size)
        overvotes = [report for report in created if report.is_overvote]
        for report in overvotes:
            overvote.sync_overvote(report=report, by=by)
        if overvotes:
            alerts.raise_for(irregularities=Irregularity.objects.filter(report__in=overvotes))
    return created


def station_save(*, station: PollingStation, by) -> list[str]:
    """Save a station; if its registered voters changed, re-check its reports for overvotes.

    Returns what overvote detection did, to tell the person who saved it.
    """
    with transaction.atomic():
        stored = PollingStation.objects.filter(pk=station.pk).values_list(
            "registered_voters", flat=True
        )
        register_changed = station.pk is None or stored.first() != station.registered_voters
        station.save()
        outcomes = overvote.sync_station(station=station, by=by) if register_changed else []
        if overvote.Outcome.RAISED in outcomes or overvote.Outcome.REPLACED in outcomes:
            alerts.raise_for(irregularities=Irregularity.objects.filter(report__station=station))
    return [str(overvote.MESSAGES[outcome]) for outcome in outcomes if outcome in overvote.MESSAGES]


def alert_acknowledge(*, alert: Alert, by) -> bool:
    """Acknowledge an alert in `by`'s name, unless someone did first: of two at the same
    moment, the database lets one through (the second finds it acknowledged once the first
    commits). Returns whether this call acknowledged it; `alert` is read back either way."""
    # Checked, not held: the conditional update alone decides who acknowledged first, and
    # holding the mission's row would make intake wait on it.
    if Mission.objects.filter(pk=alert.mission_id, locked_at__isnull=False).exists():
        raise MissionLockedError(alert.mission)
    done = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_by=by, acknowledged_at=timezone.now()
    )
    alert.refresh_from_db()
    return bool(done)


def alert_email_set(*, mission: Mission, kinds: list[str], by) -> None:
    """Choose the kinds of alert the mission also e-mails to its core team."""
    with transaction.atomic():
        mission = Mission.objects.hold_unlocked(mission.pk)
        mission.alert_email_kinds = [kind for kind in Alert.Kind.values if kind in kinds]
        mission._change_reason = "alert e-mails"
        mission.save(update_fields=["alert_email_kinds"])


def outlines_save(*, mission: Mission, level: int, outlines) -> AreaOutlines:
    """Keep the outlines read from a file (observation.outlines) as the mission's outlines
    of `level`, in place of any it had."""
    with transaction.atomic():
        Mission.objects.hold_unlocked(mission.pk)
        stored, _created = AreaOutlines.objects.update_or_create(
            mission=mission,
            level=level,
            defaults={
                "geojson": outlines.geojson,
                "name_property": outlines.name_property,
                "features": outlines.features,
                "matched": outlines.matched,
            },
        )
    return stored


def outlines_remove(*, outlines: AreaOutlines) -> None:
    outlines.delete()


def deployment_add(*, deployments: list[Deployment]) -> list[Deployment]:
    """Deploy teams, all or none. A station deployed already for a phase of the round
    is refused by the database as well as by the form (deployment_once_per_phase)."""
    with transaction.atomic():
        for deployment in deployments:
            deployment.full_clean()
            deployment.save()
    return deployments


def deployment_remove(*, deployment: Deployment) -> None:
    deployment.delete()


def deadlines_set(*, election_round: ElectionRound, deadlines: dict) -> None:
    """Set when each phase's reports are due; a phase given None has no deadline."""
    with transaction.atomic():
        for phase, due_at in deadlines.items():
            if due_at is None:
                PhaseDeadline.objects.filter(round=election_round, phase=phase).delete()
                continue
            deadline = PhaseDeadline.objects.filter(round=election_round, phase=phase).first()
            deadline = deadline or PhaseDeadline(round=election_round, phase=phase)
            deadline.due_at = due_at
            deadline.save()


# decision → (the model's move, what to tell the reviewer)
REVIEW_DECISIONS = {
    "verify": (Irregularity.verify, gettext_lazy("Irregularity verified: %(irregularity)s")),
    "dismiss": (Irregularity.dismiss, gettext_lazy("Irregularity dismissed: %(irregularity)s")),
}


def irregularity_review(*, irregularity: Irregularity, decision: str, by, note="") -> str:
    """Verify or dismiss an irregularity (a dismissal needs a note); returns what was done."""
    if decision not in REVIEW_DECISIONS:
        raise ValueError(f"Unknown review decision: {decision!r}")
    move, done = REVIEW_DECISIONS[decision]
    move(irregularity, by=by, note=note)
    return done % {"irregularity": irregularity}


# What the history keeps of a change's reason (django-simple-history's field).
CHANGE_REASON_LENGTH = 100


def _change_reason(reason: str, *, missing: str) -> str:
    """A reason a change needs, kept in the history; `missing` says why it is asked for."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(missing, code="reason_needed")
    if len(reason) > CHANGE_REASON_LENGTH:
        raise ValidationError(
            _("Say why in at most %(limit)d characters.") % {"limit": CHANGE_REASON_LENGTH},
            code="reason_too_long",
        )
    return reason


def irregularity_reopen(irregularity: Irregularity, by, reason: str) -> str:
    """Reopen a review decision (verified or dismissed → reported), with its reason.

    Only the reviewer who decided may reopen, and only while no statement cites the
    irregularity, it is not superseded and the mission is not locked. The reason
    becomes the review note and the change's reason in the history.
    """
    reason = _change_reason(
        reason, missing=_("Say why you reopen this decision: the reason is kept in its history.")
    )
    with transaction.atomic():
        current = (
            Irregularity.objects.select_for_update()
            .select_related("mission")
            .get(pk=irregularity.pk)
        )
        if current.mission.is_locked:
            raise ValidationError(
                _("The mission is locked: its records are read-only."), code="locked"
            )
        if current.status == Irregularity.Status.REPORTED:
            raise ValidationError(
                _("This irregularity has not been reviewed: there is no decision to reopen."),
                code="not_reviewed",
            )
        if current.is_superseded:
            raise ValidationError(
                _("This irregularity was superseded by a corrected report."), code="superseded"
            )
        if current.reviewed_by_id != by.pk:
            raise ValidationError(
                _("Only the reviewer who made this decision can reopen it."),
                code="not_own_decision",
            )
        if current.cited_in.exists():
            raise ValidationError(
                _("A statement cites this irregularity: its decision can no longer be reopened."),
                code="cited",
            )
        current.status = Irregularity.Status.REPORTED
        current.reviewed_by = None
        current.reviewed_at = None
        current.review_note = reason
        current._change_reason = reason
        current.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    irregularity.refresh_from_db()
    return _("Decision reopened: the irregularity waits for review again.")


def irregularity_save(*, irregularity: Irregularity, by) -> Irregularity:
    """Log an irregularity outside a report, at a station or nationwide, or change one:
    the web form's, the admin's and the API's one door. `irregularity` holds the checked
    values (its form's). A serious one raises an alert."""
    with transaction.atomic():
        # Held until the row is written: nobody locks the mission in between.
        Mission.objects.hold_unlocked(irregularity.mission_id)
        if irregularity.pk is None:
            irregularity.reported_by = irregularity.reported_by or by
        irregularity.save()
        alerts.raise_for(irregularities=Irregularity.objects.filter(pk=irregularity.pk))
    return irregularity


# How many photos one irregularity keeps: evidence, not an album.
PHOTOS_PER_IRREGULARITY = 10


def photo_attach(irregularity: Irregularity, upload, by) -> IrregularityPhoto:
    """Store a photo as evidence of `irregularity`, its metadata stripped (observation.photos).

    `upload` is a Django File (an UploadedFile). Raises ValidationError with a message
    for the sender: not a JPEG or PNG by its content, too large, too many pixels, the
    irregularity reviewed or superseded already (what a reviewer decided on does not
    change), too many photos, or the mission locked; nothing is stored then. The same
    file sent again for the same irregularity returns the photo stored the first time,
    with `created` False on it.
    """
    clean = photos.clean_photo(upload)
    with transaction.atomic():
        Mission.objects.hold_unlocked(irregularity.mission_id)
        current = Irregularity.objects.select_for_update().get(pk=irregularity.pk)
        stored = current.photos.filter(digest=clean.digest).first()
        if stored is not None:
            stored.created = False
            return stored
        if not current.awaits_review:
            raise ValidationError(
                _(
                    "This irregularity was reviewed or superseded: what the reviewer decided "
                    "on can no longer be added to."
                ),
                code="irregularity_reviewed",
            )
        if current.photos.count() >= PHOTOS_PER_IRREGULARITY:
            raise ValidationError(
                _("An irregularity keeps at most %(count)d photos.")
                % {"count": PHOTOS_PER_IRREGULARITY},
                code="too_many_photos",
            )
        photo = IrregularityPhoto(
            irregularity=current,
            content_type=clean.content_type,
            width=clean.width,
            height=clean.height,
            digest=clean.digest,
            uploaded_by=by,
        )
        photo.image.save(f"photo.{clean.extension}", ContentFile(clean.content), save=False)
        try:
            photo.save()
        except BaseException:
            # The row is not written: neither is the file kept.
            photo.image.storage.delete(photo.image.name)
            raise
    photo.created = True
    return photo


def statement_save(*, statement: FindingsStatement, by, version=None, save_related=None):
    """Save a draft statement, then what hangs off it, wholly or not at all.

    `version` is the one an edit was loaded at: only a draft still at that
    version is saved. `save_related(statement)` writes its citations and
    recommendations (a form's `save_m2m` and an inline formset) once it is stored.
    """
    with transaction.atomic():
        if statement.pk is None:
            statement.created_by = statement.created_by or by
        else:
            # Only a draft is edited: a statement moved on meanwhile is stale too.
            _claim_version(statement, version, rows=FindingsStatement.objects.editable())
        statement.save()
        if save_related is not None:
            save_related(statement)
    return statement


# move (FindingsStatement.MOVES) → (the model's method, what to tell the user)
STATEMENT_MOVES = {
    "submit": (
        FindingsStatement.submit_for_review,
        gettext_lazy("Statement submitted for review."),
    ),
    "approve": (FindingsStatement.approve, gettext_lazy("Statement approved.")),
    "publish": (FindingsStatement.publish, gettext_lazy("Statement published.")),
    "return": (FindingsStatement.return_to_draft, gettext_lazy("Statement returned to draft.")),
}


def recommendation_assess(*, assessment: RecommendationAssessment, by) -> RecommendationAssessment:
    """Record a mission's follow-up assessment of a recommendation made to its country.

    Checked whole (the model's clean: same country, not before the recommendation, a
    statement of the assessing mission, none published) and written while the assessing
    mission is held unlocked. Raises ValidationError, MissionLockedError or
    PublishedStatementError with a message for the user; nothing is written then.
    """
    with transaction.atomic():
        Mission.objects.hold_unlocked(assessment.mission_id)
        assessment.entered_by = assessment.entered_by or by
        assessment.full_clean()
        assessment.save()
    return assessment


def statement_move(*, statement: FindingsStatement, move: str, by, reason="") -> str:
    """Make a lifecycle move; returns what was done.

    Returning to draft needs a reason. The model refuses a move its status
    does not allow, and any move on a locked mission.
    """
    if move not in STATEMENT_MOVES:
        raise ValueError(f"Unknown statement move: {move!r}")
    method, done = STATEMENT_MOVES[move]
    if move == "return":
        method(statement, by=by, reason=reason)
    else:
        method(statement, by=by)
    return str(done)


def membership_save(*, membership, by):
    """Give a user a role on a mission, or change it; nobody changes their own."""
    membership.check_changeable_by(by)
    # An observer needs their team: refused with the model's message, not by the database.
    membership.clean()
    membership.save()


def membership_invite(*, mission: Mission, email: str, role: str, by, link_for, user=None):
    """Put the user with `email` on the mission with `role`; if there is none, create
    an inactive one and send an invitation whose link (`link_for(user)`, Django's
    password-reset token) sets their password and activates them. Returns what was done.
    """
    if mission.is_locked:
        raise ValidationError(_("The mission is locked: its records are read-only."), code="locked")
    with transaction.atomic():
        invited = user is None
        if invited:
            model = get_user_model()
            user = model(username=_free_username(model, email), email=email, is_active=False)
            user.set_unusable_password()
            user.save()
        membership = MissionMembership(mission=mission, user=user, role=role)
        membership_save(membership=membership, by=by)
        if invited:
            context = {
                "mission": mission,
                "role": membership.get_role_display(),
                "by": by.get_full_name() or by.get_username(),
                "link": link_for(user),
                "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            }
            send_mail(
                render_to_string("observation/email/invitation_subject.txt", context).strip(),
                render_to_string("observation/email/invitation.txt", context),
                None,
                [email],
            )
    if invited:
        return _("Invitation sent to %(email)s, as %(role)s.") % {
            "email": email,
            "role": membership.get_role_display(),
        }
    return _("%(email)s added as %(role)s.") % {
        "email": email,
        "role": membership.get_role_display(),
    }


def observer_invite(*, mission: Mission, team, by, user=None) -> str:
    """Make a delegation member's team an observer of the mission: `user` (an existing
    account) or, without one, a new account named after the member. An observer signs in
    to nothing: they use the API key a leader hands them (`observer_token_issue`).
    Returns what was done."""
    if mission.is_locked:
        raise ValidationError(_("The mission is locked: its records are read-only."), code="locked")
    with transaction.atomic():
        created = user is None
        if created:
            model = get_user_model()
            first, _space, last = team.person.full_name.strip().partition(" ")
            user = model(
                username=_free_username(model, slugify(team.person.full_name) or "observer"),
                first_name=first[:150],
                last_name=last[:150],
            )
            user.set_unusable_password()
            user.save()
        membership = MissionMembership(
            mission=mission, user=user, role=MissionMembership.Role.OBSERVER, team=team
        )
        membership_save(membership=membership, by=by)
    values = {"user": user.get_username(), "team": team.person.full_name}
    if created:
        return (
            _(
                "Account %(user)s created as the observer for %(team)s: create their API key "
                "below and hand it to them."
            )
            % values
        )
    return _("%(user)s added as the observer for %(team)s.") % values


def observer_token_issue(*, membership, by, name: str, expires_at):
    """A personal API token for an observer, created by a leader to hand over; returns
    (token, key), the key shown once.

    Only for someone who is an observer and nothing more, on missions that `by` leads:
    a key opens every mission its user is on, so a leader may make one only where they
    could do all it allows themselves.
    """
    from api.models import ApiToken

    user = membership.user
    if membership.role != MissionMembership.Role.OBSERVER:
        raise ValidationError(
            _("A leader creates API keys for observers only: others create their own."),
            code="not_observer",
        )
    beyond = user.is_staff or user.is_superuser
    if not beyond and not by.is_superuser:
        led = MissionMembership.objects.filter(user=by, role=MissionMembership.Role.LEADER)
        beyond = (
            user.mission_memberships.exclude(role=MissionMembership.Role.OBSERVER).exists()
            or user.mission_memberships.exclude(mission__in=led.values("mission")).exists()
        )
    if beyond or user.pk == by.pk:
        raise ValidationError(
            _(
                "%(user)s has other roles than observer on missions you do not lead: they "
                "create their own API key on their account page."
            )
            % {"user": user.get_full_name() or user.get_username()},
            code="beyond_observer",
        )
    return ApiToken.issue(user=user, name=name, expires_at=expires_at)


def _free_username(model, email: str) -> str:
    base = email.lower()[: model._meta.get_field("username").max_length - 4]
    name, n = base, 1
    while model.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def membership_delete(*, membership, by):
    """Take a user off a mission; nobody takes themselves off."""
    membership.check_changeable_by(by)
    membership.delete()


def _lock_reason(reason: str) -> str:
    return _change_reason(
        reason, missing=_("Say why: the reason is kept in the mission's history.")
    )


def mission_lock(*, mission: Mission, by, reason: str) -> str:
    """Lock the mission, with the reason kept in its history."""
    mission.lock(by=by, reason=_lock_reason(reason))
    return _("Mission locked: its records are read-only until a leader unlocks it.")


def mission_unlock(*, mission: Mission, by, reason: str) -> str:
    mission.unlock(by=by, reason=_lock_reason(reason))
    return _("Mission unlocked: its records can be changed again.")


@dataclass(frozen=True)
class ImportConfirmed:
    """A confirmed import: the counts written, or the preview of why nothing was."""

    counts: dict = field(default_factory=dict)
    preview: Preview | None = None

    @property
    def written(self) -> bool:
        return self.preview is None


def import_confirm(
    *,
    importer: Importer,
    content: bytes,
    filename: str,
    by,
    accept_reported_changes=False,
    counted=None,
    written=None,
) -> ImportConfirmed:
    """Check an upload again and write it, all rows or none.

    Checked again because the mission or its records may have changed since
    the preview. Raises ImportFileError for a file that no longer reads and
    MissionLockedError for a mission locked meanwhile. Changes to stations that
    have reports are written only when accepted explicitly. The columns as the user
    matched them are remembered for the mission's next file.

    The task worker passes `counted`, which wraps the file's records to tell how far the
    check got, and `written(counts)`, called in the write's own transaction: a job marks
    itself done there, or raises to undo the write if another attempt has it now.
    """
    table = read_table(content, filename)
    if counted is not None:
        table = replace(table, records=counted(table.records))
    preview = importer.preview(table)
    if not preview.is_valid or (preview.needs_acceptance and not accept_reported_changes):
        return ImportConfirmed(preview=preview)
    with transaction.atomic():
        counts = importer.save(preview, by=by)
        importer.remember_mapping(by=by)
        if written is not None:
            written(counts)
    return ImportConfirmed(counts=counts)


@dataclass(frozen=True)
class ChecklistChanges:
    """What applying a checklist would do, by question code; `errors` stop it."""

    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)  # [(code, [field labels])]
    unchanged: list = field(default_factory=list)
    retired: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    errors: list = field(default_factory=list)


# What a question of an applied checklist takes from the form, compared field by field.
_QUESTION_FIELDS = (
    "type",
    "labels",
    "hints",
    "required",
    "minimum",
    "maximum",
    "choices",
    "relevant",
    "concern",
    "urgent",
    "raises_severity",
)


def _question_values(draft_question, *, categories, library) -> dict:
    values = {
        name: getattr(draft_question, name)
        for name in _QUESTION_FIELDS
        if name not in ("minimum", "maximum")
    }
    for bound in ("minimum", "maximum"):
        value = getattr(draft_question, bound)
        values[bound] = Decimal(value) if value is not None else None
    values["raises"] = categories.get(draft_question.raises)
    values["library"] = library.get(draft_question.library or draft_question.code)
    return values


def checklist_changes(*, mission: Mission, phase: str, draft) -> ChecklistChanges:
    """Compare a checklist read from an XLSForm with the mission's checklist for `phase`."""
    questions = {
        question.code: question
        for question in Question.objects.filter(mission=mission)
        .select_related("checklist", "raises", "library")
        .annotate(answered=Exists(Answer.objects.filter(question=OuterRef("pk"))))
    }
    categories = {category.code: category for category in IrregularityCategory.objects.all()}
    library = {question.code: question for question in LibraryQuestion.objects.all()}
    changes = ChecklistChanges()
    for draft_question in draft.questions:
        if draft_question.library and draft_question.library not in library:
            changes.errors.append(
                _("Row %(row)s: there is no library question with the code “%(code)s”.")
                % {"row": draft_question.row, "code": draft_question.library}
            )
        stored = questions.pop(draft_question.code, None)
        if stored is None:
            changes.added.append(draft_question.code)
            continue
        if stored.checklist.phase != phase:
            changes.errors.append(
                _("Row %(row)s: “%(code)s” is a question of the checklist for %(phase)s already.")
                % {
                    "row": draft_question.row,
                    "code": draft_question.code,
                    "phase": stored.checklist.phase_name,
                }
            )
            continue
        if stored.type != draft_question.type and stored.answered:
            changes.errors.append(
                TYPE_OF_ANSWERED
                % {
                    "code": stored.code,
                    "old": stored.get_type_display(),
                    "new": QuestionType(draft_question.type).label,
                }
            )
            continue
        values = _question_values(draft_question, categories=categories, library=library)
        differing = [
            str(Question._meta.get_field(name).verbose_name)
            for name, value in values.items()
            if getattr(stored, name) != value
        ]
        if stored.retired:
            differing.append(str(_("asked again")))
        if differing:
            changes.changed.append((stored.code, differing))
        else:
            changes.unchanged.append(stored.code)
    for code, stored in questions.items():
        if stored.checklist.phase != phase or stored.retired:
            continue
        (changes.retired if stored.answered else changes.deleted).append(code)
    return changes


def checklist_apply(*, mission: Mission, phase: str, draft, by) -> ChecklistChanges:
    """Make the mission's checklist for `phase` the one read from an XLSForm, wholly or
    not at all. A question that has answers is never deleted, nor changes type: one
    left out of the form is retired (no longer asked, its answers kept).
    Raises ValidationError if the checklist cannot be applied as it stands."""
    with transaction.atomic():
        Mission.objects.hold_unlocked(mission.pk)
        changes = checklist_changes(mission=mission, phase=phase, draft=draft)
        if changes.errors:
            raise ValidationError(changes.errors)
        checklist, created = Checklist.objects.get_or_create(
            mission=mission,
            phase=phase,
            defaults={"title": draft.title or _("Checklist"), "default_language": "en"},
        )
        checklist.title = draft.title or checklist.title
        checklist.default_language = draft.default_language
        checklist.version = checklist.version if created else checklist.version + 1
        checklist.save()
        checklist.sections.all().delete()
        sections = {
            code: ChecklistSection.objects.create(
                checklist=checklist, code=code, labels=labels, position=position
            )
            for position, (code, labels) in enumerate(draft.sections, start=1)
        }
        categories = {category.code: category for category in IrregularityCategory.objects.all()}
        library = {question.code: question for question in LibraryQuestion.objects.all()}
        kept = set()
        for position, draft_question in enumerate(draft.questions, start=1):
            values = _question_values(draft_question, categories=categories, library=library)
            question = Question.objects.filter(mission=mission, code=draft_question.code).first()
            question = question or Question(mission=mission, code=draft_question.code)
            for name, value in values.items():
                setattr(question, name, value)
            question.checklist = checklist
            question.section = sections.get(draft_question.section)
            question.position = position
            question.retired = False
            question.save()
            kept.add(question.pk)
        for question in checklist.questions.exclude(pk__in=kept):
            if question.code in changes.retired:
                question.retired = True
                question.save(update_fields=["retired"])
            elif question.code in changes.deleted:
                question.delete()
    return changes


def checklist_adopt(*, mission: Mission, phase: str = "", codes, by) -> Checklist:
    """Add library questions to the mission's checklist for `phase` (created if need be),
    in the library's wording; a question the mission has already is left as it is."""
    with transaction.atomic():
        Mission.objects.hold_unlocked(mission.pk)
        checklist, created = Checklist.objects.get_or_create(
            mission=mission, phase=phase, defaults={"title": _("Standard checklist")}
        )
        taken = set(Question.objects.filter(mission=mission).values_list("code", flat=True))
        position = checklist.questions.count()
        added = 0
        for entry in LibraryQuestion.objects.filter(code__in=codes).order_by("pk"):
            if entry.code in taken:
                continue
            position += 1
            added += 1
            Question.objects.create(
                mission=mission,
                checklist=checklist,
                library=entry,
                position=position,
                code=entry.code,
                type=entry.type,
                labels=entry.labels,
                choices=entry.choices,
                concern=entry.concern,
            )
        if added and not created:
            checklist.version += 1
            checklist.save(update_fields=["version", "updated_at"])
    return checklist


def question_retire(*, question: Question, retired: bool, by) -> str:
    """Stop asking a question (its answers are kept), or ask it again."""
    with transaction.atomic():
        question.retired = retired
        question.save(update_fields=["retired"])
        checklist = question.checklist
        checklist.version += 1
        checklist.save(update_fields=["version", "updated_at"])
    if retired:
        return _("“%(code)s” is no longer asked; its answers are kept.") % {"code": question.code}
    return _("“%(code)s” is asked again.") % {"code": question.code}
