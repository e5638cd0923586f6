"""Handing a plan over: its folder with the optional ``plan.xlsx``, ``report.html`` and explanation.

``allocator solve`` and ``allocator replan`` both write through
:func:`deliver_plan`, so the extras land in the plan folder in the same
atomic rename as the tables: a run that fails writes nothing at all. With
``explain``, the plan is explained first (:func:`allocator.explain`), so that
its roll-up is in ``summary.json`` and in the report.

The extras are imported only when asked for: explaining, ``openpyxl`` and the
report's matplotlib cost about 1.2 s of imports that a plain ``allocator
solve`` does not need.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from allocator._atomic import refuse_existing
from allocator.errors import InputError, Problem
from allocator.instance import Instance, load_instance
from allocator.plan import Plan

FORMATS = ("csv", "xlsx")
XLSX_NAME = "plan.xlsx"
REPORT_NAME = "report.html"


def parse_formats(values: Iterable[str]) -> list[str]:
    """Formats from repeated and/or comma-separated options: ``["xlsx"]``, ``["csv,xlsx"]``.

    ``csv`` is always written and accepted for symmetry. Raises :class:`InputError`
    naming an unknown format.
    """
    out: list[str] = []
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in FORMATS:
                raise InputError(
                    [
                        Problem(
                            "--format",
                            None,
                            None,
                            f"unknown format '{item.strip()}'; choose from {', '.join(FORMATS)}",
                        )
                    ]
                )
            if name not in out:
                out.append(name)
    return out


def explain_extras(
    plan: Plan,
    instance: Instance | str | Path | None,
    old: tuple[Instance, Plan] | None = None,
) -> dict[str, bytes]:
    """Explain ``plan`` into its summary (``explain``) and return the explanation's files.

    ``instance`` is the one the plan was solved for (a re-plan carries its
    own); ``old`` is a re-plan's old instance and plan: the frozen shipments
    are held and the offices that lose cards are listed under ``replan``.
    """
    from allocator.explaining import explain as explain_plan
    from allocator.explaining.losses import frozen_shipments, losses

    solved_for = getattr(plan, "instance", None) or instance
    if solved_for is None:
        raise InputError([Problem("--explain", None, None, "explaining needs the plan's instance")])
    if not isinstance(solved_for, Instance):
        solved_for = load_instance(solved_for)
    fixed = None
    if old is not None and "replan" in plan.summary:
        fixed = frozen_shipments(solved_for, old[1], plan.summary["replan"]["freeze"])
    explanation = explain_plan(solved_for, plan, fixed=fixed)
    if old is not None and "replan" in plan.summary:
        explanation.summary["replan"] = {
            "losses": losses(old[0], old[1], plan, plan.summary["replan"]["from"])
        }
    plan.summary["explain"] = explanation.summary
    return explanation.files()


def plan_extras(
    plan: Plan,
    instance: Instance | str | Path | None,
    formats: Iterable[str] = (),
    report: bool = False,
    explain: bool = False,
    old: tuple[Instance, Plan] | None = None,
) -> dict[str, bytes]:
    """The extra files of a plan folder (relative path -> bytes) for ``Plan.write(extra_files=)``.

    Parameters
    ----------
    plan
        The plan about to be written.
    instance
        The instance it was solved from (or its path), for the report's map;
        ``None``: the one ``plan.summary`` names, if it can be found.
    formats
        Output formats as given on the command line (see :func:`parse_formats`);
        ``xlsx`` adds ``plan.xlsx``.
    report
        Add ``report.html``.
    explain, old
        Add ``marginal_values.csv``, ``shortfalls.csv`` and ``pegging.csv`` and
        the roll-up in ``summary.json`` (see :func:`explain_extras`).
    """
    files: dict[str, bytes] = {}
    if explain:
        files.update(explain_extras(plan, instance, old))
    if "xlsx" in parse_formats(formats):
        from allocator.plan.xlsx import plan_xlsx_bytes

        solved_for = getattr(plan, "instance", None) or instance
        if solved_for is not None and not isinstance(solved_for, Instance):
            solved_for = load_instance(solved_for)
        files[XLSX_NAME] = plan_xlsx_bytes(plan, solved_for)
    if report:
        from allocator.report import render_plan_report
        from allocator.report.check import check_plan

        if instance is None:  # a re-plan carries the instance it was solved for
            instance = getattr(plan, "instance", None)
        checked = check_plan(plan, None, instance)
        files[REPORT_NAME] = render_plan_report(plan, checked).encode()
    return files


def default_folder(plan: Plan) -> Path:
    """Where a plan goes when no folder is given: ``plans/<instance name>``."""
    return Path("plans") / str(plan.summary["instance"]["name"])


def deliver_plan(
    plan: Plan,
    folder: str | Path | None,
    *,
    instance: Instance | str | Path | None = None,
    formats: Iterable[str] = (),
    report: bool = False,
    explain: bool = False,
    old: tuple[Instance, Plan] | None = None,
    force: bool = False,
) -> Path:
    """Write ``plan`` as its folder (default :func:`default_folder`) with the extras asked for.

    Refuses an existing folder unless ``force``; see :func:`plan_extras`.
    """
    target = Path(folder) if folder is not None else default_folder(plan)
    refuse_existing(target, force=force)
    extras = plan_extras(plan, instance, formats, report, explain, old)
    return plan.write(target, force=force, extra_files=extras)
