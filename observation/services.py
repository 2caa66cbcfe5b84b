"""Writes that several entry points share: the web forms, the admin, imports,
the demo loader and the benchmark.

Each is one transaction that leaves the mission consistent (overvote detection
included, so no caller has to remember it) and returns what to tell the person
who made the change. Who may call them is answered by `access.POLICY`; what a
record refuses (a lock, a review, a publication) by its model, so these raise
the models' ValidationErrors for the caller to show.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from observation import overvote
from observation.imports import Importer, Preview, read_table
from observation.models import (
    FindingsStatement,
    Irregularity,
    Mission,
    ObserverReport,
    PollingStation,
)


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
        return warnings


def report_save(
    *, report: ObserverReport, by, version=None, irregularities=(), removed=()
) -> ReportSaved:
    """Save a report with the irregularities logged from it, wholly or not at all.

    `report` holds the new values; `version` is the one an edit was loaded at
    (ignored for a new report). `irregularities` are new or changed irregularity
    rows, placed where the report is; `removed` are rows to delete. Then the
    report's other irregularities follow it and overvote detection runs.

    Raises StaleVersion if someone saved the report since `version`, the models'
    ValidationError if the mission was locked or a row reviewed meanwhile, and
    IntegrityError for a submission id stored already (the caller finds that report).
    """
    created = report.pk is None
    with transaction.atomic():
        if created:
            report.entered_by = report.entered_by or by
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
        kept_in_place = report.carry_irregularities()
        outcome = overvote.sync_overvote(report=report, by=by)
    return ReportSaved(
        report=report, created=created, overvote=outcome, kept_in_place=kept_in_place
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
        for report in created:
            if report.is_overvote:
                overvote.sync_overvote(report=report, by=by)
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
    return [str(overvote.MESSAGES[outcome]) for outcome in outcomes if outcome in overvote.MESSAGES]


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
    membership.save()


def membership_delete(*, membership, by):
    """Take a user off a mission; nobody takes themselves off."""
    membership.check_changeable_by(by)
    membership.delete()


def mission_lock(*, mission: Mission, by) -> str:
    mission.lock(by=by)
    return _("Mission locked: its records are read-only until a leader unlocks it.")


def mission_unlock(*, mission: Mission, by) -> str:
    mission.unlock(by=by)
    return _("Mission unlocked: its records can be changed again.")


@dataclass(frozen=True)
class ImportConfirmed:
    """A confirmed import: the counts written, or the preview of why nothing was."""

    counts: dict = field(default_factory=dict)
    preview: Preview | None = None

    @property
    def written(self) -> bool:
        return self.preview is None


def import_confirm(*, importer: Importer, content: bytes, filename: str, by) -> ImportConfirmed:
    """Check an upload again and write it, all rows or none.

    Checked again because the mission or its records may have changed since
    the preview. Raises ImportFileError for a file that no longer reads and
    MissionLockedError for a mission locked meanwhile.
    """
    preview = importer.preview(read_table(content, filename))
    if not preview.is_valid:
        return ImportConfirmed(preview=preview)
    return ImportConfirmed(counts=importer.save(preview, by=by))
