"""`make bench`: every benchmark in BENCHMARKS.md, in one run.

    python -m bench [--sizes 1m,3m,10m] [--skip etl,pages,exports,redraw,load] [--repeats N]

Generates the synthetic input files once into bench/out/ (git-ignored), builds a database per
size with the real ETL, then runs: ETL against DuckDB's bare read and a pandas pipeline
(bench.etl), page query times (bench.pages), exports (bench.exports), browser filter-change
to redraw (bench.redraw) and the concurrent-session load test (bench.load). Writes
bench/out/results.json and prints it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from bench.common import OUT, PYTHON, ROOT, sample_file


def machine() -> dict:
    """The machine the figures were measured on: CPUs, memory (GiB), Python and DuckDB versions, platform
    and date (UTC)."""
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return {
        "cpus": os.cpu_count(), "memory_gib": round(mem / 1024 / 1024, 1), "python": platform.python_version(),
        "duckdb": duckdb.__version__, "platform": platform.platform(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _etl_changed_since(path: Path) -> bool:
    """Whether any file of the ETL (etl/**/*.py, *.sql) is newer than `path`."""
    built = path.stat().st_mtime
    return any(f.stat().st_mtime > built for f in (ROOT / "etl").rglob("*") if f.suffix in (".py", ".sql"))


def database(size: str) -> Path:
    """bench/out/cybercrime_<size>.duckdb, built from the sample file with the real ETL when missing or
    older than the ETL's code (the pages are measured on what the current ETL publishes)."""
    db = OUT / f"cybercrime_{size}.duckdb"
    if db.exists() and _etl_changed_since(db):
        db.unlink()
    if not db.exists():
        subprocess.run([PYTHON, "-m", "etl", "load", str(sample_file(size)), "--db", str(db),
                        "--source", "synthetic"], check=True, stdout=subprocess.DEVNULL)
    return db


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark not skipped, write bench/out/results.json and the figures into BENCHMARKS.md;
    returns 0."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--sizes", default="1m,3m,10m")
    parser.add_argument("--skip", default="")
    parser.add_argument("--repeats", type=int, default=5, help="alternating ETL/bare runs per size (default 5)")
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    skip = set(args.skip.split(","))
    results: dict = {"machine": machine(), "load_average_start": os.getloadavg(), "load_average_before": {}}
    started = time.time()

    def before(name: str) -> None:  # other processes slow every figure down: keep the load next to it
        results["load_average_before"][name] = round(os.getloadavg()[0], 2)

    def step(name: str, measure) -> None:
        """Run one benchmark; a failure is recorded with its reason (the others still run) and the
        results so far are written, so a late failure loses nothing."""
        if name in skip:
            return
        before(name)
        try:
            results[name] = measure()
        except Exception as error:  # noqa: BLE001 - any failure of one benchmark is reported, not fatal
            results[name] = {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:300]}"}
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))

    if importlib.util.find_spec("bench.etl") is not None:
        from bench import etl as etl_bench

        step("etl", lambda: {size: etl_bench.run(sample_file(size), args.repeats) for size in sizes})
        if "error" not in results.get("etl", {"error": ""}):
            results["etl_growth"] = etl_bench.growth(results["etl"])
    dbs = {size: database(size) for size in sizes}
    largest = dbs[sizes[-1]]
    from bench import exports, load, pages, redraw

    step("pages", lambda: {size: pages.run(db) for size, db in dbs.items()})
    step("exports", lambda: exports.run(largest))
    step("redraw", lambda: redraw.run(largest, changes=10))
    step("load", lambda: load.run(largest, n_sessions=10, seconds=60))
    results["load_average_end"] = os.getloadavg()
    results["seconds"] = round(time.time() - started, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))
    from bench import report

    report.main([str(OUT / "results.json")])  # the figures into BENCHMARKS.md
    return 0


if __name__ == "__main__":
    sys.exit(main())
