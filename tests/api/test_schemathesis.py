"""Requests generated from the live OpenAPI schema, sent with an observer's and a
staff member's token: no server error, and every documented answer as documented."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from config.wsgi import application
from observation.models import MissionMembership
from tests import factories
from tests.api.conftest import token_for

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


# Schemathesis calls the app as host "localhost"; the test settings allow "testserver".
with override_settings(ALLOWED_HOSTS=["localhost"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture(autouse=True)
def _localhost(settings):
    settings.ALLOWED_HOSTS = ["localhost"]


@pytest.fixture(autouse=True)
def _connection_kept_open():
    """The app is called directly, not through Django's test client, which would keep
    the test's database connection open across a request: closing it at the end of a
    request would end the test's transaction (on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def observer_key(field):
    observer = factories.MissionMembershipFactory(
        mission=field["mission"], role=MissionMembership.Role.OBSERVER, team=field["team"]
    ).user
    factories.ObserverReportFactory(mission=field["mission"], observer=field["team"])
    return token_for(observer)


@pytest.fixture
def staff_key(field, staff):
    factories.ObserverReportFactory(mission=field["mission"], observer=field["team"])
    return token_for(staff)


def _call(case, key, mission):
    # Most generated mission ids would name no mission: aim at the one with data.
    if "pk" in (case.path_parameters or {}):
        case.path_parameters["pk"] = mission.pk
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


EXAMPLES = settings(
    max_examples=15,
    # No example database left in the working tree.
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@schema.parametrize()
@EXAMPLES
def test_api_as_an_observer_answers_as_documented(case, observer_key, field):
    _call(case, observer_key, field["mission"])


@schema.parametrize()
@EXAMPLES
def test_api_as_staff_answers_as_documented(case, staff_key, field):
    _call(case, staff_key, field["mission"])
