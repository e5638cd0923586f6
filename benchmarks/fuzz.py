"""Fuzzing, the long version of tests/cli/test_fuzz.py: many mutated inputs, every command.

    python benchmarks/fuzz.py --cases 2000 [--seed 0]

Each case mutates one file (tests/mutations.py) of the tiny instance, its
plan or a what-if table and runs solve, verify, replan or batch on it. A case
fails if the exit code is not one the command may give, if the output holds a
traceback or "internal error", or if exit 2 left something written. Prints
the failures (seed, mutation, output) and the exit codes seen.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from mutations import mutate  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

import allocator  # noqa: E402
from allocator.cli import app  # noqa: E402

TINY = ROOT / "instances" / "tiny"
SCENARIOS = (
    "scenario,change,target,period,value\n"
    "late,supply_delay,VENDOR,2017-04,1\nclosed,link_capacity,HUB>A:road,2017-03,0\n"
    "surge,demand_scale,*,,1.25\n"
)


def one(kind: str, seed: int, tmp: Path) -> tuple[str, int, str, bool]:
    """(mutation, exit code, output, whether it is acceptable) of one case."""
    rng = random.Random(seed)
    runner = CliRunner()
    if kind == "solve":
        folder = tmp / "tiny"
        shutil.copytree(TINY, folder)
        what = mutate(folder, rng)
        out = tmp / "plan"
        args, codes = ["solve", str(folder), "-o", str(out), "-q"], (0, 2)
    elif kind in ("verify", "replan"):
        plan = tmp / "plan"
        allocator.solve(TINY).write(plan)
        what = mutate(plan, rng)
        out = tmp / "new"
        if kind == "verify":
            args, codes = ["verify", str(TINY), str(plan)], (0, 1, 2)
        else:
            args = ["replan", str(TINY), "--plan", str(plan), "--from", "2017-04", "-o", str(out)]
            codes = (0, 2)
    else:
        folder = tmp / "what-if"
        folder.mkdir()
        (folder / "what-if.csv").write_text(SCENARIOS)
        what = mutate(folder, rng)
        out = tmp / "results"
        args = ["batch", str(TINY), str(folder / "what-if.csv"), "-o", str(out), "--workers", "1"]
        codes = (0, 1, 2)
    result = runner.invoke(app, [*args, "-q"] if kind == "batch" else args)
    text = result.output + (result.stderr or "")
    ok = (
        result.exit_code in codes
        and "internal error" not in text
        and "Traceback" not in text
        and not (result.exit_code == 2 and out.exists())
    )
    return what, result.exit_code, text, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400, help="cases per command")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    codes: Counter[tuple[str, int]] = Counter()
    failures = 0
    for kind in ("solve", "verify", "replan", "batch"):
        for i in range(args.cases):
            seed = args.seed * 1_000_000 + i
            with tempfile.TemporaryDirectory() as tmp:
                what, code, text, ok = one(kind, seed, Path(tmp))
            codes[(kind, code)] += 1
            if not ok:
                failures += 1
                print(f"FAILED {kind} seed {seed}: {what}: exit {code}\n{text}\n")
    for (kind, code), n in sorted(codes.items()):
        print(f"{kind:7s} exit {code}: {n}")
    print(f"{failures} failure(s) in {4 * args.cases} cases")


if __name__ == "__main__":
    main()
