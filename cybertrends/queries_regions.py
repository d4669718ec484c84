"""Read queries of the Regions page that `queries.py` does not have. No Streamlit here.

Same rules as `queries.py`: every user value is a bound parameter, no identifiers from input.
"""

from __future__ import annotations

import duckdb


def lima_split_available(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """Whether the source tells Lima Metropolitana apart from the rest of Lima region
    (record-level and SIDPOL sources do; MPFN's fiscal districts do not)."""
    row = con.execute(
        "select count(*) from agg_lima_area where source = $source and lima_area is not null",
        {"source": source},
    ).fetchone()
    return bool(row and row[0])
