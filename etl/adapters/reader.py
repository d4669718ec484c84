"""The shared CSV reader of the adapters: every field as text, DuckDB's own rejects as
`scratch.malformed_lines` with their line numbers, the header mapped to our column names, and
the small helpers every adapter uses. All SQL is in `etl/sql/`; values are bound parameters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

import duckdb

from etl.detect import FileFormat, FileRejected
from etl.sqlfiles import bind_used, run, sql

__all__ = ["AdapterResult", "FileFormat", "FileRejected", "bind_used", "run", "sql"]


@dataclass
class AdapterResult:
    """What an adapter staged from one file: the fact table to fill, rows read and out of scope, notes for
    the load log, the source's cut date, and the SELECT (with parameters) of the rows to insert."""

    fact_table: str  # fact_report | fact_count
    rows_read: int
    rows_out_of_scope: int
    notes: list[str]
    data_as_of: date | None = None  # the source's own cut date, if the file states one
    # The rows to insert into `fact_table`: a SELECT over the staged tables, and its parameters;
    # None when the adapter has inserted them itself (`rows_loaded` of them).
    ok_sql: str | None = "select * from scratch.accepted_counts"
    ok_params: dict = field(default_factory=dict)
    rows_loaded: int | None = None


def column_positions(fmt: FileFormat, wanted: dict[str, tuple[str, ...]], required) -> dict[str, int]:
    """Our column name -> its position in the file, from the accepted header names of each; a column
    given twice or a required column missing rejects the file (line 1, that column)."""
    positions: dict[str, int] = {}
    for canonical, names in wanted.items():
        found = [i for i, h in enumerate(fmt.header) if h in names]
        if len(found) > 1:
            dup = ", ".join(f"'{fmt.raw_header[i]}'" for i in found)
            raise FileRejected(fmt.original.name, f"column given twice ({dup}); expected one of {list(names)}", 1, canonical)
        if found:
            positions[canonical] = found[0]
    for canonical in required:
        if canonical not in positions:
            names = wanted[canonical]
            raise FileRejected(
                fmt.original.name,
                f"required column missing; expected a header named {' or '.join(repr(n) for n in names)}",
                1,
                canonical,
            )
    return positions


def read_params(fmt: FileFormat, n_columns: int) -> dict:
    """The bound parameters of `etl/sql/read_csv.sql`: every one of the file's columns as text c0..cN."""
    return {
        "path": str(fmt.path),
        "delim": fmt.delimiter,
        "encoding": fmt.encoding,
        "compression": "gzip" if fmt.compressed else "none",
        "columns": {f"c{i}": "VARCHAR" for i in range(n_columns)},
        "dateformat": "%Y-%m-%d",  # for a column read as DATE (none here: the one pass may)
    }


def projection(pos: dict[str, int], columns, suffix: str = "", trim: bool = False) -> str:
    """The select list naming the file's text columns after ours: `c<i> as <column><suffix>` for each
    of `columns` (NULL for an optional column the file lacks; trimmed, blank as NULL, with `trim`).
    Built only from our fixed column names and the header's positions, never from data."""

    def one(name: str) -> str:
        if name not in pos:
            return f"cast(null as varchar) as {name}{suffix}"
        col = f"c{pos[name]}"
        return f"{f'nullif(trim({col}), {chr(39) * 2})' if trim else col} as {name}{suffix}"

    return ", ".join(one(c) for c in columns)


def ordered(con: duckdb.DuckDBPyConnection, text: str, params: dict, progress=None) -> None:
    """Run one statement with `preserve_insertion_order` on: the only statements that need it
    are the reads whose rowids stand for file order (line numbers). Everything else runs
    without it, which lets DuckDB parallelise freely."""
    con.execute("set preserve_insertion_order = true")
    try:
        if progress is not None:
            progress(con, text, bind_used(text, params))
        else:
            con.execute(text, bind_used(text, params))
    finally:
        con.execute("set preserve_insertion_order = false")


def drop_rejects(con: duckdb.DuckDBPyConnection) -> None:
    """Forget the rejects of the previous read (DuckDB keeps them in two temporary tables)."""
    con.execute("drop table if exists csv_rejects")
    con.execute("drop table if exists csv_reject_scans")


def stage_rejects(con: duckdb.DuckDBPyConnection) -> bool:
    """From DuckDB's rejects of the last read: `scratch.malformed_lines` (one row per wrong-shaped
    line) and `scratch.reject_shift` (see `reject_shift.sql`). Returns whether any line was
    rejected."""
    if count(con, "select count(*) from csv_rejects where error_type = 'INVALID UNICODE'"):
        raise InvalidUnicode()
    run(con, "malformed_lines")
    run(con, "reject_shift")
    return count(con, "select count(*) from scratch.reject_shift") > 0


def stage_lines(con: duckdb.DuckDBPyConnection, fmt: FileFormat, n_columns: int, progress=None) -> None:
    """Stage the file as text columns c0..cN plus `line_number` in `scratch.staged_lines`;
    wrong-shaped lines go to `scratch.malformed_lines` with their line numbers."""
    drop_rejects(con)
    try:
        ordered(con, sql("staged_lines_unnumbered"), read_params(fmt, n_columns), progress)
    except duckdb.Error as exc:
        raise unreadable(fmt, exc) from None
    stage_rejects(con)
    run(con, "staged_lines")
    con.execute("drop table scratch.staged_lines_unnumbered")


class InvalidUnicode(Exception):
    """The file looked like UTF-8 at its start but is not (load.py reads it as Windows-1252)."""


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300]


def unreadable(fmt: FileFormat, exc: duckdb.Error, what: str = "cannot be read as CSV") -> FileRejected:
    """The rejection for a failed read. Running out of memory is not the file's fault: say so,
    and what to change."""
    if isinstance(exc, duckdb.OutOfMemoryException):
        limit = os.environ.get("CYBERTRENDS_ETL_MEMORY_LIMIT", "1GB")
        return FileRejected(fmt.original.name, f"the load ran out of memory (DuckDB memory limit {limit}); "
                            "set CYBERTRENDS_ETL_MEMORY_LIMIT higher (e.g. 2GB) and load again")
    return FileRejected(fmt.original.name, f"{what}: {_first_line(exc)}")


def count(con, text: str, params=None) -> int:
    """The single integer `text` returns."""
    return int(con.execute(text, params or {}).fetchone()[0])
