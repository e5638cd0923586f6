"""Benchmark: demand from registration records, its speed, memory and pair quality.

Generates records with ``allocator generate-registrations`` on
``indonesia-2017`` (kept in a folder, reused when present), then runs
``allocator demand`` on them in a fresh process under ``/usr/bin/time``
(wall seconds and peak resident memory, with its rich progress bar on
stderr), and scores the pairs it wrote against the answer key: probable-pair
precision and recall, and whether, with every pair decided as the truth says,
printable demand per office equals the truth exactly. Prints a Markdown row.

    python benchmarks/registrations.py --people 4600000     # 5 million records
    python benchmarks/registrations.py --people 50000 --folder /tmp/reg-50k
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
INSTANCE = ROOT / "instances" / "indonesia-2017"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of ``command`` (its output shown as it runs)."""
    run = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %e %M", *command], stderr=subprocess.PIPE, text=True
    )
    sys.stderr.write(run.stderr)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({run.returncode})")
    found = re.findall(r"TIME ([\d.]+) (\d+)", run.stderr)[-1]
    return float(found[0]), int(found[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=4_600_000)
    parser.add_argument("--duplicates", type=float, default=0.087)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=None, help="where the records are kept")
    parser.add_argument("--truth", action="store_true", help="also check decided demand")
    args = parser.parse_args()
    folder = args.folder or Path(tempfile.gettempdir()) / f"registrations-{args.people}"
    if not (folder / "registrations.csv").exists():
        subprocess.run(
            [
                "allocator",
                "generate-registrations",
                str(folder),
                "--instance",
                str(INSTANCE),
                "--people",
                str(args.people),
                "--duplicates",
                str(args.duplicates),
                "--seed",
                str(args.seed),
                "--force",
            ],
            check=True,
        )
    out = folder.parent / (folder.name + "-demand")
    seconds, peak = timed(
        [
            "allocator",
            "demand",
            str(folder / "registrations.csv"),
            "--instance",
            str(INSTANCE),
            "-o",
            str(out),
            "--force",
        ]
    )
    from allocator.registry.truth import pair_quality

    records = pl.read_csv(folder / "registrations.csv", infer_schema=False)
    key = pl.read_csv(folder / "answer_key.csv")
    pairs = pl.read_csv(out / "duplicate_pairs.csv", infer_schema_length=0).with_columns(
        pl.col("row_a", "row_b").cast(pl.Int64)
    )
    quality = pair_quality(pairs.to_pandas(), records, key)
    truth = "not checked"
    if args.truth:
        truth = "equal" if _decided_equals_truth(folder, pairs, records, key) else "DIFFERENT"
    print(
        "| records | seconds | peak MB | pairs found | right | to find | precision | recall "
        "| decided demand = truth |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    )
    print(
        f"| {len(records):,} | {seconds:.1f} | {peak:,.0f} | {quality['found']:,} | "
        f"{quality['right']:,} | {quality['to_find']:,} | {quality['precision']:.3f} | "
        f"{quality['recall']:.3f} | {truth} |"
    )


def _decided_equals_truth(
    folder: Path, pairs: pl.DataFrame, records: pl.DataFrame, key: pl.DataFrame
) -> bool:
    """Decide every pair as the truth says, run again, compare demand with the truth."""
    import allocator
    from allocator.registry import build_demand
    from allocator.registry.truth import decide_by_truth, truth_demand

    inst = allocator.load_instance(INSTANCE)
    records = records.with_columns(pl.col("birth_date", "registered").str.to_date())
    decided = decide_by_truth(pairs.to_pandas(), records, key)
    path = folder / "decided_pairs.csv"
    decided.to_csv(path, index=False)
    result = build_demand(folder / "registrations.csv", inst, pairs=path)
    return bool(result.demand.equals(truth_demand(records, key, inst)))


if __name__ == "__main__":
    main()
