"""Where the tests' data are, for every test module (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import allocator

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "instances"
#: The hand-worked instances, each with its optimum derived in its README.
TEACHING = ["tiny", "lead-time", "print-capacity", "sea-or-air"]
TINY = INSTANCES / "tiny"
INDONESIA = INSTANCES / "indonesia-2017"


@contextmanager
def local_cluster() -> Iterator[str]:
    """A real 2-worker Dask cluster on this machine, for the time of a ``with``: its address.

    Skips the test where Dask distributed is not installed.
    """
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=":0",  # a free port: never the default 8787
    ) as cluster:
        yield cluster.scheduler_address


#: The named instances, each with its solved plan, as the ``teaching`` fixture gives them.
Solved = dict[str, tuple["allocator.Instance", "allocator.Plan"]]


def sea_to_a_hub_that_holds_nothing() -> allocator.Instance:
    """S (Jakarta) -sea, 1 month-> H (Hub Makassar, storage 0) -road-> A (Office Maros).

    1,200 cards at S in March 2017, 1,200 demanded at A in April. The plan
    ships them by sea in March; they land at H in April and go on by road
    the same month. Re-planned from April with the road closed then
    (``capacity.csv``: ``link,H>A:road,2017-04,0``), the 1,200 cards at sea
    arrive at a hub that can neither hold them nor pass them on: no plan exists.
    """
    import pandas as pd

    import allocator

    return allocator.Instance.from_frames(
        name="sea-to-a-hub-that-holds-nothing",
        start="2017-03",
        periods=3,
        categories={"regular": 1.0},
        nodes=pd.DataFrame(
            {
                "id": ["S", "H", "A"],
                "name": ["Jakarta", "Hub Makassar", "Office Maros"],
                "kind": ["source", "hub", "office"],
                "storage": [None, 0, None],
            }
        ),
        links=pd.DataFrame(
            {
                "id": ["S>H:sea", "H>A:road"],
                "from": ["S", "H"],
                "to": ["H", "A"],
                "cost": [2, 1],
                "lead_time": [1, 0],
            }
        ),
        supply=pd.DataFrame({"node": ["S"], "period": ["2017-03"], "quantity": [1200]}),
        demand=pd.DataFrame(
            {"node": ["A"], "period": ["2017-04"], "category": ["regular"], "quantity": [1200]}
        ),
    )
