"""A device syncs the station list: all of it once, then only what changed."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone

from observation.models import PollingStation
from tests import factories

LAST_WEEK = timezone.now() - datetime.timedelta(days=7)


def test_updated_since_gives_only_what_changed(field, observer_api):
    PollingStation.objects.filter(mission=field["mission"]).update(updated_at=LAST_WEEK)
    since = timezone.now() - datetime.timedelta(minutes=1)
    changed = field["station"]
    changed.name = "Escuela nueva"
    changed.save()
    added = factories.PollingStationFactory(mission=field["mission"], code="0303")
    url = reverse("api:station_list", args=[field["mission"].pk])

    synced = observer_api.get(url, {"updated_since": since.isoformat()}).json()
    everything = observer_api.get(url).json()

    assert [s["code"] for s in synced["results"]] == ["0101", "0303"]
    assert synced["results"][0]["name"] == "Escuela nueva"
    assert everything["count"] == 3
    # The device keeps the latest it saw, for its next sync.
    latest = max(s["updated_at"] for s in synced["results"])
    assert latest == added.updated_at.isoformat().replace("+00:00", "Z")


def test_updated_since_reads_an_offset_and_a_plain_utc_time(field, staff_api):
    PollingStation.objects.filter(pk=field["other_station"].pk).update(updated_at=LAST_WEEK)
    url = reverse("api:station_list", args=[field["mission"].pk])
    moment = LAST_WEEK + datetime.timedelta(days=1)

    # "+" unencoded in a query string arrives as a space.
    with_offset = staff_api.get(f"{url}?updated_since={moment.strftime('%Y-%m-%dT%H:%M:%S')}+00:00")
    naive = staff_api.get(url, {"updated_since": moment.strftime("%Y-%m-%dT%H:%M:%S")})

    assert [s["code"] for s in with_offset.json()["results"]] == ["0101"]
    assert [s["code"] for s in naive.json()["results"]] == ["0101"]


def test_updated_since_combines_with_the_other_filters(field, staff_api):
    url = reverse("api:station_list", args=[field["mission"].pk])

    response = staff_api.get(url, {"updated_since": LAST_WEEK.isoformat(), "area": "Cusco"})

    assert [s["code"] for s in response.json()["results"]] == ["0202"]


def test_a_bad_updated_since_is_refused(field, staff_api):
    url = reverse("api:station_list", args=[field["mission"].pk])

    for bad in ("yesterday", "2026-13-01T00:00:00Z"):
        response = staff_api.get(url, {"updated_since": bad})

        assert response.status_code == 400
        assert response.json()["code"] == "invalid_time"


def test_a_station_saved_anywhere_moves_its_updated_at(field):
    station = field["station"]
    PollingStation.objects.filter(pk=station.pk).update(updated_at=LAST_WEEK)
    station.refresh_from_db()

    station.registered_voters = 500
    station.save()

    station.refresh_from_db()
    assert station.updated_at > LAST_WEEK + datetime.timedelta(days=6)


def test_a_station_written_without_save_gets_a_time_from_the_database(field):
    # As the import's COPY writes them: the database fills in updated_at.
    from django.db import connection

    table = PollingStation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (mission_id, code, name, area_1, area_2, area_3, area_4, "
            "area_5, in_sample) VALUES (%s, '0909', 'Raw', '', '', '', '', '', false)",
            [field["mission"].pk],
        )

    assert PollingStation.objects.get(code="0909").updated_at is not None


def test_a_station_list_import_is_seen_by_the_next_sync(field, observer_api, staff, client):
    """The import writes in bulk, past save(): it bumps updated_at itself, and only on the
    stations the list changes or adds."""
    PollingStation.objects.filter(mission=field["mission"]).update(updated_at=LAST_WEEK)
    stored = {s.code: s for s in PollingStation.objects.filter(mission=field["mission"])}
    since = timezone.now() - datetime.timedelta(minutes=1)
    kept, renamed = sorted(stored)[:2]
    rows = [
        f"{code},{stored[code].name if code == kept else 'Colegio renombrado'},"
        f"{stored[code].registered_voters or ''}"
        for code in (kept, renamed)
    ]
    upload = io.BytesIO(
        ("Code,Name,Registered voters\n" + "\n".join([*rows, "0909,Nueva,"])).encode()
    )
    upload.name = "stations.csv"
    client.force_login(staff)
    checked = client.post(
        reverse("observation:station_import", args=[field["mission"].pk]), {"file": upload}
    )
    client.post(
        reverse("observation:station_import_confirm", args=[field["mission"].pk]),
        {"token": checked.context["token"], "accept_reported_changes": "on"},
    )

    synced = observer_api.get(
        reverse("api:station_list", args=[field["mission"].pk]),
        {"updated_since": since.isoformat()},
    ).json()

    assert sorted(s["code"] for s in synced["results"]) == sorted([renamed, "0909"])
    assert PollingStation.objects.get(mission=field["mission"], code=kept).updated_at == LAST_WEEK
