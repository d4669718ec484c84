"""One parse where it pays (etl/adapters/incidents.py): a clean file is loaded in one pass, a
file with any problem the two-pass way; both give the same facts, aggregates and rejections."""

from __future__ import annotations

import pytest

from etl import load
from etl.adapters import incidents
from etl.sample import write_sample
from tests.conftest import query

TABLES = ("fact_incident", "agg_counts", "agg_modality", "agg_lima_area", "source_period", "rejected_rows",
          "agg_counts_all_regions", "agg_modality_all_regions")


def _snapshot(db):
    return {t: sorted(query(db, f"select * from {t}"), key=repr) for t in TABLES} | {
        "log": query(db, "select rows_read, rows_loaded, rows_rejected, rows_out_of_scope, message from load_log")}


def _load(path, db, monkeypatch, one_pass: bool):
    calls = []
    real = incidents._one_pass

    def spy(*args, **kwargs):
        calls.append(real(*args, **kwargs))
        return calls[-1]

    monkeypatch.setattr(incidents, "ONE_PASS", one_pass)
    monkeypatch.setattr(incidents, "_one_pass", spy)
    outcome = load.load_files([path], db=db)
    assert outcome.published
    return calls


@pytest.fixture(scope="module")
def big_sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("one_pass") / "synthetic_one_pass.csv"
    write_sample(path, rows=120_000, seed=7)
    return path


def _changed(big_sample, path, line: int, field: int, value: str):
    """`big_sample` with one field of one line (0 = the header) replaced, written to `path`."""
    lines = big_sample.read_text().splitlines()
    fields = lines[line].split(",")
    fields[field] = f'"{value}"' if "," in value else value
    lines[line] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")
    return path


def _one_pass_falls_back(path, tmp_path, monkeypatch) -> dict:
    """Load `path` with the one pass tried (it must fall back) and with two passes: the same
    result, whose snapshot is returned."""
    assert _load(path, tmp_path / "one.duckdb", monkeypatch, True) == [None]
    assert _load(path, tmp_path / "two.duckdb", monkeypatch, False) == []
    one = _snapshot(tmp_path / "one.duckdb")
    assert one == _snapshot(tmp_path / "two.duckdb")
    return one


def test_a_clean_file_loads_in_one_pass_with_the_same_result_as_two(tmp_path, monkeypatch, big_sample):
    assert _load(big_sample, tmp_path / "one.duckdb", monkeypatch, True) == [120_000]
    assert _load(big_sample, tmp_path / "two.duckdb", monkeypatch, False) == []
    one, two = _snapshot(tmp_path / "one.duckdb"), _snapshot(tmp_path / "two.duckdb")
    assert one == two
    assert len(one["fact_incident"]) == 120_000 and one["rejected_rows"] == []


def test_a_problem_after_the_first_lines_falls_back_to_two_passes(tmp_path, monkeypatch, big_sample):
    text = big_sample.read_text()
    lines = text.splitlines()
    dirty = tmp_path / "synthetic_dirty.csv"
    # Beyond the 100,000 lines the one pass learns from: an unknown district, a repeated id and a
    # line of the wrong shape.
    fields = lines[110_000].split(",")
    fields[3] = "999999"
    lines[110_000] = ",".join(fields)
    lines.insert(115_000, lines[5])
    lines.insert(116_000, "X1,2024-01-01")
    dirty.write_text("\n".join(lines) + "\n")
    assert _load(dirty, tmp_path / "one.duckdb", monkeypatch, True) == [None]  # tried, fell back
    assert _load(dirty, tmp_path / "two.duckdb", monkeypatch, False) == []
    one, two = _snapshot(tmp_path / "one.duckdb"), _snapshot(tmp_path / "two.duckdb")
    assert one == two
    rejected = {(r[2], r[3]) for r in one["rejected_rows"]}
    assert (110_001, "ubigeo") in rejected  # line numbers count the header (line 1)
    assert (115_001, "report_id") in rejected and (116_001, "*") in rejected
    assert len(one["fact_incident"]) == 120_000 - 1


