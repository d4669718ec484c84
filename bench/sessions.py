"""Concurrent browser sessions against a real `streamlit run` server (Playwright, async API).

Each session switches pages and changes filters in a loop for a fixed time; halfway through, an
ETL load publishes a new database. Used by the load benchmark (10 sessions, 60 s); the test
suite checks the same behaviour without timing (tests/test_concurrent_sessions.py).
"""

from __future__ import annotations

import asyncio
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# The same Chromium flags as the browser tests (tests/browser_helpers.py), repeated so that
# bench/ does not import tests/: no sandbox (containers), no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]

# (path, query) pairs the sessions cycle through: page switches and filter changes.
# Share links hold ids (cybertrends.links): regions by INEI code, page options by id.
VIEWS = [
    ("", "lang=es"),
    ("regions", "lang=es&metric=count"),
    ("crime_types", "lang=en&regions=15"),
    ("at_risk_groups", "lang=es&regions=04"),
    ("", "lang=en&regions=08,20"),
    ("regions", "lang=en&metric=growth"),
]


@dataclass
class SessionStats:
    """What one browser session saw: each redraw time, the errors shown, and the overview total at the end."""

    redraw_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    final_total: str | None = None
    read_after_publish: bool | None = None  # was the publish over when final_total was read


@dataclass
class LoadResult:
    """The load test's outcome: every session's stats, the publish time and the server's peak memory."""

    sessions: list[SessionStats]
    publish_seconds: float | None
    server_rss_max_mb: float

    @property
    def redraws(self) -> list[float]:
        """Every redraw time of every session, in seconds."""
        return [t for s in self.sessions for t in s.redraw_seconds]

    @property
    def errors(self) -> list[str]:
        """Every error any session met."""
        return [e for s in self.sessions for e in s.errors]

    def percentile(self, p: float) -> float:
        """The `p`-th percentile of the redraw times (nearest rank), NaN when there were none."""
        values = sorted(self.redraws)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    def summary(self) -> dict:
        """The reported figures: sessions, redraws, p50 and p95 (s), error count, server peak memory (MB),
        publish time."""
        return {
            "sessions": len(self.sessions), "redraws": len(self.redraws),
            "p50_s": round(statistics.median(self.redraws), 3) if self.redraws else None,
            "p95_s": round(self.percentile(95), 3), "errors": len(self.errors),
            "server_rss_max_mb": round(self.server_rss_max_mb, 1), "publish_s": self.publish_seconds,
        }


async def _wait_rendered(page, timeout_ms: float) -> None:
    await page.wait_for_selector('[data-testid="stSidebar"]', timeout=timeout_ms)
    await page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout_ms)
    await page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                 timeout=timeout_ms)


async def _errors(page) -> list[str]:
    out = []
    for selector in ('[data-testid="stException"]', '[data-testid="stAlertContentError"]'):
        for element in await page.query_selector_all(selector):
            out.append((await element.inner_text())[:300])
    return out


_MAIN_TEXT = "() => (document.querySelector('[data-testid=\"stMain\"]') || document.body).innerText"
# Redrawn: the script has finished (the app's own state attribute), no status widget, nothing stale,
# every Plotly chart has drawn its SVG, and the page's text differs from before the click. The
# text is compared last, once the cheap checks hold: computing it takes 12-19 ms on these pages (it
# needs style and layout). Comparing it first, on every poll, gave the same times (BENCHMARKS.md,
# session 8).
_DONE = """(prev) => {
    if (!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        || document.querySelector('[data-testid="stStatusWidget"]')
        || document.querySelector('[data-stale="true"]')) return false;
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
    if (!charts.length || !charts.every(c => c.querySelector('.main-svg'))) return false;
    return (document.querySelector('[data-testid="stMain"]') || document.body).innerText !== prev;
}"""
NAV = '[data-testid="stSidebarNavLink"]'
# How long sessions keep going after their time is up while the publish has not finished.
LATE_PUBLISH_S = 300


async def _act(page, locator, timeout_ms: float) -> float:
    """Click `locator` and wait until the app has redrawn."""
    before = await page.evaluate(_MAIN_TEXT)
    started = time.monotonic()
    await locator.click()
    await page.wait_for_function(_DONE, arg=before, timeout=timeout_ms, polling=50)
    return time.monotonic() - started


