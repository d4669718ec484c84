"""Tests of the synthetic sample generator (etl/sample.py).

Every check reads the written file back (DuckDB SQL over the CSV), so what is tested is what a
data steward or the loader would see.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import pathlib

import duckdb
import pytest

from etl import sample

ROOT = pathlib.Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "data" / "reference"
HEADER = ("report_id,report_date,incident_date,ubigeo,crime_code,modality,channel,victim_age,"
          "victim_sex,victim_type,amount_lost_pen")
ROWS = 200_000
SEED = 2026


def _sha(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sample_csv(tmp_path_factory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("sample") / "synthetic.csv"
    assert sample.write_sample(out, ROWS, SEED) == ROWS
    return out


@pytest.fixture(scope="module")
def con(sample_csv):
    c = duckdb.connect()
    c.execute(f"""
        CREATE VIEW raw AS
        SELECT * FROM read_csv('{sample_csv.as_posix()}', header = true, all_varchar = true,
                               delim = ',', quote = '"')""")
    c.execute("""
        CREATE VIEW s AS
        SELECT report_id, CAST(report_date AS DATE) AS report_date,
               CAST(incident_date AS DATE) AS incident_date, ubigeo, crime_code, modality,
               channel, CAST(victim_age AS INTEGER) AS victim_age, victim_sex, victim_type,
               CAST(amount_lost_pen AS DECIMAL(14, 2)) AS amount_lost_pen,
               year(CAST(report_date AS DATE)) AS y
        FROM raw""")
    c.execute(f"""
        CREATE TABLE districts AS
        SELECT inei FROM read_csv('{(REFERENCE / 'ubigeo_districts.csv').as_posix()}',
                                  header = true, all_varchar = true)
        WHERE inei <> 'NA'""")
    yield c
    c.close()


def _one(con, sql: str):
    return con.execute(sql).fetchone()[0]


# --- determinism -------------------------------------------------------------------------------

def test_same_seed_gives_identical_bytes(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    sample.write_sample(a, 30_000, 7)
    sample.write_sample(b, 30_000, 7)
    assert _sha(a) == _sha(b)


def test_same_seed_gives_identical_gzip_bytes(tmp_path):
    a, b = tmp_path / "a.csv.gz", tmp_path / "sub" / "b.csv.gz"
    sample.write_sample(a, 30_000, 7)
    sample.write_sample(b, 30_000, 7)  # other name and folder: no name or mtime in the header
    assert _sha(a) == _sha(b)
    plain = tmp_path / "plain.csv"
    sample.write_sample(plain, 30_000, 7)
    assert gzip.decompress(a.read_bytes()) == plain.read_bytes()


def test_different_seed_gives_different_bytes(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    sample.write_sample(a, 30_000, 7)
    sample.write_sample(b, 30_000, 8)
    assert _sha(a) != _sha(b)
    # same number of lines and the same date allocation, different content
    assert len(a.read_bytes().splitlines()) == len(b.read_bytes().splitlines())


def test_multi_chunk_output_is_deterministic_and_ids_continue(tmp_path):
    rows, chunk = 100_001, 40_000  # three chunks, the last one short
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert sample.write_sample(a, rows, 3, chunk_rows=chunk) == rows
    sample.write_sample(b, rows, 3, chunk_rows=chunk)
    assert _sha(a) == _sha(b)
    c = duckdb.connect()
    n, distinct, last, unordered = c.execute(f"""
        SELECT count(*), count(DISTINCT report_id), max(report_id),
               count(*) FILTER (WHERE report_date < prev_date)
        FROM (SELECT *, lag(report_date) OVER (ORDER BY report_id) AS prev_date
              FROM read_csv('{a.as_posix()}', all_varchar = true))""").fetchone()
    assert n == distinct == rows
    assert last == f"SYN-{rows:010d}"
    assert unordered == 0  # rows are in report_date order across chunk borders


# --- format --------------------------------------------------------------------------------------

def test_header_row_count_and_line_format(sample_csv):
    data = sample_csv.read_bytes()
    assert b"\r" not in data
    assert not data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == HEADER
    assert lines[-1] == ""  # file ends with a newline
    body = lines[1:-1]
    assert len(body) == ROWS
    assert all(line.count(",") == 10 for line in body[:: max(1, ROWS // 5000)])
    assert '"' not in data.decode("utf-8")


def test_zero_rows_writes_header_only(tmp_path):
    out = tmp_path / "empty.csv"
    assert sample.write_sample(out, 0, 1) == 0
    assert out.read_text(encoding="utf-8") == HEADER + "\n"


def test_negative_rows_rejected(tmp_path):
    with pytest.raises(ValueError):
        sample.write_sample(tmp_path / "x.csv", -1, 1)


def test_report_ids_unique_and_zero_padded(con):
    n, distinct, bad = con.execute(r"""
        SELECT count(*), count(DISTINCT report_id),
               count(*) FILTER (WHERE NOT regexp_full_match(report_id, 'SYN-\d{10}'))
        FROM raw""").fetchone()
    assert n == distinct == ROWS
    assert bad == 0
    assert _one(con, "SELECT min(report_id) FROM raw") == "SYN-0000000001"


def test_value_formats(con):
    bad = con.execute(r"""
        SELECT
          count(*) FILTER (WHERE NOT regexp_full_match(report_date, '\d{4}-\d{2}-\d{2}')),
          count(*) FILTER (WHERE incident_date IS NOT NULL
                           AND NOT regexp_full_match(incident_date, '\d{4}-\d{2}-\d{2}')),
          count(*) FILTER (WHERE NOT regexp_full_match(ubigeo, '\d{6}')),
          count(*) FILTER (WHERE victim_age IS NOT NULL
                           AND NOT regexp_full_match(victim_age, '\d{1,3}')),
          count(*) FILTER (WHERE victim_sex IS NOT NULL AND victim_sex NOT IN ('F', 'M')),
          count(*) FILTER (WHERE victim_type NOT IN
                           ('persona natural', 'persona jurídica', 'Estado')
                           OR victim_type IS NULL),
          count(*) FILTER (WHERE amount_lost_pen IS NOT NULL
                           AND NOT regexp_full_match(amount_lost_pen, '\d+\.\d{2}'))
        FROM raw""").fetchone()
    assert bad == (0, 0, 0, 0, 0, 0, 0)


# --- validity ------------------------------------------------------------------------------------

def test_every_ubigeo_is_a_reference_district(con):
    assert _one(con, "SELECT count(*) FROM raw WHERE ubigeo NOT IN (SELECT inei FROM districts)") == 0
    assert _one(con, "SELECT count(DISTINCT ubigeo) FROM raw") > 500
    assert _one(con, "SELECT count(DISTINCT left(ubigeo, 2)) FROM raw") == 25


def test_dates_valid_and_ordered(con):
    lo, hi = con.execute("SELECT min(report_date), max(report_date) FROM s").fetchone()
    assert str(lo) >= "2019-01-01" and str(hi) <= "2025-12-31"
    bad_order, too_old, min_inc = con.execute("""
        SELECT count(*) FILTER (WHERE incident_date > report_date),
               count(*) FILTER (WHERE incident_date < report_date - INTERVAL 60 DAY),
               min(incident_date)
        FROM s""").fetchone()
    assert bad_order == 0
    assert too_old == 0
    assert str(min_inc) >= "2018-11-01"
    blank = _one(con, "SELECT avg((incident_date IS NULL)::INT) FROM s")
    assert 0.03 <= blank <= 0.07


def test_codes_are_from_the_reference_lists(con):
    crimes = {r[0] for r in con.execute("SELECT DISTINCT crime_code FROM raw").fetchall()}
    known = {r[0] for r in con.execute(f"""
        SELECT crime_code FROM read_csv('{(REFERENCE / 'crime_types.csv').as_posix()}',
                                        all_varchar = true)""").fetchall()}
    assert crimes <= known
    assert "12-A" not in crimes
    assert {"8", "9", "S/Art", "196-A", "5", "176-C", "183-B", "154-A"} <= crimes
    for column, ref in (("modality", "modalities.csv"), ("channel", "channels.csv")):
        values = {r[0] for r in con.execute(
            f"SELECT DISTINCT {column} FROM raw WHERE {column} IS NOT NULL").fetchall()}
        codes = {r[0] for r in con.execute(
            f"SELECT {column} FROM read_csv('{(REFERENCE / ref).as_posix()}', "
            f"all_varchar = true)").fetchall()}
        assert values <= codes, column


def test_ages_and_amounts_in_range(con):
    lo, hi = con.execute("SELECT min(victim_age), max(victim_age) FROM s").fetchone()
    assert 0 <= lo and hi <= 100
    assert _one(con, "SELECT count(*) FROM s WHERE amount_lost_pen < 0") == 0


def test_non_persons_have_no_age_or_sex(con):
    assert _one(con, """
        SELECT count(*) FROM s
        WHERE victim_type <> 'persona natural'
          AND (victim_age IS NOT NULL OR victim_sex IS NOT NULL)""") == 0


# --- shape ---------------------------------------------------------------------------------------

def test_year_totals_shape(con):
    by_year = dict(con.execute("SELECT y, count(*) FROM s GROUP BY y").fetchall())
    assert sorted(by_year) == list(range(2019, 2026))
    assert 4.0 <= by_year[2024] / by_year[2020] <= 4.8
    assert all(by_year[y] < by_year[y + 1] for y in range(2019, 2025))


def test_lockdown_dip_in_april_2020(con):
    m = dict(con.execute("""
        SELECT month(report_date), count(*) FROM s WHERE y = 2020 GROUP BY 1""").fetchall())
    assert m[4] < 0.8 * m[3]
    assert m[12] > m[1]  # growth within the year


def test_crime_mix(con):
    art8_2023 = _one(con, "SELECT avg((crime_code = '8')::INT) FROM s WHERE y = 2023")
    assert 0.68 <= art8_2023 <= 0.78
    art9_2023 = _one(con, "SELECT avg((crime_code = '9')::INT) FROM s WHERE y = 2023")
    assert 0.14 <= art9_2023 <= 0.22
    sart = dict(con.execute(
        "SELECT y, avg((crime_code = 'S/Art')::INT) FROM s GROUP BY y").fetchall())
    assert 0.54 <= sart[2019] <= 0.66
    assert 0.39 <= sart[2020] <= 0.51
    assert 0.11 <= sart[2021] <= 0.19
    assert all(sart[y] <= 0.04 for y in range(2022, 2026))
    penal = _one(con, """
        SELECT avg((crime_code IN ('196-A', '176-C', '154-A', '183-B'))::INT) FROM s""")
    assert 0.02 <= penal <= 0.04
    top_penal = _one(con, """
        SELECT crime_code FROM s WHERE crime_code IN ('196-A', '176-C', '154-A', '183-B')
        GROUP BY 1 ORDER BY count(*) DESC LIMIT 1""")
    assert top_penal == "196-A"


def test_region_shares(con):
    shares = dict(con.execute("""
        SELECT left(ubigeo, 2), count(*) / sum(count(*)) OVER () FROM raw GROUP BY 1""").fetchall())
    assert 0.52 <= shares["15"] <= 0.62
    for region, target in (("13", 0.054), ("04", 0.049), ("14", 0.048), ("07", 0.041),
                           ("20", 0.035)):
        assert abs(shares[region] - target) < 0.008, region
    lima_metro = _one(con, """
        SELECT avg((left(ubigeo, 4) = '1501')::INT) FROM raw WHERE left(ubigeo, 2) = '15'""")
    assert 0.85 <= lima_metro <= 0.95


def test_victim_ages_by_crime(con):
    def older_share(codes: str) -> float:
        return _one(con, f"""
            SELECT avg((victim_age >= 60)::INT) FROM s
            WHERE crime_code IN ({codes}) AND victim_age IS NOT NULL""")

    fraud, identity = older_share("'8'"), older_share("'9'")
    assert 0.17 <= fraud <= 0.27
    assert fraud > 1.5 * identity
    max_minor_age = _one(con, """
        SELECT max(victim_age) FROM s WHERE crime_code IN ('5', '183-B')""")
    assert max_minor_age < 18
    assert _one(con, "SELECT min(victim_age) FROM s WHERE crime_code = '5'") >= 9
    children_not_art5 = _one(con, """
        SELECT avg((victim_age < 12)::INT) FROM s
        WHERE crime_code NOT IN ('5', '183-B') AND victim_age IS NOT NULL""")
    assert children_not_art5 < 0.01
    sextortion_young = _one(con, """
        SELECT avg((victim_age BETWEEN 14 AND 29)::INT) FROM s
        WHERE crime_code = '176-C' AND victim_age IS NOT NULL""")
    assert sextortion_young > 0.6


def test_victim_sex_and_type(con):
    female_sexual = _one(con, """
        SELECT avg((victim_sex = 'F')::INT) FROM s
        WHERE crime_code IN ('5', '183-B', '176-C') AND victim_sex IS NOT NULL""")
    assert 0.68 <= female_sexual <= 0.85
    natural = _one(con, "SELECT avg((victim_type = 'persona natural')::INT) FROM s")
    assert 0.89 <= natural <= 0.95
    known_age = _one(con, """
        SELECT avg((victim_age IS NULL)::INT) FROM s WHERE victim_type = 'persona natural'""")
    assert 0.09 <= known_age <= 0.15


def test_modality_channel_consistency(con):
    pairs = con.execute("""
        SELECT modality, channel FROM raw
        WHERE modality IS NOT NULL AND channel IS NOT NULL GROUP BY ALL""").fetchall()
    allowed = {
        "smishing": {"sms"}, "vishing": {"phone_call"}, "whatsapp_takeover": {"messaging_app"},
        "phishing": {"email", "website", "social_network"},
        "grooming": {"social_network", "messaging_app"},
        "sextortion": {"social_network", "messaging_app"},
    }
    seen = {}
    for modality, channel in pairs:
        seen.setdefault(modality, set()).add(channel)
    assert {m: seen.get(m, set()) - channels for m, channels in allowed.items()} == {m: set() for m in allowed}
    assert set(allowed) <= set(seen)  # every constrained modality occurs, so each rule above was checked
    wrong_modality = con.execute("""
        SELECT crime_code, modality FROM raw WHERE modality IS NOT NULL
        AND ((crime_code IN ('5', '183-B') AND modality <> 'grooming')
          OR (crime_code = '176-C' AND modality <> 'sextortion')
          OR (crime_code = '9' AND modality NOT IN
                ('social_media_identity_theft', 'whatsapp_takeover', 'other')))
        LIMIT 5""").fetchall()
    assert wrong_modality == []
    blanks = con.execute("""
        SELECT avg((modality IS NULL)::INT), avg((channel IS NULL)::INT) FROM raw""").fetchone()
    assert all(0.05 <= b <= 0.11 for b in blanks)


def test_amounts_shape(con):
    median, blank = con.execute("""
        SELECT median(amount_lost_pen), avg((amount_lost_pen IS NULL)::INT) FROM s
        WHERE crime_code IN ('8', '196-A')""").fetchone()
    assert 450 <= float(median) <= 800
    assert 0.15 <= blank <= 0.25
    other_blank = _one(con, """
        SELECT avg((amount_lost_pen IS NULL)::INT) FROM s
        WHERE crime_code NOT IN ('8', '196-A', 'S/Art')""")
    assert other_blank > 0.7
    assert _one(con, """
        SELECT count(amount_lost_pen) FROM s WHERE crime_code IN ('5', '183-B')""") == 0


# --- gzip and CLI --------------------------------------------------------------------------------

def test_gzip_output_readable_by_duckdb(tmp_path):
    out = tmp_path / "synthetic.csv.gz"
    assert sample.write_sample(out, 50_000, SEED) == 50_000
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    rel = duckdb.read_csv(out.as_posix(), header=True)
    assert rel.columns == HEADER.split(",")
    assert rel.aggregate("count(*)").fetchall()[0][0] == 50_000
    assert rel.aggregate("count(DISTINCT report_id)").fetchall()[0][0] == 50_000


def test_cli_arguments_and_run(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    sample.add_arguments(parser)
    defaults = parser.parse_args(["--out", str(tmp_path / "d.csv")])
    assert (defaults.rows, defaults.seed) == (180_000, 2026)
    assert isinstance(defaults.out, pathlib.Path)
    with pytest.raises(SystemExit):
        parser.parse_args([])  # --out is required
    args = parser.parse_args(["--rows", "1000", "--seed", "5", "--out",
                              str(tmp_path / "cli.csv.gz")])
    assert sample.run(args) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 1 and "1,000" in printed[0]
    assert len(gzip.decompress((tmp_path / "cli.csv.gz").read_bytes()).splitlines()) == 1_001
