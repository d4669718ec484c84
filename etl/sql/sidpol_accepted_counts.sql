-- Grain: one row per line of a SIDPOL file that breaks no rule and counts 'Estafa' (Penal Code
-- art. 196, a context series), mapped to fact_count's columns (the rows load.py inserts). Lima
-- region is split by the file's own label, else by the province (1501 = metro).
create or replace table scratch.accepted_counts as
select $source as source, $file as file_name, make_date(year, month, 1) as period_start,
       'month' as period_grain, substr(ubigeo, 1, 2) as region_code,
       case when substr(ubigeo, 1, 2) = '15' then
           case when region_label = 'LIMA METROPOLITANA' then 'metro'
                when region_label = 'REGION LIMA' then 'rest'
                when substr(ubigeo, 1, 4) = '1501' then 'metro' else 'rest' end end as lima_area,
       region_label as geo_label, '196' as crime_code, report_count,
       cast(null as date) as data_as_of, last_day(make_date(year, month, 1)) as period_end,
       cast(null as varchar) as fiscal_district
from scratch.sidpol_fields
where modality_key = 'estafa' and not {{broken}}
