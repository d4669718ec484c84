"""Page benchmark: the server-side time of every page for typical filter changes.

For each page, one "interaction" is everything the page computes for a filter set: its chart
builders (queries, measures, figure) and its non-chart computations, exactly as the page calls
them, on an uncached connection (the app caches results; this measures a cache miss). Reported
per page as p50 and p95 over the filter changes: wall time, the part of it spent in DuckDB queries,
the process's CPU time (steadier than wall time when other programs share the machine) and the
most DuckDB round trips one interaction made; with the load average at the start.

    python -m bench.pages DB [DB ...]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from cybertrends import charts, queries
from cybertrends import db as database
from cybertrends.charts import answers, crime_types, groups, overview, regions
from cybertrends.charts.base import Context
from cybertrends.filters import Filters

# What each page computes (see pages/*.py): a chart (id, options) or a computation ctx -> value.
PAGES = {
    "overview": [overview.summary, ("overview_trend", {})],
    "crime_types": [crime_types.notices] + [
        (c, {}) for c in ("ct_index", "ct_cagr", "ct_yoy", "ct_share", "ct_modality", "ct_channel")],
    "regions": [("rg_map", {"metric": "rate"}), ("rg_rank", {"metric": "rate"}), ("rg_trend", {"region": "15"}),
                regions.lima_status, ("rg_lima", {})],
    "at_risk_groups": [groups.page_info, ("gr_counts", {}), ("gr_rates", {}), ("gr_growth", {}), ("gr_sex", {}),
                       ("gr_top_crimes", {"group": "older"}), ("gr_rates", {"group": "older"})],
}


def filter_changes(con: duckdb.DuckDBPyConnection) -> list[Filters]:
    """Typical changes an analyst makes, on the record-level source with most data."""
    src = queries.sources(con)
    src = src[src["has_victim_age"]].sort_values("report_count", ascending=False).iloc[0]
    first, last = queries.period_bounds(con, src["source"])
    ley = tuple(c for c, is_ley in queries.crimes(con)[["crime_code", "is_ley_30096"]].itertuples(index=False) if is_ley)
    penal = tuple(c for c in queries.crimes(con)["crime_code"] if c not in ley)
    base_f = Filters(source=src["source"], period_from=first, period_to=last, grain="month", crimes=ley)
    two_years = date(last.year - 1, 1, 1)
    return [
        base_f,
        base_f.with_(lang="en"),
        base_f.with_(regions=("15",)),
        base_f.with_(regions=("04", "08", "13")),
        base_f.with_(period_from=two_years),
        base_f.with_(crimes=("8",)),
        base_f.with_(groups=("older",)),
        base_f.with_(groups=("child", "adolescent")),
        base_f.with_(crimes=penal),
        base_f.with_(regions=("20",), period_from=two_years, groups=("young",)),
    ]


class _TimedConnection:
    """Wraps a connection to add up the time spent in `execute` (DuckDB query time)."""

    def __init__(self, con):
        self._con = con
        self.query_seconds = 0.0
        self.round_trips = 0

    def execute(self, *args, **kwargs):
        self.round_trips += 1
        started = time.perf_counter()
        result = self._con.execute(*args, **kwargs)
        # results stream: fetching happens in .df()/.fetchall(); wrap to time it too
        self.query_seconds += time.perf_counter() - started
        return _TimedResult(result, self)

    def __getattr__(self, name):
        return getattr(self._con, name)


class _TimedResult:
    def __init__(self, result, owner):
        self._result, self._owner = result, owner

    def _timed(self, name, *args):
        started = time.perf_counter()
        value = getattr(self._result, name)(*args)
        self._owner.query_seconds += time.perf_counter() - started
        return value

    def df(self):
        return self._timed("df")

    def fetchall(self):
        return self._timed("fetchall")

    def fetchone(self):
        return self._timed("fetchone")

    def __getattr__(self, name):
        return getattr(self._result, name)


def _run_page(con, page: str, f: Filters, shared: dict | None = None) -> tuple[float, float, float, int]:
    """One interaction; `shared` plays the app's per-database-version lookup cache. Returns wall seconds,
    query seconds, CPU seconds of the process (all threads: less sensitive than wall time to other
    programs on a shared machine) and the number of DuckDB round trips."""
    timed = _TimedConnection(con)
    shared = {} if shared is None else shared
    shared.pop(answers.KEY, None)  # a new filter set: no statement answered yet (the app keeps the lookups only)
    started, cpu_started = time.perf_counter(), time.process_time()
    for item in PAGES[page]:
        if callable(item):
            item(Context(timed, f, {}, shared))
        else:
            chart_id, options = item
            charts.build(chart_id, timed, f, shared=shared, **options)
    return time.perf_counter() - started, timed.query_seconds, time.process_time() - cpu_started, timed.round_trips


def percentile(values: list[float], p: float) -> float:
    """The `p`-th percentile of `values` (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(db: Path) -> dict:
    """Per page, query and total server-side time (p50 and p95, ms) over the filter changes on `db`, after
    one warm-up."""
    charts._load_all()
    con = database.cursor(database.open_read_only(db, threads=queries.QUERY_THREADS))  # as the app's (cached.py)
    records = con.execute("select count(*) from fact_incident").fetchone()[0]
    changes = filter_changes(con)
    out = {"db": str(db), "records": records, "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
           "pages": {}}
    shared: dict = {}  # like the app: reference lookups are kept per database version
    for page in PAGES:
        _run_page(con, page, changes[0], shared)  # warm-up: DuckDB caches the file blocks, lookups fill
        totals, query_times, cpu_times, trips = [], [], [], []
        for f in changes:
            for _ in range(2):
                total, q, cpu, n = _run_page(con, page, f, shared)
                totals.append(total)
                query_times.append(q)
                cpu_times.append(cpu)
                trips.append(n)
        out["pages"][page] = {
            "samples": len(totals),
            "round_trips_max": max(trips),
            "cpu_p50_ms": round(statistics.median(cpu_times) * 1000, 1),
            "cpu_p95_ms": round(percentile(cpu_times, 95) * 1000, 1),
            "query_p50_ms": round(statistics.median(query_times) * 1000, 1),
            "query_p95_ms": round(percentile(query_times, 95) * 1000, 1),
            "total_p50_ms": round(statistics.median(totals) * 1000, 1),
            "total_p95_ms": round(percentile(totals, 95) * 1000, 1),
        }
    return out


def main(argv: list[str]) -> int:
    """Command line: print the page figures for each DB as JSON."""
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    results = [run(Path(p)) for p in argv]
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
