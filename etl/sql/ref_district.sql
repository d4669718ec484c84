-- Grain: one row per district with an INEI ubigeo. From data/reference/ubigeo_districts.csv ($path).
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
