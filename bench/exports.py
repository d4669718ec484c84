"""Export benchmark: one PNG after warm-up, and the standard briefing pack as PPTX and PDF.

    python -m bench.exports DB
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import duckdb

from cybertrends import briefing, charts, export


def run(db: Path, repeats: int = 10) -> dict:
    """Export timings on `db`: one PNG (first, then warm p50 and max; only with Chromium) and the standard
    briefing pack as PPTX and PDF (seconds, bytes, charts)."""
    con = duckdb.connect(str(db), read_only=True)
    f = briefing.default_filters(con)
    out: dict = {"db": str(db), "chromium": export.chromium_available()}
    spec = charts.build("overview_trend", con, f)
    if out["chromium"]:
        started = time.perf_counter()
        export.to_png(spec)
        out["png_first_s"] = round(time.perf_counter() - started, 3)  # includes starting Chromium
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            png = export.to_png(spec)
            times.append(time.perf_counter() - started)
        out["png_warm_p50_s"] = round(statistics.median(times), 3)
        out["png_warm_max_s"] = round(max(times), 3)
        out["png_bytes"] = len(png)
    for fmt in ("pptx", "pdf"):
        started = time.perf_counter()
        specs, skipped = briefing.build_charts(con, f, briefing.STANDARD_PACK)
        pack = briefing.Pack(title="Benchmark", lang="es", specs=specs, skipped=skipped)
        data = briefing.render(pack, fmt)
        out[f"standard_pack_{fmt}_s"] = round(time.perf_counter() - started, 3)
        out[f"standard_pack_{fmt}_bytes"] = len(data)
        out[f"standard_pack_{fmt}_charts"] = len(pack.specs)
    return out


def main(argv: list[str]) -> int:
    """Command line: print the export figures for DB as JSON."""
    print(json.dumps(run(Path(argv[0])), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
