"""Briefing packs (issue 4): PowerPoint with native charts and PDF, from the page and the command line.

The numbers in the files are checked against independent computations (overview trend,
crime-type shares) and against each chart's own table; small minors' counts are published
through the cell-key method, so no count from 1 to 4 reaches a chart value, the speaker notes
or any text of the PPTX or the PDF, and the caveats explain the method.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from datetime import date, timedelta

import duckdb
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches
from pypdf import PdfReader

from cybertrends import briefing, charts, export, i18n
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters
from etl import load
from tests.conftest import CANONICAL_HEADER, ROOT, query, require_chromium, write
from tests.published import published

MARK = "datos sintéticos / synthetic data"
SMALL = {"1", "2", "3", "4"}
IN_LEY = "crime_code in (select crime_code from ref_crime where is_ley_30096)"


def _ley(db) -> tuple[str, ...]:
    return tuple(r[0] for r in query(db, "select crime_code from ref_crime where is_ley_30096 order by sort_order"))


def _norm(text: str) -> str:
    return " ".join(str(text).split())


@contextmanager
def no_browser():
    """No Chrome/Chromium can be found: BROWSER_PATH unset, PATH without browsers, and the
    system candidates (module-level in export so tests can narrow them) emptied."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("BROWSER_PATH", raising=False)
        mp.setenv("PATH", "/nonexistent")
        mp.setattr(export.browser, "SYSTEM_CANDIDATES", ())
        assert export.find_browser() is None
        yield


# ------------------------------------------------------------------------------------------
# Reading the files back
# ------------------------------------------------------------------------------------------


def slide_texts(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
    return "\n".join(parts)


def chart_of(slide):
    charts_ = [shape.chart for shape in slide.shapes if shape.has_chart]
    return charts_[0] if charts_ else None


def series_values(chart) -> dict[str, list]:
    return {s.name: list(s.values) for s in chart.plots[0].series}


def categories(chart) -> list[str]:
    return [str(c) for c in chart.plots[0].categories]


def notes_table(notes: str) -> tuple[list[str], list[list[str]]]:
    lines = notes.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith(":") and " | " in lines[i + 1])
    header = lines[start + 1].split(" | ")
    rows = []
    for line in lines[start + 2:]:
        if not line.strip():
            break
        rows.append(line.split(" | "))
    return header, rows


def expected_series(spec: ChartSpec) -> tuple[list[str], dict[str, list]]:
    """The native chart the spec should give, computed here from `spec.data` (NaN -> None)."""
    data = spec.data.reset_index(drop=True)
    xs = [str(v) for v in data[spec.x]]
    cats = list(dict.fromkeys(xs))
    value = lambda v: None if v != v else float(v)  # noqa: E731 - NaN -> None
    if spec.series is None:
        out = {}
        for column in (spec.y, *spec.overlay):
            lookup = dict(zip(reversed(xs), reversed([value(v) for v in data[column]])))
            out[str(column)] = [lookup.get(c) for c in cats]
        return cats, out
    out = {}
    for name in dict.fromkeys(data[spec.series]):
        part = data[data[spec.series] == name]
        lookup = dict(zip(reversed([str(v) for v in part[spec.x]]), reversed([value(v) for v in part[spec.y]])))
        out[str(name)] = [lookup.get(c) for c in cats]
    return cats, out


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


# ------------------------------------------------------------------------------------------
# The standard pack on the bundled data (built once)
# ------------------------------------------------------------------------------------------

REGIONS = ("04", "15")  # Arequipa, Lima
PERIOD = (date(2020, 1, 1), date(2025, 12, 1))


