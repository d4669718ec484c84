-- Grain: one row per distinct crime code text of the file: the code (without an "Art." prefix,
-- S/Art spelled one way), whether it is one of ours (in scope) and its key (dim_code).
create or replace table scratch.crime_values as
select *, coalesce(crime_code in (select crime_code from ref_crime), false) as in_scope,
       code_key('crime', crime_code) as crime_key
from (
    select v, t, n,
           regexp_replace(regexp_replace(upper(t), '^ART(ICULO|ÍCULO)?\.?\s*', ''), '^S/ART$', 'S/Art') as crime_code
    from (select crime_code_text as v, nullif(trim(crime_code_text), '') as t, sum(n) as n
          from scratch.value_profile where grouping_set = 'place' group by crime_code_text))
