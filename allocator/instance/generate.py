"""Synthetic instances shaped like the Indonesian e-KTP network, of any size.

:func:`generate_instance` builds an :class:`~allocator.instance.Instance` with
one vendor (a factory in Kudus, Central Java), one central warehouse in
Jakarta, ``hubs`` provincial hubs clustered like islands over Indonesia's
bounding box, and ``offices`` district offices, each attached to its nearest
hub. Supply arrives in tranches and covers only part of the demand
(:data:`SUPPLY_FRACTION`), so there is always a real choice to make.

Everything is drawn from ``numpy.random.Generator(PCG64(seed))``, so the same
arguments always give the same instance (and the same ``sha256``). Every
quantity and cost is a whole number. Building is vectorised: 7,000 offices
by 24 months takes well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.errors import InputError, Problem
from allocator.instance.core import Instance, write_instance
from allocator.instance.periods import month_labels

#: Supply over the horizon is drawn as this fraction of total demand (inclusive bounds).
SUPPLY_FRACTION = (0.85, 0.95)

#: Waiting penalty per card-month of each demand category.
CATEGORIES = {"backlog": 1.0, "new": 1.0, "priority": 20.0}

#: Indonesia's bounding box: (lat_min, lat_max), (lon_min, lon_max).
LAT_RANGE = (-10.0, 5.0)
LON_RANGE = (95.0, 141.0)

VENDOR = ("VENDOR", "Vendor factory, Kudus", "Central Java", -6.80, 110.84)
WAREHOUSE = ("WAREHOUSE", "Central warehouse, Jakarta", "DKI Jakarta", -6.20, 106.82)

# Islands as segments (lat0, lon0) -> (lat1, lon1) with a spread in degrees, and
# the share of provinces each holds (roughly the real 34 provinces).
_ISLANDS = np.array(
    [
        # lat0, lon0, lat1, lon1, spread, share
        [4.5, 96.0, -5.0, 105.0, 0.6, 10],  # Sumatra
        [-6.6, 106.5, -7.8, 114.0, 0.3, 6],  # Java
        [-8.4, 115.2, -9.6, 124.0, 0.3, 3],  # Bali and Nusa Tenggara
        [1.0, 110.5, -2.5, 116.0, 1.0, 5],  # Kalimantan
        [1.0, 124.5, -5.0, 120.0, 0.6, 6],  # Sulawesi
        [1.5, 127.8, -3.5, 129.0, 0.5, 2],  # Maluku
        [-1.5, 133.0, -4.5, 140.0, 0.8, 2],  # Papua
    ]
)

# Distances (km) and whole-number costs.
FAR_KM = 1000.0  # hubs this far from the warehouse: sea takes a month, air is offered
WORKING_DAYS = 22
BACKLOG_PER_OFFICE = 8750  # 4.5 million waiting / 514 offices
NEW_PER_OFFICE_MONTH = 490  # 3 million new cards a year / 514 offices / 12
PRIORITY_SHARE = 0.15  # offices with election-priority demand in months 1-2


def _haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Great-circle distance in km; broadcasts like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _clip_box(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.round(np.clip(lat, *LAT_RANGE), 4),
        np.round(np.clip(lon, *LON_RANGE), 4),
    )


def _check(offices: int, months: int, hubs: int, start: str) -> None:
    problems = [
        Problem("generate", None, f"--{name}", f"must be a whole number >= 1, not {value!r}")
        for name, value in (("offices", offices), ("months", months), ("hubs", hubs))
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1
    ]
    try:
        pd.Period(start, freq="M")
        ok = len(start) == 7 and start[4] == "-"
    except (ValueError, TypeError):
        ok = False
    if not ok:
        problems.append(Problem("generate", None, "--start", f"'{start}' is not YYYY-MM"))
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class _Places:
    """Where the hubs and offices are, and which hub serves each office."""

    hub_ids: np.ndarray
    provinces: np.ndarray
    hub_lat: np.ndarray
    hub_lon: np.ndarray
    office_ids: np.ndarray
    office_names: np.ndarray
    off_lat: np.ndarray
    off_lon: np.ndarray
    home: np.ndarray  # each office's hub
    road_km: np.ndarray  # from its hub


def generate_instance(
    offices: int, months: int, seed: int = 0, *, start: str = "2017-03", hubs: int = 34
) -> Instance:
    """A random instance shaped like the real network, deterministic in ``seed``.

    Parameters
    ----------
    offices, months
        Number of district offices and of months in the horizon (both >= 1).
    seed
        Seed of the random generator; equal arguments give equal instances.
    start
        First month, ``YYYY-MM``.
    hubs
        Number of provincial hubs (besides the central warehouse).

    Returns
    -------
    Instance
        With tables typed as validation types them; ``capacity`` is empty.
    """
    _check(offices, months, hubs, start)
    rng = np.random.Generator(np.random.PCG64(seed))
    periods = np.array(month_labels(start, months), dtype=object)
    # The draws are made in this order (places, demand, supply, printers): keep it.
    places = _places(rng, offices, hubs)
    demand, backlog = _demand(rng, places.office_ids, months, periods)
    supply = _supply(rng, int(demand["quantity"].sum()), months, periods)
    nodes = _nodes(rng, places)
    return Instance(
        name=f"synthetic-{offices}x{months}-s{seed}",
        start=start,
        periods=months,
        categories=dict(CATEGORIES),
        nodes=nodes,
        links=_links(places, backlog),
        supply=supply,
        demand=demand,
        capacity=pd.DataFrame(
            {
                "what": pd.Series([], dtype="str"),
                "id": pd.Series([], dtype="str"),
                "period": pd.Series([], dtype="str"),
                "capacity": pd.Series([], dtype="int64"),
            }
        ),
        description=(
            f"Synthetic e-KTP network (allocator generate, seed {seed}): vendor, central "
            f"warehouse, {hubs} hubs, {offices} offices, {months} months from {start}"
        ),
    )


def _places(rng: np.random.Generator, offices: int, hubs: int) -> _Places:
    """Hubs clustered like provinces on islands; offices around a hub, served by the nearest."""
    share = _ISLANDS[:, 5] / _ISLANDS[:, 5].sum()
    island = rng.choice(len(_ISLANDS), size=hubs, p=share)
    along = rng.uniform(0.0, 1.0, size=hubs)
    seg = _ISLANDS[island]
    hub_lat = seg[:, 0] + along * (seg[:, 2] - seg[:, 0]) + rng.normal(0, 1, hubs) * seg[:, 4]
    hub_lon = seg[:, 1] + along * (seg[:, 3] - seg[:, 1]) + rng.normal(0, 1, hubs) * seg[:, 4]
    hub_lat, hub_lon = _clip_box(hub_lat, hub_lon)
    hw = len(str(hubs))
    hub_size = rng.dirichlet(np.full(hubs, 2.0))
    anchor = rng.choice(hubs, size=offices, p=hub_size)
    off_lat, off_lon = _clip_box(
        hub_lat[anchor] + rng.normal(0, 0.7, offices),
        hub_lon[anchor] + rng.normal(0, 0.7, offices),
    )
    dist = _haversine_km(off_lat[:, None], off_lon[:, None], hub_lat[None, :], hub_lon[None, :])
    home = dist.argmin(axis=1)
    ow = max(4, len(str(offices)))
    return _Places(
        hub_ids=np.array([f"H{i:0{hw}d}" for i in range(1, hubs + 1)], dtype=object),
        provinces=np.array([f"Province {i:0{hw}d}" for i in range(1, hubs + 1)], dtype=object),
        hub_lat=hub_lat,
        hub_lon=hub_lon,
        office_ids=np.array([f"D{i:0{ow}d}" for i in range(1, offices + 1)], dtype=object),
        office_names=np.array(
            [f"District {i:0{ow}d}" for i in range(1, offices + 1)], dtype=object
        ),
        off_lat=off_lat,
        off_lon=off_lon,
        home=home,
        road_km=dist[np.arange(offices), home],
    )


def _demand(
    rng: np.random.Generator, office_ids: np.ndarray, months: int, periods: np.ndarray
) -> tuple[pd.DataFrame, np.ndarray]:
    """``demand.csv`` (backlog in month 1, new demand monthly, priority in months 1-2) and
    each office's backlog."""
    offices = len(office_ids)
    pop = rng.lognormal(0.0, 0.7, offices)
    pop = pop / pop.mean()
    backlog = np.rint(BACKLOG_PER_OFFICE * pop).astype(np.int64)
    new = rng.poisson(NEW_PER_OFFICE_MONTH * pop[:, None], size=(offices, months)).astype(np.int64)
    prio_months = min(2, months)
    has_prio = rng.random(offices) < PRIORITY_SHARE
    prio = np.rint(
        pop[:, None] * rng.uniform(300, 1500, size=(offices, prio_months)) * has_prio[:, None]
    ).astype(np.int64)
    t_new = np.tile(np.arange(months), offices)
    t_pri = np.tile(np.arange(prio_months), offices)
    demand = pd.DataFrame(
        {
            "node": np.concatenate(
                [office_ids, np.repeat(office_ids, months), np.repeat(office_ids, prio_months)]
            ),
            "t": np.concatenate([np.zeros(offices, np.int64), t_new, t_pri]),
            "category": np.concatenate(
                [
                    np.full(offices, "backlog", dtype=object),
                    np.full(offices * months, "new", dtype=object),
                    np.full(offices * prio_months, "priority", dtype=object),
                ]
            ),
            "quantity": np.concatenate([backlog, new.ravel(), prio.ravel()]),
        }
    )
    demand = demand[demand["quantity"] > 0]
    # Office ids are zero-padded, so this is also the offices' numeric order.
    demand = demand.sort_values(["node", "t", "category"], kind="stable")
    table = pd.DataFrame(
        {
            "node": demand["node"].to_numpy(dtype=object),
            "period": periods[demand["t"].to_numpy()],
            "category": demand["category"].to_numpy(dtype=object),
            "quantity": demand["quantity"].to_numpy(np.int64),
        }
    ).astype({"node": "str", "period": "str", "category": "str"})
    return table, backlog


