"""Synthetic registration records with a known answer key, to measure demand's quality.

:func:`generate_registrations` draws ``people`` persons (sex, birth date,
name, home office weighted by the instance's demand), gives each a valid NIK
and one record, then adds ``duplicates * people`` records of the kinds the
civil registry really has:

- *exact* (40 %): the same NIK and name registered again, a third of them at
  another office (the person moved), one in ten with a typing slip in the
  name (the same NIK with a different-looking person: a conflict that is one
  person);
- *probable* (45 %): a second NIK for the same person (same birth date and
  sex) with the name written another way: a typing slip, the names in
  another order, a middle name left out, the old spelling (``u``/``oe``,
  ``j``/``dj``, ``c``/``tj``, ``y``/``j``, ``sy``/``sj``, ``kh``/``ch``);
- *conflict* (15 %): a different person (same birth date and sex, another
  name) recorded under someone else's NIK.

Then 2 % of all records get an invalid NIK (a digit lost, an unknown region,
the birth date mistyped, serial ``0000``) and 0.5 % an unknown office, and
about a fifth are already printed. The answer key gives each record's true
``person`` and ``kind``. Everything is column arithmetic (numpy and polars):
5 million records take seconds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from allocator._atomic import write_folder_atomic
from allocator.errors import InputError
from allocator.instance import Instance
from allocator.registry.names import name_key

# fmt: off
MALE = [
    "Agus", "Ahmad", "Andi", "Arif", "Bambang", "Budi", "Dedi", "Dian", "Eko", "Fajar", "Hadi",
    "Hendra", "Heru", "Imam", "Iwan", "Joko", "Yusuf", "Kurniawan", "Muhammad", "Rizki", "Rudi",
    "Slamet", "Suryo", "Teguh", "Wahyu", "Yoga", "Zainal", "Bayu", "Cahyo", "Dwi", "Edi",
    "Gunawan", "Hari", "Irfan", "Jaya", "Khairul", "Lukman", "Nur", "Putu", "Rahmat", "Sugeng",
    "Taufik", "Umar"
]
FEMALE = [
    "Siti", "Dewi", "Sri", "Ani", "Ayu", "Dian", "Eka", "Fitri", "Indah", "Lestari", "Maya",
    "Nur", "Putri", "Rina", "Ratna", "Sari", "Wati", "Yuni", "Kartika", "Mega", "Nining",
    "Ratih", "Suci", "Tuti", "Utami", "Wulan", "Yanti", "Citra", "Desi", "Endang", "Hana",
    "Intan", "Juwita", "Lina", "Novi", "Puji", "Rahayu", "Sinta", "Tri", "Wahyuni", "Yulia",
    "Zahra", "Aminah", "Khadijah"
]
FAMILY = [
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Setiawan", "Pratama", "Kusuma", "Nugroho",
    "Susanto", "Gunawan", "Halim", "Siregar", "Nasution", "Harahap", "Lubis", "Simanjuntak",
    "Sitompul", "Manurung", "Tanjung", "Suharto", "Sukarno", "Cahyono", "Purnomo", "Wibowo",
    "Hartono", "Suryadi", "Syahputra", "Rahman", "Hasan", "Husain", "Yusuf", "Ibrahim",
    "Maulana", "Ramadhan", "Hakim", "Kurniadi", "Permana", "Utomo", "Prasetyo", "Wahyudi",
    "Sulistyo", "Mulyono"
]
SYLLABLES = [
    "ba", "be", "bi", "bo", "bu", "da", "de", "di", "do", "du", "ga", "gi", "gu", "ha", "hi",
    "ka", "ki", "ko", "ku", "la", "li", "lo", "lu", "ma", "mi", "mo", "mu", "na", "ni", "no",
    "nu", "pa", "pi", "ra", "ri", "ro", "ru", "sa", "si", "so", "su", "ta", "ti", "to", "tu",
    "wa", "wi", "ya", "yu", "an", "ar", "in", "ir", "on", "un"
]
# fmt: on

#: Shares of duplicate kinds, and of records made invalid, printed, or at an unknown office.
KINDS = {"exact": 0.40, "probable": 0.45, "conflict": 0.15}
INVALID_NIK, UNKNOWN_OFFICE, PRINTED, MOVED = 0.02, 0.005, 0.20, 1 / 3

#: Old spelling a probable duplicate may be written in: (new, old).
VARIANTS = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"), ("sy", "sj"), ("kh", "ch"))


def _pool(words: list[str], rng: np.random.Generator, extra: int) -> np.ndarray:
    """Real names first, then ``extra`` made of syllables: a long tail, as names have."""
    made = rng.choice(SYLLABLES, (extra, 3))
    made_names = ["".join(s).capitalize() for s in made]
    return np.array(list(dict.fromkeys(words + made_names)), dtype=object)


def _draw(pool: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Indices into ``pool``, the common names far more often (Zipf-like weights)."""
    weight = 1.0 / (np.arange(len(pool)) + 8.0)
    return rng.choice(len(pool), n, p=weight / weight.sum())


