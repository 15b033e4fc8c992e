"""A server-rendered SVG map of the United States: no tiles, no JavaScript, no network.

The states are the U.S. Census Bureau's cartographic boundaries (2017, public domain) from the `us-atlas`
package's `states-10m.json` (TopoJSON, longitude/latitude), installed by `make run` into assets/node_modules
(`npm ci --prefix assets`). They are decoded here and projected server-side: the lower 48 with an Albers
equal-area conic (standard parallels 29.5°N and 45.5°N, the usual one for US maps); Alaska, Hawaii and Puerto
Rico in insets with their own Albers parameters. States are shaded by their number of endorsing cities, each
with a title ("Texas: 2 endorsing cities"); a dot per city is sized by population. Without the package the map
falls back to a coarse hand-made outline. The template (public/_map.svg) draws what `build_map` returns and
escapes every label.
"""

from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from advocacy.cities.states import STATE_FIPS

logger = logging.getLogger(__name__)

# Not drawn (no inset for them): they are listed in the text of the page.
TERRITORIES = {"GU", "VI", "AS", "MP", "UM"}
# us-atlas's states-10m.json, installed by `make run` (npm ci --prefix assets); US_ATLAS_PATH overrides it.
ATLAS_PATH = Path(__file__).resolve().parents[2] / "assets" / "node_modules" / "us-atlas" / "states-10m.json"
WIDTH = 960
HEIGHT = 600

# (lat, lon) of a simplified outline of the lower 48, clockwise from the Olympic Peninsula.
LOWER48_OUTLINE = [
    (48.4, -124.7),
    (46.3, -124.0),
    (43.0, -124.5),
    (40.4, -124.4),
    (38.0, -123.0),
    (36.3, -121.9),
    (34.5, -120.6),
    (34.0, -118.5),
    (32.5, -117.1),
    (32.7, -114.7),
    (31.3, -111.0),
    (31.3, -108.2),
    (31.8, -106.5),
    (29.6, -104.4),
    (29.2, -103.2),
    (29.8, -101.4),
    (28.0, -99.5),
    (25.9, -97.2),
    (28.0, -97.0),
    (29.5, -94.7),
    (29.7, -93.0),
    (29.1, -90.2),
    (30.3, -88.5),
    (30.4, -86.5),
    (29.7, -85.0),
    (30.0, -84.0),
    (29.0, -82.8),
    (27.0, -82.3),
    (25.2, -81.1),
    (25.3, -80.3),
    (27.0, -80.0),
    (30.5, -81.4),
    (32.0, -80.8),
    (33.8, -78.5),
    (35.2, -75.5),
    (37.0, -76.0),
    (38.9, -74.9),
    (40.5, -74.0),
    (41.0, -72.0),
    (41.5, -70.0),
    (42.0, -70.5),
    (43.5, -70.2),
    (44.8, -67.0),
    (47.1, -67.8),
    (47.3, -69.2),
    (45.0, -71.5),
    (45.0, -74.7),
    (43.6, -76.4),
    (43.3, -79.0),
    (42.5, -79.8),
    (41.7, -83.4),
    (43.0, -82.4),
    (45.8, -83.5),
    (46.5, -84.5),
    (47.5, -87.5),
    (46.8, -90.0),
    (48.0, -89.5),
    (49.0, -95.2),
    (49.0, -123.0),
    (48.4, -124.7),
]
ALASKA_OUTLINE = [
    (60.0, -141.0),
    (69.6, -141.0),
    (70.5, -150.0),
    (71.3, -156.8),
    (70.0, -162.0),
    (68.0, -166.0),
    (66.0, -164.0),
    (64.5, -166.5),
    (62.0, -165.5),
    (60.0, -165.0),
    (58.7, -157.5),
    (55.0, -162.5),
    (57.5, -154.0),
    (59.5, -151.5),
    (61.0, -148.0),
    (60.0, -141.0),
]
HAWAII_OUTLINE = [
    (22.2, -159.8),
    (21.9, -159.3),
    (21.6, -158.2),
    (21.3, -157.7),
    (21.1, -157.0),
    (20.9, -156.0),
    (20.2, -155.9),
    (19.0, -155.7),
    (19.5, -154.8),
    (20.3, -155.8),
    (21.0, -156.7),
]


