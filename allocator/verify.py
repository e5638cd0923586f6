"""Re-check a plan against its instance, independently of the LP.

:func:`verify` reads only the instance tables and the plan tables and
recomputes every constraint and every reported figure of ``model.md``: link,
storage and issue capacities, the stock balance, the backlog recurrence, whole
cards, the summary totals and objectives, and the per-node figures. It shares
no code with the model builder, so a bug there cannot hide here.

Everything is computed on dense ``numpy`` arrays indexed by (node, month),
(link, month) and (node, category, month), filled in bulk from the tables; only
the first few violations of each kind are turned into sentences.

    >>> problems = verify(instance, plan)          # doctest: +SKIP
    >>> problems == []                             # the plan is valid
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from allocator.instance import Instance, month_labels
from allocator.plan import PLAN_TABLES, Plan

#: Sentences kept per kind of violation; the rest are counted in one line.
MAX_PER_KIND = 20
#: Relative tolerance for the summary's figures, on top of the absolute ``tol``.
REL_TOL = 1e-9
#: Absolute tolerance of ``fill_rate`` in ``nodes.csv`` (it is a rounded ratio).
FILL_RATE_TOL = 1e-6

_PERIOD = r"\d{4}-(?:0[1-9]|1[0-2])"


class _Violations:
    """Violation sentences grouped by kind, at most ``limit`` kept per kind."""

    def __init__(self, limit: int = MAX_PER_KIND) -> None:
        self.limit = limit
        self.kept: dict[str, list[str]] = {}
        self.counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        kept = self.kept.setdefault(kind, [])
        if len(kept) < self.limit:
            kept.append(message)

    def add_where(self, kind: str, mask: np.ndarray, message: Callable[[int], str]) -> None:
        """One violation per true entry of ``mask``; ``message(i)`` is called for the first few."""
        where = np.flatnonzero(mask)
        if where.size == 0:
            return
        kept = self.kept.setdefault(kind, [])
        room = max(self.limit - len(kept), 0)
        kept.extend(message(int(i)) for i in where[:room])
        self.counts[kind] = self.counts.get(kind, 0) + int(where.size)

    def sentences(self) -> list[str]:
        out: list[str] = []
        for kind, kept in self.kept.items():
            out.extend(kept)
            more = self.counts[kind] - len(kept)
            if more > 0:
                out.append(f"... and {more} more {kind} violation{'s' if more != 1 else ''}")
        return out


class _Data:
    """The instance as dense arrays: indices, effective capacities, demand, supply."""

    def __init__(self, instance: Instance) -> None:
        self.P = P = int(instance.periods)
        self.start = instance.start
        nodes, links = instance.nodes, instance.links
        self.node_ids = nodes["id"].astype(str).to_numpy()
        self.node_index = pd.Index(self.node_ids)
        self.link_ids = links["id"].astype(str).to_numpy()
        self.link_index = pd.Index(self.link_ids)
        self.categories = list(instance.categories)
        self.category_index = pd.Index(self.categories)
        self.w = np.array([float(instance.categories[k]) for k in self.categories])
        N, L, K = len(self.node_ids), len(self.link_ids), len(self.categories)

        self.link_from = links["from"].astype(str).to_numpy()
        self.link_to = links["to"].astype(str).to_numpy()
        self.link_mode = _text(links["mode"]) if "mode" in links else np.full(L, "", object)
        self.from_pos = self.node_index.get_indexer(pd.Index(self.link_from))
        self.to_pos = self.node_index.get_indexer(pd.Index(self.link_to))
        self.lead = _floats(links["lead_time"]).astype(np.int64)
        self.link_cost = _floats(links["cost"])
        self.hold = _floats(nodes["holding_cost"])
        self.stock0 = _floats(nodes["stock"])
        lead_max = int(self.lead.max()) if L else 0
        self.labels = month_labels(self.start, P + lead_max + 2)

        # Capacities per month: the column's value, overridden by capacity.csv rows.
        self.link_cap = np.repeat(_floats(links["capacity"], np.inf)[:, None], P, axis=1)
        self.storage = np.repeat(_floats(nodes["storage"], np.inf)[:, None], P, axis=1)
        self.issue_cap = np.repeat(_floats(nodes["issue_capacity"], np.inf)[:, None], P, axis=1)
        cap = instance.capacity
        if cap is not None and len(cap):
            t = self.month(cap["period"])
            value = _floats(cap["capacity"], np.inf)
            for what, table, index in (
                ("link", self.link_cap, self.link_index),
                ("storage", self.storage, self.node_index),
                ("issue", self.issue_cap, self.node_index),
            ):
                rows = (cap["what"].astype(str) == what).to_numpy()
                pos = index.get_indexer(pd.Index(cap["id"].astype(str)[rows]))
                ok = (pos >= 0) & (t[rows] >= 1) & (t[rows] <= P)
                table[pos[ok], t[rows][ok].astype(int) - 1] = value[rows][ok]

        self.supply = np.zeros((N, P))
        if len(instance.supply):
            n = self.node_index.get_indexer(pd.Index(instance.supply["node"].astype(str)))
            t = self.month(instance.supply["period"])
            ok = (n >= 0) & (t >= 1) & (t <= P)
            np.add.at(
                self.supply,
                (n[ok], t[ok].astype(int) - 1),
                _floats(instance.supply["quantity"])[ok],
            )

        self.demand = np.zeros((N, K, P))
        if len(instance.demand):
            dem = instance.demand
            n = self.node_index.get_indexer(pd.Index(dem["node"].astype(str)))
            k = self.category_index.get_indexer(pd.Index(dem["category"].astype(str)))
            t = self.month(dem["period"])
            ok = (n >= 0) & (k >= 0) & (t >= 1) & (t <= P)
            np.add.at(
                self.demand, (n[ok], k[ok], t[ok].astype(int) - 1), _floats(dem["quantity"])[ok]
            )

    def month(self, periods: pd.Series) -> np.ndarray:
        """Month numbers 1..P of ``YYYY-MM`` labels (any integer outside; NaN if not a month)."""
        text = pd.Series(periods).astype(str).str.strip().reset_index(drop=True)
        good = text.str.fullmatch(_PERIOD).to_numpy(dtype=bool, na_value=False)
        first = pd.Period(self.start, freq="M")
        year = pd.to_numeric(text.str.slice(0, 4), errors="coerce").to_numpy(float)
        month = pd.to_numeric(text.str.slice(5, 7), errors="coerce").to_numpy(float)
        t = (year - first.year) * 12 + (month - first.month) + 1
        return np.where(good, t, np.nan)

    def label(self, t: int) -> str:
        """``YYYY-MM`` of month number ``t`` (1-based, may lie past the horizon)."""
        if 1 <= t <= len(self.labels):
            return self.labels[t - 1]
        return str(pd.Period(self.start, freq="M") + (t - 1))

    @property
    def horizon(self) -> str:
        return f"{self.label(1)}..{self.label(self.P)}"


def _floats(series: pd.Series, missing: float = 0.0) -> np.ndarray:
    """A numeric column as floats, ``missing`` for <NA> (unlimited capacities) and non-numbers."""
    values = pd.to_numeric(series, errors="coerce")
    return values.astype("Float64").to_numpy(dtype=float, na_value=missing)


def _text(series: pd.Series) -> np.ndarray:
    """A text column as Python strings, "" for missing values."""
    return series.astype(object).where(series.notna(), "").astype(str).to_numpy(object)


def _fmt(value: float) -> str:
    """A number for a message: whole numbers without a decimal point."""
    if np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + REL_TOL * max(abs(a), abs(b))


class _Table:
    """One plan table with its spreadsheet row numbers; reports missing columns once."""

    def __init__(self, name: str, frame: pd.DataFrame | None, out: _Violations) -> None:
        self.file = f"{name}.csv"
        frame = frame if frame is not None else pd.DataFrame()
        missing = [c for c in PLAN_TABLES[name] if c not in frame.columns]
        for column in missing:
            out.add(self.file, f"{self.file} has no column '{column}'")
        if missing:
            frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in PLAN_TABLES[name]})
        self.frame = frame.reset_index(drop=True)
        self.rows = np.arange(len(self.frame)) + 2
        self.out = out

    def __len__(self) -> int:
        return len(self.frame)

    def raw(self, column: str, i: int) -> str:
        return str(self.frame[column].iloc[i])

    def whole(self, column: str, tol: float, *, positive: bool = False) -> np.ndarray:
        """The column as floats (0 if not a number); reports non-numbers, fractions, negatives."""
        values = _floats(self.frame[column], np.nan)
        bad = np.isnan(values)
        self.out.add_where(
            "whole cards",
            bad,
            lambda i: (
                f"{self.file} row {self.rows[i]}: {column} '{self.raw(column, i)}' is not a number"
            ),
        )
        values = np.where(bad, 0.0, values)
        fraction = np.abs(values - np.round(values)) > tol
        self.out.add_where(
            "whole cards",
            fraction,
            lambda i: (
                f"{self.file} row {self.rows[i]}: {column} {_fmt(values[i])} is not a whole "
                "number of cards"
            ),
        )
        low = (values <= tol) if positive else (values < -tol)
        self.out.add_where(
            "whole cards",
            low & ~bad,
            lambda i: (
                f"{self.file} row {self.rows[i]}: {column} {_fmt(values[i])} is "
                + (
                    "not positive (only shipments with quantity > 0 are listed)"
                    if positive
                    else "negative"
                )
            ),
        )
        return values

    def known(self, column: str, index: pd.Index, what: str) -> np.ndarray:
        """Positions of the column's ids in ``index`` (-1 when unknown, reported)."""
        pos = index.get_indexer(pd.Index(self.frame[column].astype(str)))
        self.out.add_where(
            self.file,
            pos < 0,
            lambda i: (
                f"{self.file} row {self.rows[i]}: {what} '{self.raw(column, i)}' is not in the "
                "instance"
            ),
        )
        return pos

    def months(self, data: _Data, column: str = "period") -> np.ndarray:
        """Month numbers of a period column, reporting labels outside the horizon."""
        t = data.month(self.frame[column])
        bad = ~((t >= 1) & (t <= data.P))
        self.out.add_where(
            self.file,
            bad,
            lambda i: (
                f"{self.file} row {self.rows[i]}: {column} '{self.raw(column, i)}' is not a month "
                f"of the horizon {data.horizon}"
            ),
        )
        return t

    def unique(self, keys: list[str], ok: np.ndarray) -> None:
        """Report rows (among ``ok``) whose ``keys`` repeat those of an earlier row."""
        repeated = np.zeros(len(self.frame), bool)
        repeated[ok] = self.frame.loc[ok, keys].astype(str).duplicated(keep="first").to_numpy()
        self.out.add_where(
            self.file,
            repeated,
            lambda i: (
                f"{self.file} row {self.rows[i]}: "
                + ", ".join(f"{k} {self.raw(k, i)}" for k in keys)
                + " appears on an earlier row too"
            ),
        )


