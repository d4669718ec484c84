"""Hostile text on the steward's side: file names and values with formula prefixes, HTML/script,
SQL fragments and terminal markup go through the loader and its command line as plain data.
(tests/test_hostile_input.py checks the app pages and the exports.)"""

from __future__ import annotations

import pytest

from tests.conftest import CANONICAL_HEADER, query, run_cli, write

FORMULA = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
SQL = "x'); DROP TABLE fact_incident; --"
MARKUP = "[/red][bold]"
# A file name cannot hold "/" (so no closing tag): a formula, an HTML event handler, markup, SQL.
NAME = "=cmd|' -C calc'!A0 <img src=x onerror=alert(1)> [red] x'); DROP TABLE fact_incident; --.csv"


@pytest.fixture
def hostile_file(tmp_path):
    rows = [
        f"H1,2024-01-10,,150101,8,{MARKUP}{SCRIPT},{FORMULA},40,F,persona natural,10",
        f"H2,2024-01-11,,150101,8,{SQL},@SUM(1),41,M,persona natural,20",
        f"H3,2024-01-12,,150101,{SQL},,,42,F,persona natural,",  # unknown crime code
        f"H4,2024-01-13,,150101,8,,,{MARKUP},F,persona natural,",  # bad age
        f"{FORMULA},2024-01-14,,150101,9,,,30,F,persona natural,",  # a formula as the report id
    ]
    return write(tmp_path, NAME, CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n")


def test_loader_and_command_line_keep_hostile_text_literal(tmp_path, db, hostile_file):
    result = run_cli("load", str(hostile_file), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    out = " ".join(result.stdout.split())  # rich wraps long lines
    assert NAME in out  # the file name exactly, markup brackets included
    assert f"'{MARKUP}{SCRIPT}' (1)" in out and f"'{FORMULA}' (1)" in out  # unknown modality / channel
    assert "Traceback" not in result.stdout + result.stderr

    # the database is intact and the text is data: codes where the schema has codes
    assert query(db, "select count(*) from fact_incident") == [(3,)]
    assert query(db, "select report_id, modality, channel from fact_incident order by 1") == [
        (FORMULA, None, None), ("H1", "other", "other"), ("H2", "other", "other")]
    assert query(db, "select file_name, message like '%' || $s || '%' from load_log", {"s": SCRIPT}) == [(NAME, True)]
    assert query(db, "select line_number, column_name, value from rejected_rows order by 1") == [
        (4, "crime_code", SQL), (5, "victim_age", MARKUP)]

    status = run_cli("status", "--db", str(db))
    assert status.returncode == 0, status.stdout + status.stderr
    cells = [line.split("│")[1:-1] for line in status.stdout.splitlines() if line.startswith("│")]
    column = lambda i: " ".join(" ".join(c[i].strip() for c in cells).split())  # noqa: E731 - a wrapped cell
    assert column(0) == " ".join(NAME.split())
    assert MARKUP + "<script>" in column(-1)


def test_a_rejected_hostile_file_is_named_literally(tmp_path, db):
    name = "=HYPERLINK(1) [bold] <img src=x onerror=alert(1)>.csv"
    path = write(tmp_path, name, "foo;bar\n1;2\n")
    result = run_cli("load", str(path), "--db", str(db))
    assert result.returncode == 2
    out = " ".join(result.stdout.split())
    assert f"REJECTED {name}" in out and "unrecognised header" in out
    assert not db.exists()
