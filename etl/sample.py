"""Seeded generator of a *synthetic* sample in the canonical ``incidents`` CSV format.

The sample is what the dashboard ships with when no official data is loaded. It is loaded under
its own source id (``synthetic``) and is never added to real counts. Its shape follows the public
figures described in ``/work/shared/DESIGN.md`` (yearly growth 2019-2025, Ley 30096 article mix,
regional shares, victim profiles), but every record is invented.

Everything is vectorised with numpy and written with ``pyarrow.csv`` in fixed-size chunks, so
memory stays bounded and ten million rows take seconds. The same ``rows`` and ``seed`` always give
byte-identical output (gzip headers carry ``mtime=0`` and no file name).

One concept, one module (so it is over the ~500-line guide): about half of it is the shape
parameters (yearly totals, article mix, regional shares, victim and modality profiles), which
only make sense next to the vectorised draws that use them; splitting them apart would spread
one generator over two files that always change together.

Public API::

    write_sample(out, rows, seed) -> int     # rows written
    add_arguments(parser)                   # --rows, --seed, --out
    run(args) -> int                        # exit code
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import gzip
import pathlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

__all__ = ["COLUMNS", "DEFAULT_ROWS", "DEFAULT_SEED", "write_sample", "add_arguments", "run"]

REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent
DISTRICTS_CSV = REPO_ROOT / "data" / "reference" / "ubigeo_districts.csv"
REGIONS_CSV = REPO_ROOT / "data" / "reference" / "regions.csv"

COLUMNS = (
    "report_id",
    "report_date",
    "incident_date",
    "ubigeo",
    "crime_code",
    "modality",
    "channel",
    "victim_age",
    "victim_sex",
    "victim_type",
    "amount_lost_pen",
)
DEFAULT_ROWS = 180_000
DEFAULT_SEED = 2026
CHUNK_ROWS = 500_000  # part of the output contract: changing it changes the bytes for a seed
GZIP_LEVEL = 6
ID_PREFIX = "SYN"
ID_WIDTH = 10

FIRST_DAY = _dt.date(2019, 1, 1)
LAST_DAY = _dt.date(2025, 12, 31)
EARLIEST_INCIDENT = _dt.date(2018, 11, 1)
MAX_LAG_DAYS = 60

# --------------------------------------------------------------------------------------------
# Shape parameters
# --------------------------------------------------------------------------------------------

# National yearly totals (only the ratios matter; scaled to ``rows``).
YEAR_WEIGHTS = {2019: 5_200, 2020: 9_600, 2021: 18_500, 2022: 24_000, 2023: 29_600,
                2024: 42_000, 2025: 48_000}
# Mild seasonality (Jan..Dec): quieter start of the year, busier Christmas shopping season.
MONTH_SEASONALITY = np.array([0.94, 0.92, 1.00, 0.97, 1.00, 0.98,
                              1.01, 1.02, 0.99, 1.02, 1.05, 1.10])
# Special months: the April 2020 lockdown dip (reporting offices closed), partial recovery in May.
MONTH_SHOCKS = {(2020, 3): 0.85, (2020, 4): 0.55, (2020, 5): 0.80}
# Monday..Sunday: fewer reports are filed at weekends.
WEEKDAY_WEIGHTS = np.array([1.10, 1.05, 1.02, 1.00, 0.95, 0.70, 0.50])

# Region shares (2-digit INEI code); the remaining regions share the rest by 2020 population.
FIXED_REGION_SHARES = {"15": 0.570, "13": 0.054, "04": 0.049, "14": 0.048, "07": 0.041,
                       "20": 0.035}
LIMA_REGION = "15"
LIMA_METRO_PROVINCE = "1501"
LIMA_METRO_SHARE = 0.90
CAPITAL_PROVINCE_BOOST = 3.0  # other regions: districts of province xx01 weigh 3x their population

# Crime codes ------------------------------------------------------------------------------
CRIME_CODES = ("8", "9", "10", "2", "7", "3", "5", "4", "11", "6", "S/Art",
               "196-A", "176-C", "154-A", "183-B")
_C = {code: i for i, code in enumerate(CRIME_CODES)}
# Relative mix of the specified Ley 30096 articles (2023 shape).
LEY_MIX = {"8": 73.0, "9": 18.0, "10": 2.0, "2": 1.8, "7": 1.0, "3": 0.4, "5": 0.3, "4": 0.2,
           "11": 0.3, "6": 0.03}
# Share of rows with the article not specified, by year (classification improved from 2021).
SART_SHARE = {2019: 0.60, 2020: 0.45, 2021: 0.15, 2022: 0.02, 2023: 0.02, 2024: 0.02, 2025: 0.02}
PENAL_SHARE = 0.03
PENAL_MIX = {"196-A": 0.80, "176-C": 0.08, "154-A": 0.06, "183-B": 0.06}

# Crime groups that share victim / modality profiles.
G_FRAUD, G_IDENTITY, G_MINORS, G_SEXTORTION, G_OTHER, G_UNSPEC = range(6)
CRIME_GROUP = {"8": G_FRAUD, "196-A": G_FRAUD, "9": G_IDENTITY, "5": G_MINORS, "183-B": G_MINORS,
               "176-C": G_SEXTORTION, "S/Art": G_UNSPEC}

# Modalities / channels (snake_case codes of data/reference/modalities.csv and channels.csv).
MODALITIES = ("phishing", "smishing", "vishing", "carding", "fake_online_sale",
              "social_media_identity_theft", "whatsapp_takeover", "sextortion", "grooming", "other")
CHANNELS = ("social_network", "messaging_app", "sms", "phone_call", "email", "website",
            "banking_app", "other")
MODALITY_BLANK = 0.08
CHANNEL_BLANK = 0.08
_FRAUD_MODALITIES = {"phishing": 0.24, "smishing": 0.12, "vishing": 0.14, "carding": 0.13,
                     "fake_online_sale": 0.20, "whatsapp_takeover": 0.12, "other": 0.05}
MODALITY_BY_GROUP = {
    G_FRAUD: _FRAUD_MODALITIES,
    G_IDENTITY: {"social_media_identity_theft": 0.63, "whatsapp_takeover": 0.32, "other": 0.05},
    G_MINORS: {"grooming": 1.0},
    G_SEXTORTION: {"sextortion": 1.0},
    G_OTHER: {"phishing": 0.50, "other": 0.50},
    G_UNSPEC: {**_FRAUD_MODALITIES, "social_media_identity_theft": 0.10, "other": 0.10},
}
CHANNEL_BY_MODALITY = {
    "phishing": {"email": 0.55, "website": 0.35, "social_network": 0.10},
    "smishing": {"sms": 1.0},
    "vishing": {"phone_call": 1.0},
    "carding": {"website": 0.60, "banking_app": 0.40},
    "fake_online_sale": {"social_network": 0.60, "messaging_app": 0.25, "website": 0.15},
    "social_media_identity_theft": {"social_network": 0.85, "messaging_app": 0.15},
    "whatsapp_takeover": {"messaging_app": 1.0},
    "sextortion": {"social_network": 0.55, "messaging_app": 0.45},
    "grooming": {"social_network": 0.60, "messaging_app": 0.40},
    "other": {"social_network": 0.20, "messaging_app": 0.15, "sms": 0.05, "phone_call": 0.10,
              "email": 0.15, "website": 0.15, "banking_app": 0.10, "other": 0.10},
    None: {"social_network": 0.25, "messaging_app": 0.20, "sms": 0.08, "phone_call": 0.10,
           "email": 0.12, "website": 0.15, "banking_app": 0.10},
}

# Victims ----------------------------------------------------------------------------------
VICTIM_TYPES = ("persona natural", "persona jurídica", "Estado")
VICTIM_TYPE_BY_GROUP = {
    G_FRAUD: (0.925, 0.055, 0.02),
    G_IDENTITY: (0.95, 0.04, 0.01),
    G_MINORS: (1.0, 0.0, 0.0),
    G_SEXTORTION: (1.0, 0.0, 0.0),
    G_OTHER: (0.70, 0.20, 0.10),
    G_UNSPEC: (0.94, 0.045, 0.015),
}
AGE_BLANK = 0.12
# (lowest age, highest age, probability) per group; ages are uniform within a band.
AGE_BANDS_BY_GROUP = {
    G_FRAUD: ((5, 11, 0.002), (12, 17, 0.018), (18, 29, 0.20), (30, 44, 0.29), (45, 59, 0.27),
              (60, 69, 0.12), (70, 79, 0.075), (80, 95, 0.025)),
    G_IDENTITY: ((10, 11, 0.002), (12, 17, 0.048), (18, 29, 0.37), (30, 44, 0.31),
                 (45, 59, 0.18), (60, 74, 0.08), (75, 90, 0.01)),
    G_MINORS: ((9, 11, 0.12), (12, 14, 0.40), (15, 17, 0.48)),
    G_SEXTORTION: ((12, 13, 0.03), (14, 17, 0.19), (18, 24, 0.38), (25, 29, 0.20),
                   (30, 44, 0.16), (45, 70, 0.04)),
    G_OTHER: ((12, 17, 0.05), (18, 29, 0.28), (30, 44, 0.30), (45, 59, 0.24), (60, 80, 0.13)),
    G_UNSPEC: ((5, 11, 0.002), (12, 17, 0.028), (18, 29, 0.23), (30, 44, 0.29), (45, 59, 0.26),
               (60, 74, 0.16), (75, 92, 0.03)),
}
SEXES = ("F", "M")
# (F, M, blank)
SEX_BY_GROUP = {
    G_FRAUD: (0.49, 0.46, 0.05),
    G_IDENTITY: (0.55, 0.40, 0.05),
    G_MINORS: (0.72, 0.23, 0.05),
    G_SEXTORTION: (0.72, 0.23, 0.05),
    G_OTHER: (0.45, 0.50, 0.05),
    G_UNSPEC: (0.50, 0.45, 0.05),
}
# Probability that a loss amount is recorded, and the median of its lognormal (PEN).
AMOUNT_BY_GROUP = {
    G_FRAUD: (0.80, 560.0),
    G_IDENTITY: (0.10, 450.0),
    G_MINORS: (0.0, 1.0),
    G_SEXTORTION: (0.20, 500.0),
    G_OTHER: (0.05, 800.0),
    G_UNSPEC: (0.15, 600.0),
}
AMOUNT_SIGMA = 1.3
AMOUNT_CAP_CENTS = 250_000_000  # 2.5 million soles
AMOUNT_COMPANY_FACTOR = 4.0  # companies and state bodies lose more
AMOUNT_ROUNDED_SHARE = 0.35  # victims often report whole soles
INCIDENT_BLANK = 0.05
INCIDENT_LAG_P = 0.15  # geometric lag, mean ~6 days, capped at MAX_LAG_DAYS


# --------------------------------------------------------------------------------------------
# Static tables (built once per process)
# --------------------------------------------------------------------------------------------

def _cdf(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    c = np.cumsum(w / w.sum())
    c[-1] = 1.0
    return c


def _cdf_table(rows) -> np.ndarray:
    return np.vstack([_cdf(r) for r in rows])


def _draw(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    """n draws from one categorical distribution given by its cdf."""
    idx = np.searchsorted(cdf, rng.random(n), side="right")
    return np.minimum(idx, len(cdf) - 1)


def _cond_draw(rng: np.random.Generator, table: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """One draw per row from the categorical distribution ``table[cond[i]]`` (a row of cdfs)."""
    # Row c of the table, shifted by c, lies in [c, c + 1]; the flattened shifted table is thus
    # sorted, and one searchsorted of (c + u) finds the category for every row at once.
    k = table.shape[1]
    flat = (table + np.arange(table.shape[0])[:, None]).ravel()
    cond = cond.astype(np.int64)
    idx = np.searchsorted(flat, cond + rng.random(len(cond)), side="right") - cond * k
    return np.minimum(idx, k - 1).astype(np.int16)


@dataclass(frozen=True)
class _Tables:
    district_codes: pa.Array        # string codes, index = district index
    district_cdf: np.ndarray
    day_numbers: np.ndarray         # days since 1970-01-01 of every calendar day
    day_year_idx: np.ndarray        # year index (0 = 2019) of every calendar day
    crime_cdf: np.ndarray           # [year idx, crime idx]
    crime_group: np.ndarray         # crime idx -> group
    modality_cdf: np.ndarray        # [group, modality idx or blank (last)]
    channel_cdf: np.ndarray         # [modality idx or blank (last), channel idx or blank (last)]
    victim_type_cdf: np.ndarray     # [group, type]
    age_cdf: np.ndarray             # [group, band]
    age_lo: np.ndarray              # [group, band]
    age_span: np.ndarray            # [group, band]
    sex_cdf: np.ndarray             # [group, F/M/blank]
    amount_p: np.ndarray            # [group]
    amount_log_median: np.ndarray   # [group]


def _read_districts() -> list[tuple[str, float]]:
    """(inei code, population estimate or NaN) per district of the reference file."""
    out = []
    with DISTRICTS_CSV.open(encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            code = (rec.get("inei") or "").strip()
            if not (len(code) == 6 and code.isdigit()):
                continue  # the one district without an INEI code ("NA")
            try:
                pop = float(rec["pob_densidad_2020"]) * float(rec["superficie"])
            except (TypeError, ValueError):
                pop = float("nan")
            out.append((code, pop))
    out.sort()
    return out


def _read_region_population() -> dict[str, float]:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as fh:
        return {rec["ubigeo_inei"].strip().zfill(2): float(rec["pob_2020_minsa"])
                for rec in csv.DictReader(fh)}


def _district_weights() -> tuple[list[str], np.ndarray]:
    districts = _read_districts()
    codes = [c for c, _ in districts]
    pop = np.array([p for _, p in districts])
    region = np.array([c[:2] for c in codes])
    province = np.array([c[:4] for c in codes])

    region_pop = _read_region_population()
    present = sorted(set(region.tolist()))
    rest = [r for r in present if r not in FIXED_REGION_SHARES]
    rest_total = sum(region_pop[r] for r in rest)
    rest_share = 1.0 - sum(FIXED_REGION_SHARES.values())
    region_share = dict(FIXED_REGION_SHARES)
    region_share.update({r: rest_share * region_pop[r] / rest_total for r in rest})

    weights = np.zeros(len(codes))
    for r in present:
        in_r = region == r
        p = pop[in_r]
        # districts without a population estimate count as a small district of their region
        fallback = np.nanpercentile(p, 25) if np.isfinite(p).any() else 1.0
        p = np.where(np.isfinite(p) & (p > 0), p, fallback)
        prov = province[in_r]
        capital = prov == r + "01"
        if r == LIMA_REGION:
            metro = prov == LIMA_METRO_PROVINCE
            w = np.where(metro, LIMA_METRO_SHARE * p / p[metro].sum(),
                         (1 - LIMA_METRO_SHARE) * p / p[~metro].sum())
        else:
            w = p * np.where(capital, CAPITAL_PROVINCE_BOOST, 1.0)
            w = w / w.sum()
        weights[in_r] = region_share[r] * w
    return codes, weights / weights.sum()


def _calendar() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every day 2019-01-01..2025-12-31: (days since epoch, year index, relative weight)."""
    days = np.arange(np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY) + 1)
    years = days.astype("datetime64[Y]").astype(int) + 1970
    months = days.astype("datetime64[M]").astype(int) % 12 + 1
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    wd_weight = WEEKDAY_WEIGHTS[weekday]

    year_list = sorted(YEAR_WEIGHTS)
    weight = np.zeros(len(days))
    for _k, y in enumerate(year_list):
        nxt = YEAR_WEIGHTS.get(y + 1)
        growth = nxt / YEAR_WEIGHTS[y] if nxt else YEAR_WEIGHTS[y] / YEAR_WEIGHTS[y - 1]
        month_w = np.empty(12)
        for m in range(1, 13):
            trend = growth ** ((m - 6.5) / 12.0)  # growth within the year towards the next one
            month_w[m - 1] = MONTH_SEASONALITY[m - 1] * trend * MONTH_SHOCKS.get((y, m), 1.0)
        month_w *= YEAR_WEIGHTS[y] / month_w.sum()
        for m in range(1, 13):
            sel = (years == y) & (months == m)
            weight[sel] = month_w[m - 1] * wd_weight[sel] / wd_weight[sel].sum()
    return days.astype(np.int64), (years - year_list[0]).astype(np.int16), weight


