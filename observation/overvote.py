"""Overvote detection: a report with more ballots cast than registered voters.

Called explicitly wherever a report is saved (forms, the admin, imports, demo
data), never from a signal, so that the caller can tell the user what happened.
"""

import enum

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from observation.models import Irregularity, IrregularityCategory, ObserverReport


class Outcome(enum.Enum):
    NONE = "none"
    RAISED = "raised"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    SUPERSEDED = "superseded"


def describe(report: ObserverReport) -> str:
    registered = report.station.registered_voters
    return _(
        "%(cast)s ballots cast at station %(code)s, which has %(registered)s registered "
        "voters: %(excess)s more than could have voted."
    ) % {
        "cast": report.ballots_cast,
        "code": report.station.code,
        "registered": registered,
        "excess": report.ballots_cast - registered,
    }


def sync_overvote(*, report: ObserverReport, by=None) -> Outcome:
    """Keep the report's system-raised overvote irregularity in step with its figures.

    An overvote raises one irregularity (reported, serious, observed directly).
    A corrected report updates it; a report that is no longer an overvote
    removes it while unreviewed, and marks it superseded once reviewed, so a
    reviewer's decision is never lost.
    """
    with transaction.atomic():
        standing = (
            Irregularity.objects.select_for_update()
            .filter(report=report, raised_by_system=True, superseded_at__isnull=True)
            .first()
        )
        if not report.is_overvote:
            if standing is None:
                return Outcome.NONE
            if standing.status == Irregularity.Status.REPORTED:
                standing.delete()
                return Outcome.REMOVED
            standing.superseded_at = timezone.now()
            standing.save(update_fields=["superseded_at"])
            return Outcome.SUPERSEDED

        fields = {
            "mission_id": report.mission_id,
            "round_id": report.round_id,
            "station_id": report.station_id,
            "description": describe(report),
        }
        if standing is None:
            try:
                with transaction.atomic():
                    Irregularity.objects.create(
                        report=report,
                        raised_by_system=True,
                        category=IrregularityCategory.objects.get(
                            code=IrregularityCategory.OVERVOTE
                        ),
                        severity=Irregularity.Severity.SERIOUS,
                        evidence=Irregularity.Evidence.OBSERVED,
                        reported_by=by,
                        **fields,
                    )
                return Outcome.RAISED
            except IntegrityError:
                # Another save of the same report raised it first; bring that one in step.
                standing = Irregularity.objects.select_for_update().get(
                    report=report, raised_by_system=True, superseded_at__isnull=True
                )
        if all(getattr(standing, name) == value for name, value in fields.items()):
            return Outcome.UNCHANGED
        for name, value in fields.items():
            setattr(standing, name, value)
        standing.save(update_fields=["mission", "round", "station", "description"])
        return Outcome.UPDATED
