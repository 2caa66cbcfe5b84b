"""Election-day times are typed and shown in the mission's own time zone."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.middleware import ResetTimeZoneMiddleware
from observation.models import ObserverReport
from tests import factories
from tests.observation.test_reports import report_data

LIMA = ZoneInfo("America/Lima")


@pytest.fixture
def lima_mission(mission):
    mission.time_zone = "America/Lima"
    mission.save()
    return mission


def test_times_typed_on_a_mission_page_are_the_missions_local_times(client, staff, lima_mission):
    setting = {
        "round": factories.ElectionRoundFactory(mission=lima_mission),
        "station": factories.PollingStationFactory(mission=lima_mission, code="LIM-001"),
        "observer": factories.DelegationMemberFactory(mission=lima_mission),
    }
    client.force_login(staff)
    data = report_data(setting, arrived_at="2000-04-09T07:00", departed_at="2000-04-09T08:30")
    client.post(reverse("observation:report_create", args=[lima_mission.pk]), data)

    report = ObserverReport.objects.get()
    assert report.arrived_at == datetime.datetime(2000, 4, 9, 7, 0, tzinfo=LIMA)
    assert report.arrived_at == datetime.datetime(2000, 4, 9, 12, 0, tzinfo=datetime.UTC)
    edit = client.get(reverse("observation:report_edit", args=[lima_mission.pk, report.pk]))
    assert 'value="2000-04-09T07:00"' in edit.content.decode()


def test_exports_give_the_missions_local_times(client, staff, lima_mission):
    factories.ObserverReportFactory(
        mission=lima_mission,
        arrived_at=datetime.datetime(2000, 4, 9, 12, 0, tzinfo=datetime.UTC),
        departed_at=datetime.datetime(2000, 4, 9, 13, 0, tzinfo=datetime.UTC),
    )
    client.force_login(staff)
    response = client.get(reverse("observation:report_export", args=[lima_mission.pk, "csv"]))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "2000-04-09T07:00:00-05:00" in body


def test_every_request_starts_in_the_servers_time_zone():
    timezone.activate(LIMA)
    seen = []
    middleware = ResetTimeZoneMiddleware(
        lambda request: seen.append(timezone.get_current_timezone_name())
    )
    middleware(RequestFactory().get("/"))
    assert seen == ["UTC"]


def test_an_unknown_time_zone_is_refused(mission):
    mission.time_zone = "Andes/Cordillera"
    with pytest.raises(ValidationError) as error:
        mission.full_clean()
    assert "is not a time zone name" in str(error.value.message_dict["time_zone"])
