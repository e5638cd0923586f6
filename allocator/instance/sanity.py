"""What is valid in an instance but so unusual that it is probably a mistake.

These are not errors (the instance loads and solves), but a planner should
see them before trusting a plan: ``allocator validate`` and ``allocator info``
print them, and a plan's ``summary.json`` carries them under ``warnings``.
"""

from __future__ import annotations

from allocator.instance.core import Instance

#: Horizons longer than this many months are called out.
LONG_HORIZON = 120
#: Years outside this range for the first month are called out.
YEARS = (1990, 2100)


def unusual(instance: Instance) -> list[str]:
    """Sentences about what is valid in ``instance`` but probably not meant."""
    notes: list[str] = []
    if instance.periods > LONG_HORIZON:
        notes.append(
            f"the horizon is {instance.periods:,} months ({instance.periods / 12:,.0f} years); "
            "the model grows with every month: is 'periods' in instance.toml right?"
        )
    year = int(instance.start[:4])
    if not YEARS[0] <= year <= YEARS[1]:
        notes.append(f"the first month, {instance.start}, is in {year}: is 'start' right?")
    supplied = int(instance.supply["quantity"].sum()) + int(instance.nodes["stock"].sum())
    demanded = int(instance.demand["quantity"].sum())
    if demanded == 0:
        notes.append("there is no demand: there is nothing to plan")
    elif supplied == 0:
        notes.append("there is no supply and no stock: every card of demand waits to the end")
    return notes
