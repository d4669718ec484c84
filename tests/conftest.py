"""Shared fixtures: every test writes to its own temporary database, never to data/built/."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from cybertrends import paths
from etl import load

ROOT = paths.ROOT
MPFN_2023 = paths.RAW_DIR / "mpfn" / "delitos_denunciados_2023_nacional_raw.csv"

CANONICAL_HEADER = (
    "report_id,report_date,incident_date,ubigeo,crime_code,modality,channel,victim_age,victim_sex,"
    "victim_type,amount_lost_pen"
)


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path, monkeypatch):
    """Keep every test away from the real built database."""
    monkeypatch.setenv("CYBERTRENDS_DB", str(tmp_path / "built" / "cybercrime.duckdb"))


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "built" / "cybercrime.duckdb"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8", bom: bool = False, newline="\n") -> Path:
    path = tmp_path / name
    data = text.replace("\n", newline).encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def query(db: Path, sql: str, params=None):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="session")
def mpfn_db(tmp_path_factory) -> Path:
    """A database with the real MPFN 2023 national file loaded (built once per session)."""
    db = tmp_path_factory.mktemp("mpfn") / "mpfn.duckdb"
    outcome = load.load_files([MPFN_2023], db=db)
    assert outcome.published, outcome.files
    return db


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The database `make run` builds: every bundled file under data/raw/, by a fresh
    `python -m etl build`."""
    db = tmp_path_factory.mktemp("built") / "cybercrime.duckdb"
    result = run_cli("build", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    return db


@pytest.fixture(scope="module")
def con(sample_db):
    """A read-only connection to the bundled database, shared by a test module."""
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


def chromium_path() -> str | None:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium") or ""):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def require_chromium() -> str:
    """Browser tests run under CI=true (where .ci/run installs chromium) and skip locally without it."""
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but Debian chromium is missing: .ci/run must install it")
        pytest.skip("Debian chromium not installed (apt-get install chromium); browser tests skipped")
    return path
