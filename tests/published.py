"""Independent computation of what the app may publish, for tests.

Record-level sources (incidents, synthetic) are published through the cell-key method: the
expected value of a cell is computed here from the facts (`fact_incident`: the count of its
records and the sum of their record keys) and looked up with `disclosure.perturb`, without the
app's aggregates or its SQL gate. Published aggregates (mpfn, sidpol) are exact sums of
`fact_count`.
"""

from __future__ import annotations

from cybertrends import disclosure
from tests.conftest import query

# Cell dimensions over fact_incident (record-level sources) and fact_count (aggregates).
INCIDENT_DIMS = {
    "year": "year(report_date)",
    "month": "date_trunc('month', report_date)::date",
    "region_code": "region_code",
    "crime_code": "crime_code",
    "victim_age_group": "victim_age_group",
    "victim_sex": "victim_sex",
    "modality": "coalesce(modality, 'unknown')",
    "channel": "coalesce(channel, 'unknown')",
    "lima_area": "lima_area",
}
COUNT_DIMS = {"year": "year(period_start)", "month": "period_start", "region_code": "region_code",
              "crime_code": "crime_code", "fiscal_district": "fiscal_district", "lima_area": "lima_area"}


def published(db, source: str, by: tuple[str, ...] = (), where: str = "true", params: dict | None = None) -> dict:
    """{cell key tuple (or () for the total): published count} for `source`, cells grouped by
    `by` (names in INCIDENT_DIMS / COUNT_DIMS), rows filtered by the SQL `where` over the fact
    table (its own column names; bound `params`). Cells with no records are absent (zero)."""
    record_level = source in disclosure.RECORD_LEVEL_SOURCES
    dims = INCIDENT_DIMS if record_level else COUNT_DIMS
    select = "".join(f"{dims[b]} as d{i}, " for i, b in enumerate(by))
    group = f"group by {', '.join(f'd{i}' for i in range(len(by)))}" if by else ""
    if record_level:
        sql = f"""select {select}count(*) as n, sum(record_key) as k from fact_incident
                  where source = $source and ({where}) {group}"""
    else:
        sql = f"""select {select}sum(report_count) as n, null as k from fact_count
                  where source = $source and ({where}) {group}"""
    out = {}
    for row in query(db, sql, {"source": source, **(params or {})}):
        *keys, n, k = row
        if n:
            out[tuple(keys)] = disclosure.perturb(int(n), None if k is None else int(k))
    return out


def total(db, source: str, where: str = "true", params: dict | None = None) -> int:
    """The published total of the rows `where` selects (a cell of its own)."""
    return published(db, source, (), where, params).get((), 0)
