"""Browser tests: the real `streamlit run dashboard.py` server in headless Debian Chromium.

Skipped locally without Chromium; under CI=true they must run (conftest.require_chromium).
The default view is the real Ministerio Público series; the synthetic sample is opened with
`source=synthetic`. Links hold ids (cybertrends.links), never labels."""

from __future__ import annotations

import csv
import io
import json
import struct
from datetime import date
from urllib.parse import parse_qs, urlencode, urlparse

import openpyxl
import pytest

from cybertrends import i18n
from tests.browser_helpers import (
    ARTIFACTS,
    act,
    chromium,
    error_texts,
    layout_problems,
    pick_region,
    screenshot,
    sidebar_filters,
    streamlit_server,
    wait_until_rendered,
)
from tests.conftest import query, require_chromium
from tests.published import total

pytestmark = pytest.mark.browser

# (url path, expects a Plotly chart)
PAGES = [
    ("", True), ("crime_types", True), ("regions", True), ("at_risk_groups", True), ("data_methods", False),
    ("briefing", False),
]
SYNTHETIC_MARKS = ("DATOS SINTÉTICOS", "SYNTHETIC DATA")


@pytest.fixture(scope="module")
def browser_app(sample_db):
    exe = require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with streamlit_server(sample_db) as url, chromium(exe) as browser:
        yield url, browser


def _open(browser, url, width=1440, height=1000):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, locale="es-PE")
    page = context.new_page()
    page.goto(url)
    return context, page


def _params(page) -> dict[str, str]:
    """The query parameters in the page's address (values joined by commas)."""
    return {k: ",".join(v) for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


def _source_name(db, source: str, lang: str) -> str:
    return query(db, f"select name_{lang} from ref_source where source = $s", {"s": source})[0][0]


def _nav(page, name: str):
    """Click a page in the sidebar navigation and wait for it to be drawn."""
    act(page, lambda: page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).first.click())


# Every page --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("path,has_chart", PAGES)
def test_every_page_renders_without_errors(browser_app, sample_db, path, has_chart, lang):
    url, browser = browser_app
    context, page = _open(browser, f"{url}/{path}?lang={lang}")
    try:
        wait_until_rendered(page, expect_chart=has_chart)
        screenshot(page, ARTIFACTS / f"page_{path or 'resumen'}_{lang}.png")
        assert error_texts(page) == []
        body = page.inner_text("body")
        nav = page.inner_text('[data-testid="stSidebarNav"]')
        assert ("Tipos de delito" if lang == "es" else "Crime types") in nav
        assert "Page not found" not in body
        # The default is the real series: named, and never marked synthetic.
        assert sidebar_filters(page)["source"] == _source_name(sample_db, "mpfn", lang)
        if has_chart:
            assert _source_name(sample_db, "mpfn", lang) in body  # the charts' source line
            assert not any(mark in body for mark in SYNTHETIC_MARKS)
    finally:
        context.close()


def test_url_filters_are_applied_and_survive_page_switches(browser_app, sample_db):
    url, browser = browser_app
    params = urlencode({"lang": "en", "source": "synthetic", "regions": "04,08"})
    context, page = _open(browser, f"{url}/?{params}")
    try:
        wait_until_rendered(page)
        body = page.inner_text("body")
        assert "Arequipa, Cusco" in body  # the chart subtitle states the filters
        assert any(mark in body for mark in SYNTHETIC_MARKS)
        expected = total(sample_db, "synthetic", "region_code in ('04', '08') and year(report_date) = 2025 and "
                         "crime_code in (select crime_code from ref_crime where is_ley_30096)")
        assert i18n.fmt_int(expected, "en") in body  # the headline total for the two regions
        screenshot(page, ARTIFACTS / "filters_from_url.png")
        # Switch page through the sidebar navigation: the filters are kept, in the view and the URL.
        _nav(page, "Regions")
        page.wait_for_url(lambda u: "/regions" in u and "regions=" in u)
        assert {k: _params(page).get(k) for k in ("lang", "source", "regions")} == {
            "lang": "en", "source": "synthetic", "regions": "04,08"}
        shown = sidebar_filters(page)
        assert shown["Regions"] == ["Arequipa", "Cusco"]
        assert shown["source"] == _source_name(sample_db, "synthetic", "en")
        assert "Arequipa" in page.inner_text('[data-testid="stMain"]')
        assert error_texts(page) == []
        screenshot(page, ARTIFACTS / "filters_after_page_switch.png")
    finally:
        context.close()


