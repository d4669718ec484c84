"""Named read queries over the pre-aggregated tables. No Streamlit here.

Every user value is a bound parameter. The only identifiers placed in SQL text come from the
fixed mappings below (breakdown dimensions and the period grain), never from user input.
"""

from __future__ import annotations

import itertools
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from cybertrends import disclosure
from cybertrends.filters import Filters
from cybertrends.rollups import ALL_REGIONS

# pandas 3's text dtype (`str`) kept in NumPy object arrays rather than Arrow: the pages work on
# small frames (tens to hundreds of rows), where every Arrow-backed take, slice and lookup costs a
# conversion. Same dtype and missing value (NaN), so no behaviour changes; measured 17-21 % less
# server time per page (BENCHMARKS.md, issue 12). Set here, where the app's frames come from (every
# page and chart reads through this module), not when `cybertrends` is imported: the ETL imports
# `cybertrends` but not pandas (about 0.5 s of its start).
pd.set_option("mode.string_storage", "python")

# DuckDB threads per statement on the app's connection: page statements read small pre-aggregated tables,
# and sessions already run them side by side on their own threads; on 2 cores one thread each measured
# 10-25 % less CPU per page (bench.pages).
QUERY_THREADS = 1

# Breakdown dimensions a caller may group by -> SQL expression over agg_counts.
COUNT_DIMENSIONS = {
    "period_start": "period_start",
    "region_code": "region_code",
    "crime_code": "crime_code",
    "victim_age_group": "victim_age_group",
    "victim_sex": "victim_sex",
}
MODALITY_DIMENSIONS = {
    "period_start": "period_start",
    "region_code": "region_code",
    "crime_code": "crime_code",
    "victim_age_group": "victim_age_group",
    "modality": "modality",
    "channel": "channel",
}
# Breakdowns a caller may ask of the fiscal-district counts -> column of agg_counts.
FISCAL_DIMENSIONS = {"fiscal_district": "fiscal_district", "region_code": "region_code", "period_start": "period_start"}
GRAIN_EXPR = {"month": "period_start", "year": "date_trunc('year', period_start)::date"}

_WHERE = """
    source = $source
    and period_start between $date_from and $date_to
    and (len($regions) = 0 or list_contains($regions, region_code))
    and list_contains($crimes, crime_code)
"""
_WHERE_ALL_REGIONS = """
    source = $source
    and period_start between $date_from and $date_to
    and list_contains($crimes, crime_code)
"""
_WHERE_GROUPS = " and (len($groups) = 0 or list_contains($groups, victim_age_group))"


def _cells_table(table: str, dims: list[tuple[str, str]], where: str, roll_up: str | None) -> tuple[str, str]:
    """The table the cells of `dims` are read from, and its filter: `table`'s roll-up over every
    region (ALL_REGIONS) with the filter `roll_up` when one is given (the view filters no region)
    and the cells are not by region, else `table` with `where`."""
    if roll_up is None or any(name == "region_code" for name, _ in dims):
        return table, where
    return ALL_REGIONS[table][0], roll_up


