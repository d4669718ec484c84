"""Hostile text (formula prefixes, HTML/script, SQL fragments, terminal markup) in file names and
values: the loader and its command line keep it as plain data, the app shows it as text, the
exports neutralise formulas, and it never reaches SQL as code."""

from __future__ import annotations

import csv
import io
from datetime import date

import duckdb
import pytest
from openpyxl import load_workbook

from cybertrends import charts, export, queries
from cybertrends.charts.base import Context
from cybertrends.charts.methods import download_spec, load_log_table, rejections_table
from cybertrends.filters import Filters
from etl import load
from tests.apptest_helpers import run_app
from tests.browser_helpers import chromium, streamlit_server, wait_until_rendered
from tests.conftest import CANONICAL_HEADER, query, require_chromium, run_cli, write

SQL = "x'); DROP TABLE fact_incident; --"
MARKUP = "[/red][bold]"
# The loader and its command line (a terminal): a formula, a script, markup.
FORMULA = "=cmd|' /C calc'!A0"
SCRIPT = "<script>alert(1)</script>"
# A file name cannot hold "/" (so no closing tag): a formula, an HTML event handler, markup, SQL.
NAME = "=cmd|' -C calc'!A0 <img src=x onerror=alert(1)> [red] x'); DROP TABLE fact_incident; --.csv"
# The app and the exports: a script that would leave a mark in the page if it ran, a spreadsheet
# formula with a link.
PAGE_SCRIPT = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"
LINK_FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"
HOSTILE_FILE = "=cmd synthetic hostile.csv"


# --- the steward's side: the loader and its command line -----------------------------------------

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
    assert f"'{MARKUP}{SCRIPT}' (1)" in out  # unknown modality
    assert f"'{FORMULA}' (1)" in out  # unknown channel
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


# --- the reader's side: the app and the exports ----------------------------------------------------

@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    rows = [
        f"H1,2024-01-10,,150101,8,{PAGE_SCRIPT.replace(',', ' ')},{SQL},40,F,persona natural,10",
        f"H2,2024-01-11,,150101,8,{LINK_FORMULA.replace(',', ';')},+SUM(1),41,M,persona natural,20",
        f"H3,2024-01-12,,150101,{SQL},,,42,F,persona natural,",  # rejected: unknown crime code
        "H4,2024-01-13,,150101,8,,,@SUM(A1),F,persona natural,",  # rejected: bad age
        f"{PAGE_SCRIPT.replace(',', ' ')},2024-01-14,,150101,9,,,30,F,persona natural,",
    ] + [f"N{i},2024-0{1 + i % 6}-15,,040101,8,phishing,email,35,F,persona natural,5" for i in range(60)]
    path = write(tmp, HOSTILE_FILE, CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n")
    db = tmp / "hostile.duckdb"
    assert load.load_files([path], db=db).published
    return db


def _frame(at, *columns):
    """The one dataframe the page shows with these columns."""
    found = [df.value for df in at.dataframe if set(columns) <= set(df.value.columns)]
    assert len(found) == 1, [list(df.value.columns) for df in at.dataframe]
    return found[0]


def test_methods_page_shows_hostile_text_literally(hostile_db):
    at = run_app(hostile_db, page="pages/data_methods.py", params={"lang": "en"})
    assert not at.exception, at.exception
    log = _frame(at, "File", "Notes")
    assert len(log) == 1
    assert log["File"].iloc[0] == "'" + HOSTILE_FILE  # literal, neutralised as a formula (st.dataframe downloads CSV)
    notes = log["Notes"].iloc[0]
    # the unknown values, each whole and as text: script, formula, a number sign, SQL
    for text in (PAGE_SCRIPT.replace(",", " "), LINK_FORMULA.replace(",", ";"), "+SUM(1)", SQL):
        assert f"'{text}' (1)" in notes, (text, notes)
    rejections = _frame(at, "Column", "Rows")
    assert sorted(zip(rejections["Column"], rejections["Rows"])) == sorted(
        (column, 1) for (column,) in query(hostile_db, "select column_name from rejected_rows"))
    assert len(rejections) == 2


def test_exports_neutralise_formula_prefixes(hostile_db):
    con = duckdb.connect(str(hostile_db), read_only=True)
    f = Filters(source="synthetic", period_from=date(2024, 1, 1), period_to=date(2024, 6, 1), crimes=("8", "9"),
                lang="en")
    ctx = Context(con, f)
    # the methods tables keep the hostile text literally (the page and the exports neutralise it)
    assert load_log_table(ctx).iloc[:, 0].tolist() == [HOSTILE_FILE]
    assert rejections_table(ctx).iloc[:, 0].tolist() == [HOSTILE_FILE, HOSTILE_FILE]

    spec = charts.build("overview_trend", con, f)
    spec.data.loc[0, spec.x] = LINK_FORMULA  # hostile text inside a chart's table
    rows = list(csv.reader(io.StringIO(export.to_csv(spec).decode("utf-8-sig"))))
    assert rows[1][0] == "'" + LINK_FORMULA
    book = load_workbook(io.BytesIO(export.to_xlsx(spec)))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert book.worksheets[0]["A2"].value == "'" + LINK_FORMULA

    download = download_spec(ctx)  # the data download: one CSV row per published cell
    table = queries.report_counts_table(con, f)
    rows = list(csv.DictReader(io.StringIO(export.to_csv(download).decode("utf-8-sig"))))
    assert [int(r["report_count"]) for r in rows] == table["report_count"].tolist()
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values() if v)


@pytest.mark.browser
@pytest.mark.slow
def test_browser_renders_hostile_text_without_running_it(hostile_db):
    exe = require_chromium()
    injected = """() => ({pwned: window.__pwned,
        images: document.querySelectorAll('img[src="x"]').length,
        scripts: [...document.scripts].filter(s => s.text.includes('__pwned')).length})"""
    with streamlit_server(hostile_db) as url, chromium(exe) as browser:
        page = browser.new_page()
        page.goto(f"{url}/data_methods?lang=en")
        wait_until_rendered(page, expect_chart=False)
        # the hostile text has reached the page (the load log's grid is drawn)...
        page.wait_for_selector('[data-testid="stDataFrame"]', state="visible")
        # ...and nothing of it became an element: no script, no image whose error handler would run
        assert page.evaluate(injected) == {"pwned": None, "images": 0, "scripts": 0}
        page.goto(f"{url}/?lang=en")
        wait_until_rendered(page)
        assert page.evaluate(injected) == {"pwned": None, "images": 0, "scripts": 0}
