"""Every failure of a load ends in exit 2 with a one-line reason and leaves nothing behind;
internal names cannot collide with a user's file name; two loads at once both land."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import CANONICAL_HEADER, ROOT, file_digest, query, run_cli, write


def _steward(tmp_path, name: str, prefix: str, n: int = 20) -> str:
    rows = [f"{prefix}{i},2024-03-{1 + i % 28:02d},,040101,8,phishing,sms,30,F,persona natural," for i in range(n)]
    return str(write(tmp_path, name, CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n"))


def _leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".duckdb" and not p.name.endswith(".csv"))


def test_a_database_named_like_an_internal_schema_loads(tmp_path):
    for name in ("scratch", "cybertrends_build", "memory", "main"):
        folder = tmp_path / name
        folder.mkdir()
        db = folder / f"{name}.duckdb"
        result = run_cli("load", _steward(folder, "steward.csv", "R"), "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr
        assert query(db, "select count(*) from fact_incident") == [(20,)]
        assert _leftovers(folder) == []  # no lock, no temporary database, no spill folder


def test_a_file_that_is_not_a_database_is_a_one_line_exit_2(tmp_path):
    db = tmp_path / "live.duckdb"
    db.write_bytes(b"this is not a duckdb file\n" * 100)
    before = file_digest(db)
    result = run_cli("load", _steward(tmp_path, "steward.csv", "R"), "--db", str(db))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    failed = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(failed) == 1 and failed[0].startswith("Failed")
    assert str(db) in failed[0] and "nothing was published" in failed[0]
    assert file_digest(db) == before
    assert _leftovers(tmp_path) == []


def test_windows_1252_is_recorded_in_the_load_log(tmp_path, db):
    text = CANONICAL_HEADER + "\nR1,2024-03-01,,040101,8,suplantación “perfil”,sms,30,F,persona natural,\n"
    path = write(tmp_path, "cp1252.csv", text, encoding="cp1252")
    result = run_cli("load", str(path), "--db", str(db))
    assert result.returncode == 0, result.stdout
    assert "Windows-1252" in query(db, "select message from load_log")[0][0]


def test_two_loads_at_once_both_land(tmp_path, db):
    files = [_steward(tmp_path, f"steward_{k}.csv", f"K{k}-", 500) for k in range(2)]
    env = {**os.environ, "CYBERTRENDS_DB": str(db)}
    procs = [subprocess.Popen([sys.executable, "-m", "etl", "load", f, "--db", str(db)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert query(db, "select file_name, count(*) from fact_incident group by 1 order by 1") == [
        ("steward_0.csv", 500), ("steward_1.csv", 500)]
    assert _leftovers(db.parent) == []
