"""``plan.xlsx`` a planner can filter (issue 14): filters, date cells, names, full stock, words.

The tiny plan (``instances/tiny/README.md``): demand 50, issued 45, 5 unmet,
shipments leave in 2017-03 and 2017-04, no stock held at any month's end.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from support import INSTANCES

import allocator
from allocator.plan.xlsx import read_plan_xlsx, write_plan_xlsx


def test_every_sheet_has_a_filter_over_its_table(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, tmp_path: Path
) -> None:
    book = load_workbook(write_plan_xlsx(tiny_plan, tmp_path / "p.xlsx", instance=tiny_instance))
    for sheet in book.worksheets:
        last = sheet.cell(1, sheet.max_column).column_letter
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}", sheet.title
    assert book["shipments"].auto_filter.ref == "A1:I8"  # 9 columns, 7 shipments


def test_months_are_dates_shown_mmm_yyyy(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, tmp_path: Path
) -> None:
    book = load_workbook(write_plan_xlsx(tiny_plan, tmp_path / "p.xlsx", instance=tiny_instance))
    ships = book["shipments"]
    header = [c.value for c in ships[1]]
    period = ships.cell(2, header.index("period") + 1)
    assert period.is_date and period.value == dt.datetime(2017, 3, 1)
    assert period.number_format == "mmm yyyy"
    months = book["months"]
    assert [months.cell(r, 1).value for r in (2, 3, 4)] == [
        dt.datetime(2017, 3, 1),
        dt.datetime(2017, 4, 1),
        dt.datetime(2017, 5, 1),
    ]
    assert all(months.cell(r, 1).number_format == "mmm yyyy" for r in (2, 3, 4))


def test_names_beside_every_id(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, tmp_path: Path
) -> None:
    book = load_workbook(write_plan_xlsx(tiny_plan, tmp_path / "p.xlsx", instance=tiny_instance))
    rows = list(book["shipments"].iter_rows(values_only=True))
    assert rows[0] == ("link", "from", "from_name", "to", "to_name", "mode", "period",
                       "arrival", "quantity")  # fmt: skip
    assert rows[1][:5] == ("HUB>A:road", "HUB", "Provincial hub Semarang", "A", "District office A")
    vendor = [r for r in rows if r[1] == "VENDOR"]
    assert {r[2] for r in vendor} == {"Vendor factory Kudus"}
    for name in ("issuance", "stock"):
        first = list(book[name].iter_rows(max_row=2, values_only=True))
        assert first[0][:2] == ("node", "name") and first[1][:2] == ("A", "District office A")


def test_stock_for_every_node_and_month_zeros_included(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, tmp_path: Path
) -> None:
    book = load_workbook(write_plan_xlsx(tiny_plan, tmp_path / "p.xlsx", instance=tiny_instance))
    rows = list(book["stock"].iter_rows(min_row=2, values_only=True))
    # No node of tiny has storage 0: 5 nodes x 3 months, every stock 0 (the plan holds none).
    assert len(rows) == 15 and {r[3] for r in rows} == {0}
    assert sorted({r[0] for r in rows}) == ["A", "B", "C", "HUB", "VENDOR"]


def test_summary_in_words(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, tmp_path: Path
) -> None:
    book = load_workbook(write_plan_xlsx(tiny_plan, tmp_path / "p.xlsx", instance=tiny_instance))
    assert book.sheetnames[0] == "summary"
    words = dict(book["summary"].iter_rows(min_row=2, values_only=True))
    assert words["Cards demanded"] == 50 and words["Cards issued"] == 45
    assert words["Cards still owed at the end"] == 5
    assert words["Share of demand issued"] == "90.0% (45 of 50 cards)"
    assert words["Card-months waited"] == 25
    assert words["Transport and storage cost (then minimised)"] == 140
    assert words["Months planned"] == "Mar 2017 to May 2017 (3 months)"
    assert not any("." in str(label) for label in words)  # no solver.stages.0.iterations.ipm
    details = dict(book["details"].iter_rows(min_row=2, values_only=True))
    assert details["totals.unmet"] == 5  # the whole summary stays, out of the way


def test_indonesia_round_trips_and_dispatch_sheets_add_up(
    indonesia_instance: allocator.Instance, indonesia_plan: allocator.Plan, tmp_path: Path
) -> None:
    path = write_plan_xlsx(indonesia_plan, tmp_path / "p.xlsx", instance=indonesia_instance)
    sheets = read_plan_xlsx(path)
    for name, table in indonesia_plan.tables.items():
        pd.testing.assert_frame_equal(sheets[name], table.reset_index(drop=True))
    ships = indonesia_plan.shipments
    dispatch = {k: v for k, v in sheets.items() if k.startswith("dispatch ")}
    assert sorted(dispatch) == [f"dispatch {m}" for m in sorted(set(ships["period"]))]
    for name, table in dispatch.items():
        month = name.removeprefix("dispatch ")
        assert table["cards"].sum() == ships.loc[ships["period"] == month, "quantity"].sum()
        assert set(table["depart"]) == {month}
    book = load_workbook(path, read_only=True)
    stock_rows = sum(1 for _ in book["stock"].iter_rows(min_row=2))
    holders = indonesia_instance.nodes["storage"].isna() | (indonesia_instance.nodes["storage"] > 0)
    assert stock_rows == int(holders.sum()) * indonesia_instance.periods


def test_an_instance_workbook_with_date_cells_reads_as_the_instance(tmp_path: Path) -> None:
    folder = INSTANCES / "tiny"
    book = tmp_path / "tiny.xlsx"
    with pd.ExcelWriter(book) as writer:
        pd.DataFrame(
            {"key": ["name", "start", "periods"], "value": ["tiny", dt.date(2017, 3, 1), 3]}
        ).to_excel(writer, sheet_name="instance", index=False)
        pd.DataFrame({"category": ["regular", "priority"], "weight": [1.0, 5.0]}).to_excel(
            writer, sheet_name="categories", index=False
        )
        for table in ("nodes", "links", "supply", "demand"):
            frame = pd.read_csv(folder / f"{table}.csv")
            if "period" in frame:
                frame["period"] = pd.to_datetime(frame["period"] + "-01")
            frame.to_excel(writer, sheet_name=table, index=False)
    from_book, from_folder = allocator.load_instance(book), allocator.load_instance(folder)
    assert from_book.months == from_folder.months
    for table in ("supply", "demand"):
        pd.testing.assert_frame_equal(
            getattr(from_book, table), getattr(from_folder, table), check_like=True
        )


def test_a_replans_changes_name_each_links_ends(
    tiny_instance: allocator.Instance, tiny_plan: allocator.Plan, tmp_path: Path
) -> None:
    replan = allocator.replan(tiny_instance, tiny_plan, start="2017-04")
    path = write_plan_xlsx(replan, tmp_path / "p.xlsx")  # a re-plan carries its instance
    rows = list(load_workbook(path)["changes"].iter_rows(max_row=2, values_only=True))
    assert rows[0][:5] == ("link", "from", "from_name", "to", "to_name")
    assert rows[1][:5] == ("HUB>A:road", "HUB", "Provincial hub Semarang", "A", "District office A")
    pd.testing.assert_frame_equal(read_plan_xlsx(path)["changes"], replan.extra["changes"])


def test_stock_leaves_out_a_node_and_month_that_cannot_hold_cards(tmp_path: Path) -> None:
    """A with storage 0 holds nothing, except in April, when capacity.csv lets it hold 5."""
    folder = tmp_path / "tiny"
    shutil.copytree(INSTANCES / "tiny", folder)
    nodes = pd.read_csv(folder / "nodes.csv")
    nodes["storage"] = pd.array([None, None, 0, None, None], dtype="Int64")
    nodes.to_csv(folder / "nodes.csv", index=False)
    (folder / "capacity.csv").write_text("what,id,period,capacity\nstorage,A,2017-04,5\n")
    instance = allocator.load_instance(folder)
    plan = allocator.solve(instance)
    book = load_workbook(write_plan_xlsx(plan, tmp_path / "p.xlsx", instance=instance))
    rows = list(book["stock"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows if r[0] == "A"] == [dt.datetime(2017, 4, 1)]
    assert len(rows) == 4 * 3 + 1  # the other four nodes every month, A in April
