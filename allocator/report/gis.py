"""A plan as one GeoJSON file for a GIS (QGIS, ArcGIS, geojson.io): nodes and links.

RFC 7946: one ``FeatureCollection`` in WGS 84 longitude, latitude order.
Each node is a ``Point`` feature (``"layer": "node"``) with how well it was
served; each link a ``LineString`` (``"layer": "link"``) from its sender to
its receiver with the cards it carried, in all and per month of departure
(one flat property per month, ``cards_YYYY-MM``, so that a GIS shows them as
columns). A node or link without coordinates keeps its feature with a
``null`` geometry. Written with :func:`write_geojson`; built by
:func:`plan_geojson` from the plan and its instance.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from allocator._atomic import refuse_existing, write_file_atomic
from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.plan import Plan, read_plan
from allocator.report.check import check_plan
from allocator.report.sections import horizon


def _number(value: Any) -> float | int | None:
    """A JSON number, or None for a missing value (JSON has no NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    number = float(value)
    return int(number) if number.is_integer() else round(number, 6)


def _point(lon: Any, lat: Any) -> list[float] | None:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) or math.isnan(y) else [round(x, 6), round(y, 6)]


def _reasons(plan: Plan) -> dict[str, tuple[str, str]]:
    """Per office, the reason with the most card-months of waiting and its main evidence.

    Read from ``shortfalls.csv`` when the plan was explained; empty otherwise.
    """
    short = plan.extra.get("shortfalls")
    if short is None or short.empty:
        return {}
    by = short.groupby(["node", "reason"], sort=False)["card_months"].sum().reset_index()
    top = by.sort_values(["node", "card_months"], ascending=[True, False], kind="stable")
    top = top.drop_duplicates("node")
    first = short.sort_values("card_months", ascending=False, kind="stable")
    evidence = first.drop_duplicates(["node", "reason"]).set_index(["node", "reason"])["evidence"]
    return {
        str(r.node): (str(r.reason), str(evidence.get((r.node, r.reason), "")))
        for r in top.itertuples(index=False)
    }


def _node_features(plan: Plan, instance: Instance) -> list[dict[str, Any]]:
    served = plan.nodes.set_index("node")
    reasons = _reasons(plan)
    features = []
    for node in instance.nodes.itertuples(index=False):
        mine = served.loc[node.id] if node.id in served.index else None
        demand = float(mine["demand"]) if mine is not None else 0.0
        waited = float(mine["card_months_waiting"]) if mine is not None else 0.0
        properties: dict[str, Any] = {
            "layer": "node",
            "id": node.id,
            "name": node.name,
            "kind": node.kind,
            "region": node.region,
            "demand": _number(demand),
            "issued": _number(mine["issued"]) if mine is not None else 0,
            "unmet": _number(mine["unmet"]) if mine is not None else 0,
            "fill_rate": _number(mine["fill_rate"]) if mine is not None else None,
            "card_months_waiting": _number(waited),
            "months_waited_per_card": _number(waited / demand) if demand else None,
        }
        if reasons:
            reason, evidence = reasons.get(node.id, ("", ""))
            properties["reason"] = reason or None
            properties["evidence"] = evidence or None
        where = _point(node.lon, node.lat)
        geometry = {"type": "Point", "coordinates": where} if where else None
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def _link_features(plan: Plan, instance: Instance, months: list[str]) -> list[dict[str, Any]]:
    places = instance.nodes.set_index("id")
    cards = plan.shipments.pivot_table(
        index="link", columns="period", values="quantity", aggfunc="sum", fill_value=0
    ).reindex(columns=months, fill_value=0)
    features = []
    columns = ["id", "from", "to", "mode", "cost", "lead_time"]
    for lid, sender, receiver, mode, cost, lead in instance.links[columns].itertuples(
        index=False, name=None
    ):
        ends = [
            _point(places.at[end, "lon"], places.at[end, "lat"]) if end in places.index else None
            for end in (sender, receiver)
        ]
        per_month = cards.loc[lid] if lid in cards.index else pd.Series(0, index=months)
        properties: dict[str, Any] = {
            "layer": "link",
            "id": lid,
            "from": sender,
            "to": receiver,
            "mode": mode,
            "cost_per_card": _number(cost),
            "lead_time": _number(lead),
            "cards": int(per_month.sum()),
        }
        properties.update({f"cards_{m}": int(per_month[m]) for m in months})
        geometry = {"type": "LineString", "coordinates": ends} if ends[0] and ends[1] else None
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return features


def plan_geojson(plan: Plan, instance: Instance, months: list[str]) -> dict[str, Any]:
    """The plan's nodes and links as one RFC 7946 ``FeatureCollection`` (a dict)."""
    info = plan.summary.get("instance", {})
    return {
        "type": "FeatureCollection",
        "name": f"allocator plan: {info.get('name', 'plan')}",
        "allocator": {
            "instance": info.get("name"),
            "sha256": info.get("sha256"),
            "months": months,
            "status": plan.summary.get("status"),
        },
        "features": _node_features(plan, instance) + _link_features(plan, instance, months),
    }


def write_geojson(
    plan_folder: str | Path,
    output: str | Path,
    *,
    instance: Instance | str | Path | None = None,
    force: bool = False,
) -> Path:
    """Write the plan in ``plan_folder`` as one GeoJSON file at ``output``, atomically.

    Needs the plan's instance (for coordinates; found as for the report, or
    given); refuses an existing ``output`` unless ``force``, and a plan that
    fails verification (``force``: written all the same).
    """
    refuse_existing(output, force=force)
    plan = read_plan(plan_folder)
    checked = check_plan(plan, plan_folder, instance, force=force)
    if checked.instance is None:
        raise InputError([Problem(str(plan_folder), None, None, f"no GeoJSON: {checked.note}")])
    months = horizon(plan.summary, plan.issuance)
    text = json.dumps(plan_geojson(plan, checked.instance, months), ensure_ascii=False)
    return write_file_atomic(output, (text + "\n").encode(), force=force)
