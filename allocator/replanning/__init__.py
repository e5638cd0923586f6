"""RE-PLANNING: the months from ``--from`` solved again, from what really happened.

:func:`replan` builds an ordinary instance of the months left (stock, cards
in transit, backlog) and solves it with the old plan's shipments as a
reference; the result is a :class:`~allocator.plan.Replan`.
"""

from allocator.replanning.run import replan as replan

__all__ = ["replan"]