def _nik(region: pl.Expr, birth: pl.Expr, sex: pl.Expr, serial: pl.Expr, kec: int) -> pl.Expr:
    """A valid NIK; kecamatan ``kec`` + 0..29 from ``serial`` (originals 1, second NIKs 31)."""
    day = birth.dt.day() + pl.when(sex == "P").then(40).otherwise(0)
    return pl.concat_str(
        region,
        (pl.lit(kec) + (serial // 9999) % 30).cast(pl.Utf8).str.zfill(2),
        day.cast(pl.Utf8).str.zfill(2),
        birth.dt.month().cast(pl.Utf8).str.zfill(2),
        (birth.dt.year() % 100).cast(pl.Utf8).str.zfill(2),
        (pl.lit(1) + serial % 9999).cast(pl.Utf8).str.zfill(4),
    )


def _offices(instance: Instance) -> tuple[np.ndarray, np.ndarray]:
    """The 4-digit office codes and each one's share of the instance's demand."""
    ids = [str(i) for i in instance.offices["id"] if len(str(i)) == 4 and str(i).isdigit()]
    if not ids:
        raise InputError(
            f"instance {instance.name} has no office with a 4-digit Kemendagri code "
            "(such as 3171), so no NIK can be made for it; use instances/indonesia-2017"
        )
    demand = instance.demand.groupby("node")["quantity"].sum()
    weight = np.array([float(demand.get(i, 0)) for i in ids]) + 1.0
    return np.array(ids, dtype=object), weight / weight.sum()


def _names(sex: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    """Each person's name tokens (t2, t3 may be null) and the name they make."""
    n = len(sex)
    male, female = _pool(MALE, rng, 1500), _pool(FEMALE, rng, 1500)
    family = _pool(FAMILY, rng, 3000)
    pick = np.where(sex == "L", _draw(male, n, rng), _draw(female, n, rng) + len(male))
    firsts = pl.Series(np.concatenate([male, female]).tolist(), dtype=pl.Utf8)
    families = pl.Series(family.tolist(), dtype=pl.Utf8)
    count = rng.choice([1, 2, 3], n, p=[0.08, 0.60, 0.32])
    tokens = pl.DataFrame(
        {
            "t1": firsts.gather(pick),
            "t2": families.gather(_draw(family, n, rng)),
            "t3": families.gather(_draw(family, n, rng)),
            "count": count,
        }
    ).with_columns(
        pl.when(pl.col("count") >= 3).then("t2").alias("t2"),
        pl.when(pl.col("count") >= 2).then("t3").alias("t3"),
    )
    return tokens.drop("count").with_columns(
        pl.concat_str("t1", "t2", "t3", separator=" ", ignore_nulls=True).alias("name")
    )


def _typo(name: pl.Expr, position: pl.Expr, letter: pl.Expr, delete: pl.Expr) -> pl.Expr:
    """One typing slip at ``position`` (from 1): a letter replaced, or left out."""
    at = pl.min_horizontal(position, name.str.len_chars() - 1)
    keep = pl.when(delete).then(pl.lit("")).otherwise(letter)
    return pl.concat_str(name.str.slice(0, at), keep, name.str.slice(at + 1))


def _variant(frame: pl.DataFrame, rng: np.random.Generator) -> pl.Expr:
    """The name another way: typo, tokens swapped, middle name dropped, old spelling."""
    n = len(frame)
    way = rng.integers(0, 4, n)
    variant = rng.integers(0, len(VARIANTS), n)
    lower = pl.col("name").str.to_lowercase()
    spelt = pl.lit(None, pl.Utf8)
    for v, (new, old) in enumerate(VARIANTS):
        spelt = (
            pl.when(_s(variant == v) & lower.str.contains(new, literal=True))
            .then(lower.str.replace(new, old, literal=True).str.to_titlecase())
            .otherwise(spelt)
        )
    typo = _typo(
        pl.col("name"),
        _s(rng.integers(1, 12, n)),
        _s(rng.choice(list("aeiounrst"), n)),
        _s(rng.random(n) < 0.5),
    )
    swapped = pl.concat_str("t3", "t2", "t1", separator=" ", ignore_nulls=True)
    dropped = pl.concat_str("t1", "t3", separator=" ", ignore_nulls=True)
    return (
        pl.when(_s(way == 1) & pl.col("t3").is_not_null())
        .then(swapped)
        .when(_s(way == 2) & pl.col("t2").is_not_null())
        .then(dropped)
        .when(_s(way == 3) & spelt.is_not_null())
        .then(spelt)
        .otherwise(typo)
    )


def _people(n: int, instance: Instance, rng: np.random.Generator) -> pl.DataFrame:
    """``n`` persons: sex, birth date, name tokens, home office, first-registration region."""
    codes, weight = _offices(instance)
    start = dt.date.fromisoformat(instance.start + "-01")
    sex = np.where(rng.random(n) < 0.5, "L", "P")
    age_days = ((17 + rng.exponential(16, n) % 70) * 365.25).astype(np.int64)
    birth = np.datetime64(start, "D") - age_days
    office = codes[rng.choice(len(codes), n, p=weight)]
    moved_in = rng.random(n) < 0.15
    region = np.where(moved_in, codes[rng.integers(0, len(codes), n)], office)
    frame = pl.DataFrame(
        {
            "person": np.arange(n),
            "sex": sex,
            "birth_date": birth,
            "office": office,
            "region": region,
        },
    ).hstack(_names(sex, rng))
    return frame.with_columns(pl.col("birth_date").cast(pl.Date))


def _registered(n: int, instance: Instance, rng: np.random.Generator) -> np.ndarray:
    """Registration days: seven in ten before the start (the backlog), the rest within."""
    start = np.datetime64(instance.start + "-01", "D")
    end = (np.datetime64(instance.months[-1], "M") + 1).astype("datetime64[D]")
    first = np.datetime64("2012-01-01", "D")
    backlog = first + rng.integers(0, (start - first).astype(int), n).astype("timedelta64[D]")
    within = start + rng.integers(0, (end - start).astype(int), n).astype("timedelta64[D]")
    return np.where(rng.random(n) < 0.7, backlog, within)


def _s(values: np.ndarray) -> pl.Expr:
    """A numpy column as a polars literal of the same length."""
    return pl.lit(pl.Series(values))


def generate_registrations(
    instance: Instance, people: int, duplicates: float, seed: int = 0
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Registration records and their answer key (row, person, kind, invalid).

    The same arguments give the same records. ``duplicates`` is the number of
    extra records per person (0.1: one person in ten registered twice).
    """
    rng = np.random.default_rng(seed)
    base = _people(people, instance, rng)
    base = base.with_columns(
        _nik(pl.col("region"), pl.col("birth_date"), pl.col("sex"), pl.col("person"), 1).alias(
            "nik"
        ),
        pl.lit("original").alias("kind"),
        _s(_registered(people, instance, rng)).cast(pl.Date).alias("registered"),
    )
    base = _unique_niks(base)
    extra = round(duplicates * people)
    source = base[rng.integers(0, people, extra)] if extra else base.clear()
    kind = rng.choice(list(KINDS), extra, p=list(KINDS.values()))
    codes, weight = _offices(instance)
    moved = rng.random(extra) < MOVED
    later = rng.integers(20, 400, extra).astype("timedelta64[D]")
    end = np.datetime64(instance.months[-1] + "-28", "D")
    dup = source.with_columns(
        pl.lit(pl.Series(kind)).alias("kind"),
        pl.when(_s(moved))
        .then(_s(codes[rng.choice(len(codes), extra, p=weight)]))
        .otherwise(pl.col("office"))
        .alias("office"),
        _s(np.minimum(source["registered"].to_numpy() + later, end))
        .cast(pl.Date)
        .alias("registered"),
    )
    slip = _s(rng.random(extra) < 0.1)
    fresh = _names(dup["sex"].to_numpy(), rng)
    dup = dup.with_columns(
        pl.when(pl.col("kind") == "probable")
        .then(_variant(dup, rng))
        .when((pl.col("kind") == "exact") & slip)
        .then(_typo(pl.col("name"), _s(rng.integers(1, 12, extra)), pl.lit("a"), pl.lit(False)))
        .when(pl.col("kind") == "conflict")
        .then(someone_else(pl.col("name"), _s(fresh["name"].to_numpy())))
        .otherwise(pl.col("name"))
        .alias("name"),
        pl.when(pl.col("kind") == "probable")
        .then(_nik(pl.col("office"), pl.col("birth_date"), pl.col("sex"), _s(np.arange(extra)), 31))
        .otherwise(pl.col("nik"))
        .alias("nik"),
        pl.when(pl.col("kind") == "conflict")
        .then(people + _s(np.arange(extra)))
        .otherwise(pl.col("person"))
        .alias("person"),
    )
    records = pl.concat([base, dup.select(base.columns)])
    return _finish(records, rng)


def someone_else(own: pl.Expr, drawn: pl.Expr) -> pl.Expr:
    """A conflict's name: the one drawn, unless it is the NIK owner's own name.

    A record of someone's NIK, name, birth date and sex is that person's
    exact duplicate, whoever the answer key says it is: no de-duplication
    can tell the two apart, so the key would count a person no record shows
    (seen once in 5 million records: two women named Indah). Such a draw
    gets a family name added, which makes its name key another one.
    """
    same = name_key(drawn) == name_key(own)
    renamed = pl.concat_str(drawn, pl.lit(FAMILY[0]), separator=" ")
    return pl.when(same).then(renamed).otherwise(drawn)


def _unique_niks(base: pl.DataFrame) -> pl.DataFrame:
    """Originals whose NIK another person drew get the next free serial (rare; a few in 10^6)."""
    for _ in range(10):
        clash = base["nik"].is_duplicated() & ~base["nik"].is_first_distinct()
        if not clash.any():
            return base
        bumped = pl.concat_str(
            pl.col("nik").str.slice(0, 12),
            ((pl.col("nik").str.slice(12, 4).cast(pl.Int64) % 9999) + 1).cast(pl.Utf8).str.zfill(4),
        )
        base = base.with_columns(
            pl.when(_s(clash.to_numpy())).then(bumped).otherwise("nik").alias("nik")
        )
    return base


def _finish(records: pl.DataFrame, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Invalid NIKs and offices, printed status, shuffled rows; the records and the key."""
    n = len(records)
    broken = rng.random(n) < INVALID_NIK
    how = rng.integers(0, 4, n)
    nik = pl.col("nik")
    invalid = (
        pl.when(_s(broken & (how == 0)))
        .then(nik.str.slice(0, 15))
        .when(_s(broken & (how == 1)))
        .then(pl.concat_str(pl.lit("99"), nik.str.slice(2)))
        .when(_s(broken & (how == 2)))
        .then(pl.concat_str(nik.str.slice(0, 6), pl.lit("00"), nik.str.slice(8)))
        .when(_s(broken & (how == 3)))
        .then(pl.concat_str(nik.str.slice(0, 12), pl.lit("0000")))
        .otherwise(nik)
    )
    lost = rng.random(n) < UNKNOWN_OFFICE
    reason = np.select(
        [broken & (how == 0), broken & (how == 1), broken & (how == 2), broken & (how == 3), lost],
        ["nik_digits", "nik_region", "nik_birth_date", "nik_serial", "office"],
        default="",
    )
    records = records.with_columns(
        invalid.alias("nik"),
        pl.when(_s(lost)).then(pl.lit("0000")).otherwise("office").alias("office"),
        _s(np.where(rng.random(n) < PRINTED, "printed", "recorded")).alias("status"),
        _s(reason).alias("invalid"),
    )
    order = rng.permutation(n)
    records = (
        records[order].with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    )
    file = records.select("nik", "name", "birth_date", "sex", "office", "registered", "status")
    key = records.select("row", "person", "kind", "invalid")
    return file, key


def write_registrations(
    folder: str | Path,
    instance: Instance,
    people: int,
    duplicates: float,
    seed: int = 0,
    *,
    force: bool = False,
) -> Path:
    """Write ``registrations.csv`` and ``answer_key.csv`` (row, person, kind, invalid)."""
    records, key = generate_registrations(instance, people, duplicates, seed)
    return write_folder_atomic(
        folder,
        {
            "registrations.csv": records.write_csv().encode(),
            "answer_key.csv": key.write_csv().encode(),
        },
        force=force,
    )
