"""Load step: run adapters on files, record what happened, rebuild aggregates, publish.

One command is one unit: if any file is rejected, nothing from that command is published and
the live database stays exactly as it was.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from cybertrends import disclosure, paths, rollups
from etl import SOURCES, adapters, digest, publish, reference
from etl.detect import FileFormat, FileRejected, sniff, use_windows_1252
from etl.sqlfiles import run as run_sql
from etl.sqlfiles import sql

log = logging.getLogger(__name__)

SCHEMA_VERSION = "3"  # 2: fact_report (narrow) + dim_code, fact_incident a view; 3: fact_report.profile_key
# DuckDB's memory limit for a load (it spills beyond it); keeps a 10-million-row load small.
MEMORY_LIMIT = os.environ.get("CYBERTRENDS_ETL_MEMORY_LIMIT", "1GB")
FACT_TABLES = ("fact_report", "fact_count")  # where an adapter's rows go
DATA_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz")


@dataclass
class FileSummary:
    """One file's result: source, status (loaded, replaced, unchanged or rejected), row counts, seconds,
    message, the most common rejection reasons and the cut date."""

    file_name: str
    source: str
    status: str  # loaded | replaced | unchanged | rejected
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_out_of_scope: int = 0
    seconds: float = 0.0
    message: str = ""
    top_reasons: list[tuple[str, str, int]] = field(default_factory=list)
    data_as_of: date | None = None


@dataclass
class LoadOutcome:
    """What a load did: one summary per file, whether the database was published, and its path."""

    files: list[FileSummary]
    published: bool
    db: Path

    @property
    def rejected(self) -> list[FileSummary]:
        """The files rejected whole."""
        return [f for f in self.files if f.status == "rejected"]

    @property
    def exit_code(self) -> int:
        """The command's exit status: 2 when any file was rejected, else 0."""
        return 2 if self.rejected else 0


def raw_files(folder: Path = paths.RAW_DIR) -> list[Path]:
    """Every data file under `data/raw/` (recursively), in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith(DATA_SUFFIXES))


def _choose_source(fmt: FileFormat, requested: str) -> str:
    detected = adapters.detect_source(fmt)
    name = fmt.original.name.lower()
    if requested == "auto":
        if detected is None:
            raise FileRejected(
                fmt.original.name,
                "unrecognised header; expected the canonical incidents columns (report_id, report_date, "
                "ubigeo, crime_code, ...), the MPFN 'delitos' columns or the SIDPOL columns",
                1,
            )
        if detected == "incidents" and ("synthetic" in name or "sintetic" in name):
            return "synthetic"
        return detected
    if requested in ("incidents", "synthetic"):
        return requested
    return requested


class _Progress:
    """Runs a long DuckDB statement in a worker thread and shows its progress (rich)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._progress = None
        self._task = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                TimeElapsedColumn(), transient=True,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc):
        if self._progress is not None:
            self._progress.stop()

    def start_file(self, name: str) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task(f"reading {name}", total=100)

    def end_file(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None

    def __call__(self, con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> None:
        if self._progress is None:
            con.execute(sql, params)
            return
        failure: list[BaseException] = []

        def work():
            try:
                con.execute(sql, params)
            except BaseException as exc:  # re-raised in the caller's thread
                failure.append(exc)

        worker = threading.Thread(target=work)
        worker.start()
        while worker.is_alive():
            worker.join(0.2)
            pct = con.query_progress()
            if pct is not None and pct >= 0:
                self._progress.update(self._task, completed=pct)
        if failure:
            raise failure[0]


def _open(staging: publish.Staging) -> duckdb.DuckDBPyConnection:
    # Staging tables live in memory (an attached in-memory database): writing them to disk
    # compressed costs more than the whole read. The memory limit keeps the process small:
    # above it DuckDB spills to `staging.scratch`, a directory beside the database that is
    # removed with it. Order is preserved only for the reads that need line numbers.
    # The database is attached under a fixed internal name: connecting to the path directly
    # would name its catalog after the file (a database called scratch.duckdb would collide
    # with the staging schema below).
    con = duckdb.connect(":memory:", config={
        "temp_directory": str(staging.scratch),
        "memory_limit": MEMORY_LIMIT,
        "preserve_insertion_order": False,
        # Every join in the ETL has the small table on its right (the build side). Left as
        # is, DuckDB misjudges the size of a CSV scan joined to several lookups and builds a
        # hash table over the whole file instead (3x slower, and out of memory at 10M rows).
        # And grouping sets are kept as one aggregate over the scan (the rewrite would first
        # materialise the whole file).
        "disabled_optimizers": "build_side_probe_side,grouping_sets",
    })
    con.execute("attach $path as cybertrends_build", {"path": str(staging.path)})
    con.execute("use cybertrends_build")
    con.execute("attach ':memory:' as scratch")
    old_table = con.execute(
        """select count(*) from duckdb_tables() where database_name = 'cybertrends_build'
           and schema_name = 'main' and table_name = 'fact_incident'""").fetchone()[0]
    if old_table:  # built before fact_report: fact_incident was the table (migrated below)
        con.execute("alter table fact_incident rename to fact_incident_v1")
    keys_table = con.execute(
        """select count(*) from duckdb_columns() where database_name = 'cybertrends_build'
           and schema_name = 'main' and table_name = 'fact_report' and column_name = 'crime_key'""").fetchone()[0]
    if keys_table:  # built before the profile key: a key column per dimension (migrated below)
        con.execute("alter table fact_report rename to fact_report_v2")
    con.execute(sql("schema"))
    con.execute(sql("macros"))
    con.execute("insert or replace into meta values ('schema_version', $v)", {"v": SCHEMA_VERSION})
    reference.load_reference_tables(con, perturbation=False)  # written by _finish
    run_sql(con, "dim_codes")
    too_many = con.execute(sql("profile_overflow")).fetchall()
    if too_many:
        raise ValueError("dim_code has more codes than fact_report's profile key can hold: " + "; ".join(
            f"{dim}: key {key}, at most {limit}" for dim, key, limit in too_many))
    if old_table:
        con.execute(sql("migrate_fact_incident"))
    if keys_table:
        con.execute(sql("migrate_fact_report_v2"))
    return con


def _drop_scratch(con) -> None:
    """Free the staging tables of a file before the next one."""
    names = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where database_name = 'scratch'").fetchall()]
    for name in names:  # our own staging tables, named by the loader; quoted as identifiers
        quoted = '"' + name.replace('"', '""') + '"'
        con.execute("drop table if exists scratch." + quoted)


def _previous(con, file_name: str):
    return con.execute(
        """select sha256, source, rows_read, rows_loaded, rows_rejected, rows_out_of_scope, data_as_of
        from load_log where file_name = $f and status in ('loaded', 'replaced')
        order by loaded_at desc limit 1""",
        {"f": file_name},
    ).fetchone()


def _load_one(con, path: Path, requested: str, strict: bool, progress: _Progress) -> FileSummary:
    started = time.perf_counter()
    file_name = path.name
    if not path.exists():
        raise FileRejected(file_name, f"file not found: {path}")
    fingerprint = digest.fingerprint(path)
    prev = _previous(con, file_name)
    hasher = digest.start(path, fingerprint)
    if prev is not None:
        sha = hasher.result()
    if prev is not None and prev[0] == sha:
        summary = FileSummary(file_name, prev[1], "unchanged", prev[2], prev[3], prev[4], prev[5],
                              message="same content as the loaded version; nothing changed", data_as_of=prev[6])
        _log(con, summary, sha)
        return summary
    try:
        fmt = sniff(path)
    except BaseException:
        hasher.result()
        raise
    try:
        source = _choose_source(fmt, requested)
        adapter = adapters.ADAPTERS[source]
        # The file's earlier rows go first (an adapter may insert its rows itself); a rejected
        # load is discarded whole, so the live database keeps them.
        con.execute("delete from fact_report where file_key = code_key('file', $f)", {"f": file_name})
        con.execute("delete from fact_count where file_name = $f", {"f": file_name})
        con.execute("delete from rejected_rows where file_name = $f", {"f": file_name})
        progress.start_file(file_name)
        try:
            try:
                result = adapter(con, fmt, file_name, source, progress)
            except adapters._InvalidUnicode:
                # Looked like UTF-8 at the start, but is not: read it as Windows-1252.
                use_windows_1252(fmt)
                result = adapter(con, fmt, file_name, source, progress)
        finally:
            progress.end_file()
        rejected_lines = int(con.execute("select count(distinct line_number) from scratch.rejections").fetchone()[0])
        if strict and rejected_lines:
            line, column, reason, value = con.execute(
                "select line_number, column_name, reason, value from scratch.rejections order by line_number limit 1"
            ).fetchone()
            raise FileRejected(
                file_name,
                f"{reason} (value {value!r}); --strict rejects the whole file ({rejected_lines} bad rows)",
                line, column,
            )
        status = "replaced" if prev is not None else "loaded"
        try:
            if result.ok_sql is None:  # inserted by the adapter in its one pass
                loaded = result.rows_loaded
            else:
                # Both pieces are ours: a fact table from a fixed list and a SELECT from etl/sql/
                # (its user values are the bound ok_params).
                if result.fact_table not in FACT_TABLES:
                    raise ValueError(f"unknown fact table {result.fact_table!r}")
                loaded = int(con.execute(f"insert into {result.fact_table} by name {result.ok_sql}",
                                         adapters.bind_used(result.ok_sql, result.ok_params)).fetchone()[0])
        except duckdb.ConstraintException:
            if digest.fingerprint(path) == fingerprint:
                raise
            loaded = -1  # rows the first pass did not see: rejected just below
        # The incidents adapter reads the file more than once: a file changed meanwhile (or a
        # read that disagrees with the first) must not load silently wrong rows or counts.
        if digest.fingerprint(path) != fingerprint:
            raise FileRejected(file_name, "the file changed while it was being loaded (its size or modification "
                                          "time changed); load it again once it is complete")
        if loaded + rejected_lines + result.rows_out_of_scope != result.rows_read:
            raise FileRejected(
                file_name,
                f"the file changed while it was being loaded ({result.rows_read:,} rows read, but "
                f"{loaded:,} loaded + {rejected_lines:,} rejected + {result.rows_out_of_scope:,} out of scope); "
                "load it again",
            )
        run_sql(con, "rejected_rows", {"file": file_name, "source": source})
        top = con.execute(
            """select column_name, reason, count(*) as n from scratch.rejections
            group by all order by n desc, column_name limit 5"""
        ).fetchall()
        notes = ([f"read as {fmt.read_as} (not UTF-8)"] if fmt.read_as else []) + result.notes
        summary = FileSummary(
            file_name, source, status, result.rows_read, loaded, rejected_lines, result.rows_out_of_scope,
            message="; ".join(notes), top_reasons=[(c, r, n) for c, r, n in top],
            data_as_of=result.data_as_of,
        )
        sha = hasher.result()
        summary.seconds = time.perf_counter() - started
        _log(con, summary, sha)
        return summary
    finally:
        hasher.result(raise_errors=False)
        fmt.cleanup()
        _drop_scratch(con)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


def _log(con, s: FileSummary, sha: str) -> None:
    con.execute(
        """insert into load_log (file_name, sha256, source, loaded_at, rows_read, rows_loaded, rows_rejected,
                                 rows_out_of_scope, status, message, seconds, data_as_of)
        values ($f, $h, $s, $t, $r, $l, $j, $o, $st, $m, $sec, $asof)""",
        {
            "f": s.file_name, "h": sha, "s": s.source, "t": datetime.now(timezone.utc).replace(tzinfo=None),
            "r": s.rows_read, "l": s.rows_loaded, "j": s.rows_rejected, "o": s.rows_out_of_scope,
            "st": s.status, "m": s.message, "sec": round(s.seconds, 3), "asof": s.data_as_of,
        },
    )


def _perturbation_started() -> threading.Thread:
    """Start computing the perturbation table's CSV text (`disclosure.perturbation_csv`, cached): about
    0.2 s of pure Python, which then runs while DuckDB reads the files (a query holds no GIL)."""
    thread = threading.Thread(target=disclosure.perturbation_csv, name="perturbation", daemon=True)
    thread.start()
    return thread


def _finish(con, perturbation: threading.Thread) -> None:
    perturbation.join()  # if it failed, load_table computes the table again and raises here
    disclosure.load_table(con)
    # The aggregates are written in their ORDER BY order (aggregates.sql turns insertion order on
    # after its first, unordered, scan of the facts).
    con.execute(sql("aggregates"))
    for name, select in rollups.ALL_REGIONS.values():  # fixed names and statements
        con.execute(f"create or replace table {name} as {select}")
    con.execute("set preserve_insertion_order = false")
    adapters.drop_rejects(con)
    con.execute("insert or replace into meta values ('build_id', $v)", {"v": uuid.uuid4().hex})
    con.execute(
        "insert or replace into meta values ('built_at', $v)",
        {"v": datetime.now(timezone.utc).isoformat(timespec="seconds")},
    )
    con.execute("checkpoint")


def load_files(
    files: list[Path],
    db: Path | None = None,
    source: str = "auto",
    strict: bool = False,
    fresh: bool = False,
    show_progress: bool = False,
) -> LoadOutcome:
    """Load `files` into `db` (default: the live database) and publish if none was rejected."""
    db = Path(db) if db else paths.db_path()
    if source not in ("auto", *SOURCES):
        raise ValueError(f"unknown source {source!r}; expected auto or one of {SOURCES}")
    summaries: list[FileSummary] = []
    perturbation = _perturbation_started()
    with publish.staged(db, fresh=fresh) as staging, _Progress(show_progress) as progress:
        try:
            con = _open(staging)
        except duckdb.IOException as exc:
            raise duckdb.IOException(f"the database {db} cannot be opened: {_first_line(exc)}") from exc
        try:
            for path in files:
                path = Path(path)
                try:
                    summaries.append(_load_one(con, path, source, strict, progress))
                except FileRejected as exc:
                    summaries.append(FileSummary(path.name, source, "rejected", message=str(exc)))
                except duckdb.OutOfMemoryException:
                    summaries.append(FileSummary(path.name, source, "rejected", message=(
                        f"{path.name}: the load ran out of memory (DuckDB memory limit {MEMORY_LIMIT}); "
                        "set CYBERTRENDS_ETL_MEMORY_LIMIT higher (e.g. 2GB) and load again")))
                except (duckdb.Error, OSError) as exc:
                    # Anything else DuckDB or the file system refuses: one line, the file named,
                    # the traceback in the log; the command still publishes nothing.
                    log.exception("unexpected error while loading %s", path)
                    summaries.append(FileSummary(path.name, source, "rejected", message=(
                        f"{path.name}: could not be loaded ({type(exc).__name__}: {_first_line(exc)})")))
            if any(s.status == "rejected" for s in summaries):
                return LoadOutcome(summaries, False, db)
            _finish(con, perturbation)
        finally:
            con.close()
        staging.publish()
    return LoadOutcome(summaries, True, db)


def build(db: Path | None = None, show_progress: bool = False) -> LoadOutcome:
    """Rebuild the database from scratch from every file under `data/raw/`."""
    return load_files(raw_files(), db=db, fresh=True, show_progress=show_progress)
