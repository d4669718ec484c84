"""The language the user chose stays until they click the switch again: across a page switch
(also the first one of the first session of a new server, where Streamlit drops `lang` from the
address), on Back, and with an address that lost `lang`. A fresh session starts in Spanish.

The browser tests start their own server: the first session after a server starts is the one
that lost the language (Streamlit runs dashboard.py once as a `pages/` app, so the switch is
drawn under another widget id and its `lang` binding is dropped on the first page switch)."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from cybertrends import i18n
from tests.apptest_helpers import run_app
from tests.browser_helpers import (
    act,
    chromium,
    error_texts,
    pick_region,
    sidebar_filters,
    streamlit_server,
    wait_until_rendered,
)
from tests.conftest import require_chromium

SWITCH = '[data-testid="stSidebar"] [role="radiogroup"][aria-label="Idioma / Language"]'


# The app (AppTest) -------------------------------------------------------------------------

@pytest.fixture
def duplication_warnings(monkeypatch) -> list[str]:
    """Streamlit's "created with a default value but also had its value set via the Session
    State API" (a log line, once per process: re-armed here)."""
    from streamlit.elements.lib import policies

    seen: list[str] = []
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda msg, *args, **kw: seen.append(msg % args))
    return seen


def _lang(at) -> str:
    return at.sidebar.segmented_control(key="lang").value


def test_an_address_that_lost_lang_gets_the_language_back(sample_db, duplication_warnings):
    at = run_app(sample_db, params={"lang": "en", "regions": "04"})
    assert _lang(at) == "en"
    del at.query_params["lang"]  # what a page switch or Back may leave
    at.run()
    assert not at.exception and not at.warning
    assert _lang(at) == "en" and at.query_params.get("lang") == "en"
    assert at.sidebar.header[0].value == i18n.t("filters", "en")
    assert at.query_params.get("regions") == "04"
    assert duplication_warnings == []


def test_the_users_click_wins_over_an_older_address(sample_db, duplication_warnings):
    at = run_app(sample_db, params={"lang": "en"})
    at.sidebar.segmented_control(key="lang").set_value("es").run()  # (AppTest leaves the address to a browser)
    assert _lang(at) == "es"
    at.query_params["lang"] = "en"  # an address from before the click
    at.run()
    assert not at.exception and not at.warning
    assert _lang(at) == "es" and at.query_params.get("lang", "es") == "es"
    assert at.sidebar.header[0].value == i18n.t("filters", "es")
    at.sidebar.segmented_control(key="lang").set_value("en").run()  # and a click still switches
    assert _lang(at) == "en"
    assert duplication_warnings == []


def test_a_session_without_lang_is_spanish(sample_db):
    at = run_app(sample_db)
    assert not at.exception
    assert _lang(at) == "es" and "lang" not in at.query_params
    at.switch_page("pages/regions.py").run()
    assert _lang(at) == "es" and "lang" not in at.query_params


# A real server in Chromium -----------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    exe = require_chromium()
    with chromium(exe) as b:
        yield b


def _open(browser, url):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="es-PE")
    page = context.new_page()
    page.goto(url)
    wait_until_rendered(page, expect_chart=False)
    return context, page


def _params(page) -> dict[str, str]:
    return {k: ",".join(v) for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


def _nav(page, name: str) -> None:
    act(page, lambda: page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).first.click())


def _click_language(page, lang: str) -> None:
    act(page, lambda: page.locator(SWITCH).get_by_role("radio", name=lang, exact=True).click())


