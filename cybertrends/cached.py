"""Streamlit caching around the library. The only library module that imports Streamlit.

The cache key of every query includes the database *version* (inode, mtime, size of the file):
when the ETL swaps in a new database, the next rerun sees a new version, opens a new read-only
connection and computes fresh results; no restart needed.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from cybertrends import charts, db, paths, queries
from cybertrends.charts import base, crime_types, groups, methods, overview
from cybertrends.charts import regions as region_charts
from cybertrends.charts.base import Context
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters

log = logging.getLogger(__name__)
# The computation a cached function runs is part of its key, by its full name.
_BY_NAME = {types.FunctionType: lambda fn: f"{fn.__module__}.{fn.__qualname__}"}


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
    return db.open_read_only(version[0], threads=queries.QUERY_THREADS)


def cursor(version: tuple | None = None) -> duckdb.DuckDBPyConnection:
    """A cursor on the current database (one per call: connections are not thread-safe)."""
    version = version or db_version()
    try:
        return db.cursor(_connection(version))
    except duckdb.Error as exc:
        log.error("cannot open the database %s: %s", version[0], exc)
        raise DatabaseUnavailable("unreadable", Path(version[0]), str(exc).splitlines()[0][:200]) from None


@st.cache_resource(max_entries=2, show_spinner=False)
def _shared(version: tuple) -> dict:
    """What all charts of one database version share: reference lookups (see charts.base.Context) and the
    answers to statements already run (charts.answers)."""
    return {}


@st.cache_data(max_entries=256, show_spinner=False, hash_funcs=_BY_NAME)
def _per_version(version: tuple, query: Callable, *args):
    """`query(cursor, *args)` once per database version and arguments (`query` is hashed by its name)."""
    return query(cursor(version), *args)


def sources() -> pd.DataFrame:
    """Sources that have data, with coverage and published total, in display order (cached);
    DatabaseUnavailable('empty') when there are none."""
    version = db_version()
    df = _per_version(version, queries.sources)
    if df.empty:
        raise DatabaseUnavailable("empty", Path(version[0]))
    return df


def regions() -> pd.DataFrame:
    """The regions (code, name, population), cached per database version."""
    return _per_version(db_version(), queries.regions)


def crimes() -> pd.DataFrame:
    """The crime types (code, names, group), cached per database version."""
    return _per_version(db_version(), queries.crimes)


def age_groups() -> pd.DataFrame:
    """The victim age groups (code, names, ages), cached per database version."""
    return _per_version(db_version(), queries.age_groups)


def source_periods(source: str) -> pd.DataFrame:
    """Every period the source has data for, with the days it covers and its cut date."""
    return _per_version(db_version(), queries.source_periods, source)


def crimes_with_data(source: str) -> list[str]:
    """Crime codes the source has any report for."""
    return _per_version(db_version(), queries.crimes_with_data, source)


def report_counts_table(f: Filters) -> pd.DataFrame:
    """The published rows of the report_counts contract under the filters (the download table)."""
    return _per_version(db_version(), queries.report_counts_table, f)


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


# A resource, not data: every rerun and session gets the same ChartSpec object, built once per filter set,
# instead of an unpickled copy (unpickling re-validates the whole Plotly figure, ~4x the cost of drawing it).
@st.cache_resource(max_entries=1000, show_spinner=False)
def _chart(version: tuple, chart_id: str, f: Filters, options: tuple) -> ChartSpec | None:
    return charts.build(chart_id, cursor(version), f, shared=_shared(version), **dict(options))


def chart(chart_id: str, f: Filters, **options) -> ChartSpec | None:
    """The chart `chart_id` under the filters (see cybertrends.charts), built once per database version,
    filters and options and shared by every session: read-only (exports copy the figure first)."""
    return _chart(db_version(), chart_id, f, tuple(sorted(options.items())))


@st.cache_data(max_entries=500, show_spinner=False, hash_funcs=_BY_NAME)
def _per_filters(version: tuple, compute: Callable[[Context], object], f: Filters):
    """`compute(ctx)` once per database version and filters (`compute` is hashed by its name)."""
    return compute(Context(cursor(version), f, {}, _shared(version)))


def is_synthetic(f: Filters) -> bool:
    """Whether the filters' source is the synthetic sample (pages show a notice)."""
    return _per_filters(db_version(), base.is_synthetic, f)


def overview_summary(f: Filters) -> tuple[list, list[str]]:
    """The Overview's headline figures and key findings."""
    return _per_filters(db_version(), overview.summary, f)


def crime_types_notices(f: Filters) -> dict[str, str | None]:
    """Why the Crime types page cannot show a chart (or section) for these filters, by chart id."""
    return _per_filters(db_version(), crime_types.notices, f)


def regions_no_data_message(f: Filters) -> str | None:
    """The Regions page's message when the selection has no file at all, else None."""
    return _per_filters(db_version(), region_charts.no_data_message, f)


def regions_has_fiscal_districts(f: Filters) -> bool:
    """Whether the source reports by the Ministerio Público's fiscal district."""
    return _per_filters(db_version(), region_charts.has_fiscal_districts, f)


def regions_growth_unavailable(f: Filters) -> str | None:
    """Why growth cannot be shown by region for these filters, or None."""
    return _per_filters(db_version(), region_charts.growth_unavailable, f)


def regions_fiscal_district_options(f: Filters) -> list[str]:
    """The fiscal districts a reader may choose for the trend."""
    return _per_filters(db_version(), region_charts.fiscal_district_options, f)


def regions_default_fiscal_district(f: Filters) -> str | None:
    """The fiscal district the trend shows first."""
    return _per_filters(db_version(), region_charts.default_fiscal_district, f)


def regions_lima_status(f: Filters) -> str:
    """Whether the Lima chart can be drawn: 'ok', 'not_split' or 'not_in_filter'."""
    return _per_filters(db_version(), region_charts.lima_status, f)


def groups_page_info(f: Filters) -> dict:
    """Which sections the At-risk groups page shows (age recorded, groups, proxy crimes, years)."""
    return _per_filters(db_version(), groups.page_info, f)


def groups_definitions(f: Filters) -> pd.DataFrame:
    """The at-risk group definitions table."""
    return _per_filters(db_version(), groups.definitions, f)


def methods_sources_table(f: Filters) -> pd.DataFrame:
    """The Data & methods page's table of sources."""
    return _per_filters(db_version(), methods.sources_table, f)


def methods_series_table(f: Filters) -> pd.DataFrame:
    """The Data & methods page's table of series (periods each source covers)."""
    return _per_filters(db_version(), methods.series_table, f)


def methods_crime_table(f: Filters) -> pd.DataFrame:
    """The Data & methods page's crime type definitions."""
    return _per_filters(db_version(), methods.crime_table, f)


def methods_age_table(f: Filters) -> pd.DataFrame:
    """The Data & methods page's age group definitions."""
    return _per_filters(db_version(), methods.age_table, f)


def methods_load_log_table(f: Filters) -> pd.DataFrame:
    """The Data & methods page's load log."""
    return _per_filters(db_version(), methods.load_log_table, f)


def methods_rejections_table(f: Filters) -> pd.DataFrame:
    """The Data & methods page's summary of rejected rows."""
    return _per_filters(db_version(), methods.rejections_table, f)


def methods_download_spec(f: Filters) -> ChartSpec | None:
    """The aggregated data download of the Data & methods page under the filters."""
    return _per_filters(db_version(), methods.download_spec, f)
