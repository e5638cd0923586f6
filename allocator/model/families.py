"""The core families of the allocation LP, one function each, as ``models/README.md`` names them.

Each ``add_*`` adds one family of columns or rows to a
:class:`~allocator.model.program.Builder` from the grouped
:class:`~allocator.model.data.ModelData`, and returns the keys of what it
added. Only what can matter is created: no ``x`` for a link whose tail can
never hold a card or that would arrive after the horizon, no ``I`` at a node
that can never hold a card, no ``s``/``B`` before a demand first arises.
:func:`~allocator.model.build.build_model` calls them in order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.model.data import ModelData, monthly_limits, ranges
from allocator.model.program import INF, Builder


def add_shipments(b: Builder, d: ModelData, instance: Instance) -> tuple[pd.DataFrame, np.ndarray]:
    """Variables x[l,t] for t + lead[l] <= P, bounded by link_capacity."""
    lead = d.links["lead_time"].to_numpy(np.int64)
    counts = np.maximum(d.P - lead, 0)
    link_pos = np.repeat(np.arange(len(d.links)), counts)
    t = ranges(counts, np.ones(len(d.links), dtype=np.int64))
    caps = monthly_limits(instance, "link", pd.Index(d.links["id"]), d.links["capacity"])
    cost = d.links["cost"].to_numpy(float)[link_pos]
    cols = b.columns(len(t), upper=caps[link_pos, t - 1], cost=cost)
    x = pd.DataFrame(
        {"link": d.links["id"].to_numpy()[link_pos], "link_pos": link_pos, "t": t, "col": cols}
    )
    bounded = cols[np.isfinite(caps[link_pos, t - 1])]
    return x, bounded


def add_stock(b: Builder, d: ModelData, instance: Instance) -> tuple[pd.DataFrame, np.ndarray]:
    """Variables I[n,t] at nodes that can hold cards, bounded by storage."""
    n = len(d.nodes)
    a = np.repeat(np.arange(n), d.P)
    t = np.tile(np.arange(1, d.P + 1), n)
    storage = monthly_limits(instance, "storage", d.node_index, d.nodes["storage"])
    hold = d.nodes["holding_cost"].to_numpy(float)[a]
    cols = b.columns(len(a), upper=storage[a, t - 1], cost=hold)
    stock = pd.DataFrame({"node": d.nodes["id"].to_numpy()[a], "a": a, "t": t, "col": cols})
    return stock, cols[np.isfinite(storage[a, t - 1])]


def add_issue_and_backlog(b: Builder, d: ModelData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Variables s[n,g,t] and B[n,g,t] per weight group g, from the month demand first arises."""
    counts = d.P - d.first + 1
    pair = np.repeat(np.arange(len(d.pairs)), counts)
    t = ranges(counts, d.first)
    keys = pd.DataFrame(
        {
            "node": d.pairs["node"].to_numpy()[pair],
            "group": d.pairs["group"].to_numpy()[pair],
            "pair": pair,
            "t": t,
        }
    )
    s_cols = b.columns(len(t))
    B_cols = b.columns(len(t), waiting=d.weight[pair])
    return keys.assign(col=s_cols), keys.assign(col=B_cols)


def add_stock_balance(
    b: Builder,
    d: ModelData,
    instance: Instance,
    x: pd.DataFrame,
    stock: pd.DataFrame,
    s: pd.DataFrame,
) -> pd.DataFrame:
    """stock_balance[n,t]: I[t] = I[t-1] + supply + arrivals - departures - issued."""
    P, n = d.P, len(d.nodes)
    rhs = np.zeros((n, P))
    supply = instance.supply[instance.supply["node"].isin(d.node_index)]
    np.add.at(
        rhs,
        (d.node_index.get_indexer(supply["node"]), instance.month_number(supply["period"]) - 1),
        supply["quantity"].to_numpy(float),
    )
    rhs[:, 0] += d.nodes["stock"].to_numpy(float)
    rows = b.rows(rhs.ravel(), rhs.ravel())
    base = rows[0] if len(rows) else 0

    def row(a: np.ndarray, t: np.ndarray) -> np.ndarray:
        return base + a * P + (t - 1)

    a, t = stock["a"].to_numpy(), stock["t"].to_numpy()
    b.entries(row(a, t), stock["col"].to_numpy(), 1.0)
    later = t < P
    b.entries(row(a[later], t[later] + 1), stock["col"].to_numpy()[later], -1.0)

    frm = d.node_index.get_indexer(d.links["from"])[x["link_pos"].to_numpy()]
    to = d.node_index.get_indexer(d.links["to"])[x["link_pos"].to_numpy()]
    lead = d.links["lead_time"].to_numpy(np.int64)[x["link_pos"].to_numpy()]
    xt = x["t"].to_numpy()
    b.entries(row(frm, xt), x["col"].to_numpy(), 1.0)
    b.entries(row(to, xt + lead), x["col"].to_numpy(), -1.0)

    sa = d.node_index.get_indexer(s["node"])
    b.entries(row(sa, s["t"].to_numpy()), s["col"].to_numpy(), 1.0)
    return pd.DataFrame(
        {
            "node": d.nodes["id"].to_numpy().repeat(P),
            "t": np.tile(np.arange(1, P + 1), n),
            "row": rows,
        }
    )


def add_backlog(b: Builder, d: ModelData, s: pd.DataFrame, B: pd.DataFrame) -> pd.DataFrame:
    """backlog[n,g,t]: B[t] = B[t-1] + d[t] - s[t] (d summed over the group's categories)."""
    pair, t = s["pair"].to_numpy(), s["t"].to_numpy()
    rhs = d.demand[pair, t - 1]
    rows = b.rows(rhs, rhs)
    b.entries(rows, B["col"].to_numpy(), 1.0)
    b.entries(rows, s["col"].to_numpy(), 1.0)
    carried = t > d.first[pair]
    b.entries(rows[carried], B["col"].to_numpy()[np.flatnonzero(carried) - 1], -1.0)
    return s[["node", "group", "t"]].assign(row=rows)


def add_issue_capacity(
    b: Builder, d: ModelData, instance: Instance, s: pd.DataFrame
) -> pd.DataFrame:
    """issue_capacity[n,t]: sum_g s[n,g,t] <= issue_cap[n,t], where finite."""
    caps = monthly_limits(instance, "issue", d.node_index, d.nodes["issue_capacity"])
    a = d.node_index.get_indexer(s["node"])
    t = s["t"].to_numpy()
    limit = caps[a, t - 1]
    capped = np.isfinite(limit)
    key = a[capped] * d.P + (t[capped] - 1)
    groups, group_of = np.unique(key, return_inverse=True)
    ga, gt = groups // d.P, groups % d.P + 1
    upper = caps[ga, gt - 1]
    rows = b.rows(np.full(len(groups), -INF), upper)
    b.entries(rows[group_of], s["col"].to_numpy()[capped], 1.0)
    return pd.DataFrame({"node": d.nodes["id"].to_numpy()[ga], "t": gt, "row": rows})
