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

from cybertrends import paths

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
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=timeout)
    if expect_chart:
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout)
    page.wait_for_function(_SETTLED, timeout=timeout)


def error_texts(page) -> list[str]:
    """Text of any exception or error box on the page."""
    out = []
    for selector in ('[data-testid="stException"]', '[data-testid="stAlertContentError"]'):
        out += [e.inner_text() for e in page.query_selector_all(selector)]
    return out
