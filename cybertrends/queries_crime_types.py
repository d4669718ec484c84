"""Read queries used only by the crime-types page. Same rules as `queries.py`: bound
parameters only, no user value in SQL text."""

from __future__ import annotations

import duckdb


def recorded_breakdowns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, bool]:
    """Whether the source records the modality and the channel of a report at all (any row
    with a known value). Sources that only count reports per article (mpfn, sidpol) do not."""
    row = con.execute(
        """select coalesce(bool_or(coalesce(modality, 'unknown') <> 'unknown'), false),
                  coalesce(bool_or(coalesce(channel, 'unknown') <> 'unknown'), false)
        from agg_modality where source = $source""",
        {"source": source},
    ).fetchone()
    return {"modality": bool(row[0]), "channel": bool(row[1])}
