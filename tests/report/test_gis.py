"""``allocator report PLAN --format geojson``: nodes and links as one RFC 7946 file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app

REASONS = {
    "unreachable",
    "national_supply",
    "lead_time",
    "link_capacity",
    "issue_capacity",
    "storage",
    "priority",
}


@pytest.fixture(scope="module")
def explained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny plan, solved and explained by the command line, then written as GeoJSON."""
    folder = tmp_path_factory.mktemp("gis") / "plan"
    run = CliRunner().invoke(app, ["solve", str(TINY), "-o", str(folder), "--explain", "-q"])
    assert run.exit_code == 0, run.output
    run = CliRunner().invoke(app, ["report", str(folder), "--format", "geojson"])
    assert run.exit_code == 0, run.output
    assert run.output.strip() == f"wrote {folder / 'plan.geojson'}"
    return folder


def test_one_feature_collection_of_nodes_then_links_in_lon_lat(explained: Path) -> None:
    data = json.loads((explained / "plan.geojson").read_text())
    instance = allocator.load_instance(TINY)
    assert data["type"] == "FeatureCollection"
    nodes = [f for f in data["features"] if f["properties"]["layer"] == "node"]
    links = [f for f in data["features"] if f["properties"]["layer"] == "link"]
    assert len(nodes) + len(links) == len(data["features"])
    assert [f["properties"]["id"] for f in nodes] == list(instance.nodes["id"])
    assert [f["properties"]["id"] for f in links] == list(instance.links["id"])
    where = instance.nodes.set_index("id")
    for feature in nodes:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]  # RFC 7946: longitude first
        node = where.loc[feature["properties"]["id"]]
        assert (lon, lat) == (pytest.approx(node["lon"]), pytest.approx(node["lat"]))
    for feature in links:
        start, end = feature["geometry"]["coordinates"]
        props = feature["properties"]
        assert (
            start
            == next(f for f in nodes if f["properties"]["id"] == props["from"])["geometry"][
                "coordinates"
            ]
        )
        assert (
            end
            == next(f for f in nodes if f["properties"]["id"] == props["to"])["geometry"][
                "coordinates"
            ]
        )


def test_links_carry_the_shipments_per_month(explained: Path) -> None:
    data = json.loads((explained / "plan.geojson").read_text())
    plan = allocator.read_plan(explained)
    months = data["allocator"]["months"]
    assert months == ["2017-03", "2017-04", "2017-05"]
    for feature in (f for f in data["features"] if f["properties"]["layer"] == "link"):
        props = feature["properties"]
        shipped = plan.shipments[plan.shipments["link"] == props["id"]]
        assert props["cards"] == int(shipped["quantity"].sum())
        for m in months:
            assert props[f"cards_{m}"] == int(shipped.loc[shipped["period"] == m, "quantity"].sum())


def test_nodes_carry_fill_rate_waiting_and_the_main_reason(explained: Path) -> None:
    data = json.loads((explained / "plan.geojson").read_text())
    plan = allocator.read_plan(explained)
    served = plan.nodes.set_index("node")
    short = plan.extra["shortfalls"]
    for feature in (f for f in data["features"] if f["properties"]["layer"] == "node"):
        props = feature["properties"]
        if props["id"] not in served.index:
            assert props["demand"] == 0 and props["fill_rate"] is None
            continue
        row = served.loc[props["id"]]
        assert props["fill_rate"] == pytest.approx(row["fill_rate"])
        assert props["card_months_waiting"] == row["card_months_waiting"]
        mine = short[short["node"] == props["id"]]
        if mine.empty:
            assert props["reason"] is None
        else:
            top = mine.groupby("reason")["card_months"].sum().idxmax()
            assert props["reason"] == top and top in REASONS and props["evidence"]


def test_an_existing_file_is_refused(explained: Path) -> None:
    run = CliRunner().invoke(app, ["report", str(explained), "--format", "geojson"])
    assert run.exit_code != 0
    assert (explained / "plan.geojson").is_file()
