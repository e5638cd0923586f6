"""Re-check a plan against its instance, independently of the LP.

:func:`verify` reads only the instance tables and the plan tables and
recomputes every constraint and every reported figure of ``docs/model.md``:
link, storage and issue capacities, the stock balance, the backlog
recurrence, whole cards, the summary totals and objectives, and the per-node
figures. It shares no code with the model builder or the solvers (a test
keeps it so), so a bug there cannot hide here.

Everything is computed on dense ``numpy`` arrays (:mod:`~allocator.verification.arrays`),
filled in bulk from the tables; only the first few violations of each kind
are turned into sentences.

    >>> problems = verify(instance, plan)          # doctest: +SKIP
    >>> problems == []                             # the plan is valid
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.instance import Instance
from allocator.plan import Plan
from allocator.verification.arrays import (
    FILL_RATE_TOL,
    Data,
    PlanTable,
    Violations,
    close,
    floats,
    fmt,
    text,
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
    data = Data(instance)
    out = Violations()
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
                f"issue capacity: node {data.node_ids[i // P]} issues {fmt(issued_nt.flat[i])} "
                f"cards in {data.label(i % P + 1)}, more than its capacity "
                f"{fmt(data.issue_cap.flat[i])}"
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
    other = made_for_other_data(instance, plan.summary)
    return ([other] if other else []) + out.sentences()


def made_for_other_data(instance: Instance, summary: dict[str, Any]) -> str | None:
    """Why a plan's ``summary.json`` says it was made for other data than ``instance``, or None.

    A plan records the sha256 of its instance's canonical files (and its
    name): another name is another instance; the same name with another
    hash is the instance changed since the plan was made.
    """
    recorded = summary.get("instance") if isinstance(summary, dict) else None
    recorded = recorded if isinstance(recorded, dict) else {}
    sha, name = recorded.get("sha256"), recorded.get("name")
    if sha == instance.sha256:
        return None
    if not sha:
        return (
            "the plan was made for other data: its summary.json records no instance sha256 "
            f"(this instance, '{instance.name}', is {instance.sha256[:12]}...)"
        )
    if name != instance.name:
        return (
            f"the plan was made for other data: instance '{name}' (sha256 {str(sha)[:12]}...), "
            f"not '{instance.name}' (sha256 {instance.sha256[:12]}...)"
        )
    return (
        f"the plan was made for other data: instance '{name}' has changed since (sha256 "
        f"{str(sha)[:12]}... then, {instance.sha256[:12]}... now)"
    )


def _check_shipments(
    data: Data, plan: Plan, out: Violations, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check shipments.csv; return x per (link, month) and departures/arrivals per (node, month)."""
    N, L, P = len(data.node_ids), len(data.link_ids), data.P
    table = PlanTable("shipments", plan.shipments, out)
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
        given = text(f[column])
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
            f"link capacity: link {data.link_ids[i // P]} carries {fmt(x.flat[i])} cards "
            f"leaving in {data.label(i % P + 1)}, more than its capacity "
            f"{fmt(data.link_cap.flat[i])}"
        ),
    )

    departures = np.zeros((N, P))
    arrivals = np.zeros((N, P))
    np.add.at(departures, (data.from_pos[lk[in_horizon]], ti[in_horizon] - 1), q[in_horizon])
    lands = in_horizon & ~late
    np.add.at(arrivals, (data.to_pos[lk[lands]], arrive[lands] - 1), q[lands])
    return x, departures, arrivals


def _check_issuance(
    data: Data, plan: Plan, out: Violations, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Check issuance.csv against demand and the backlog recurrence; return s and recomputed B."""
    N, K, P = len(data.node_ids), len(data.categories), data.P
    table = PlanTable("issuance", plan.issuance, out)
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
            f"{at_row(i)}: demand {fmt(D_plan.flat[i])} for {where(i)}, but the instance's "
            f"demand is {fmt(D.flat[i])}"
        ),
    )
    out.add_where(
        "backlog",
        (B + tol < 0).ravel(),
        lambda i: (
            f"backlog: {where(i)}: issued exceeds the demand arisen so far by "
            f"{fmt(-B.flat[i])} (a card issued before its demand arises)"
        ),
    )
    out.add_where(
        "backlog",
        (np.abs(B_plan - B) > tol).ravel(),
        lambda i: (
            f"{at_row(i)}: backlog {fmt(B_plan.flat[i])} for {where(i)}, but the previous "
            f"backlog plus demand minus issued is {fmt(B.flat[i])}"
        ),
    )
    return S, B


def _check_stock(data: Data, plan: Plan, held: np.ndarray, out: Violations, tol: float) -> None:
    """Check the recomputed stock ``held`` (I) against zero, storage and stock.csv."""
    N, P = len(data.node_ids), data.P
    table = PlanTable("stock", plan.stock, out)
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
            f"stock balance: {where(i)} would hold {fmt(held.flat[i])} cards: more leaves or is "
            "issued than is on hand"
        ),
    )
    out.add_where(
        "storage",
        (held - tol > data.storage).ravel(),
        lambda i: (
            f"storage: {where(i)} holds {fmt(held.flat[i])} cards, more than its storage "
            f"{fmt(data.storage.flat[i])}"
        ),
    )
    out.add_where(
        "stock balance",
        (np.abs(I_plan - held) > tol).ravel(),
        lambda i: (
            f"{file} "
            + (f"row {row_of.flat[i]}" if row_of.flat[i] >= 0 else "(no row)")
            + f": stock {fmt(I_plan.flat[i])} for {where(i)}, but the previous stock plus supply "
            f"plus arrivals minus departures minus issued is {fmt(held.flat[i])}"
        ),
    )


def _check_summary(
    instance: Instance,
    summary: dict[str, Any],
    figures: dict[str, float],
    objective: dict[str, float],
    out: Violations,
    tol: float,
) -> None:
    """Compare summary.json with the recomputed totals, objectives and instance hash."""
    summary = summary if isinstance(summary, dict) else {}
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
                    f"recomputed {fmt(value)}",
                )
                continue
            if not close(number, value, tol):
                out.add(
                    "summary",
                    f"summary.json: {section}.{key} is {fmt(number)}, but the "
                    f"plan's is {fmt(value)}",
                )


def _check_nodes(
    data: Data,
    plan: Plan,
    D: np.ndarray,
    S: np.ndarray,
    B: np.ndarray,
    out: Violations,
    tol: float,
) -> None:
    """Compare nodes.csv with per-node figures recomputed from demand, issued and backlog."""
    table = PlanTable("nodes", plan.nodes, out)
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
            given = floats(table.frame[column], np.nan)
            limit = FILL_RATE_TOL + tol
        else:
            given = table.whole(column, tol)
            limit = tol
        wrong = ok & ~(np.abs(given - expected[n]) <= limit)

        def mismatch(
            i: int, c: str = column, g: np.ndarray = given, e: np.ndarray = expected
        ) -> str:
            return (
                f"{file} row {rows[i]}: {c} {fmt(g[i])} for node {data.node_ids[n[i]]}, "
                f"recomputed {fmt(e[n[i]])}"
            )

        out.add_where("nodes", wrong, mismatch)
    listed = np.zeros(len(data.node_ids), bool)
    listed[node[ok]] = True
    out.add_where(
        "nodes",
        (d > 0) & ~listed,
        lambda i: f"{file}: node {data.node_ids[i]} has demand {fmt(d[i])} but no row",
    )
