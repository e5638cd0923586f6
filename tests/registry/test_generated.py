"""Generated records with a known answer key: the pairs found, and demand against the truth."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import allocator
from allocator.registry import build_demand, generate_registrations, write_registrations
from allocator.registry.truth import decide_by_truth, pair_quality, truth_demand


@pytest.fixture(scope="module")
def indonesia() -> allocator.Instance:
    return allocator.load_instance(Path(__file__).parents[2] / "instances" / "indonesia-2017")


@pytest.fixture(scope="module")
def generated(indonesia: allocator.Instance, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("gen") / "g"
    write_registrations(folder, indonesia, 4000, 0.2, seed=7)
    records, key = generate_registrations(indonesia, 4000, 0.2, seed=7)
    return folder, records, key


def test_same_seed_same_records(indonesia: allocator.Instance) -> None:
    a, _ = generate_registrations(indonesia, 500, 0.2, seed=3)
    b, _ = generate_registrations(indonesia, 500, 0.2, seed=3)
    assert a.equals(b)
    assert a["nik"].str.len_chars().max() == 16


def test_probable_pairs_are_precise_and_complete(generated, indonesia) -> None:
    folder, records, key = generated
    result = build_demand(folder / "registrations.csv", indonesia)
    quality = pair_quality(result.pairs, records, key)
    assert quality["precision"] >= 0.95 and quality["recall"] >= 0.95, quality


def test_decided_demand_equals_the_truth_exactly(generated, indonesia, tmp_path: Path) -> None:
    folder, records, key = generated
    first = build_demand(folder / "registrations.csv", indonesia)
    decided = decide_by_truth(first.pairs, records, key)
    decided.to_csv(tmp_path / "pairs.csv", index=False)
    second = build_demand(folder / "registrations.csv", indonesia, pairs=tmp_path / "pairs.csv")
    truth = truth_demand(records, key, indonesia)
    assert second.demand.equals(truth)
    assert "blocked" not in second.states
    # and the same decisions again: nothing new is proposed
    again = pl.from_pandas(second.pairs)
    assert again.filter(pl.col("status") == "OPEN").is_empty()


def test_every_quality_row_accounts_for_each_record_once(generated, indonesia) -> None:
    folder, records, _ = generated
    result = build_demand(folder / "registrations.csv", indonesia)
    quality = result.quality
    invalid = [c for c in quality.columns if c.startswith("invalid_")]
    states = ["exact_duplicates", "merged", "blocked", "printed", "after_horizon", "printable"]
    assert (quality["records"] == quality[invalid + states].sum(axis=1)).all()
    total = quality[quality["level"] == "total"].iloc[0]
    assert total["records"] == len(records)
    assert total["printable"] == result.demand["quantity"].sum()
    offices = quality[quality["level"] == "office"]
    provinces = quality[quality["level"] == "province"]
    known = records["office"].is_in(indonesia.offices["id"].astype(str).tolist()).sum()
    assert offices["records"].sum() == provinces["records"].sum() == known


def test_the_instance_copy_accepts_the_same_region_codes(
    generated, indonesia: allocator.Instance, tmp_path: Path
) -> None:
    """Indonesia's crosswalk (regions split since their NIKs were issued) goes with --into."""
    from allocator.registry.nik import CROSSWALK, region_codes
    from allocator.registry.output import write_instance_copy

    folder = generated[0]
    result = build_demand(folder / "registrations.csv", indonesia)
    copy = write_instance_copy(indonesia, result, tmp_path / "copy")
    assert (copy / CROSSWALK).read_bytes() == (Path(indonesia.source) / CROSSWALK).read_bytes()
    codes = region_codes(allocator.load_instance(copy))
    assert codes == region_codes(indonesia)
    assert len(codes) > len(indonesia.offices)  # the crosswalk adds codes beyond the offices


def test_a_conflict_never_carries_the_name_of_the_nik_it_borrows() -> None:
    """Same NIK, name, birth date and sex is an exact duplicate, whatever the key says."""
    from allocator.registry.generate import someone_else

    frame = pl.DataFrame(
        {
            "own": ["Indah", "Budi Santoso", "Siti Rahayu"],
            "drawn": ["Indah", "Santoso Budi", "Dewi"],
        }
    )
    names = frame.select(someone_else(pl.col("own"), pl.col("drawn")).alias("name"))["name"]
    assert names.to_list() == ["Indah Santoso", "Santoso Budi Santoso", "Dewi"]


def test_generated_conflicts_are_other_people_by_name(generated) -> None:
    from allocator.registry.names import name_key

    _, records, key = generated
    rows = records.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    kinds = rows.join(key.select("row", "kind"), on="row")
    originals = kinds.filter(pl.col("kind") == "original")
    owners = originals.select("nik", owner=name_key(pl.col("name")))
    conflicts = kinds.filter(pl.col("kind") == "conflict").join(owners, on="nik")
    assert len(conflicts) > 50
    assert (conflicts.select(name_key(pl.col("name")))["name"] != conflicts["owner"]).all()
