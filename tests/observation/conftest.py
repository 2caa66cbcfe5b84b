import pytest

from observation import forms
from tests import factories


@pytest.fixture
def setting(mission):
    """A round, a station with 300 registered voters and an observer on `mission`, which
    asks the standard checklist."""
    factories.standard_checklist(mission)
    return {
        "round": factories.ElectionRoundFactory(mission=mission),
        "station": factories.PollingStationFactory(mission=mission, code="LIM-001"),
        "observer": factories.DelegationMemberFactory(mission=mission),
    }


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


@pytest.fixture
def nothing_rendered_yet():
    """No form layout kept rendered from another test, and none left to the next."""
    forms._RENDERED.clear()
    yield
    forms._RENDERED.clear()
