"""What-ifs against the base (issue 14): the first row ``base`` and every row's difference.

The instance is ``instances/tiny`` with office C in a region of its own,
``Remote`` (as in ``test_batch.py``, whose docstring works each optimum by
hand): base W 25, C 140, unmet 5; ``april-late`` W 45, C 135, unmet 5;
``c-cut-off`` W 35, C 115, unmet 10 (C's 10 all unmet, against 5 in base).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support import INSTANCES
from typer.testing import CliRunner

import allocator
from allocator.cli import app
from allocator.whatif import RESULT_COLUMNS, run_batch
from allocator.whatif.base import REGION_COLUMNS, VS_BASE_COLUMNS
from allocator.whatif.task import figures

SCENARIOS = """scenario,change,target,period,value
april-late,supply_delay,VENDOR,2017-04,1
c-cut-off,link_capacity,HUB>C:road,,0
march-late,supply_delay,VENDOR,2017-03,1
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """``instances/tiny`` with office C in a region of its own, ``Remote``."""
    folder = tmp_path / "tiny"
    shutil.copytree(INSTANCES / "tiny", folder)
    nodes = folder / "nodes.csv"
    nodes.write_text(
        nodes.read_text().replace(
            "C,District office C,office,Central Java", "C,District office C,office,Remote"
        )
    )
    return folder


@pytest.fixture
def scenarios(tmp_path: Path) -> Path:
    path = tmp_path / "what-if.csv"
    path.write_text(SCENARIOS)
    return path


FIGURES = ["status", "waiting", "unmet", "fill_rate", "worst_region", "worst_region_fill_rate"]


def test_base_row_is_an_independent_solve_of_the_instance(tiny: Path, scenarios: Path) -> None:
    table = run_batch(tiny, scenarios, workers=1)
    assert list(table.columns) == RESULT_COLUMNS
    assert RESULT_COLUMNS[-3:] == VS_BASE_COLUMNS
    assert table["scenario"].tolist() == ["base", "april-late", "c-cut-off", "march-late"]
    alone = figures(allocator.solve(allocator.load_instance(tiny)))
    base = table.iloc[0]
    assert {k: base[k] for k in [*FIGURES, "cost"]} == {k: alone[k] for k in [*FIGURES, "cost"]}
    assert (base["waiting"], base["cost"], base["unmet"]) == (25, 140, 5)
    assert base["message"] == ""
    assert (base["waiting_vs_base"], base["unmet_vs_base"], base["cost_vs_base"]) == (0, 0, 0)


def test_every_vs_base_is_the_scenario_minus_the_base(tiny: Path, scenarios: Path) -> None:
    table = run_batch(tiny, scenarios, workers=1, time_limit={"march-late": 0.0}).set_index(
        "scenario"
    )
    assert table.loc["april-late", VS_BASE_COLUMNS].tolist() == [20, 0, -5]  # by hand
    assert table.loc["c-cut-off", VS_BASE_COLUMNS].tolist() == [10, 5, -25]
    ok = table[table["status"] != "failed"]
    for figure, column in zip(("waiting", "unmet", "cost"), VS_BASE_COLUMNS, strict=True):
        assert (ok[column] == ok[figure] - ok.at["base", figure]).all()
    failed = table.loc["march-late"]  # failed: no figures, so no difference either
    assert failed["status"] == "failed" and failed[VS_BASE_COLUMNS].isna().all()


def test_with_a_baseline_the_base_is_the_baseline_replanned_unchanged(
    tiny: Path, scenarios: Path, tmp_path: Path
) -> None:
    instance = allocator.load_instance(tiny)
    plan = allocator.solve(instance)
    from_april = tmp_path / "from-april.csv"
    from_april.write_text("".join(SCENARIOS.splitlines(keepends=True)[:3]))  # not March's
    table = run_batch(tiny, from_april, workers=1, baseline=plan, start="2017-04")
    again = figures(allocator.replan(instance, plan, start="2017-04"))
    base = table.iloc[0]
    assert base["scenario"] == "base"
    assert {k: base[k] for k in [*FIGURES, "cost"]} == {k: again[k] for k in [*FIGURES, "cost"]}
    assert (base["waiting"], base["cost"]) == (10, 55)  # April and May of the plan, as planned
    late = table.set_index("scenario").loc["april-late"]
    assert late["waiting_vs_base"] == late["waiting"] - 10


def test_regions_against_the_base(tiny: Path, scenarios: Path, tmp_path: Path) -> None:
    out = tmp_path / "results"
    run = CliRunner().invoke(
        app, ["batch", str(tiny), str(scenarios), "-o", str(out), "--workers", "1"]
    )
    assert run.exit_code == 0, run.output
    assert "vs base" in run.output
    scenarios_csv = pd.read_csv(out / "scenarios.csv", keep_default_na=False)
    assert scenarios_csv.columns.tolist() == RESULT_COLUMNS
    assert scenarios_csv["scenario"].iloc[0] == "base"
    regions = pd.read_csv(out / "regions.csv")
    assert regions.columns.tolist() == REGION_COLUMNS
    assert regions["scenario"].drop_duplicates().tolist() == ["base", "april-late", "c-cut-off",
                                                               "march-late"]  # fmt: skip
    cut = regions.set_index(["scenario", "region"]).loc[("c-cut-off", "Remote")]
    assert (cut["unmet"], cut["unmet_vs_base"], cut["fill_rate_vs_base"]) == (10, 5, -0.5)
    base = regions[regions["scenario"] == "base"].set_index("region")
    for row in regions.itertuples(index=False):
        assert row.unmet_vs_base == row.unmet - base.at[row.region, "unmet"]
        assert row.card_months_vs_base == (
            row.card_months_waiting - base.at[row.region, "card_months_waiting"]
        )
        assert np.isclose(row.fill_rate_vs_base, row.fill_rate - base.at[row.region, "fill_rate"])


def test_a_scenario_may_not_be_called_base(tiny: Path, tmp_path: Path) -> None:
    table = tmp_path / "what-if.csv"
    table.write_text("scenario,change,target,period,value\nbase,supply_scale,*,,1\n")
    with pytest.raises(allocator.InputError) as caught:
        run_batch(tiny, table, workers=1)
    assert [str(p) for p in caught.value.problems] == [
        "what-if.csv, column 'scenario': 'base' is the name of the batch's first row, the "
        "instance unchanged; give the scenario another name"
    ]
