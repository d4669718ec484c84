-- Grain: one row per line of an MPFN file that breaks no rule and counts a crime of ours, mapped
-- to fact_count's columns (the rows load.py inserts).
create or replace table scratch.accepted_counts as
select $source as source, $file as file_name, make_date(year, month_from, 1) as period_start,
       'year' as period_grain, region_code,
       case when region_code = '15' then
           case when ubigeo like '1501%' or (ubigeo is null and prov_key = 'LIMA') then 'metro'
                when ubigeo is not null or prov_key is not null then 'rest' end end as lima_area,
       district_raw as geo_label, crime_code, report_count, data_as_of,
       last_day(make_date(year, month_to, 1)) as period_end, district_raw as fiscal_district
from scratch.mpfn_scoped
where crime_code is not null and not {{broken}}