def _assert_language(page, lang: str, title: str | None = None) -> None:
    """The page is in `lang`: the switch, the address, the navigation, the sidebar, the title."""
    checked = page.locator(SWITCH).locator('[aria-checked="true"]')
    checked.first.wait_for(timeout=10_000)  # drawn (widgets may still be placeholders when the run is done)
    with contextlib.suppress(PlaywrightTimeout):  # a Back may end in a second run that restores the language
        page.wait_for_function(
            """([sel, lang, dflt]) => {
                const c = document.querySelector(sel + ' [aria-checked="true"]');
                const u = new URLSearchParams(location.search).get('lang') || dflt;
                return c !== null && c.innerText.trim() === lang && u === lang;
            }""", arg=[SWITCH, lang, i18n.DEFAULT_LANG], timeout=15_000, polling=100)
    assert checked.all_inner_texts() == [lang], page.url
    page.locator('[data-testid="stSidebar"]').get_by_text(i18n.t("filters", lang), exact=True).wait_for(timeout=10_000)
    assert _params(page).get("lang", i18n.DEFAULT_LANG) == lang, page.url
    assert i18n.t("page_crime_types", lang) in page.inner_text('[data-testid="stSidebarNav"]')
    if title is not None:
        assert i18n.t(title, lang) in page.inner_text('[data-testid="stMain"] h1')
    assert error_texts(page) == []


@pytest.mark.browser
@pytest.mark.slow
def test_an_english_link_stays_english_across_page_switches_until_spanish_is_clicked(browser, sample_db):
    with streamlit_server(sample_db) as url:  # a new server: this is its first session
        context, page = _open(browser, f"{url}/?lang=en")
        try:
            _assert_language(page, "en")
            _nav(page, i18n.t("page_regions", "en"))
            page.wait_for_url(lambda u: "/regions" in u)
            _assert_language(page, "en", "rg_page_title")
            _nav(page, i18n.t("page_crime_types", "en"))
            page.wait_for_url(lambda u: "/crime_types" in u)
            _assert_language(page, "en")
            # The user picks Spanish: it stays on the next page switch (no flip back to English).
            _click_language(page, "es")
            _assert_language(page, "es")
            _nav(page, i18n.t("page_regions", "es"))
            page.wait_for_url(lambda u: "/regions" in u)
            _assert_language(page, "es", "rg_page_title")
            # Back, over addresses from before the click (some say lang=en), stays in Spanish.
            for _ in range(4):
                act(page, page.go_back)
                assert page.url.startswith(url), page.url
                _assert_language(page, "es")
        finally:
            context.close()


CODES = {"Arequipa": "04", "Cusco": "08"}


@pytest.mark.browser
@pytest.mark.slow
def test_back_keeps_the_language_and_the_filters_of_an_english_link(browser, sample_db):
    with streamlit_server(sample_db) as url:  # a new server: the first click is its first page switch
        context, page = _open(browser, f"{url}/?lang=en&source=synthetic&regions=04")
        try:
            _nav(page, i18n.t("page_crime_types", "en"))
            page.wait_for_url(lambda u: "/crime_types" in u and "regions=" in u)
            _assert_language(page, "en")
            pick_region(page, "Cusco")
            assert _params(page)["regions"] == "04,08"
            _nav(page, i18n.t("page_regions", "en"))
            page.wait_for_url(lambda u: "/regions" in u and "regions=" in u)
            _assert_language(page, "en", "rg_page_title")
            assert _params(page)["regions"] == "04,08"
            # Back, entry by entry (a page switch leaves more than one): always English, never a
            # view without the filters; first the region picked, then the link's own view.
            regions = ["Arequipa", "Cusco"]
            for _ in range(12):
                act(page, page.go_back)
                assert page.url.startswith(url), page.url
                _assert_language(page, "en")
                if regions == ["Arequipa", "Cusco"] and _params(page).get("regions") == "04":
                    regions = ["Arequipa"]  # the pick undone
                assert _params(page).get("regions") == ",".join(CODES[r] for r in regions), page.url
                assert sidebar_filters(page)["Regions"] == regions, page.url
                if regions == ["Arequipa"] and urlparse(page.url).path == "/":
                    break
            assert regions == ["Arequipa"] and urlparse(page.url).path == "/", page.url
        finally:
            context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_a_fresh_session_opening_the_root_is_spanish(browser, sample_db):
    with streamlit_server(sample_db) as url:
        for _ in range(2):  # the first session of the server, then another one
            context, page = _open(browser, f"{url}/")
            try:
                _assert_language(page, "es", "app_title")
                _nav(page, i18n.t("page_regions", "es"))
                page.wait_for_url(lambda u: "/regions" in u)
                _assert_language(page, "es", "rg_page_title")
            finally:
                context.close()