@pytest.fixture(scope="module")
def std(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    f = Filters("synthetic", *PERIOD, "month", regions=REGIONS, crimes=_ley(sample_db), lang="es")
    specs, skipped = briefing.build_charts(con, f)
    con.close()
    pack = briefing.Pack("Informe de prueba", "es", specs, skipped)
    return pack


@pytest.fixture(scope="module")
def std_pptx(std):
    """The standard deck as built where no browser is found (native charts; the map slide says why it has no
    picture): these tests then never start Chromium. The picture is checked by the browser test below."""
    with no_browser():
        return Presentation(io.BytesIO(briefing.to_pptx(std, briefing.Images("map"))))


def test_standard_pack_has_the_expected_charts(std):
    ids = [spec.chart_id for spec in std.specs]
    expected = [cid for cid, _ in briefing.STANDARD_PACK if cid in briefing.registered()]
    # every registered id of the standard pack has data for these filters (synthetic, 2 regions)
    assert ids == expected, std.skipped
    assert "overview_trend" in ids and any(s.kind == "map" for s in std.specs)
    assert all(spec.lang == "es" and spec.filters.regions == REGIONS for spec in std.specs)


def test_pptx_slides_titles_subtitles_sources_marks(std, std_pptx):
    prs = std_pptx
    assert (round(prs.slide_width / Inches(1), 2), round(prs.slide_height / Inches(1), 2)) == (13.33, 7.5)
    slides = list(prs.slides)
    assert len(slides) == len(std.specs) + 2
    first, last = slides[0], slides[-1]
    assert first.shapes.title.text_frame.text == "Informe de prueba"
    assert MARK in slide_texts(first)  # the synthetic sample is marked on the title slide
    for source in {spec.source_line for spec in std.specs}:
        # the title slide lists the sources under "Fuentes:" without repeating "Fuente:"
        assert re.sub(r"^(Fuente|Source):\s*", "", source) in slide_texts(first) and source in slide_texts(last)
    assert "Fuentes y advertencias" in last.shapes.title.text_frame.text
    assert "clave de celda" in slide_texts(last)  # the cell-key method is explained
    for slide, spec in zip(slides[1:-1], std.specs):
        text = slide_texts(slide)
        assert slide.shapes.title.text_frame.text == spec.title  # the finding is the slide title
        assert spec.subtitle in text and spec.source_line in text
        assert all(note in text for note in spec.notes)
        assert (MARK in text) == spec.synthetic
        mark = [s for s in slide.shapes if s.name == "synthetic_mark"]
        assert mark and str(mark[0].text_frame.paragraphs[0].runs[0].font.color.rgb) == briefing.SYNTHETIC_RED


def test_native_charts_equal_their_tables(std, std_pptx):
    kinds = {"line": "LINE_MARKERS", "bar": "COLUMN_CLUSTERED", "hbar": "BAR_CLUSTERED",
             "stacked_bar": "COLUMN_STACKED"}
    checked = 0
    for slide, spec in zip(list(std_pptx.slides)[1:-1], std.specs):
        chart = chart_of(slide)
        if spec.kind == "map":
            assert chart is None
            continue
        assert chart is not None, spec.chart_id
        assert chart.chart_type.name == kinds[spec.kind]
        cats, series = expected_series(spec)
        assert categories(chart) == cats
        assert series_values(chart) == series
        assert chart.has_legend == (len(series) > 1)
        checked += 1
    assert checked >= 5


def test_overview_trend_series_equal_independent_sql(std, std_pptx, sample_db):
    index = [s.chart_id for s in std.specs].index("overview_trend")
    chart = chart_of(list(std_pptx.slides)[index + 1])
    cells = published(sample_db, "synthetic", ("month",), f"{IN_LEY} and region_code in ('04', '15') "
                      "and report_date between $a and $b", {"a": PERIOD[0], "b": date(2025, 12, 31)})
    rows = sorted(cells.items())
    values = series_values(chart)[i18n.t("reports", "es")]
    assert values == [float(n) for _, n in rows]
    assert categories(chart) == [i18n.fmt_month(d, "es") for (d,), _ in rows]


def test_crime_type_shares_equal_independent_sql(std, std_pptx, sample_db):
    index = [s.chart_id for s in std.specs].index("ct_share")
    chart = chart_of(list(std_pptx.slides)[index + 1])
    rows = query(sample_db, """
        select c.name_es, sum(r.report_count) from report_counts r
        join ref_crime c on c.law = r.law and c.article = r.article
        where r.source = 'synthetic' and r.law = 'Ley 30096' and r.region_code in ('04', '15')
          and r.period_start between $a and $b
        group by 1 having sum(r.report_count) > 0""", {"a": PERIOD[0], "b": date(2025, 12, 31)})
    total = sum(n for _, n in rows)
    shares = sorted((round(n / total * 100, 1) for _, n in rows), reverse=True)
    (values,) = series_values(chart).values()
    assert sorted(values, reverse=True) == pytest.approx(shares, abs=0.051)
    top_name = max(rows, key=lambda r: r[1])[0]
    assert categories(chart)[values.index(max(values))].startswith(top_name)


def test_notes_hold_the_numbers(std, std_pptx):
    for slide, spec in zip(list(std_pptx.slides)[1:-1], std.specs):
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.startswith(spec.title) and spec.source_line in notes
        header, rows = notes_table(notes)
        assert header == [str(c) for c in spec.data.columns if c != spec.display_column]
        assert len(rows) == len(spec.data)
        column = header.index(str(spec.y))
        for row, value, shown in zip(rows, spec.data[spec.y], spec.data[spec.display_column]):
            if value != value:  # NaN: the page's text
                assert row[column] == shown
            else:
                expected = f"{value:,.2f}".rstrip("0").rstrip(".")
                assert row[column] == expected, (spec.chart_id, row, value)


@pytest.mark.browser
def test_map_slide_is_a_picture(std):
    require_chromium()
    images = briefing.Images("map")
    try:
        deck = Presentation(io.BytesIO(briefing.to_pptx(std, images)))
    finally:
        images.close()
    index = next(i for i, s in enumerate(std.specs) if s.kind == "map")
    slide = list(deck.slides)[index + 1]
    pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pictures) == 1 and pictures[0].image.content_type == "image/png"
    assert pictures[0].width > Inches(4) and "No se pudo" not in slide_texts(slide)


