"""A list with many problems: grouped by kind with their counts, and every one of them
downloadable, not only those the page shows."""

import csv
import io
import re

import pytest
from django.urls import reverse

from observation.models import PollingStation

# Uploads wait in media storage between preview and confirmation: each test its own.
pytestmark = pytest.mark.usefixtures("media_root")

HEADER = "code,name,registered voters,latitude,longitude\n"


def _preview(client, mission, text):
    file = io.BytesIO(text.encode())
    file.name = "stations.csv"
    return client.post(reverse("observation:station_import", args=[mission.pk]), {"file": file})


def _problems(client, mission, response):
    """The file of every problem, from the link the preview's page gives."""
    url = reverse("observation:station_import_errors", args=[mission.pk])
    link = re.search(rf'href="({re.escape(url)}\?token=[\w-]+)"', response.content.decode())
    download = client.get(link.group(1))
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _many_problems() -> str:
    negative = "".join(f"{n:04d},Escuela {n},-1,,\n" for n in range(250))
    far = "".join(f"{n:04d},Colegio {n},10,95,10\n" for n in range(250, 253))
    return HEADER + negative + far + "=1+1,=cmd|' /C calc'!A0,abc,,\n"


def test_problems_are_grouped_by_kind_with_their_counts(staff_client, mission):
    response = _preview(staff_client, mission, _many_problems())

    groups = [(g.column, g.count, g.lines) for g in response.context["preview"].error_groups]
    assert groups == [
        ("Registered voters", 250, [2, 3, 4, 5, 6]),
        ("Latitude", 3, [252, 253, 254]),
        ("Registered voters", 1, [255]),
    ]
    page = response.content.decode()
    assert "Problems by kind" in page
    assert "Download all 254 problems as a CSV file" in page
    assert not PollingStation.objects.exists()


def test_every_problem_downloads_with_line_column_value_and_message(staff_client, mission):
    response = _preview(staff_client, mission, _many_problems())

    rows = _problems(staff_client, mission, response)

    assert rows[0] == ["Line", "Column", "Value", "Problem"]
    assert len(rows) == 1 + 254
    # Defused as every export is (a cell starting with "-" could be read as a formula);
    # the import reads it back as -1.
    assert rows[1][:3] == ["2", "Registered voters", "'-1"]
    assert "must not be negative" in rows[1][3]
    assert rows[-1][:3] == ["255", "Registered voters", "abc"]
    assert not PollingStation.objects.exists()


def test_a_formula_in_a_bad_cell_is_defused_in_the_download(staff_client, mission):
    response = _preview(staff_client, mission, HEADER + "0001,Escuela,=1+1,,\n")

    rows = _problems(staff_client, mission, response)

    assert rows[1][2] == "'=1+1"


def test_the_download_needs_the_users_own_waiting_upload(staff_client, mission):
    _preview(staff_client, mission, _many_problems())
    url = reverse("observation:station_import_errors", args=[mission.pk])

    response = staff_client.get(url, {"token": "not-a-token"})

    assert response.status_code == 302
    assert response.url == reverse("observation:station_import", args=[mission.pk])
