"""Every filesystem location the project uses, in one place."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
BUILT_DIR = DATA_DIR / "built"
REFERENCE_DIR = DATA_DIR / "reference"
ETL_SQL_DIR = ROOT / "etl" / "sql"

DEFAULT_DB = BUILT_DIR / "cybercrime.duckdb"


def db_path() -> Path:
    """The live database; `CYBERTRENDS_DB` overrides the default (tests, benchmarks)."""
    override = os.environ.get("CYBERTRENDS_DB")
    return Path(override) if override else DEFAULT_DB