# Links: language, Back, deep links ---------------------------------------------------------

SPANISH_LINK = {"source": "synthetic", "from": "2020-01", "to": "2024-06", "crimes": "8,9", "regions": "15,04",
                "groups": "child,older", "metric": "growth"}


def _expected_sidebar(db, lang: str) -> dict:
    crimes = dict(query(db, f"select crime_code, name_{lang} from ref_crime where crime_code in ('8', '9')"))
    groups = dict(query(db, f"select age_group, name_{lang} from ref_age_group"))
    return {
        "source": _source_name(db, "synthetic", lang),
        "period": [i18n.fmt_month(date(2020, 1, 1), lang), i18n.fmt_month(date(2024, 6, 1), lang)],
        i18n.t("filter_crimes", lang): [f"8 · {crimes['8']}", f"9 · {crimes['9']}"],
        i18n.t("filter_regions", lang): ["Lima", "Arequipa"],
        i18n.t("filter_groups", lang): [groups["child"], groups["older"]],
    }


def _checked(page, label: str) -> list[str]:
    """The chosen option of the page's segmented control labelled `label`."""
    group = page.locator(f'[data-testid="stMain"] [role="radiogroup"][aria-label="{label}"]')
    return [t.strip() for t in group.locator('[aria-checked="true"]').all_inner_texts()]


def _switch_language(page, lang: str) -> None:
    """Click the sidebar's language control (what a user does)."""
    control = page.locator('[data-testid="stSidebar"] [role="radiogroup"][aria-label="Idioma / Language"]')
    act(page, lambda: control.get_by_role("radio", name=lang, exact=True).click())
    page.locator('[data-testid="stSidebar"]').get_by_text(i18n.t("filters", lang), exact=True).wait_for()


def test_a_spanish_link_keeps_every_filter_in_english_and_back(browser_app, sample_db):
    url, browser = browser_app
    context, page = _open(browser, f"{url}/regions?{urlencode(SPANISH_LINK)}")
    try:
        wait_until_rendered(page)
        for step, lang in enumerate(("es", "en", "es")):
            if step:
                _switch_language(page, lang)
            assert error_texts(page) == []
            assert not page.get_by_text(i18n.t("link_unknown_values", lang, values="")[:25]).count()
            shown = sidebar_filters(page)
            assert shown == _expected_sidebar(sample_db, lang), lang
            assert _checked(page, i18n.t("rg_metric_label", lang)) == [i18n.t("rg_metric_growth", lang)]
            assert {k: _params(page).get(k) for k in SPANISH_LINK} == SPANISH_LINK, lang  # ids, never labels
            assert _params(page).get("lang", "es") == lang
            screenshot(page, ARTIFACTS / f"link_language_{lang}.png")
    finally:
        context.close()


