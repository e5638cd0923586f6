"""Re-plan from a month onwards, starting from what really happened: the orchestration.

:func:`replan` takes an instance, the plan made for it and a month ``start``
inside the horizon, and solves the months from ``start`` to the horizon's
end again. This module runs the steps and owns the solve (freeze, stability),
``changes.csv`` and the old-vs-new comparison; reading the new facts is
:mod:`allocator.replan_inputs`, the state at ``start`` and the re-plan
instance are :mod:`allocator.replan_state`. The steps:

1. **What happened before ``start``.** The old plan's shipments, issuance and
   the instance's supply of the earlier months are taken as executed, except
   where *actuals* say otherwise: ``shipments.csv`` (the plan's format;
   ``link, period, quantity``, optionally ``arrival`` when cards arrived or
   will arrive at another month than the link's lead time says),
   ``issuance.csv`` (``node, period, category, issued``) and ``supply.csv``
   (the instance's format). A row replaces the old plan's (or the instance's)
   row with the same key: (link, period), (node, period, category) or (node,
   period). To record that a planned shipment did not leave, give it with
   quantity 0. Actuals that are impossible (more cards leave or are issued at
   a node than it could have had, cards issued before their demand arose) are
   input errors, with file, row and column.
2. **The state at ``start``**: stock at every node at the end of the month
   before, cards in transit (shipments that left before ``start`` and arrive
   from ``start`` on become supply at their destination in their arrival
   month) and each office's backlog per category (demand in the new first
   month, added to the demand arising then). The backlog follows from the
   instance's demand before ``start`` and what was issued: it is history, not
   new demand.
3. **The re-plan instance**: an ordinary :class:`Instance` (validated like any
   other) starting at ``start``, with that state, the future supply
   (``supply`` replaces the instance's supply rows from ``start`` on), the
   future demand (``demand`` likewise replaces the demand arising from
   ``start`` on) and the future capacity rows (``capacity`` rows are added,
   replacing rows with the same what, id and period). Rows of
   ``supply``/``demand``/``capacity`` dated before ``start`` may repeat the
   instance's own rows (a copied and edited file) but not change them: what
   happened then is in the actuals.
4. **The solve**, lexicographic as always (waiting, then cost), plus a third
   stage: among the plans optimal in both, the one moving fewest cards away
   from the old plan's shipments (so with no new facts, the old plan itself).
   Two options:

   - ``freeze=N``: every shipment of the old plan leaving in the first N
     months from ``start`` is held at its old quantity (as bounds on x),
     unless it has become impossible; other link-months stay free. A frozen
     shipment is impossible when its link can no longer carry cards then,
     when a capacity override is now below it, or when its origin cannot have
     the cards: an LP first finds the largest number of frozen cards that can
     all move together (a max-flow on the same network), and every frozen
     shipment that does not move in full there is *dropped* (left free for
     the re-plan). Dropped shipments and why are listed in
     ``summary["replan"]["freeze"]["dropped"]``.
   - ``stability=W``: adds ``W`` per card moved away from the old plan's
     shipments to the cost stage (stage 2), so waiting stays optimal; see
     "Re-planning: stability" in ``models/README.md``.

The result is a :class:`Replan`: a plan of the re-plan instance (months from
``start`` only: it verifies against that instance, which it writes beside
itself as ``instance/``), plus ``changes.csv`` and ``summary["replan"]``.
The months before ``start`` are never in the new plan's tables: they are
history. ``changes.csv`` covers the whole original horizon (before ``start``,
``new`` is what was executed), and ``summary["replan"]["compare"]`` sets the
old plan's promised figures against the new ones over the whole original
horizon (executed months + re-plan).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator import lp as lp_module
from allocator.errors import InputError, Problem
from allocator.instance import Instance
from allocator.instance.load import load_instance
from allocator.instance.problems import Collector
from allocator.model import LinearProgram, build_model
from allocator.plan import Plan, read_plan
from allocator.replan_inputs import check_actuals, check_override
from allocator.replan_state import executed, replan_instance
from allocator.solve import Progress, check_options, solve_model
from allocator.verify import verify

COMPARED = ("demand", "issued", "unmet", "fill_rate", "card_months_waiting", "waiting", "cost")


@dataclass(repr=False)
class Replan(Plan):
    """A re-plan: a :class:`Plan` of the re-plan ``instance``, written with it as ``instance/``."""

    instance: Instance | None = None

    def write(
        self,
        folder: str | Path,
        *,
        force: bool = False,
        extra_files: dict[str, bytes] | None = None,
    ) -> Path:
        """Write the plan folder with the re-plan instance in ``instance/``, atomically."""
        files: dict[str, bytes] = {}
        if self.instance is not None:
            files = {f"instance/{name}": data for name, data in self.instance.files().items()}
        files.update(extra_files or {})
        return super().write(folder, force=force, extra_files=files)


# -- solving ------------------------------------------------------------------------------------


def _remaining(deadline: float | None) -> float | None:
    """Seconds left before ``deadline`` (``None``: no time limit)."""
    return None if deadline is None else max(deadline - time.perf_counter(), 0.0)


def _probe(lp: LinearProgram, solver: str, deadline: float | None, method: str) -> np.ndarray:
    """Column values of an auxiliary LP (the freeze probe), solved with the time left."""
    model = lp_module.to_pulp(lp, name="replan-freeze-probe")
    if solver == "highs":
        result = lp_module.solve_highs(lp, model, time_limit=_remaining(deadline), method=method)
    else:
        result = lp_module.solve_cbc(lp, model, time_limit=_remaining(deadline))
    return result.values


def _freeze(
    new: Instance,
    old: pd.DataFrame,
    months: int,
    solver: str,
    deadline: float | None,
    method: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The old shipments of the first ``months`` months to hold, and those dropped (with why)."""
    t = new.month_number(old["period"].astype(str))
    frozen = old[(t >= 1) & (t <= months)][["link", "from", "period", "quantity"]]
    frozen = frozen.reset_index(drop=True).astype({"quantity": np.int64})
    if frozen.empty:
        return frozen, frozen.assign(reason=pd.Series([], dtype=str))
    lp = build_model(new)
    x = lp.variables["x"]
    keys = pd.MultiIndex.from_arrays([x["link"], x["t"]])
    pos = keys.get_indexer(
        pd.MultiIndex.from_arrays([frozen["link"], new.month_number(frozen["period"])])
    )
    q = frozen["quantity"].to_numpy(float)
    col = np.where(pos >= 0, x["col"].to_numpy()[np.maximum(pos, 0)], -1)
    cap = np.where(pos >= 0, lp.col_upper[np.maximum(col, 0)], 0.0)
    reason = np.full(len(frozen), "", dtype=object)
    reason[pos < 0] = "no card can reach the link's origin any more"
    low = (pos >= 0) & (cap < q)
    reason[low] = [f"the link's capacity then is now {c:g}" for c in cap[low]]
    open_ = reason == ""
    if open_.any():
        # A max-flow on the re-plan network: the most frozen cards that can all move.
        upper = lp.col_upper.copy()
        upper[col[open_]] = q[open_]
        c = np.zeros(lp.n_cols)
        c[col[open_]] = -1.0
        probe = dataclasses.replace(
            lp, col_upper=upper, c_wait=c, c_cost=c.copy(), wait_constant=0.0
        )
        values = np.rint(_probe(probe, solver, deadline, method))
        moved = values[col[open_]]
        short = moved < q[open_]
        idx = np.flatnonzero(open_)[short]
        reason[idx] = [
            f"{frm} cannot have the cards then: while keeping the most frozen cards, "
            f"only {int(v)} of these {int(n)} can leave"
            for frm, v, n in zip(frozen["from"].to_numpy()[idx], moved[short], q[idx], strict=True)
        ]
    dropped = frozen.assign(reason=reason)[reason != ""].reset_index(drop=True)
    return frozen[reason == ""].reset_index(drop=True), dropped


