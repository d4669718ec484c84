"""Read queries of the Regions page that `queries.py` does not have. No Streamlit here.

Same rules as `queries.py`: every user value is a bound parameter, no identifiers from input
(the breakdown columns and the period expression come from the fixed mappings below).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from cybertrends.filters import Filters
from cybertrends.queries import GRAIN_EXPR, bind, published_sql

# Breakdowns a caller may ask of the fiscal-district counts -> column of agg_counts.
FISCAL_DIMENSIONS = {"fiscal_district": "fiscal_district", "region_code": "region_code", "period_start": "period_start"}


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
