"""``allocator.explain``: why offices wait, what one more unit is worth, where each card came from.

:func:`explain` checks that the plan belongs to the instance (same sha256,
passes :func:`allocator.verify`, least waiting), reads stage 1's duals at the
plan's vertex (:func:`~allocator.solvers.sensitivity.stage_one_sensitivity`,
one HiGHS solve warm-started from the plan, never one per row), and derives
the three tables of :class:`Explanation` and its roll-up from them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import AllocatorError, InputError, Problem
from allocator.explaining.columns import model_for, plan_columns
from allocator.explaining.flow import arcs
from allocator.explaining.margins import marginal_values
from allocator.explaining.pegging import pegging
from allocator.explaining.reasons import REASONS, shortfalls
from allocator.explaining.residual import network_duals, residual
from allocator.instance import Instance, load_instance
from allocator.plan import Plan, read_plan
from allocator.plan.core import table_csv
from allocator.solvers.network_stages import stage_one_row_duals
from allocator.solvers.sensitivity import stage_one_sensitivity
from allocator.verification import verify

#: The explanation's files in a plan folder (or ``-o DIR``).
FILES = ("marginal_values.csv", "shortfalls.csv", "pegging.csv")
TOP = 10


class PlanMismatchError(AllocatorError):
    """The plan does not belong to the instance, fails verification, or is not of least waiting."""


@dataclass
class Explanation:
    """The three tables of ``allocator explain`` and their roll-up (``summary["explain"]``)."""

    marginal_values: pd.DataFrame
    shortfalls: pd.DataFrame
    pegging: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables by name."""
        return {
            "marginal_values": self.marginal_values,
            "shortfalls": self.shortfalls,
            "pegging": self.pegging,
        }

    def files(self) -> dict[str, bytes]:
        """The CSV files, named as in a plan folder."""
        return {f"{name}.csv": table_csv(table) for name, table in self.tables.items()}


def check_plan(instance: Instance, plan: Plan, label: str = "plan") -> None:
    """Refuse a plan made for another instance (exit 2) or one that fails verify (exit 1)."""
    made_for = (plan.summary.get("instance") or {}).get("sha256")
    if made_for and made_for != instance.sha256:
        name = (plan.summary.get("instance") or {}).get("name", "?")
        raise InputError(
            [
                Problem(
                    label,
                    None,
                    None,
                    f"this plan was made for instance '{name}' (sha256 {made_for[:12]}...), "
                    f"not for '{instance.name}' (sha256 {instance.sha256[:12]}...); "
                    "explain a plan with the instance it was solved for",
                )
            ]
        )
    problems = verify(instance, plan)
    if problems:
        shown = "; ".join(problems[:3]) + (
            f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        )
        raise PlanMismatchError(
            f"{label} fails verification against the instance, so it is not explained: {shown}"
        )


def explain(
    instance: Instance | str | Path,
    plan: Plan | str | Path,
    *,
    fixed: pd.DataFrame | None = None,
) -> Explanation:
    """Explain ``plan`` of ``instance``: marginal values, shortfalls with reasons, pegging.

    Parameters
    ----------
    instance, plan
        The instance (or its path) and a plan solved for it (or its folder).
    fixed
        Shipments a re-plan held at their old quantities (``--freeze``):
        ``link, period, quantity``; the LP explained holds them too.

    Raises :class:`InputError` for a plan of another instance and
    :class:`PlanMismatchError` for a plan that fails :func:`allocator.verify`
    or does not have the least waiting of its instance (nothing to explain by
    stage 1's duals); both before any work is written.
    """
    began = time.perf_counter()
    instance = instance if isinstance(instance, Instance) else load_instance(instance)
    plan = plan if isinstance(plan, Plan) else read_plan(plan)
    check_plan(instance, plan)
    lp = model_for(instance, plan, fixed)
    values = plan_columns(instance, lp, plan)
    waiting = lp.stages[0].value(values)
    flows = arcs(instance, lp, values)
    duals = stage_one_row_duals(lp)
    if duals is None:
        duals = network_duals(lp, flows)
    sens = stage_one_sensitivity(lp, values, duals)
    if waiting > sens.waiting + 1e-6 * max(1.0, abs(sens.waiting)):
        raise PlanMismatchError(
            f"the plan's waiting {waiting:,.6g} is above the least waiting {sens.waiting:,.6g} of "
            "its instance, so stage 1's duals do not describe it (a re-plan with --freeze: "
            "explain it with `allocator replan --explain`, which holds the same shipments)"
        )
    net = residual(lp, flows, sens.row_dual)
    margins, left_out = marginal_values(instance, lp, sens, net, frozen=_frozen_cols(lp))
    short = shortfalls(instance, lp, plan, net)
    pegs = pegging(instance, plan)
    out = Explanation(margins, short, pegs)
    out.summary = rollup(instance, plan, out, left_out)
    out.summary["seconds"] = {
        "stage_1": round(sens.seconds, 3),
        "total": round(time.perf_counter() - began, 3),
    }
    return out


def _frozen_cols(lp: Any) -> np.ndarray:
    return np.asarray(lp.bounds.get("freeze", np.zeros(0)), dtype=np.int64)


def rollup(
    instance: Instance, plan: Plan, explanation: Explanation, left_out: int
) -> dict[str, Any]:
    """``summary["explain"]``: where one more unit helps most, and the reasons by region."""
    margins = explanation.marginal_values
    short = explanation.shortfalls
    region = instance.nodes.set_index("id")["region"].astype(str)
    short = short.assign(region=short["node"].map(region).fillna(""))
    by_reason = short.groupby("reason")[["cards_waiting", "card_months"]].sum()
    by_region = short.pivot_table(
        index="region", columns="reason", values="card_months", aggfunc="sum", fill_value=0
    )
    total = by_region.sum(axis=1).sort_values(ascending=False, kind="stable")
    regions = []
    for name, weight in total.items():
        row = by_region.loc[name]
        regions.append(
            {
                "region": str(name),
                "card_months": round(float(weight), 6),
                "reasons": {r: round(float(row[r]), 6) for r in REASONS if r in row and row[r] > 0},
            }
        )
    # The largest values, one row per (what, month, value) with how many limits share it.
    ties = margins.groupby(["what", "period", "value"], sort=False).size()
    firsts = margins.drop_duplicates(["what", "period", "value"]).head(TOP)
    top = [
        {
            "what": str(r.what),
            "id": str(r.id),
            "period": str(r.period),
            "value": float(r.value),
            "holds_up_to": str(r.holds_up_to),
            "same_value": int(ties[(r.what, r.period, r.value)]) - 1,
        }
        for r in firsts.itertuples(index=False)
    ]
    return {
        "helps_most": top,
        "marginal_values": {"rows": len(margins), "left_out": int(left_out)},
        "reasons": {
            r: {
                "cards_waiting": int(by_reason.at[r, "cards_waiting"]),
                "card_months": round(float(by_reason.at[r, "card_months"]), 6),
            }
            for r in REASONS
            if r in by_reason.index
        },
        "reasons_by_region": regions,
        "pegging": {
            "rows": len(explanation.pegging),
            "cards": int(explanation.pegging["cards"].sum()),
        },
    }
