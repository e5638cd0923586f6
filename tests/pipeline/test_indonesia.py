"""The real case, instances/indonesia-2017: it loads, matches the record, rebuilds, solves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import INDONESIA

import allocator

FOLDER = INDONESIA
FILES = ["instance.toml", "nodes.csv", "links.csv", "supply.csv", "demand.csv", "capacity.csv"]
DKI = "Daerah Khusus Ibukota Jakarta"


@pytest.fixture
def instance(indonesia_instance: allocator.Instance) -> allocator.Instance:
    return indonesia_instance


@pytest.fixture
def plan(indonesia_plan: allocator.Plan) -> allocator.Plan:
    return indonesia_plan


def test_loads_with_the_real_network(instance: allocator.Instance) -> None:
    nodes = instance.nodes
    assert instance.start == "2017-03"
    assert instance.periods == 10
    assert instance.categories == {"pilkada": 20.0, "backlog": 2.0, "new": 1.0}
    assert (nodes["kind"] == "office").sum() == 514
    assert (nodes["kind"] == "source").sum() == 1
    hubs = nodes[nodes["kind"] == "hub"]["id"]
    assert len(hubs) == 35  # the central warehouse and 34 provincial hubs
    assert hubs.str.startswith("PROV-").sum() == 34
    assert "WAREHOUSE" in set(hubs)
    assert instance.offices["region"].nunique() == 34
    assert len(instance.links) == 568  # 1 + 15 road + 19 sea + 19 air + 514 hub->office


def test_offices_are_keyed_by_their_2017_code(instance: allocator.Instance) -> None:
    nodes = instance.nodes.set_index("id")
    # Kab. Merauke is 93.01 (Papua Selatan) today and was 91.01 (Papua) in 2017.
    assert nodes.at["9101", "name"] == "Kabupaten Merauke"
    assert nodes.at["9101", "region"] == "Papua"
    # Renamed since 2017: Pasangkayu was Mamuju Utara.
    assert nodes.at["7601", "name"] == "Kabupaten Mamuju Utara"
    # Kalimantan Selatan's 2017 capital is Banjarmasin (Kota Banjarmasin seat point).
    assert nodes.at["PROV-63", "name"] == "Hub Banjarmasin (Kalimantan Selatan)"
    assert (nodes.at["PROV-63", "lat"], nodes.at["PROV-63", "lon"]) == (-3.32749, 114.589)
    assert list(instance.offices.query("region == @DKI")["id"]) == [
        "3101",
        "3171",
        "3172",
        "3173",
        "3174",
        "3175",
    ]


def test_supply_is_the_record(instance: allocator.Instance) -> None:
    supply = instance.supply.set_index("period")["quantity"]
    assert supply.sum() == 7_000_000
    assert supply["2017-03"] == 200_000  # sent for Jakarta before the run-off
    # The other 6,800,000 in equal stages April-October: 7 x 971,428 + 4.
    assert list(supply.loc["2017-04":"2017-10"]) == [971_429] * 4 + [971_428] * 3
    assert set(instance.supply["node"]) == {"VENDOR"}


def test_demand_is_the_record(instance: allocator.Instance) -> None:
    demand = instance.demand
    by = demand.groupby(["period", "category"])["quantity"].sum()
    # The 4.5 M people waiting in March, DKI's 132,183 suket holders among them.
    assert by[("2017-03", "backlog")] + by[("2017-03", "pilkada")] == 4_500_000
    assert by[("2017-03", "pilkada")] == 132_183
    assert [by[(m, "new")] for m in instance.months] == [250_000] * 10
    assert demand["quantity"].sum() == 7_000_000
    pilkada = demand[demand["category"] == "pilkada"]
    assert set(pilkada["period"]) == {"2017-03"}
    assert set(pilkada["node"]) == {"3101", "3171", "3172", "3173", "3174", "3175"}
    # Kep. Seribu: 132,183 x 30,334 / 11,038,216 (DKI register) = 363.25 -> 363.
    assert pilkada.set_index("node").at["3101", "quantity"] == 363


def test_capacities_follow_the_stated_rule(instance: allocator.Instance) -> None:
    nodes = instance.nodes.set_index("id")
    # ceil(population / 250,000) printers x 200 cards x 20 days.
    assert nodes.at["3101", "issue_capacity"] == 1 * 200 * 20  # Kep. Seribu, 30,334 people
    assert nodes.at["3175", "issue_capacity"] == 13 * 200 * 20  # Jakarta Timur, 3,230,417
    june = instance.capacity.set_index(["what", "id", "period"])["capacity"]
    assert june[("issue", "3175", "2017-06")] == 13 * 200 * 15
    assert len(instance.capacity) == 514


def test_links_follow_the_stated_rule(instance: allocator.Instance) -> None:
    links = instance.links.set_index("id")
    # cost = 10 + 0.015 x 584 road km
    assert links.at["VENDOR>WAREHOUSE:road", "cost"] == pytest.approx(18.76)
    wh = instance.links[instance.links["from"] == "WAREHOUSE"]
    modes = wh.groupby("to")["mode"].apply(lambda m: "+".join(sorted(m)))
    assert (modes == "road").sum() == 15
    assert (modes == "air+sea").sum() == 19
    slow = wh[wh["lead_time"] > 0]
    assert set(slow["id"]) == {f"WAREHOUSE>PROV-{p}:sea" for p in ("81", "82", "91", "92")}
    assert set(wh.loc[wh["mode"] == "air", "capacity"]) == {20_000}
    assert instance.links["lead_time"].max() == 1


def test_build_is_reproducible(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(FOLDER / "build.py"), "-o", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_committed_instance_is_small() -> None:
    total = sum(p.stat().st_size for p in FOLDER.rglob("*") if p.is_file())
    assert total < 1_000_000


def test_solve_verifies(instance: allocator.Instance, plan: allocator.Plan) -> None:
    assert allocator.verify(instance, plan) == []
    assert plan.summary["status"] == "optimal"
    # Supply equals demand over the horizon, and printing capacity is not short.
    assert plan.summary["totals"]["issued"] == 7_000_000


def test_dki_priority_is_served_before_the_run_off(plan: allocator.Plan) -> None:
    issuance = plan.issuance
    pilkada = issuance[issuance["category"] == "pilkada"]
    assert pilkada["issued"].sum() == 132_183
    assert pilkada.loc[pilkada["period"] <= "2017-04", "issued"].sum() == 132_183


def test_monthly_issue_is_the_supply(plan: allocator.Plan) -> None:
    # Demand exceeds supply until September (6,250,000 arisen against 6,028,572 supplied
    # by then), so every card is issued in the month it arrives; October clears the last
    # 221,428 waiting plus its own 250,000.
    months = plan.issuance.groupby("period")["issued"].sum()
    assert months["2017-03"] == 200_000
    assert list(months.loc["2017-04":"2017-09"]) == [971_429] * 4 + [971_428] * 2
    assert months["2017-10"] == 221_428 + 250_000
    assert list(months.loc["2017-11":"2017-12"]) == [250_000, 250_000]


def test_readme_results_match_a_fresh_solve(plan: allocator.Plan, tmp_path: Path) -> None:
    # The parts of the README's results that every optimal plan shares: the monthly table
    # and the run-off line (the provincial ranking is one optimal plan among many).
    plan.write(tmp_path / "plan")
    out = subprocess.run(
        [sys.executable, str(FOLDER / "results.py"), str(tmp_path / "plan")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    firm = [line for line in out.splitlines() if line.startswith("| 2017-") or "pilkada" in line]
    assert len(firm) == 11
    for line in firm:
        assert line in readme, line