def test_back_undoes_a_filter_change_and_stays_in_the_app(browser_app):
    url, browser = browser_app
    context, page = _open(browser, f"{url}/?lang=en&source=synthetic&regions=04")
    try:
        wait_until_rendered(page)
        pick_region(page, "Cusco")
        assert _params(page)["regions"] == "04,08"
        assert sidebar_filters(page)["Regions"] == ["Arequipa", "Cusco"]
        _nav(page, "Crime types")  # the filters go along, and Back goes to the page before
        page.wait_for_url(lambda u: "/crime_types" in u and "regions=" in u)
        assert _params(page)["regions"] == "04,08"
        # Streamlit's page switch may leave an address without the filters in the history (the
        # app writes them back just after): Back there keeps the view, it never resets it.
        for _ in range(2):
            act(page, page.go_back)
            assert _params(page)["regions"] == "04,08", page.url
            assert sidebar_filters(page)["Regions"] == ["Arequipa", "Cusco"]
            if urlparse(page.url).path == "/":
                break
        assert urlparse(page.url).path == "/"
        # Back once more undoes the region picked: still the app, the earlier view restored.
        act(page, page.go_back)
        assert page.url.startswith(url) and _params(page)["regions"] == "04"
        assert sidebar_filters(page)["Regions"] == ["Arequipa"]
        wait_until_rendered(page)
        assert "Arequipa" in page.inner_text('[data-testid="stMain"]')
        assert "Cusco" not in page.inner_text('[data-testid="stMain"]')
        assert error_texts(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("path,title_key", [("regions", "rg_page_title"), ("at_risk_groups", "page_groups")])
def test_deep_link_works_on_a_freshly_started_server(browser_app, sample_db, path, title_key):
    """The first request to a new `streamlit run dashboard.py` server is a deep link to a page
    with filters: the page draws, with the sidebar's filters from the link."""
    _, browser = browser_app
    with streamlit_server(sample_db) as url:
        context, page = _open(browser, f"{url}/{path}?lang=en&regions=15")
        try:
            wait_until_rendered(page)
            assert error_texts(page) == []
            body = page.inner_text("body")
            assert "Page not found" not in body
            assert i18n.t(title_key, "en") in page.inner_text('[data-testid="stMain"] h1')
            shown = sidebar_filters(page)
            assert shown["source"] == _source_name(sample_db, "mpfn", "en")
            assert shown["Regions"] == ["Lima"]
            assert "Filters" in page.inner_text('[data-testid="stSidebar"]')
            assert "Lima" in page.inner_text('[data-testid="stMain"]')
            screenshot(page, ARTIFACTS / f"deep_link_fresh_{path}.png")
        finally:
            context.close()


# Screenshots of the real series at four widths ------------------------------------------

WIDTHS = {390: 844, 820: 1180, 1024: 768, 1440: 900}
REAL_PAGES = [("", "resumen"), ("regions", "regiones"), ("at_risk_groups", "grupos")]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots_of_the_real_series(browser_app, sample_db, width):
    """The Overview, Regions and At-risk groups pages opened with no parameters (the real MPFN
    series), saved for review; what looks cut or clipped is measured into layout_<width>.json
    and asserted at every width."""
    url, browser = browser_app
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]}, locale="es-PE")
    page = context.new_page()
    report = {}
    try:
        for path, name in REAL_PAGES:
            page.goto(f"{url}/{path}")
            wait_until_rendered(page)
            assert error_texts(page) == []
            body = page.inner_text("body")
            assert not any(mark in body for mark in SYNTHETIC_MARKS)
            assert _source_name(sample_db, "mpfn", "es") in body
            report[name] = layout_problems(page)
            screenshot(page, ARTIFACTS / f"real_{name}_{width}.png")
        (ARTIFACTS / f"layout_{width}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
        print(width, json.dumps(report, ensure_ascii=False))
        # At every width: no page wider than the screen, no text cut with an ellipsis, no
        # headline value broken over lines, no control wider than its column.
        for name, problems in report.items():
            for kind in ("cut_text", "wrapped_metric_values", "overflowing_controls"):
                assert problems[kind] == [], (width, name, kind, problems[kind])
            assert problems["page_overflow_px"] <= 0, (width, name)
            # no chart label, value or map clipped, no ticks overlapping
            assert problems["clipped_chart_text"] == [], (width, name, problems["clipped_chart_text"])
            assert problems["overlapping_ticks"] == [], (width, name, problems["overlapping_ticks"])
    finally:
        context.close()


# Downloads --------------------------------------------------------------------------------

def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _download(page, label: str, lang: str = "es"):
    """The first chart's file `label` from its "Descargar" menu."""
    button = page.get_by_role("button", name=label, exact=True)
    if not button.first.is_visible():
        page.get_by_role("button", name=i18n.t("download", lang)).first.click()
    with page.expect_download(timeout=60_000) as info:
        button.first.click()
    return info.value


def test_chart_downloads_carry_source_cut_date_and_build(browser_app, sample_db, tmp_path):
    url, browser = browser_app
    context, page = _open(browser, f"{url}/?lang=es")
    try:
        wait_until_rendered(page)
        (build_id,), = query(sample_db, "select value from meta where key = 'build_id'")
        (cut,), = query(sample_db, "select max(data_as_of) from load_log where source = 'mpfn'")
        png = tmp_path / "chart.png"
        _download(page, i18n.t("dl_png", "es")).save_as(png)
        assert _png_size(png.read_bytes()) == (1600, 900)
        assert png.stat().st_size > 20_000  # not blank
        # CSV: the yearly series with its provenance on every row.
        download = _download(page, i18n.t("dl_csv", "es"))
        assert download.suggested_filename.startswith("mpfn_") and f"corte-{cut.isoformat()}" in download.suggested_filename
        rows = list(csv.DictReader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
        assert {"source", "data_as_of", "build_id"} <= set(rows[0])
        assert {(r["source"], r["data_as_of"], r["build_id"]) for r in rows} == {("mpfn", cut.isoformat(), build_id)}
        years = dict(query(sample_db, """select year(period_start), sum(report_count) from report_counts
            where source = 'mpfn' and law = 'Ley 30096' group by 1"""))
        shown = [r[i18n.t("reports", "es")] for r in rows]
        expected = [str(years[y]) if y in years else "–" for y in range(min(years), max(years) + 1)]
        assert shown == expected  # 2024 has no file: a gap, not a zero
        # XLSX: the "Metadatos" sheet names the same build and cut date.
        path = tmp_path / "chart.xlsx"
        _download(page, i18n.t("dl_xlsx", "es")).save_as(path)
        book = openpyxl.load_workbook(path, read_only=True)
        assert "Metadatos" in book.sheetnames
        meta = {row[0]: row[1] for row in book["Metadatos"].iter_rows(values_only=True)}
        assert meta["Base de datos (build)"] == build_id
        assert meta["Fecha de corte"] == cut.isoformat() and meta["Fuente (id)"] == "mpfn"
    finally:
        context.close()


def test_briefing_page_downloads_a_pptx_pack(browser_app, sample_db, tmp_path):
    from pptx import Presentation

    url, browser = browser_app
    context, page = _open(browser, f"{url}/?lang=es")
    try:
        wait_until_rendered(page)
        # add the overview chart from its page (twice: the second time says it is already there)
        add = page.get_by_role("button", name=i18n.t("add_to_briefing", "es"), exact=True).first
        act(page, add.click)
        act(page, add.click)
        page.get_by_text(i18n.t("already_in_briefing", "es", n=1)).wait_for()
        _nav(page, "Informe")
        page.wait_for_url("**/briefing**")
        body = page.inner_text("body")
        assert "Las denuncias se multiplicaron" in body  # the chart added on the overview page
        assert i18n.t("br_charts_heading", "es", n=1) in body  # once, not twice
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name="PowerPoint (PPTX)").first.click()
        path = tmp_path / "informe.pptx"
        info.value.save_as(path)
        deck = Presentation(str(path))
        titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]
        assert len(deck.slides) == 3  # title, the chart, closing
        assert any("Las denuncias se multiplicaron" in t for t in titles)
        charts = [sh.chart for sh in deck.slides[1].shapes if sh.has_chart]
        years = dict(query(sample_db, """select year(period_start), sum(report_count) from report_counts
            where source = 'mpfn' and law = 'Ley 30096' group by 1"""))
        values = list(charts[0].plots[0].series[0].values)  # a native chart of the yearly series
        assert values == [float(years[y]) if y in years else None for y in range(min(years), max(years) + 1)]
        screenshot(page, ARTIFACTS / "briefing_page.png")
    finally:
        context.close()