async def _session(browser, url: str, index: int, stop_at: float, stats: SessionStats, timeout_ms: float,
                   published: threading.Event | None = None) -> None:
    """Open the app once, then alternate page switches (sidebar navigation) and filter changes
    (language switch, which reruns every query and chart) until `stop_at` and, if `published` is
    given, until the publish has finished (at most `LATE_PUBLISH_S` longer): the session's last
    look at the overview, its `final_total`, comes after the swap, however slow the publish."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    try:
        await page.goto(f"{url}/?lang=en")
        await _wait_rendered(page, timeout_ms)
        step = index
        lang = "en"
        # At least one page switch or filter change per session, even when a busy machine took
        # the whole time to draw the first page (a failure to redraw is then an error, not silence).
        def going() -> bool:
            if time.monotonic() < stop_at or not (stats.redraw_seconds or stats.errors):
                return True
            return published is not None and not published.is_set() and time.monotonic() < stop_at + LATE_PUBLISH_S

        while going():
            step += 1
            try:
                if step % 2:
                    target = [0, 1, 2, 3][(step // 2) % 4]  # overview, crime types, regions, at-risk groups
                    if await page.locator(NAV).nth(target).get_attribute("aria-current") == "page":
                        target = (target + 1) % 4
                    stats.redraw_seconds.append(await _act(page, page.locator(NAV).nth(target), timeout_ms))
                else:
                    lang = "es" if lang == "en" else "en"  # always a real change
                    button = page.locator('[data-testid="stSidebar"] button').filter(has_text=re.compile(f"^{lang}$"))
                    stats.redraw_seconds.append(await _act(page, button.first, timeout_ms))
                stats.errors += await _errors(page)
            except Exception as exc:  # a timeout or navigation failure counts as an error
                stats.errors.append(f"step {step}: {type(exc).__name__}: {str(exc)[:200]}")
        await page.goto(f"{url}/?lang=en")  # after the swap: the overview headline total
        await _wait_rendered(page, timeout_ms)
        metric = await page.query_selector('[data-testid="stMetricValue"]')
        stats.final_total = (await metric.inner_text()).strip() if metric else None
        stats.read_after_publish = published.is_set() if published is not None else None
    finally:
        await context.close()


def _rss_mb(pid: int) -> float:
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def run(url: str, server_pid: int, chromium: str, sessions: int, seconds: float, publish_file: Path, db: Path,
        timeout_ms: float = 60_000) -> LoadResult:
    """Drive `sessions` browsers for `seconds`; publish `publish_file` into `db` halfway."""
    from playwright.async_api import async_playwright

    stats = [SessionStats() for _ in range(sessions)]
    rss_max = [0.0]
    publish_time: list[float | None] = [None]
    done = threading.Event()
    published = threading.Event()  # set when the publish has ended (loaded or failed)

    def watch_memory():
        while not done.is_set():
            rss_max[0] = max(rss_max[0], _rss_mb(server_pid))
            time.sleep(0.5)

    def publish_later():
        time.sleep(seconds / 2)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "etl", "load", str(publish_file), "--db", str(db)],
                                capture_output=True, text=True)
        publish_time[0] = round(time.monotonic() - started, 2)
        published.set()
        if result.returncode != 0:
            stats[0].errors.append(f"publish failed: {result.stdout[-500:]}")

    async def warm_up(browser):
        """One pass over the views first, so timings measure a serving app, not cold caches."""
        context = await browser.new_context()
        page = await context.new_page()
        for path, query in VIEWS:
            await page.goto(f"{url}/{path}?{query}")
            await _wait_rendered(page, timeout_ms * 3)
        await context.close()

    async def main():
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            await warm_up(browser)
            for t in threads:
                t.start()
            stop_at = time.monotonic() + seconds
            await asyncio.gather(*[_session(browser, url, i, stop_at, stats[i], timeout_ms, published)
                                   for i in range(sessions)])
            await browser.close()

    threads = [threading.Thread(target=watch_memory, daemon=True), threading.Thread(target=publish_later, daemon=True)]
    try:
        asyncio.run(main())
    finally:
        done.set()
        if threads[1].is_alive():
            threads[1].join(timeout=120)
    return LoadResult(stats, publish_time[0], rss_max[0])
