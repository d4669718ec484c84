-- Grain: one row per distinct ubigeo text of the file: the code (a lost leading zero restored),
-- whether it is an INEI district, its region and, in Lima region, metro or rest.
create or replace table scratch.ubigeo_values as
select *, coalesce(ubigeo in (select ubigeo from ref_district), false) as known,
       substr(ubigeo, 1, 2) as region_code,
       case when substr(ubigeo, 1, 2) = '15' then
            case when substr(ubigeo, 1, 4) = '1501' then 'metro' else 'rest' end end as lima_area
from (
    select v, t, n, case when regexp_full_match(t, '[0-9]{5,6}') then lpad(t, 6, '0') end as ubigeo
    from (select ubigeo_text as v, nullif(trim(ubigeo_text), '') as t, sum(n) as n
          from scratch.value_profile where grouping_set = 'place' group by ubigeo_text))