@pytest.mark.browser
def test_pdf_pages_text_and_images(std):
    require_chromium()
    std = briefing.Pack(std.title, std.lang, [s for s in std.specs if s.kind != "map"][:3], std.skipped)
    images = briefing.Images("all")
    try:
        pdf = briefing.to_pdf(std, images)
    finally:
        images.close()
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == len(std.specs) + 2
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    texts = [_norm(p.extract_text()) for p in reader.pages]
    assert "Informe de prueba" in texts[0] and MARK in texts[0]
    for text, spec, page in zip(texts[1:-1], std.specs, reader.pages[1:-1]):
        assert _norm(spec.title) in text and _norm(spec.subtitle) in text and _norm(spec.source_line) in text
        assert all(_norm(note) in text for note in spec.notes)
        assert (MARK in text) == spec.synthetic
        assert len(page.images) == 1  # the chart as a picture
    assert "Fuentes y advertencias" in texts[-1]
    assert all(_norm(s.source_line) in texts[-1] for s in std.specs)


def test_without_chromium_pptx_and_pdf_still_build(std):
    with no_browser():
        prs = Presentation(io.BytesIO(briefing.render(std, "pptx")))
        pdf = briefing.render(std, "pdf")
    slides = list(prs.slides)
    for slide, spec in zip(slides[1:-1], std.specs):
        if spec.kind == "map":
            assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
            assert "No se pudo dibujar el mapa" in slide_texts(slide)
            assert "Chromium" in slide_texts(slide)
        else:
            assert chart_of(slide) is not None  # native charts need no browser
    pages = pdf_pages(pdf)
    assert len(pages) == len(std.specs) + 2
    for text, spec in zip(pages[1:-1], std.specs):
        flat = _norm(text)
        assert "No se pudieron dibujar las imágenes" in flat and _norm(spec.source_line) in flat
        header, rows = briefing.table_rows(spec, exact=False)
        assert _norm(rows[0][0]) in flat and _norm(rows[0][header.index(str(spec.y))]) in flat


