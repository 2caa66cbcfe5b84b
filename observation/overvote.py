"""Overvote detection: a report with more ballots cast than registered voters.

Called explicitly wherever a report is saved (forms, the admin, imports, demo
data), never from a signal, so that the caller can tell the user what happened.
"""

import enum

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from observation import raised
from observation.models import Irregularity, IrregularityCategory, ObserverReport, PollingStation


class Outcome(enum.Enum):
    NONE = "none"
    RAISED = "raised"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    SUPERSEDED = "superseded"
    REPLACED = "replaced"


# What to tell the person who saved the report.
MESSAGES = {
    Outcome.RAISED: gettext_lazy(
        "Ballots cast exceed the station's registered voters: an overvote irregularity "
        "was raised for review."
    ),
    Outcome.UPDATED: gettext_lazy(
        "The overvote irregularity was updated to the corrected figures."
    ),
    Outcome.REMOVED: gettext_lazy(
        "The report is no longer an overvote: its overvote irregularity was removed."
    ),
    Outcome.SUPERSEDED: gettext_lazy(
        "The report is no longer an overvote: its reviewed overvote irregularity is kept, "
        "marked as superseded."
    ),
    Outcome.REPLACED: gettext_lazy(
        "The corrected figures differ from the reviewed overvote irregularity: it is kept, "
        "marked as superseded, and a new one was raised for review."
    ),
}


def sync_overvote(*, report: ObserverReport, by=None, new=False) -> Outcome:
    """Keep the report's system-raised overvote irregularity in step with its figures.

    An overvote raises one irregularity (reported, serious, observed directly).
    A corrected report updates it while unreviewed. Once a reviewer has decided
    on it, the decision is never rewritten: the old irregularity is kept, marked
    superseded, and a new one is raised for review if the report is still an
    overvote.

    `new`: the report was stored just now, so no irregularity of it stands yet.
    """
    if new and not report.is_overvote:
        return Outcome.NONE
    with transaction.atomic():
        standing = (
            Irregularity.objects.select_for_update()
            .filter(report=report, raised_by_system=True, question=None, superseded_at__isnull=True)
            .first()
        )
        if not report.is_overvote:
            if standing is None:
                return Outcome.NONE
            if standing.status == Irregularity.Status.REPORTED:
                standing.delete()
                return Outcome.REMOVED
            _supersede(standing)
            return Outcome.SUPERSEDED

        fields = {
            "mission_id": report.mission_id,
            "round_id": report.round_id,
            "station_id": report.station_id,
            **raised.recorded(raised.overvote_facts(report)),
        }
        if standing is not None:
            if all(getattr(standing, name) == value for name, value in fields.items()):
                return Outcome.UNCHANGED
            if standing.status == Irregularity.Status.REPORTED:
                for name, value in fields.items():
                    setattr(standing, name, value)
                standing.save(update_fields=["mission", "round", "station", "facts", "description"])
                return Outcome.UPDATED
            _supersede(standing)
        try:
            with transaction.atomic():
                Irregularity.objects.create(
                    report=report,
                    raised_by_system=True,
                    category=IrregularityCategory.objects.get(code=IrregularityCategory.OVERVOTE),
                    severity=Irregularity.Severity.SERIOUS,
                    evidence=Irregularity.Evidence.OBSERVED,
                    reported_by=by,
                    **fields,
                )
        except IntegrityError:
            # Another save of the same report raised it first: bring that one in step.
            return sync_overvote(report=report, by=by)
        return Outcome.REPLACED if standing is not None else Outcome.RAISED


def _supersede(irregularity: Irregularity):
    irregularity.superseded_at = timezone.now()
    irregularity.save(update_fields=["superseded_at"])


def sync_station(*, station: PollingStation, by=None) -> list[Outcome]:
    """Re-check every report of a station whose registered voters changed."""
    return [
        sync_overvote(report=report, by=by) for report in station.reports.select_related("station")
    ]
