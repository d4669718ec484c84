"""Browser tests: the real `streamlit run` server in headless Debian Chromium.

Skipped locally without Chromium; under CI=true they must run (conftest.require_chromium)."""

from __future__ import annotations

import csv
import io
import struct
from urllib.parse import urlencode

import pytest

from tests.browser_helpers import ARTIFACTS, chromium, error_texts, streamlit_server, wait_until_rendered
from tests.conftest import query, require_chromium

pytestmark = pytest.mark.browser

# (url path, expects a Plotly chart)
PAGES = [
    ("", True), ("crime_types", True), ("regions", True), ("at_risk_groups", True), ("data_methods", False),
    ("briefing", False),
]


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


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("path,has_chart", PAGES)
def test_every_page_renders_without_errors(browser_app, path, has_chart, lang):
    url, browser = browser_app
    context, page = _open(browser, f"{url}/{path}?lang={lang}")
    try:
        wait_until_rendered(page, expect_chart=has_chart)
        page.screenshot(path=str(ARTIFACTS / f"page_{path or 'resumen'}_{lang}.png"), full_page=True)
        assert error_texts(page) == []
        body = page.inner_text("body")
        nav = page.inner_text('[data-testid="stSidebarNav"]')
        assert ("Tipos de delito" if lang == "es" else "Crime types") in nav
        assert "Page not found" not in body
        if has_chart:
            assert "DATOS SINTÉTICOS" in body or "SYNTHETIC DATA" in body  # the synthetic sample is marked
    finally:
        context.close()


def test_url_filters_are_applied_and_survive_page_switches(browser_app, sample_db):
    url, browser = browser_app
    params = urlencode([("lang", "en"), ("regions", "Arequipa"), ("regions", "Cusco")])
    context, page = _open(browser, f"{url}/?{params}")
    try:
        wait_until_rendered(page)
        body = page.inner_text("body")
        assert "Arequipa, Cusco" in body  # the chart subtitle states the filters
        expected = query(sample_db, """select sum(report_count) from report_counts where source = 'synthetic'
            and law = 'Ley 30096' and region_code in ('04', '08') and year(period_start) = 2025""")[0][0]
        assert f"{expected:,}" in body  # the headline total for the two regions
        page.screenshot(path=str(ARTIFACTS / "filters_from_url.png"), full_page=True)
        # switch page through the sidebar navigation: filters are kept
        page.get_by_role("link", name="Regions").first.click()
        page.wait_for_url("**/regions**")
        wait_until_rendered(page)
        assert "regions=Arequipa" in page.url and "regions=Cusco" in page.url
        sidebar = page.inner_text('[data-testid="stSidebar"]')
        assert "Arequipa" in sidebar and "Cusco" in sidebar
        assert error_texts(page) == []
        page.screenshot(path=str(ARTIFACTS / "filters_after_page_switch.png"), full_page=True)
    finally:
        context.close()


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_chart_downloads_png_and_csv(browser_app, sample_db, tmp_path):
    url, browser = browser_app
    context, page = _open(browser, f"{url}/?lang=es")
    try:
        wait_until_rendered(page)
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="PNG", exact=True).first.click()
        png = tmp_path / "chart.png"
        info.value.save_as(png)
        width, height = _png_size(png.read_bytes())
        assert (width, height) == (1600, 900)
        assert png.stat().st_size > 20_000  # not blank
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("button", name="CSV", exact=True).first.click()
        text = info.value.path().read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        months = query(sample_db, """select sum(report_count) from report_counts where source = 'synthetic'
            and law = 'Ley 30096' group by period_start order by period_start""")
        assert [int(float(r[1])) for r in rows[1:]] == [n for (n,) in months]
    finally:
        context.close()


def test_deep_link_works_on_a_freshly_started_server(browser_app, sample_db):
    """The first request to a new server is a deep link to a page: it must run through the
    navigation (sidebar filters present), not the page file on its own."""
    _, browser = browser_app
    with streamlit_server(sample_db) as url:
        context, page = _open(browser, f"{url}/at_risk_groups?lang=en&regions=Lima")
        try:
            wait_until_rendered(page)
            assert error_texts(page) == []
            assert "Page not found" not in page.inner_text("body")
            sidebar = page.inner_text('[data-testid="stSidebar"]')
            assert "Filters" in sidebar and "Lima" in sidebar
        finally:
            context.close()


def test_briefing_page_downloads_a_pptx_pack(browser_app, tmp_path):
    from pptx import Presentation

    url, browser = browser_app
    context, page = _open(browser, f"{url}/?lang=es")
    try:
        wait_until_rendered(page)
        # add the overview chart from its page, then go to the briefing page
        page.get_by_role("button", name="Añadir al informe", exact=True).first.click()
        page.wait_for_timeout(800)
        page.get_by_role("link", name="Informe").first.click()
        page.wait_for_url("**/briefing**")
        wait_until_rendered(page, expect_chart=False)
        body = page.inner_text("body")
        assert "Las denuncias se multiplicaron" in body  # the chart added on the overview page
        with page.expect_download(timeout=120_000) as info:
            page.get_by_role("button", name="PowerPoint (PPTX)").first.click()
        path = tmp_path / "informe.pptx"
        info.value.save_as(path)
        deck = Presentation(str(path))
        titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]
        assert len(deck.slides) == 3  # title, the chart, closing
        assert any("Las denuncias se multiplicaron" in t for t in titles)
        chart_slide = deck.slides[1]
        charts = [sh.chart for sh in chart_slide.shapes if sh.has_chart]
        assert charts and len(list(charts[0].plots[0].series[0].values)) > 12  # native chart with the monthly series
        page.screenshot(path=str(ARTIFACTS / "briefing_page.png"), full_page=True)
    finally:
        context.close()
