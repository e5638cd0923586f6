"""Print the README's results section from a plan of this instance.

    allocator solve instances/indonesia-2017 -o /tmp/id-plan
    python instances/indonesia-2017/results.py /tmp/id-plan

Reads only the plan folder and this instance's CSV files (pandas, no engine), so
the numbers in the README can be checked by anyone holding the plan.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
WORST = 8  # how many provinces the "served worst" table lists


def monthly(issuance: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """Per month: supply, demand arisen, issued, waiting at month end, cumulative fill rate."""
    m = issuance.groupby("period")[["demand", "issued", "backlog"]].sum()
    m.insert(0, "supply", supply.groupby("period")["quantity"].sum().reindex(m.index).fillna(0))
    m["fill_rate"] = m["issued"].cumsum() / m["demand"].cumsum()
    return m.astype({"supply": "int64"})


def provinces(issuance: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """Per province: demand, average months a card waited, cumulative fill rate in June/August."""
    regions = nodes.set_index("id")["region"]
    frame = issuance.assign(region=issuance["node"].map(regions))
    by = frame.groupby(["region", "period"])[["demand", "issued", "backlog"]].sum()
    total = by.groupby(level="region").sum()
    cum = by.groupby(level="region").cumsum()
    fill = (cum["issued"] / cum["demand"]).unstack("period")
    out = pd.DataFrame(
        {
            "demand": total["demand"],
            "months_waited_per_card": total["backlog"] / total["demand"],
            "fill_by_2017_06": fill["2017-06"],
            "fill_by_2017_08": fill["2017-08"],
            "fill_by_2017_12": fill["2017-12"],
        }
    )
    return out.sort_values(["months_waited_per_card", "demand"], ascending=[False, False])


def markdown(plan: Path, instance: Path = HERE) -> str:
    """The results section's tables as Markdown."""
    issuance = pd.read_csv(plan / "issuance.csv", dtype={"node": str})
    summary = json.loads((plan / "summary.json").read_text(encoding="utf-8"))
    nodes = pd.read_csv(instance / "nodes.csv", dtype={"id": str})
    supply = pd.read_csv(instance / "supply.csv")
    months = monthly(issuance, supply)
    prov = provinces(issuance, nodes)
    pilkada = issuance[issuance["category"] == "pilkada"].groupby("period")["issued"].sum()
    lines = [
        f"Plan status {summary['status']}; waiting {summary['objective']['waiting']:,.0f} "
        f"weighted card-months; cost Rp {summary['objective']['cost']:,.0f}; "
        f"issued {summary['totals']['issued']:,} of {summary['totals']['demand']:,}.",
        "",
        "| month | supply | demand arising | issued | waiting at month end "
        "| fill rate, cumulative |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for period, r in months.iterrows():
        lines.append(
            f"| {period} | {int(r['supply']):,} | {int(r['demand']):,} | {int(r['issued']):,} | "
            f"{int(r['backlog']):,} | {r['fill_rate']:.1%} |"
        )
    lines += [
        "",
        "DKI Jakarta's run-off priority (`pilkada`) issued by month: "
        + ", ".join(f"{p} {q:,}" for p, q in pilkada.items() if q),
        "",
        f"Provinces served worst ({WORST} with the most months waited per card):",
        "",
        "| province | demand | months waited per card | filled by June | by August | by December |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for region, r in prov.head(WORST).iterrows():
        lines.append(
            f"| {region} | {int(r['demand']):,} | {r['months_waited_per_card']:.2f} | "
            f"{r['fill_by_2017_06']:.1%} | {r['fill_by_2017_08']:.1%} | "
            f"{r['fill_by_2017_12']:.1%} |"
        )
    best = prov.tail(1)
    lines += [
        "",
        f"Best served: {best.index[0]}, {best['months_waited_per_card'].iloc[0]:.2f} months "
        f"per card; national average {months['backlog'].sum() / months['demand'].sum():.2f}.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Command line: print the results tables for a plan folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path, help="plan folder written by `allocator solve`")
    args = parser.parse_args(argv)
    print(markdown(args.plan), end="")


if __name__ == "__main__":
    main()
