"""The public map (issue 15): the Census Bureau's state boundaries from us-atlas, projected server-side (Albers,
insets for Alaska, Hawaii and Puerto Rico), shaded by endorsing cities, dots sized by population, accessible;
smaller on the staff campaign page and in the widget; a plain outline when us-atlas is not installed."""

from __future__ import annotations

import re

import pytest

from advocacy.public import usmap
from advocacy.public.usmap import (
    ALASKA_BOX,
    HAWAII_BOX,
    PUERTO_RICO_BOX,
    MapPoint,
    build_map,
    dot_radius,
    state_shapes,
)

SLUG = "city-state-diplomacy"


def _bounds(path: str) -> tuple[float, float, float, float]:
    numbers = [float(v) for v in re.findall(r"-?[0-9]+(?:\.[0-9]+)?", path)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def _inside(bounds, box) -> bool:
    x, y, w, h = box
    return bounds[0] >= x and bounds[1] >= y and bounds[2] <= x + w and bounds[3] <= y + h


def test_states_are_the_census_shapes_projected_with_insets():
    """52 shapes (50 states, DC, Puerto Rico); Alaska, Hawaii and Puerto Rico lie in their inset frames; the lower
    48 sit above the insets, west to east in the right order."""
    shapes = {shape.code: shape for shape in state_shapes()}
    assert len(shapes) == 52 and {"DC", "PR", "AK", "HI"} <= set(shapes)
    assert shapes["CA"].name == "California" and shapes["PR"].name == "Puerto Rico"
    assert _inside(_bounds(shapes["AK"].path), ALASKA_BOX)
    assert _inside(_bounds(shapes["HI"].path), HAWAII_BOX)
    assert _inside(_bounds(shapes["PR"].path), PUERTO_RICO_BOX)
    ca, tx, me, fl = (_bounds(shapes[c].path) for c in ("CA", "TX", "ME", "FL"))
    assert ca[2] < tx[2] < me[0]  # California ends west of Texas's east edge, which is west of Maine
    assert me[1] < fl[1]  # Maine is north (above) of Florida
    assert all(shape.path.startswith("M") and shape.path.endswith("Z") for shape in shapes.values())


def test_shading_follows_the_number_of_endorsing_cities():
    """A state's shade and title give its count; states without endorsements get the lightest shade."""
    points = [MapPoint(f"City {i}, TX", 30.0 + i / 10, -97.0, "TX", population=1000) for i in range(5)]
    points.append(MapPoint("Los Angeles, CA", 34.05, -118.24, "CA", population=3_898_747))
    states = {s["code"]: s for s in build_map(points)["states"]}
    assert (states["TX"]["count"], states["TX"]["shade"]) == (5, "shade-3")
    assert (states["CA"]["count"], states["CA"]["shade"]) == (1, "shade-1")
    assert (states["OH"]["count"], states["OH"]["shade"]) == (0, "shade-0")
    assert states["TX"]["fill"] != states["OH"]["fill"]


def test_dots_are_sized_by_population():
    """Larger places get larger dots, within bounds; a city without a population still shows."""
    assert dot_radius(8_400_000) == 11.0
    assert dot_radius(3_900_000) > dot_radius(90_000) > dot_radius(None) - 1 > 0
    assert dot_radius(500) == 2.5


def test_public_page_map_has_a_title_per_state_and_the_numbers_as_text(client, demo):
    """The demo's endorsers: California (2) and Georgia (1) shaded, Ohio not; every state has a title; the
    description lists the counts; Los Angeles's dot is larger than Santa Monica's."""
    page = client.get(f"/c/{SLUG}").get_data(as_text=True)
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('class="state state-') == 52
    assert re.search(r'class="state state-CA shade-2" data-count="2"[^>]*><title>California: 2 endorsing cities', svg)
    assert re.search(r'class="state state-OH shade-0" data-count="0"[^>]*><title>Ohio: 0 endorsing cities', svg)
    assert "Georgia: 1 endorsing city</title>" in svg
    desc = svg.split("<desc", 1)[1].split("</desc>", 1)[0]
    assert "California: 2." in desc and "Ohio" not in desc
    by_city = {label: float(r) for r, label in re.findall(r' r="([0-9.]+)"[^>]*><title>([^<]+)</title></circle>', svg)}
    la = next(v for k, v in by_city.items() if k.startswith("Los Angeles"))
    sm = next(v for k, v in by_city.items() if k.startswith("Santa Monica"))
    assert la > sm


def test_smaller_map_on_the_staff_page_and_in_the_widget(client, demo, login_as):
    """The staff campaign page and the widget carry the same shaded map (the staff one in a small figure)."""
    widget = client.get(f"/c/{SLUG}/widget").get_data(as_text=True)
    assert "state state-CA shade-2" in widget and 'fill="#' in widget
    login_as("viewer")
    staff = client.get(f"/campaigns/{SLUG}").get_data(as_text=True)
    assert '<figure class="usmap usmap-small">' in staff and "state state-CA shade-2" in staff


def test_without_us_atlas_the_map_falls_back_to_the_outline(monkeypatch, tmp_path):
    """When the package is not installed, the map still draws (the coarse outline) and says nothing is shaded."""
    monkeypatch.setenv("US_ATLAS_PATH", str(tmp_path / "missing.json"))
    drawn = build_map([MapPoint("Austin, TX", 30.27, -97.74, "TX")])
    assert drawn["states"] == [] and len(drawn["outlines"]) == 3 and drawn["drawn"] == 1
    assert usmap.atlas_path() == tmp_path / "missing.json"


@pytest.mark.browser
def test_map_shapes_and_shading_in_chromium(app, demo, live_server, new_page):
    """In chromium at 1280 and 390 px: 52 state shapes, California shaded darker than Ohio, its title on hover
    text, the map fits the page width."""
    for width in (1280, 390):
        page = new_page(viewport={"width": width, "height": 900})
        page.goto(f"{live_server}/c/{SLUG}")
        assert page.locator("svg.usmap-svg path.state").count() == 52
        fills = page.evaluate("['CA', 'OH'].map(c => getComputedStyle(document.querySelector('path.state-' + c)).fill)")
        assert fills[0] != fills[1], fills
        assert page.locator("path.state-CA > title").text_content() == "California: 2 endorsing cities"
        box = page.locator("svg.usmap-svg").bounding_box()
        assert box["width"] <= width and box["height"] > 100
