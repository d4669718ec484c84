"""Load test (shortened for `make test`): several concurrent browser sessions switch pages and
change filters while an ETL load publishes a new database; zero errors, and every session
shows the new data after the swap. The full version (10 sessions, 60 s) is `make bench`."""

from __future__ import annotations

import pytest

from bench import sessions
from cybertrends import i18n
from etl import load
from etl.sample import write_sample
from tests.browser_helpers import streamlit_server
from tests.conftest import CANONICAL_HEADER, query, require_chromium, write
from tests.published import total

pytestmark = pytest.mark.browser


def test_sessions_keep_working_through_a_publish(tmp_path):
    exe = require_chromium()
    db = tmp_path / "live.duckdb"
    sample = tmp_path / "synthetic_base.csv"
    write_sample(sample, rows=20_000, seed=7)
    assert load.load_files([sample], db=db).published
    extra_rows = [f"NEW{i},2025-06-15,,150101,8,phishing,email,50,F,persona natural,100" for i in range(777)]
    extra = write(tmp_path, "synthetic_extra.csv", CANONICAL_HEADER + "\n" + "\n".join(extra_rows) + "\n")
    with streamlit_server(db) as url:
        server_pid = _server_pid(url)
        result = sessions.run(url, server_pid, exe, sessions=4, seconds=20, publish_file=extra, db=db)
    summary = result.summary()
    print(summary)
    assert result.errors == []
    assert result.publish_seconds is not None
    assert all(s.redraw_seconds for s in result.sessions)  # every session redrew pages during the run
    new_total = total(db, "synthetic", "year(report_date) = 2025 and crime_code in "
                      "(select crime_code from ref_crime where is_ley_30096)")  # as published (cell key)
    assert query(db, "select count(*) from fact_incident where file_name = 'synthetic_extra.csv'") == [(777,)]
    expected = i18n.fmt_int(new_total, "en")
    assert all(s.final_total == expected for s in result.sessions), [s.final_total for s in result.sessions]


def _server_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1]
    import subprocess

    out = subprocess.run(["pgrep", "-f", f"server.port {port}"], capture_output=True, text=True).stdout.split()
    return int(out[0]) if out else 0
