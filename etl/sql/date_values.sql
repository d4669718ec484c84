-- Grain: one row per distinct date text of the file (report_date or incident_date): the text
-- as read (v), trimmed (t, NULL when blank), its rows (n) and the date it reads as (d).
create or replace table scratch.date_values as
select v, t, n, coalesce(try_strptime(t, '%Y-%m-%d'), try_strptime(t, '%d/%m/%Y'))::date as d
from (
    select v, nullif(trim(v), '') as t, sum(n) as n from (
        select report_date_text as v, n from scratch.value_profile where grouping_set = 'dates'
        union all
        select incident_date_text, n from scratch.value_profile where grouping_set = 'dates')
    group by v)
