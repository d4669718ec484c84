"""The one way the app, the briefing pack and the benchmarks open the published database."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cybertrends import paths, rollups


def open_read_only(path: str | Path | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A new connection that reads the published database at `path` (default: `paths.db_path()`).

    It is a fresh in-memory DuckDB instance that ATTACHes the file read-only under the alias
    `cyber` and makes it the default catalog. `duckdb.connect(path)` would reuse the process-wide
    instance of that path, which still holds the file that was there before the ETL swapped a new
    one in, and so would keep serving the old data. Raises duckdb.Error when the file is not one of
    our databases. `threads` caps DuckDB's threads for this connection (default: DuckDB's own).
    """
    # Grouping sets are kept as one aggregate: DuckDB's rewrite materialises the filtered cells and
    # groups them once per set (the modality statement of three regions: 17.7 ms, against 13.0 ms).
    config = {"disabled_optimizers": "grouping_sets"} | ({"threads": threads} if threads else {})
    con = duckdb.connect(":memory:", config=config)
    try:
        con.execute("attach $path as cyber (read_only)", {"path": str(path or paths.db_path())})
        con.execute("use cyber")
        con.execute("select count(*) from source_coverage").fetchone()  # proves it is our database
        _add_missing_roll_ups(con)
        con.execute(SEARCH_PATH)
    except BaseException:
        con.close()
        raise
    return con


# Names are looked up in the published catalog, then in `beside`: the tables a database built by an
# older ETL lacks, computed from its own tables when it is opened.
SEARCH_PATH = "set search_path = 'cyber.main,beside.main'"


def _add_missing_roll_ups(con: duckdb.DuckDBPyConnection) -> None:
    """Attach the in-memory catalog `beside` and write there the roll-ups over every region
    (rollups.ALL_REGIONS) the database lacks: it was built before them (about 0.1 s at 10M
    records, once per connection)."""
    con.execute("attach ':memory:' as beside")
    present = {r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'cyber' and schema_name = 'main'").fetchall()}
    for name, select in rollups.ALL_REGIONS.values():  # fixed names and statements
        if name not in present:
            con.execute(f"create table beside.main.{name} as {select}")


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of `con` on the published catalog (cursors are per thread)."""
    cur = con.cursor()
    cur.execute("use cyber")
    cur.execute(SEARCH_PATH)
    return cur
