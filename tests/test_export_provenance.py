"""Every export carries its provenance: source, cut date, database build, filters in words and
the share link that reopens the view, in the file name, CSV columns and the XLSX metadata."""

from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest
from openpyxl import load_workbook

from cybertrends import charts, export, links
from cybertrends.filters import Filters
from tests.conftest import query

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")


@pytest.fixture(scope="module")
def built(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    f = Filters("mpfn", date(2019, 1, 1), date(2025, 1, 1), "year", crimes=LEY)
    specs = {
        "rank_rate": charts.build("rg_rank", con, f, metric="rate"),
        "rank_count": charts.build("rg_rank", con, f, metric="count"),
        "share_2023": charts.build("ct_share", con, f.with_(period_from=date(2023, 1, 1), period_to=date(2023, 1, 1))),
    }
    yield specs
    con.close()


def test_file_names_say_source_scope_chart_and_cut_date(built, sample_db):
    name = export.filename(built["rank_rate"], "csv")
    assert name == "mpfn_ley30096_regiones_rate_corte-2025-12-17.csv"
    assert export.filename(built["rank_count"], "csv") != name  # two charts, two names
    # the 2023 view carries the 2023 file's own cut date
    cut_2023 = query(sample_db, "select data_as_of from source_period where source = 'mpfn' and year(period_start) = 2023")[0][0]
    assert export.filename(built["share_2023"], "png").endswith(f"_corte-{cut_2023.isoformat()}.png")


def test_csv_rows_carry_source_cut_date_and_build(built, sample_db):
    spec = built["rank_rate"]
    rows = list(csv.DictReader(io.StringIO(export.to_csv(spec).decode("utf-8-sig"))))
    build_id = query(sample_db, "select value from meta where key = 'build_id'")[0][0]
    cut = query(sample_db, "select max(data_as_of) from source_period where source = 'mpfn'")[0][0]
    assert rows and all(r["source"] == "mpfn" and r["data_as_of"] == cut.isoformat() and r["build_id"] == build_id
                        and r["synthetic"] == "false" for r in rows)


def test_xlsx_metadata_sheet_and_share_link(built, sample_db):
    spec = built["rank_rate"]
    book = load_workbook(io.BytesIO(export.to_xlsx(spec)))
    assert "Metadatos" in book.sheetnames
    meta = {r[0]: r[1] for r in book["Metadatos"].iter_rows(min_row=2, values_only=True)}
    build_id = query(sample_db, "select value from meta where key = 'build_id'")[0][0]
    assert meta["Base de datos (build)"] == build_id
    assert meta["Fecha de corte"] == "2025-12-17"
    assert "2019–2025" in meta["Filtros"] and "Ley 30096" in meta["Filtros"]
    link = urlparse(meta["Enlace a la vista"])
    assert link.path == "/regions"
    params = {k: v[0] for k, v in parse_qs(link.query).items()}
    assert params == {"lang": "es", "source": "mpfn", "from": "2019", "to": "2025", "crime_group": "ley", "metric": "rate"}
    # the link parses back to the same view
    cat = links.Catalog(sources={"mpfn": [str(y) for y in range(2019, 2026)]}, default_source="mpfn",
                        crimes={c: "ley" for c in LEY}, regions=(), groups=())
    view = links.parse({k: [v] for k, v in params.items()}, cat)
    assert (view.source, view.period_from, view.period_to, view.unknown) == ("mpfn", "2019", "2025", [])


def test_image_footer_and_html_carry_the_stamp(built):
    spec = built["rank_rate"]
    assert spec.provenance["build_id"][:12] in spec.stamp and spec.provenance["link"] in spec.stamp
    fig = export.export_figure(spec)
    footer = next(a for a in fig.layout.annotations if a.name == "source_line")
    assert "Corte" in footer.text and spec.provenance["build_id"][:12] in footer.text
    html = export.to_html(spec).decode()
    assert spec.provenance["build_id"][:12] in html and "source=mpfn" in html


@pytest.mark.browser
def test_html_map_draws_from_disk_with_the_network_blocked(sample_db, tmp_path):
    from tests.browser_helpers import chromium
    from tests.conftest import require_chromium

    exe = require_chromium()
    con = duckdb.connect(str(sample_db), read_only=True)
    spec = charts.build("rg_map", con, Filters("mpfn", date(2023, 1, 1), date(2023, 1, 1), "year", crimes=LEY),
                        metric="rate")
    con.close()
    path = tmp_path / export.filename(spec, "html")
    path.write_bytes(export.to_html(spec))
    with chromium(exe) as browser:
        context = browser.new_context(viewport={"width": 1600, "height": 900})
        requested: list[str] = []

        def block(route):
            if route.request.url.startswith("file://"):
                route.continue_()
            else:
                requested.append(route.request.url)
                route.abort()

        context.route("**/*", block)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.as_uri())
        page.wait_for_function("document.querySelectorAll('.choroplethlocation').length > 0", timeout=30_000)
        regions = page.evaluate("document.querySelectorAll('.choroplethlocation').length")
        context.close()
    assert regions == 25 and requested == [] and errors == []


def test_xlsx_counts_are_numbers_and_years_stay_plain(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    f = Filters("synthetic", date(2019, 1, 1), date(2025, 12, 1), "month", crimes=LEY)
    spec = charts.build("gr_growth", con, f)  # its table writes counts as text ("1,234")
    con.close()
    sheet = load_workbook(io.BytesIO(export.to_xlsx(spec))).worksheets[0]
    header = [c.value for c in sheet[1]]
    counts = [i for i, name in enumerate(header) if str(name).startswith("Denuncias")]
    assert counts
    for row in sheet.iter_rows(min_row=2):
        for i in counts:
            assert isinstance(row[i].value, (int, float)) and row[i].number_format == "#,##0", (header[i], row[i].value)
    table = spec.export_table()
    first = table.iloc[0, counts[0]]
    assert sheet.cell(row=2, column=counts[0] + 1).value == int(str(first).replace(",", ""))
