"""The OpenAPI schema and its documentation page, under the strict CSP."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from api.throttling import TokenRateThrottle
from tests.api.conftest import client_for


def test_schema_generates_without_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    assert "/api/v1/missions/{id}/reports/" in (tmp_path / "s.yml").read_text()


def test_schema_is_served_to_anyone(db):
    response = APIClient().get(
        reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    assert response.status_code == 200
    assert "apiToken" in response.content.decode()


def test_docs_page_runs_no_inline_script(client, db):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    page = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert "swagger-ui-bundle.js" in page and "js/api-docs.js" in page
    assert "style=" not in page


@pytest.fixture
def two_a_minute(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})


def test_requests_beyond_the_rate_get_429_with_retry_after(two_a_minute, staff):
    client = client_for(staff)
    other = client_for(staff)
    url = reverse("api:me")

    statuses = [client.get(url).status_code for _ in range(3)]
    refused = client.get(url)

    assert statuses == [200, 200, 429]
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    # The rate is per token: another token of the same user goes on.
    assert other.get(url).status_code == 200


@pytest.mark.parametrize(
    ("what", "record"), [("reports", "Report"), ("irregularities", "Irregularity")]
)
def test_a_list_is_documented_as_the_page_it_answers(observer_api, field, what, record):
    schema = (
        APIClient()
        .get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    listed = schema["paths"][f"/api/v1/missions/{{id}}/{what}/"]["get"]
    reference = listed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]

    answered = observer_api.get(
        reverse(
            f"api:{'report' if what == 'reports' else 'irregularity'}_list",
            args=[field["mission"].pk],
        )
    ).json()

    assert set(page["properties"]) == set(answered) == {"count", "next", "previous", "results"}
    assert page["properties"]["results"]["items"]["$ref"].endswith(f"/{record}")