def test_session_pack_rebuilds_in_the_chosen_language(std, sample_db):
    chosen = [s for s in std.specs if s.kind != "map"][:2]
    data = briefing.session_pack(chosen, "", "en", "pptx", db=sample_db)
    slides = list(Presentation(io.BytesIO(data)).slides)
    assert len(slides) == 4
    assert slides[0].shapes.title.text_frame.text == briefing.default_title("en")
    con = duckdb.connect(str(sample_db), read_only=True)
    for slide, spec in zip(slides[1:-1], chosen):
        english = charts.build(spec.chart_id, con, spec.filters.with_(lang="en"), **spec.options)
        assert slide.shapes.title.text_frame.text == english.title != spec.title
        assert series_values(chart_of(slide)) == expected_series(english)[1]
    assert "Sources and caveats" in slides[-1].shapes.title.text_frame.text


# ------------------------------------------------------------------------------------------
# Victim protection: a tiny database with a few minors' reports
# ------------------------------------------------------------------------------------------


def _rows() -> list[str]:
    rows = []
    n = 0

    def add(count, day: date, ubigeo, crime, age, sex="F", modality="grooming", channel="red social"):
        nonlocal n
        for i in range(count):
            n += 1
            d = day + timedelta(days=i)
            rows.append(f"T{n},{d.isoformat()},,{ubigeo},{crime},{modality},{channel},{age},{sex},persona natural,")

    add(3, date(2024, 3, 2), "040101", "5", 10)  # 3 children, art. 5, Arequipa, Mar 2024
    add(2, date(2024, 4, 3), "150101", "8", 15, "M", "phishing", "email")  # 2 adolescents, Lima, Apr 2024
    add(6, date(2025, 2, 3), "150101", "8", 16, "M", "phishing", "email")  # 6 adolescents, Feb 2025
    add(1, date(2025, 5, 3), "080101", "5", 14)  # 1 adolescent, art. 5, Cusco
    for month in range(1, 13):  # adults and young people every month of 2024 and 2025
        for year in (2024, 2025):
            add(2, date(year, month, 5), "150101", "8", 35, "M", "phishing", "email")
            add(1, date(year, month, 8), "040101", "9", 22, "F", "phishing", "email")
            add(1, date(year, month, 9), "080101", "8", 67, "F", "phishing", "email")
    return rows


@pytest.fixture(scope="module")
def minors_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("minors")
    path = write(folder, "incidents.csv", CANONICAL_HEADER + "\n" + "\n".join(_rows()) + "\n")
    db = folder / "minors.duckdb"
    outcome = load.load_files([path], db=db)
    assert outcome.published, outcome.files
    # the small minors' counts this test must never find
    assert query(db, "select count(*) from fact_incident where victim_age_group = 'child'") == [(3,)]
    return db


def _all_items() -> list[tuple[str, dict]]:
    items = [(cid, {}) for cid in sorted(briefing.registered()) if cid != "rg_map"]
    return items + [("rg_map", {"metric": m}) for m in ("count", "rate", "growth")]


# "3 denuncias" would reveal a count; "de 1 a 4 víctimas" / "1 to 4 victims" explains the rule.
SMALL_PHRASE = re.compile(
    r"(?<![\d.,–-])(?<!a )(?<!to )[1-4]\s+(denuncias|reports|víctimas|victims|casos|cases)\b", re.I)


@pytest.mark.parametrize("scope", ["minor_groups", "children", "art5"])
def test_small_minors_counts_never_appear(minors_db, scope):
    ley = _ley(minors_db)
    base = Filters("incidents", date(2024, 1, 1), date(2025, 12, 1), "month", crimes=ley, lang="es")
    f = {
        "minor_groups": base.with_(groups=("child", "adolescent")),
        "children": base.with_(groups=("child",)),
        "art5": base.with_(crimes=("5",)),
    }[scope]
    con = duckdb.connect(str(minors_db), read_only=True)
    specs, skipped = briefing.build_charts(con, f, _all_items())
    con.close()
    if scope == "children":  # three records: every published cell is 0, so every chart is empty
        assert not specs and {s.reason for s in skipped} == {"no_data"}, (specs, skipped)
        return
    assert specs, skipped
    assert all(s.reason != "error" for s in skipped), skipped
    pack = briefing.Pack("Menores", "es", specs, skipped)
    with no_browser():  # the PDF then prints every number as text: the strictest case
        prs = Presentation(io.BytesIO(briefing.to_pptx(pack)))
        pages = pdf_pages(briefing.to_pdf(pack))
    assert len(pages) == len(specs) + 2

    explained = False
    for slide, spec in zip(list(prs.slides)[1:-1], specs):
        chart = chart_of(slide)
        if chart is not None and spec.y_format == "count":
            for name, values in series_values(chart).items():
                assert not [v for v in values if v is not None and 1 <= v <= 4], (spec.chart_id, name, values)
        notes = slide.notes_slide.notes_text_frame.text
        header, rows = notes_table(notes)
        for row in rows:
            assert not SMALL & {cell.strip() for cell in row}, (spec.chart_id, header, row)
        explained |= "clave de celda" in notes
        for text in (slide_texts(slide), notes):
            assert not SMALL_PHRASE.search(text), (spec.chart_id, text)
    assert explained
    for text in pages:
        cells = {line.strip() for line in text.splitlines()}
        assert not SMALL & cells, text  # a table cell holding a raw 1-4 count
        assert not SMALL_PHRASE.search(text), text
    assert "clave de celda" in " ".join(pages[-1].split())  # the caveats page explains the method


