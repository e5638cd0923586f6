"""A plan as one self-contained HTML page a planner can send round.

The page is built from the plan folder alone, plus the instance it names
(``summary.instance.source``) for the map's coordinates, so a plan from an
older run can still be reported. It needs no network to open: the charts are
inline SVG drawn by matplotlib (:mod:`allocator.report.charts`), the styles are
inline, and there is no script at all. If the instance cannot be found, every
section but the map is drawn and the page says why the map is missing.

Sections (each ``<section>`` has an id; those with a chart have class
``chart-section`` and hold exactly one ``<figure class="chart">``):

- ``headline``: demand, issued, unmet, fill rate, waiting, cost, status, instance;
- ``national``: supply, issuance and backlog month by month (chart);
- ``backlog``: backlog by region and month, regions by final fill rate (heatmap);
- ``regions``: fill rate by region (bar chart) and the ten offices served worst;
- ``map``: the network over Indonesia's coastlines (shipped, Natural Earth), offices
  coloured by fill rate or, when everyone is served, by months waited, the worst on
  top, hubs named, links sized by cards moved (chart);
- ``share``: the share of demand so far still waiting by region and month (heatmap),
  and the month each region's backlog clears;
- ``cost``: the cost by mode (road, sea, air, ...) and holding (chart);
- ``stock``: cards in stock at the hubs month by month (chart);
- ``changes``: for a re-plan (a plan with ``changes.csv``), what changed (chart);
- ``explain``: for an explained plan, where one more unit helps most and why people wait;
- ``quality``: when the instance's demand came from registration records (its folder
  holds ``quality.csv``, as ``allocator demand --into`` writes), how many records were
  invalid, duplicates, blocked or printed (:mod:`allocator.report.quality`).
"""

from __future__ import annotations

from pathlib import Path

from allocator._atomic import refuse_existing, write_file_atomic
from allocator.instance import Instance
from allocator.plan import Plan, read_plan
from allocator.plan.figures import rank_regions
from allocator.report import sections as parts
from allocator.report.changes import changes_section
from allocator.report.check import Banner, Checked, check_plan
from allocator.report.explained import explain_section
from allocator.report.html import esc
from allocator.report.quality import quality_section, read_quality
from allocator.report.views import share_waiting

CSS = """
:root { --ink: #1a202c; --muted: #5a6473; --rule: #d9dee5; --accent: #2b6cb0; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       "Noto Sans", "Liberation Sans", sans-serif; color: var(--ink); margin: 0;
       background: #f7f8fa; line-height: 1.45; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.2rem; margin: 0 0 8px; }
p.lead, p.note { color: var(--muted); margin: 4px 0 12px; }
nav { margin: 8px 0 20px; font-size: 0.9rem; }
nav a { color: var(--accent); margin-right: 14px; text-decoration: none; }
section { background: #fff; border: 1px solid var(--rule); border-radius: 6px;
          padding: 16px 20px; margin: 0 0 18px; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
           gap: 10px; margin: 8px 0 14px; }
.figure { border: 1px solid var(--rule); border-radius: 5px; padding: 8px 10px; }
.figure .value { font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums;
                 overflow-wrap: anywhere; }
.figure .label { color: var(--muted); font-size: 0.82rem; }
.figure.bad .value { color: #c53030; }
figure.chart { margin: 6px 0 10px; }
figure.chart svg { display: block; width: 100%; height: auto; }
figure.chart figcaption { color: var(--muted); font-size: 0.85rem; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 6px 0; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--rule); text-align: left; }
th { background: #f0f2f5; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.meta th { background: none; font-weight: normal; color: var(--muted); }
code { font-size: 0.85rem; word-break: break-all; }
.missing { color: #9c4221; background: #fffaf0; border: 1px solid #fbd38d; padding: 8px 12px;
           border-radius: 5px; }
details { margin-top: 8px; }
.banner { border-radius: 6px; padding: 12px 16px; margin: 8px 0 18px; font-weight: 600; }
.banner ul { font-weight: normal; margin: 6px 0 0; padding-left: 20px; }
.banner.warning { background: #fffaf0; border: 2px solid #dd6b20; color: #7b341e; }
.banner.error { background: #fff5f5; border: 2px solid #c53030; color: #742a2a; }
"""


