-- Grain: one row per attention row (attention_rows.sql), with its line number in the file (the
-- malformed lines before it shift it, reject_shift.sql), and the first line of its report_id
-- among the attention rows (first_line; the other rows with that id are duplicates of it).
create or replace table scratch.attention_rows as
with numbered as (
    select a.*, a.rid + 2 + coalesce(s.k, 0) as line_number
    from scratch.attention_rows_unnumbered a
    asof left join scratch.reject_shift s on a.rid >= s.t)
select *, min(line_number) over (partition by report_id) as first_line
from numbered