# Rules decided once per distinct value (rules.per_value) meet a missing value through their
# `*_null` verdict, the rules about several values per row: each, after the first lines, makes the
# one pass fall back, and the row is rejected as the two-pass load rejects it.
@pytest.mark.parametrize(("field", "value", "column"), [
    (0, "", "report_id"), (1, "", "report_date"), (1, "2099-01-01", "report_date"), (2, "2030-01-01", "incident_date"),
    (3, "", "ubigeo"),
    (4, "", "crime_code"), (10, "-5", "amount_lost_pen"), (10, "12,x", "amount_lost_pen")])
def test_a_value_a_rule_refuses_after_the_first_lines_falls_back(tmp_path, monkeypatch, big_sample,
                                                                  field, value, column):
    dirty = _changed(big_sample, tmp_path / "synthetic_one_bad_value.csv", 110_000, field, value)
    one = _one_pass_falls_back(dirty, tmp_path, monkeypatch)
    assert [(r[2], r[3]) for r in one["rejected_rows"]] == [(110_001, column)]


# The one pass checks report ids after its insert (the ids seen twice in the file, and those
# already loaded for the source from another file): either alone, after the first lines, makes
# it fall back, and the two-pass load names the row.
# The one pass crosses each group of columns' known texts (known_combinations.sql); a file whose
# first lines carry more distinct texts than it will cross loads the two-pass way instead.
def test_too_many_known_texts_to_cross_falls_back(tmp_path, monkeypatch, big_sample):
    monkeypatch.setattr(incidents, "KNOWN_COMBINATIONS_MAX", 1_000)  # the synthetic files: 67,000
    one = _one_pass_falls_back(big_sample, tmp_path, monkeypatch)
    assert len(one["fact_incident"]) == 120_000 and one["rejected_rows"] == []


def test_an_id_repeated_after_the_first_lines_alone_falls_back(tmp_path, monkeypatch, big_sample):
    first_id = big_sample.read_text().splitlines()[5].split(",")[0]
    dirty = _changed(big_sample, tmp_path / "synthetic_repeated_id.csv", 110_000, 0, first_id)
    one = _one_pass_falls_back(dirty, tmp_path, monkeypatch)
    assert [(r[2], r[3], r[4]) for r in one["rejected_rows"]] == [
        (110_001, "report_id", "duplicate report_id (first on line 6)")]


def test_an_id_loaded_from_another_file_after_the_first_lines_falls_back(tmp_path, monkeypatch, big_sample):
    lines = big_sample.read_text().splitlines()
    first = tmp_path / "synthetic_first.csv"
    first.write_text("\n".join([lines[0], lines[110_000]]) + "\n")
    db = tmp_path / "one.duckdb"
    assert _load(first, db, monkeypatch, True) == [1]
    assert _load(big_sample, db, monkeypatch, True) == [None]
    assert [(r[2], r[3], r[4]) for r in query(db, "select * from rejected_rows")] == [
        (110_001, "report_id", "duplicate report_id (already loaded from synthetic_first.csv)")]
    assert query(db, "select count(*) from fact_incident") == [(120_000,)]


def _dmy(field: str) -> str:
    y, m, d = field.split("-") if field else ("", "", "")
    return f"{d}/{m}/{y}" if field else ""


def _spy_dates(monkeypatch) -> list[bool]:
    typed = []
    real = incidents._date_fragments

    def spy(verdicts, rows, is_typed):
        typed.append(is_typed)
        return real(verdicts, rows, is_typed)

    monkeypatch.setattr(incidents, "_date_fragments", spy)
    return typed


# When the first lines write every date in one format, the one pass reads the dates as DATE in
# that format (no join to the lookup of date texts); the result is the two-pass load's.
@pytest.mark.parametrize("day_first", [False, True])
def test_dates_in_one_format_are_read_as_dates(tmp_path, monkeypatch, big_sample, day_first):
    path = big_sample
    if day_first:
        lines = big_sample.read_text().splitlines()
        out = [lines[0]]
        for line in lines[1:]:
            fields = line.split(",")
            fields[1], fields[2] = _dmy(fields[1]), _dmy(fields[2])
            out.append(",".join(fields))
        path = tmp_path / "synthetic_day_first.csv"
        path.write_text("\n".join(out) + "\n")
    typed = _spy_dates(monkeypatch)
    assert _load(path, tmp_path / "one.duckdb", monkeypatch, True) == [120_000]
    assert typed == [True]
    assert _load(path, tmp_path / "two.duckdb", monkeypatch, False) == []
    assert _snapshot(tmp_path / "one.duckdb") == _snapshot(tmp_path / "two.duckdb")
    if day_first:  # the same dates as the ISO file's
        _load(big_sample, tmp_path / "iso.duckdb", monkeypatch, True)
        assert query(tmp_path / "one.duckdb", "select sum(hash(report_date, incident_date)) from fact_report") == \
            query(tmp_path / "iso.duckdb", "select sum(hash(report_date, incident_date)) from fact_report")