def render_plan_report(plan: Plan, checked: Checked) -> str:
    """The HTML page of ``plan``, as :func:`~allocator.report.check.check_plan` found it."""
    summary = plan.summary
    name = summary.get("instance", {}).get("name", "plan")
    months = parts.horizon(summary, plan.issuance)
    regions = rank_regions(plan.nodes)
    instance = checked.instance
    backlog = parts.backlog_matrix(plan, regions["region"], months)
    sections = [
        parts.headline_section(summary, months, verified=checked.verified),
        parts.map_section(plan, instance, checked.note),
        parts.national_section(parts.monthly(plan, months)),
        parts.backlog_section(backlog),
        parts.share_section(share_waiting(plan, regions["region"], months), backlog),
        parts.regions_section(regions, plan.nodes),
        parts.cost_section(plan, instance),
        parts.stock_section(plan, instance, months),
    ]
    titles = [
        ("headline", "Headline"),
        ("map", "Map"),
        ("national", "Month by month"),
        ("backlog", "Backlog by region"),
        ("share", "Share still waiting"),
        ("regions", "Fill rate by region"),
        ("cost", "Cost"),
        ("stock", "Hub stock"),
    ]
    if "changes" in plan.extra:
        sections.append(changes_section(plan.extra["changes"], summary))
        titles.append(("changes", "Changes"))
    if isinstance(summary.get("explain"), dict):
        sections.append(explain_section(summary["explain"]))
        titles.append(("explain", "Why people wait"))
    quality = read_quality(instance)
    if quality is not None:
        sections.append(quality_section(quality))
        titles.append(("quality", "Demand from records"))
    nav = "".join(f'<a href="#{sid}">{esc(t)}</a>' for sid, t in titles)
    kind = "Re-plan" if "changes" in plan.extra else "Plan"
    description = (
        f'<p class="lead">{esc(instance.description)}</p>'
        if instance is not None and instance.description
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="allocator">'
        f"<title>{esc(kind)} report: {esc(name)}</title><style>{CSS}</style></head>\n"
        f"<body><main><h1>{esc(kind)} report: {esc(name)}</h1>{description}"
        f"{_banner(checked.banner)}<nav>{nav}</nav>\n"
        + "\n".join(sections)
        + "\n</main></body></html>\n"
    )


def _banner(banner: Banner | None) -> str:
    """The warning or error at the top of the page (empty when the plan checks out)."""
    if banner is None:
        return ""
    details = "".join(f"<li>{esc(d)}</li>" for d in banner.details)
    listed = f"<ul>{details}</ul>" if details else ""
    return (
        f'<div class="banner {banner.level}" role="alert"><p>{esc(banner.text)}</p>{listed}</div>'
    )


def build_report(
    plan_folder: str | Path,
    *,
    instance: Instance | str | Path | None = None,
    force: bool = False,
) -> tuple[str, Checked]:
    """The report of ``plan_folder``, and what checking the plan found (see :func:`check_plan`)."""
    plan = read_plan(plan_folder)
    checked = check_plan(plan, plan_folder, instance, force=force)
    return render_plan_report(plan, checked), checked


def render_report(
    plan_folder: str | Path,
    *,
    instance: Instance | str | Path | None = None,
    force: bool = False,
) -> str:
    """The HTML report of the plan in ``plan_folder``.

    ``instance`` (an Instance or a path) overrides the instance the plan names.
    Raises :class:`InputError` if the plan folder is incomplete or ``instance``
    is another instance than the plan's, and :class:`VerificationError` if the
    plan fails verification (``force``: draw it under a red banner instead).
    """
    return build_report(plan_folder, instance=instance, force=force)[0]


def write_report(
    plan_folder: str | Path,
    output: str | Path,
    *,
    instance: Instance | str | Path | None = None,
    force: bool = False,
) -> Path:
    """Write the report of ``plan_folder`` to ``output``, atomically.

    Refuses an existing ``output`` (checked before any work) and a plan that
    fails verification, unless ``force``: then the file is replaced and such a
    plan is drawn under a red banner (see :func:`render_report`).
    """
    refuse_existing(output, force=force)
    return write_page(output, build_report(plan_folder, instance=instance, force=force)[0], force)


def write_page(output: str | Path, page: str, force: bool) -> Path:
    """Write an HTML page completely or not at all; refuse an existing file unless ``force``."""
    return write_file_atomic(output, page.encode(), force=force)