@dataclass(frozen=True)
class Albers:
    """Albers equal-area conic on the unit sphere, then scaled and shifted into an SVG box."""

    lat1: float
    lat2: float
    lat0: float
    lon0: float
    scale: float = 1.0
    dx: float = 0.0
    dy: float = 0.0

    def raw(self, lat: float, lon: float) -> tuple[float, float]:
        p1, p2, p0 = (math.radians(v) for v in (self.lat1, self.lat2, self.lat0))
        n = (math.sin(p1) + math.sin(p2)) / 2
        c = math.cos(p1) ** 2 + 2 * n * math.sin(p1)
        rho = math.sqrt(max(c - 2 * n * math.sin(math.radians(lat)), 0.0)) / n
        rho0 = math.sqrt(c - 2 * n * math.sin(p0)) / n
        theta = n * math.radians(lon - self.lon0)
        return rho * math.sin(theta), rho0 - rho * math.cos(theta)

    def __call__(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = self.raw(lat, lon)
        return round(self.dx + x * self.scale, 1), round(self.dy - y * self.scale, 1)


def _fit(projection: Albers, outline: list[tuple[float, float]], box: tuple[float, float, float, float]) -> Albers:
    """Scale and shift `projection` so that `outline` fills the box (x, y, width, height)."""
    points = [projection.raw(lat, lon) for lat, lon in outline]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    bx, by, bw, bh = box
    scale = min(bw / (max(xs) - min(xs)), bh / (max(ys) - min(ys)))
    dx = bx + (bw - (max(xs) - min(xs)) * scale) / 2 - min(xs) * scale
    dy = by + (bh - (max(ys) - min(ys)) * scale) / 2 + max(ys) * scale
    return Albers(projection.lat1, projection.lat2, projection.lat0, projection.lon0, scale, dx, dy)


LOWER48 = _fit(Albers(29.5, 45.5, 23.0, -96.0), LOWER48_OUTLINE, (20, 20, 920, 470))
ALASKA_BOX = (10.0, 440.0, 190.0, 150.0)
HAWAII_BOX = (210.0, 500.0, 130.0, 90.0)
PUERTO_RICO_BOX = (350.0, 530.0, 110.0, 60.0)
# Alaska's inset is fitted to the whole state: the Aleutians reach 172°E (drawn as -188°), the panhandle 130°W.
ALASKA_EXTENT = [*ALASKA_OUTLINE, (51.3, -187.5), (52.9, -172.0), (54.6, -130.0), (59.0, -135.5)]
ALASKA = _fit(Albers(55.0, 65.0, 50.0, -154.0), ALASKA_EXTENT, (15, 455, 180, 125))
HAWAII = _fit(Albers(8.0, 18.0, 3.0, -157.0), HAWAII_OUTLINE, (220, 515, 110, 65))
PUERTO_RICO_OUTLINE = [(18.6, -67.95), (17.85, -65.2)]  # Mona to Culebra: enough to fit the inset
PUERTO_RICO = _fit(Albers(8.0, 18.0, 3.0, -66.0), PUERTO_RICO_OUTLINE, (360, 548, 90, 36))


def projection_for(state: str) -> Albers:
    """The projection a state is drawn with: its inset for Alaska, Hawaii and Puerto Rico, else the lower 48."""
    return {"AK": ALASKA, "HI": HAWAII, "PR": PUERTO_RICO}.get(state, LOWER48)


# --- the states from us-atlas (TopoJSON) ------------------------------------------------------------------------


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs as (lon, lat) lists: quantized positions are delta-encoded, then transformed."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    """A closed ring from arc indexes (a negative index ~i is arc i reversed); shared end points once."""
    ring: list[tuple[float, float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


@dataclass(frozen=True)
class StateShape:
    """One state's name and outline as SVG path data, already projected."""

    code: str
    name: str
    path: str


def _path_data(rings: list[list[tuple[float, float]]], projection: Albers, wrap: bool) -> str:
    """SVG path data of projected rings, dropping points within a unit (a pixel at full size) of the last one."""
    parts = []
    for ring in rings:
        kept: list[tuple[float, float]] = []
        for lon, lat in ring:
            x, y = projection(lat, lon - 360 if wrap and lon > 0 else lon)
            if kept and abs(x - kept[-1][0]) < 1.0 and abs(y - kept[-1][1]) < 1.0:
                continue
            kept.append((x, y))
        if len(kept) >= 3:
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in kept) + "Z")
    return "".join(parts)


