"""Dispatch pages and the ``dispatch`` command (issue 14)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from support import TINY
from typer.testing import CliRunner

import allocator
from allocator.cli import app
from allocator.report.dispatch_page import write_dispatch


class Rows(HTMLParser):
    """The text of the ``<h1>``, the month line and every body row of a dispatch page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.heading = self.month = ""
        self._where: list[str] = []
        self._cell: list[str] | None = None
        self._month = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._where.append(tag)
        if tag == "tr" and "tbody" in self._where:
            self.rows.append([])
        if tag == "td" and "tbody" in self._where:
            self._cell = []
        self._month = tag == "p" and ("class", "month") in attrs

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        self._where.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._where[-1:] == ["h1"]:
            self.heading += data
        elif self._month:
            self.month += data


def test_each_page_lists_exactly_its_shipments_of_the_month(
    indonesia_instance: allocator.Instance, indonesia_plan: allocator.Plan, tmp_path: Path
) -> None:
    folder, lists = write_dispatch(indonesia_plan, tmp_path / "d", instance=indonesia_instance)
    ships = indonesia_plan.shipments
    names = dict(zip(indonesia_instance.nodes["id"], indonesia_instance.nodes["name"], strict=True))
    pages = sorted((folder / "pages").glob("*.html"))
    assert len(pages) == ships.groupby(["from", "period"]).ngroups == len(lists.totals)
    for (sender, month), path in zip(lists.pages(), sorted(lists.pages()), strict=True):
        assert (sender, month) == path  # pages come sorted by sender, then month
    for sender, month in lists.pages():
        page = Rows((folder / "pages" / f"{sender}_{month}.html").read_text())
        assert page.heading == f"Dispatch list: {names[sender]} ({sender})"
        assert page.month == pd.Period(month, freq="M").strftime("%B %Y")
        mine = ships[(ships["from"] == sender) & (ships["period"] == month)]
        got = sorted((r[0], int(r[4].replace(",", ""))) for r in page.rows)
        assert got == sorted(zip(mine["to"], mine["quantity"].astype(int), strict=True))
    csv = pd.read_csv(folder / "dispatch.csv", dtype={"from": str, "to": str})
    assert csv["cards"].sum() == ships["quantity"].sum()
    assert (folder / "index.html").read_text().count('href="pages/') == len(pages)


def test_dispatch_command_writes_refuses_and_names_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    plan = tmp_path / "plan"
    allocator.solve(allocator.load_instance(TINY)).write(plan)
    out = tmp_path / "out"
    args = ["dispatch", str(plan), "-o", str(out), "--instance", str(TINY), "--from", "HUB"]
    run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    assert "2 consignment(s)" not in run.output and "4 consignment(s), 45 cards" in run.output
    assert sorted(p.name for p in (out / "pages").iterdir()) == [
        "HUB_2017-03.html",
        "HUB_2017-04.html",
    ]
    assert runner.invoke(app, args).exit_code != 0  # exists: refused without --force
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    bad = runner.invoke(app, ["dispatch", str(plan), "-o", str(tmp_path / "x"), "--from", "HBU"])
    assert bad.exit_code == 2
    assert "no node 'HBU' in the plan's instance; did you mean 'HUB'" in bad.output
    assert not (tmp_path / "x").exists()