def verify(instance: Instance, plan: Plan, *, tol: float = 1e-6) -> list[str]:
    """Every way ``plan`` breaks the model of ``instance``, as sentences; ``[]`` if it is valid.

    Recomputes, from the instance tables and the plan tables only: shipments on
    existing links, inside the horizon, arriving ``lead_time`` months later,
    within link capacity; issuance against demand, the backlog recurrence and
    issue capacity; the stock balance of every node and month, non-negative and
    within storage; whole cards; and ``summary.json`` and ``nodes.csv``.

    Parameters
    ----------
    instance
        The data the plan claims to solve.
    plan
        The plan, as returned by the solver or by :func:`allocator.read_plan`.
    tol
        Absolute tolerance of every comparison (the summary also allows a
        relative ``1e-9``).

    Returns
    -------
    list[str]
        One sentence per violation, at most 20 per kind followed by a line
        counting the rest.
    """
    data = _Data(instance)
    out = _Violations()
    N, K, P = len(data.node_ids), len(data.categories), data.P

    x, departures, arrivals = _check_shipments(data, plan, out, tol)
    S, B = _check_issuance(data, plan, out, tol)
    issued_nt = S.sum(axis=1)
    held = data.stock0[:, None] + np.cumsum(data.supply + arrivals - departures - issued_nt, axis=1)
    _check_stock(data, plan, held, out, tol)

    if N and P:
        issue_over = issued_nt > data.issue_cap + tol
        out.add_where(
            "issue capacity",
            issue_over.ravel(),
            lambda i: (
                f"issue capacity: node {data.node_ids[i // P]} issues {_fmt(issued_nt.flat[i])} "
                f"cards in {data.label(i % P + 1)}, more than its capacity "
                f"{_fmt(data.issue_cap.flat[i])}"
            ),
        )

    unmet = float(B[:, :, -1].sum()) if P and K else 0.0
    figures = {
        "demand": float(data.demand.sum()),
        "issued": float(S.sum()),
        "unmet": unmet,
        "card_months_waiting": float(B.sum()),
    }
    figures["fill_rate"] = figures["issued"] / figures["demand"] if figures["demand"] > 0 else 1.0
    objective = {
        "waiting": float((data.w[None, :, None] * B).sum()),
        "cost": float((data.link_cost[:, None] * x).sum() + (data.hold[:, None] * held).sum()),
    }
    _check_summary(instance, plan.summary, figures, objective, out, tol)
    _check_nodes(data, plan, data.demand, S, B, out, tol)
    return out.sentences()


