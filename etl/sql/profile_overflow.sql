-- Grain: one row per dimension of fact_report's profile key (macros.sql `profile_key`) whose
-- largest key in dim_code does not fit its field: the dimension, that key and the largest that
-- fits. Empty, unless the reference tables have grown past what the profile key was sized for.
select dimension, max(code_key) as code_key, (1 << profile_bits(dimension)) - 1 as largest
from dim_code
where dimension in ('crime', 'age_group', 'sex', 'victim_type', 'modality', 'channel')
group by dimension
having max(code_key) > (1 << profile_bits(dimension)) - 1
order by dimension
