"""The outlines of a mission's administrative areas, read from the GeoJSON file a
mission has of them (from the election authority, a statistics office or
geoBoundaries), to draw under the map of stations.

GeoJSON (RFC 7946) is in longitudes and latitudes (WGS 84); a file exported in
another projection shows coordinates far outside them and is refused with a
word on how to export it. What is kept is only what the map draws: each area's
polygons, rounded to five decimals (about a metre), and its name, read from the
property whose values name the most of the mission's areas of that level.
"""

import json
import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from observation.imports import normalise_header
from observation.models import PollingStation

MAX_FILE_SIZE = 20 * 1024 * 1024
MAX_FEATURES = 5000
# Points over every outline: enough for the districts of a country at the detail a
# national map needs, and what a browser still draws quickly.
MAX_POINTS = 1_000_000
DECIMALS = 5
AREA_TYPES = ("Polygon", "MultiPolygon")
# Where no property names an area of the mission, the usual names of one.
NAME_PROPERTIES = ("name", "nombre", "nom", "shapename", "name 1", "adm1 es", "nombdep")


class OutlinesError(Exception):
    """A file that cannot be drawn, with the reason in the reader's words."""


@dataclass
class Outlines:
    geojson: dict
    name_property: str
    features: int
    matched: int
    # The mission's areas of the level without an outline, in order.
    unmatched_areas: list = field(default_factory=list)


def check_size(size: int) -> None:
    if size > MAX_FILE_SIZE:
        raise OutlinesError(
            _("The file is larger than %(size)d MB: simplify the outlines first.")
            % {"size": MAX_FILE_SIZE // (1024 * 1024)}
        )


def read(data: bytes, *, mission, level: int) -> Outlines:
    """The outlines a GeoJSON file holds, checked; OutlinesError says what is wrong."""
    check_size(len(data))
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise OutlinesError(
            _("This is not a GeoJSON file: %(error)s.") % {"error": error}
        ) from error
    features = _features(document)
    counter = _PointCounter()
    shapes = [_shape(feature, number, counter) for number, feature in enumerate(features, 1)]
    areas = _areas(mission, level)
    known = {normalise_header(area) for area in areas}
    name_property = _name_property(features, known)
    kept = []
    for feature, geometry in zip(features, shapes, strict=True):
        name = _text((feature.get("properties") or {}).get(name_property))
        kept.append({"type": "Feature", "properties": {"name": name}, "geometry": geometry})
    found = {normalise_header(feature["properties"]["name"]) for feature in kept}
    return Outlines(
        geojson={"type": "FeatureCollection", "features": kept},
        name_property=name_property,
        features=len(kept),
        matched=sum(1 for name in found if name in known),
        unmatched_areas=[area for area in areas if normalise_header(area) not in found],
    )


def _features(document) -> list:
    if not isinstance(document, dict):
        raise OutlinesError(_("This is not a GeoJSON file: it holds no object."))
    kind = document.get("type")
    if kind == "Feature":
        features = [document]
    elif kind == "FeatureCollection" and isinstance(document.get("features"), list):
        features = document["features"]
    else:
        raise OutlinesError(
            _("This is not a GeoJSON FeatureCollection of areas (its type is “%(type)s”).")
            % {"type": _text(kind)[:40]}
        )
    if not features:
        raise OutlinesError(_("The file holds no outline."))
    if len(features) > MAX_FEATURES:
        raise OutlinesError(
            _("The file holds %(count)d outlines; at most %(limit)d are drawn.")
            % {"count": len(features), "limit": MAX_FEATURES}
        )
    return features


class _PointCounter:
    def __init__(self):
        self.points = 0

    def add(self, count):
        self.points += count
        if self.points > MAX_POINTS:
            raise OutlinesError(
                _("The outlines have more than %(limit)s points: simplify them first.")
                % {"limit": f"{MAX_POINTS:,}"}
            )


def _shape(feature, number, counter) -> dict:
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in AREA_TYPES:
        raise OutlinesError(
            _(
                "Outline %(number)d is not an area (a Polygon or MultiPolygon) but “%(type)s”: "
                "the file should hold the areas' outlines."
            )
            % {"number": number, "type": _text(kind)[:40] or _("nothing")}
        )
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise _malformed(number)
    return {
        "type": kind,
        "coordinates": (
            _polygon(polygons[0], number, counter)
            if kind == "Polygon"
            else [_polygon(polygon, number, counter) for polygon in polygons]
        ),
    }


def _polygon(rings, number, counter) -> list:
    if not isinstance(rings, list) or not rings:
        raise _malformed(number)
    kept = []
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise _malformed(number)
        counter.add(len(ring))
        kept.append([_position(position, number) for position in ring])
    return kept


def _position(position, number) -> list:
    if (
        not isinstance(position, list)
        or len(position) < 2
        or not all(
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
            for value in position[:2]
        )
    ):
        raise _malformed(number)
    longitude, latitude = position[0], position[1]
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise OutlinesError(
            _(
                "Outline %(number)d has the point (%(x)s, %(y)s), which is no longitude and "
                "latitude: the file is in another projection. Export it in WGS 84 "
                "(EPSG:4326), as GeoJSON asks."
            )
            % {"number": number, "x": longitude, "y": latitude}
        )
    return [round(longitude, DECIMALS), round(latitude, DECIMALS)]


def _malformed(number) -> OutlinesError:
    return OutlinesError(
        _("Outline %(number)d has coordinates that are not rings of points.") % {"number": number}
    )


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _areas(mission, level) -> list[str]:
    return list(
        PollingStation.objects.filter(mission=mission)
        .exclude(**{f"area_{level}": ""})
        .order_by(f"area_{level}")
        .values_list(f"area_{level}", flat=True)
        .distinct()
    )


def _name_property(features, known: set) -> str:
    """The property whose values name the most areas; else the one usually naming them."""
    counts = {}
    for feature in features:
        for key, value in (feature.get("properties") or {}).items():
            if isinstance(value, str | int):
                counts.setdefault(key, 0)
                if normalise_header(_text(value)) in known:
                    counts[key] += 1
    if not counts:
        raise OutlinesError(_("The outlines carry no property that could name their areas."))
    best = max(counts.values())
    if best:
        return next(key for key, count in counts.items() if count == best)
    for usual in NAME_PROPERTIES:
        for key in counts:
            if normalise_header(key) == usual:
                return key
    return next(iter(counts))


def summary(outlines: Outlines, level_label: str) -> str:
    """What the file brought, to tell the person who loaded it."""
    return ngettext(
        "%(count)d outline of %(level)s loaded, named by “%(property)s”; %(matched)d name "
        "an area of the mission's stations.",
        "%(count)d outlines of %(level)s loaded, named by “%(property)s”; %(matched)d name "
        "an area of the mission's stations.",
        outlines.features,
    ) % {
        "count": outlines.features,
        "level": level_label,
        "property": outlines.name_property,
        "matched": outlines.matched,
    }