def _check_shipments(
    data: _Data, plan: Plan, out: _Violations, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check shipments.csv; return x per (link, month) and departures/arrivals per (node, month)."""
    N, L, P = len(data.node_ids), len(data.link_ids), data.P
    table = _Table("shipments", plan.shipments, out)
    f, file, rows = table.frame, table.file, table.rows
    q = table.whole("quantity", tol, positive=True)
    link = table.known("link", data.link_index, "link")
    t = table.months(data, "period")
    known = link >= 0
    lk = np.where(known, link, 0)

    for column, expected in (
        ("from", data.link_from),
        ("to", data.link_to),
        ("mode", data.link_mode),
    ):
        given = _text(f[column])
        wrong = known & (given != expected[lk])

        def mismatch(
            i: int, c: str = column, e: np.ndarray = expected, g: np.ndarray = given
        ) -> str:
            return (
                f"{file} row {rows[i]}: link {data.link_ids[lk[i]]} has {c} '{e[lk[i]]}', "
                f"not '{g[i]}'"
            )

        out.add_where(file, wrong, mismatch)

    in_horizon = known & (t >= 1) & (t <= P)
    ti = np.where(in_horizon, t, 1).astype(np.int64)
    arrive = ti + data.lead[lk]
    late = in_horizon & (arrive > P)
    out.add_where(
        "horizon",
        late,
        lambda i: (
            f"{file} row {rows[i]}: link {data.link_ids[lk[i]]} with lead time "
            f"{data.lead[lk[i]]} leaves in {data.label(int(ti[i]))} and arrives in "
            f"{data.label(int(arrive[i]))}, after the horizon ends in {data.label(P)}"
        ),
    )
    given_arrival = data.month(f["arrival"])
    wrong_arrival = in_horizon & ~late & (given_arrival != arrive)
    out.add_where(
        file,
        wrong_arrival,
        lambda i: (
            f"{file} row {rows[i]}: arrival '{table.raw('arrival', i)}' but link "
            f"{data.link_ids[lk[i]]} with lead time {data.lead[lk[i]]} leaving in "
            f"{data.label(int(ti[i]))} arrives in {data.label(int(arrive[i]))}"
        ),
    )
    table.unique(["link", "period"], np.ones(len(f), bool))

    x = np.zeros((L, P))
    np.add.at(x, (lk[in_horizon], ti[in_horizon] - 1), q[in_horizon])
    over = x > data.link_cap + tol
    out.add_where(
        "link capacity",
        over.ravel(),
        lambda i: (
            f"link capacity: link {data.link_ids[i // P]} carries {_fmt(x.flat[i])} cards "
            f"leaving in {data.label(i % P + 1)}, more than its capacity "
            f"{_fmt(data.link_cap.flat[i])}"
        ),
    )

    departures = np.zeros((N, P))
    arrivals = np.zeros((N, P))
    np.add.at(departures, (data.from_pos[lk[in_horizon]], ti[in_horizon] - 1), q[in_horizon])
    lands = in_horizon & ~late
    np.add.at(arrivals, (data.to_pos[lk[lands]], arrive[lands] - 1), q[lands])
    return x, departures, arrivals


def _check_issuance(
    data: _Data, plan: Plan, out: _Violations, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Check issuance.csv against demand and the backlog recurrence; return s and recomputed B."""
    N, K, P = len(data.node_ids), len(data.categories), data.P
    table = _Table("issuance", plan.issuance, out)
    file, rows = table.file, table.rows
    node = table.known("node", data.node_index, "node")
    category = table.known("category", data.category_index, "category")
    t = table.months(data, "period")
    demand = table.whole("demand", tol)
    issued = table.whole("issued", tol)
    backlog = table.whole("backlog", tol)
    ok = (node >= 0) & (category >= 0) & (t >= 1) & (t <= P)
    table.unique(["node", "category", "period"], ok)

    at = (node[ok], category[ok], t[ok].astype(np.int64) - 1)
    S, D_plan, B_plan = np.zeros((N, K, P)), np.zeros((N, K, P)), np.zeros((N, K, P))
    row_of = np.full((N, K, P), -1, dtype=np.int64)
    np.add.at(S, at, issued[ok])
    np.add.at(D_plan, at, demand[ok])
    np.add.at(B_plan, at, backlog[ok])
    row_of[at] = rows[ok]

    D = data.demand
    B = np.cumsum(D - S, axis=2)

    def where(i: int) -> str:
        n, k, tt = np.unravel_index(i, (N, K, P))
        return f"node {data.node_ids[n]}, category {data.categories[k]}, {data.label(int(tt) + 1)}"

    def at_row(i: int) -> str:
        r = row_of.flat[i]
        return f"{file} row {r}" if r >= 0 else f"{file} (no row)"

    out.add_where(
        "demand",
        (np.abs(D_plan - D) > tol).ravel(),
        lambda i: (
            f"{at_row(i)}: demand {_fmt(D_plan.flat[i])} for {where(i)}, but the instance's "
            f"demand is {_fmt(D.flat[i])}"
        ),
    )
    out.add_where(
        "backlog",
        (B + tol < 0).ravel(),
        lambda i: (
            f"backlog: {where(i)}: issued exceeds the demand arisen so far by "
            f"{_fmt(-B.flat[i])} (a card issued before its demand arises)"
        ),
    )
    out.add_where(
        "backlog",
        (np.abs(B_plan - B) > tol).ravel(),
        lambda i: (
            f"{at_row(i)}: backlog {_fmt(B_plan.flat[i])} for {where(i)}, but the previous "
            f"backlog plus demand minus issued is {_fmt(B.flat[i])}"
        ),
    )
    return S, B


def _check_stock(data: _Data, plan: Plan, held: np.ndarray, out: _Violations, tol: float) -> None:
    """Check the recomputed stock ``held`` (I) against zero, storage and stock.csv."""
    N, P = len(data.node_ids), data.P
    table = _Table("stock", plan.stock, out)
    file, rows = table.file, table.rows
    node = table.known("node", data.node_index, "node")
    t = table.months(data, "period")
    stock = table.whole("stock", tol)
    ok = (node >= 0) & (t >= 1) & (t <= P)
    table.unique(["node", "period"], ok)
    I_plan = np.zeros((N, P))
    row_of = np.full((N, P), -1, dtype=np.int64)
    np.add.at(I_plan, (node[ok], t[ok].astype(np.int64) - 1), stock[ok])
    row_of[node[ok], t[ok].astype(np.int64) - 1] = rows[ok]

    def where(i: int) -> str:
        return f"node {data.node_ids[i // P]} at the end of {data.label(i % P + 1)}"

    out.add_where(
        "stock balance",
        (held + tol < 0).ravel(),
        lambda i: (
            f"stock balance: {where(i)} would hold {_fmt(held.flat[i])} cards: more leaves or is "
            "issued than is on hand"
        ),
    )
    out.add_where(
        "storage",
        (held - tol > data.storage).ravel(),
        lambda i: (
            f"storage: {where(i)} holds {_fmt(held.flat[i])} cards, more than its storage "
            f"{_fmt(data.storage.flat[i])}"
        ),
    )
    out.add_where(
        "stock balance",
        (np.abs(I_plan - held) > tol).ravel(),
        lambda i: (
            f"{file} "
            + (f"row {row_of.flat[i]}" if row_of.flat[i] >= 0 else "(no row)")
            + f": stock {_fmt(I_plan.flat[i])} for {where(i)}, but the previous stock plus supply "
            f"plus arrivals minus departures minus issued is {_fmt(held.flat[i])}"
        ),
    )


def _check_summary(
    instance: Instance,
    summary: dict[str, Any],
    figures: dict[str, float],
    objective: dict[str, float],
    out: _Violations,
    tol: float,
) -> None:
    """Compare summary.json with the recomputed totals, objectives and instance hash."""
    summary = summary if isinstance(summary, dict) else {}
    given_sha = (summary.get("instance") or {}).get("sha256")
    if given_sha != instance.sha256:
        out.add(
            "summary",
            (
                f"summary.json: instance.sha256 is {given_sha!r} but the instance's is "
                f"{instance.sha256!r}: the plan was made for other data"
            ),
        )
    for section, expected in (("totals", figures), ("objective", objective)):
        given = summary.get(section)
        given = given if isinstance(given, dict) else {}
        for key, value in expected.items():
            got = given.get(key)
            try:
                number = float(got)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                out.add(
                    "summary",
                    f"summary.json: {section}.{key} is {got!r}, not a number; "
                    f"recomputed {_fmt(value)}",
                )
                continue
            if not _close(number, value, tol):
                out.add(
                    "summary",
                    f"summary.json: {section}.{key} is {_fmt(number)}, but the "
                    f"plan's is {_fmt(value)}",
                )


def _check_nodes(
    data: _Data,
    plan: Plan,
    D: np.ndarray,
    S: np.ndarray,
    B: np.ndarray,
    out: _Violations,
    tol: float,
) -> None:
    """Compare nodes.csv with per-node figures recomputed from demand, issued and backlog."""
    table = _Table("nodes", plan.nodes, out)
    file, rows = table.file, table.rows
    node = table.known("node", data.node_index, "node")
    ok = node >= 0
    table.unique(["node"], ok)
    P = data.P
    per_node = {
        "demand": D.sum(axis=(1, 2)),
        "issued": S.sum(axis=(1, 2)),
        "unmet": B[:, :, -1].sum(axis=1) if P else np.zeros(len(data.node_ids)),
        "card_months_waiting": B.sum(axis=(1, 2)),
    }
    d = per_node["demand"]
    per_node["fill_rate"] = np.divide(per_node["issued"], d, out=np.ones_like(d), where=d > 0)
    n = np.where(ok, node, 0)
    for column, expected in per_node.items():
        if column == "fill_rate":
            given = _floats(table.frame[column], np.nan)
            limit = FILL_RATE_TOL + tol
        else:
            given = table.whole(column, tol)
            limit = tol
        wrong = ok & ~(np.abs(given - expected[n]) <= limit)

        def mismatch(
            i: int, c: str = column, g: np.ndarray = given, e: np.ndarray = expected
        ) -> str:
            return (
                f"{file} row {rows[i]}: {c} {_fmt(g[i])} for node {data.node_ids[n[i]]}, "
                f"recomputed {_fmt(e[n[i]])}"
            )

        out.add_where("nodes", wrong, mismatch)
    listed = np.zeros(len(data.node_ids), bool)
    listed[node[ok]] = True
    out.add_where(
        "nodes",
        (d > 0) & ~listed,
        lambda i: f"{file}: node {data.node_ids[i]} has demand {_fmt(d[i])} but no row",
    )
