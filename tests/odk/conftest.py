import base64
import datetime
import uuid
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api.models import ApiToken
from observation.models import MissionMembership, QuestionType
from tests import factories

Role = MissionMembership.Role
XFORMS = "http://www.w3.org/2002/xforms"


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Generated forms are cached by checklist id, and a rolled-back test's ids come back.
    cache.clear()
    yield
    cache.clear()


def basic(username, password) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Collect(Client):
    """A test client that signs every request as ODK Collect does."""

    def __init__(self, username, password, **kwargs):
        super().__init__(
            HTTP_AUTHORIZATION=basic(username, password),
            HTTP_X_OPENROSA_VERSION="1.0",
            **kwargs,
        )


def token_for(user) -> str:
    return ApiToken.issue(
        user=user, name="Phone", expires_at=timezone.now() + datetime.timedelta(days=30)
    )[1]


@pytest.fixture
def field(mission):
    checklist = factories.ChecklistFactory(mission=mission, phase="opening", title="Opening")
    section = checklist.sections.create(code="setup", labels={"en": "Set-up"}, position=0)
    factories.QuestionFactory(
        checklist=checklist,
        code="materials",
        section=section,
        raises=factories.category("pre_marked_ballots"),
    )
    factories.QuestionFactory(
        checklist=checklist,
        code="booths",
        section=section,
        type=QuestionType.INTEGER,
        choices=[],
        concern=[],
        minimum=0,
        maximum=20,
        labels={"en": "How many booths?"},
    )
    factories.QuestionFactory(
        checklist=checklist,
        code="opened_at",
        type=QuestionType.TIME,
        choices=[],
        concern=[],
        labels={"en": "When did it open?"},
    )
    team = factories.DelegationMemberFactory(mission=mission)
    observer = factories.MissionMembershipFactory(
        mission=mission, role=Role.OBSERVER, team=team
    ).user
    return {
        "mission": mission,
        "checklist": checklist,
        "round": factories.ElectionRoundFactory(mission=mission),
        "station": factories.PollingStationFactory(mission=mission, code="0101"),
        "other_station": factories.PollingStationFactory(mission=mission, code="0202"),
        "team": team,
        "observer": observer,
        "token": token_for(observer),
    }


@pytest.fixture
def collect(field):
    return Collect(field["observer"].get_username(), field["token"])


def base(mission) -> str:
    return f"/odk/{mission.pk}/"


def fill(xform: bytes, answers: dict, instance_id: str | None = None) -> bytes:
    """What Collect sends: the form's primary instance, its leaves answered by name."""
    root = ElementTree.fromstring(xform)
    model = root.find(f".//{{{XFORMS}}}model")
    data = model.find(f"{{{XFORMS}}}instance")[0]
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    for element in data.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name == "instanceID":
            element.text = instance_id
        elif name in answers:
            element.text = answers[name]
    ElementTree.register_namespace("", XFORMS)
    return ElementTree.tostring(data, encoding="utf-8")


def answers(field, **overrides) -> dict:
    values = {
        "obs__round": str(field["round"].pk),
        "obs__station": field["station"].code,
        "materials": "no",
        "booths": "4",
        "opened_at": "07:05:00.000+02:00",
        "obs__assessment": "good",
        # Collect computes the form's calculate: the phase of a phase's own form.
        "obs__phase": field["checklist"].phase,
    }
    values.update(overrides)
    return values
