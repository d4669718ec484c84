-- Grain: one row per (dimension, code) of the reference tables not yet in dim_code, appended
-- with the next free key of its dimension (keys already given never change).
insert into dim_code
select dimension,
       coalesce((select max(d.code_key) from dim_code d where d.dimension = n.dimension), 0)
           + row_number() over (partition by dimension order by sort_order, code),
       code
from (
    select 'source' as dimension, source as code, sort_order from ref_source
    union all select 'crime', crime_code, sort_order from ref_crime
    union all select 'age_group', age_group, sort_order from ref_age_group
    union all select 'sex', victim_sex, sort_order from ref_victim_sex
    union all select 'sex', 'unknown', 1000
    union all select 'victim_type', victim_type, sort_order from ref_victim_type
    union all select 'modality', modality, sort_order from ref_modality
    union all select 'channel', channel, sort_order from ref_channel) as n
where not exists (select 1 from dim_code d where d.dimension = n.dimension and d.code = n.code)
