-- Grain: one row per run of malformed lines: how far the line numbers of the good records
-- after it shift. Good records keep file order, so rowid r is the r-th good record; its line
-- is r + 2 (header, 0-based) plus the malformed lines before it. The i-th malformed line
-- (0-based) at line L comes after t = L - 2 - i good records: it precedes record r when t <= r,
-- and k is how many malformed lines precede a record at or after t.
create or replace table scratch.reject_shift as
select t, max(k) as k from (
    select line - 2 - (row_number() over (order by line) - 1) as t,
           row_number() over (order by line) as k
    from (select distinct line from csv_rejects))
group by t