def _crime_table() -> np.ndarray:
    rows = []
    ley_total = sum(LEY_MIX.values())
    for y in sorted(YEAR_WEIGHTS):
        p = np.zeros(len(CRIME_CODES))
        ley_share = 1.0 - PENAL_SHARE - SART_SHARE[y]
        for code, w in LEY_MIX.items():
            p[_C[code]] = ley_share * w / ley_total
        p[_C["S/Art"]] = SART_SHARE[y]
        for code, w in PENAL_MIX.items():
            p[_C[code]] = PENAL_SHARE * w
        rows.append(p)
    return _cdf_table(rows)


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    codes, dist_w = _district_weights()
    day_numbers, day_year_idx, _ = _calendar()
    groups = range(6)
    crime_group = np.array([CRIME_GROUP.get(c, G_OTHER) for c in CRIME_CODES], dtype=np.int16)

    mod_rows = []
    for g in groups:
        p = np.array([MODALITY_BY_GROUP[g].get(m, 0.0) for m in MODALITIES])
        mod_rows.append(np.append(p / p.sum() * (1 - MODALITY_BLANK), MODALITY_BLANK))
    chan_rows = []
    for m in (*MODALITIES, None):
        p = np.array([CHANNEL_BY_MODALITY[m].get(c, 0.0) for c in CHANNELS])
        chan_rows.append(np.append(p / p.sum() * (1 - CHANNEL_BLANK), CHANNEL_BLANK))

    n_bands = max(len(b) for b in AGE_BANDS_BY_GROUP.values())
    age_p = np.zeros((6, n_bands))
    age_lo = np.zeros((6, n_bands), dtype=np.int16)
    age_span = np.ones((6, n_bands), dtype=np.int16)
    for g in groups:
        for j, (lo, hi, p) in enumerate(AGE_BANDS_BY_GROUP[g]):
            age_p[g, j], age_lo[g, j], age_span[g, j] = p, lo, hi - lo + 1

    return _Tables(
        district_codes=pa.array(codes, type=pa.string()),
        district_cdf=_cdf(dist_w),
        day_numbers=day_numbers,
        day_year_idx=day_year_idx,
        crime_cdf=_crime_table(),
        crime_group=crime_group,
        modality_cdf=_cdf_table(mod_rows),
        channel_cdf=_cdf_table(chan_rows),
        victim_type_cdf=_cdf_table([VICTIM_TYPE_BY_GROUP[g] for g in groups]),
        age_cdf=_cdf_table(age_p),
        age_lo=age_lo,
        age_span=age_span,
        sex_cdf=_cdf_table([SEX_BY_GROUP[g] for g in groups]),
        amount_p=np.array([AMOUNT_BY_GROUP[g][0] for g in groups]),
        amount_log_median=np.log([AMOUNT_BY_GROUP[g][1] for g in groups]),
    )


