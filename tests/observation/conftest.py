import pytest

from tests import factories


@pytest.fixture
def setting(mission):
    """A round, a station with 300 registered voters and an observer on `mission`."""
    return {
        "round": factories.ElectionRoundFactory(mission=mission),
        "station": factories.PollingStationFactory(mission=mission, code="LIM-001"),
        "observer": factories.DelegationMemberFactory(mission=mission),
    }
