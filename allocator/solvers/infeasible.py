"""Why an LP has no plan: which cards have nowhere to go, where and when, and what holds them.

Called only after a solve has found no feasible plan (never on the normal
path). :func:`diagnose` solves one more min-cost flow on the LP's own
network (:func:`~allocator.solvers.network.as_network`, also when HiGHS or
CBC found the LP infeasible) with two *spill* arcs per stock-balance node,
one to the root (cards that cannot leave the node) and one from it (cards
that must leave, on shipments held at a quantity, but cannot be there).
Every other arc costs nothing and a spilled card 1, so the spilled flow is
the least number of cards that must go for a plan to exist. A second stage,
on that optimum's face, spills them as late as it can (0 in the last month,
1 more per month earlier): where the cards finally get stuck, not where they
entered. Each spill is the node and month of its stock-balance row, and the
node's limits that month (storage, links out, printer, demand) are read from
the LP's bounds, so the message states exactly what holds the cards.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from allocator.errors import InfeasibleError, SolveError, Stranded
from allocator.model import LinearProgram
from allocator.solvers.flow import overflow_reason
from allocator.solvers.network import Network, as_network
from allocator.solvers.network_stages import NetworkPlan, lexicographic_flow
from allocator.solvers.options import Deadline

LABEL = "finding the cards that have nowhere to go"


def diagnose(lp: LinearProgram, deadline: Deadline, error: InfeasibleError) -> SolveError:
    """``error`` naming the cards that have nowhere to go; ``error`` itself if none can be named.

    None can be named when the LP is no network (a side constraint), when
    the diagnosis itself has no flow (the trouble is not at a stock node), or
    when the deadline passes during it. When it finds that no card need go,
    a plan exists and the solver was wrong: a plain :class:`SolveError` (exit 1).
    """
    network = as_network(lp)
    if isinstance(network, str) or "stock_balance" not in lp.rows:
        return error
    stock = lp.rows["stock_balance"]
    plan = _spill_plan(lp, network, stock)
    if plan is None:
        return error
    try:
        flow = lexicographic_flow(plan, deadline, LABEL)
    except SolveError:
        return error
    n, k = network.n_arcs, len(stock)
    spilled = (flow[n : n + k], flow[n + k : n + 2 * k])
    stranded = _stranded(lp, network, stock, spilled)
    if not stranded:
        return SolveError(f"{error}, yet the network has a plan: please report it with the data")
    return InfeasibleError(error.solver_message, stranded)


def _spill_plan(lp: LinearProgram, network: Network, stock: pd.DataFrame) -> NetworkPlan | None:
    """``network`` with spill arcs and the two diagnostic stages; None if LEMON cannot take it."""
    rows = stock["row"].to_numpy(np.int64)
    months = stock["t"].to_numpy(np.int64)
    root, k = lp.n_rows, len(rows)
    big = int(network.supply[network.supply > 0].sum() + network.lower.sum()) + 1
    capacity = np.where(network.upper < 0, big, network.upper)
    if np.any(network.lower > capacity):
        return None
    spill = Network(
        n_cols=network.n_cols,
        tail=np.concatenate([network.tail, rows, np.full(k, root)]),
        head=np.concatenate([network.head, np.full(k, root), rows]),
        lower=np.concatenate([network.lower, np.zeros(2 * k, np.int64)]),
        upper=np.concatenate([capacity, np.full(2 * k, big)]),
        supply=network.supply,
        sign=network.sign,
        cap_rows=network.cap_rows,
    )
    none = np.zeros(network.n_arcs, np.int64)
    fewest = np.concatenate([none, np.ones(2 * k, np.int64)])
    latest = np.concatenate([none, lp.periods - months, np.zeros(k, np.int64)])
    costs = [fewest, latest]
    if any(overflow_reason(c, spill.upper, spill.n_nodes) for c in costs):
        return None
    return NetworkPlan(spill, spill.upper, costs, {"fewest": 1, "latest": 1})


def _stranded(
    lp: LinearProgram,
    network: Network,
    stock: pd.DataFrame,
    spilled: tuple[np.ndarray, np.ndarray],
) -> list[Stranded]:
    """One :class:`Stranded` per stock node and month with spilled cards, either way."""
    limits = _Limits(lp, network)
    nodes, months, rows = (stock[c].to_numpy() for c in ("node", "t", "row"))
    out: list[Stranded] = []
    for missing, cards in zip((False, True), spilled, strict=True):
        for i in np.flatnonzero(cards > 0):
            node, t = str(nodes[i]), int(months[i])
            why = limits.missing(rows[i], t) if missing else limits.stuck(node, rows[i], t)
            name = lp.names.get(node, "")
            out.append(Stranded(node, lp.month(t), int(cards[i]), why, name, missing=missing))
    return out


class _Limits:
    """The limits of a stock node in one month, read from the LP's bounds, as words."""

    def __init__(self, lp: LinearProgram, network: Network) -> None:
        self.lp, self.net = lp, network
        self.order = np.argsort(network.tail, kind="stable")
        self.starts = np.searchsorted(network.tail[self.order], np.arange(network.n_nodes + 1))
        self.family = np.full(lp.n_cols, "", dtype=object)
        self.link = np.full(lp.n_cols, "", dtype=object)
        for name, table in lp.variables.items():
            cols = table["col"].to_numpy(np.int64)
            self.family[cols] = name
            if "link" in table:
                self.link[cols] = table["link"].astype(str).to_numpy()
        backlog = lp.rows.get("backlog")
        self.demand = pd.Series(dtype=float)
        if backlog is not None and len(backlog):
            rhs = backlog.assign(d=lp.row_upper[backlog["row"].to_numpy(np.int64)])
            per_month = rhs.groupby(["node", "t"])["d"].sum()
            self.demand = per_month.groupby(level=0).cumsum()

    def _out(self, row: int) -> np.ndarray:
        """The arcs leaving the node of ``row``."""
        return self.order[self.starts[row] : self.starts[row + 1]]

    def _links(self, arcs: np.ndarray, bound: np.ndarray) -> dict[str, float]:
        """Each link leaving by ``arcs`` and the sum of ``bound`` over its columns, in order."""
        by_link: dict[str, float] = {}
        for arc in arcs:
            if arc < self.lp.n_cols and self.link[arc]:
                by_link[self.link[arc]] = by_link.get(self.link[arc], 0.0) + float(bound[arc])
        return by_link

    def stuck(self, node: str, row: int, t: int) -> str:
        """Why cards at ``row``'s node in month ``t`` cannot leave: storage, links, printer."""
        lp, arcs = self.lp, self._out(row)
        cols = arcs[arcs < lp.n_cols]
        storage = float(lp.col_upper[cols[self.family[cols] == "I"]].sum())
        parts = [f"its storage is {_cards(storage)}"]
        links = self._links(arcs, lp.col_upper)
        total = sum(links.values())
        parts.append(
            f"its links out carry at most {_cards(total)}" if links else "no link leaves it"
        )
        caps = arcs[arcs >= lp.n_cols] - lp.n_cols
        if len(caps):
            issue = float(lp.row_upper[self.net.cap_rows[caps]].sum())
            parts.append(f"it issues at most {_cards(issue)}")
        why = _and(parts) + f" in {lp.month(t)}"
        if links:
            why += " (" + ", ".join(_link(link, cap) for link, cap in links.items()) + ")"
        if (node, t) in self.demand.index:
            why += f"; {_cards(float(self.demand[(node, t)]))} cards are demanded there by then"
        return why

    def missing(self, row: int, t: int) -> str:
        """Why cards must leave ``row``'s node in month ``t``: the shipments held out of it."""
        links = self._links(self._out(row), self.net.lower.astype(float))
        held = {link: q for link, q in links.items() if q > 0}
        if not held:
            return f"more must leave it in {self.lp.month(t)} than can arrive there"
        detail = ", ".join(f"{link} {_cards(q)}" for link, q in held.items())
        total = _cards(sum(held.values()))
        return f"the shipments held out of it carry {total} in {self.lp.month(t)} ({detail})"


def _cards(value: float) -> str:
    """A number of cards as the terminal writes it (``1,200``), or ``unlimited``."""
    return f"{int(value):,}" if np.isfinite(value) else "unlimited"


def _link(link: str, capacity: float) -> str:
    """A link out and what it can carry: ``L17 closed``, ``L18 at most 300``."""
    return f"{link} closed" if capacity == 0 else f"{link} at most {_cards(capacity)}"


def _and(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