@lru_cache(maxsize=2)
def _load_states(path: str) -> tuple[StateShape, ...]:
    with open(path, encoding="utf-8") as stream:
        topology = json.load(stream)
    arcs = _decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["states"]["geometries"]:
        code = STATE_FIPS.get(geometry.get("id", ""))  # the TopoJSON's ids are the Census state FIPS codes
        if code is None or code in TERRITORIES:  # Guam, American Samoa, the Northern Mariana and Virgin Islands
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        path = _path_data(rings, projection_for(code), wrap=code == "AK")  # the Aleutians cross 180°
        shapes.append(StateShape(code, geometry["properties"]["name"], path))
    return tuple(sorted(shapes, key=lambda shape: shape.code))


def atlas_path() -> Path:
    return Path(os.environ.get("US_ATLAS_PATH") or ATLAS_PATH)


def state_shapes() -> tuple[StateShape, ...]:
    """The 50 states, DC and Puerto Rico, projected (decoded once per process); empty without us-atlas."""
    path = atlas_path()
    if not path.exists():
        logger.warning("us-atlas is not installed (%s): the map shows a plain outline; run `make run`", path)
        return ()
    return _load_states(str(path))


# Shading: (at least this many endorsing cities, CSS class). The legend shows the same steps.
SHADES = ((10, "shade-4"), (5, "shade-3"), (2, "shade-2"), (1, "shade-1"), (0, "shade-0"))
SHADE_LABELS = {"shade-0": "none", "shade-1": "1", "shade-2": "2–4", "shade-3": "5–9", "shade-4": "10+"}
# Fills as attributes (not CSS), so that the map looks the same in the widget, which has no stylesheet.
SHADE_FILLS = {
    "shade-0": "#eef1f4",
    "shade-1": "#c9dcef",
    "shade-2": "#94bde3",
    "shade-3": "#5b95c9",
    "shade-4": "#2f6ea8",
}


def shade_of(count: int) -> str:
    return next(name for minimum, name in SHADES if count >= minimum)


def dot_radius(population: int | None) -> float:
    """A dot's radius by population: area grows with people (2.5 for a town, 11 for New York City)."""
    if not population:
        return 3.0
    return round(min(11.0, max(2.5, 11.0 * math.sqrt(population / 8_400_000))), 1)


@dataclass(frozen=True)
class MapPoint:
    """One endorsing city to draw."""

    label: str
    latitude: float | None
    longitude: float | None
    state: str
    status: str = "verified"
    sample: bool = False
    population: int | None = None


@dataclass(frozen=True)
class PlacedPoint:
    x: float
    y: float
    label: str
    status: str
    sample: bool
    count: int = 1
    r: float = 6.0


# Above this many cities, nearby dots merge into one larger dot per grid cell (the page stays light).
MAX_DOTS = 400
CELL = 14.0  # grid cell size in SVG units when merging


