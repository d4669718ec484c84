"""Hostile text in data (formula prefixes, HTML/script, SQL fragments) is shown as plain text
in the app and neutralised in exports; it never reaches SQL as code."""

from __future__ import annotations

import csv
import io

import duckdb
import pytest
from openpyxl import load_workbook

from cybertrends import charts, export
from cybertrends.charts.base import Context
from cybertrends.charts.methods import download_spec, load_log_table, rejections_table
from cybertrends.filters import Filters
from etl import load
from tests.apptest_helpers import run_app
from tests.browser_helpers import chromium, streamlit_server, wait_until_rendered
from tests.conftest import CANONICAL_HEADER, query, require_chromium, write

SCRIPT = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"
SQL = "x'); DROP TABLE fact_incident; --"
FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"
HOSTILE_FILE = "=cmd synthetic hostile.csv"


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    rows = [
        f"H1,2024-01-10,,150101,8,{SCRIPT.replace(',', ' ')},{SQL},40,F,persona natural,10",
        f"H2,2024-01-11,,150101,8,{FORMULA.replace(',', ';')},+SUM(1),41,M,persona natural,20",
        f"H3,2024-01-12,,150101,{SQL},,,42,F,persona natural,",  # rejected: unknown crime code
        "H4,2024-01-13,,150101,8,,,@SUM(A1),F,persona natural,",  # rejected: bad age
        f"{SCRIPT.replace(',', ' ')},2024-01-14,,150101,9,,,30,F,persona natural,",
    ] + [f"N{i},2024-0{1 + i % 6}-15,,040101,8,phishing,email,35,F,persona natural,5" for i in range(60)]
    path = write(tmp, HOSTILE_FILE, CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n")
    db = tmp / "hostile.duckdb"
    assert load.load_files([path], db=db).published
    return db


def test_hostile_values_are_data_not_code(hostile_db):
    assert query(hostile_db, "select count(*) from fact_incident")[0][0] == 63  # table still there
    # free text never reaches the analytical tables: modality and channel become codes
    assert query(hostile_db, "select distinct modality from fact_incident where report_id in ('H1', 'H2')") == [("other",)]
    reasons = query(hostile_db, "select column_name, value from rejected_rows order by line_number")
    assert ("crime_code", SQL) in reasons and ("victim_age", "@SUM(A1)") in reasons


def test_methods_page_shows_hostile_text_literally(hostile_db):
    at = run_app(hostile_db, page="pages/data_methods.py", params={"lang": "en"})
    assert not at.exception, at.exception
    shown = "\n".join(str(df.value.to_dict()) for df in at.dataframe)
    assert HOSTILE_FILE in shown and SQL in shown or "unknown crime code" in shown


def test_exports_neutralise_formula_prefixes(hostile_db):
    con = duckdb.connect(str(hostile_db), read_only=True)
    f = Filters(source="synthetic", period_from=__import__("datetime").date(2024, 1, 1),
                period_to=__import__("datetime").date(2024, 6, 1), crimes=("8", "9"), lang="en")
    ctx = Context(con, f)
    for table in (load_log_table(ctx), rejections_table(ctx)):
        assert any(str(v).startswith(("=", "+", "@", "-")) for v in table.astype(str).to_numpy().ravel())
    spec = charts.build("overview_trend", con, f)
    spec.data.loc[0, spec.x] = FORMULA  # hostile text inside a chart's table
    rows = list(csv.reader(io.StringIO(export.to_csv(spec).decode("utf-8-sig"))))
    assert rows[1][0] == "'" + FORMULA
    book = load_workbook(io.BytesIO(export.to_xlsx(spec)))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert book.worksheets[0]["A2"].value == "'" + FORMULA
    download = download_spec(ctx)
    assert download is not None and export.to_csv(download)


@pytest.mark.browser
def test_browser_renders_hostile_text_without_running_it(hostile_db):
    exe = require_chromium()
    with streamlit_server(hostile_db) as url, chromium(exe) as browser:
        page = browser.new_page()
        page.goto(f"{url}/data_methods?lang=en")
        wait_until_rendered(page, expect_chart=False)
        page.wait_for_timeout(1500)
        assert page.evaluate("() => window.__pwned === undefined")
        page.goto(f"{url}/?lang=en")
        wait_until_rendered(page)
        assert page.evaluate("() => window.__pwned === undefined")