def _supply(
    rng: np.random.Generator, total_demand: int, months: int, periods: np.ndarray
) -> pd.DataFrame:
    """Tranches from the vendor in months 1-3 and every other month after, a fraction of demand."""
    tranche_t = np.array([t for t in (0, 1, 2) if t < months] + list(range(4, months, 2)))
    fraction = rng.uniform(*SUPPLY_FRACTION)
    weights = 0.8 ** np.arange(len(tranche_t)) * rng.uniform(0.8, 1.2, len(tranche_t))
    target = int(np.floor(fraction * total_demand))
    target = max(target, int(np.ceil(SUPPLY_FRACTION[0] * total_demand)))
    qty = np.floor(target * weights / weights.sum()).astype(np.int64)
    qty[0] += target - int(qty.sum())
    return pd.DataFrame(
        {
            "node": np.full(len(tranche_t), VENDOR[0], dtype=object),
            "period": periods[tranche_t],
            "quantity": qty,
        }
    ).astype({"node": "str", "period": "str"})


def _nodes(rng: np.random.Generator, p: _Places) -> pd.DataFrame:
    """``nodes.csv``: vendor, warehouse, hubs and offices, each office with its printers."""
    hubs, offices = len(p.hub_ids), len(p.office_ids)
    printers = rng.choice([1, 2, 3], size=offices, p=[0.5, 0.35, 0.15])
    per_day = rng.integers(100, 301, size=offices)
    issue_cap = WORKING_DAYS * per_day * printers
    n_nodes = 2 + hubs + offices
    nodes = pd.DataFrame(
        {
            "id": np.concatenate([[VENDOR[0], WAREHOUSE[0]], p.hub_ids, p.office_ids]),
            "name": np.concatenate(
                [[VENDOR[1], WAREHOUSE[1]], "Hub " + p.provinces, p.office_names]
            ),
            "kind": np.array(
                ["source", "hub"] + ["hub"] * hubs + ["office"] * offices, dtype=object
            ),
            "region": np.concatenate([[VENDOR[2], WAREHOUSE[2]], p.provinces, p.provinces[p.home]]),
            "lat": np.concatenate([[VENDOR[3], WAREHOUSE[3]], p.hub_lat, p.off_lat]),
            "lon": np.concatenate([[VENDOR[4], WAREHOUSE[4]], p.hub_lon, p.off_lon]),
            "stock": np.zeros(n_nodes, np.int64),
            "storage": pd.array([pd.NA] * n_nodes, dtype="Int64"),
            "issue_capacity": pd.array(
                np.concatenate([np.full(2 + hubs, -1), issue_cap]), dtype="Int64"
            ),
            "holding_cost": np.concatenate(
                [[0.0, 1.0], np.full(hubs, 2.0), np.zeros(offices)]
            ).astype(np.float64),
        }
    )
    nodes.loc[: 1 + hubs, "issue_capacity"] = pd.NA
    return nodes.astype({"id": "str", "name": "str", "kind": "str", "region": "str"})


