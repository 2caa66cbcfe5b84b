"""Prometheus metrics: for a scraper with the token only, and counting reports stored."""

import pytest
from django.urls import reverse
from prometheus_client import REGISTRY

from observation import services
from tests import factories


def _received() -> float:
    return REGISTRY.get_sample_value("observa_reports_received_total") or 0.0


@pytest.mark.parametrize("header", [None, "Bearer wrong", "Basic c2NyYXBlcjpzZWNyZXQ="])
def test_metrics_answer_no_one_without_the_token(client, settings, header):
    settings.METRICS_TOKEN = "scraper-secret"
    headers = {"authorization": header} if header else {}

    response = client.get(reverse("metrics"), headers=headers)

    assert response.status_code == 404


def test_metrics_are_off_without_a_token(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get(reverse("metrics"), headers={"authorization": "Bearer "})

    assert response.status_code == 404


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stored_report_is_counted_once(client, settings, mission, staff):
    settings.METRICS_TOKEN = "scraper-secret"
    before = _received()
    report = factories.ObserverReportFactory.build(
        mission=mission,
        round=factories.ElectionRoundFactory(mission=mission),
        station=factories.PollingStationFactory(mission=mission),
        observer=factories.DelegationMemberFactory(mission=mission),
    )

    services.report_save(report=report, by=staff)
    services.report_save(report=report, by=staff, version=report.version)

    assert _received() == before + 1
    scraped = client.get(reverse("metrics"), headers={"authorization": "Bearer scraper-secret"})
    assert scraped.status_code == 200
    assert "observa_reports_received_total" in scraped.content.decode()
    assert "observa_tasks_waiting 0.0" in scraped.content.decode()
