"""The state a re-plan starts from, and the re-plan instance built on it.

:func:`executed` takes the old plan's months before ``--from`` as executed,
except where actuals say otherwise, and derives what they leave: stock at
every node, cards in transit and each office's backlog per category (a
:class:`Past`). Actuals that could not have happened are reported at the
actuals row that did it. :func:`replan_instance` turns that state, the future
supply and demand and the capacity overrides into an ordinary
:class:`Instance` of the months from ``--from``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.instance.problems import Collector
from allocator.plan import Plan
from allocator.replanning.inputs import Input


@dataclass
class Past:
    """What happened before ``start``, and the state it leaves."""

    shipments: pd.DataFrame  # link, period, t, arrive, quantity (executed, before start)
    stock: np.ndarray  # per node, end of the month before start
    transit: pd.DataFrame  # node, arrive, quantity: cards arriving from start on
    backlog: np.ndarray  # (node, category) waiting at the end of the month before start
    figures: dict[str, float]  # issued, card_months_waiting, waiting, cost before start


def transit_notes(instance: Instance, past: Past, start: int) -> dict[tuple[str, str], str]:
    """Per (node, month), in words, the cards on hand at ``start`` and in transit arriving then.

    ``1,200 on hand`` (in the month ``start``), ``in transit on link L12
    since 2017-04``, or with more than one shipment ``in transit: 700 on link
    L12 since 2017-04, 500 on link L13 since 2017-03``: what an infeasible
    re-plan says of where the cards that have nowhere to go come from.
    """
    ships = past.shipments[(past.shipments["arrive"] >= start) & (past.shipments["quantity"] > 0)]
    to = instance.links.set_index("id").loc[ships["link"], "to"].to_numpy()
    arrive = ships["arrive"].to_numpy(np.int64)
    table = ships.assign(node=to, arrival=instance.month_label(arrive) if len(arrive) else "")
    parts: dict[tuple[str, str], list[str]] = {}
    first = str(instance.month_label(start))
    for node, held in zip(instance.nodes["id"].astype(str), past.stock, strict=True):
        if held > 0:
            parts[(node, first)] = [f"{int(held):,} on hand"]
    for (node, arrival), group in table.groupby(["node", "arrival"], sort=False):
        legs = [(r.link, r.period, int(r.quantity)) for r in group.itertuples()]
        if len(legs) == 1:
            words = f"in transit on link {legs[0][0]} since {legs[0][1]}"
        else:
            words = "in transit: " + ", ".join(
                f"{q:,} on link {link} since {period}" for link, period, q in legs
            )
        parts.setdefault((str(node), str(arrival)), []).append(words)
    return {key: "; ".join(words) for key, words in parts.items()}


# -- the past -------------------------------------------------------------------------------


def _override(old: pd.DataFrame, new: pd.DataFrame | None, keys: list[str]) -> pd.DataFrame:
    """``old`` rows without a key in ``new``, followed by ``new`` (marked with their row)."""
    old = old.assign(_row=-1)
    if new is None or new.empty:
        return old
    hit = pd.MultiIndex.from_frame(old[keys].astype(str)).isin(
        pd.MultiIndex.from_frame(new[keys].astype(str))
    )
    return pd.concat([old[~hit], new[[*keys, *[c for c in old.columns if c not in keys]]]])


def _executed_tables(
    instance: Instance, plan: Plan, start: int, actual: dict[str, Input]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Shipments, issuance and supply of the months before ``start``, actuals replacing plan."""
    links = instance.links.set_index("id")
    old = plan.shipments[["link", "period", "quantity"]].copy()
    old["t"] = instance.month_number(old["period"].astype(str))
    old = old[old["t"] < start]
    old["arrive"] = old["t"].to_numpy() + links.loc[old["link"], "lead_time"].to_numpy(np.int64)
    new = actual.get("shipments")
    shipments = _override(
        old[["link", "period", "t", "arrive", "quantity"]],
        None if new is None else new.table.astype({"quantity": np.int64}),
        ["link", "t"],
    )
    shipments["quantity"] = shipments["quantity"].astype(np.int64)
    issued_old = plan.issuance[["node", "category", "period", "issued"]].copy()
    issued_old["t"] = instance.month_number(issued_old["period"].astype(str))
    issued_old = issued_old[issued_old["t"] < start]
    new = actual.get("issuance")
    issuance = _override(
        issued_old[["node", "category", "t", "issued"]],
        None if new is None else new.table.astype({"issued": np.int64}),
        ["node", "category", "t"],
    )
    supply_old = instance.supply[["node", "period", "quantity"]].copy()
    supply_old["t"] = instance.month_number(supply_old["period"])
    supply_old = supply_old[supply_old["t"] < start]
    new = actual.get("supply")
    supply = _override(
        supply_old[["node", "t", "quantity"]],
        None if new is None else new.table.astype({"quantity": np.int64}),
        ["node", "t"],
    )
    return shipments, issuance, supply


