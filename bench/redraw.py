"""Browser benchmark: time from a filter change in the browser to the chart redrawn.

One real `streamlit run` server and one headless Chromium session (Playwright). Each change is
a click on a control (measure on the Regions page, crime-type group and language in the
sidebar); the time runs until the app has finished rerunning and the charts are drawn.

    python -m bench.redraw DB [--changes N]
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

from bench.sessions import _DONE, _MAIN_TEXT  # the same 'redrawn' condition as the load test
from tests.browser_helpers import chromium, streamlit_server

CHROMIUM = "/usr/bin/chromium"


def _settle(page, timeout_ms: float = 60_000) -> None:
    # the status widget appears while the script reruns; wait for it to go and charts to exist
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=timeout_ms)
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=timeout_ms)


def _click_and_time(page, locator) -> float:
    """Click, then wait until the page text has changed, no element is stale and the app is idle."""
    before = page.evaluate(_MAIN_TEXT)
    started = time.perf_counter()
    locator.click()
    page.wait_for_function(_DONE, arg=before, timeout=60_000, polling=20)
    return time.perf_counter() - started


def run(db: Path, changes: int = 8) -> dict:
    """Seconds from a click to the page redrawn, `changes` clicks per control (Regions measure, crime
    group, language): p50 and p95 overall and p50 per control."""
    samples: dict[str, list[float]] = {"regions_metric": [], "crime_group": [], "language": []}
    with streamlit_server(db) as url, chromium(CHROMIUM) as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.goto(f"{url}/regions?lang=en")
        _settle(page)
        for i in range(changes):
            name = ["Count", "Rate per 100,000", "Year-on-year change"][i % 3]
            samples["regions_metric"].append(_click_and_time(page, page.locator("button").filter(has_text=re.compile(f"^{re.escape(name)}$")).first))
        page.goto(f"{url}/?lang=en")
        _settle(page)
        for i in range(changes):
            name = ["Penal Code (related)", "Ley 30096 (computer crimes)"][i % 2]
            samples["crime_group"].append(_click_and_time(page, page.locator("button").filter(has_text=re.compile(f"^{re.escape(name)}$")).first))
        for i in range(changes):
            name = ["es", "en"][i % 2]
            samples["language"].append(_click_and_time(page, page.locator("button").filter(has_text=re.compile(f"^{re.escape(name)}$")).first))
    every = sorted(t for values in samples.values() for t in values)
    p95 = every[min(len(every) - 1, int(round(0.95 * (len(every) - 1))))]
    return {
        "db": str(db), "changes": len(every),
        "p50_s": round(statistics.median(every), 3), "p95_s": round(p95, 3),
        "by_control_p50_s": {k: round(statistics.median(v), 3) for k, v in samples.items()},
    }


def main(argv: list[str]) -> int:
    """Command line: print the redraw figures for DB as JSON (`--changes`)."""
    changes = int(argv[argv.index("--changes") + 1]) if "--changes" in argv else 8
    print(json.dumps(run(Path(argv[0]), changes), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
