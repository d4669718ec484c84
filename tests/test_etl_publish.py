"""Publishing and load semantics: idempotence, replacement, rejected files, strict mode,
readers during a load, and the command line."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from etl import load
from tests.conftest import CANONICAL_HEADER, file_digest, query, run_cli, write

ROWS = ["P1,2024-01-01,,150101,8,,,,,,", "P2,2024-01-02,,040101,9,,,70,F,,", "P3,2024-02-02,,040101,9,,,,,,"]
DATA_TABLES = ("fact_incident", "fact_count", "rejected_rows", "agg_counts", "agg_modality", "agg_lima_area",
               "agg_counts_all_regions", "agg_modality_all_regions")


def _csv(tmp_path, rows, name="steward.csv"):
    return write(tmp_path, name, CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n")


def _snapshot(db):
    return {t: sorted(query(db, f"select * from {t}"), key=repr) for t in DATA_TABLES}


def test_loading_the_same_file_again_changes_nothing(tmp_path, db):
    path = _csv(tmp_path, ROWS)
    load.load_files([path], db=db)
    before = _snapshot(db)
    outcome = load.load_files([path], db=db)
    assert outcome.files[0].status == "unchanged"
    assert _snapshot(db) == before
    assert [r[0] for r in query(db, "select status from load_log order by loaded_at")] == ["loaded", "unchanged"]


def test_a_corrected_file_replaces_the_old_rows(tmp_path, db):
    load.load_files([_csv(tmp_path, ROWS + ["P4,2024-02-02,,040101,9,,,999,,,"])], db=db)
    assert query(db, "select count(*) from rejected_rows") == [(1,)]
    corrected = _csv(tmp_path, ROWS[:2] + ["P4,2024-02-02,,040101,9,,,99,,,"])
    outcome = load.load_files([corrected], db=db)
    assert outcome.files[0].status == "replaced"
    assert sorted(r[0] for r in query(db, "select report_id from fact_incident")) == ["P1", "P2", "P4"]
    assert query(db, "select count(*) from rejected_rows") == [(0,)]
    assert query(db, "select sum(report_count) from agg_counts") == [(3,)]


@pytest.mark.parametrize(
    "content,expected",
    [
        ("", "empty"),
        ("report_id,report_date\nX,2024-01-01\n", "column 'ubigeo': required column missing"),
        ("foo,bar\n1,2\n", "unrecognised header"),
        ("report_id,id_denuncia,report_date,ubigeo,crime_code\n", "column given twice"),
    ],
)
def test_a_rejected_file_leaves_the_database_exactly_as_it_was(tmp_path, db, content, expected):
    load.load_files([_csv(tmp_path, ROWS)], db=db)
    digest = file_digest(db)
    bad = write(tmp_path, "bad.csv", content)
    good = _csv(tmp_path, ["Z1,2024-03-01,,150101,8,,,,,,"], name="other.csv")
    outcome = load.load_files([good, bad], db=db)
    assert outcome.exit_code == 2 and not outcome.published
    assert expected in outcome.rejected[0].message
    assert "bad.csv" in outcome.rejected[0].message
    assert file_digest(db) == digest  # byte for byte: nothing from the command was published
    assert list(db.parent.glob("*.tmp-*")) == [] and list(db.parent.glob("*.scratch-*")) == []


def test_binary_file_is_rejected(tmp_path, db):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    outcome = load.load_files([path], db=db)
    assert outcome.exit_code == 2
    assert "NUL bytes" in outcome.rejected[0].message
    assert not db.exists()


def test_strict_rejects_the_whole_file_and_names_the_first_bad_row(tmp_path, db):
    load.load_files([_csv(tmp_path, ["B0,2024-01-01,,150101,8,,,,,,"], name="base.csv")], db=db)
    digest = file_digest(db)
    path = _csv(tmp_path, ROWS + ["P9,2024-02-30,,040101,9,,,,,,"], name="strict.csv")
    outcome = load.load_files([path], db=db, strict=True)
    assert outcome.exit_code == 2
    msg = outcome.rejected[0].message
    assert "strict.csv, line 5, column 'report_date'" in msg and "--strict" in msg
    assert file_digest(db) == digest


READER = textwrap.dedent(
    """
    import sys, time, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    print("ready", con.execute("select count(*) from fact_incident").fetchone()[0], flush=True)
    sys.stdin.readline()  # the test loads new data meanwhile
    print("after", con.execute("select count(*) from fact_incident").fetchone()[0], flush=True)
    """
)


def test_a_reader_holding_the_database_keeps_working_during_a_load(tmp_path, db):
    load.load_files([_csv(tmp_path, ROWS)], db=db)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().split() == ["ready", "3"]
        outcome = load.load_files([_csv(tmp_path, ["N1,2024-05-01,,150101,8,,,,,,"], name="new.csv")], db=db)
        assert outcome.published
        reader.stdin.write("go\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["after", "3"]  # its snapshot still works
    finally:
        reader.communicate(timeout=30)
    assert reader.returncode == 0
    assert query(db, "select count(*) from fact_incident") == [(4,)]  # a new connection sees the new data


def test_cli_load_status_and_exit_codes(tmp_path, db):
    good = _csv(tmp_path, ROWS + ["P9,2024-02-30,,040101,9,,,,,,"])
    result = run_cli("load", str(good), "--db", str(db))
    assert result.returncode == 0, result.stderr
    for expected in ("steward.csv", "incidents", "rows read", "rejected", "out of scope", "report_date", "Published"):
        assert expected in result.stdout
    status = run_cli("status", "--db", str(db))
    assert status.returncode == 0 and "steward.csv" in status.stdout and "loaded" in status.stdout
    bad = write(tmp_path, "broken.csv", "foo;bar\n1;2\n")
    result = run_cli("load", str(good), str(bad), "--db", str(db))
    assert result.returncode == 2
    assert "broken.csv" in result.stdout and "Nothing published" in result.stdout


def test_build_loads_every_bundled_file(sample_db):
    sources = dict(query(sample_db, "select source, sum(report_count) from agg_counts group by 1"))
    assert set(sources) == {"mpfn", "synthetic"}
    assert query(sample_db, "select is_synthetic from ref_source where source = 'synthetic'") == [(True,)]
    assert query(sample_db, "select count(*) from ref_region") == [(25,)]
    assert query(sample_db, "select count(*) from ref_district") == [(1_892,)]  # 1,893 rows; one has no INEI code
    assert query(sample_db, "select count(*) from ref_crime where is_ley_30096") == [(12,)]


def test_report_counts_contract(sample_db):
    columns = [r[0] for r in query(sample_db, "select column_name from (describe report_counts)")]
    assert columns == ["source", "period_start", "period_grain", "period_end", "region_code", "region_name",
                       "fiscal_district", "law", "article", "crime_name_es", "crime_name_en", "victim_age_group",
                       "victim_sex", "report_count"]
    # the view equals an independent count over the facts
    independent = query(sample_db, "select count(*) from fact_incident where source = 'synthetic'")
    assert query(sample_db, "select sum(report_count) from report_counts where source = 'synthetic'") == independent
