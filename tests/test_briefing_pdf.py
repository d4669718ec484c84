"""What the Platypus layout of the PDF pack guarantees, read back from the file with pypdf:
the outline names every chart on the page it opens, every page carries the footer (page
"n / N" of the real count, the pack title, the provenance stamp with the database build and
the link that reopens the view), a table longer than a page continues on the next pages
without losing a row, and no text is drawn outside the page or with a font that lacks it."""

from __future__ import annotations

import io
import re
from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest
from pypdf import PdfReader

from cybertrends import briefing, export, i18n
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters
from tests.conftest import query

ITEMS = [("overview_trend", {}), ("ct_share", {}), ("rg_rank", {"metric": "rate"}), ("gr_counts", {})]


@pytest.fixture
def no_browser(monkeypatch):
    """No Chrome/Chromium: every chart page prints its numbers as a table (the longest pages)."""
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(export.browser, "SYSTEM_CANDIDATES", ())
    assert export.find_browser() is None


@pytest.fixture(scope="module")
def specs(sample_db):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        ley = tuple(c for (c,) in con.execute(
            "select crime_code from ref_crime where is_ley_30096 order by sort_order").fetchall())
        f = Filters("synthetic", date(2019, 1, 1), date(2025, 12, 1), "month", regions=("04", "15"), crimes=ley,
                    lang="es")
        built, skipped = briefing.build_charts(con, f, ITEMS)
    assert [s.chart_id for s in built] == [cid for cid, _ in ITEMS], skipped
    return built


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(level, title, page index) of every outline entry, in order."""
    out = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_outline_names_every_chart_on_its_page(specs, no_browser):
    pack = briefing.Pack("Informe con índice", "es", specs, [])
    data, count = briefing.render_counted(pack, "pdf")
    reader = PdfReader(io.BytesIO(data))
    assert count == len(reader.pages)
    closing = i18n.t("br_closing_title", "es")
    entries = _outline(reader)
    assert [(level, title) for level, title, _ in entries] == (
        [(0, pack.title)] + [(1, spec.title) for spec in specs] + [(1, closing)])
    texts = [_flat(page.extract_text()) for page in reader.pages]
    pages = [page for *_, page in entries]
    assert pages[0] == 0 and pages == sorted(pages) and pages[-1] == len(reader.pages) - 1
    for (_, title, page) in entries[1:]:
        assert _flat(title) in texts[page]  # the entry opens the page that starts with the chart
    # the contents on the cover print the same page numbers (1-based) and link to the same pages
    cover = reader.pages[0]
    assert [int(n) for n in re.findall(r"\.\s(\d+)\n", cover.extract_text())] == [p + 1 for *_, p in entries[1:]]
    targets = {reader.get_page_number(a.get_object()["/Dest"][0].get_object()) for a in cover.get("/Annots", [])
               if "/Dest" in a.get_object()}
    assert targets == {page for *_, page in entries[1:]}


def test_every_page_has_the_footer_with_the_provenance(specs, sample_db, no_browser):
    pack = briefing.Pack("Informe con pie", "es", specs, [])
    reader = PdfReader(io.BytesIO(briefing.to_pdf(pack)))
    n = len(reader.pages)
    build = query(sample_db, "select value from meta where key = 'build_id'")[0][0][:12]
    chart_at = {page: specs[i] for i, (_, _, page) in enumerate(_outline(reader)[1:-1])}
    spec = None
    for i, page in enumerate(reader.pages):
        lines = [line.strip() for line in page.extract_text().splitlines()]
        assert f"{i + 1} / {n}" in lines, (i, lines[-4:])
        assert pack.title in lines
        stamp = next(line for line in lines if line.startswith("Base de datos"))
        assert build in stamp
        spec = chart_at.get(i, spec if 0 < i < n - 1 else None)  # a continued table keeps its chart's stamp
        links = [a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])
                 if a.get_object().get("/Subtype") == "/Link" and "/A" in a.get_object()]
        if spec is not None:
            link = spec.provenance["link"]
            assert link.startswith("http") and stamp.endswith(link) and link in links, (i, stamp)
            assert f"source={spec.provenance['source']}" in link and "regions=04,15" in link.replace("%2C", ",")
        else:  # cover and closing page: the build behind the whole pack
            assert stamp == f"Base de datos {build}"


def _long_spec(n_rows: int) -> ChartSpec:
    labels = [f"Fila {i:04d} con una etiqueta larga de región y periodo" for i in range(n_rows)]
    data = pd.DataFrame({"Etiqueta": labels, "Valor": [i * 7 + 3 for i in range(n_rows)]})
    return ChartSpec("long", "hbar", "Una tabla muy larga", "Subtítulo", "Fuente: prueba", go.Figure(), data,
                     "Etiqueta", "Valor", notes=["Nota al pie de la tabla."])


def test_a_long_table_continues_on_the_next_pages_without_losing_rows(no_browser):
    n_rows = 900
    pack = briefing.Pack("Tabla larga", "es", [_long_spec(n_rows)], [])
    data, count = briefing.render_counted(pack, "pdf")
    reader = PdfReader(io.BytesIO(data))
    assert count == len(reader.pages) > 3  # more than cover + chart + closing: the table continued
    pages = [page.extract_text().splitlines() for page in reader.pages[1:-1]]
    seen: list[tuple[int, str]] = []
    for lines in pages:
        lines = [line.strip() for line in lines]
        assert "Etiqueta" in lines and "Valor" in lines  # the header is repeated on every page
        for k, line in enumerate(lines):
            match = re.fullmatch(r"Fila (\d{4}) con una etiqueta larga de región y periodo", line)
            if match:
                seen.append((int(match.group(1)), lines[k + 1]))
    assert [i for i, _ in seen] == list(range(n_rows))  # every row once, in order
    assert all(value == i18n.fmt_int(i * 7 + 3, "es") for i, value in seen)
    last = _flat(reader.pages[-2].extract_text())
    assert "Nota al pie de la tabla." in last and "Fuente: prueba" in last  # the caption ends the table
    assert "Nota al pie" not in _flat(reader.pages[1].extract_text())


def _char_widths(font) -> dict[str, float]:
    """Advance width (1/1000 em) of each character of an embedded simple font, from its
    /Widths and its /ToUnicode map (code -> character)."""
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    first, widths = font["/FirstChar"], font["/Widths"]
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            if int(uni, 16):
                out[chr(int(uni, 16))] = float(widths[int(code, 16) - first])
    assert not re.search(r"beginbfrange", cmap)  # reportlab writes single codes only
    return out


def _text_runs(page):
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((text.rstrip("\n"), cm, tm, font, size))

    page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("browser", [False, True], ids=["tables", "pictures"])
def test_no_text_outside_the_page_and_every_glyph_in_the_embedded_font(specs, browser, request):
    if browser:
        from tests.conftest import require_chromium

        require_chromium()
    else:
        request.getfixturevalue("no_browser")
    long = ChartSpec("long", "bar", "Título " * 30, "Subtítulo " * 40, "Fuente: " + "muy larga " * 40, go.Figure(),
                     pd.DataFrame({"x": ["a" * 120, "b"], "y": [1, 2]}), "x", "y", synthetic=True,
                     notes=["Nota " * 80])
    wide = ChartSpec("wide", "bar", "Wide", "S", "F", go.Figure(), pd.DataFrame(
        {f"A long column name, number {k}": [f"a long cell text, row {i} " * 3 for i in range(20)] for k in range(6)}
        | {"y": range(20)}), "A long column name, number 0", "y")  # too wide for one block: cells wrap
    chosen = [*specs[:2], long] if browser else [*specs, long, wide]
    pack = briefing.Pack("Un título de informe " * 12, "en", chosen, [])
    images = briefing.Images("all")
    try:
        reader = PdfReader(io.BytesIO(briefing.to_pdf(pack, images)))
    finally:
        images.close()
    checked = 0
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        for text, cm, tm, font, size in _text_runs(page):
            assert font is not None and font["/Subtype"] == "/TrueType", (number, text, font)
            widths = _char_widths(font)
            missing = {c for c in text if c not in widths}
            assert not missing, (number, text, missing)  # every character has a glyph in the embedded font
            assert cm[0] == tm[0] == 1 and cm[1] == cm[2] == tm[1] == tm[2] == 0  # no scaling or rotation
            x, y = cm[4] + tm[4], cm[5] + tm[5]
            right = x + sum(widths[c] for c in text) / 1000 * size
            assert box.left + 20 <= x and right <= box.right - 20, (number, text, x, right)
            assert box.bottom + 10 <= y <= box.top - 20, (number, text, y)
            checked += 1
    assert checked > (40 if browser else 100)
