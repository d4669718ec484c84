-- Grain: one row per line of the last file read that DuckDB could not split into the header's
-- fields (its rejects), with the line number, `*` as column, the reason and the line itself.
create or replace table scratch.malformed_lines as
select line as line_number, '*' as column_name,
       case first(error_type order by column_idx)
           when 'TOO MANY COLUMNS' then 'too many fields: '
           when 'MISSING COLUMNS' then 'too few fields: '
           else lower(first(error_type order by column_idx)) || ': ' end
           || first(error_message order by column_idx) as reason,
       left(first(csv_line), 200) as value
from csv_rejects
group by line
