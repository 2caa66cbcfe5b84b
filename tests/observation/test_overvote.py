import pytest

from observation.models import Irregularity, IrregularityCategory
from observation.overvote import Outcome, sync_overvote
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(mission):
    station = factories.PollingStationFactory(
        mission=mission, code="LIM-0042", registered_voters=300
    )
    return factories.ObserverReportFactory(mission=mission, station=station, ballots_cast=120)


def _overvotes(report):
    return Irregularity.objects.filter(report=report, raised_by_system=True)


def _correct(report, ballots_cast, by=None):
    report.ballots_cast = ballots_cast
    report.save()
    return sync_overvote(report=report, by=by)


def test_more_ballots_than_voters_raises_one_overvote(report, staff):
    assert _correct(report, 340, by=staff) == Outcome.RAISED
    overvote = _overvotes(report).get()
    assert overvote.category.code == IrregularityCategory.OVERVOTE
    assert overvote.status == Irregularity.Status.REPORTED
    assert overvote.severity == Irregularity.Severity.SERIOUS
    assert overvote.evidence == Irregularity.Evidence.OBSERVED
    assert (overvote.mission, overvote.round, overvote.station) == (
        report.mission,
        report.round,
        report.station,
    )
    assert overvote.reported_by == staff
    assert "340 ballots cast" in overvote.description
    assert "300 registered voters" in overvote.description
    assert "40 more" in overvote.description


def test_saving_again_never_makes_a_second(report):
    _correct(report, 340)
    assert sync_overvote(report=report) == Outcome.UNCHANGED
    assert _correct(report, 340) == Outcome.UNCHANGED
    assert _overvotes(report).count() == 1


def test_correction_updates_the_overvote(report):
    _correct(report, 340)
    first = _overvotes(report).get()
    assert _correct(report, 360) == Outcome.UPDATED
    updated = _overvotes(report).get()
    assert updated.pk == first.pk
    assert "360 ballots cast" in updated.description


def test_moving_the_report_to_another_station_moves_the_overvote(report, mission):
    _correct(report, 340)
    report.station = factories.PollingStationFactory(mission=mission, registered_voters=100)
    report.save()
    assert sync_overvote(report=report) == Outcome.UPDATED
    assert _overvotes(report).get().station == report.station


def test_unreviewed_overvote_is_removed_when_no_longer_an_overvote(report):
    _correct(report, 340)
    assert _correct(report, 290) == Outcome.REMOVED
    assert not _overvotes(report).exists()


@pytest.mark.parametrize("review", ["verify", "dismiss"])
def test_reviewed_overvote_is_kept_and_marked_superseded(report, reviewer, review):
    _correct(report, 340)
    getattr(_overvotes(report).get(), review)(by=reviewer, note="Checked the tally sheet.")
    assert _correct(report, 290) == Outcome.SUPERSEDED
    kept = _overvotes(report).get()
    assert kept.is_superseded
    assert kept.reviewed_by == reviewer
    assert not Irregularity.objects.current().filter(pk=kept.pk).exists()


def test_a_new_overvote_after_a_superseded_one_is_raised_afresh(report, reviewer):
    _correct(report, 340)
    _overvotes(report).get().verify(by=reviewer)
    _correct(report, 290)
    assert _correct(report, 400) == Outcome.RAISED
    assert _overvotes(report).count() == 2
    assert _overvotes(report).filter(superseded_at__isnull=True).count() == 1


def test_reviewed_overvote_is_not_rewritten_by_new_figures(report, reviewer):
    _correct(report, 340)
    verified = _overvotes(report).get()
    verified.verify(by=reviewer, note="Tally sheet says 340.")
    assert _correct(report, 410) == Outcome.REPLACED

    verified.refresh_from_db()
    assert verified.is_superseded
    assert "340 ballots cast" in verified.description
    fresh = _overvotes(report).get(superseded_at__isnull=True)
    assert fresh.status == Irregularity.Status.REPORTED
    assert "410 ballots cast" in fresh.description


def test_ballots_exactly_at_the_register_raise_nothing(report):
    assert _correct(report, 300) == Outcome.NONE
    assert not _overvotes(report).exists()


def test_unknown_ballots_cast_raise_nothing(report):
    assert _correct(report, None) == Outcome.NONE
    assert not _overvotes(report).exists()


def test_unknown_ballots_after_an_overvote_remove_it(report):
    _correct(report, 340)
    assert _correct(report, None) == Outcome.REMOVED


def test_corrected_register_is_picked_up(report):
    _correct(report, 250)
    report.station.registered_voters = 200
    report.station.save()
    report.refresh_from_db()
    assert sync_overvote(report=report) == Outcome.RAISED


def test_overvote_category_is_marked_system_raised():
    assert IrregularityCategory.objects.get(code=IrregularityCategory.OVERVOTE).system_raised
    assert IrregularityCategory.objects.filter(system_raised=True).count() == 1