def bind(sql: str, params: dict) -> dict:
    """Only the parameters the statement uses (DuckDB rejects unused named parameters)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


def _dims(by: tuple[str, ...], allowed: dict[str, str], grain: str) -> list[tuple[str, str]]:
    out = []
    for name in by:
        if name not in allowed:
            raise ValueError(f"unknown breakdown {name!r}; expected one of {sorted(allowed)}")
        expr = GRAIN_EXPR[grain] if name == "period_start" else allowed[name]
        out.append((name, expr))
    return out


def published_sql(table: str, dims: list[tuple[str, str]], where: str, sums: dict[str, str] | None = None) -> str:
    """SQL for the cells of `table` grouped by `dims`, every count published through the
    cell-key method (cybertrends/disclosure.py): each cell's count and key sum are looked up
    in `ref_perturbation`. This is the one gate between the exact aggregates and anything a
    page, export or briefing shows. `sums` are further summed columns (e.g. money), hidden
    where the published count is 0."""
    names = [name for name, _ in dims]
    select = "".join(f"{expr} as {name}, " for name, expr in dims)
    extra = "".join(f", {expr} as {name}" for name, expr in (sums or {}).items())
    group = f"group by {', '.join(str(i + 1) for i in range(len(dims)))}" if dims else ""
    join, shown = disclosure.perturbed_sql("c.n", "c.key_sum")
    extra_out = "".join(f", case when {shown} = 0 then null else c.{name} end as {name}" for name in (sums or {}))
    order = f"order by {', '.join(names)}" if names else ""
    return f"""
        with c as (
            select {select}coalesce(sum(report_count), 0)::bigint as n, sum(key_sum)::bigint as key_sum{extra}
            from {table}
            where {where}
            {group}
        )
        select {''.join(f'c.{n}, ' for n in names)}{shown}::bigint as report_count{extra_out}
        from c left join ref_perturbation p on {join}
        {order}
    """


def published_sets_sql(table: str, dims: list[tuple[str, str]], sets: list[list[tuple[str, str]]], where: str,
                       sums: dict[str, str] | None = None) -> str:
    """`published_sql` for several breakdowns of the same cells at once: one row per cell of each
    grouping set in `sets` (each a sub-list of `dims`, in their order), with `_set`, the set's
    `grouping()` bit mask (see `set_mask`). Each cell is published exactly as `published_sql` of
    its own breakdown publishes it (the same count and key sum, looked up the same way); rows
    come ordered by `_set`, then as `published_sql` orders them."""
    names = [name for name, _ in dims]
    select = "".join(f"{expr} as {name}, " for name, expr in dims)
    extra = "".join(f", {expr} as {name}" for name, expr in (sums or {}).items())
    exprs = [expr for _, expr in dims]
    grouping = ", ".join(f"({', '.join(expr for _, expr in s)})" for s in sets)
    join, shown = disclosure.perturbed_sql("c.n", "c.key_sum")
    extra_out = "".join(f", case when {shown} = 0 then null else c.{name} end as {name}" for name in (sums or {}))
    return f"""
        with c as (
            select {select}coalesce(sum(report_count), 0)::bigint as n, sum(key_sum)::bigint as key_sum{extra},
                   grouping({', '.join(exprs)}) as _set
            from {table}
            where {where}
            group by grouping sets ({grouping})
        )
        select c._set, {''.join(f'c.{n}, ' for n in names)}{shown}::bigint as report_count{extra_out}
        from c left join ref_perturbation p on {join}
        order by _set, {', '.join(names)}
    """


def set_mask(dims: list[tuple[str, str]], subset: list[tuple[str, str]]) -> int:
    """The `grouping()` value of the grouping set `subset` of `dims`: a bit per dimension left out
    (the first dimension the highest bit)."""
    return sum(1 << (len(dims) - 1 - i) for i, d in enumerate(dims) if d not in subset)


def _published(con, table: str, dims: list[tuple[str, str]], where: str, params: dict,
               sums: dict[str, str] | None = None, also: list[tuple[str, str]] = (),
               roll_up: str | None = None) -> pd.DataFrame:
    """The published cells of `table` by `dims` (`published_sql`), as a DataFrame; read from its
    roll-up over every region with the filter `roll_up`, when one is given, for cells not by region.

    On a connection that answers repeated statements (charts.answers), one round trip also
    answers the coarser breakdowns of the same cells (each subset of up to two dimensions, or the
    total of more), which the charts of a page ask for next (the total beside the parts, the
    year beside the year and type), and the breakdown by each dimension of `also` alone (a sibling
    chart's, e.g. the channel beside the modality): each is kept as the answer to its own statement."""
    read_table, read_where = _cells_table(table, dims, where, roll_up)  # this statement's and its grouping sets'
    sql = published_sql(read_table, dims, read_where, sums)
    bound = bind(sql, params)
    answers = getattr(con, "answers", None)
    if answers is None or answers.has(sql, bound, "df") or _derived(answers, read_table, dims, read_where, sums, sql, bound):
        return con.execute(sql, bound).df()
    if not dims:
        return con.execute(sql, bound).df()
    subsets = ([list(s) for k in range(len(dims), -1, -1) for s in itertools.combinations(dims, k)]
               if len(dims) <= 2 else [list(dims), []])
    siblings = [d for d in also if d not in dims]
    subsets += [[d] for d in siblings]
    every = list(dims) + siblings  # the grouping sets are sub-lists of these, in this order
    wanted = []
    for subset in subsets:
        part_table, part_where = _cells_table(table, subset, where, roll_up)
        part_sql = published_sql(part_table, subset, part_where, sums)
        part_params = bind(part_sql, params)
        if subset == list(dims) or not answers.has(part_sql, part_params, "df"):
            wanted.append((subset, part_sql, part_params))
    if len(wanted) == 1:
        return con.execute(sql, bound).df()
    columns_out = list(sums or {})

    def split(df: pd.DataFrame):
        sets = df["_set"].to_numpy()  # ascending: each grouping set's rows are one block
        for subset, part_sql, part_params in wanted:
            mask = set_mask(every, subset)
            start, stop = sets.searchsorted(mask, "left"), sets.searchsorted(mask, "right")
            columns = [df.columns.get_loc(c) for c in [name for name, _ in subset] + ["report_count"] + columns_out]
            yield part_sql, part_params, df.iloc[start:stop, columns].reset_index(drop=True)

    answers.run_split(con.con, published_sets_sql(read_table, every, [s for s, _, _ in wanted], read_where, sums), bound, split)
    return con.execute(sql, bound).df()


def _derived(answers, table: str, dims: list[tuple[str, str]], where: str, sums: dict[str, str] | None,
             sql: str, bound: dict) -> bool:
    """Answer a statement from cells already published (see `_from_years`, `_from_crimes`); keeps the
    answer under the statement and says whether it could."""
    return (_from_years(answers, table, dims, where, sums, sql, bound)
            or _from_crimes(answers, table, dims, where, sums, sql, bound))


def _from_crimes(answers, table: str, dims: list[tuple[str, str]], where: str, sums: dict[str, str] | None,
                 sql: str, bound: dict) -> bool:
    """Answer a statement about one crime type from cells already published by crime type for several,
    with the same filters otherwise (e.g. the reports without an article by year, from the counts by year
    and crime type): the same cells, published the same way. A crime with no cell is left to DuckDB."""
    crimes = bound.get("crimes")
    if not isinstance(crimes, list) or len(crimes) != 1 or any(name == "crime_code" for name, _ in dims):
        return False
    crime = ("crime_code", COUNT_DIMENSIONS["crime_code"])
    same = _frozen_values({k: v for k, v in bound.items() if k != "crimes"})

    def covers(params: dict) -> bool:
        return crimes[0] in params["crimes"] and {k: v for k, v in params.items() if k != "crimes"} == same

    for wide_dims in ([*dims, crime], [crime, *dims]) if dims else ([crime],):
        wide = answers.find(published_sql(table, wide_dims, where, sums), "df", covers)
        if wide is not None:
            at = np.flatnonzero(wide["crime_code"].to_numpy() == crimes[0])
            if not len(at):
                return False
            columns = [i for i, c in enumerate(wide.columns) if c != "crime_code"]
            answers.keep(sql, bound, "df", _cut(wide, at, columns))
            return True
    return False


def _from_years(answers, table: str, dims: list[tuple[str, str]], where: str, sums: dict[str, str] | None,
                sql: str, bound: dict) -> bool:
    """Answer a statement over whole calendar years from cells already published by year over a wider
    span, with the same filters otherwise (e.g. a year's counts by crime type, from the counts by year and
    crime type of the whole selection): each is the same cell (the same rows, so the same count and key
    sum, published the same way). Keeps the answer under the statement and says whether it could; a
    statement whose years have no cell at all is left to DuckDB (what an empty span publishes)."""
    lo, hi = bound.get("date_from"), bound.get("date_to")
    if not isinstance(lo, date) or not isinstance(hi, date) or (lo.month, lo.day, hi.month, hi.day) != (1, 1, 12, 31):
        return False
    year = ("period_start", GRAIN_EXPR["year"])
    names = [name for name, _ in dims]
    if "period_start" in names:
        if year not in dims:
            return False  # by month: not in a by-year answer
        wide_dims = dims
    elif lo.year == hi.year:
        wide_dims = [year, *dims]
    else:
        return False
    same = _frozen_values({k: v for k, v in bound.items() if k not in ("date_from", "date_to")})

    def covers(params: dict) -> bool:
        return (params["date_from"] <= lo and params["date_to"] >= hi
                and {k: v for k, v in params.items() if k not in ("date_from", "date_to")} == same)

    wide = answers.find(published_sql(table, wide_dims, where, sums), "df", covers)
    if wide is None:
        return False
    starts = wide["period_start"].to_numpy()  # years as their first day
    at = np.flatnonzero((starts >= np.datetime64(date(lo.year, 1, 1))) & (starts <= np.datetime64(date(hi.year, 1, 1))))
    if not len(at):
        return False
    columns = [i for i, c in enumerate(wide.columns) if c != "period_start" or "period_start" in names]
    answers.keep(sql, bound, "df", _cut(wide, at, columns))
    return True


def _cut(df: pd.DataFrame, at, columns: list[int]) -> pd.DataFrame:
    """The rows at positions `at` (ascending) and the columns at positions `columns` of `df`, indexed
    0, 1, ... (a run of rows is sliced; pandas takes scattered rows faster with `take` than with `iloc`)."""
    if at[-1] - at[0] + 1 == len(at):
        part = df.iloc[int(at[0]):int(at[-1]) + 1, columns]
    else:
        part = df.take(at).iloc[:, columns]
    return part.reset_index(drop=True)


def _frozen_values(params: dict) -> dict:
    """Parameter values as the answers store keeps them (lists as tuples)."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def counts(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    by: tuple[str, ...] = (),
    grain: str | None = None,
    apply_groups: bool = True,
    money: bool = True,
) -> pd.DataFrame:
    """Published report counts under the filters, broken down by `by` (one row per cell), with the
    money lost (`amount_lost_pen`) unless `money` is false (charts show no money: summing it is a
    third of a statement's time).

    Every count is a cell of its own, perturbed by the cell-key method for record-level
    sources (a total is not the sum of its published parts). `grain` re-buckets periods
    ('year' sums months into years); default is the filter's grain. Victim-group filtering
    applies to sources that record age (their rows carry a group)."""
    dims = _dims(by, COUNT_DIMENSIONS, grain or f.grain)
    groups = _WHERE_GROUPS if apply_groups else ""
    return _published(con, "agg_counts", dims, _WHERE + groups, f.params(),
                      {"amount_lost_pen": "sum(amount_lost_pen)::double"} if money else None, roll_up=_roll_up(f, groups))


def modality_counts(con: duckdb.DuckDBPyConnection, f: Filters, by: tuple[str, ...], grain: str | None = None) -> pd.DataFrame:
    """Published counts by modality / channel (record-level sources only). Asked by one of the two, the
    statement answers the other too (the crime-types page shows both)."""
    dims = _dims(by, MODALITY_DIMENSIONS, grain or f.grain)
    sibling = {("modality",): "channel", ("channel",): "modality"}.get(tuple(by))
    also = [(sibling, MODALITY_DIMENSIONS[sibling])] if sibling else []
    return _published(con, "agg_modality", dims, _WHERE + _WHERE_GROUPS, f.params(), also=also,
                      roll_up=_roll_up(f, _WHERE_GROUPS))


def _roll_up(f: Filters, groups: str) -> str | None:
    """The filter of a view on the aggregates' roll-ups over every region, or None when it filters regions."""
    return None if f.regions else _WHERE_ALL_REGIONS + groups


def lima_split(con: duckdb.DuckDBPyConnection, f: Filters, grain: str | None = None,
               by_period: bool = True) -> pd.DataFrame:
    """Lima Metropolitana vs the rest of Lima region, where the source can tell them apart:
    per period, or (`by_period=False`) one cell per area over the whole filter."""
    dims = ([("period_start", GRAIN_EXPR[grain or f.grain])] if by_period else []) + [("lima_area", "lima_area")]
    where = """source = $source and period_start between $date_from and $date_to
          and list_contains($crimes, crime_code)
          and (len($groups) = 0 or victim_age_group is null or list_contains($groups, victim_age_group))
          and (len($regions) = 0 or list_contains($regions, '15'))"""
    return _published(con, "agg_lima_area", dims, where, f.params())


def recorded_breakdowns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, bool]:
    """Whether the source records the modality and the channel of a report at all (any row
    with a known value). Sources that only count reports per article (mpfn, sidpol) do not."""
    row = con.execute(
        """select coalesce(bool_or(coalesce(modality, 'unknown') <> 'unknown'), false),
                  coalesce(bool_or(coalesce(channel, 'unknown') <> 'unknown'), false)
        from agg_modality_all_regions where source = $source""",
        {"source": source},
    ).fetchone()
    return {"modality": bool(row[0]), "channel": bool(row[1])}


def lima_split_available(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """Whether the source tells Lima Metropolitana apart from the rest of Lima region
    (record-level and SIDPOL sources by district, MPFN by the province of the office)."""
    row = con.execute(
        "select count(*) from agg_lima_area where source = $source and lima_area is not null",
        {"source": source},
    ).fetchone()
    return bool(row and row[0])


def has_fiscal_districts(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """Whether the source records the Ministerio Público's fiscal district (MPFN only)."""
    row = con.execute(
        "select 1 from agg_counts where source = $source and fiscal_district is not null limit 1",
        {"source": source},
    ).fetchone()
    return row is not None


def fiscal_district_counts(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    by: tuple[str, ...] = ("fiscal_district",),
    district: str | None = None,
) -> pd.DataFrame:
    """Report counts by fiscal district under the filters (period, regions of the offices,
    crime types), broken down by `by`; `district` keeps one fiscal district only.

    Rows without a fiscal district (sources other than MPFN) are left out."""
    dims = []
    for name in by:
        if name not in FISCAL_DIMENSIONS:
            raise ValueError(f"unknown breakdown {name!r}; expected one of {sorted(FISCAL_DIMENSIONS)}")
        dims.append((name, GRAIN_EXPR[f.grain] if name == "period_start" else FISCAL_DIMENSIONS[name]))
    where = """source = $source
          and period_start between $date_from and $date_to
          and (len($regions) = 0 or list_contains($regions, region_code))
          and list_contains($crimes, crime_code)
          and (len($groups) = 0 or list_contains($groups, victim_age_group))
          and fiscal_district is not null
          and ($district is null or fiscal_district = $district)"""
    sql = published_sql("agg_counts", dims, where)
    return con.execute(sql, bind(sql, {**f.params(), "district": district})).df()


def fiscal_districts(con: duckdb.DuckDBPyConnection, source: str, regions: tuple[str, ...] = ()) -> pd.DataFrame:
    """Every fiscal district the source has any report for, with the region of each of its
    offices (one row per district x region), optionally only offices in `regions`."""
    return con.execute(
        """select distinct fiscal_district, region_code from agg_counts
        where source = $source and fiscal_district is not null
          and (len($regions) = 0 or list_contains($regions, region_code))
        order by 1, 2""",
        {"source": source, "regions": list(regions)},
    ).df()


# Reference and metadata ------------------------------------------------------------------

def sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Sources that have data, with their coverage and their published total, in display order."""
    totals = published_sql("agg_counts", [("source", "source")], "true")
    return con.execute(
        f"""select s.*, c.period_grain, c.first_date, c.last_date, c.data_as_of, t.report_count
        from ref_source s join source_coverage c using (source) join ({totals}) t using (source)
        order by s.sort_order"""
    ).df()


def default_source(sources: list[dict]) -> str:
    """The source a view opens on when none is asked for: a real source with two or more
    years of data (growth needs a comparison), else the synthetic sample. `sources` are rows
    with source, is_synthetic, first_date and last_date (as `sources()` returns them)."""
    for row in sources:
        if not row["is_synthetic"] and row["last_date"].year > row["first_date"].year:
            return row["source"]
    synthetic = [row for row in sources if row["is_synthetic"]]
    return (synthetic or list(sources))[0]["source"]


def coverage(con: duckdb.DuckDBPyConnection, source: str) -> dict | None:
    """The source's grain, first and last date and cut date (`data_as_of`), or None when it has no data."""
    row = con.execute(
        "select period_grain, first_date, last_date, data_as_of from source_coverage where source = $s",
        {"s": source},
    ).fetchone()
    if row is None:
        return None
    return {"grain": row[0], "first_date": row[1], "last_date": row[2], "data_as_of": row[3]}


def source_periods(con: duckdb.DuckDBPyConnection, source: str) -> pd.DataFrame:
    """Every period the source has data for: the days it covers and its cut date."""
    return con.execute(
        """select period_grain, period_start, covered_from, covered_to, data_as_of
        from source_period where source = $s order by period_start""",
        {"s": source},
    ).df()


def file_periods(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per source file of a published-aggregate source and period: the days it
    covers, its cut date, and its Ley 30096 and related Penal Code reports."""
    return con.execute(
        """select f.source, f.period_grain, f.period_start,
                  max(coalesce(f.period_end, last_day(f.period_start))) as period_end,
                  f.file_name, max(f.data_as_of) as data_as_of,
                  sum(f.report_count) filter (where c.is_ley_30096)::bigint as ley_30096,
                  sum(f.report_count) filter (where not c.is_ley_30096)::bigint as penal_code
        from fact_count f join ref_crime c using (crime_code)
        group by f.source, f.period_grain, f.period_start, f.file_name
        order by f.source, f.period_start, f.file_name"""
    ).df()


def regions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The regions by INEI code: name, 2020 and 2017-census population, map id."""
    return con.execute(
        """select region_code, region_name, population_2020, population_census_2017, geojson_id
        from ref_region order by region_code"""
    ).df()


def crimes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every crime type in display order: law, article, Ley 30096 flag, and name, chapter and note in
    Spanish and English."""
    return con.execute(
        "select crime_code, law, article, is_ley_30096, name_es, name_en, chapter_es, chapter_en, note_es, note_en from ref_crime order by sort_order"
    ).df()


def crimes_with_data(con: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """Codes of the crime types the source has reports for, in display order."""
    rows = con.execute(
        """select distinct a.crime_code, c.sort_order from agg_counts a join ref_crime c using (crime_code)
        where a.source = $s order by c.sort_order""",
        {"s": source},
    ).fetchall()
    return [r[0] for r in rows]


def age_groups(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The victim age groups in display order: age bounds, at-risk and minor flags, names and legal basis."""
    return con.execute("select * from ref_age_group order by sort_order").df()


def population(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """2020 population by region and age group ('total' included)."""
    return con.execute(
        "select region_code, age_group, population_2020 from ref_region_population order by 1, 2"
    ).df()


def lima_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Lima Metropolitana ('metro') and the rest of Lima region ('rest'), with names and populations."""
    return con.execute("select * from ref_lima_area order by lima_area").df()


def modalities(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The modality codes with their Spanish and English names, in display order."""
    return con.execute("select modality, name_es, name_en from ref_modality order by sort_order").df()


def channels(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The channel codes with their Spanish and English names, in display order."""
    return con.execute("select channel, name_es, name_en from ref_channel order by sort_order").df()


def load_log(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every accepted file load, newest first: source, status, row counts (read, loaded, rejected, out of
    scope), message and cut date."""
    return con.execute(
        """select file_name, source, status, loaded_at, rows_read, rows_loaded, rows_rejected,
                  rows_out_of_scope, message, data_as_of
        from load_log order by loaded_at desc, file_name"""
    ).df()


def rejected_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Rejected rows counted per file, column and reason (most frequent first within a file)."""
    return con.execute(
        """select file_name, column_name, reason, count(*)::bigint as row_count
        from rejected_rows group by all order by file_name, row_count desc"""
    ).df()


def report_counts_table(con: duckdb.DuckDBPyConnection, f: Filters) -> pd.DataFrame:
    """The rows of the `report_counts` contract under the filters, as published (the data
    download of the methods page): each row is a cell, perturbed like every other count."""
    dims = [("source", "a.source"), ("period_start", "a.period_start"), ("period_grain", "a.period_grain"),
            ("period_end", "a.period_end"), ("region_code", "a.region_code"), ("region_name", "r.region_name"),
            ("fiscal_district", "a.fiscal_district"), ("law", "k.law"), ("article", "k.article"),
            ("crime_name_es", "k.name_es"), ("crime_name_en", "k.name_en"),
            ("victim_age_group", "a.victim_age_group"), ("victim_sex", "a.victim_sex")]
    table = """agg_counts a join ref_region r on r.region_code = a.region_code
               join ref_crime k on k.crime_code = a.crime_code"""
    where = """a.source = $source and a.period_start between $date_from and $date_to
          and (len($regions) = 0 or list_contains($regions, a.region_code))
          and list_contains($crimes, a.crime_code)
          and (len($groups) = 0 or a.victim_age_group is null or list_contains($groups, a.victim_age_group))"""
    sql = published_sql(table, dims, where).replace("coalesce(sum(report_count), 0)", "coalesce(sum(a.report_count), 0)") \
        .replace("sum(key_sum)", "sum(a.key_sum)")
    df = con.execute(sql, bind(sql, f.params())).df()
    return df.sort_values(["period_start", "region_code", "law", "article", "victim_age_group", "victim_sex"],
                          kind="stable", ignore_index=True)


def build_info(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The `meta` table as a dict: schema_version, build_id and built_at of this database."""
    return dict(con.execute("select key, value from meta").fetchall())


def period_bounds(con: duckdb.DuckDBPyConnection, source: str) -> tuple[date, date] | None:
    """The first and last period start the source has counts for, or None when it has none."""
    row = con.execute(
        "select min(period_start), max(period_start) from agg_counts where source = $s", {"s": source}
    ).fetchone()
    return None if row[0] is None else (row[0], row[1])
