"""Faults: an ETL load killed at several points (its staging copy made, its staging database
written, DuckDB spilling to disk), a load that runs out of memory, a file that changes while it
is read, and a missing or corrupt database in the running app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from etl import adapters, load, publish
from etl.sample import write_sample
from tests.browser_helpers import ARTIFACTS, chromium, error_texts, streamlit_server, wait_until_rendered
from tests.conftest import CANONICAL_HEADER, ROOT, file_digest, query, require_chromium, write

BASE_ROWS = ["B1,2024-01-01,,150101,8,,,,,,", "B2,2024-01-02,,040101,9,,,,,,"]

# Where a load is killed: a condition on the files it leaves beside the live database (its pid in
# their names), waited for with a deadline instead of a fixed sleep.
KILL_POINTS = {
    "staged": lambda db, pid: (db.parent / f"{db.name}.tmp-{pid}").exists(),  # the copy of the live database
    "writing": lambda db, pid: (db.parent / f"{db.name}.tmp-{pid}.wal").exists(),  # rows going in
    "spilling": lambda db, pid: any((db.parent / f"{db.name}.scratch-{pid}").glob("*storage*")),
}


def _wait_for(condition, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and proc.poll() is None:
        assert time.monotonic() < deadline, "the load never reached the point to kill it at"
        time.sleep(0.01)
    assert proc.poll() is None, "the load ended before the point to kill it at; use a bigger file"


def _live_db(tmp_path):
    db = tmp_path / "live.duckdb"
    base = write(tmp_path, "base.csv", CANONICAL_HEADER + "\n" + "\n".join(BASE_ROWS) + "\n")
    assert load.load_files([base], db=db).published
    return db


@pytest.mark.slow
def test_a_killed_load_leaves_the_live_database_and_the_next_load_cleans_up(tmp_path):
    db = tmp_path / "live.duckdb"
    small = tmp_path / "synthetic_small.csv"
    write_sample(small, rows=2_000, seed=1)
    assert load.load_files([small], db=db).published
    before = file_digest(db)
    count_before = query(db, "select count(*) from fact_incident")[0][0]

    big = tmp_path / "synthetic_big.csv"
    write_sample(big, rows=600_000, seed=2)
    # A small memory limit makes DuckDB spill staging data into the load's scratch directory.
    env = {**os.environ, "CYBERTRENDS_ETL_MEMORY_LIMIT": "128MB"}
    for point, reached in KILL_POINTS.items():  # each kill leaves leftovers; the next load must clean them up
        proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big), "--db", str(db)], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(lambda: reached(db, proc.pid), proc)  # noqa: B023 - called in this iteration only
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, point
        assert file_digest(db) == before, point  # byte for byte the same live database
        assert query(db, "select count(*) from fact_incident")[0][0] == count_before, point
        leftovers = publish.temp_paths(db)
        # only this attempt's temporary files remain: earlier attempts' were cleaned up (no growth)
        assert leftovers and all(f"-{proc.pid}" in p.name for p in leftovers), (point, proc.pid, leftovers)
        if point == "spilling":
            assert (db.parent / f"{db.name}.scratch-{proc.pid}").is_dir()  # the spill directory is left too

    outcome = load.load_files([big], db=db)  # the next load succeeds and cleans up
    assert outcome.published
    loaded = outcome.files[0]
    # both samples number their reports from SYN-0000000001: the 2,000 shared ids are duplicates
    assert (loaded.rows_loaded, loaded.rows_rejected) == (598_000, 2_000)
    assert query(db, "select count(*) from fact_incident")[0][0] == count_before + 598_000
    assert publish.temp_paths(db) == []  # the spill directory is gone too


def test_running_out_of_memory_rejects_the_file_with_what_to_change(tmp_path):
    db = _live_db(tmp_path)
    before = file_digest(db)
    big = tmp_path / "synthetic_big.csv"
    write_sample(big, rows=300_000, seed=6)
    result = subprocess.run([sys.executable, "-m", "etl", "load", str(big), "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "CYBERTRENDS_ETL_MEMORY_LIMIT": "16MB"})
    assert result.returncode == 2, result.stdout + result.stderr
    out = " ".join(result.stdout.split())
    assert "ran out of memory" in out
    assert "CYBERTRENDS_ETL_MEMORY_LIMIT" in out
    assert "Traceback" not in result.stdout + result.stderr
    assert file_digest(db) == before
    assert publish.temp_paths(db) == []


def test_a_file_that_changes_while_it_is_read_is_rejected_not_loaded_wrongly(tmp_path, monkeypatch):
    db = _live_db(tmp_path)
    before = file_digest(db)
    path = write(tmp_path, "growing.csv", CANONICAL_HEADER + "\n" + "G1,2024-03-01,,150101,8,,,,,,\n")
    stage_rejects = adapters._stage_rejects

    def append_after_first_pass(con):  # the profile pass is done; the steward's export goes on
        with open(path, "a") as fh:
            fh.write("G2,2024-03-02,,150101,8,,,,,,\n")
        return stage_rejects(con)

    monkeypatch.setattr(adapters, "_stage_rejects", append_after_first_pass)
    outcome = load.load_files([path], db=db)
    assert not outcome.published
    assert "changed while it was being loaded" in outcome.files[0].message
    assert file_digest(db) == before

    monkeypatch.setattr(adapters, "_stage_rejects", stage_rejects)
    outcome = load.load_files([path], db=db)  # loaded again once it is complete
    assert outcome.published and outcome.files[0].rows_loaded == 2
    assert query(db, "select report_id from fact_incident where file_name = 'growing.csv' order by 1") == [
        ("G1",), ("G2",)]


@pytest.mark.browser
@pytest.mark.slow
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
