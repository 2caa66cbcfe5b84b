"""A failed save says so at the top, with every error a link to its field."""

import re

import pytest
from django.urls import reverse

from observation.models import ObserverReport
from tests.observation.test_reports import report_data, with_irregularity

pytestmark = pytest.mark.django_db


def test_report_error_only_in_an_irregularity_row_is_listed_at_the_top(
    staff_client, mission, setting
):
    data = with_irregularity(report_data(setting))
    data["irregularities-0-severity"] = ""

    response = staff_client.post(reverse("observation:report_create", args=[mission.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r"<title>Error: Log an observer report", page)
    summary = page[page.index('id="not-saved"') : page.index('id="report-form"')]
    assert 'href="#id_irregularities-0-severity"' in summary
    assert "Row 1, Severity" in summary
    assert not ObserverReport.objects.exists()


def test_report_field_error_links_to_its_field(staff_client, mission, setting):
    data = report_data(setting, ballots_cast="-5")

    page = staff_client.post(
        reverse("observation:report_create", args=[mission.pk]), data
    ).content.decode()

    summary = page[page.index('id="not-saved"') : page.index('id="report-form"')]
    assert 'href="#id_ballots_cast"' in summary
    assert "Ballots cast" in summary
    assert not ObserverReport.objects.exists()


def test_irregularity_form_lists_its_errors_at_the_top(staff_client, mission):
    page = staff_client.post(
        reverse("observation:irregularity_create", args=[mission.pk]), {"severity": "serious"}
    ).content.decode()

    assert "<title>Error: Log an irregularity" in page
    assert 'href="#id_description"' in page
    assert not mission.irregularities.exists()


def test_a_form_shown_for_the_first_time_has_no_error_title(staff_client, mission):
    page = staff_client.get(
        reverse("observation:report_create", args=[mission.pk])
    ).content.decode()

    assert "Error:" not in page
    assert 'data-saving="Saving…"' in page
