-- Grain: one row per part of Lima region (metro = Lima province 1501, rest). Lima Metropolitana vs the rest of Lima region, split by the
-- 2017 census (8,574,974 and 910,431 counted; NOTES.md §3) and scaled to the 2020 total.
create or replace table ref_lima_area as
with lima as (select population_2020 from ref_region where region_code = '15')
select 'metro' as lima_area, 'Lima Metropolitana' as name_es, 'Metropolitan Lima' as name_en,
       8574974 as population_census_2017,
       cast(round((select population_2020 from lima) * 8574974 / 9485405.0) as bigint) as population_2020
union all
select 'rest', 'Lima Provincias (resto de la región)', 'Rest of Lima region',
       910431,
       cast(round((select population_2020 from lima) * 910431 / 9485405.0) as bigint)
