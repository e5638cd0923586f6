"""Small pieces the HTML report is made of: escaped text, numbers, tables and sections.

Every value that reaches the page goes through :func:`esc`; numbers are
formatted the way the terminal summary shows them (``7,000,000``, ``90.0%``),
by :mod:`allocator._format`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from allocator._format import money as money
from allocator._format import number as number
from allocator._format import percent as percent
from allocator._format import signed as signed
from allocator._format import whole as whole


def esc(value: object) -> str:
    """``value`` as HTML text, quotes included."""
    return html.escape(str(value), quote=True)


def table(frame: pd.DataFrame, formats: Mapping[str, Callable[[Any], str]], cls: str = "") -> str:
    """An HTML table of ``frame``; ``formats`` maps column -> formatter (those right-aligned)."""
    head = "".join(
        f'<th class="num">{esc(c)}</th>' if c in formats else f"<th>{esc(c)}</th>"
        for c in frame.columns
    )
    cells = []
    for column in frame.columns:
        if column in formats:
            texts = [f'<td class="num">{esc(formats[column](v))}</td>' for v in frame[column]]
        else:
            texts = [f"<td>{esc(v)}</td>" for v in frame[column].astype(str)]
        cells.append(texts)
    rows = "".join(f"<tr>{''.join(row)}</tr>" for row in zip(*cells, strict=True))
    klass = f' class="{cls}"' if cls else ""
    return f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def meta_table(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of label -> HTML (the value is not escaped: escape it first)."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="meta">{body}</table>'


def section(sid: str, title: str, body: str, *, chart: str | None = None, caption: str = "") -> str:
    """A report section; with ``chart``, exactly one ``figure.chart`` holding that SVG."""
    if chart is None:
        return f'<section id="{sid}"><h2>{esc(title)}</h2>{body}</section>'
    figure = (
        f'<figure class="chart" id="chart-{sid}">{chart}'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )
    return (
        f'<section id="{sid}" class="chart-section"><h2>{esc(title)}</h2>{figure}{body}</section>'
    )


def notice(sid: str, title: str, message: str) -> str:
    """A section that says why it has no content (class ``notice``, no chart)."""
    return (
        f'<section id="{sid}" class="notice"><h2>{esc(title)}</h2>'
        f'<p class="missing">{esc(message)}</p></section>'
    )