def _links(p: _Places, backlog: np.ndarray) -> pd.DataFrame:
    """``links.csv``: vendor to warehouse by road, warehouse to hubs by sea (and air for far
    hubs, with a capacity), hubs to their offices by road (a month for the most remote)."""
    hubs, offices = len(p.hub_ids), len(p.office_ids)
    wh_km = _haversine_km(WAREHOUSE[3], WAREHOUSE[4], p.hub_lat, p.hub_lon)
    far = wh_km >= FAR_KM
    sea_cost = np.rint(50 + 0.1 * wh_km)
    hub_backlog = np.bincount(p.home, weights=backlog, minlength=hubs)
    air_cap = np.maximum(100, np.rint(0.05 * hub_backlog / 100) * 100).astype(np.int64)
    n_remote = offices // 30
    remote = np.zeros(offices, bool)
    if n_remote:
        remote[np.argsort(-p.road_km, kind="stable")[:n_remote]] = True
    vw_km = float(_haversine_km(VENDOR[3], VENDOR[4], WAREHOUSE[3], WAREHOUSE[4]))
    frm = np.concatenate(
        [
            [VENDOR[0]],
            np.repeat(WAREHOUSE[0], hubs),
            np.repeat(WAREHOUSE[0], far.sum()),
            p.hub_ids[p.home],
        ]
    ).astype(object)
    to = np.concatenate([[WAREHOUSE[0]], p.hub_ids, p.hub_ids[far], p.office_ids]).astype(object)
    mode = np.concatenate(
        [
            ["road"],
            np.full(hubs, "sea", object),
            np.full(far.sum(), "air", object),
            np.full(offices, "road", object),
        ]
    )
    capacity = np.concatenate([[-1], np.full(hubs, -1), air_cap[far], np.full(offices, -1)])
    cost = np.concatenate(
        [[np.rint(20 + 0.05 * vw_km)], sea_cost, 4 * sea_cost[far], np.rint(5 + 0.2 * p.road_km)]
    )
    lead = np.concatenate(
        [[0], far.astype(np.int64), np.zeros(far.sum(), np.int64), remote.astype(np.int64)]
    )
    links = pd.DataFrame(
        {
            "id": frm + ">" + to + ":" + mode,
            "from": frm,
            "to": to,
            "mode": mode,
            "capacity": pd.array(np.where(capacity < 0, 0, capacity), dtype="Int64"),
            "cost": cost.astype(np.float64),
            "lead_time": lead.astype(np.int64),
        }
    )
    links.loc[capacity < 0, "capacity"] = pd.NA
    return links.astype({"id": "str", "from": "str", "to": "str", "mode": "str"})


def write_generated(
    out: str | Path,
    offices: int,
    months: int,
    seed: int = 0,
    force: bool = False,
    *,
    start: str = "2017-03",
    hubs: int = 34,
) -> Path:
    """Generate an instance (see :func:`generate_instance`) and write it as a folder at ``out``.

    Raises :class:`allocator.PlanExistsError` if ``out`` exists and ``force`` is false.
    """
    instance = generate_instance(offices, months, seed, start=start, hubs=hubs)
    return write_instance(instance, out, force=force)
