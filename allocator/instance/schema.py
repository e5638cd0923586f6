"""The columns of every instance file, declared once.

``formats.md`` is the contract; this table is its executable form. Loading and
validation read it, writing an instance reads it, and nothing downstream of
validation checks types again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a column's text is parsed:
#   text    free text, default ""          id      non-empty text (required: in every row)
#   whole   whole number >= 0              number  decimal number >= 0
#   coord   decimal degrees, may be blank  period  YYYY-MM inside the horizon
#   integer whole number of either sign (a difference in a plan's changes.csv)
Kind = Literal["text", "id", "whole", "integer", "number", "coord", "period"]


@dataclass(frozen=True)
class Column:
    """One column of an instance file."""

    name: str
    kind: Kind
    required: bool = False
    # None means "no limit" for whole-number capacities (stored as <NA>).
    default: int | float | str | None = None
    help: str = ""
    # What a blank cell of a required text column is told (default: "a value is required").
    empty: str | None = None


NODE_KINDS = ("source", "hub", "office", "other")
CAPACITY_WHAT = ("link", "storage", "issue")

NODES = (
    Column("id", "id", required=True, help="node id used by every other file"),
    Column("name", "text", help="display name (default: the id)"),
    Column("kind", "text", default="other", help="source, hub, office or other"),
    Column("region", "text", default="", help="group for reports (a province)"),
    Column("lat", "coord", help="latitude, decimal degrees"),
    Column("lon", "coord", help="longitude, decimal degrees"),
    Column("stock", "whole", default=0, help="cards on hand at the start of month 1"),
    Column("storage", "whole", default=None, help="most cards held at a month's end"),
    Column("issue_capacity", "whole", default=None, help="most cards issued in a month"),
    Column("holding_cost", "number", default=0.0, help="cost per card per month held"),
)

LINKS = (
    Column("id", "text", help="link id (default FROM>TO or FROM>TO:MODE)"),
    Column("from", "id", required=True, help="node the cards leave"),
    Column("to", "id", required=True, help="node the cards reach"),
    Column("mode", "text", default="", help="road, sea, air, ..."),
    Column("capacity", "whole", default=None, help="most cards leaving in a month"),
    Column("cost", "number", default=0.0, help="cost per card moved"),
    Column("lead_time", "whole", default=0, help="whole months in transit"),
)

SUPPLY = (
    Column("node", "id", required=True),
    Column("period", "period", required=True),
    Column("quantity", "whole", required=True),
)

DEMAND = (
    Column("node", "id", required=True),
    Column("period", "period", required=True),
    Column("category", "id", required=True),
    Column("quantity", "whole", required=True),
)

CAPACITY = (
    Column("what", "id", required=True, help="link, storage or issue"),
    Column("id", "id", required=True),
    Column("period", "period", required=True),
    Column("capacity", "whole", required=True),
)

# file name -> (columns, required file?)
FILES: dict[str, tuple[tuple[Column, ...], bool]] = {
    "nodes.csv": (NODES, True),
    "links.csv": (LINKS, True),
    "supply.csv": (SUPPLY, True),
    "demand.csv": (DEMAND, True),
    "capacity.csv": (CAPACITY, False),
}

# The table name of each file, as used on Instance and as the sheet name of a workbook.
TABLES = {
    "nodes.csv": "nodes",
    "links.csv": "links",
    "supply.csv": "supply",
    "demand.csv": "demand",
    "capacity.csv": "capacity",
}


def column_names(columns: tuple[Column, ...]) -> list[str]:
    """The declared column names of a file, in order."""
    return [c.name for c in columns]
