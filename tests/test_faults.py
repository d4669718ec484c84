"""Faults inside the ETL (tests/test_resilience.py covers a plain SIGKILL and a missing or
corrupt database in the app): a load killed while DuckDB is spilling to disk, a load that runs
out of memory, and a file that changes while it is being read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from etl import adapters, load, publish
from etl.sample import write_sample
from tests.conftest import CANONICAL_HEADER, ROOT, file_digest, query, write

BASE_ROWS = ["B1,2024-01-01,,150101,8,,,,,,", "B2,2024-01-02,,040101,9,,,,,,"]


def _live_db(tmp_path):
    db = tmp_path / "live.duckdb"
    base = write(tmp_path, "base.csv", CANONICAL_HEADER + "\n" + "\n".join(BASE_ROWS) + "\n")
    assert load.load_files([base], db=db).published
    return db


def test_kill_while_spilling_leaves_the_live_database_and_the_next_load_cleans_up(tmp_path):
    db = _live_db(tmp_path)
    before = file_digest(db)
    big = tmp_path / "synthetic_big.csv"
    write_sample(big, rows=600_000, seed=5)
    # A small memory limit makes DuckDB spill staging data into the load's scratch directory.
    env = {**os.environ, "CYBERTRENDS_ETL_MEMORY_LIMIT": "128MB"}
    proc = subprocess.Popen([sys.executable, "-m", "etl", "load", str(big), "--db", str(db)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scratch = db.parent / f"{db.name}.scratch-{proc.pid}"
    deadline = time.time() + 60
    while not any(scratch.glob("*storage*")) and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the load ended before it spilled; make the file bigger or the limit smaller"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert scratch.is_dir()  # what a killed load leaves: its temporary database and spill directory
    assert file_digest(db) == before
    assert query(db, "select count(*) from fact_incident") == [(2,)]

    outcome = load.load_files([big], db=db)
    assert outcome.published and outcome.files[0].rows_loaded == 600_000
    assert publish.temp_paths(db) == []  # the spill directory is gone too
    assert query(db, "select count(*) from fact_incident") == [(600_002,)]


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
    assert "ran out of memory" in out and "CYBERTRENDS_ETL_MEMORY_LIMIT" in out
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