def _grid(
    instance: Instance, table: pd.DataFrame, value: str, months: int, t: np.ndarray
) -> np.ndarray:
    """A (node, category, month) array of ``table[value]`` over months 1..``months``."""
    nodes = pd.Index(instance.nodes["id"])
    categories = pd.Index(list(instance.categories))
    grid = np.zeros((len(nodes), len(categories), months), dtype=np.int64)
    np.add.at(
        grid,
        (nodes.get_indexer(table["node"]), categories.get_indexer(table["category"]), t - 1),
        table[value].to_numpy(np.int64),
    )
    return grid


def executed(
    instance: Instance, plan: Plan, start: int, actual: dict[str, Input], out: Collector
) -> Past:
    """What happened before ``start`` and the state it leaves; impossible actuals to ``out``."""
    m = start - 1
    nodes = pd.Index(instance.nodes["id"])
    N, K = len(nodes), len(instance.categories)
    links = instance.links.set_index("id")
    shipments, issuance, supply = _executed_tables(instance, plan, start, actual)
    frm = nodes.get_indexer(links.loc[shipments["link"], "from"])
    to = nodes.get_indexer(links.loc[shipments["link"], "to"])
    t = shipments["t"].to_numpy(np.int64)
    arrive = shipments["arrive"].to_numpy(np.int64)
    q = shipments["quantity"].to_numpy(np.int64)

    # Dense (node, month) and (node, category, month) arrays over months 1..m.
    flows = np.zeros((4, N, m), dtype=np.int64)  # supply, arrivals, departures, issued
    np.add.at(
        flows[0],
        (nodes.get_indexer(supply["node"]), supply["t"].to_numpy(np.int64) - 1),
        supply["quantity"].to_numpy(np.int64),
    )
    landed = arrive < start
    np.add.at(flows[1], (to[landed], arrive[landed] - 1), q[landed])
    np.add.at(flows[2], (frm, t - 1), q)
    S = _grid(instance, issuance, "issued", m, issuance["t"].to_numpy(np.int64))
    flows[3] = S.sum(axis=1)
    stock0 = instance.nodes["stock"].to_numpy(np.int64)
    held = stock0[:, None] + np.cumsum(flows[0] + flows[1] - flows[2] - flows[3], axis=1)
    dem = instance.demand
    D = _grid(instance, dem, "quantity", instance.periods, instance.month_number(dem["period"]))
    B = np.cumsum(D[:, :, :m] - S, axis=2)

    _impossible_stock(instance, held, flows, shipments, issuance, supply, actual, out)
    _impossible_issue(instance, B, issuance, actual, out)

    w = np.array(list(instance.categories.values()), dtype=float)
    hold = instance.nodes["holding_cost"].to_numpy(float)
    cost = links.loc[shipments["link"], "cost"].to_numpy(float)
    moving = ~landed
    return Past(
        shipments=shipments.assign(period=instance.month_label(t) if len(t) else [])[
            ["link", "period", "t", "arrive", "quantity"]
        ],
        stock=held[:, -1] if m else stock0.copy(),
        transit=pd.DataFrame(
            {
                "node": links.loc[shipments["link"], "to"].to_numpy()[moving],
                "arrive": arrive[moving],
                "quantity": q[moving],
            }
        ),
        backlog=B[:, :, -1] if m else np.zeros((N, K), dtype=np.int64),
        figures={
            "issued": int(S.sum()),
            "card_months_waiting": int(B.sum()),
            "waiting": float((w[None, :, None] * B).sum()),
            "cost": float(cost @ q + (hold[:, None] * held).sum()),
        },
    )


def _blame(
    actual: dict[str, Input], candidates: list[tuple[str, pd.Series, str]]
) -> tuple[str, int | None, str | None]:
    """The first actuals row among ``candidates`` (kind, mask over its table, column)."""
    for kind, mask, column in candidates:
        given = actual.get(kind)
        if given is None or not bool(mask.any()):
            continue
        row = int(given.table.loc[mask.to_numpy(dtype=bool), "_row"].iloc[0])
        return given.label, row, column
    return "actuals", None, None


def _impossible_stock(
    instance: Instance,
    held: np.ndarray,
    flows: np.ndarray,
    shipments: pd.DataFrame,
    issuance: pd.DataFrame,
    supply: pd.DataFrame,
    actual: dict[str, Input],
    out: Collector,
) -> None:
    """Report each node whose executed stock goes negative, at the actuals row that did it."""
    nodes = instance.nodes["id"].to_numpy()
    links = instance.links.set_index("id")
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in ("link", "node", "t")})
    ships = actual["shipments"].table if "shipments" in actual else empty
    ships = ships.assign(
        **{"from": ships["link"].map(links["from"]), "to": ships["link"].map(links["to"])}
    )
    issues = actual["issuance"].table if "issuance" in actual else empty
    arrived = actual["supply"].table if "supply" in actual else empty
    for n in np.flatnonzero((held < 0).any(axis=1)):
        t = int(np.flatnonzero(held[n] < 0)[0]) + 1
        node = str(nodes[n])
        month = instance.month_label(t)
        before = held[n, t - 2] if t > 1 else int(instance.nodes["stock"].iloc[n])
        sent = ships["from"] == node
        touched = sent | (ships["to"] == node)
        issued = issues["node"] == node
        candidates = [
            ("shipments", sent & (ships["t"] == t), "quantity"),
            ("issuance", issued & (issues["t"] == t), "issued"),
            ("shipments", touched & (ships["t"] <= t), "quantity"),
            ("supply", (arrived["node"] == node) & (arrived["t"] <= t), "quantity"),
            ("issuance", issued & (issues["t"] <= t), "issued"),
        ]
        file, row, column = _blame(actual, candidates)
        out.add(
            file,
            row,
            column,
            f"node {node} would hold {int(held[n, t - 1])} cards at the end of {month}: "
            f"{int(flows[2, n, t - 1])} leave and {int(flows[3, n, t - 1])} are issued there, "
            f"but it has only {int(before + flows[0, n, t - 1] + flows[1, n, t - 1])} "
            f"({int(before)} on hand, {int(flows[0, n, t - 1])} supply, "
            f"{int(flows[1, n, t - 1])} arriving)",
        )


