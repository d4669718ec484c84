"""Browser benchmark: time from a filter change in the browser to the chart redrawn, and from a
click on a sidebar page link to the new page drawn.

One real `streamlit run` server and one headless Chromium session (Playwright). Each change is
a click on a control (measure on the Regions page, crime-type group and language in the
sidebar); the time runs until the app has finished rerunning and the charts are drawn. Each page
switch is a click on a page link in the sidebar (overview, crime types, regions, at-risk groups,
round and round); the time runs until the new page's text is shown, the app is idle, nothing is
stale and every chart on it is drawn. The first visit of a page builds its charts; later visits
with the same filters find them cached: both are reported.

    python -m bench.redraw DB [--changes N] [--switches N]
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

from bench.sessions import _DONE, _MAIN_TEXT, NAV  # the same 'redrawn' condition as the load test
from tests.browser_helpers import chromium, streamlit_server, wait_until_rendered

CHROMIUM = "/usr/bin/chromium"


def _settle(page, timeout_ms: float = 60_000) -> None:
    """Wait until the page has loaded as the tests wait for it: the script done, nothing stale, every
    chart drawn and the fonts loaded. (Waiting only for the first chart and the status widget let
    the first timed click start while the page was still being drawn, and that time was counted.)"""
    wait_until_rendered(page, timeout=timeout_ms)


def _click_and_time(page, locator) -> float:
    """Click, then wait until the app is idle, nothing is stale, every chart is drawn and the page's
    text has changed (`bench.sessions._DONE`)."""
    before = page.evaluate(_MAIN_TEXT)
    started = time.perf_counter()
    locator.click()
    page.wait_for_function(_DONE, arg=before, timeout=60_000, polling=20)
    return time.perf_counter() - started


SWITCH_PAGES = (1, 2, 3, 0)  # sidebar links in order: crime types, regions, at-risk groups, overview


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {"n": len(ordered), "p50_s": round(statistics.median(ordered), 3), "p95_s": round(p95, 3)}


def page_switches(url: str, browser, switches: int = 12) -> dict:
    """Seconds from a click on a sidebar page link to the new page drawn and the app idle: p50 and p95
    over all switches, and apart the first visit of each page (charts built) and the later ones (cached)."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{url}/?lang=en")
    _settle(page)
    first, later = [], []
    for i in range(switches):
        target = SWITCH_PAGES[i % len(SWITCH_PAGES)]
        before = page.evaluate(_MAIN_TEXT)
        started = time.perf_counter()
        page.locator(NAV).nth(target).click()
        page.wait_for_function(_DONE, arg=before, timeout=60_000, polling=20)
        (first if i < len(SWITCH_PAGES) else later).append(time.perf_counter() - started)
    page.close()
    out = {"all": _percentiles(first + later), "first_visit": _percentiles(first)}
    if later:
        out["later_visits"] = _percentiles(later)
    return out


def run(db: Path, changes: int = 8, switches: int = 12) -> dict:
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
        page.close()
        switching = page_switches(url, browser, switches) if switches else None
    every = sorted(t for values in samples.values() for t in values)
    p95 = every[min(len(every) - 1, int(round(0.95 * (len(every) - 1))))]
    return {
        "db": str(db), "changes": len(every),
        "p50_s": round(statistics.median(every), 3), "p95_s": round(p95, 3),
        "by_control_p50_s": {k: round(statistics.median(v), 3) for k, v in samples.items()},
        "slowest_s": sorted(((round(t, 3), k) for k, v in samples.items() for t in v), reverse=True)[:4],
        # in click order: a control's first clicks build charts the server has not cached yet
        "samples_s": {k: [round(t, 3) for t in v] for k, v in samples.items()},
        "page_switch": switching,
    }


def main(argv: list[str]) -> int:
    """Command line: print the redraw and page-switch figures for DB as JSON (`--changes`, `--switches`)."""
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    changes = int(argv[argv.index("--changes") + 1]) if "--changes" in argv else 8
    switches = int(argv[argv.index("--switches") + 1]) if "--switches" in argv else 12
    started_load = [round(x, 2) for x in os.getloadavg()]
    result = run(Path(argv[0]), changes, switches)
    print(json.dumps({"load_average_at_start": started_load, **result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
