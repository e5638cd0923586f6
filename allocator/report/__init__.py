"""THE REPORT: a plan as one self-contained HTML page (figures, charts, map).

:func:`render_report` and :func:`write_report` read a plan folder (and the
instance it names, for the map); the charts are inline SVG drawn by
matplotlib, so importing this package imports matplotlib.
"""

from allocator.report.gis import plan_geojson as plan_geojson
from allocator.report.gis import write_geojson as write_geojson
from allocator.report.page import build_report as build_report
from allocator.report.page import render_plan_report as render_plan_report
from allocator.report.page import render_report as render_report
from allocator.report.page import write_page as write_page
from allocator.report.page import write_report as write_report

__all__ = [
    "build_report",
    "plan_geojson",
    "render_plan_report",
    "render_report",
    "write_geojson",
    "write_page",
    "write_report",
]
