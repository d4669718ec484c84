"""Command line: `python -m etl load|build|status|sample`.

    python -m etl load PATH... [--db FILE] [--source auto|incidents|synthetic|mpfn|sidpol] [--strict]
    python -m etl build            # rebuild the default database from data/raw/
    python -m etl status           # the load log as a table
    python -m etl sample --rows N --seed S --out FILE

Exit status: 0 when every file was loaded (rows may have been quarantined), 2 when any file
was rejected or the load failed for any other reason (then nothing from the command is
published, and the reason is printed in one line; the traceback goes to the log), 1 when there
is nothing to do (no data files, no database for `status`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cybertrends import paths
from etl import SOURCES, digest

if TYPE_CHECKING:
    from etl.load import LoadOutcome


def _summary_table(outcome: LoadOutcome) -> Table:
    # File names, values and messages come from data files: printed as plain text, never as
    # rich markup (a value such as "[/red]" would otherwise vanish or crash the command).
    table = Table(title=f"Load summary → {escape(str(outcome.db))}", title_justify="left")
    for name, justify in (
        ("file", "left"), ("source", "left"), ("status", "left"), ("rows read", "right"),
        ("loaded", "right"), ("rejected", "right"), ("out of scope", "right"), ("time (s)", "right"),
    ):
        table.add_column(name, justify=justify)
    for f in outcome.files:
        status = f"[red]{f.status}[/red]" if f.status == "rejected" else f.status
        table.add_row(
            escape(f.file_name), f.source, status, f"{f.rows_read:,}", f"{f.rows_loaded:,}", f"{f.rows_rejected:,}",
            f"{f.rows_out_of_scope:,}", f"{f.seconds:.2f}",
        )
    return table


def _print_outcome(console: Console, outcome: LoadOutcome) -> None:
    console.print(_summary_table(outcome))
    for f in outcome.files:
        if f.status == "rejected":
            console.print(f"[red]REJECTED[/red] {escape(f.message)}", highlight=False)
        elif f.top_reasons:
            console.print(f"[yellow]{escape(f.file_name)}[/yellow]: {f.rows_rejected:,} rows quarantined; most common reasons:",
                          highlight=False)
            for column, reason, n in f.top_reasons:
                console.print(f"  {n:>8,}  {escape(column)}: {escape(reason)}", highlight=False)
        if f.status != "rejected" and f.message:
            console.print(f"  note ({escape(f.file_name)}): {escape(f.message)}", highlight=False)
    if outcome.published:
        console.print(f"[green]Published[/green] {escape(str(outcome.db))}", highlight=False)
    else:
        console.print(f"[red]Nothing published[/red]: the database at {escape(str(outcome.db))} is unchanged.",
                      highlight=False)


def cmd_load(args, console: Console) -> int:
    """`load`: load the files, publish, print the summary; returns 0, or 2 when a file was rejected."""
    from etl import load  # imported once the first file's digest has started (main)

    outcome = load.load_files(
        [Path(p) for p in args.paths], db=args.db, source=args.source, strict=args.strict,
        show_progress=console.is_terminal,
    )
    _print_outcome(console, outcome)
    return outcome.exit_code


def cmd_build(args, console: Console) -> int:
    """`build`: rebuild the database from every file under data/raw/; returns 1 when there is none, else as
    `load`."""
    from etl import load

    files = load.raw_files()
    if not files:
        console.print(f"[red]No data files under {escape(str(paths.RAW_DIR))}[/red]")
        return 1
    outcome = load.build(db=args.db, show_progress=console.is_terminal)
    _print_outcome(console, outcome)
    return outcome.exit_code


def cmd_status(args, console: Console) -> int:
    """`status`: print the database's load log as a table; returns 1 when there is no database."""
    db = Path(args.db) if args.db else paths.db_path()
    if not db.exists():
        console.print(f"[red]No database at {escape(str(db))}[/red]. Run `python -m etl build` first.")
        return 1
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            """select file_name, source, status, strftime(loaded_at, '%Y-%m-%d %H:%M:%S'), rows_read,
                      rows_loaded, rows_rejected, rows_out_of_scope, left(sha256, 12), coalesce(message, '')
               from load_log order by loaded_at, file_name"""
        ).fetchall()
    table = Table(title=f"Load log of {escape(str(db))}", title_justify="left")
    for name in ("file", "source", "status", "loaded at (UTC)", "read", "loaded", "rejected", "out of scope",
                 "sha256", "message"):
        table.add_column(name, justify="right" if name in ("read", "loaded", "rejected", "out of scope") else "left")
    for r in rows:
        table.add_row(*[f"{v:,}" if isinstance(v, int) else escape(str(v)) for v in r])
    console.print(table)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the subcommand; a DuckDB, file or value error prints one line and
    returns 2."""
    parser = argparse.ArgumentParser(prog="python -m etl", description="Load cybercrime CSVs into DuckDB.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load", help="load files and publish the database")
    p_load.add_argument("paths", nargs="+")
    p_load.add_argument("--db", type=Path, default=None, help=f"database file (default {paths.DEFAULT_DB})")
    p_load.add_argument("--source", default="auto", choices=("auto", *SOURCES))
    p_load.add_argument("--strict", action="store_true", help="reject a whole file if any row breaks a rule")
    p_build = sub.add_parser("build", help="rebuild the database from data/raw/")
    p_build.add_argument("--db", type=Path, default=None)
    p_status = sub.add_parser("status", help="show the load log")
    p_status.add_argument("--db", type=Path, default=None)
    p_sample = sub.add_parser("sample", help="write a synthetic sample in the canonical format")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sample"]:  # its options come from etl.sample, which imports numpy and pyarrow (0.2 s)
        from etl import sample

        sample.add_arguments(p_sample)
    args = parser.parse_args(argv)
    if args.command == "load":
        # The first file's sha256 (load_log) is computed while the ETL's libraries are imported.
        digest.prestart(Path(args.paths[0]))
    logging.basicConfig(level=os.environ.get("CYBERTRENDS_LOG_LEVEL", "WARNING"),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    console = Console(width=160) if not sys.stdout.isatty() else Console()
    try:
        if args.command == "load":
            return cmd_load(args, console)
        if args.command == "build":
            return cmd_build(args, console)
        if args.command == "status":
            return cmd_status(args, console)
        from etl import sample

        return sample.run(args)
    except (duckdb.Error, OSError, ValueError) as exc:
        logging.getLogger("etl").debug("command failed", exc_info=True)
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
        console.print(f"[red]Failed[/red]: {escape(first)} ({type(exc).__name__}); nothing was published.",
                      highlight=False, soft_wrap=True)
        return 2


if __name__ == "__main__":
    sys.exit(main())