def _day_counts(rows: int) -> np.ndarray:
    """Rows per calendar day: largest-remainder allocation of ``rows`` to the day weights."""
    _, _, weight = _calendar()
    exact = weight / weight.sum() * rows
    counts = np.floor(exact).astype(np.int64)
    short = rows - int(counts.sum())
    if short:
        order = np.argsort(-(exact - counts), kind="stable")
        counts[order[:short]] += 1
    return counts


# --------------------------------------------------------------------------------------------
# Chunk generation
# --------------------------------------------------------------------------------------------

def _take(values: tuple[str, ...] | pa.Array, idx: np.ndarray, null: np.ndarray | None = None
          ) -> pa.Array:
    dictionary = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    indices = pa.array(idx.astype(np.int32), mask=null)
    return pc.take(dictionary, indices)


def _chunk(t: _Tables, seed: int, chunk_no: int, start: int, stop: int,
           day_end: np.ndarray) -> pa.Table:
    n = stop - start
    rng = np.random.default_rng(np.random.SeedSequence([seed, chunk_no]))
    seq = np.arange(start, stop, dtype=np.int64)

    # dates: rows are in report_date order (global allocation per day)
    day_idx = np.searchsorted(day_end, seq, side="right")
    report = t.day_numbers[day_idx]
    year_idx = t.day_year_idx[day_idx]
    lag = np.minimum(rng.geometric(INCIDENT_LAG_P, n) - 1, MAX_LAG_DAYS)
    earliest = (np.datetime64(EARLIEST_INCIDENT) - np.datetime64("1970-01-01")).astype(np.int64)
    incident = np.maximum(report - lag, earliest)
    incident_null = rng.random(n) < INCIDENT_BLANK

    district = _draw(rng, t.district_cdf, n)
    crime = _cond_draw(rng, t.crime_cdf, year_idx)
    group = t.crime_group[crime]

    modality = _cond_draw(rng, t.modality_cdf, group)  # len(MODALITIES) = blank
    channel = _cond_draw(rng, t.channel_cdf, modality)  # len(CHANNELS) = blank
    modality_null = modality == len(MODALITIES)
    channel_null = channel == len(CHANNELS)

    vtype = _cond_draw(rng, t.victim_type_cdf, group)
    natural = vtype == 0
    band = _cond_draw(rng, t.age_cdf, group)
    age = t.age_lo[group, band] + np.floor(rng.random(n) * t.age_span[group, band]).astype(np.int16)
    age_null = (~natural) | (rng.random(n) < AGE_BLANK)
    sex = _cond_draw(rng, t.sex_cdf, group)  # 2 = blank
    sex_null = (~natural) | (sex == 2)

    amount_null = rng.random(n) >= t.amount_p[group]
    log_amount = t.amount_log_median[group] + AMOUNT_SIGMA * rng.standard_normal(n)
    amount = np.exp(log_amount) * np.where(natural, 1.0, AMOUNT_COMPANY_FACTOR)
    cents = np.clip(np.round(amount * 100), 100, AMOUNT_CAP_CENTS).astype(np.int64)
    whole = rng.random(n) < AMOUNT_ROUNDED_SHARE
    cents = np.where(whole, np.maximum(cents // 100, 1) * 100, cents)

    report_id = pc.binary_join_element_wise(
        pa.scalar(ID_PREFIX),
        pc.utf8_lpad(pa.array(seq + 1).cast(pa.string()), ID_WIDTH, "0"),
        "-")
    amount_str = pc.binary_join_element_wise(
        pa.array(cents // 100, mask=amount_null).cast(pa.string()),
        pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0"),
        ".")
    return pa.table({
        "report_id": report_id,
        "report_date": pa.array(report.astype("datetime64[D]")),
        "incident_date": pa.array(incident.astype("datetime64[D]"), mask=incident_null),
        "ubigeo": _take(t.district_codes, district),
        "crime_code": _take(CRIME_CODES, crime),
        "modality": _take(MODALITIES, np.where(modality_null, 0, modality), modality_null),
        "channel": _take(CHANNELS, np.where(channel_null, 0, channel), channel_null),
        "victim_age": pa.array(age.astype(np.int8), mask=age_null),
        "victim_sex": _take(SEXES, np.where(sex_null, 0, sex), sex_null),
        "victim_type": _take(VICTIM_TYPES, vtype),
        "amount_lost_pen": amount_str,
    })


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def write_sample(out: pathlib.Path, rows: int, seed: int, *, chunk_rows: int = CHUNK_ROWS) -> int:
    """Write ``rows`` synthetic incident records to ``out`` (gzip if it ends in ``.gz``).

    Deterministic: the same ``rows`` and ``seed`` give byte-identical files. Returns the number of
    data rows written (the header is not counted). ``chunk_rows`` bounds memory; each chunk has its
    own random stream, so keep the default when byte-identical output matters.
    """
    rows = int(rows)
    seed = int(seed)
    chunk_rows = int(chunk_rows)
    if rows < 0:
        raise ValueError(f"rows must be >= 0, got {rows}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    t = _tables()
    day_end = np.cumsum(_day_counts(rows))  # row index where each day's rows end
    header = (",".join(COLUMNS) + "\n").encode("utf-8")
    options = pacsv.WriteOptions(include_header=False, quoting_style="none", batch_size=65_536)

    with open(out, "wb") as raw:
        if out.name.endswith(".gz"):
            sink = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0,
                                 compresslevel=GZIP_LEVEL)
        else:
            sink = raw
        # One writer thread compresses/writes chunk i while chunk i + 1 is generated (zlib and
        # file writes release the GIL). Writes stay in order; at most two chunks are in memory.
        with ThreadPoolExecutor(max_workers=1) as writer:
            try:
                pending = writer.submit(sink.write, header)
                for chunk_no, start in enumerate(range(0, rows, chunk_rows)):
                    stop = min(start + chunk_rows, rows)
                    table = _chunk(t, seed, chunk_no, start, stop, day_end)
                    buf = pa.BufferOutputStream()
                    pacsv.write_csv(table, buf, options)
                    del table
                    pending.result()
                    pending = writer.submit(sink.write, buf.getvalue())
                pending.result()
            finally:
                if sink is not raw:
                    sink.close()
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``sample`` sub-command options to ``parser``."""
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS,
                        help=f"number of synthetic records (default {DEFAULT_ROWS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"random seed; same seed and rows give identical bytes "
                             f"(default {DEFAULT_SEED})")
    parser.add_argument("--out", type=pathlib.Path, required=True,
                        help="output CSV file; gzip-compressed if it ends in .gz")


def run(args: argparse.Namespace) -> int:
    """Generate the sample described by ``args``; print a one-line summary; return 0."""
    started = time.perf_counter()
    written = write_sample(args.out, args.rows, args.seed)
    elapsed = time.perf_counter() - started
    size = pathlib.Path(args.out).stat().st_size
    print(f"synthetic sample: {written:,} rows (seed {args.seed}) -> {args.out} "
          f"({size / 1e6:.1f} MB) in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover - the CLI lives in ``python -m etl sample``
    _parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(_parser)
    raise SystemExit(run(_parser.parse_args()))
