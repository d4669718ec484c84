"""The reference an analyst would otherwise write: pandas `read_csv`, the same checks in pandas,
then insert into DuckDB (the same fact table, rejected rows, load log and aggregates).

Written the way a competent analyst would (vectorised pandas, no row loops), for a
canonical-format incidents file in UTF-8 with English headers (what the benchmark loads). It
applies every rule of `etl.adapters.load_incidents` and names each bad row with its line, so
its result can be compared with the ETL's (`python -m bench.analyst FILE DB`).
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from etl import reference
from etl.sqlfiles import sql

FIRST_VALID_DATE = pd.Timestamp(1990, 1, 1)


def _blank_to_na(s: pd.Series) -> pd.Series:
    s = s.str.strip(" ")
    return s.mask(s == "")


def _norm(s: pd.Series) -> pd.Series:
    """lower case, no accents, words split by single spaces (as etl.adapters._norm)."""
    s = s.str.strip(" ").str.lower().str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return s.str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()


def _dates(s: pd.Series) -> pd.Series:
    iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    dmy = pd.to_datetime(s, format="%d/%m/%Y", errors="coerce")
    return iso.fillna(dmy)


SEX = {"f": "female", "femenino": "female", "mujer": "female", "female": "female", "m": "male",
       "masculino": "male", "hombre": "male", "male": "male", "varon": "male"}
VTYPE = {"persona natural": "person", "natural": "person", "person": "person", "persona juridica": "company",
         "juridica": "company", "company": "company", "estado": "state", "state": "state",
         "entidad publica": "state"}


def run(path: Path, db: Path) -> dict:
    """Load `path` into a fresh database `db`; returns counts and seconds."""
    started = time.perf_counter()
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute(sql("schema"))
    con.execute(sql("macros"))
    reference.load_reference_tables(con)
    con.execute(sql("dim_codes"))
    districts = set(r[0] for r in con.execute("select ubigeo from ref_district").fetchall())
    crimes = set(r[0] for r in con.execute("select crime_code from ref_crime").fetchall())
    modality_alias = dict(con.execute("select alias, min(modality) from ref_modality_alias group by alias").fetchall())
    channel_alias = dict(con.execute("select alias, min(channel) from ref_channel_alias group by alias").fetchall())
    groups = con.execute("select age_group, min_age, max_age from ref_age_group where min_age is not null "
                         "order by min_age").fetchall()

    source = "synthetic" if "synthetic" in path.name.lower() else "incidents"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    line = pd.Series(df.index + 2, index=df.index)
    report_id = _blank_to_na(df["report_id"])
    rd_raw = _blank_to_na(df["report_date"])
    rd = _dates(rd_raw)
    id_raw = _blank_to_na(df["incident_date"])
    idt = _dates(id_raw)
    ub_raw = _blank_to_na(df["ubigeo"])
    ub = ub_raw.where(ub_raw.str.fullmatch(r"[0-9]{5,6}", na=False)).str.zfill(6)
    cr_raw = _blank_to_na(df["crime_code"])
    cr = cr_raw.str.upper().str.replace(r"^ART(ICULO|ÍCULO)?\.?\s*", "", regex=True).str.replace(
        r"^S/ART$", "S/Art", regex=True)
    age_raw = _blank_to_na(df["victim_age"])
    age = pd.to_numeric(age_raw.where(age_raw.str.fullmatch(r"-?[0-9]{1,4}", na=False)), errors="coerce")
    sex_raw = _blank_to_na(df["victim_sex"])
    sex = _norm(sex_raw).map(SEX)
    type_raw = _blank_to_na(df["victim_type"])
    vtype = _norm(type_raw).map(VTYPE)
    amount_raw = _blank_to_na(df["amount_lost_pen"])
    amount = pd.to_numeric(amount_raw, errors="coerce").round(2)
    today = pd.Timestamp(date.today())

    rules = [
        ("report_id", report_id.isna(), "missing report_id; expected a text identifier", report_id),
        ("report_date", rd.isna(), "not a valid date; expected YYYY-MM-DD or DD/MM/YYYY", rd_raw),
        ("report_date", (rd < FIRST_VALID_DATE) | (rd > today),
         "date out of range; expected between 1990-01-01 and today", rd_raw),
        ("incident_date", id_raw.notna() & idt.isna(), "not a valid date; expected YYYY-MM-DD or DD/MM/YYYY", id_raw),
        ("incident_date", idt > rd, "incident_date is after report_date", id_raw),
        ("ubigeo", ~ub.isin(districts), "unknown or missing district code", ub_raw),
        ("crime_code", cr.isna() | ~(cr.eq("S/Art") | cr.str.fullmatch(r"[0-9]{1,3}(-[A-Z]{1,2})?", na=False)),
         "unknown crime code", cr_raw),
        ("victim_age", age_raw.notna() & (age.isna() | (age < 0) | (age > 120)),
         "not a valid age; expected whole years 0-120", age_raw),
        ("victim_sex", sex_raw.notna() & sex.isna(), "unknown sex", sex_raw),
        ("victim_type", type_raw.notna() & vtype.isna(), "unknown victim type", type_raw),
        ("amount_lost_pen", amount_raw.notna() & (amount.isna() | (amount < 0)), "not a number or negative", amount_raw),
        ("report_id", report_id.notna() & report_id.duplicated(keep="first"), "duplicate report_id", report_id),
    ]
    bad = pd.Series(False, index=df.index)
    errors = []
    for column, mask, reason, value in rules:
        mask = mask.fillna(False).astype(bool)
        if mask.any():
            errors.append(pd.DataFrame({"line_number": line[mask], "column_name": column, "reason": reason,
                                        "value": value[mask]}))
        bad |= mask
    in_scope = cr.isin(crimes)
    ok = ~bad & in_scope

    company = vtype.isin(["company", "state"])
    age_group = pd.Series("unknown", index=df.index, dtype="str")
    for name, lo, hi in groups:
        age_group = age_group.mask(age.between(lo, hi) & ~company, name)
    modality_key = _norm(_blank_to_na(df["modality"]))
    channel_key = _norm(_blank_to_na(df["channel"]))
    fact = pd.DataFrame({
        "source": source, "file_name": path.name, "report_id": report_id, "report_date": rd.dt.date,
        "incident_date": idt.dt.date, "ubigeo": ub, "region_code": ub.str[:2],
        "lima_area": pd.Series(np.where(ub.str[:4] == "1501", "metro", "rest"), index=df.index, dtype="str")
                     .where(ub.str[:2] == "15"),
        "crime_code": cr,
        "modality": modality_key.map(modality_alias).fillna("other").where(modality_key.fillna("") != ""),
        "channel": channel_key.map(channel_alias).fillna("other").where(channel_key.fillna("") != ""),
        "victim_age": age.where(~company).astype("Int16"), "victim_age_group": age_group,
        "victim_sex": sex.where(~company).fillna("unknown").where(~company, "unknown"),
        "victim_type": vtype, "amount_lost_pen": amount,
    })[ok]
    # Into the ETL's narrow fact table, keys looked up the way a migrated database gets them; the
    # facts are compared through the `fact_incident` view (tests/test_etl_*; bench/etl.py --check).
    con.register("fact_df", fact)
    con.execute("create temp table fact_incident_v1 as select *, null::utinyint as record_key from fact_df")
    con.unregister("fact_df")
    con.execute(sql("migrate_fact_incident"))
    rejected = pd.concat(errors) if errors else pd.DataFrame(columns=["line_number", "column_name", "reason", "value"])
    rejected["file_name"], rejected["source"] = path.name, source
    con.register("rejected_df", rejected)
    con.execute("insert into rejected_rows by name select * from rejected_df")
    con.unregister("rejected_df")
    n_rejected = int(bad.sum())
    con.execute(
        "insert into load_log values ($f, '', $src, $t, $r, $l, $j, $o, 'loaded', '', $s, null)",
        {"f": path.name, "src": source, "t": datetime.now(timezone.utc).replace(tzinfo=None), "r": len(df), "l": int(ok.sum()),
         "j": n_rejected, "o": int((~bad & ~in_scope).sum()), "s": time.perf_counter() - started},
    )
    con.execute(sql("aggregates"))
    con.execute("checkpoint")
    con.close()
    return {"rows_read": len(df), "rows_loaded": int(ok.sum()), "rows_rejected": n_rejected,
            "seconds": time.perf_counter() - started}


def main(argv: list[str]) -> int:
    """Command line: load FILE into DB with the pandas pipeline and print its row counts and seconds."""
    print(run(Path(argv[0]), Path(argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