def test_a_date_in_another_format_after_the_first_lines_falls_back(tmp_path, monkeypatch, big_sample):
    day_first = _dmy(big_sample.read_text().splitlines()[110_000].split(",")[1])
    # valid, but not in the format of the first lines
    mixed = _changed(big_sample, tmp_path / "synthetic_mixed_dates.csv", 110_000, 1, day_first)
    typed = _spy_dates(monkeypatch)
    one = _one_pass_falls_back(mixed, tmp_path, monkeypatch)
    assert typed == [True]
    assert one["rejected_rows"] == [] and len(one["fact_incident"]) == 120_000


def test_first_lines_with_mixed_date_formats_join_the_lookup(tmp_path, monkeypatch, big_sample):
    day_first = _dmy(big_sample.read_text().splitlines()[10].split(",")[1])
    mixed = _changed(big_sample, tmp_path / "synthetic_mixed_head.csv", 10, 1, day_first)
    typed = _spy_dates(monkeypatch)
    assert _load(mixed, tmp_path / "one.duckdb", monkeypatch, True) == [120_000]
    assert typed == [False]
    assert _load(mixed, tmp_path / "two.duckdb", monkeypatch, False) == []
    assert _snapshot(tmp_path / "one.duckdb") == _snapshot(tmp_path / "two.duckdb")


# The one pass reads the amount as the reader's DECIMAL(14, 2) (incidents.AMOUNT_TYPED): every text
# it accepts gets the value the two-pass cast gives (trimmed, rounded to cents, signs, exponents),
# and a text the cast reads but the reader refuses makes the file fall back.
AMOUNTS_READ_ALIKE = (" 12.5", "12.5 ", "12.345", "12.355", "0.005", "-0.004", "+5", "-0", ".5", "5.", "1e3",
                      "1.5E+1", "00012.50", "1_000", "999999999999.99", "999999999999.994")


def _with_amounts(big_sample, path, amounts) -> tuple:
    lines = big_sample.read_text().splitlines()
    for i, amount in enumerate(amounts):
        fields = lines[110_000 + i].split(",")
        fields[10] = f'"{amount}"'
        lines[110_000 + i] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_amounts_are_read_by_the_reader_as_the_cast_reads_them(tmp_path, monkeypatch, big_sample):
    path = _with_amounts(big_sample, tmp_path / "synthetic_amounts.csv", AMOUNTS_READ_ALIKE)
    assert _load(path, tmp_path / "one.duckdb", monkeypatch, True) == [120_000]
    assert _load(path, tmp_path / "two.duckdb", monkeypatch, False) == []
    one = _snapshot(tmp_path / "one.duckdb")
    assert one == _snapshot(tmp_path / "two.duckdb") and one["rejected_rows"] == []
    ids = [line.split(",")[0] for line in path.read_text().splitlines()[110_000:110_000 + len(AMOUNTS_READ_ALIKE)]]
    got = dict(query(tmp_path / "one.duckdb", "select report_id, amount_lost_pen::varchar from fact_report "
                     "where report_id in (select unnest($ids))", {"ids": ids}))
    assert [got[i] for i in ids] == ["12.50", "12.50", "12.35", "12.36", "0.01", "0.00", "5.00", "0.00", "0.50",
                                     "5.00", "1000.00", "15.00", "12.50", "1000.00", "999999999999.99",
                                     "999999999999.99"]


@pytest.mark.parametrize("amount", ["\u00a012.5", "   "])
def test_an_amount_the_reader_refuses_but_the_cast_reads_falls_back(tmp_path, monkeypatch, big_sample, amount):
    path = _with_amounts(big_sample, tmp_path / "synthetic_amount_space.csv", [amount])
    one = _one_pass_falls_back(path, tmp_path, monkeypatch)
    assert one["rejected_rows"] == [] and len(one["fact_incident"]) == 120_000