def _impossible_issue(
    instance: Instance,
    B: np.ndarray,
    issuance: pd.DataFrame,
    actual: dict[str, Input],
    out: Collector,
) -> None:
    """Report each (node, category) issued more cards than its demand so far."""
    nodes = instance.nodes["id"].to_numpy()
    categories = list(instance.categories)
    for n, k in zip(*np.nonzero((B < 0).any(axis=2)), strict=True):
        t = int(np.flatnonzero(B[n, k] < 0)[0]) + 1
        node, category = str(nodes[n]), categories[k]
        candidates: list[tuple[str, pd.Series, str]] = []
        if "issuance" in actual:
            a = actual["issuance"].table
            hit = (a["node"] == node) & (a["category"] == category)
            candidates = [
                ("issuance", hit & (a["t"] == t), "issued"),
                ("issuance", hit & (a["t"] <= t), "issued"),
            ]
        file, row, column = _blame(actual, candidates)
        out.add(
            file,
            row,
            column,
            f"node {node} has issued {-int(B[n, k, t - 1])} more {category} cards by the end of "
            f"{instance.month_label(t)} than demand had arisen",
        )


# -- the re-plan instance ----------------------------------------------------------------------


def replan_instance(
    instance: Instance,
    past: Past,
    start: int,
    supply: Input | None,
    capacity: Input | None,
    demand: Input | None = None,
) -> Instance:
    """The ordinary instance of the months from ``start``, with the state ``past`` leaves.

    ``supply`` and ``demand`` (when given) replace the instance's rows from
    ``start`` on; ``capacity`` rows override the instance's. The backlog
    ``past`` leaves is added to the demand of the first month either way.
    """
    first = instance.month_label(start)
    nodes = instance.nodes.copy()
    nodes["stock"] = past.stock

    future = instance.supply[instance.month_number(instance.supply["period"]) >= start]
    if supply is not None:
        future = supply.table
    transit = pd.DataFrame(
        {
            "node": past.transit["node"],
            "period": instance.month_label(past.transit["arrive"].to_numpy())
            if len(past.transit)
            else [],
            "quantity": past.transit["quantity"],
        }
    )
    supply_rows = (
        pd.concat([future[["node", "period", "quantity"]], transit], ignore_index=True)
        .groupby(["node", "period"], as_index=False, sort=True)["quantity"]
        .sum()
    )

    arising = (instance.demand if demand is None else demand.table)[
        ["node", "period", "category", "quantity"]
    ]
    t = instance.month_number(arising["period"])
    later = arising[t > start]
    now = arising[t == start].groupby(["node", "category"])["quantity"].sum()
    categories = list(instance.categories)
    waiting = pd.DataFrame(past.backlog, index=instance.nodes["id"], columns=categories).stack()
    waiting = waiting[waiting > 0]
    waiting.index.names = ["node", "category"]
    first_month = now.add(waiting, fill_value=0).astype(np.int64)
    first_month = first_month[first_month > 0].reset_index()
    first_month.columns = ["node", "category", "quantity"]
    first_month["period"] = first
    demand_rows = pd.concat(
        [first_month[["node", "period", "category", "quantity"]], later], ignore_index=True
    )

    keys = ["what", "id", "period"]
    cap = instance.capacity[instance.month_number(instance.capacity["period"]) >= start][
        [*keys, "capacity"]
    ]
    if capacity is not None:
        new = capacity.table[[*keys, "capacity"]]
        replaced = pd.MultiIndex.from_frame(cap[keys]).isin(pd.MultiIndex.from_frame(new[keys]))
        cap = pd.concat([cap[~replaced], new], ignore_index=True)

    return Instance.from_frames(
        name=f"{instance.name}-from-{first}",
        description=(
            f"Re-plan of {instance.name} from {first}: stock, cards in transit and backlog "
            "as left by the months before"
        ),
        start=str(first),
        periods=instance.periods - start + 1,
        categories=instance.categories,
        nodes=nodes,
        links=instance.links,
        supply=supply_rows,
        demand=demand_rows,
        capacity=cap,
    )