# ------------------------------------------------------------------------------------------
# Pieces
# ------------------------------------------------------------------------------------------


def test_chart_series_pivots_and_leaves_gaps():
    import pandas as pd
    import plotly.graph_objects as go

    data = pd.DataFrame({
        "Año": [2024, 2024, 2025, 2025],
        "Grupo": ["Niñas y niños", "Adultos", "Niñas y niños", "Adultos"],
        "Denuncias": [float("nan"), 40.0, 7.0, 52.0],
        "display": ["<5", "40", "7", "52"],
    })
    spec = ChartSpec("x", "stacked_bar", "T", "S", "Fuente", go.Figure(), data, "Año", "Denuncias",
                     series="Grupo", display_column="display")
    cats, series = briefing.chart_series(spec)
    assert cats == ["2024", "2025"]
    assert series == [("Niñas y niños", [None, 7.0]), ("Adultos", [40.0, 52.0])]
    _, rows = briefing.table_rows(spec)
    assert rows[0] == ["2024", "Niñas y niños", "<5"]
    prs = Presentation(io.BytesIO(briefing.to_pptx(briefing.Pack("T", "es", [spec]))))
    chart = chart_of(list(prs.slides)[1])
    assert series_values(chart) == {"Niñas y niños": [None, 7.0], "Adultos": [40.0, 52.0]}
    assert chart.chart_type.name == "COLUMN_STACKED" and chart.has_legend
    colours = [str(s.format.fill.fore_color.rgb) for s in chart.plots[0].series]
    from cybertrends.charts.base import PALETTE

    assert colours == [c.lstrip("#").upper() for c in PALETTE[:2]]


def test_move_remove_file_name_and_default_source():
    items = ["a", "b", "c"]
    briefing.move(items, 0, -1)
    assert items == ["a", "b", "c"]
    briefing.move(items, 0, 1)
    assert items == ["b", "a", "c"]
    briefing.move(items, 2, -1)
    assert items == ["b", "c", "a"]
    briefing.remove(items, 1)
    assert items == ["b", "a"]
    import pandas as pd

    def spec(cid, title):
        return ChartSpec(cid, "bar", title, "S", "F", None, pd.DataFrame({"x": [1]}), "x", "x")

    chosen = [spec("a", "A")]
    assert briefing.add(chosen, [spec("a", "A"), spec("b", "B"), spec("b", "B")]) == 1
    assert [s.chart_id for s in chosen] == ["a", "b"]
    assert briefing.file_name("Ciberdelincuencia en el Perú: informe", "pdf", date(2026, 3, 1)) == (
        "ciberdelincuencia_en_el_peru_informe_2026-03-01.pdf")
    def row(source, synthetic, first, last):
        return dict(source=source, is_synthetic=synthetic, first_date=date(first, 1, 1), last_date=date(last, 12, 31))

    assert briefing.default_source([row("mpfn", False, 2023, 2023), row("synthetic", True, 2019, 2025)]) == "synthetic"
    assert briefing.default_source([row("mpfn", False, 2022, 2023), row("synthetic", True, 2019, 2025)]) == "mpfn"
    regions = [("04", "Arequipa"), ("12", "Junín"), ("22", "San Martín")]
    assert briefing.resolve_region("junin", regions, "es") == "12"
    assert briefing.resolve_region("4", regions, "es") == "04"
    assert briefing.resolve_region("SAN MARTIN", regions, "es") == "22"


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------


