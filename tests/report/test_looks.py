"""The report made to be looked at: basemap, measures, shares, clearing months, cost, stock."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import pytest
from support import Solved

from allocator.report import render_report
from allocator.report.basemap import load_basemap
from allocator.report.maps import hub_label, map_measure
from allocator.report.views import backlog_clears, cost_split, hub_stock, share_waiting


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, teaching: Solved) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("looks") / "plan"
    copy.deepcopy(teaching["tiny"][1]).write(folder)
    return folder, render_report(folder)


def test_the_map_draws_the_coastlines_and_names_their_source(tiny: tuple[Path, str]) -> None:
    page = tiny[1]
    coast = re.search(r'<g id="map-coastline">(.*?)</g>', page, re.S)
    assert coast, "the map has no coastline group"
    basemap = load_basemap()
    assert coast.group(1).count("<path") == len(basemap.indonesia) > 100
    assert '<g id="map-neighbours">' in page
    borders = re.search(r'<g id="map-provinces">(.*?)</g>', page, re.S)
    assert borders, "the map has no province borders"
    assert borders.group(1).count("<path") == len(basemap.provinces) > 20
    assert (
        '<p class="note attribution">Coastlines and province borders: Natural Earth '
        "(public domain)" in page
    )


def test_the_province_borders_include_the_one_between_west_and_central_java() -> None:
    """Jawa Barat meets Jawa Tengah around 108.5-109 E, from the north coast to the south."""
    lines = load_basemap().provinces
    java = [
        line
        for line in lines
        if (
            (line[:, 0] > 108.3) & (line[:, 0] < 109.2) & (line[:, 1] > -8) & (line[:, 1] < -6.5)
        ).any()
    ]
    assert java, "no border crosses Java between 108.3 and 109.2 E"
    span = max(line[:, 1].max() - line[:, 1].min() for line in java)
    assert span > 0.8  # it runs across the island, about a degree of latitude


def test_the_basemap_is_indonesia_in_lon_lat() -> None:
    rings = load_basemap().indonesia
    lon = pd.concat([pd.Series(r[:, 0]) for r in rings])
    lat = pd.concat([pd.Series(r[:, 1]) for r in rings])
    assert 94 <= lon.min() < 96 and 140 < lon.max() <= 142
    assert -11.5 <= lat.min() < -10 and 5 < lat.max() <= 7


def test_the_map_colours_by_the_measure_that_differs() -> None:
    short = pd.DataFrame({"fill_rate": [1.0, 0.5, None]})
    served = pd.DataFrame({"fill_rate": [1.0, 1.0, None]})
    assert map_measure(short) == "fill_rate"
    assert map_measure(served) == "months_waited"
    assert hub_label("Hub Banda Aceh (Aceh)") == "Banda Aceh"
    assert hub_label("Central warehouse (Jakarta)") == "Central warehouse"


def test_the_month_each_backlog_clears() -> None:
    months = ["2017-03", "2017-04", "2017-05"]
    backlog = pd.DataFrame(
        [[5, 0, 0], [0, 3, 2], [0, 0, 0], [4, 0, 1]],
        index=["A", "B", "C", "D"],
        columns=months,
    )
    clears = backlog_clears(backlog).set_index("region")
    assert clears["clears"].tolist() == ["2017-04", "", "2017-03", ""]
    assert clears["peak"].tolist() == [5, 3, 0, 4]
    assert clears["peak_month"].tolist() == ["2017-03", "2017-04", "", "2017-03"]
    assert clears["left"].tolist() == [0, 2, 0, 1]


def test_share_still_waiting_is_backlog_over_demand_so_far(teaching: Solved) -> None:
    plan = teaching["tiny"][1]
    months = ["2017-03", "2017-04", "2017-05"]
    regions = pd.Series(sorted(plan.nodes["region"].unique()))
    share = share_waiting(plan, regions, months)
    region_of = plan.nodes.set_index("node")["region"]
    rows = plan.issuance.assign(region=plan.issuance["node"].map(region_of))
    for region in regions:
        mine = rows[rows["region"] == region].groupby("period")[["demand", "backlog"]].sum()
        so_far = mine["demand"].reindex(months, fill_value=0).cumsum()
        backlog = mine["backlog"].reindex(months, fill_value=0)
        for m in months:
            expected = backlog[m] / so_far[m] if so_far[m] else 0.0
            assert share.loc[region, m] == pytest.approx(expected)


def test_cost_by_mode_and_holding_adds_up_to_the_plans_cost(teaching: Solved) -> None:
    instance, plan = teaching["tiny"][0], teaching["tiny"][1]
    split = cost_split(plan, instance)
    assert split["what"].iloc[-1] == "holding"
    assert set(split["what"][:-1]) == set(plan.shipments["mode"])
    assert split["cost"].sum() == pytest.approx(plan.summary["objective"]["cost"])
    assert split["share"].sum() == pytest.approx(1.0)


def test_stock_at_every_hub_and_month_zeros_included(teaching: Solved) -> None:
    instance, plan = teaching["tiny"][0], teaching["tiny"][1]
    months = ["2017-03", "2017-04", "2017-05"]
    stock = hub_stock(plan, instance, months)
    holders = instance.nodes.loc[instance.nodes["kind"].isin(["hub", "source"]), "id"]
    assert list(stock.index) == list(holders) and list(stock.columns) == months
    kept = plan.stock[plan.stock["node"].isin(holders)]
    assert int(stock.to_numpy().sum()) == int(kept["stock"].sum())


def test_a_month_axis_stays_legible_at_24_and_36_months() -> None:
    from allocator.instance.periods import month_labels
    from allocator.report.charts import axis_month_labels, cards

    named = [x for x in axis_month_labels(month_labels("2017-03", 36)) if x]
    assert named == ["Mar\n2017", "Jul", "Oct", "Jan\n2018", "Apr", "Jul", "Oct", "Jan\n2019",
                     "Apr", "Jul", "Oct", "Jan\n2020"]  # fmt: skip
    named = [x for x in axis_month_labels(month_labels("2017-11", 24)) if x]
    assert named == ["Nov\n2017", "Apr\n2018", "Jul", "Oct", "Jan\n2019", "Apr", "Jul", "Oct"]
    assert axis_month_labels(["2017-11", "2017-12", "2018-01"]) == ["Nov\n2017", "Dec", "Jan\n2018"]
    assert [cards(v) for v in (950, 12_000, 4_500_000, 13_640_671_713)] == [
        "950", "12k", "4.5M", "13.6B"
    ]  # fmt: skip
