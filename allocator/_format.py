"""How numbers are written for people: the terminal summary and the HTML report alike.

>>> whole(7_000_000), percent(0.9), number(25.5), signed(-5)
('7,000,000', '90.0%', '25.50', '-5')
"""

from __future__ import annotations


def whole(value: float | int) -> str:
    """A card count: ``7,000,000``."""
    return f"{round(float(value)):,}"


def signed(value: float | int) -> str:
    """A change in cards: ``+5``, ``-5``, ``0``."""
    return f"{round(float(value)):+,}" if round(float(value)) else "0"


def number(value: float | int) -> str:
    """A figure that may have decimals: ``25``, ``25.50``."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def money(value: float | int) -> str:
    """A cost: decimals only below a thousand."""
    return number(value) if abs(value) < 1000 else whole(value)


def percent(value: float) -> str:
    """A rate: ``90.0%``."""
    return f"{100 * float(value):.1f}%"
