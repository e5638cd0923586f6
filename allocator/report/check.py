"""Whether a plan may be reported, and what the page must say at its top.

A report is a plan someone will act on, so it is drawn only for a plan that
checks out: the instance it was made for is found (the plan records its
sha256), and the plan passes :func:`allocator.verify` against it. A plan
whose instance cannot be found, or has changed since, is drawn with a warning
at the top; one that fails verification is refused, or drawn under a red
banner when the caller insists (``--force``); an instance given by the
caller that is another instance altogether is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from allocator.errors import InputError, Problem, VerificationError
from allocator.instance import Instance
from allocator.plan import Plan
from allocator.report.locate import Located, locate_instance
from allocator.verification import made_for_other_data, verify

#: Problems a red banner lists before it says how many more there are.
BANNER_PROBLEMS = 10


@dataclass(frozen=True)
class Banner:
    """What the top of the page says: a ``warning`` (amber) or an ``error`` (red)."""

    level: Literal["warning", "error"]
    text: str
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Checked:
    """The instance the map may use (``None``: no map, ``note`` says why), and the banner."""

    instance: Instance | None
    banner: Banner | None
    note: str | None
    verified: bool


def check_plan(
    plan: Plan,
    plan_folder: str | Path | None,
    instance: Instance | str | Path | None = None,
    *,
    force: bool = False,
) -> Checked:
    """Find the plan's instance and verify the plan against it, for the report.

    Raises :class:`InputError` when ``instance`` (given by the caller) is
    another instance than the plan's, and :class:`VerificationError` when the
    plan fails verification and ``force`` is false.
    """
    located = locate_instance(plan.summary, plan_folder, instance)
    found = located.instance
    if found is None:
        note = located.note or "its instance was not found"
        return Checked(None, Banner("warning", f"This plan was not checked: {note}."), note, False)
    recorded = plan.summary.get("instance", {})
    other = made_for_other_data(found, plan.summary)
    if other is not None and recorded.get("name") != found.name:
        return _another_instance(located, found, recorded)
    if other is not None:
        text = (
            f"The instance at {located.where} has changed since this plan was made (sha256 "
            f"{str(recorded.get('sha256'))[:12]}... then, {found.sha256[:12]}... now): the plan "
            "was not checked against it, and the map shows its current nodes and links."
        )
        return Checked(found, Banner("warning", text), None, False)
    problems = verify(found, plan)
    if problems and not force:
        label = f"plan {plan_folder}" if plan_folder is not None else "the plan"
        raise VerificationError(
            problems,
            f"{label} fails verification against its instance ({len(problems):,} problem"
            f"{'s' if len(problems) != 1 else ''}), so no report was written (--force draws it "
            "under a red banner)",
        )
    if problems:
        n = len(problems)
        text = (
            f"This plan fails verification against its instance ({n:,} problem"
            f"{'s' if n != 1 else ''}): it is not a valid plan. It is drawn only because "
            "--force was given."
        )
        shown = problems[:BANNER_PROBLEMS]
        if n > len(shown):
            shown.append(f"... and {n - len(shown):,} more")
        return Checked(found, Banner("error", text, shown), None, False)
    return Checked(found, None, None, True)


def _another_instance(located: Located, found: Instance, recorded: dict) -> Checked:
    """The instance found is another instance: refused if given, else no map."""
    plan_is = f"'{recorded.get('name')}' (sha256 {str(recorded.get('sha256'))[:12]}...)"
    found_is = f"'{found.name}' (sha256 {found.sha256[:12]}...)"
    if located.explicit:
        raise InputError(
            [
                Problem(
                    "--instance",
                    None,
                    None,
                    f"the instance at {located.where} is {found_is}, but the plan was made for "
                    f"{plan_is}: give the plan's own instance, or leave --instance out",
                )
            ]
        )
    note = f"the instance at {located.where} is now {found_is}, not the plan's {plan_is}"
    return Checked(None, Banner("warning", f"This plan was not checked: {note}."), note, False)
