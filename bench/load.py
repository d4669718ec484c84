"""Load benchmark: 10 concurrent browser sessions switch pages and change filters for 60 s
against the real server while one ETL load publishes a new database in the middle.

    python -m bench.load DB [--sessions N] [--seconds S]

Works on a copy of DB (the load publishes into it). Reports p50/p95 time to redraw, errors,
the server's peak memory, and whether every session showed the new data after the swap.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from bench import sessions
from tests.browser_helpers import streamlit_server

HEADER = ("report_id,report_date,incident_date,ubigeo,crime_code,modality,channel,victim_age,victim_sex,"
          "victim_type,amount_lost_pen")


def _latest_year(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select year(max(period_start)) from agg_counts where source = 'synthetic'").fetchone()[0]


def _headline(db: Path) -> str:
    """The overview's first headline for the default view in English, as the app shows it: a
    published (cell-key perturbed) figure, so it is worked out by the app's own code. Whether it
    is right is the page tests' business; here it tells the old database from the new one."""
    from cybertrends.briefing.cli import default_filters
    from cybertrends.charts import overview
    from cybertrends.charts.base import Context

    with duckdb.connect(str(db), read_only=True) as con:
        heads, _ = overview.summary(Context(con, default_filters(con, "en")))
    return heads[0].value


def run(db: Path, n_sessions: int = 10, seconds: float = 60) -> dict:
    """The load test on a copy of `db`: `n_sessions` browsers for `seconds` while an ETL load publishes
    extra reports halfway; the summary plus how many sessions then showed the new total."""
    work = Path(tempfile.mkdtemp(prefix="cybertrends-load-"))
    try:
        live = work / "cybercrime.duckdb"
        shutil.copyfile(db, live)
        year = _latest_year(live)
        before = _headline(live)
        extra = work / "synthetic_load_extra.csv"
        extra.write_text(HEADER + "\n" + "\n".join(
            f"LOAD{i},{year}-06-15,,150101,8,phishing,email,50,F,persona natural,100" for i in range(1234)) + "\n")
        with streamlit_server(live) as url:
            port = url.rsplit(":", 1)[1]
            pids = subprocess.run(["pgrep", "-f", f"server.port {port}"], capture_output=True, text=True).stdout.split()
            result = sessions.run(url, int(pids[0]) if pids else 0, "/usr/bin/chromium", n_sessions, seconds, extra, live)
        expected = _headline(live)
        out = result.summary()
        out["db"] = str(db)
        out["headline_before_swap"] = before
        out["expected_total_after_swap"] = expected
        out["sessions_showing_new_data"] = sum(s.final_total == expected for s in result.sessions)
        out["sessions_read_after_publish"] = sum(bool(s.read_after_publish) for s in result.sessions)
        out["totals_shown"] = sorted({str(s.final_total) for s in result.sessions})
        out["first_errors"] = result.errors[:5]
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    """Command line: print the load-test figures for DB as JSON (`--sessions`, `--seconds`)."""
    n = int(argv[argv.index("--sessions") + 1]) if "--sessions" in argv else 10
    s = float(argv[argv.index("--seconds") + 1]) if "--seconds" in argv else 60
    print(json.dumps(run(Path(argv[0]), n, s), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
