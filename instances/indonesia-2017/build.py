"""Build the ``indonesia-2017`` instance from the public data copied into ``data/``.

The March-December 2017 distribution of the 7 million e-KTP blanks bought from
PT Pura Barutama (Kudus): vendor -> central warehouse (Jakarta) -> 34 provincial
hubs -> 514 kabupaten/kota civil-registry offices.

    python instances/indonesia-2017/build.py              # writes next to this file
    python instances/indonesia-2017/build.py -o DIR       # writes into DIR
    python instances/indonesia-2017/build.py --copy-from DIR   # DIR: the public data
                                                          # refresh data/ first

Every figure the instance uses is in the block below, marked **record** (with
its source; the pages are listed in ``README.md``) or **assumption**. No other
figure about the case appears in this file. The script needs only pandas and the
files in ``data/`` (see ``data/SOURCES.md``), and writes the same bytes on
every run.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

# =====================================================================================
# Every figure, in one place. "record" = from the public record (source given);
# "assumption" = ours, stated in README.md next to the figure it produces.
# =====================================================================================

# -- horizon --------------------------------------------------------------------------
# record: the contract for 7 M blanks was signed in the 3rd week of March 2017 (bisnis 4 Apr 2017)
START = "2017-03"
# assumption: plan March-December 2017 (the record targets completion in Oct; merdeka 27 Apr 2017)
PERIODS = 10

# -- supply ---------------------------------------------------------------------------
# record: 7 M blanks from PT Pura Barutama (liputan6 2889197; bisnis 4 Apr 2017)
TOTAL_SUPPLY = 7_000_000
# record: 200,000 sent in March for Jakarta before the 19 Apr run-off (bisnis 4 Apr 2017;
# barat.jakarta.go.id 6 Apr 2017: 100,000 dispatched, another 100,000 if needed)
DKI_TRANCHE = 200_000
DKI_TRANCHE_MONTH = "2017-03"
# record: the rest "from April, in stages" (bisnis 4 Apr 2017), done by Oct (merdeka 27 Apr 2017).
# assumption: the record gives no monthly split, so the stages are equal (largest remainder:
# the first months get the odd cards)
STAGE_MONTHS = ["2017-04", "2017-05", "2017-06", "2017-07", "2017-08", "2017-09", "2017-10"]

# -- demand ---------------------------------------------------------------------------
# record: 4.5 M people registered and waiting for a card, in March (bisnis 4 Apr 2017;
# merdeka 27 Apr 2017 says 4.2 M suket holders).
# assumption: split over the offices in proportion to the Dukcapil register of Dec 2024
# (data/regencies_2025.csv); the record has no 2017 split by office
BACKLOG_MARCH = 4_500_000
# record: "3 million e-KTP still to be supplied" for new adults, status changes, moves and
# damaged cards (bisnis 4 Apr 2017). assumption: read as a yearly flow arising evenly every
# month (250,000 a month), split over the offices like the backlog
NEW_PER_YEAR = 3_000_000
NEW_PER_MONTH = NEW_PER_YEAR // 12
# record: DKI Jakarta had issued 132,183 suket (recorded, no card) by 6 Apr 2017, ahead of
# the 19 Apr run-off (barat.jakarta.go.id; liputan6 2912418). assumption: they arise in
# March, are split over DKI's 6 offices by population, and are part of the 4.5 M backlog,
# so they are taken out of DKI's backlog share (nobody is counted twice)
PILKADA_DKI = 132_183
PILKADA_MONTH = "2017-03"
# record: Kemendagri code of DKI Jakarta (Permendagri 137/2017)
DKI_CODE = "31"

# w[k], penalty per card per month of waiting. The values are assumptions; their order is
# the record's: Jakarta first before its run-off (bisnis 4 Apr 2017; barat.jakarta.go.id),
# then suket holders, then other requests (merdeka 27 Apr 2017)
WEIGHTS = {"pilkada": 20.0, "backlog": 2.0, "new": 1.0}

# -- printing (issue) capacity --------------------------------------------------------
# assumption: 200 cards a day per printer, inside the record's 100-300 (Trenggalek 250,
# Tangerang 300, Pontianak 150, Penajam 200, Ambon 100; facts.md section 3)
CARDS_PER_PRINTER_DAY = 200
# assumption: printers per office = ceil(population / 250,000), at least 1. Record examples:
# Trenggalek 6, Kab. Tangerang 7, Kab. Malang 17, Ambon 2, Pontianak 4 printers
RESIDENTS_PER_PRINTER = 250_000
# assumption: printing days in a month
WORKING_DAYS = 20
# assumption: fewer days in June, for Idul Fitri 1438 H (25-26 Jun 2017) and its collective leave
WORKING_DAYS_OVERRIDE = {"2017-06": 15}

# -- nodes ----------------------------------------------------------------------------
# record: PT Pura Barutama is in Kudus (liputan6 2889197); placed at the Kab. Kudus seat point
VENDOR_SEAT = "33.19"
# assumption: a central warehouse in Jakarta, at the DKI capital point (the record has
# 800,000 blanks "held centrally" on 23 Nov 2017, jpnn)
WAREHOUSE_PROVINCE = "31"
# assumption: Rp per card per month held. Free centrally; a cost at hubs and offices, which
# were told to print promptly and not store blanks (lensafokus; liputan6 2926671)
HOLDING_COST = {"source": 0.0, "warehouse": 0.0, "hub": 10.0, "office": 10.0}

# -- links ----------------------------------------------------------------------------
# assumption (geography, not in the record): the provinces whose capital a truck reaches from
# Jakarta: Sumatra mainland, Java and Bali (the Merak-Bakauheni and Ketapang-Gilimanuk
# crossings are roll-on/roll-off ferries). All other hubs get a sea and an air link.
ROAD_PROVINCES = ["11", "12", "13", "14", "15", "16", "17", "18"]  # Sumatra mainland
ROAD_PROVINCES += ["31", "32", "33", "34", "35", "36"]  # Java
ROAD_PROVINCES += ["51"]  # Bali
# assumption: route km = great-circle km x this factor
CIRCUITY = {"road": 1.3, "sea": 1.3, "air": 1.1}
# assumption: cost per card = fixed (Rp per leg) + per km (Rp per route km); order of
# magnitude of freight tariffs per kg x about 15 g per card with packaging
COST_FIXED = {"road": 10.0, "sea": 20.0, "air": 50.0}
COST_PER_KM = {"road": 0.015, "sea": 0.012, "air": 0.17}
# assumption: whole months in transit = 1 beyond this route distance, else 0. Sea beyond
# 3,000 km (Maluku, Maluku Utara, Papua, Papua Barat: two weeks at sea plus waiting for a
# fortnightly sailing); no road leg in the network is that long; air arrives the same month
LEAD_ONE_MONTH_BEYOND_KM = {"road": 5000.0, "sea": 3000.0, "air": math.inf}
# assumption: cards per month per air link (cargo space on scheduled flights)
AIR_CAPACITY = 20_000

# =====================================================================================

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG), for great-circle distances


def apportion(total: int, weights: pd.Series) -> pd.Series:
    """Split ``total`` whole cards in proportion to ``weights`` (largest remainder, exact).

    Ties in the remainder go to the earlier row, so the result is deterministic.
    """
    w = weights.astype("int64").to_numpy()
    scaled = w * np.int64(total)
    base = scaled // w.sum()
    remainder = scaled % w.sum()
    short = int(total - base.sum())
    order = np.lexsort((np.arange(len(w)), -remainder))
    base[order[:short]] += 1
    return pd.Series(base, index=weights.index, dtype="int64")


def great_circle_km(
    lat1: pd.Series, lon1: pd.Series, lat2: pd.Series, lon2: pd.Series
) -> pd.Series:
    """Haversine distance in km between two sets of points (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlam = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def months() -> list[str]:
    """The horizon's months as ``YYYY-MM``."""
    first = pd.Period(START, freq="M")
    return [str(first + i) for i in range(PERIODS)]


def read_inputs() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 34 provinces of 2017 and the 514 offices keyed by their 2017 Kemendagri code."""
    provinces = pd.read_csv(DATA / "provinces_2017.csv", dtype={"code_kemendagri": str})
    regencies = pd.read_csv(DATA / "regencies_2025.csv", dtype={"code": str})
    crosswalk = pd.read_csv(DATA / "regency_code_crosswalk.csv", dtype=str)
    offices = crosswalk.merge(
        regencies, left_on="code_kemendagri_2025", right_on="code", how="left", validate="1:1"
    )
    if offices["population"].isna().any() or len(offices) != 514:
        raise SystemExit("data/: crosswalk and regencies do not match one to one")
    name = (
        offices["name_kemendagri_2017"]
        .str.replace(r"^KAB\.? ", "KABUPATEN ", regex=True)
        .str.title()
    )
    offices = pd.DataFrame(
        {
            "code": offices["code_kemendagri_2017"],
            "province": offices["province_code_2017"],
            "name": name,
            "lat": offices["lat"],
            "lon": offices["lon"],
            "population": offices["population"].astype("int64"),
        }
    ).sort_values("code", ignore_index=True)
    return provinces.sort_values("code_kemendagri", ignore_index=True), offices


def build_nodes(provinces: pd.DataFrame, offices: pd.DataFrame) -> pd.DataFrame:
    """nodes.csv: vendor, central warehouse, 34 hubs at the 2017 capitals, 514 offices."""
    region = provinces.set_index("code_kemendagri")["name"]
    vendor = offices[offices["code"] == VENDOR_SEAT].iloc[0]
    dki = provinces[provinces["code_kemendagri"] == WAREHOUSE_PROVINCE].iloc[0]
    hub_population = offices.groupby("province")["population"].sum()
    printers = np.maximum(1, -(-offices["population"] // RESIDENTS_PER_PRINTER))
    head = pd.DataFrame(
        {
            "id": ["VENDOR", "WAREHOUSE"],
            "name": ["PT Pura Barutama (Kudus)", "Central warehouse (Jakarta)"],
            "kind": ["source", "hub"],
            "region": [region[vendor["province"]], region[WAREHOUSE_PROVINCE]],
            "lat": [vendor["lat"], dki["lat"]],
            "lon": [vendor["lon"], dki["lon"]],
            "holding_cost": [HOLDING_COST["source"], HOLDING_COST["warehouse"]],
        }
    )
    hubs = pd.DataFrame(
        {
            "id": "PROV-" + provinces["code_kemendagri"],
            "name": "Hub " + provinces["capital"] + " (" + provinces["name"] + ")",
            "kind": "hub",
            "region": provinces["name"],
            "lat": provinces["lat"],
            "lon": provinces["lon"],
            "holding_cost": HOLDING_COST["hub"],
            "population": provinces["code_kemendagri"].map(hub_population),
        }
    )
    office_nodes = pd.DataFrame(
        {
            "id": offices["code"].str.replace(".", "", regex=False),
            "name": offices["name"],
            "kind": "office",
            "region": offices["province"].map(region),
            "lat": offices["lat"],
            "lon": offices["lon"],
            "issue_capacity": printers * CARDS_PER_PRINTER_DAY * WORKING_DAYS,
            "holding_cost": HOLDING_COST["office"],
            "population": offices["population"],
            "printers": printers,
        }
    )
    nodes = pd.concat([head, hubs, office_nodes], ignore_index=True)
    for column in ("issue_capacity", "population", "printers"):
        nodes[column] = nodes[column].astype("Int64")
    return nodes[
        [
            "id",
            "name",
            "kind",
            "region",
            "lat",
            "lon",
            "issue_capacity",
            "holding_cost",
            "population",
            "printers",
        ]
    ]


def _legs(origin: pd.DataFrame, dest: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Links of one mode between row-aligned origins and destinations, priced by the rule."""
    km = (
        great_circle_km(
            origin["lat"].to_numpy(),
            origin["lon"].to_numpy(),
            dest["lat"].to_numpy(),
            dest["lon"].to_numpy(),
        )
        * CIRCUITY[mode]
    )
    km = np.round(km, 0)
    frm, to = origin["id"].to_numpy(), dest["id"].to_numpy()
    return pd.DataFrame(
        {
            "id": frm + ">" + to + ":" + mode,
            "from": frm,
            "to": to,
            "mode": mode,
            "capacity": AIR_CAPACITY if mode == "air" else pd.NA,
            "cost": np.round(COST_FIXED[mode] + COST_PER_KM[mode] * km, 2),
            "lead_time": (km > LEAD_ONE_MONTH_BEYOND_KM[mode]).astype("int64"),
            "distance_km": km.astype("int64"),
        }
    )


def build_links(nodes: pd.DataFrame) -> pd.DataFrame:
    """links.csv: vendor->warehouse road; warehouse->hubs road, or sea and air; hub->office road."""
    by_id = nodes.set_index("id", drop=False)
    hubs = nodes[nodes["id"].str.startswith("PROV-")].reset_index(drop=True)
    offices = nodes[nodes["kind"] == "office"].reset_index(drop=True)
    warehouse = by_id.loc[["WAREHOUSE"]]
    on_road = hubs["id"].str.removeprefix("PROV-").isin(ROAD_PROVINCES)

    def repeat(row: pd.DataFrame, n: int) -> pd.DataFrame:
        return row.loc[row.index.repeat(n)].reset_index(drop=True)

    parts = [
        _legs(
            by_id.loc[["VENDOR"]].reset_index(drop=True), warehouse.reset_index(drop=True), "road"
        )
    ]
    road_hubs, island_hubs = hubs[on_road].reset_index(drop=True), hubs[~on_road]
    island_hubs = island_hubs.reset_index(drop=True)
    parts.append(_legs(repeat(warehouse, len(road_hubs)), road_hubs, "road"))
    for mode in ("sea", "air"):
        parts.append(_legs(repeat(warehouse, len(island_hubs)), island_hubs, mode))
    office_hub = ("PROV-" + offices["id"].str.slice(0, 2)).to_list()
    parts.append(_legs(by_id.loc[office_hub].reset_index(drop=True), offices, "road"))
    links = pd.concat(parts, ignore_index=True)
    links["capacity"] = links["capacity"].astype("Int64")
    return links


def build_supply() -> pd.DataFrame:
    """supply.csv: the DKI tranche in March, the rest in equal stages April-October."""
    stages = apportion(TOTAL_SUPPLY - DKI_TRANCHE, pd.Series(1, index=STAGE_MONTHS))
    supply = pd.DataFrame(
        {
            "node": "VENDOR",
            "period": [DKI_TRANCHE_MONTH, *STAGE_MONTHS],
            "quantity": [DKI_TRANCHE, *stages.to_list()],
        }
    )
    return supply.groupby(["node", "period"], as_index=False)["quantity"].sum()


def build_demand(nodes: pd.DataFrame) -> pd.DataFrame:
    """demand.csv: March backlog and monthly new demand by population; DKI's run-off priority."""
    offices = nodes[nodes["kind"] == "office"].set_index("id")
    population = offices["population"].astype("int64")
    backlog = apportion(BACKLOG_MARCH, population)
    in_dki = offices.index.str.startswith(DKI_CODE)
    pilkada = apportion(PILKADA_DKI, population[in_dki])
    if (backlog[pilkada.index] < pilkada).any():
        raise SystemExit("DKI's backlog share is smaller than its suket holders")
    backlog[pilkada.index] -= pilkada
    new = apportion(NEW_PER_MONTH, population)
    frames = [
        pd.DataFrame(
            {
                "node": backlog.index,
                "period": START,
                "category": "backlog",
                "quantity": backlog.to_numpy(),
            }
        ),
        pd.DataFrame(
            {
                "node": pilkada.index,
                "period": PILKADA_MONTH,
                "category": "pilkada",
                "quantity": pilkada.to_numpy(),
            }
        ),
    ]
    for month in months():
        frames.append(
            pd.DataFrame(
                {"node": new.index, "period": month, "category": "new", "quantity": new.to_numpy()}
            )
        )
    demand = pd.concat(frames, ignore_index=True)
    order = {k: i for i, k in enumerate(WEIGHTS)}
    demand["_k"] = demand["category"].map(order)
    demand = demand.sort_values(["period", "node", "_k"], ignore_index=True)
    return demand.drop(columns="_k")


def build_capacity(nodes: pd.DataFrame) -> pd.DataFrame:
    """capacity.csv: months with fewer printing days than usual."""
    offices = nodes[nodes["kind"] == "office"]
    printers = offices["printers"].astype("int64").to_numpy()
    rows = [
        pd.DataFrame(
            {
                "what": "issue",
                "id": offices["id"].to_numpy(),
                "period": month,
                "capacity": printers * CARDS_PER_PRINTER_DAY * days,
            }
        )
        for month, days in sorted(WORKING_DAYS_OVERRIDE.items())
    ]
    return pd.concat(rows, ignore_index=True)


def instance_toml() -> str:
    """instance.toml: name, horizon and category weights."""
    lines = [
        "# Generated by build.py: change the figures there (they are listed with their",
        "# sources and assumptions at the top of the script), then run it again.",
        'name = "indonesia-2017"',
        'description = "7 million e-KTP blanks from PT Pura Barutama (Kudus) through Jakarta '
        'and 34 provincial hubs to 514 kabupaten/kota offices, March-December 2017"',
        f'start = "{START}"',
        f"periods = {PERIODS}",
        "",
        "[categories]",
        *(f"{k} = {w!r}" for k, w in WEIGHTS.items()),
    ]
    return "\n".join(lines) + "\n"


def build(out: Path) -> list[Path]:
    """Write the instance files into ``out``; return their paths."""
    provinces, offices = read_inputs()
    nodes = build_nodes(provinces, offices)
    tables = {
        "nodes.csv": nodes,
        "links.csv": build_links(nodes),
        "supply.csv": build_supply(),
        "demand.csv": build_demand(nodes),
        "capacity.csv": build_capacity(nodes),
    }
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "instance.toml"]
    written[0].write_text(instance_toml(), encoding="utf-8", newline="\n")
    for filename, table in tables.items():
        path = out / filename
        table.to_csv(path, index=False, lineterminator="\n")
        written.append(path)
    return written


def copy_from(shared: Path) -> None:
    """Refresh ``data/`` from the shared data folder: only the columns the build uses."""
    keep = {
        "provinces_2017.csv": (
            "provinces_2017.csv",
            ["code_kemendagri", "name", "capital", "lat", "lon"],
        ),
        "regencies.csv": ("regencies_2025.csv", ["code", "lat", "lon", "population"]),
        "regency_code_crosswalk.csv": (
            "regency_code_crosswalk.csv",
            [
                "code_kemendagri_2025",
                "code_kemendagri_2017",
                "name_kemendagri_2017",
                "province_code_2017",
            ],
        ),
    }
    DATA.mkdir(exist_ok=True)
    for source, (target, columns) in keep.items():
        table = pd.read_csv(shared / source, dtype=str, keep_default_na=False)
        table[columns].to_csv(DATA / target, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> None:
    """Command line: build the instance (optionally refreshing data/ first)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, default=HERE, help="output folder")
    parser.add_argument("--copy-from", type=Path, help="shared data folder to refresh data/ from")
    args = parser.parse_args(argv)
    if args.copy_from:
        copy_from(args.copy_from)
    for path in build(args.out):
        print(path)


if __name__ == "__main__":
    main()
