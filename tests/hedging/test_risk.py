"""Risk measures: the CVaR of a discrete distribution, by hand, and ``--risk`` parsing."""

from __future__ import annotations

import numpy as np
import pytest

import allocator
from allocator.hedging.risk import Risk, cvar, parse_risk


def test_cvar_by_hand() -> None:
    """Waiting 10, 20, 30 with probabilities 0.5, 0.3, 0.2.

    The worst 10 % lies inside the 30 (p 0.2): CVaR 0.9 = 30. The worst 50 %
    is all of the 30 and the 20: (0.2 * 30 + 0.3 * 20) / 0.5 = 24. The worst
    100 % is the mean, 17.
    """
    w, p = np.array([10.0, 20.0, 30.0]), np.array([0.5, 0.3, 0.2])
    assert cvar(w, p, 0.9) == pytest.approx(30.0)
    assert cvar(w, p, 0.5) == pytest.approx(24.0)
    assert cvar(w, p, 0.0) == pytest.approx(17.0)
    assert Risk().of(w, p) == pytest.approx(17.0)


def test_parse_risk() -> None:
    assert parse_risk("expected") == Risk()
    assert parse_risk("cvar:0.9") == Risk("cvar", 0.9)
    assert parse_risk("cvar:0.9").label == "cvar:0.9"
    for bad in ("cvar", "cvar:1", "cvar:x", "worst"):
        with pytest.raises(allocator.InputError) as raised:
            parse_risk(bad)
        assert str(raised.value.problems[0]).startswith(f"--risk: '{bad}' is not a risk measure")
