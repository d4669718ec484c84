"""Schema version 3 (etl/sql/schema.sql): fact_report packs its six dim_code keys into one profile key
(etl/sql/macros.sql). A version-2 database is migrated by the next load with nothing lost, a key too
large for its field stops the load before anything changes, and the packing round-trips."""

from __future__ import annotations

import csv
import math
import shutil
import subprocess
import sys
from collections import Counter

import duckdb
import pytest

from etl import load, publish
from etl.sample import write_sample
from etl.sqlfiles import sql
from tests.conftest import ROOT, file_digest, query

FIRST = "synthetic_first.csv"
DIMS = ("crime", "age_group", "sex", "victim_type", "modality", "channel")

# The version-2 fact_report (as schema.sql had it before 156fbb9), filled from a version-3 one with
# the profile key unpacked by hand: crime bits 24-31, age group 20-23, sex 16-19, victim type 12-15,
# modality 6-11, channel 0-5; a field of 0 is no code (NULL).
V2_FACT_REPORT = """
create table fact_report_old (
    source_key utinyint not null using compression bitpacking,
    file_key usmallint not null using compression bitpacking,
    report_id varchar not null using compression zstd,
    report_date date not null using compression bitpacking,
    incident_date date using compression bitpacking,
    ubigeo integer not null using compression bitpacking,
    crime_key utinyint not null using compression bitpacking,
    modality_key utinyint using compression bitpacking,
    channel_key utinyint using compression bitpacking,
    victim_age smallint using compression bitpacking,
    age_group_key utinyint not null using compression bitpacking,
    sex_key utinyint not null using compression bitpacking,
    victim_type_key utinyint using compression bitpacking,
    amount_lost_pen decimal(14, 2) using compression bitpacking,
    record_key utinyint using compression uncompressed
);
insert into fact_report_old
select source_key, file_key, report_id, report_date, incident_date, ubigeo,
       nullif(profile_key >> 24, 0), nullif((profile_key >> 6) & 63, 0), nullif(profile_key & 63, 0),
       victim_age, nullif((profile_key >> 20) & 15, 0), nullif((profile_key >> 16) & 15, 0),
       nullif((profile_key >> 12) & 15, 0), amount_lost_pen, record_key
from fact_report;
drop table fact_report;
alter table fact_report_old rename to fact_report;
create or replace view fact_incident as
select s.code as source, f.code as file_name, r.report_id, r.report_date, r.incident_date,
       lpad(r.ubigeo::varchar, 6, '0') as ubigeo, lpad((r.ubigeo // 10000)::varchar, 2, '0') as region_code,
       case when r.ubigeo // 10000 = 15 then case when r.ubigeo // 100 = 1501 then 'metro' else 'rest' end end
           as lima_area,
       c.code as crime_code, mo.code as modality, ch.code as channel, r.victim_age,
       ag.code as victim_age_group, sx.code as victim_sex, vt.code as victim_type, r.amount_lost_pen, r.record_key
from fact_report r
join dim_code s on s.dimension = 'source' and s.code_key = r.source_key
join dim_code f on f.dimension = 'file' and f.code_key = r.file_key
join dim_code c on c.dimension = 'crime' and c.code_key = r.crime_key
left join dim_code mo on mo.dimension = 'modality' and mo.code_key = r.modality_key
left join dim_code ch on ch.dimension = 'channel' and ch.code_key = r.channel_key
join dim_code ag on ag.dimension = 'age_group' and ag.code_key = r.age_group_key
join dim_code sx on sx.dimension = 'sex' and sx.code_key = r.sex_key
left join dim_code vt on vt.dimension = 'victim_type' and vt.code_key = r.victim_type_key;
update meta set value = '2' where key = 'schema_version';
checkpoint;
"""


def _rows(db, where: str = "true"):
    return sorted(query(db, f"select * from fact_incident where {where}"), key=repr)


def _columns(db, table: str) -> set[str]:
    return {r[0] for r in query(db, "select column_name from duckdb_columns() where table_name = $t", {"t": table})}


@pytest.fixture(scope="module")
def first_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("v3_csv") / FIRST
    write_sample(path, rows=2_000, seed=3)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory, first_csv):
    """A version-3 database with the first sample loaded (tests copy it before changing it)."""
    db = tmp_path_factory.mktemp("v3") / "cybercrime.duckdb"
    assert load.load_files([first_csv], db=db).published
    return db


def _second_csv(tmp_path):
    """Another sample (seed 11) whose ids cannot clash with the first one's: write_sample numbers
    every sample SYN-0000000001, SYN-0000000002, ... whatever the seed, so its ids are renamed SYB-."""
    path = tmp_path / "synthetic_second.csv"
    write_sample(path, rows=500, seed=11)
    path.write_text(path.read_text().replace("SYN-", "SYB-"))
    return path


