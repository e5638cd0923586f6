"""The instance and a plan as dense arrays, for the independent checker.

:class:`Data` holds the instance by (node, month), (link, month) and (node,
category, month), effective capacities included; :class:`PlanTable` reads one
plan table with its spreadsheet rows; :class:`Violations` keeps the sentences,
a few per kind. Nothing here knows the model or the solvers.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from allocator.instance import Instance
from allocator.instance.periods import month_label, month_labels, month_numbers
from allocator.plan import PLAN_TABLES

#: Sentences kept per kind of violation; the rest are counted in one line.
MAX_PER_KIND = 20
#: Relative tolerance for the summary's figures, on top of the absolute ``tol``.
REL_TOL = 1e-9
#: Absolute tolerance of ``fill_rate`` in ``nodes.csv`` (it is a rounded ratio).
FILL_RATE_TOL = 1e-6


class Violations:
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


class Data:
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
        self.link_mode = text(links["mode"]) if "mode" in links else np.full(L, "", object)
        self.from_pos = self.node_index.get_indexer(pd.Index(self.link_from))
        self.to_pos = self.node_index.get_indexer(pd.Index(self.link_to))
        self.lead = floats(links["lead_time"]).astype(np.int64)
        self.link_cost = floats(links["cost"])
        self.hold = floats(nodes["holding_cost"])
        self.stock0 = floats(nodes["stock"])
        lead_max = int(self.lead.max()) if L else 0
        self.labels = month_labels(self.start, P + lead_max + 2)

        # Capacities per month: the column's value, overridden by capacity.csv rows.
        self.link_cap = np.repeat(floats(links["capacity"], np.inf)[:, None], P, axis=1)
        self.storage = np.repeat(floats(nodes["storage"], np.inf)[:, None], P, axis=1)
        self.issue_cap = np.repeat(floats(nodes["issue_capacity"], np.inf)[:, None], P, axis=1)
        cap = instance.capacity
        if cap is not None and len(cap):
            t = self.month(cap["period"])
            value = floats(cap["capacity"], np.inf)
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
                floats(instance.supply["quantity"])[ok],
            )

        self.demand = np.zeros((N, K, P))
        if len(instance.demand):
            dem = instance.demand
            n = self.node_index.get_indexer(pd.Index(dem["node"].astype(str)))
            k = self.category_index.get_indexer(pd.Index(dem["category"].astype(str)))
            t = self.month(dem["period"])
            ok = (n >= 0) & (k >= 0) & (t >= 1) & (t <= P)
            np.add.at(
                self.demand, (n[ok], k[ok], t[ok].astype(int) - 1), floats(dem["quantity"])[ok]
            )

    def month(self, periods: pd.Series) -> np.ndarray:
        """Month numbers 1..P of ``YYYY-MM`` labels (any integer outside; NaN if not a month)."""
        return month_numbers(self.start, periods)

    def label(self, t: int) -> str:
        """``YYYY-MM`` of month number ``t`` (1-based, may lie past the horizon)."""
        if 1 <= t <= len(self.labels):
            return self.labels[t - 1]
        return month_label(self.start, t)

    @property
    def horizon(self) -> str:
        return f"{self.label(1)}..{self.label(self.P)}"


def floats(series: pd.Series, missing: float = 0.0) -> np.ndarray:
    """A numeric column as floats, ``missing`` for <NA> (unlimited capacities) and non-numbers."""
    values = pd.to_numeric(series, errors="coerce")
    return values.astype("Float64").to_numpy(dtype=float, na_value=missing)


def text(series: pd.Series) -> np.ndarray:
    """A text column as Python strings, "" for missing values."""
    return series.astype(object).where(series.notna(), "").astype(str).to_numpy(object)


def fmt(value: float) -> str:
    """A number for a message: whole numbers without a decimal point."""
    if np.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


def close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + REL_TOL * max(abs(a), abs(b))


class PlanTable:
    """One plan table with its spreadsheet row numbers; reports missing columns once."""

    def __init__(self, name: str, frame: pd.DataFrame | None, out: Violations) -> None:
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
        values = floats(self.frame[column], np.nan)
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
                f"{self.file} row {self.rows[i]}: {column} {fmt(values[i])} is not a whole "
                "number of cards"
            ),
        )
        low = (values <= tol) if positive else (values < -tol)
        self.out.add_where(
            "whole cards",
            low & ~bad,
            lambda i: (
                f"{self.file} row {self.rows[i]}: {column} {fmt(values[i])} is "
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

    def months(self, data: Data, column: str = "period") -> np.ndarray:
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
