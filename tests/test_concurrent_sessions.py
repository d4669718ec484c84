"""Concurrent browser sessions through a publish: several sessions switch pages and change the
language at the same time while an ETL load publishes a new database; no session shows an error,
and every session then shows the new data. The timed version (10 sessions, 60 s, redraw times
and server memory) is the load benchmark, `python -m bench.load`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cybertrends import i18n
from etl import load
from etl.sample import write_sample
from tests.browser_helpers import chromium, error_texts, streamlit_server, wait_until_rendered
from tests.conftest import CANONICAL_HEADER, ROOT, query, require_chromium, write
from tests.published import total

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SESSIONS = 4
TIMEOUT_MS = 120_000
NAV = '[data-testid="stSidebarNavLink"]'
MAIN_TEXT = "() => document.querySelector('[data-testid=\"stMain\"]').innerText"
# Every action here (another page, another language) changes the main area's text: wait for that,
# then for the app to settle.
CHANGED = "(before) => document.querySelector('[data-testid=\"stMain\"]').innerText !== before"


def _nav_link(page, step: int):
    """A sidebar link to another page than the one shown (overview, crime types, regions, groups)."""
    links = page.locator(NAV)
    target = step % 4
    if links.nth(target).get_attribute("aria-current") == "page":
        target = (target + 1) % 4
    return links.nth(target)


LANGUAGE = '[data-testid="stSidebar"] [role="radiogroup"][aria-label="Idioma / Language"]'


def _other_language(page):
    """The language switch's option that is not chosen: clicking it is always a real change."""
    return page.locator(LANGUAGE).locator('[role="radio"][aria-checked="false"]').first


def _language(page) -> str:
    return page.locator(LANGUAGE).locator('[role="radio"][aria-checked="true"]').inner_text().strip()


def _all_at_once(pages, locators) -> None:
    """Click one locator on every page before waiting for any: the sessions rerun concurrently."""
    before = []
    for page, locator in zip(pages, locators):
        before.append(page.evaluate(MAIN_TEXT))
        locator.click()
    for page, text in zip(pages, before):  # a generous deadline: several sessions and a load share 2 cores
        page.wait_for_function(CHANGED, arg=text, timeout=TIMEOUT_MS)
        wait_until_rendered(page, expect_chart=False, timeout=TIMEOUT_MS)


def test_sessions_keep_working_through_a_publish(tmp_path):
    exe = require_chromium()
    db = tmp_path / "live.duckdb"
    sample = tmp_path / "synthetic_base.csv"
    write_sample(sample, rows=20_000, seed=7)
    assert load.load_files([sample], db=db).published
    extra_rows = [f"NEW{i},2025-06-15,,150101,8,phishing,email,50,F,persona natural,100" for i in range(777)]
    extra = write(tmp_path, "synthetic_extra.csv", CANONICAL_HEADER + "\n" + "\n".join(extra_rows) + "\n")
    with streamlit_server(db) as url, chromium(exe) as browser:
        pages = [browser.new_context(viewport={"width": 1280, "height": 900}).new_page() for _ in range(SESSIONS)]
        for page in pages:
            page.goto(f"{url}/?lang=en")
        for page in pages:
            wait_until_rendered(page)
        old = [page.locator('[data-testid="stMetricValue"]').first.inner_text().strip() for page in pages]

        publish = subprocess.Popen([sys.executable, "-m", "etl", "load", str(extra), "--db", str(db)], cwd=ROOT,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        rounds, errors = 0, []
        try:
            # page switches and language changes in every session, at least two of each, until published
            while publish.poll() is None or rounds < 4:
                if rounds % 2 == 0:
                    _all_at_once(pages, [_nav_link(page, rounds // 2 + i) for i, page in enumerate(pages)])
                else:
                    _all_at_once(pages, [_other_language(page) for page in pages])
                errors += [(rounds, text) for page in pages for text in error_texts(page)]
                rounds += 1
        finally:
            output = publish.communicate(timeout=300)[0]
        assert publish.returncode == 0, output
        _all_at_once(pages, [_nav_link(page, 1) for page in pages])  # away from the overview...
        _all_at_once(pages, [page.locator(NAV).nth(0) for page in pages])  # ...and back, in the same session
        shown = [(page.locator('[data-testid="stMetricValue"]').first.inner_text().strip(), _language(page))
                 for page in pages]
        errors += [("end", text) for page in pages for text in error_texts(page)]

    assert errors == []
    assert query(db, "select count(*) from fact_incident where file_name = 'synthetic_extra.csv'") == [(777,)]
    new_total = total(db, "synthetic", "year(report_date) = 2025 and crime_code in "
                      "(select crime_code from ref_crime where is_ley_30096)")  # as published (cell key)
    assert old != [i18n.fmt_int(new_total, "en")] * SESSIONS  # the sessions started on the old data
    # and every one of them shows the new data (in the language it is in)
    assert shown == [(i18n.fmt_int(new_total, lang), lang) for _, lang in shown]