def test_a_version_2_database_is_migrated_by_the_next_load_with_nothing_lost(tmp_path, built, first_csv):
    snapshot = _rows(built)
    assert len(snapshot) == 2_000
    v2 = tmp_path / "v2" / "cybercrime.duckdb"
    v2.parent.mkdir()
    shutil.copyfile(built, v2)
    with duckdb.connect(str(v2)) as con:
        con.execute(V2_FACT_REPORT)
    # The copy is a faithful version-2 database: the old columns, and the old view reads the same rows.
    assert {"crime_key", "victim_type_key"} <= _columns(v2, "fact_report") and "profile_key" not in _columns(
        v2, "fact_report")
    assert query(v2, "select value from meta where key = 'schema_version'") == [("2",)]
    assert _rows(v2) == snapshot
    log_before = query(v2, "select * from load_log")

    second = _second_csv(tmp_path)
    outcome = load.load_files([second], db=v2)
    assert outcome.published, outcome.files
    assert [(f.status, f.rows_loaded, f.rows_rejected) for f in outcome.files] == [("loaded", 500, 0)]

    columns = _columns(v2, "fact_report")
    assert "profile_key" in columns and not columns & {f"{d}_key" for d in DIMS}
    assert query(v2, "select count(*) from duckdb_tables() where table_name like 'fact_report_v%'") == [(0,)]
    assert query(v2, "select value from meta where key = 'schema_version'") == [("3",)]
    assert _rows(v2, f"file_name = '{FIRST}'") == snapshot
    assert query(v2, "select * from load_log where file_name = $f", {"f": FIRST}) == log_before
    # The migrated database holds what a fresh version-3 load of both files gives, aggregates too.
    fresh = tmp_path / "fresh" / "cybercrime.duckdb"
    assert load.load_files([first_csv, second], db=fresh).published
    assert len(_rows(v2, "file_name = 'synthetic_second.csv'")) == 500
    assert _rows(v2) == _rows(fresh)
    for table in ("agg_counts", "agg_modality", "agg_lima_area"):
        assert sorted(query(v2, f"select * from {table}"), key=repr) == sorted(
            query(fresh, f"select * from {table}"), key=repr), table


def test_a_key_too_large_for_its_profile_field_stops_the_load_and_changes_nothing(tmp_path, built):
    db = tmp_path / "built" / "cybercrime.duckdb"
    db.parent.mkdir()
    shutil.copyfile(built, db)
    with duckdb.connect(str(db)) as con:  # the age group field has 4 bits: keys 1-15
        con.execute("insert into dim_code values ('age_group', 16, 'made_up'); checkpoint")
    digest, rows, log = file_digest(db), _rows(db), query(db, "select * from load_log")

    # _open runs before the per-file handling in load_files: the error is raised, not an outcome.
    with pytest.raises(ValueError, match=r"age_group: key 16, at most 15") as raised:
        load.load_files([_second_csv(tmp_path)], db=db)
    assert "crime" not in str(raised.value) and "sex" not in str(raised.value)
    # The command line says so in one line, and that nothing was published (exit code 2).
    cli = subprocess.run([sys.executable, "-m", "etl", "load", str(_second_csv(tmp_path)), "--db", str(db)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert cli.returncode == 2 and "Traceback" not in cli.stdout + cli.stderr
    assert "age_group: key 16, at most 15" in cli.stdout and "nothing was published" in cli.stdout
    assert file_digest(db) == digest
    assert _rows(db) == rows and query(db, "select * from load_log") == log
    assert publish.temp_paths(db) == [] and sorted(p.name for p in db.parent.iterdir()) == [db.name]


def test_the_profile_key_round_trips_and_the_facts_match_the_csv(built, first_csv):
    with duckdb.connect(str(built), read_only=True) as con:
        con.execute(sql("macros"))
        keys = {d: [r[0] for r in con.execute(
            "select code_key from dim_code where dimension = $d order by 1", {"d": d}).fetchall()] for d in DIMS}
        assert all(keys.values()) and max(keys["crime"]) < 256
        # Every combination of every dimension's keys (and of no code, 0) packs into a distinct key
        # whose fields read back as profile_field and as the view's shifts and masks read them.
        cross = " cross join ".join(
            f"(select unnest([0, {', '.join(map(str, keys[d]))}]) as {d})" for d in DIMS)
        packed = f"select *, profile_key({', '.join(DIMS)}) as p from {cross}"
        wrong = " or ".join(f"profile_field(p, '{d}') <> {d}" for d in DIMS)
        by_hand = ("p >> 24 <> crime or (p >> 20) & 15 <> age_group or (p >> 16) & 15 <> sex "
                   "or (p >> 12) & 15 <> victim_type or (p >> 6) & 63 <> modality or p & 63 <> channel")
        total, distinct, bad, bad_by_hand, nulls = con.execute(
            f"select count(*), count(distinct p), count(*) filter ({wrong}), count(*) filter ({by_hand}), "
            f"count(*) filter (p is null) from ({packed})").fetchone()
        assert total == distinct == math.prod(len(keys[d]) + 1 for d in DIMS)
        assert (bad, bad_by_hand, nulls) == (0, 0, 0)
        assert con.execute("select profile_key(null, null, null, null, null, null)").fetchone() == (0,)

    # fact_incident against the CSV read with the csv module: codes kept as is, or mapped obviously.
    sexes = {"F": "female", "M": "male", "": "unknown"}
    types = {"persona natural": "person", "persona jurídica": "company", "Estado": "state"}
    with open(first_csv, newline="", encoding="utf-8") as fh:
        csv_rows = {r["report_id"]: (r["crime_code"], r["modality"] or None, r["channel"] or None,
                                     sexes[r["victim_sex"]], types[r["victim_type"]]) for r in csv.DictReader(fh)}
    facts = {r[0]: r[1:] for r in query(
        built, "select report_id, crime_code, modality, channel, victim_sex, victim_type from fact_incident")}
    assert len(csv_rows) == 2_000 and facts == csv_rows
    assert Counter(v[0] for v in csv_rows.values()) == dict(query(
        built, "select crime_code, count(*) from fact_incident group by 1"))
