-- Grain: one row per region (24 departments + Callao), keyed by its 2-digit INEI code. From data/reference/regions.csv ($path).
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
