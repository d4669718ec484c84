"""Reference tables (regions, districts, population, crime types, age groups, modalities,
channels, sources, fiscal districts), loaded from `data/reference/` into the database.

They are replaced on every publish, so an edit to a reference CSV reaches the database with
the next load.
"""

from __future__ import annotations

import duckdb

from cybertrends import disclosure, paths


def _csv(name: str) -> str:
    return str(paths.REFERENCE_DIR / name)


# Each statement reads one reference file; `$path` is bound, never formatted in.
_STATEMENTS: list[tuple[str, str]] = [
    (
        "regions.csv",
        """
        create or replace table ref_region as
        select
            ubigeo_inei as region_code,
            nombre as region_name,
            departamento as region_name_upper,
            iso_3166_2,
            capital,
            cast(superficie_km2 as double) as area_km2,
            cast(pob_censada_2017 as bigint) as population_census_2017,
            cast(pob_2020_minsa as bigint) as population_2020,
            sidpol_dpto_hecho_new as sidpol_label,
            mpfn_distritos_fiscales as mpfn_fiscal_districts,
            geojson_NOMBDEP as geojson_name,
            geojson_FIRST_IDDP as geojson_id
        from read_csv($path, all_varchar = true, header = true)
        order by region_code
        """,
    ),
    (
        "regions.csv",
        """
        create or replace table ref_region_population as
        unpivot (
            select
                ubigeo_inei as region_code,
                cast(pob_2020_minsa as bigint) as total,
                cast(pob_2020_nino_0_11 as bigint) as child,
                cast(pob_2020_adolescente_12_17 as bigint) as adolescent,
                cast(pob_2020_joven_18_29 as bigint) as young,
                cast(pob_2020_adulto_30_59 as bigint) as adult,
                cast(pob_2020_adulto_mayor_60mas as bigint) as older
            from read_csv($path, all_varchar = true, header = true)
        )
        on total, child, adolescent, young, adult, older
        into name age_group value population_2020
        """,
    ),
    (
        "regions.csv",
        """
        create or replace table ref_fiscal_district as
        select
            unnest(string_split(mpfn_distritos_fiscales, '|')) as fiscal_district,
            ubigeo_inei as region_code
        from read_csv($path, all_varchar = true, header = true)
        """,
    ),
    (
        "ubigeo_districts.csv",
        """
        create or replace table ref_district as
        select
            inei as ubigeo,
            substr(inei, 1, 2) as region_code,
            substr(inei, 1, 4) as province_code,
            departamento as region_name_upper,
            provincia as province_name,
            distrito as district_name
        from read_csv($path, all_varchar = true, header = true, nullstr = 'NA')
        where inei is not null
        order by ubigeo
        """,
    ),
    (
        "crime_types.csv",
        """
        create or replace table ref_crime as
        select
            crime_code, law, article, cast(is_ley_30096 as boolean) as is_ley_30096,
            cast(sort_order as integer) as sort_order,
            chapter_es, chapter_en, name_es, name_en, note_es, note_en
        from read_csv($path, all_varchar = true, header = true)
        order by sort_order
        """,
    ),
    (
        "age_groups.csv",
        """
        create or replace table ref_age_group as
        select
            age_group, cast(sort_order as integer) as sort_order,
            cast(min_age as integer) as min_age, cast(max_age as integer) as max_age,
            cast(is_at_risk as boolean) as is_at_risk, cast(is_minor as boolean) as is_minor,
            name_es, name_en, legal_basis_es, legal_basis_en
        from read_csv($path, all_varchar = true, header = true)
        order by sort_order
        """,
    ),
    (
        "modalities.csv",
        """
        create or replace table ref_modality as
        select modality, cast(sort_order as integer) as sort_order, name_es, name_en, aliases
        from read_csv($path, all_varchar = true, header = true)
        order by sort_order
        """,
    ),
    (
        "channels.csv",
        """
        create or replace table ref_channel as
        select channel, cast(sort_order as integer) as sort_order, name_es, name_en, aliases
        from read_csv($path, all_varchar = true, header = true)
        order by sort_order
        """,
    ),
    (
        "sources.csv",
        """
        create or replace table ref_source as
        select
            source, cast(sort_order as integer) as sort_order,
            cast(is_synthetic as boolean) as is_synthetic, grain,
            cast(has_victim_age as boolean) as has_victim_age,
            name_es, name_en, publisher_es, publisher_en, counts_es, counts_en, licence, url
        from read_csv($path, all_varchar = true, header = true)
        order by sort_order
        """,
    ),
]

# Derived lookups that need no file.
_DERIVED = [
    # Aliases (already normalised: lower case, no accents, single spaces) -> code.
    """
    create or replace table ref_modality_alias as
    select distinct trim(unnest(string_split(aliases, '|'))) as alias, modality from ref_modality
    """,
    """
    create or replace table ref_channel_alias as
    select distinct trim(unnest(string_split(aliases, '|'))) as alias, channel from ref_channel
    """,
    # Lima Metropolitana (Lima province, 1501) vs the rest of Lima region, split by the 2017
    # census (8,574,974 and 910,431 counted; NOTES.md §3) and scaled to the 2020 total.
    """
    create or replace table ref_lima_area as
    with lima as (select population_2020 from ref_region where region_code = '15')
    select 'metro' as lima_area, 'Lima Metropolitana' as name_es, 'Metropolitan Lima' as name_en,
           8574974 as population_census_2017,
           cast(round((select population_2020 from lima) * 8574974 / 9485405.0) as bigint) as population_2020
    union all
    select 'rest', 'Lima Provincias (resto de la región)', 'Rest of Lima region',
           910431,
           cast(round((select population_2020 from lima) * 910431 / 9485405.0) as bigint)
    """,
]


def load_reference_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create or replace every reference table from `data/reference/`."""
    for file_name, sql in _STATEMENTS:
        con.execute(sql, {"path": _csv(file_name)})
    for sql in _DERIVED:
        con.execute(sql)
    disclosure.load_table(con)
