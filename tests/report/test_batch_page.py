"""``allocator report RESULTS``: a batch's page, scenarios ranked against the base (issue 14).

On ``instances/tiny`` with office C in its own region ``Remote`` (the
optima are worked by hand in ``tests/whatif/test_batch.py``): base W 25;
``march-late`` W 95 (+70), ``april-late`` W 45 (+20), ``c-cut-off`` W 35 (+10,
Remote's C gets none: unmet 10 against 5), ``no-rail-march`` W 25 (0, cost +20).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from support import INSTANCES
from typer.testing import CliRunner

from allocator.cli import app
from allocator.report.batch_page import write_batch_report
from allocator.whatif import write_batch

SCENARIOS = """scenario,change,target,period,value
april-late,supply_delay,VENDOR,2017-04,1
c-cut-off,link_capacity,HUB>C:road,,0
no-rail-march,link_capacity,VENDOR>HUB:rail,2017-03,0
march-late,supply_delay,VENDOR,2017-03,1
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("batch")
    tiny = root / "tiny"
    shutil.copytree(INSTANCES / "tiny", tiny)
    nodes = tiny / "nodes.csv"
    nodes.write_text(
        nodes.read_text().replace(
            "C,District office C,office,Central Java", "C,District office C,office,Remote"
        )
    )
    (root / "what-if.csv").write_text(SCENARIOS)
    write_batch(tiny, root / "what-if.csv", root / "results", workers=1)
    return root / "results"


def _rows(page: str, sid: str) -> list[list[str]]:
    body = re.search(rf'<section id="{sid}".*?</section>', page, re.S)
    assert body, sid
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row)
        for row in re.findall(r"<tr>(.*?)</tr>", body.group(0))
        if "<td" in row
    ]


def test_scenarios_ranked_by_added_waiting(results: Path, tmp_path: Path) -> None:
    page = write_batch_report(results, tmp_path / "page.html").read_text()
    ranked = [(r[1], r[3]) for r in _rows(page, "ranked")]
    assert ranked == [
        ("march-late", "+70"),
        ("april-late", "+20"),
        ("c-cut-off", "+10"),
        ("no-rail-march", "0"),
    ]
    assert "<b>march-late</b> adds most waiting: +70 card-months" in page
    assert page.count('<figure class="chart"') == 1 and "<svg" in page
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_provinces_that_lose_most(results: Path, tmp_path: Path) -> None:
    page = write_batch_report(results, tmp_path / "page.html").read_text()
    provinces = re.search(r'<section id="provinces".*?</section>', page, re.S).group(0)
    cut = provinces[provinces.index("<h3>c-cut-off</h3>") :]
    first = re.findall(r"<td[^>]*>(.*?)</td>", cut.split("</table>")[0])
    # Remote's C gets nothing: 5 more cards unmet, 50% -> 0%.
    assert first[0] == "Remote" and first[2] == "+5" and first[3:5] == ["50.0%", "0.0%"]


def test_report_command_on_a_results_folder(results: Path, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    shutil.copytree(results, folder)
    runner = CliRunner()
    run = runner.invoke(app, ["report", str(folder)])
    assert run.exit_code == 0, run.output
    assert (folder / "report.html").is_file()
    assert runner.invoke(app, ["report", str(folder)]).exit_code == 2  # exists
    assert runner.invoke(app, ["report", str(folder), "--force"]).exit_code == 0
    old = tmp_path / "old"
    old.mkdir()
    (old / "scenarios.csv").write_text(
        "scenario,status,message,waiting,unmet,fill_rate,worst_region,worst_region_fill_rate,"
        "cost,seconds\nlate,optimal,,45,5,0.9,Remote,0.5,135,0.1\n"
    )
    run = runner.invoke(app, ["report", str(old)])
    assert run.exit_code == 2
    assert "the first row is not 'base'" in run.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (apt-get install chromium; CI has it)")
def test_batch_page_loads_and_its_chart_has_size(results: Path, tmp_path: Path) -> None:
    from test_report import PROBE, chromium

    page = write_batch_report(results, tmp_path / "page.html").read_text()
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1))
    run = chromium(
        "--virtual-time-budget=10000",
        "--window-size=1280,900",
        "--dump-dom",
        probed.as_uri(),
        profile=tmp_path / "profile",
    )
    assert run.returncode == 0, run.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found, run.stdout[-500:]
    import html

    probe = json.loads(html.unescape(found.group(1)))
    assert probe["errors"] == []
    assert [c["id"] for c in probe["charts"]] == ["chart-against"]
    chart = probe["charts"][0]
    assert 900 <= chart["width"] <= 1000 and chart["height"] >= 150, chart


def test_a_failed_base_is_said_not_drawn(results: Path, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    shutil.copytree(results, folder)
    table = (folder / "scenarios.csv").read_text().splitlines()
    fields = table[1].split(",")
    assert fields[0] == "base"
    # as write_batch records a base over its time limit: no figures, the message
    table[1] = "base,failed,time limit of 0 s reached" + "," * (len(fields) - 3)
    (folder / "scenarios.csv").write_text("\n".join(table) + "\n")
    page = write_batch_report(folder, tmp_path / "page.html").read_text()
    assert "The base failed: time limit of 0 s reached" in page
    assert page.count("the base failed: nothing to compare with") == 2  # chart, provinces
    assert "<svg" not in page