def _cluster(points: list[PlacedPoint]) -> list[PlacedPoint]:
    """Merge points falling in the same CELL-sized square into one dot sized by how many it stands for."""
    cells: dict[tuple[int, int], list[PlacedPoint]] = {}
    for point in points:
        cells.setdefault((int(point.x // CELL), int(point.y // CELL)), []).append(point)
    merged = []
    for group in cells.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        x = round(sum(p.x for p in group) / len(group), 1)
        y = round(sum(p.y for p in group) / len(group), 1)
        names = ", ".join(p.label for p in group[:3])
        label = f"{len(group)} cities: {names}" + (f" and {len(group) - 3} more" if len(group) > 3 else "")
        verified = sum(1 for p in group if p.status == "verified")
        status = "verified" if verified * 2 >= len(group) else group[0].status
        radius = round(min(14.0, 6.0 + 2.0 * math.log2(len(group))), 1)
        merged.append(PlacedPoint(x, y, label, status, all(p.sample for p in group), len(group), radius))
    return merged


def _path(projection: Albers, outline: list[tuple[float, float]]) -> str:
    coords = [projection(lat, lon) for lat, lon in outline]
    return "M" + " L".join(f"{x},{y}" for x, y in coords) + " Z"


def _graticule(projection: Albers, lats: range, lons: range) -> list[str]:
    lines = []
    for lat in lats:
        coords = [projection(lat, lon) for lon in range(lons.start, lons.stop + 1)]
        lines.append("M" + " L".join(f"{x},{y}" for x, y in coords))
    for lon in lons:
        coords = [projection(lat, lon) for lat in range(lats.start, lats.stop + 1)]
        lines.append("M" + " L".join(f"{x},{y}" for x, y in coords))
    return lines


def project(point: MapPoint) -> tuple[float, float] | None:
    """SVG coordinates of a city, in the main map or an inset; None without coordinates or off the map."""
    if point.latitude is None or point.longitude is None:
        return None
    if point.state in ("AK", "HI", "PR"):
        return projection_for(point.state)(point.latitude, point.longitude)
    if point.state in TERRITORIES or not (24 <= point.latitude <= 50 and -125.5 <= point.longitude <= -66.5):
        return None  # territories and bad data: listed in the text, not drawn
    return LOWER48(point.latitude, point.longitude)


def build_map(points: list[MapPoint]) -> dict:
    """What the SVG template needs: the shaded states (or the plain outline), inset frames and placed points."""
    placed = []
    counts: dict[str, int] = {}
    for point in points:
        counts[point.state] = counts.get(point.state, 0) + 1
        xy = project(point)
        if xy is not None:
            placed.append(
                PlacedPoint(xy[0], xy[1], point.label, point.status, point.sample, r=dot_radius(point.population))
            )
    placed.sort(key=lambda p: -p.r)  # big dots first, so that small ones stay visible on top
    drawn = len(placed)
    if len(placed) > MAX_DOTS:
        placed = _cluster(placed)
    return {
        "drawn": drawn,
        "width": WIDTH,
        "height": HEIGHT,
        "states": [
            {
                "code": shape.code,
                "name": shape.name,
                "path": shape.path,
                "count": counts.get(shape.code, 0),
                "shade": shade_of(counts.get(shape.code, 0)),
                "fill": SHADE_FILLS[shade_of(counts.get(shape.code, 0))],
            }
            for shape in state_shapes()
        ],
        "legend": [
            {"shade": name, "label": SHADE_LABELS[name], "fill": SHADE_FILLS[name]}
            for _minimum, name in reversed(SHADES)
        ],
        "outlines": [_path(LOWER48, LOWER48_OUTLINE), _path(ALASKA, ALASKA_OUTLINE), _path(HAWAII, HAWAII_OUTLINE)],
        "graticule": _graticule(LOWER48, range(25, 50, 5), range(-125, -65, 10)),
        "insets": [
            {"label": "Alaska", "box": ALASKA_BOX},
            {"label": "Hawaii", "box": HAWAII_BOX},
            {"label": "Puerto Rico", "box": PUERTO_RICO_BOX},
        ],
        "points": placed,
    }
