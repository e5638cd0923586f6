"""Risk measures over scenarios: the expected value and the CVaR of a discrete distribution.

``expected`` is the probability-weighted mean. ``cvar:A`` (``0 <= A < 1``) is
the conditional value at risk at level ``A``: the expected value of the worst
``1 - A`` of probability (``cvar:0.9``: the worst 10 %), splitting a scenario
that straddles the boundary, as the Rockafellar-Uryasev form
``min_eta eta + E[(W - eta)+] / (1 - A)`` gives it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocator.errors import InputError, Problem


@dataclass(frozen=True)
class Risk:
    """A risk measure: ``expected``, or ``cvar`` at ``level``."""

    kind: str = "expected"
    level: float = 0.9

    @property
    def label(self) -> str:
        """How the command line writes it: ``expected`` or ``cvar:0.9``."""
        return "expected" if self.kind == "expected" else f"cvar:{self.level:g}"

    def of(self, values: np.ndarray, probability: np.ndarray) -> float:
        """The measure of ``values`` with ``probability``."""
        if self.kind == "expected":
            return float(np.dot(values, probability))
        return cvar(values, probability, self.level)


def parse_risk(text: str | Risk | None) -> Risk:
    """``expected`` or ``cvar:A`` with ``0 <= A < 1``; InputError (``--risk``) otherwise."""
    if isinstance(text, Risk):
        return text
    if text is None or text == "expected":
        return Risk()
    kind, _, level = str(text).partition(":")
    try:
        value = float(level) if kind == "cvar" else float("nan")
    except ValueError:
        value = float("nan")
    if kind != "cvar" or not (0 <= value < 1):
        raise InputError(
            [
                Problem(
                    "--risk",
                    None,
                    None,
                    f"'{text}' is not a risk measure; give expected, or cvar:A with 0 <= A < 1 "
                    "(cvar:0.9 is the expected waiting of the worst 10% of probability)",
                )
            ]
        )
    return Risk("cvar", value)


def cvar(values: np.ndarray, probability: np.ndarray, level: float) -> float:
    """The expected value of the worst ``1 - level`` of probability (largest values first)."""
    values = np.asarray(values, dtype=float)
    probability = np.asarray(probability, dtype=float)
    tail = 1.0 - level
    order = np.argsort(-values, kind="stable")
    left, total = tail, 0.0
    for i in order:
        take = min(float(probability[i]), left)
        total += take * values[i]
        left -= take
        if left <= 1e-12:
            break
    return float(total / tail)
