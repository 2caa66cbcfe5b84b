"""The outlines of a mission's areas, loaded from GeoJSON and drawn under the map."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from observation import outlines
from observation.models import AreaOutlines
from tests import factories


def _square(west, south, size=1.0):
    return [
        [
            [west, south],
            [west + size, south],
            [west + size, south + size],
            [west, south + size],
            [west, south],
        ]
    ]


def _feature(properties, geometry):
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _departments(**overrides):
    """Three of Peru's departments as squares near where they lie, named the way the
    departmental boundaries Peruvian GIS users share name them (NOMBDEP, in capitals
    without accents); the shapes are invented."""
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature(
                {"IDDPTO": "05", "NOMBDEP": "AYACUCHO"},
                {"type": "Polygon", "coordinates": _square(-74.5, -14.0)},
            ),
            _feature(
                {"IDDPTO": "12", "NOMBDEP": "JUNIN"},
                {"type": "Polygon", "coordinates": _square(-75.5, -12.5)},
            ),
            _feature(
                {"IDDPTO": "15", "NOMBDEP": "LIMA"},
                {
                    "type": "MultiPolygon",
                    "coordinates": [
                        _square(-77.123456789, -12.5),
                        _square(-77.9, -11.0, 0.2),
                    ],
                },
            ),
        ],
    }
    collection.update(overrides)
    return collection


def _file(document, name="departamentos.geojson"):
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, data, content_type="application/geo+json")


@pytest.fixture
def stations(mission):
    for department in ("Ayacucho", "Junín", "Lima", "Loreto"):
        factories.PollingStationFactory(mission=mission, area_1=department)


def _load(client, mission, document, level=1):
    return client.post(
        reverse("observation:outlines", args=[mission.pk]),
        {"level": level, "file": _file(document)},
        follow=True,
    )


def test_a_departments_file_is_loaded_named_by_the_property_that_names_the_areas(
    staff_client, mission, stations
):
    response = _load(staff_client, mission, _departments())

    stored = AreaOutlines.objects.get(mission=mission, level=1)
    assert (stored.features, stored.matched, stored.name_property) == (3, 3, "NOMBDEP")
    page = response.content.decode()
    assert "3 outlines of Department loaded, named by “NOMBDEP”; 3 name an area" in page
    assert "1 area of the level Department has no outline in the file: Loreto." in page
    lima = stored.geojson["features"][2]
    # Only the shape and the name are kept, to five decimals.
    assert lima["properties"] == {"name": "LIMA"}
    assert lima["geometry"]["coordinates"][0][0][0] == [-77.12346, -12.5]


def test_a_second_file_of_the_same_level_replaces_the_first(staff_client, mission, stations):
    _load(staff_client, mission, _departments())
    smaller = _departments()
    smaller["features"] = smaller["features"][:1]

    _load(staff_client, mission, smaller)

    assert AreaOutlines.objects.get(mission=mission).features == 1


def test_the_map_reads_every_levels_outlines_as_geojson(staff_client, mission, stations):
    _load(staff_client, mission, _departments())

    response = staff_client.get(reverse("observation:outlines_json", args=[mission.pk]))

    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert [f["properties"] for f in collection["features"]] == [
        {"name": "AYACUCHO", "level": 1},
        {"name": "JUNIN", "level": 1},
        {"name": "LIMA", "level": 1},
    ]
    round_ = factories.ElectionRoundFactory(mission=mission)
    page = staff_client.get(reverse("observation:round_map", args=[mission.pk, round_.pk]))
    assert f'data-outlines-url="/missions/{mission.pk}/outlines.geojson"' in page.content.decode()
    assert "drawn over the outlines of the mission" in page.content.decode()


def _point(longitude, latitude):
    return _departments(
        features=[_feature({"name": "X"}, {"type": "Point", "coordinates": [longitude, latitude]})]
    )


UTM = _departments(
    features=[
        _feature(
            {"NOMBDEP": "LIMA"},
            {
                "type": "Polygon",
                "coordinates": [
                    [[278000, 8660000], [279000, 8660000], [279000, 8661000], [278000, 8660000]]
                ],
            },
        )
    ]
)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(b"NOMBDEP;LIMA\n", "This is not a GeoJSON file", id="not-json"),
        pytest.param(b"\xff\xfe\x00", "This is not a GeoJSON file", id="not-utf8"),
        pytest.param([1, 2], "it holds no object", id="not-an-object"),
        pytest.param(
            {"type": "Topology", "objects": {}},
            "not a GeoJSON FeatureCollection of areas (its type is “Topology”)",
            id="topojson",
        ),
        pytest.param(_departments(features=[]), "The file holds no outline", id="empty"),
        pytest.param(
            _point(-77.0, -12.0), "Outline 1 is not an area (a Polygon or MultiPolygon)", id="point"
        ),
        pytest.param(
            _departments(features=[_feature({"name": "X"}, None)]),
            "Outline 1 is not an area",
            id="no-geometry",
        ),
        pytest.param(UTM, "the file is in another projection. Export it in WGS 84", id="utm"),
        pytest.param(
            _departments(
                features=[
                    _feature(
                        {"name": "X"},
                        {"type": "Polygon", "coordinates": [[[-77, -12], [-76, "-12"]]]},
                    )
                ]
            ),
            "Outline 1 has coordinates that are not rings of points",
            id="broken-ring",
        ),
        pytest.param(
            _departments(
                features=[
                    _feature(
                        {},
                        {"type": "Polygon", "coordinates": _square(-77, -12)},
                    )
                ]
            ),
            "carry no property that could name their areas",
            id="no-names",
        ),
    ],
)
def test_a_file_that_cannot_be_drawn_is_refused_and_nothing_kept(
    staff_client, mission, stations, document, message
):
    _load(staff_client, mission, _departments())
    data = document if isinstance(document, bytes) else json.dumps(document).encode()

    response = staff_client.post(
        reverse("observation:outlines", args=[mission.pk]), {"level": 1, "file": _file(data)}
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert AreaOutlines.objects.get(mission=mission).features == 3


def test_a_file_too_large_is_refused_before_it_is_read(staff_client, mission, monkeypatch):
    monkeypatch.setattr(outlines, "MAX_FILE_SIZE", 100)

    response = _load(staff_client, mission, _departments())

    assert "The file is larger than" in response.content.decode()
    assert not AreaOutlines.objects.exists()


def test_too_many_points_are_refused(staff_client, mission, monkeypatch):
    monkeypatch.setattr(outlines, "MAX_POINTS", 12)

    response = _load(staff_client, mission, _departments())

    assert "more than 12 points: simplify them first" in response.content.decode()
    assert not AreaOutlines.objects.exists()


def test_a_level_the_mission_does_not_name_is_refused(staff_client, mission, stations):
    response = _load(staff_client, mission, _departments(), level=4)

    assert "Select a valid choice" in response.content.decode()
    assert not AreaOutlines.objects.exists()


def test_outlines_are_removed_by_level(staff_client, mission, stations):
    _load(staff_client, mission, _departments())

    response = staff_client.post(
        reverse("observation:outlines_remove", args=[mission.pk, 1]), follow=True
    )

    assert "Outlines removed." in response.content.decode()
    assert not AreaOutlines.objects.exists()


def test_a_name_from_the_file_is_data_never_markup(staff_client, mission, stations):
    hostile = _departments()
    hostile["features"][0]["properties"]["NOMBDEP"] = "<img src=x onerror=alert(1)>"

    _load(staff_client, mission, hostile)

    stored = AreaOutlines.objects.get(mission=mission)
    assert stored.geojson["features"][0]["properties"]["name"] == "<img src=x onerror=alert(1)>"
    page = staff_client.get(reverse("observation:outlines", args=[mission.pk])).content.decode()
    assert "<img src=x" not in page
