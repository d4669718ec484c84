"""Export benchmark: PNG (and SVG) after warm-up, where the time goes, and the standard briefing pack.

    python -m bench.exports DB [--repeats 20] [--pause 1.0] [--no-pack]

PNG after warm-up is timed two ways: back to back (the briefing pack's pattern) and paced
(`--pause` seconds between exports, as a user clicks download buttons). p50, p95 and max are over
`--repeats` exports each. The breakdown times the layout step (`export_figure`) and the size of
the figure sent to the browser, so the rest of an export is the browser round trip. The load
average at the start is part of the result: other processes on the 2 cores slow every figure.
CPU seconds per warm export (this process and the browser's processes together) do not depend
on that load: they say how much work an export is, where the wall times say how long it took.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import plotly.io as pio

from cybertrends import briefing, charts, export
from cybertrends import db as database
from cybertrends.export import engine


def _percentile(times: list[float], q: float) -> float:
    """Nearest-rank percentile `q` (0-100) of `times`."""
    ordered = sorted(times)
    return ordered[max(math.ceil(q / 100 * len(ordered)) - 1, 0)]


def _cpu_seconds() -> float:
    """CPU seconds used so far by this process and every process it started (the browser's)."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = time.process_time(), list(children.get(os.getpid(), []))
    while todo:
        pid = todo.pop()
        total += stats[pid][1]
        todo.extend(children.get(pid, []))
    return total


def _timed(call: Callable[[], object], repeats: int, pause: float = 0.0) -> dict:
    """p50, p95 and max seconds of `repeats` calls, `pause` seconds apart, and CPU seconds per call."""
    times = []
    cpu = _cpu_seconds()
    for _ in range(repeats):
        time.sleep(pause)
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return {"p50_s": round(statistics.median(times), 3), "p95_s": round(_percentile(times, 95), 3),
            "max_s": round(max(times), 3), "cpu_s": round((_cpu_seconds() - cpu) / repeats, 3)}


def images(spec, repeats: int = 20, pause: float = 1.0) -> dict:
    """First PNG (starts the browser), then warm PNG back to back and paced, warm SVG, and the breakdown."""
    out: dict = {}
    started = time.perf_counter()
    png = export.to_png(spec)
    out["png_first_s"] = round(time.perf_counter() - started, 3)  # includes starting Chromium
    out["png_bytes"] = len(png)
    starts = engine.ENGINE.starts
    back_to_back = _timed(lambda: export.to_png(spec), repeats)
    out.update({f"png_warm_{key}": value for key, value in back_to_back.items()})
    paced = _timed(lambda: export.to_png(spec), repeats, pause)
    out.update({f"png_paced_{key}": value for key, value in paced.items()})
    out["png_paced_pause_s"] = pause
    svg = _timed(lambda: export.to_svg(spec), max(repeats // 2, 1))
    out.update({f"svg_warm_{key}": value for key, value in svg.items()})
    out["browser_starts_after_warm_up"] = engine.ENGINE.starts - starts  # 0: every export reused the browser
    layout = _timed(lambda: export.export_figure(spec), repeats)
    out["layout_p50_s"], out["layout_cpu_s"] = layout["p50_s"], layout["cpu_s"]
    out["figure_json_bytes"] = len(pio.to_json(export.export_figure(spec), validate=False))
    return out


def run(db: Path, repeats: int = 20, pause: float = 1.0, pack: bool = True) -> dict:
    """Export timings on `db`: images (only with Chromium) and the standard briefing pack as PPTX and PDF
    (seconds, bytes, charts)."""
    out: dict = {"db": str(db), "load_average": [round(x, 2) for x in os.getloadavg()],
                 "cpus": os.cpu_count(), "chromium": export.chromium_available()}
    con = database.cursor(database.open_read_only(db))  # as the briefing command's
    f = briefing.default_filters(con)
    if out["chromium"]:
        out.update(images(charts.build("overview_trend", con, f), repeats, pause))
    for fmt in ("pptx", "pdf") if pack else ():
        started = time.perf_counter()
        specs, skipped = briefing.build_charts(con, f, briefing.STANDARD_PACK)
        pack_ = briefing.Pack(title="Benchmark", lang="es", specs=specs, skipped=skipped)
        data = briefing.render(pack_, fmt)
        out[f"standard_pack_{fmt}_s"] = round(time.perf_counter() - started, 3)
        out[f"standard_pack_{fmt}_bytes"] = len(data)
        out[f"standard_pack_{fmt}_charts"] = len(pack_.specs)
    out["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main(argv: list[str]) -> int:
    """Command line: print the export figures for DB as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.exports")
    parser.add_argument("db", type=Path)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between paced exports")
    parser.add_argument("--no-pack", action="store_true", help="skip the briefing pack")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.db, args.repeats, args.pause, pack=not args.no_pack), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
