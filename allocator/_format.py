"""How numbers and months are written for people: the terminal and the HTML report alike.

Files keep their own forms (``YYYY-MM``, plain numbers); these are for reading.

>>> whole(7_000_000), percent(0.9), number(25.5), signed(-5), month("2017-03")
('7,000,000', '90.0%', '25.50', '-5', 'Mar 2017')
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


#: Month names as planners write them, whatever the machine's locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month(period: str) -> str:
    """A ``YYYY-MM`` month as a person writes it: ``Mar 2017`` (anything else unchanged)."""
    text = str(period)
    year, _, number_ = text.partition("-")
    if len(year) == 4 and year.isdigit() and number_.isdigit() and 1 <= int(number_) <= 12:
        return f"{_MONTHS[int(number_) - 1]} {year}"
    return text


def months(periods: list[str] | tuple[str, ...]) -> str:
    """Several months, in order: ``Mar 2017, Apr 2017``."""
    return ", ".join(month(p) for p in periods)
