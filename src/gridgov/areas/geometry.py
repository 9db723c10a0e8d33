"""GeoJSON polygons in WGS84 lon/lat: parsing, checks and approximate areas."""

import json
import math
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from gridgov.common.errors import DomainError

# Within mainland China and its seas with a margin; a swapped lon/lat pair fails here.
CHINA_LON = (70.0, 140.0)
CHINA_LAT = (0.0, 56.0)
EARTH_RADIUS_M = 6_371_008.8


def check_point(lon: float, lat: float, *, in_china: bool = True) -> tuple[float, float]:
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise DomainError(
            _("Longitude and latitude must be numbers."), code="bad_location", field="lon"
        ) from None
    if not (math.isfinite(lon) and math.isfinite(lat)) or not (
        -180 <= lon <= 180 and -90 <= lat <= 90
    ):
        raise DomainError(
            _("Longitude must be within ±180 and latitude within ±90."),
            code="bad_location",
            field="lon",
        )
    if in_china and not (
        CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]
    ):
        raise DomainError(
            _("(%(lon)s, %(lat)s) is not in China: is the order lon, lat and the system WGS84?")
            % {"lon": lon, "lat": lat},
            code="bad_location",
            field="lon",
        )
    return lon, lat


def parse_polygon(raw: Any) -> BaseGeometry:
    """A valid Polygon or MultiPolygon from GeoJSON (dict or text) or WKT, or a clear error."""
    if isinstance(raw, str):
        text = raw.strip()
        try:
            raw = json.loads(text) if text.startswith("{") else shapely.from_wkt(text)
        except (ValueError, shapely.errors.GEOSException):
            raise DomainError(
                _("The geometry is neither GeoJSON nor WKT."), code="bad_geometry", field="geometry"
            ) from None
    if isinstance(raw, dict):
        if raw.get("type") == "Feature":
            raw = raw.get("geometry") or {}
        try:
            geometry = shape(raw)
        except (
            KeyError,
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            shapely.errors.GEOSException,
        ):
            raise DomainError(
                _("The geometry is not valid GeoJSON."), code="bad_geometry", field="geometry"
            ) from None
    elif isinstance(raw, BaseGeometry):
        geometry = raw
    else:
        raise DomainError(_("The geometry is missing."), code="bad_geometry", field="geometry")
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise DomainError(
            _("An area needs a Polygon or MultiPolygon, not a %(type)s.")
            % {"type": geometry.geom_type},
            code="bad_geometry",
            field="geometry",
        )
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise DomainError(
            _("The polygon is not valid: %(reason)s.") % {"reason": reason},
            code="bad_geometry",
            field="geometry",
        )
    if geometry.is_empty or geometry.area == 0:
        raise DomainError(_("The polygon is empty."), code="bad_geometry", field="geometry")
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    try:
        check_point(min_lon, min_lat)
        check_point(max_lon, max_lat)
    except DomainError as error:
        raise DomainError(error.message, code="bad_geometry", field="geometry") from None
    return geometry


def to_geojson(geometry: BaseGeometry) -> dict:
    return json.loads(json.dumps(mapping(geometry)))


def area_m2(geometry: BaseGeometry) -> float:
    """Approximate area in m² (equirectangular at the geometry's latitude; fine for grids)."""
    if geometry.is_empty:
        return 0.0
    lat = geometry.centroid.y
    scale = (math.pi / 180 * EARTH_RADIUS_M) ** 2 * math.cos(math.radians(lat))
    return geometry.area * scale


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))
