"""Data & methods page: the series table (files, coverage, cut dates, gaps) and the load log,
in the chosen language, against independent SQL."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from cybertrends.charts import methods
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from tests.apptest_helpers import run_app, texts
from tests.conftest import ROOT, query


def _ctx(db, lang="es") -> Context:
    con = duckdb.connect(str(db), read_only=True)
    return Context(con, Filters("mpfn", date(2019, 1, 1), date(2025, 1, 1), "year", crimes=("8",), lang=lang))


def test_series_table_lists_every_year_with_file_cut_date_and_gap(sample_db):
    table = methods.series_table(_ctx(sample_db))
    rows = {r["Periodo"]: r for r in table.to_dict("records")}
    assert list(rows) == ["2019", "2020", "2021", "2022", "2023", "2024", "2025"]
    expected = dict(query(sample_db, """select year(period_start)::varchar, sum(report_count) from report_counts
        where source = 'mpfn' and law = 'Ley 30096' group by 1"""))
    for year, n in expected.items():
        assert rows[year]["Denuncias Ley 30096"] == n
    cuts = dict(query(sample_db, """select year(period_start)::varchar, strftime(max(data_as_of), '%d/%m/%Y')
        from fact_count where source = 'mpfn' group by 1"""))
    for year, cut in cuts.items():
        assert rows[year]["Fecha de corte"] == cut
    assert rows["2024"]["Cobertura"] == "sin archivo" and rows["2024"]["Archivo"] == "–"
    assert rows["2025"]["Cobertura"] == "parcial (ene–nov)"
    assert rows["2023"]["Cobertura"] == "Completo"


def test_load_log_in_english_names_sources_statuses_and_cut_dates(sample_db):
    table = methods.load_log_table(_ctx(sample_db, "en"))
    assert set(table["Status"]) == {"loaded"}
    assert "mpfn" not in set(table["Source"]) and "Synthetic sample (demonstration data)" in set(table["Source"])
    cut = table.set_index("File").loc["delitos_denunciados_2025_ene-nov_nacional.csv.gz", "Cut-off date"]
    assert cut == "17 Dec 2025"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_methods_page_describes_the_series(sample_db, lang):
    at = run_app(sample_db, "pages/data_methods.py", params={"lang": lang})
    assert not at.exception
    text = texts(at)
    assert ("Serie con vacíos" if lang == "es" else "A series with a gap") in text
    frames = [df.value for df in at.dataframe]
    series = next(f for f in frames if ("Fecha de corte" if lang == "es" else "Cut-off date") in f.columns
                  and len(f) == 7)
    # 2019-2025, the missing 2024 included as a row
    assert series.iloc[5, 2] == ("sin archivo" if lang == "es" else "no file")


def test_spanish_tables_hold_no_english_notes(sample_db):
    ctx = _ctx(sample_db, "es")
    log = methods.load_log_table(ctx).set_index("Archivo")
    note = log.loc["delitos_denunciados_2023_nacional_raw.csv", "Observaciones"]
    assert "comas sin comillas reparadas" in note and "unquoted" not in note
    crimes = methods.crime_table(ctx).set_index("Código")
    expected = dict(query(sample_db, "select article, note_es from ref_crime where note_es is not null"))
    assert expected and all(crimes.loc[a, "Nota"] == n for a, n in expected.items())
    assert methods.crime_table(_ctx(sample_db, "en")).set_index("Code").loc["S/Art", "Note"].startswith("Common before")


def test_tables_show_separators_and_neutralise_formula_text(tmp_path):
    """The on-screen tables (and so Streamlit's own "Download as CSV") write 1,628,583 and never
    hand a spreadsheet a formula."""
    from streamlit.testing.v1 import AppTest

    script = tmp_path / "table_app.py"
    script.write_text(
        "import sys\nsys.path.insert(0, %r)\nimport pandas as pd\nimport ui\n"
        "ui.dataframe(pd.DataFrame({'Archivo': ['=HYPERLINK(\"x\")', 'ok.csv'], 'Denuncias': [1628583, 7],"
        " 'Año': [2024, 2025]}))\n" % str(ROOT))
    at = AppTest.from_file(str(script)).run()
    assert not at.exception
    frame = at.dataframe[0]
    assert list(frame.value["Archivo"]) == ["'=HYPERLINK(\"x\")", "ok.csv"]
    config = {c["name"] if "name" in c else k: c for k, c in __import__("json").loads(frame.proto.columns).items()}
    assert config["Denuncias"]["type_config"]["format"] == "%,d"
    assert config["Año"]["type_config"]["format"] == "%d"
