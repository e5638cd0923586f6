"""The synthetic generator: deterministic, shaped like the real network, valid, fast."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import allocator
from allocator.errors import InputError, PlanExistsError
from allocator.instance.generate import (
    CATEGORIES,
    FAR_KM,
    LAT_RANGE,
    LON_RANGE,
    SUPPLY_FRACTION,
    generate_instance,
    write_generated,
)

TABLES = ["nodes", "links", "supply", "demand", "capacity"]


@pytest.fixture(scope="module")
def big() -> allocator.Instance:
    return generate_instance(1000, 12, seed=7)


def _km(lat1, lon1, lat2, lon2) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Great-circle distance (km), written here again so the test does not trust the module."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))


# -- determinism ------------------------------------------------------------------------


def test_same_seed_gives_the_same_instance() -> None:
    a, b = generate_instance(120, 6, seed=3), generate_instance(120, 6, seed=3)
    assert a.sha256 == b.sha256
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))


def test_different_seed_gives_a_different_instance() -> None:
    assert generate_instance(120, 6, seed=3).sha256 != generate_instance(120, 6, seed=4).sha256


def test_name_and_horizon() -> None:
    inst = generate_instance(120, 6, seed=3, start="2018-11")
    assert inst.name == "synthetic-120x6-s3"
    assert inst.months == ["2018-11", "2018-12", "2019-01", "2019-02", "2019-03", "2019-04"]
    assert inst.categories == {"backlog": 1.0, "new": 1.0, "priority": 20.0} == CATEGORIES


# -- shape ------------------------------------------------------------------------------


@pytest.mark.parametrize(("offices", "months", "hubs"), [(1, 1, 1), (50, 3, 5), (1000, 12, 34)])
def test_node_counts(offices: int, months: int, hubs: int) -> None:
    inst = generate_instance(offices, months, seed=1, hubs=hubs)
    kinds = inst.nodes["kind"].value_counts().to_dict()
    assert kinds == {"source": 1, "hub": hubs + 1, "office": offices}
    assert inst.nodes["id"].is_unique
    assert inst.links["id"].is_unique


def test_vendor_and_warehouse(big: allocator.Instance) -> None:
    nodes = big.nodes.set_index("id")
    assert nodes.loc["VENDOR", "kind"] == "source"
    assert (nodes.loc["VENDOR", "lat"], nodes.loc["VENDOR", "lon"]) == (-6.80, 110.84)
    assert nodes.loc["WAREHOUSE", "kind"] == "hub"
    assert nodes.loc["WAREHOUSE", "region"] == "DKI Jakarta"
    assert nodes["lat"].between(*LAT_RANGE).all()
    assert nodes["lon"].between(*LON_RANGE).all()
    # Holding costs something at hubs only.
    hold = big.nodes.groupby("kind")["holding_cost"].min().to_dict()
    assert hold["hub"] > 0
    assert hold["office"] == 0


def test_every_office_is_reachable_from_the_vendor(big: allocator.Instance) -> None:
    graph = nx.MultiDiGraph()
    graph.add_edges_from(zip(big.links["from"], big.links["to"], strict=True))
    reached = nx.descendants(graph, "VENDOR")
    assert set(big.offices["id"]) <= reached


def test_each_office_hangs_off_its_nearest_hub_and_takes_its_province(
    big: allocator.Instance,
) -> None:
    nodes = big.nodes.set_index("id")
    hubs = big.nodes[(big.nodes["kind"] == "hub") & (big.nodes["id"] != "WAREHOUSE")]
    offices = big.offices
    into = big.links[big.links["to"].isin(offices["id"])]
    assert into["to"].is_unique and len(into) == len(offices)
    feeder = into.set_index("to")["from"].reindex(offices["id"]).to_numpy()
    dist = _km(
        offices["lat"].to_numpy()[:, None],
        offices["lon"].to_numpy()[:, None],
        hubs["lat"].to_numpy()[None, :],
        hubs["lon"].to_numpy()[None, :],
    )
    nearest = hubs["id"].to_numpy()[dist.argmin(axis=1)]
    assert (feeder == nearest).all()
    assert (offices["region"].to_numpy() == nodes.loc[feeder, "region"].to_numpy()).all()
    assert (into["mode"] == "road").all()
    # The remotest thirtieth of the offices are a month away, the others the same month.
    assert into["lead_time"].value_counts().to_dict() == {0: 1000 - 33, 1: 33}


def test_far_hubs_have_slow_sea_and_fast_dear_air(big: allocator.Instance) -> None:
    links = big.links[big.links["from"] == "WAREHOUSE"]
    sea = links[links["mode"] == "sea"].set_index("to")
    air = links[links["mode"] == "air"].set_index("to")
    assert len(sea) == 34
    assert 0 < len(air) < 34
    nodes = big.nodes.set_index("id")
    km = _km(-6.20, 106.82, nodes.loc[sea.index, "lat"], nodes.loc[sea.index, "lon"])
    far = sea.index[np.asarray(km) >= FAR_KM]
    assert sorted(air.index) == sorted(far)
    assert (sea.loc[far, "lead_time"] == 1).all()
    assert (sea.drop(far)["lead_time"] == 0).all()
    assert (air["lead_time"] == 0).all()
    assert (air["cost"] == 4 * sea.loc[air.index, "cost"]).all()
    assert air["capacity"].notna().all() and (air["capacity"] > 0).all()
    assert sea["capacity"].isna().all()


# -- quantities -------------------------------------------------------------------------


def test_supply_is_a_stated_fraction_of_demand(big: allocator.Instance) -> None:
    ratio = big.supply["quantity"].sum() / big.demand["quantity"].sum()
    assert SUPPLY_FRACTION[0] <= ratio <= SUPPLY_FRACTION[1]
    assert set(big.supply["node"]) == {"VENDOR"}
    # Tranches in months 1, 2, 3, 5, 7, 9, 11.
    assert big.supply["period"].tolist() == [
        "2017-03", "2017-04", "2017-05", "2017-07", "2017-09", "2017-11", "2018-01",
    ]  # fmt: skip
    assert (big.supply["quantity"] > 0).all()


def test_every_quantity_is_whole(big: allocator.Instance) -> None:
    assert big.nodes["stock"].dtype == np.int64
    assert big.supply["quantity"].dtype == np.int64
    assert big.demand["quantity"].dtype == np.int64
    assert big.links["lead_time"].dtype == np.int64
    for frame, column in [
        (big.nodes, "storage"),
        (big.nodes, "issue_capacity"),
        (big.links, "capacity"),
    ]:
        assert frame[column].dtype == "Int64"
    assert (big.links["cost"] == big.links["cost"].round()).all()
    assert (big.nodes["holding_cost"] == big.nodes["holding_cost"].round()).all()
    assert (big.demand["quantity"] > 0).all()


def test_demand_categories(big: allocator.Instance) -> None:
    demand = big.demand
    assert not demand.duplicated(["node", "period", "category"]).any()
    backlog = demand[demand["category"] == "backlog"]
    assert set(backlog["period"]) == {"2017-03"}
    assert len(backlog) == 1000
    new = demand[demand["category"] == "new"]
    assert set(new["period"]) == set(big.months)
    priority = demand[demand["category"] == "priority"]
    assert set(priority["period"]) == {"2017-03", "2017-04"}
    share = priority["node"].nunique() / 1000
    assert 0.10 <= share <= 0.20


def test_printing_capacity_binds_somewhere(big: allocator.Instance) -> None:
    cap = big.offices.set_index("id")["issue_capacity"]
    assert cap.notna().all()
    assert (cap % 22 == 0).all()  # 22 working days x cards a day x printers
    assert cap.between(22 * 100, 22 * 300 * 3).all()
    first = big.demand[big.demand["period"] == "2017-03"].groupby("node")["quantity"].sum()
    binding = (first > cap.reindex(first.index)).mean()
    assert 0.05 < binding < 0.95


def test_seven_thousand_offices_by_24_months() -> None:
    # Speed is measured in benchmarks/, not asserted here.
    inst = generate_instance(7000, 24, seed=0)
    assert len(inst.offices) == 7000
    assert len(inst.nodes) == 7000 + 34 + 2


# -- errors, files and the rest of the engine -------------------------------------------


def test_bad_arguments_are_input_errors() -> None:
    with pytest.raises(InputError) as err:
        generate_instance(0, 12, start="2017-13")
    assert [str(p) for p in err.value.problems] == [
        "generate, column '--offices': must be a whole number >= 1, not 0",
        "generate, column '--start': '2017-13' is not YYYY-MM",
    ]


def test_generated_tables_pass_validation(big: allocator.Instance) -> None:
    checked = allocator.Instance.from_frames(
        name=big.name,
        start=big.start,
        periods=big.periods,
        categories=big.categories,
        nodes=big.nodes,
        links=big.links,
        supply=big.supply,
        demand=big.demand,
        description=big.description,
    )
    assert checked.sha256 == big.sha256


def test_written_instance_loads_back_unchanged(tmp_path: Path) -> None:
    folder = write_generated(tmp_path / "g", 200, 6, 5)
    assert sorted(p.name for p in folder.iterdir()) == [
        "demand.csv", "instance.toml", "links.csv", "nodes.csv", "supply.csv",
    ]  # fmt: skip
    loaded = allocator.load_instance(folder)
    generated = generate_instance(200, 6, 5)
    assert loaded.sha256 == generated.sha256
    for table in TABLES:
        pd.testing.assert_frame_equal(
            getattr(loaded, table).reset_index(drop=True),
            getattr(generated, table).reset_index(drop=True),
        )


def test_write_refuses_an_existing_folder_unless_forced(tmp_path: Path) -> None:
    write_generated(tmp_path / "g", 20, 2, 0)
    with pytest.raises(PlanExistsError):
        write_generated(tmp_path / "g", 20, 2, 1)
    write_generated(tmp_path / "g", 20, 2, 1, force=True)
    assert allocator.load_instance(tmp_path / "g").sha256 == generate_instance(20, 2, 1).sha256


def test_a_generated_instance_solves_with_real_scarcity() -> None:
    inst = generate_instance(40, 4, seed=2, hubs=6)
    plan = allocator.solve(inst)
    assert plan.summary["status"] == "optimal"
    shortfall = int(inst.demand["quantity"].sum() - inst.supply["quantity"].sum())
    assert plan.summary["totals"]["unmet"] >= shortfall > 0
    assert allocator.verify(inst, plan) == []
