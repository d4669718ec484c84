-- Grain: one row per MPFN fiscal district, with the region it lies in. From data/reference/regions.csv ($path).
create or replace table ref_fiscal_district as
select
    unnest(string_split(mpfn_distritos_fiscales, '|')) as fiscal_district,
    ubigeo_inei as region_code
from read_csv($path, all_varchar = true, header = true)
