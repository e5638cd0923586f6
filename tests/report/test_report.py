"""The HTML report and the Excel workbook of a plan (issue 6).

The tiny instance's figures are worked by hand in ``instances/tiny/README.md``:
demand 15 + 10 + 10 + 10 + 5 = 50; supply 30 + 15 = 45 cards, all issued; 5
unmet; fill rate 45 / 50 = 90.0%; waiting 15 + 5 + 5 = 25; cost 55 + 85 = 140.
"""

from __future__ import annotations

import copy
import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import Solved
from openpyxl import load_workbook
from support import INSTANCES, TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app
from allocator.plan import read_plan
from allocator.plan.figures import rank_regions
from allocator.plan.xlsx import read_plan_xlsx, write_plan_xlsx
from allocator.report import render_report, write_report
from allocator.report.sections import backlog_matrix

INDONESIA = INSTANCES / "indonesia-2017"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHART_SECTIONS = {"national", "backlog", "regions", "map"}


class Page(HTMLParser):
    """Sections of a report: id, class, charts (figure.chart) and SVGs inside each."""

    def __init__(self, text: str):
        super().__init__()
        self.sections: dict[str, dict] = {}
        self.figures: dict[str, str] = {}  # data-figure -> text of its value
        self._section: str | None = None
        self._figure: str | None = None
        self._in_value = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section":
            self._section = a["id"]
            self.sections[a["id"]] = {"class": a.get("class") or "", "charts": 0, "svgs": 0}
        elif tag == "figure" and "chart" in (a.get("class") or "").split():
            self.sections[self._section]["charts"] += 1
        elif tag == "svg" and self._section:
            self.sections[self._section]["svgs"] += 1
        elif a.get("data-figure"):
            self._figure = a["data-figure"]
            if tag == "code":
                self._in_value = True
        elif self._figure and a.get("class") == "value":
            self._in_value = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None
        if tag in ("div", "code") and self._in_value:
            self._in_value = False
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._in_value and self._figure:
            self.figures[self._figure] = self.figures.get(self._figure, "") + data


def flat(text: str) -> str:
    """Terminal output with rich's line wrapping undone."""
    return " ".join(text.split())


