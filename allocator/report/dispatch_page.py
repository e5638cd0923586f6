"""Dispatch lists as files: a CSV for the office and a printable page per hub and month.

:func:`write_dispatch` writes the folder ``allocator dispatch`` makes
(``docs/formats.md``, "Dispatch lists")::

    dispatch.csv              every consignment: from,from_name,to,to_name,mode,depart,arrive,cards
    totals.csv                per sender and month: receivers, consignments, cards
    index.html                the pages, with their totals
    pages/<FROM>_<YYYY-MM>.html   one printable page per sender and month

Each page is headed with the sender's name and the month, lists exactly that
sender's consignments of that month with their total, and prints on one A4
sheet per page (no navigation, no backgrounds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from allocator._atomic import write_folder_atomic
from allocator.instance import Instance
from allocator.plan import Plan, read_plan
from allocator.plan.core import table_csv
from allocator.plan.dispatch_lists import Dispatch, dispatch
from allocator.report.html import esc, whole
from allocator.report.locate import locate_instance

CSS = """
body { font-family: system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
       "Liberation Sans", sans-serif; color: #1a202c; margin: 0; line-height: 1.4; }
main { max-width: 820px; margin: 0 auto; padding: 28px 24px; }
h1 { font-size: 1.5rem; margin: 0; }
p.month { font-size: 1.25rem; margin: 2px 0 4px; font-weight: 600; }
p.note { color: #5a6473; margin: 2px 0 14px; font-size: 0.9rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; margin: 8px 0 18px; }
th, td { padding: 5px 8px; border-bottom: 1px solid #c9ced6; text-align: left; }
th { border-bottom: 2px solid #1a202c; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.tick { width: 3.2em; }
td.month { white-space: nowrap; }
tfoot td { font-weight: 700; border-top: 2px solid #1a202c; border-bottom: none; }
.sign { display: grid; grid-template-columns: repeat(3, 1fr); gap: 24px; margin-top: 40px; }
.sign div { border-top: 1px solid #1a202c; padding-top: 4px; font-size: 0.85rem; color: #5a6473; }
a { color: #2b6cb0; }
@page { size: A4; margin: 14mm; }
@media print { main { max-width: none; padding: 0; } a { color: inherit; text-decoration: none; }
               tr { break-inside: avoid; } .noprint { display: none; } }
"""


def month_words(label: str) -> str:
    """``2017-03`` as ``March 2017``, the way a page is headed."""
    return pd.Period(label, freq="M").strftime("%B %Y")


def short_month(label: str) -> str:
    """``2017-03`` as ``Mar 2017``."""
    return pd.Period(label, freq="M").strftime("%b %Y")


def _html(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def sender_page(lists: Dispatch, sender: str, month: str, plan_name: str) -> str:
    """The printable page of one sender's consignments in one month."""
    lines = lists.lines
    rows = lines[(lines["from"] == sender) & (lines["depart"] == month)]
    name = str(rows["from_name"].iloc[0]) if len(rows) else sender
    body_rows = "".join(
        f"<tr><td>{esc(r.to)}</td><td>{esc(r.to_name)}</td><td>{esc(r.mode)}</td>"
        f"<td>{esc(short_month(r.arrive))}</td><td class='num'>{esc(whole(r.cards))}</td>"
        '<td class="tick"></td></tr>'
        for r in rows.itertuples(index=False)
    )
    total = int(rows["cards"].sum())
    heading = f"Dispatch list: {name}" + (f" ({sender})" if name != sender else "")
    body = (
        f"<h1>{esc(heading)}</h1>"
        f'<p class="month">{esc(month_words(month))}</p>'
        f'<p class="note">Plan {esc(plan_name)}: {len(rows):,} consignment(s) leave {esc(sender)} '
        f"in {esc(month_words(month))}, {esc(whole(total))} cards in all.</p>"
        '<table class="dispatch"><thead><tr><th>To</th><th>Name</th><th>Mode</th>'
        '<th>Arrives</th><th class="num">Cards</th><th>Sent</th></tr></thead>'
        f"<tbody>{body_rows}</tbody>"
        f'<tfoot><tr><td colspan="4">Total</td><td class="num">{esc(whole(total))}</td>'
        "<td></td></tr></tfoot></table>"
        '<div class="sign"><div>Packed by</div><div>Checked by</div><div>Date sent</div></div>'
    )
    return _html(f"{heading}, {month_words(month)}", body)


def page_names(lists: Dispatch) -> dict[tuple[str, str], str]:
    """``(sender, month)`` -> the page's path in the folder, one distinct file each."""
    out: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for sender, month in lists.pages():
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", sender) + f"_{month}"
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        out[(sender, month)] = f"pages/{name}.html"
    return out


def index_page(lists: Dispatch, names: dict[tuple[str, str], str], plan_name: str) -> str:
    """The folder's front page: every sender's page per month, with its totals."""
    rows = "".join(
        f'<tr><td><a href="{esc(names[(str(t["from"]), str(t.month))])}">{esc(t["from"])}</a></td>'
        f"<td>{esc(t.from_name)}</td><td class='month'>{esc(short_month(t.month))}</td>"
        f"<td class='num'>{t.receivers:,}</td><td class='num'>{t.consignments:,}</td>"
        f"<td class='num'>{esc(whole(t.cards))}</td></tr>"
        for _, t in lists.totals.iterrows()
    )
    scope = []
    if lists.month:
        scope.append(f"month {lists.month}")
    if lists.sender:
        scope.append(f"sender {lists.sender}")
    note = f" ({', '.join(scope)})" if scope else ""
    body = (
        f"<h1>Dispatch lists: plan {esc(plan_name)}</h1>"
        f'<p class="note">{len(lists.lines):,} consignment(s), '
        f"{esc(whole(int(lists.lines['cards'].sum())))} cards{esc(note)}; one page per sender "
        "and month.</p>"
        "<table><thead><tr><th>From</th><th>Name</th><th>Month</th><th class='num'>Receivers</th>"
        "<th class='num'>Consignments</th><th class='num'>Cards</th></tr></thead>"
        f"<tbody>{rows}</tbody>"
        f'<tfoot><tr><td colspan="4">Total</td>'
        f"<td class='num'>{len(lists.lines):,}</td>"
        f"<td class='num'>{esc(whole(int(lists.lines['cards'].sum())))}</td></tr></tfoot></table>"
    )
    return _html(f"Dispatch lists: {plan_name}", body)


def dispatch_files(lists: Dispatch, plan_name: str) -> dict[str, bytes]:
    """The dispatch folder's files and their contents."""
    names = page_names(lists)
    files: dict[str, bytes] = {
        "dispatch.csv": table_csv(lists.lines),
        "totals.csv": table_csv(lists.totals),
        "index.html": index_page(lists, names, plan_name).encode(),
    }
    for (sender, month), path in names.items():
        files[path] = sender_page(lists, sender, month, plan_name).encode()
    return files


def write_dispatch(
    plan: Plan | str | Path,
    folder: str | Path,
    *,
    instance: Instance | str | Path | None = None,
    month: str | None = None,
    sender: str | None = None,
    force: bool = False,
) -> tuple[Path, Dispatch]:
    """Write the dispatch folder of ``plan`` (a Plan or a plan folder), atomically.

    Names come from the plan's instance, found as the report finds it (or
    given as ``instance``). Raises :class:`InputError` for a bad ``month`` or
    ``sender``; refuses an existing ``folder`` unless ``force``.
    """
    plan_folder = None
    if not isinstance(plan, Plan):
        plan_folder = plan
        plan = read_plan(plan)
    found = locate_instance(plan.summary, plan_folder, instance).instance
    lists = dispatch(plan, found, month=month, sender=sender)
    plan_name = str(plan.summary.get("instance", {}).get("name", "plan"))
    return write_folder_atomic(folder, dispatch_files(lists, plan_name), force=force), lists
