import datetime
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import ApiToken
from observation.models import MissionMembership
from tests import factories

Role = MissionMembership.Role


@pytest.fixture(autouse=True)
def _fresh_rates():
    # Rates are counted in the cache by token id, and a rolled-back test's ids come
    # back: each test starts with none of its predecessors' requests counted.
    cache.clear()
    yield
    cache.clear()


def token_for(user, **kwargs) -> str:
    expires_at = kwargs.pop("expires_at", timezone.now() + datetime.timedelta(days=30))
    return ApiToken.issue(user=user, name="Field laptop", expires_at=expires_at, **kwargs)[1]


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}")
    return client


@pytest.fixture
def field(mission):
    """A mission ready for field intake: its first round, two stations, two teams."""
    return {
        "mission": mission,
        "round": factories.ElectionRoundFactory(mission=mission),
        "station": factories.PollingStationFactory(mission=mission, code="0101", area_1="Lima"),
        "other_station": factories.PollingStationFactory(
            mission=mission, code="0202", area_1="Cusco"
        ),
        "team": factories.DelegationMemberFactory(mission=mission),
        "other_team": factories.DelegationMemberFactory(mission=mission),
    }


@pytest.fixture
def observer(field):
    return factories.MissionMembershipFactory(
        mission=field["mission"], role=Role.OBSERVER, team=field["team"]
    ).user


@pytest.fixture
def observer_api(observer):
    return client_for(observer)


@pytest.fixture
def staff_api(staff):
    return client_for(staff)


def post_at_once(user, url, body, *, times=20) -> list[int]:
    """The statuses of `times` requests posting `body` to `url` at the same moment, each on
    its own connection and token of `user`, as retries from a flaky network arrive."""
    clients = [client_for(user) for _ in range(times)]
    statuses = []
    start = threading.Barrier(times)

    def post(client):
        start.wait()
        try:
            statuses.append(client.post(url, body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses
