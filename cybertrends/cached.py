"""Streamlit caching around the library. The only library module that imports Streamlit.

The cache key of every query includes the database *version* (inode, mtime, size of the file):
when the ETL swaps in a new database, the next rerun sees a new version, opens a new read-only
connection and computes fresh results; no restart needed.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from cybertrends import charts, db, paths, queries
from cybertrends.charts.base import Context
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters


class DatabaseUnavailable(Exception):
    """The database is missing, unreadable or empty; `kind` says which."""

    def __init__(self, kind: str, path: Path, error: str = ""):
        self.kind, self.path, self.error = kind, path, error
        super().__init__(f"{kind}: {path} {error}".strip())


def db_version() -> tuple[str, int, int, int]:
    """The database file's version (path, inode, mtime in ns, size), part of every cache key;
    DatabaseUnavailable('missing') when there is no file."""
    path = paths.db_path()
    try:
        st_ = path.stat()
    except FileNotFoundError:
        raise DatabaseUnavailable("missing", path) from None
    return (str(path), st_.st_ino, st_.st_mtime_ns, st_.st_size)


@st.cache_resource(max_entries=2, show_spinner=False)
def _connection(version: tuple) -> duckdb.DuckDBPyConnection:
    return db.open_read_only(version[0])


def cursor(version: tuple | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor on the current database (one per call: connections are not thread-safe)."""
    version = version or db_version()
    try:
        return db.cursor(_connection(version))
    except duckdb.Error as exc:
        raise DatabaseUnavailable("unreadable", Path(version[0]), str(exc).splitlines()[0][:200]) from None


@st.cache_resource(max_entries=2, show_spinner=False)
def _shared(version: tuple) -> dict:
    """Reference lookups shared by all charts of one database version (see charts.base)."""
    return {}


@st.cache_data(max_entries=64, show_spinner=False)
def _sources(version: tuple) -> pd.DataFrame:
    return queries.sources(cursor(version))


def sources() -> pd.DataFrame:
    """Sources that have data, with coverage and published total, in display order (cached);
    DatabaseUnavailable('empty') when there are none."""
    version = db_version()
    df = _sources(version)
    if df.empty:
        raise DatabaseUnavailable("empty", Path(version[0]))
    return df


@st.cache_data(max_entries=64, show_spinner=False)
def _reference(version: tuple, name: str) -> pd.DataFrame:
    getter = {
        "regions": queries.regions, "crimes": queries.crimes, "age_groups": queries.age_groups,
        "load_log": queries.load_log, "rejected_summary": queries.rejected_summary,
        "modalities": queries.modalities, "channels": queries.channels,
    }[name]
    return getter(cursor(version))


def reference(name: str) -> pd.DataFrame:
    """A reference or metadata table by name (regions, crimes, age_groups, load_log, ...)."""
    return _reference(db_version(), name)


@st.cache_data(max_entries=64, show_spinner=False)
def _period_options(version: tuple, source: str) -> list[str]:
    con = cursor(version)
    cov = queries.coverage(con, source)
    bounds = queries.period_bounds(con, source)
    if cov is None or bounds is None:
        return []
    first, last = bounds
    if cov["grain"] == "year":
        return [str(y) for y in range(first.year, last.year + 1)]
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def period_options(source: str) -> list[str]:
    """'YYYY-MM' (monthly sources) or 'YYYY' (yearly) for every period with data."""
    return _period_options(db_version(), source)


@st.cache_data(max_entries=64, show_spinner=False)
def _source_periods(version: tuple, source: str) -> pd.DataFrame:
    return queries.source_periods(cursor(version), source)


def source_periods(source: str) -> pd.DataFrame:
    """Every period the source has data for, with the days it covers and its cut date."""
    return _source_periods(db_version(), source)


@st.cache_data(max_entries=64, show_spinner=False)
def _crimes_with_data(version: tuple, source: str) -> list[str]:
    return queries.crimes_with_data(cursor(version), source)


def crimes_with_data(source: str) -> list[str]:
    """Crime codes the source has any report for."""
    return _crimes_with_data(db_version(), source)


@st.cache_data(max_entries=2000, show_spinner=False)
def _chart(version: tuple, chart_id: str, f: Filters, options: tuple) -> ChartSpec | None:
    return charts.build(chart_id, cursor(version), f, shared=_shared(version), **dict(options))


def chart(chart_id: str, f: Filters, **options) -> ChartSpec | None:
    """The chart `chart_id` under the filters (see cybertrends.charts)."""
    return _chart(db_version(), chart_id, f, tuple(sorted(options.items())))


@st.cache_data(max_entries=500, show_spinner=False)
def _compute(version: tuple, module: str, function: str, f: Filters, options: tuple):
    import importlib

    fn = getattr(importlib.import_module(f"cybertrends.charts.{module}"), function)
    return fn(Context(cursor(version), f, dict(options), _shared(version)))


def compute(module: str, function: str, f: Filters, **options):
    """A cached non-chart computation from a chart module (headlines, findings, tables)."""
    return _compute(db_version(), module, function, f, tuple(sorted(options.items())))


@st.cache_data(max_entries=200, show_spinner=False)
def _table(version: tuple, name: str, f: Filters) -> pd.DataFrame:
    getter = {"report_counts": queries.report_counts_table}[name]
    return getter(cursor(version), f)


def table(name: str, f: Filters) -> pd.DataFrame:
    """A download table by name under the filters ('report_counts': the published rows of the report_counts
    contract), cached."""
    return _table(db_version(), name, f)
