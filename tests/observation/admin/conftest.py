"""Fixtures and helpers shared by the admin tests."""

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from tests import factories


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _action(client, model, action, objects, **extra):
    url = reverse(f"admin:observation_{model}_changelist")
    data = {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects],
        "index": 0,
        **extra,
    }
    return client.post(url, data, follow=True)


def _report_form_data(report, **changes):
    data = {
        "mission": report.mission_id,
        "round": report.round_id,
        "station": report.station_id,
        "observer": report.observer_id or "",
        "phase": report.phase,
        "arrived_at_0": "2000-04-09",
        "arrived_at_1": "09:00",
        "departed_at_0": "2000-04-09",
        "departed_at_1": "10:00",
        "ballots_cast": report.ballots_cast,
        "assessment": report.assessment,
        "notes": "",
        "entered_by": "",
        "version": report.version,
        "irregularities-TOTAL_FORMS": 0,
        "irregularities-INITIAL_FORMS": 0,
        "irregularities-MIN_NUM_FORMS": 0,
        "irregularities-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


def _inline_row(irregularity, index=0, **changes):
    """A report form's row for a stored irregularity, as the web form and the admin post it."""
    row = {
        "id": irregularity.pk,
        "report": irregularity.report_id,
        "category": irregularity.category_id,
        "severity": irregularity.severity,
        "evidence": irregularity.evidence,
        "description": irregularity.description,
        **changes,
    }
    return {f"irregularities-{index}-{name}": value for name, value in row.items()}


def _permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="observation", codename__in=codenames)


def _admin_user(user, *codenames):
    """`user` allowed into the admin with these model permissions (their missions still rule)."""
    user.is_staff = True
    user.save()
    user.user_permissions.add(*_permissions(*codenames))
    return user


def _statement_form_data(statement, **changes):
    data = {
        "kind": statement.kind,
        "title": statement.title,
        "issued_on": "2000-04-10",
        "body": statement.body,
        "cited_irregularities": [],
        "version": statement.version,
        "recommendations-TOTAL_FORMS": 0,
        "recommendations-INITIAL_FORMS": 0,
        "recommendations-MIN_NUM_FORMS": 0,
        "recommendations-MAX_NUM_FORMS": 1000,
    }
    return {**data, **changes}


def _verified(mission, leader, **fields):
    irregularity = factories.IrregularityFactory(mission=mission, **fields)
    irregularity.verify(by=leader)
    return irregularity
