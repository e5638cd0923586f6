"""A hedged plan: first K months that are best across scenarios, each re-planning its own future.

:func:`hedged_plan` (``allocator solve --hedge``):

1. Every scenario of the what-if table becomes an instance and its network
   LP; the *base* scenario (the one whose changes leave the instance as it
   is) is added with probability 0 when the table has none.
2. The extensive form (:mod:`~allocator.hedging.extensive`) shares the
   shipments and issues of months 1..K across scenarios and minimises the
   expected waiting (or its CVaR), then the expected cost on that face.
   Its optimum is the *LP bound*: no plan committing months 1..K does better.
3. **Whole cards.** The committed shipments and issues are rounded down,
   each on its own link (or office and category group) and month; whatever
   rounding makes impossible in a scenario (a shipment whose cards a
   rounded-down shipment upstream no longer brings) is dropped there, as in
   ``stress``. Each scenario's recourse is then the ordinary network LP from
   that committed state (:func:`~allocator.hedging.exposure.recourse`), so
   its plan is whole cards; the plan returned is the base scenario's.
4. The whole-card plan and the plain plan (:func:`allocator.solve`) are both
   stressed on the scenarios with the same K. If the plain plan does better
   (risk first, then expected cost), which rounding can cause, the plain
   plan is returned instead (``summary["hedge"]["chosen"]`` says which): the
   hedged plan is never worse than the plain one under ``stress``.

The hedged LP asks the committed months to be possible in every scenario.
A scenario that changes the committed months themselves (a tranche of month
1 cut) can make that very restrictive, while ``stress`` lets a plan's
impossible commitments be re-planned freely: the plain plan can then do
better under stress than the LP bound (a negative gap) and is chosen. The
summary lists such scenarios (``change_committed_months``).

The summary's ``hedge`` holds the LP bound, the whole-card plan's figures and
the gap between them, the plain plan's, the value of hedging (the plain
plan's expected waiting under stress minus the hedged plan's) and the value
of perfect information (the hedged plan's expected waiting minus the average
of each scenario solved knowing its future). ``hedge.csv`` has every
scenario's figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import InputError, SolveError
from allocator.hedging.commit import plan_values
from allocator.hedging.exposure import (
    Committed,
    StressTask,
    check_commit,
    recourse,
    run_tasks,
    stress_frame,
)
from allocator.hedging.extensive import Extensive, extensive
from allocator.hedging.risk import Risk, cvar, parse_risk
from allocator.instance import Instance, load_instance
from allocator.model import build_model
from allocator.pipeline import Progress, options_from
from allocator.pipeline import solve as plain_solve
from allocator.plan import Plan
from allocator.solvers import SolveOptions, solve_lexicographic
from allocator.verification import verify
from allocator.whatif.batch import run_batch
from allocator.whatif.changes import apply_changes
from allocator.whatif.scenarios import probabilities, read_scenarios, scenario_ids

# Committed LP values this close below a whole card round up to it, not down.
ROUND_TOLERANCE = 1e-6


def solve(
    instance: Instance | str | Path,
    options: SolveOptions | None = None,
    *,
    hedge: str | Path | pd.DataFrame | None = None,
    commit: int | None = None,
    risk: str | Risk = "expected",
    workers: int | None = None,
    scheduler: str | None = None,
    equity: bool = False,
    progress: Progress | None = None,
    solver: str | None = None,
    method: str | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Find the plan with least waiting and, among those, least cost; or a hedged plan.

    Without ``hedge`` this is the plain solve (:func:`allocator.pipeline.solve`):
    ``options`` (or ``solver=``, ``method=``, ``time_limit=``), ``equity``
    and ``progress`` mean what they mean there.

    With ``hedge`` (a what-if table, optionally with a ``probability`` per
    scenario), the first ``commit`` months are chosen to be best across its
    scenarios, by ``risk`` (``expected`` waiting or ``cvar:A``), each
    scenario re-planning its own later months; then least expected cost
    (:mod:`allocator.hedging.hedge`). ``workers``/``scheduler`` say where the
    scenarios are stressed. The plan's summary gains ``hedge``, and the plan
    carries ``hedge.csv``.
    """
    if hedge is None:
        given = {"--commit": commit, "--workers": workers, "--scheduler": scheduler}
        for name, value in given.items():
            if value is not None:
                raise InputError(f"{name} needs --hedge (a scenario table)")
        return plain_solve(
            instance,
            options,
            equity=equity,
            progress=progress,
            solver=solver,
            method=method,
            time_limit=time_limit,
        )
    if equity:
        raise InputError("--equity and --hedge cannot be combined")
    if commit is None:
        raise InputError("--hedge needs --commit K (the months committed)")
    return hedged_plan(
        instance,
        hedge,
        commit=commit,
        risk=risk,
        options=options_from(options, solver, method, time_limit),
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )


@dataclass
class _Scenarios:
    """The scenarios of a hedge: ids in order (the base one last if added), their data."""

    table: pd.DataFrame
    ids: list[str]
    probability: dict[str, float]
    changes: dict[str, pd.DataFrame]
    instances: dict[str, Instance]
    base: str
    added: bool

    @property
    def p(self) -> np.ndarray:
        return np.array([self.probability[i] for i in self.ids])


def hedged_plan(
    instance: Instance | str | Path,
    scenarios: str | Path | pd.DataFrame,
    *,
    commit: int,
    risk: str | Risk = "expected",
    options: SolveOptions | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Plan:
    """The hedged plan of ``instance`` over ``scenarios`` (see the module docstring)."""
    say = progress or (lambda _message: None)
    options = options or SolveOptions()
    began = time.perf_counter()
    instance = instance if isinstance(instance, Instance) else load_instance(instance)
    k = check_commit(instance, commit)
    measure = parse_risk(risk)
    sc = _scenarios(instance, scenarios)

    say(f"building the hedged LP ({len(sc.ids)} scenarios)")
    lps = [build_model(sc.instances[i]) for i in sc.ids]
    ext = extensive(lps, sc.p, k, measure)
    say("solving the hedged LP")
    solved = solve_lexicographic(ext.lp, options, name="hedge")
    lp_waiting = [
        lp.stages[0].value(ext.scenario_values(solved.values, i, lp.n_cols))
        for i, lp in enumerate(lps)
    ]
    x, s = _rounded(ext.committed, solved.values)
    say("the whole-card plan: the base scenario's recourse")
    hedged, dropped = recourse(instance, x, s, k, options)
    say("the plain plan")
    plain = plain_solve(instance, options)
    say("stressing the hedged and the plain plan")
    tables = _stressed(instance, (hedged, plain), k, sc, options, workers, scheduler)
    say("each scenario knowing its future")
    perfect = _perfect(instance, plain, sc, options, workers, scheduler)

    scores = [_score(t, measure) for t in tables]
    chosen = 0 if scores[0] <= scores[1] else 1
    plan = (hedged, plain)[chosen]
    plan.summary["hedge"] = _summary(
        sc,
        k,
        instance,
        measure,
        solved.objectives[ext.lp.stages[0].name],
        tables,
        chosen,
        perfect,
        dropped,
        ext,
        time.perf_counter() - began,
    )
    plan.extra["hedge"] = tables[chosen].assign(
        lp_waiting=np.round(lp_waiting, 6),
        plain_waiting=tables[1]["waiting"].to_numpy(),
        perfect_waiting=perfect,
    )
    wrong = verify(instance, plan)
    if wrong:
        raise SolveError(f"the hedged plan fails verify: {wrong[0]}; please report it")
    return plan


def _scenarios(instance: Instance, scenarios: str | Path | pd.DataFrame) -> _Scenarios:
    """The checked table's scenarios, each applied; the base one found, or added with p = 0."""
    table = read_scenarios(scenarios, instance)
    ids, p = scenario_ids(table), probabilities(table)
    groups = {i: g.reset_index(drop=True) for i, g in table.groupby("scenario", sort=False)}
    changed = {i: apply_changes(instance, groups[i])[0] for i in ids}
    base = next((i for i in ids if _unchanged(instance, changed[i])), None)
    added = base is None
    if base is None:
        base = _free_id(ids)
        ids.append(base)
        p[base] = 0.0
        groups[base] = table.iloc[:0]
        changed[base] = instance
    return _Scenarios(table, ids, p, groups, changed, base, added)


def _stressed(
    instance: Instance,
    plans: tuple[Plan, Plan],
    k: int,
    sc: _Scenarios,
    options: SolveOptions,
    workers: int | None,
    scheduler: str | None,
) -> list[pd.DataFrame]:
    """Each plan's stress table over the scenarios; SolveError if a scenario failed."""
    values = tuple(plan_values(instance, q.shipments, q.issuance, k) for q in plans)
    shared = Committed(instance, values, k, options)
    tasks = [StressTask(i, sc.changes[i], j) for j in range(len(plans)) for i in sc.ids]
    rows = run_tasks(shared, tasks, workers, scheduler)
    tables = [stress_frame([rows[(i, j)] for i in sc.ids], sc.probability) for j in (0, 1)]
    for t in tables:
        for bad in t[t["status"] == "failed"].itertuples():
            raise SolveError(f"scenario '{bad.scenario}' failed under stress: {bad.message}")
    return tables


def _perfect(
    instance: Instance,
    plain: Plan,
    sc: _Scenarios,
    options: SolveOptions,
    workers: int | None,
    scheduler: str | None,
) -> np.ndarray:
    """Each scenario's own least waiting (a batch of the table; the added base is the plain's)."""
    # A batch names its own first row "base" and refuses a scenario of that name.
    alias = {i: (i if i != "base" else _free_id([*sc.ids, "base"])) for i in sc.ids}
    table = sc.table.assign(scenario=sc.table["scenario"].map(alias))
    batch = run_batch(instance, table, workers=workers, scheduler=scheduler, options=options)
    for bad in batch[batch["status"] == "failed"].itertuples():
        raise SolveError(f"scenario '{bad.scenario}' failed on its own: {bad.message}")
    by_alias = dict(zip(batch["scenario"], batch["waiting"], strict=True))
    waiting = {i: by_alias[a] for i, a in alias.items() if a in by_alias}
    if sc.added:
        waiting[sc.base] = float(plain.summary["objective"]["waiting"])
    return np.array([waiting[i] for i in sc.ids], dtype=float)


def _unchanged(instance: Instance, other: Instance, months: int | None = None) -> bool:
    """Whether a scenario's instance has the instance's supply, demand and capacity exactly.

    With ``months``, only the rows of months 1..``months`` are compared.
    """

    def rows(table: pd.DataFrame) -> pd.DataFrame:
        if months is None:
            return table
        return table[instance.month_number(table["period"].astype(str)) <= months]

    def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
        a, b = rows(a), rows(b)
        if len(a) != len(b):
            return False
        keys = [c for c in a.columns if c not in ("quantity", "capacity")]
        a = a.sort_values(keys).reset_index(drop=True)
        b = b[a.columns].sort_values(keys).reset_index(drop=True)
        return bool(a.astype(str).equals(b.astype(str)))

    return all(
        same(getattr(instance, t), getattr(other, t)) for t in ("supply", "demand", "capacity")
    )


def _free_id(ids: list[str]) -> str:
    name, n = "base", 1
    while name in ids:
        n += 1
        name = f"base-{n}"
    return name


def _rounded(committed: dict[str, pd.DataFrame], values: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """The committed LP values rounded down to whole cards, as shipments and issues per key."""
    out = []
    for what, keys in (("x", ["link", "t"]), ("s", ["node", "group", "t"])):
        table = committed[what]
        cards = np.floor(values[table["col"].to_numpy(np.int64)] + ROUND_TOLERANCE)
        series = pd.Series(
            np.maximum(cards, 0).astype(np.int64), index=pd.MultiIndex.from_frame(table[keys])
        )
        out.append(series[series > 0])
    return out[0], out[1]


def _score(table: pd.DataFrame, risk: Risk) -> tuple[float, float]:
    """(risk of the waiting, expected cost) of a stress table, rounded against float noise."""
    p = table["probability"].to_numpy(float)
    w = table["waiting"].to_numpy(float)
    return round(risk.of(w, p), 6), round(float(p @ table["cost"].to_numpy(float)), 6)


def _summary(
    sc: _Scenarios,
    k: int,
    instance: Instance,
    risk: Risk,
    bound: float,
    tables: list[pd.DataFrame],
    chosen: int,
    perfect: np.ndarray,
    dropped: list[str],
    ext: Extensive,
    seconds: float,
) -> dict[str, Any]:
    """``summary["hedge"]``: the LP bound, the plan's and the plain plan's figures, VSS, VPI."""

    prob = sc.p

    def figures(t: pd.DataFrame) -> dict[str, float]:
        w = t["waiting"].to_numpy(float)
        return {
            "expected_waiting": round(float(prob @ w), 6),
            "cvar_90": round(cvar(w, prob, 0.9), 6),
            "worst_waiting": float(w.max()),
            "expected_cost": round(float(prob @ t["cost"].to_numpy(float)), 6),
            "risk": round(risk.of(w, prob), 6),
        }

    mine, plain = figures(tables[chosen]), figures(tables[1])
    expected_perfect = round(float(prob @ perfect), 6)
    return {
        "scenarios": len(sc.ids),
        "probability": {i: float(q) for i, q in zip(sc.ids, prob, strict=True)},
        "base": sc.base,
        "commit": k,
        "months_committed": instance.months[:k],
        "risk": risk.label,
        "chosen": "hedged" if chosen == 0 else "plain",
        "lp_bound": round(float(bound), 6),
        "gap": round(mine["risk"] - float(bound), 6),
        "plan": mine,
        "plain": plain,
        "value_of_hedging": round(plain["expected_waiting"] - mine["expected_waiting"], 6),
        "perfect_information": {"expected_waiting": expected_perfect},
        "value_of_perfect_information": round(mine["expected_waiting"] - expected_perfect, 6),
        "dropped_in_base": dropped,
        "change_committed_months": [
            i for i in sc.ids if not _unchanged(instance, sc.instances[i], k)
        ],
        "lp": {
            "columns": ext.lp.n_cols,
            "rows": ext.lp.n_rows,
            "nonzeros": ext.lp.n_nonzeros,
        },
        "seconds": round(seconds, 3),
    }
