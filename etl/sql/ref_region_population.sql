-- Grain: one row per region x age group (2020 MINSA estimates; `total` included). From data/reference/regions.csv ($path).
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