def _changes(old: pd.DataFrame, executed: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Per link and month over the whole horizon: old quantity, new (executed or planned)."""
    old_q = old.groupby(["link", "period"])["quantity"].sum().rename("old")
    new_q = (
        pd.concat([executed[["link", "period", "quantity"]], new[["link", "period", "quantity"]]])
        .groupby(["link", "period"])["quantity"]
        .sum()
        .rename("new")
    )
    table = pd.concat([old_q, new_q], axis=1).fillna(0).astype(np.int64).reset_index()
    table.columns = ["link", "period", "old", "new"]
    table = table[(table["old"] != 0) | (table["new"] != 0)]
    table["difference"] = table["new"] - table["old"]
    return table.sort_values(["period", "link"], kind="stable").reset_index(drop=True)


def _ordered(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order files were read), then by row."""
    files = {p.file: i for i, p in reversed(list(enumerate(problems)))}
    return sorted(problems, key=lambda p: (files[p.file], p.row or 0))


def _figures(summary: dict[str, Any]) -> dict[str, float]:
    """The compared figures of a plan's summary."""
    totals, objective = summary["totals"], summary["objective"]
    out = {k: totals[k] for k in ("demand", "issued", "unmet", "fill_rate", "card_months_waiting")}
    out.update(waiting=float(objective["waiting"]), cost=float(objective["cost"]))
    return out


def _compare(
    old: dict[str, Any], executed: dict[str, float], new: dict[str, Any]
) -> dict[str, dict[str, float]]:
    """The old plan's promised figures against executed months + re-plan, whole horizon."""
    before = _figures(old)
    now = _figures(new)
    after: dict[str, float] = {
        "demand": executed["issued"] + now["demand"],
        "issued": executed["issued"] + now["issued"],
        "unmet": now["unmet"],
        "card_months_waiting": executed["card_months_waiting"] + now["card_months_waiting"],
        "waiting": executed["waiting"] + now["waiting"],
        "cost": round(executed["cost"] + now["cost"], 6),
    }
    demand = after["demand"]
    after["fill_rate"] = round(after["issued"] / demand, 6) if demand else 1.0
    return {
        "old": {k: before[k] for k in COMPARED},
        "new": {k: after[k] for k in COMPARED},
        "difference": {k: round(after[k] - before[k], 6) for k in COMPARED},
    }


def replan(
    instance: Instance | str | Path,
    plan: Plan | str | Path,
    *,
    start: str,
    actuals: str | Path | Mapping[str, pd.DataFrame] | None = None,
    supply: str | Path | pd.DataFrame | None = None,
    demand: str | Path | pd.DataFrame | None = None,
    capacity: str | Path | pd.DataFrame | None = None,
    freeze: int = 0,
    stability: float = 0.0,
    solver: str = "highs",
    time_limit: float | None = None,
    method: str = lp_module.DEFAULT_METHOD,
    progress: Progress | None = None,
    check_plan: bool = True,
) -> Replan:
    """Re-plan the months from ``start`` after what really happened (see the module docstring).

    Parameters
    ----------
    instance, plan
        The instance (or its path) and the plan made for it (or its folder).
    start
        First month to re-plan, ``YYYY-MM`` inside the horizon; the first
        month re-plans everything.
    actuals
        Folder with ``shipments.csv``, ``issuance.csv``, ``supply.csv`` (any of
        them), or a mapping of those names to DataFrames: what really left,
        was issued and arrived before ``start``.
    supply
        CSV path or DataFrame (``node, period, quantity``) replacing the supply
        from ``start`` on.
    demand
        CSV path or DataFrame (``node, period, category, quantity``, as
        ``demand.csv``) replacing the demand arising from ``start`` on. The
        backlog carried into ``start`` is not in it: that follows from the
        months before.
    capacity
        CSV path or DataFrame (``what, id, period, capacity``) of capacity
        overrides added from ``start`` on.
    freeze
        Months from ``start`` whose old shipments are kept where possible.
    stability
        Penalty per card moved away from the old plan's shipments (cost stage);
        at 0 the plan is the optimum closest to the old plan (stage 3).
    solver, time_limit, method
        As for :func:`allocator.solve`.
    check_plan
        Verify ``plan`` against ``instance`` first (a plan made for other data
        is an input error). Pass ``False`` only for a plan already verified
        against this instance, as :func:`allocator.batch.run_batch` does once
        for all its scenarios.

    Raises
    ------
    InputError
        Every problem in the new facts, with file, row and column.
    SolveError
        As for :func:`allocator.solve`.
    """
    check_options(solver, time_limit)
    began = time.perf_counter()
    deadline = None if time_limit is None else began + time_limit
    say = progress or (lambda _message: None)
    say("loading the instance and the old plan")
    if not isinstance(instance, Instance):
        instance = load_instance(instance)
    plan_label = "plan"
    if not isinstance(plan, Plan):
        plan_label = str(plan)
        plan = read_plan(plan)
    out = Collector()
    if not (isinstance(start, str) and start in instance.months):
        months = instance.months
        raise InputError(
            [
                Problem(
                    "--from",
                    None,
                    None,
                    f"'{start}' is not a month of the horizon {months[0]}..{months[-1]}; "
                    "give the first month to re-plan as YYYY-MM",
                )
            ]
        )
    if not (isinstance(freeze, int | np.integer) and freeze >= 0):
        out.add("--freeze", None, None, f"'{freeze}' is not a whole number of months >= 0")
    if not (np.isfinite(stability) and stability >= 0):
        out.add("--stability", None, None, f"'{stability}' is not a number >= 0")
    wrong = verify(instance, plan) if check_plan else []
    for sentence in wrong:
        out.add(plan_label, None, None, f"the old plan does not fit the instance: {sentence}")
    if out.problems:
        raise InputError(_ordered(out.problems))
    s = int(instance.month_number([start])[0])
    actual = check_actuals(actuals, instance, s, out)
    new_supply = check_override("supply", supply, instance, s, out)
    new_demand = check_override("demand", demand, instance, s, out)
    new_capacity = check_override("capacity", capacity, instance, s, out)
    if out.problems:
        raise InputError(_ordered(out.problems))
    say("deriving the state")
    past = executed(instance, plan, s, actual, out)
    if out.problems:
        raise InputError(_ordered(out.problems))
    new = replan_instance(instance, past, s, new_supply, new_capacity, new_demand)
    seconds = {"load": time.perf_counter() - began}

    began = time.perf_counter()
    old = plan.shipments.copy()
    kept, dropped = _freeze(new, old, int(freeze), solver, deadline, method)
    say("building the model")
    lp = build_model(
        new,
        reference=old[["link", "period", "quantity"]],
        stability=float(stability),
        fixed=kept[["link", "period", "quantity"]] if freeze else None,
    )
    seconds["build"] = time.perf_counter() - began
    made = solve_model(
        new,
        lp,
        solver=solver,
        time_limit=_remaining(deadline),
        method=method,
        progress=progress,
        seconds=seconds,
        name="replan",
    )

    changes = _changes(old, past.shipments, made.shipments)
    replanned = changes[new.month_number(changes["period"]) >= 1]
    moved = int(replanned["difference"].abs().sum())
    made.summary["replan"] = {
        "from": start,
        "old_plan": {
            "folder": None if plan_label == "plan" else plan_label,
            **plan.summary.get("instance", {}),
        },
        "executed": {"months": instance.months[: s - 1], **past.figures},
        "state": {
            "stock": int(past.stock.sum()),
            "in_transit": int(past.transit["quantity"].sum()),
            "backlog": int(past.backlog.sum()),
        },
        "actuals": {kind: len(given.table) for kind, given in actual.items()},
        "freeze": {
            "months": int(freeze),
            "kept": len(kept),
            "dropped": [
                {
                    "link": str(r.link),
                    "period": str(r.period),
                    "quantity": int(r.quantity),
                    "reason": str(r.reason),
                }
                for r in dropped.itertuples(index=False)
            ],
        },
        "stability": {"weight": float(stability), "penalty": float(stability) * moved},
        "changes": {
            "link_months_changed": int((replanned["difference"] != 0).sum()),
            "cards_moved": moved,
        },
        "compare": _compare(plan.summary, past.figures, made.summary),
    }
    return Replan(
        shipments=made.shipments,
        issuance=made.issuance,
        stock=made.stock,
        nodes=made.nodes,
        summary=made.summary,
        extra={"changes": changes},
        instance=new,
    )
