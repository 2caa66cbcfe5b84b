"""The irregularity categories seeded by the data migration."""

import pytest

from observation.models import IrregularityCategory

pytestmark = pytest.mark.django_db

# Every abuse named in the reference text on The Carter Center in Peru (the 2000
# and 2001 elections), quoted, with the category that records it.
ABUSES_IN_THE_REFERENCE = {
    "pre-marked ballots in favor of Fujimori": "pre_marked_ballots",
    "ballots that did not list opponent Alejandro Toledo": "candidate_missing",
    "attempted intimidation by police and the military": "intimidation",
    "inexplicable delays in the vote-computing process": "tabulation_delay",
    "more ballots cast than the number of voters assigned to the polling site": "overvote",
    "widespread poll opening delays": "late_opening",
    "polls did not open at all": "station_not_opened",
}

COMMON_ABUSES = {
    "box_not_sealed",
    "secrecy_compromised",
    "voters_turned_away",
    "unauthorised_persons",
    "observers_obstructed",
    "vote_buying",
    "campaigning_at_station",
    "missing_materials",
    "other",
}


@pytest.mark.parametrize(("abuse", "code"), ABUSES_IN_THE_REFERENCE.items())
def test_every_abuse_in_the_reference_has_a_category(abuse, code):
    assert IrregularityCategory.objects.filter(code=code).exists(), abuse


def test_the_common_abuses_have_categories():
    codes = set(IrregularityCategory.objects.values_list("code", flat=True))
    assert codes >= COMMON_ABUSES


def test_the_seed_is_exactly_the_standard_list():
    codes = set(IrregularityCategory.objects.values_list("code", flat=True))
    assert codes == set(ABUSES_IN_THE_REFERENCE.values()) | COMMON_ABUSES


def test_the_reference_abuses_come_first_and_other_last():
    codes = list(IrregularityCategory.objects.values_list("code", flat=True))
    assert codes[: len(ABUSES_IN_THE_REFERENCE)] == list(ABUSES_IN_THE_REFERENCE.values())
    assert codes[-1] == "other"


def test_only_overvote_is_raised_by_the_system():
    system = IrregularityCategory.objects.filter(system_raised=True)
    assert list(system.values_list("code", flat=True)) == [IrregularityCategory.OVERVOTE]
