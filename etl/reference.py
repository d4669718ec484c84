"""Reference tables (regions, districts, population, crime types, age groups, modalities,
channels, victim sexes and types, Spanish month names, sources, fiscal districts), loaded from
`data/reference/` into the database by the SQL files `etl/sql/ref_*.sql`.

They are replaced on every publish, so an edit to a reference CSV reaches the database with
the next load.
"""

from __future__ import annotations

import duckdb

from cybertrends import disclosure, paths
from etl.sqlfiles import run

# Reference table (and the SQL file that builds it) -> the file it reads; the path is bound.
TABLES: list[tuple[str, str | None]] = [
    ("ref_region", "regions.csv"),
    ("ref_region_population", "regions.csv"),
    ("ref_fiscal_district", "regions.csv"),
    ("ref_district", "ubigeo_districts.csv"),
    ("ref_crime", "crime_types.csv"),
    ("ref_age_group", "age_groups.csv"),
    ("ref_month_name", "month_names.csv"),
    ("ref_source", "sources.csv"),
    ("ref_lima_area", None),  # derived from ref_region
]
# Label lists: table, code column, file. Each gets `<table>_alias` (accepted spelling -> code).
LABEL_LISTS: list[tuple[str, str, str]] = [
    ("ref_modality", "modality", "modalities.csv"),
    ("ref_channel", "channel", "channels.csv"),
    ("ref_victim_sex", "victim_sex", "victim_sexes.csv"),
    ("ref_victim_type", "victim_type", "victim_types.csv"),
]


def _csv(name: str) -> str:
    return str(paths.REFERENCE_DIR / name)


def load_reference_tables(con: duckdb.DuckDBPyConnection, perturbation: bool = True) -> None:
    """Create or replace every reference table from `data/reference/`, and `ref_perturbation` unless
    `perturbation` is false (the ETL writes it last: etl/load.py `_finish`)."""
    for table, file_name in TABLES:
        run(con, table, {"path": _csv(file_name)} if file_name else {})
    for table, code, file_name in LABEL_LISTS:
        run(con, "ref_label_list", {"path": _csv(file_name)}, table=table, code=code)
        run(con, "ref_label_alias", table=table, code=code)
    if perturbation:
        disclosure.load_table(con)