def run_cli(*commands: tuple[str, ...]) -> list[subprocess.CompletedProcess]:
    """Run `python -m cybertrends.briefing` once per argument tuple, concurrently."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "cybertrends.briefing", *args], cwd=ROOT, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for args in commands]
    out = []
    for proc, args in zip(procs, commands):
        stdout, stderr = proc.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    return out


@pytest.mark.browser
def test_cli_end_to_end(sample_db, tmp_path):
    """The standard pack as PPTX with filters; a chosen-chart PDF with the default source and period."""
    pptx, pdf = tmp_path / "informe.pptx", tmp_path / "brief.pdf"
    deck, document = run_cli(
        ("--db", str(sample_db), "--lang", "en", "--format", "pptx", "--out", str(pptx), "--source", "synthetic",
         "--from", "2024-01", "--to", "2025-06", "--region", "15", "--region", "arequipa"),
        ("--db", str(sample_db), "--out", str(pdf), "--chart", "overview_trend", "--chart", "ct_share",
         "--title", "Informe mensual"),
    )
    assert deck.returncode == 0, deck.stderr
    slides = list(Presentation(str(pptx)).slides)
    assert deck.stdout.strip() == f"{pptx} ({len(slides)} slides)"
    ids = [sh.name.removeprefix("chart_").removeprefix("map_") for s in slides[1:-1] for sh in s.shapes
           if sh.name.startswith(("chart_", "map_"))]
    standard = [cid for cid, _ in briefing.STANDARD_PACK]
    assert ids == [cid for cid in standard if cid in ids] and len(slides) == len(ids) + 2
    assert ids[0] == "overview_trend" and "rg_map" in ids
    for cid in set(standard) - set(ids):  # e.g. ct_index needs two complete years: listed, not lost
        assert cid in deck.stderr and cid in slide_texts(slides[-1])
    trend = slides[1]
    assert "Arequipa" in slide_texts(trend) and "Lima" in slide_texts(trend)
    cells = published(sample_db, "synthetic", ("month",), f"{IN_LEY} and region_code in ('04', '15') "
                      "and report_date between date '2024-01-01' and date '2025-06-30'")
    values = series_values(chart_of(trend))[i18n.t("reports", "en")]
    assert values == [float(n) for _, n in sorted(cells.items())] and len(values) == 18

    assert document.returncode == 0, document.stderr
    assert document.stdout.strip() == f"{pdf} (4 páginas)"
    pages = [_norm(t) for t in pdf_pages(pdf.read_bytes())]
    assert len(pages) == 4 and "Informe mensual" in pages[0]
    # default source: the real MPFN series (no synthetic mark); default period: its full range
    assert "2019–2025" in pages[1] and MARK not in pages[1]
    with duckdb.connect(str(sample_db), read_only=True) as con:
        f = Filters("mpfn", date(2019, 1, 1), date(2025, 1, 1), "year", crimes=tuple(
            c for (c,) in con.execute("select crime_code from ref_crime where is_ley_30096 order by sort_order").fetchall()))
        assert _norm(charts.build("overview_trend", con, f).title) in pages[1]


BAD_ARGUMENTS = [
    (["--source", "sidpol2"], ["'sidpol2'", "mpfn", "synthetic"]),
    (["--source", "synthetic", "--from", "2024-13"], ["'2024-13'", "AAAA-MM"]),
    (["--source", "synthetic", "--from", "2025-06", "--to", "2024-01"], ["2025-06", "2024-01"]),
    (["--source", "synthetic", "--to", "2031-01"], ["2031-01", "2019-01", "2025-12"]),
    (["--from", "2024-13"], ["'2024-13'", "AAAA"]),  # the default source is yearly
    (["--to", "2031"], ["2031", "2019", "2025"]),
    (["--source", "mpfn", "--from", "2023-01"], ["'2023-01'", "AAAA"]),
    (["--region", "Atlantis"], ["'Atlantis'", "Arequipa", "04"]),
    (["--chart", "nope"], ["'nope'", "overview_trend"]),
    (["--db", "/nonexistent/x.duckdb"], ["/nonexistent/x.duckdb"]),
    (["--lang", "fr"], ["'fr'"]),
    (["--format", "docx"], ["'docx'"]),
]


def test_cli_bad_arguments_exit_2(sample_db, tmp_path):
    out = tmp_path / "x.pptx"
    commands = [(*([] if "--db" in args else ["--db", str(sample_db)]), "--out", str(out), *args)
                for args, _ in BAD_ARGUMENTS]
    for (args, words), result in zip(BAD_ARGUMENTS, run_cli(*commands)):
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert all(word in result.stderr for word in words), (args, result.stderr)
    assert not out.exists()


# ------------------------------------------------------------------------------------------
# The page
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_standard_pack_reorder_remove(sample_db, lang):
    from tests.apptest_helpers import run_app, texts

    at = run_app(sample_db, page="pages/briefing.py", params={"lang": lang})
    assert not at.exception
    assert i18n.t("br_empty", lang)[:40] in texts(at)
    at.button(key="br_standard").click().run()
    assert not at.exception
    items = at.session_state["briefing"]
    assert [s.chart_id for s in items][:2] == ["overview_trend", "overview_contrib"]
    shown = texts(at)
    assert all(spec.title in shown and spec.subtitle in shown for spec in items)
    assert at.text_input(key="br_title").value == briefing.default_title(lang)
    first, second = items[0].chart_id, items[1].chart_id
    at.button(key="br_down_0").click().run()
    assert [s.chart_id for s in at.session_state["briefing"]][:2] == [second, first]
    n = len(at.session_state["briefing"])
    at.button(key="br_remove_0").click().run()
    assert len(at.session_state["briefing"]) == n - 1 and at.session_state["briefing"][0].chart_id == first
    other = "en" if lang == "es" else "es"
    at.segmented_control(key="br_lang").set_value(other).run()
    assert not at.exception
    assert at.text_input(key="br_title").value == briefing.default_title(other)


def test_a_failing_chart_logs_its_traceback(caplog):
    def build(chart_id, options):
        raise ZeroDivisionError("boom in the builder")

    with caplog.at_level("ERROR", logger="cybertrends.briefing"):
        specs, skipped = briefing.collect([("overview_trend", {})], build)
    assert specs == [] and [s.reason for s in skipped] == ["error"]
    record = next(r for r in caplog.records if "overview_trend" in r.getMessage())
    assert record.exc_info and record.exc_info[0] is ZeroDivisionError


def test_pptx_keeps_the_rolling_average_every_region_name_and_a_clean_title_slide(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    f = Filters("synthetic", date(2019, 1, 1), date(2025, 12, 1), "month", crimes=_ley(sample_db), lang="es")
    specs, _ = briefing.build_charts(con, f, [("overview_trend", {}), ("rg_rank", {"metric": "rate"})])
    con.close()
    with no_browser():
        prs = Presentation(io.BytesIO(briefing.to_pptx(briefing.Pack("Prueba", "es", specs, []))))
    slides = list(prs.slides)
    trend = chart_of(slides[1])
    values = series_values(trend)
    assert list(values) == [i18n.t("reports", "es"), i18n.t("rolling_12", "es")]  # the 12-month mean is kept
    expected = [None if v != v else round(float(v), 1) for v in specs[0].data[i18n.t("rolling_12", "es")]]
    assert [None if v is None else round(v, 1) for v in values[i18n.t("rolling_12", "es")]] == expected
    rank = chart_of(slides[2])
    assert len(categories(rank)) == 25
    skip = rank.category_axis._element.find(qn("c:tickLblSkip"))
    assert skip is not None and skip.get("val") == "1"  # every region named
    assert rank.category_axis.tick_labels.font.size.pt <= 7
    title_text = slide_texts(slides[0])
    assert "Fuentes:" in title_text and "Fuentes: Fuente" not in title_text.replace("\n", " ")
    assert not re.search(r"•\s*Fuente:", title_text)
