"""Faults: an ETL killed mid-load, and a corrupt or missing database in the running app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from etl import load, publish
from etl.sample import write_sample
from tests.browser_helpers import ARTIFACTS, chromium, error_texts, streamlit_server, wait_until_rendered
from tests.conftest import ROOT, file_digest, query, require_chromium


def test_sigkill_mid_load_leaves_the_live_database_intact(tmp_path):
    db = tmp_path / "live.duckdb"
    small = tmp_path / "synthetic_small.csv"
    write_sample(small, rows=2_000, seed=1)
    assert load.load_files([small], db=db).published
    before = file_digest(db)
    count_before = query(db, "select count(*) from fact_incident")[0][0]

    big = tmp_path / "synthetic_big.csv"
    write_sample(big, rows=600_000, seed=2)
    for _attempt in range(3):  # each kill leaves leftovers; the next load must clean them up
        proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big), "--db", str(db)], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while (not any(f"-{proc.pid}" in p.name for p in publish.temp_paths(db))
               and time.time() < deadline and proc.poll() is None):
            time.sleep(0.02)
        time.sleep(0.3)  # well inside the load (it takes several seconds)
        assert proc.poll() is None, "the load finished before it could be killed; use a bigger file"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert file_digest(db) == before  # byte for byte the same live database
        assert query(db, "select count(*) from fact_incident")[0][0] == count_before
        leftovers = publish.temp_paths(db)
        # only this attempt's temporary files remain: earlier attempts' were cleaned up (no growth)
        assert leftovers and all(f"-{proc.pid}" in p.name for p in leftovers), (proc.pid, leftovers)

    outcome = load.load_files([big], db=db)  # the next load succeeds and cleans up
    assert outcome.published
    loaded = outcome.files[0]
    # both samples number their reports from SYN-0000000001: the 2,000 shared ids are duplicates
    assert (loaded.rows_loaded, loaded.rows_rejected) == (598_000, 2_000)
    assert query(db, "select count(*) from fact_incident")[0][0] == count_before + 598_000
    assert publish.temp_paths(db) == []


@pytest.mark.browser
@pytest.mark.parametrize("state", ["missing", "corrupt"])
def test_app_explains_a_missing_or_corrupt_database_in_the_browser(tmp_path, state):
    exe = require_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    db = tmp_path / "cybercrime.duckdb"
    if state == "corrupt":
        db.write_bytes(b"\x00garbage, not a DuckDB file" * 1000)
    with streamlit_server(db) as url, chromium(exe) as browser:
        page = browser.new_page()
        page.goto(f"{url}/regions?lang=en")
        wait_until_rendered(page, expect_chart=False)
        body = page.inner_text("body")
        page.screenshot(path=str(ARTIFACTS / f"database_{state}.png"))
        assert "etl build" in body  # what the operator must run
        assert "Traceback" not in body
        assert page.query_selector('[data-testid="stException"]') is None
        assert error_texts(page)  # shown as a clear error box