def worst_rows(text: str) -> list[list[str]]:
    """The cells of the worst-served offices table."""
    table = re.search(r'<table class="worst">.*?<tbody>(.*?)</tbody>', text, re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", table)]


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory: pytest.TempPathFactory, teaching: Solved) -> Path:
    """The plan of ``instances/tiny`` as a folder, written once for this module."""
    folder = tmp_path_factory.mktemp("tiny") / "plan"
    copy.deepcopy(teaching["tiny"][1]).write(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_page(tiny_folder: Path) -> str:
    return render_report(tiny_folder)


# -- the tiny instance's report -------------------------------------------------------------


def test_headline_has_the_hand_worked_figures(tiny_page: str) -> None:
    figures = Page(tiny_page).figures
    assert figures == {
        "demand": "50",
        "issued": "45",
        "unmet": "5",
        "fill_rate": "90.0%",
        "waiting": "25",
        "card_months_waiting": "25",
        "cost": "140",
        "status": "optimal",
        "sha256": allocator.load_instance(TINY).sha256,
    }
    assert "<title>Plan report: tiny</title>" in tiny_page
    assert "2017-03 to 2017-05 (3 months)" in tiny_page


def test_one_chart_in_each_chart_section(tiny_page: str) -> None:
    sections = Page(tiny_page).sections
    assert set(sections) == {"headline"} | CHART_SECTIONS
    assert sections["headline"]["charts"] == 0
    for name in CHART_SECTIONS:
        assert sections[name] == {"class": "chart-section", "charts": 1, "svgs": 1}, name


def test_worst_offices_lowest_fill_rate_then_longest_wait(tiny_page: str) -> None:
    # C got 5 of 10 (50%); B all 25 but 5 waited a month (0.2 months a card); A waited 0.
    rows = worst_rows(tiny_page)
    assert [(r[0], r[3], r[4], r[5], r[6], r[7]) for r in rows] == [
        ("C", "10", "5", "5", "50.0%", "2.00"),
        ("B", "25", "25", "0", "100.0%", "0.20"),
        ("A", "15", "15", "0", "100.0%", "0.00"),
    ]


def test_backlog_by_region_and_month(tiny_folder: Path) -> None:
    # End of March 5 (B) + 10 (C); April and May C's 5 (README, 'Cards waiting').
    plan = read_plan(tiny_folder)
    regions = rank_regions(plan.nodes)
    matrix = backlog_matrix(plan, regions["region"], ["2017-03", "2017-04", "2017-05"])
    assert matrix.loc["Central Java"].tolist() == [15, 5, 5]
    assert regions[["region", "fill_rate"]].values.tolist() == [["Central Java", 0.9]]


def test_the_page_needs_no_network(tiny_page: str) -> None:
    urls = set(re.findall(r"https?://[^\"'\s)<>]+", tiny_page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "<script" not in tiny_page
    assert "<img" not in tiny_page and "<link" not in tiny_page


def test_same_plan_same_bytes(tiny_folder: Path, tiny_page: str) -> None:
    assert render_report(tiny_folder) == tiny_page


def test_without_its_instance_everything_but_the_map(tiny_folder: Path, tmp_path: Path) -> None:
    moved = tmp_path / "plan"
    shutil.copytree(tiny_folder, moved)
    summary = json.loads((moved / "summary.json").read_text())
    summary["instance"]["source"] = "no/such/instance"
    (moved / "summary.json").write_text(json.dumps(summary))
    page = render_report(moved)
    sections = Page(page).sections
    assert sections["map"] == {"class": "notice", "charts": 0, "svgs": 0}
    for name in CHART_SECTIONS - {"map"}:
        assert sections[name]["charts"] == 1
    assert "No map: its instance &#x27;no/such/instance&#x27; was not found" in page
    # ... and --instance puts the map back.
    assert Page(render_report(moved, instance=TINY)).sections["map"]["charts"] == 1


def test_a_replan_finds_the_instance_inside_its_folder(tiny_folder: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(tiny_folder, plan)
    shutil.copytree(TINY, plan / "instance")
    summary = json.loads((plan / "summary.json").read_text())
    summary["instance"]["source"] = None
    (plan / "summary.json").write_text(json.dumps(summary))
    page = render_report(plan)
    assert Page(page).sections["map"]["charts"] == 1
    assert 'class="missing"' not in page


def test_a_changed_instance_is_named(tmp_path: Path) -> None:
    instance = tmp_path / "tiny"
    shutil.copytree(TINY, instance)
    allocator.solve(instance).write(tmp_path / "plan")
    nodes = instance / "nodes.csv"
    nodes.write_text(nodes.read_text().replace("-7.70,109.00", "-7.71,109.00"))
    page = render_report(tmp_path / "plan")
    assert "has changed since this plan was made" in page
    assert Page(page).sections["map"]["charts"] == 1


def test_replan_changes_section(tiny_folder: Path, tmp_path: Path) -> None:
    replan = tmp_path / "replan"
    shutil.copytree(tiny_folder, replan)
    (replan / "changes.csv").write_text(
        "link,period,old,new,difference\n"
        "HUB>C:road,2017-04,5,0,-5\n"
        "HUB>A:road,2017-04,0,2,2\n"
        "HUB>A:road,2017-05,0,3,3\n"
    )
    summary = json.loads((replan / "summary.json").read_text())
    summary["replan"] = {
        "from": "2017-04",
        "compare": {
            "old": {"unmet": 5, "fill_rate": 0.9},
            "new": {"unmet": 0, "fill_rate": 1.0},
            "difference": {"unmet": -5, "fill_rate": 0.1},
        },
        "freeze": {"months": 1, "dropped": [{"link": "HUB>C:road", "reason": "closed"}]},
    }
    (replan / "summary.json").write_text(json.dumps(summary))
    page = render_report(replan)
    sections = Page(page).sections
    assert sections["changes"] == {"class": "chart-section", "charts": 1, "svgs": 1}
    compare = re.findall(
        r'<tr><th>([^<]*)</th><td class="num">([^<]*)</td><td class="num">([^<]*)</td>'
        r'<td class="num">([^<]*)</td></tr>',
        page,
    )
    assert compare == [
        ("unmet at horizon end", "5", "0", "-5"),
        ("fill rate", "90.0%", "100.0%", "+10.0 points"),
    ]
    assert "<tr><th>freeze dropped</th><td>1 (listed below)</td></tr>" in page
    assert "<td>HUB&gt;C:road</td><td>closed</td>" in page
    assert "<title>Re-plan report: tiny</title>" in page
    assert (
        "From 2017-04 on, 3 link-month(s) changed on 2 link(s), in 2017-04, 2017-05: 5 card(s) "
        "the old plan sent no longer travel on that link in that month (each counted once), "
        "and 5 travel where the old plan sent fewer." in html.unescape(page)
    )
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td>([^<]*)</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>"
        r"<td[^>]*>([^<]*)</td></tr>",
        page.split('class="changes"')[1],
    )
    assert rows == [
        ("HUB&gt;C:road", "2017-04", "5", "0", "-5"),
        ("HUB&gt;A:road", "2017-05", "0", "3", "+3"),
        ("HUB&gt;A:road", "2017-04", "0", "2", "+2"),
    ]


def test_a_shipment_moved_a_month_later_shows_both_months(tiny_folder: Path, tmp_path: Path):
    """Regression: summed per link, a move from May to July showed old = new, difference 0."""
    replan = tmp_path / "replan"
    shutil.copytree(tiny_folder, replan)
    (replan / "changes.csv").write_text(
        "link,period,old,new,difference\nHUB>B:road,2017-04,10,0,-10\nHUB>B:road,2017-05,0,10,10\n"
    )
    summary = json.loads((replan / "summary.json").read_text())
    summary["replan"] = {"from": "2017-04"}
    (replan / "summary.json").write_text(json.dumps(summary))
    page = html.unescape(render_report(replan))
    assert "10 card(s) the old plan sent no longer travel on that link in that month" in page
    assert "<td>HUB>B:road</td><td>2017-04</td>" in page
    assert "<td>HUB>B:road</td><td>2017-05</td>" in page
    assert "cards shipped over" not in page


# -- the workbook ----------------------------------------------------------------------------


def test_xlsx_round_trips_to_the_csv_tables(tiny_folder: Path, tmp_path: Path) -> None:
    path = write_plan_xlsx(tiny_folder, tmp_path / "plan.xlsx")
    sheets = read_plan_xlsx(path)
    plan = read_plan(tiny_folder)
    assert list(sheets) == [
        "summary",
        "shipments",
        "issuance",
        "stock",
        "nodes",
        "dispatch 2017-03",
        "dispatch 2017-04",
        "regions",
        "months",
        "details",
    ]
    for name, table in plan.tables.items():
        pd.testing.assert_frame_equal(sheets[name], table, check_dtype=True)
    assert len(sheets["shipments"]) == 7 and len(sheets["stock"]) == 0
    summary = dict(zip(sheets["details"]["key"], sheets["details"]["value"], strict=True))
    assert summary["totals.demand"] == 50
    assert summary["objective.cost"] == 140
    assert summary["solver.stages.0.objective"] == "waiting"
    pd.testing.assert_frame_equal(sheets["months"], pd.DataFrame(plan.summary["months"]))
    assert sheets["months"]["backlog"].tolist() == [15, 5, 5]


def test_xlsx_header_frozen_columns_sized_text_kept(tiny_folder: Path, tmp_path: Path) -> None:
    plan = read_plan(tiny_folder)
    plan.nodes.loc[plan.nodes["node"] == "A", "name"] = "=1+1"  # text, not a formula
    path = write_plan_xlsx(plan, tmp_path / "plan.xlsx")
    book = load_workbook(path)
    assert all(sheet.freeze_panes == "A2" for sheet in book.worksheets)
    nodes = book["nodes"]
    assert nodes["B2"].value == "=1+1" and nodes["B2"].data_type == "s"
    # 'District office B' is 17 characters, the longest name: 17 + 2, + 2 for the filter.
    assert nodes.column_dimensions["B"].width == 21
    assert nodes["D1"].value == "demand" and nodes["D1"].font.b
    assert nodes["D2"].number_format == "#,##0" and nodes["G2"].number_format == "0.0%"
    assert read_plan_xlsx(path)["nodes"]["name"].tolist()[0] == "=1+1"
    with pytest.raises(allocator.PlanExistsError):
        write_plan_xlsx(plan, path)


# -- the command line -------------------------------------------------------------------------


def test_solve_writes_report_and_workbook_in_the_plan(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "plan"
    result = runner.invoke(
        app, ["solve", str(TINY), "-o", str(folder), "--report", "--format", "xlsx", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "issuance.csv",
        "nodes.csv",
        "plan.xlsx",
        "report.html",
        "shipments.csv",
        "stock.csv",
        "summary.json",
    ]
    # The report written at solve time is the one `allocator report` makes from the folder.
    again = tmp_path / "again.html"
    result = runner.invoke(app, ["report", str(folder), "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == (folder / "report.html").read_bytes()
    sheets = read_plan_xlsx(folder / "plan.xlsx")
    for name, table in read_plan(folder).tables.items():
        pd.testing.assert_frame_equal(sheets[name], table)


def test_replan_writes_report_and_workbook_in_the_plan(tiny_folder: Path, tmp_path: Path) -> None:
    supply = tmp_path / "supply.csv"
    supply.write_text("node,period,quantity\nVENDOR,2017-04,5\n")  # April's 15 cut to 5
    folder = tmp_path / "replan"
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "replan",
            str(TINY),
            "--plan",
            str(tiny_folder),
            "--from",
            "2017-04",
            "--supply",
            str(supply),
            "-o",
            str(folder),
            "--report",
            "--format",
            "xlsx",
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    page = (folder / "report.html").read_text()
    assert Page(page).sections["changes"]["charts"] == 1
    assert "<title>Re-plan report: tiny-from-2017-04</title>" in page
    # April ships 10 fewer cards VENDOR>HUB: the changes table says so.
    assert "<tr><td>VENDOR&gt;HUB:rail</td>" in page and '<td class="num">-10</td>' in page
    again = tmp_path / "again.html"
    assert runner.invoke(app, ["report", str(folder), "-o", str(again)]).exit_code == 0
    assert again.read_bytes() == page.encode()
    sheets = read_plan_xlsx(folder / "plan.xlsx")
    plan = read_plan(folder)
    assert "changes" in plan.tables
    for name, table in plan.tables.items():
        pd.testing.assert_frame_equal(sheets[name], table)


def test_failed_solve_writes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "plan"
    result = runner.invoke(
        app, ["solve", str(TINY), "-o", str(folder), "--report", "--time-limit", "0"]
    )
    assert result.exit_code == 1
    result = runner.invoke(app, ["solve", str(TINY), "-o", str(folder), "--format", "pdf"])
    assert result.exit_code == 2
    assert "--format: unknown format 'pdf'; choose from csv, xlsx" in flat(result.output)
    assert list(tmp_path.iterdir()) == []


def test_report_default_output_and_refusal(tiny_folder: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(tiny_folder, plan)
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(plan)])
    assert result.exit_code == 0, result.output
    assert (plan / "report.html").read_text().startswith("<!DOCTYPE html>")
    result = runner.invoke(app, ["report", str(plan)])
    assert result.exit_code == 2
    assert "report.html already exists; use --force to replace it" in flat(result.output)
    assert runner.invoke(app, ["report", str(plan), "--force"]).exit_code == 0


def test_report_of_an_incomplete_plan_folder(tiny_folder: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(tiny_folder, plan)
    (plan / "stock.csv").unlink()
    result = CliRunner().invoke(app, ["report", str(plan), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert f"stock.csv: missing from plan folder {plan}" in flat(result.output)
    assert not (tmp_path / "r.html").exists()


def test_report_warns_when_the_map_is_missing(tiny_folder: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(tiny_folder, plan)
    summary = json.loads((plan / "summary.json").read_text())
    summary["instance"]["source"] = str(tmp_path / "gone")
    (plan / "summary.json").write_text(json.dumps(summary))
    result = CliRunner().invoke(app, ["report", str(plan)], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    assert result.stderr.startswith(
        f"warning: This plan was not checked: its instance '{tmp_path / 'gone'}' was not found"
    )
    page = (plan / "report.html").read_text()
    assert '<div class="banner warning" role="alert"><p>This plan was not checked' in page


# -- a real browser -------------------------------------------------------------------------------

PROBE = """<script>
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(
  e.message || ("failed to load " + (e.target.src || e.target.href || e.target.tagName))), true);
window.addEventListener("load", () => {
  const charts = [...document.querySelectorAll("figure.chart")].map((f) => {
    const box = f.querySelector("svg").getBoundingClientRect();
    return {id: f.id, width: box.width, height: box.height};
  });
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({errors: window.__errors, charts: charts});
  document.body.appendChild(out);
});
</script>"""


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium with no network: every host resolves to nothing."""
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium; CI has it)")
def test_indonesia_report_in_headless_chromium(tmp_path: Path) -> None:
    plan = tmp_path / "plan"
    allocator.solve(INDONESIA).write(plan)
    report = write_report(plan, tmp_path / "report.html")
    page = report.read_text()
    assert len(page) < 1_500_000
    assert {s: v["charts"] for s, v in Page(page).sections.items()} == {
        "headline": 0,
        "national": 1,
        "backlog": 1,
        "regions": 1,
        "map": 1,
    }

    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1))
    run = chromium(
        "--virtual-time-budget=10000",
        "--window-size=1280,900",
        "--dump-dom",
        probed.as_uri(),
        profile=tmp_path / "profile-dom",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found, "the page did not finish loading: " + run.stdout[-500:]
    probe = json.loads(html.unescape(found.group(1)))
    assert probe["errors"] == []
    assert [c["id"] for c in probe["charts"]] == [
        "chart-national",
        "chart-backlog",
        "chart-regions",
        "chart-map",
    ]
    for chart in probe["charts"]:  # in a 1280 px window the main column is 1000 px wide
        assert 900 <= chart["width"] <= 1000 and chart["height"] >= 250, chart

    shot = tmp_path / "report.png"
    run = chromium(
        f"--screenshot={shot}", "--window-size=1280,6000", report.as_uri(), profile=tmp_path / "p2"
    )
    assert run.returncode == 0 and shot.is_file(), run.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as image:
        assert image.size == (1280, 6000)
        pixels = np.asarray(image.convert("L"), dtype=float)
    # Charts put ink on the page: well over 2% of the pixels are dark, not a blank render.
    assert (pixels < 128).mean() > 0.02
