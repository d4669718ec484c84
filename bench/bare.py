"""DuckDB's own limit: a bare `CREATE TABLE t AS SELECT * FROM read_csv(...)` into a new
database file, with the same DuckDB settings the ETL uses (memory limit, threads, no insertion
order), checkpointed so the table is on disk like the ETL's.

    python -m bench.bare FILE DB [--defaults]

`--defaults` leaves DuckDB's own defaults (insertion order kept, memory limit 80% of RAM).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import duckdb


def main(argv: list[str]) -> int:
    """Command line: bare-read FILE into a new DB (ETL settings unless `--defaults`) and print rows and
    seconds."""
    path, db = Path(argv[0]), Path(argv[1])
    for p in (db, Path(f"{db}.wal")):
        p.unlink(missing_ok=True)
    config = {}
    if "--defaults" not in argv:
        from etl import load  # the ETL's settings, not a copy of them

        config = {"memory_limit": load.MEMORY_LIMIT, "preserve_insertion_order": False,
                  "temp_directory": f"{db}.spill"}
    started = time.perf_counter()
    con = duckdb.connect(str(db), config=config)
    rows = con.execute("create table t as select * from read_csv($p)", {"p": str(path)}).fetchone()[0]
    con.execute("checkpoint")
    con.close()
    print(f"{rows} rows in {time.perf_counter() - started:.2f} s (threads {os.cpu_count()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
