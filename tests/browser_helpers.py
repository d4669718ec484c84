"""A real `streamlit run` server and a real headless Debian Chromium (Playwright)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cybertrends import i18n, paths

ARTIFACTS = paths.ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db: Path, timeout: float = 60.0):
    """Start `streamlit run dashboard.py` on a free loopback port against `db`; yield its URL."""
    port = free_port()
    env = {**os.environ, "CYBERTRENDS_DB": str(db), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = open(ARTIFACTS / f"streamlit_{port}.log", "w") if ARTIFACTS.exists() else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(paths.ROOT / "dashboard.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=paths.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not start (exit {proc.poll()})")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log is not subprocess.DEVNULL:
            log.close()


@contextlib.contextmanager
def chromium(executable: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The app's own run state (what Streamlit's end-to-end tests wait on): "initial" before the first
# run, "running", then "notRunning" when the script has finished or stopped.
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
_SETTLED = """() => !document.querySelector('[data-testid="stStatusWidget"]')
    && !document.querySelector('[data-stale="true"]')
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))
    && document.fonts.status === 'loaded'"""


def wait_until_rendered(page, expect_chart: bool = True, timeout: float = 45_000) -> None:
    """Wait for the app to finish running: the script done, nothing stale, every chart drawn."""
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_selector('[data-testid="stSidebar"]', state="attached", timeout=timeout)  # collapsed on phones
    if expect_chart:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout)
    page.wait_for_function(_SETTLED, timeout=timeout)


_COUNT_RUNS = """() => {
    window.__cyberRuns = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver(() => { window.__cyberRuns += 1; })
        .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def act(page, action, timeout: float = 45_000) -> None:
    """Do `action` (a click, `page.go_back`) and wait for the rerun it causes to finish: the
    app's run state must change at least once, then the app settle."""
    page.evaluate(_COUNT_RUNS)
    action()
    page.wait_for_function("() => window.__cyberRuns > 0", timeout=timeout)
    wait_until_rendered(page, expect_chart=False, timeout=timeout)


def sidebar_filters(page) -> dict:
    """What the sidebar's filters show: the source's name, the period's two thumbs, and the
    chips of each multiselect by its label."""
    bar = page.locator('[data-testid="stSidebar"]')
    out = {"source": bar.locator('[data-testid="stSelectbox"] input').first.input_value(),
           "period": bar.locator('[data-testid="stSliderThumbValue"]').all_inner_texts()}
    for box in bar.locator('[data-testid="stMultiSelect"]').all():
        label = box.locator('[data-testid="stWidgetLabel"]').first.inner_text().strip()
        out[label] = [t.strip() for t in box.locator("[data-tag] [title]").all_inner_texts()]
    return out


_LAYOUT = """() => {
    const out = {page_overflow_px: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                 cut_text: [], wrapped_metric_values: [], overflowing_controls: [], clipped_chart_text: [],
                 overlapping_ticks: []};
    const shown = el => el.getClientRects().length > 0 && !el.closest('[data-testid="stSidebar"][data-collapsed="true"]');
    for (const el of document.querySelectorAll(
            '[data-testid="stMetricLabel"] p, [data-testid="stMetricValue"] div, [data-testid="stMetricDelta"] div,'
            + ' [data-testid="stMarkdownContainer"] h4, button p')) {
        if (shown(el) && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) out.cut_text.push(el.innerText.slice(0, 60));
    }
    for (const el of document.querySelectorAll('[data-testid="stMetricValue"]')) {
        const line = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.2;
        if (shown(el) && el.getBoundingClientRect().height > 1.5 * line) out.wrapped_metric_values.push(el.innerText.replace(/\\n/g, ' '));
    }
    for (const el of document.querySelectorAll('[role="radiogroup"]')) {
        if (shown(el) && el.scrollWidth > el.clientWidth + 1) out.overflowing_controls.push(el.getAttribute('aria-label'));
    }
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const box = plot.getBoundingClientRect();
        for (const t of plot.querySelectorAll('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .annotation-text, .bartext')) {
            const r = t.getBoundingClientRect();
            if (r.width && (r.left < box.left - 1 || r.right > box.right + 1)) out.clipped_chart_text.push(t.textContent.slice(0, 40));
        }
        const ticks = [...plot.querySelectorAll('.xtick text')].map(t => [t.getBoundingClientRect(), t.textContent])
            .filter(([r]) => r.width).sort((a, b) => a[0].left - b[0].left);
        for (let i = 1; i < ticks.length; i++) {
            const [a, ta] = ticks[i - 1], [b, tb] = ticks[i];
            if (Math.abs(a.top - b.top) < a.height / 2 && a.right > b.left + 1) out.overlapping_ticks.push(ta + ' / ' + tb);
        }
    }
    return out;
}"""


def layout_problems(page) -> dict:
    """Measured, not judged: horizontal page overflow, texts cut with an ellipsis (metrics,
    chart titles, buttons), metric values broken over lines, segmented controls wider than
    their column, chart labels drawn outside their chart and overlapping axis ticks."""
    return page.evaluate(_LAYOUT)


_CONTENT_HEIGHT = """() => Math.max(document.body.scrollHeight, ...[...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stSidebarContent"]')].map(e => e.scrollHeight))"""
_TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def screenshot(page, path, max_height: int = 12_000) -> None:
    """The whole page: Streamlit scrolls inside its own container, so Playwright's full_page
    captures one screen only. The viewport is stretched to the content for the shot."""
    size = page.viewport_size
    height = min(max_height, max(size["height"], page.evaluate(_CONTENT_HEIGHT)))
    page.set_viewport_size({"width": size["width"], "height": height})
    try:
        page.evaluate(_TWO_FRAMES)  # laid out at the new height
        page.wait_for_function(_SETTLED)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)


def error_texts(page) -> list[str]:
    """Text of any exception or error box on the page."""
    out = []
    for selector in ('[data-testid="stException"]', '[data-testid="stAlertContentError"]'):
        out += [e.inner_text() for e in page.query_selector_all(selector)]
    return out


def pick_region(page, name: str) -> None:
    """Add the region `name` (its English name) to the sidebar's region filter, and close the list."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has=page.get_by_text(i18n.t("filter_regions", "en"), exact=True))
    box.locator("input").click()
    act(page, lambda: page.get_by_role("option", name=name, exact=True).click())
    page.keyboard.press("Escape")
