-- Grain: one row, one text: the format every date of the file's first lines is written in,
-- '%Y-%m-%d' or '%d/%m/%Y' (NULL when they mix formats or hold something else). The one pass
-- then reads both date columns as DATE in that format: DuckDB's reader parses them about as
-- fast as the bare read does, instead of a join per column to the lookup of date texts. A later
-- date in another format is a rejected line there (an empty one is NULL, and breaks the rule on a
-- missing report date), and the file loads the two-pass way.
select case when bool_and(try_strptime(v, '%Y-%m-%d') is not null) then '%Y-%m-%d'
            when bool_and(try_strptime(v, '%d/%m/%Y') is not null) then '%d/%m/%Y' end
from (select report_date_text as v from scratch.value_profile where grouping_set = 'dates' and n > 0
      union all
      select incident_date_text from scratch.value_profile where grouping_set = 'dates' and n > 0)
where v is not null
