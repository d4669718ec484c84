"""The cell-key method: the perturbation table's documented properties, record keys that are
stable across reloads, and cell keys that travel through the aggregates."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from cybertrends import disclosure, paths
from etl import load
from tests.conftest import CANONICAL_HEADER, query, write


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return disclosure.perturbation_table()


def test_one_row_per_count_and_key(table):
    assert len(table) == disclosure.TABLE_ROWS * disclosure.KEY_RANGE
    assert not table.duplicated(["count_row", "cell_key"]).any()
    assert set(table["cell_key"]) == set(range(256))


def test_every_count_is_unbiased(table):
    # Exactly zero mean noise for every count: the sum over the 256 keys is 0.
    sums = table.groupby("count_row")["noise"].sum()
    assert (sums == 0).all(), sums[sums != 0].head()


def test_no_value_from_1_to_4_and_zero_stays_zero(table):
    shown = table["count_row"] + table["noise"]
    assert not shown.between(1, disclosure.THRESHOLD - 1).any()
    assert (shown >= 0).all()
    assert disclosure.perturb(0, 123) == 0
    # counts of 5 or more are never shown below 5
    assert (shown[table["count_row"] >= 5] >= 5).all()


def test_noise_is_small(table):
    big = table[table["count_row"] >= 5]
    assert big["noise"].abs().max() == disclosure.MAX_NOISE
    small = table[table["count_row"] < 5]
    assert small["noise"].abs().max() <= disclosure.MAX_NOISE_SMALL
    # counts of 1-4 do get hidden values: some keys show 0, others 5 or more
    for c in range(1, 5):
        shown = set(small[small["count_row"] == c]["noise"] + c)
        assert 0 in shown and shown - {0}


def test_large_counts_fold_onto_rows_501_750():
    assert disclosure.count_row(750) == 750
    assert disclosure.count_row(751) == 501
    assert disclosure.count_row(1000) == 750
    assert disclosure.count_row(1001) == 501
    # the same noise for 751 as for 501 with the same key
    assert disclosure.perturb(751, 17) - 751 == disclosure.perturb(501, 17) - 501


def test_the_table_is_reproducible(table):
    disclosure.perturbation_table.cache_clear()
    again = disclosure.perturbation_table()
    pd.testing.assert_frame_equal(table, again)


def test_the_etl_writes_the_same_table_without_pandas(tmp_path, table):
    """The ETL loads `ref_perturbation` from the table's CSV text with DuckDB's reader: the same rows
    and column types as `perturbation_table()`, and neither the ETL's modules nor the load import
    pandas (about 0.5 s of the ETL's start; BENCHMARKS.md, session 8)."""
    db = tmp_path / "p.duckdb"
    script = (
        "import sys, duckdb, etl.load, etl.reference, etl.publish\n"
        "from cybertrends import disclosure\n"
        f"con = duckdb.connect({str(db)!r}); disclosure.load_table(con); con.close()\n"
        "print('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=paths.ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    con = duckdb.connect(str(db), read_only=True)
    types = dict(con.execute("select column_name, data_type from information_schema.columns "
                             "where table_name = 'ref_perturbation'").fetchall())
    assert types == {"count_row": "SMALLINT", "cell_key": "UTINYINT", "noise": "SMALLINT"}
    written = con.execute("select * from ref_perturbation").df()  # in its stored order
    con.close()
    pd.testing.assert_frame_equal(written, table.sort_values(["count_row", "cell_key", "noise"], ignore_index=True),
                                  check_dtype=False)


def test_each_key_gets_the_noise_its_seeded_shuffle_gives(table):
    """The table's layout (built by column): row `count`, key k holds the k-th noise of that count's
    shuffled list, so published values never move when the code building the table changes."""
    import random

    for count in (1, 2, 5, 37, 500, 750):
        noises = [d for d, n in sorted(disclosure._row_noise(count).items()) for _ in range(n)]
        random.Random(disclosure.SEED * 1000 + count).shuffle(noises)
        row = table[table["count_row"] == count].sort_values("cell_key")
        assert row["cell_key"].tolist() == list(range(disclosure.KEY_RANGE))
        assert row["noise"].tolist() == noises


def _incidents(n: int) -> str:
    rows = [f"R{i},2024-0{1 + i % 9}-1{i % 9},,150101,8,phishing,sms,{20 + i % 50},F,persona natural,10.5"
            for i in range(n)]
    return CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n"


def test_record_keys_are_stable_across_reloads(tmp_path):
    path = write(tmp_path, "steward.csv", _incidents(300))
    db1, db2 = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    assert load.load_files([path], db=db1).exit_code == 0
    # the same rows in another order, loaded into another database
    lines = path.read_text().splitlines()
    shuffled = write(tmp_path, "steward.csv", "\n".join([lines[0], *reversed(lines[1:])]) + "\n")
    assert load.load_files([shuffled], db=db2).exit_code == 0
    keys1 = dict(query(db1, "select report_id, record_key from fact_incident"))
    keys2 = dict(query(db2, "select report_id, record_key from fact_incident"))
    assert keys1 == keys2
    assert len(set(keys1.values())) > 100  # spread over the key range, not constant
    # the documented rule: a hash of the source and the report id, modulo the key range
    (source,), = query(db1, "select distinct source from fact_incident")
    with duckdb.connect() as c:
        rule = dict(c.execute(f"""select report_id, hash($s || chr(31) || report_id) % {disclosure.KEY_RANGE}
            from (select unnest($ids) as report_id)""", {"s": source, "ids": list(keys1)}).fetchall())
    assert keys1 == rule


def test_cell_keys_travel_through_the_aggregates(sample_db):
    # key_sum of every aggregate cell equals the sum of its records' keys, computed from the facts.
    got = query(sample_db, """select region_code, sum(key_sum) % 256 from agg_counts
        where source = 'synthetic' and year(period_start) = 2024 group by 1 order by 1""")
    expected = query(sample_db, """select region_code, sum(record_key) % 256 from fact_incident
        where source = 'synthetic' and year(report_date) = 2024 group by 1 order by 1""")
    assert got == expected
    assert query(sample_db, "select count(*) from agg_counts where source = 'mpfn' and key_sum is not null") == [(0,)]
    assert query(sample_db, "select count(*), sum(noise) from ref_perturbation") == [
        (disclosure.TABLE_ROWS * disclosure.KEY_RANGE, 0)]
