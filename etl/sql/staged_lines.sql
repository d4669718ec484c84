-- Grain: one row per well-formed record of the file: its fields as text (c0..cN) and its line
-- number in the file (an ASOF join to the shifts left by malformed lines).
create or replace table scratch.staged_lines as
select r.*, r.rowid + 2 + coalesce(s.k, 0) as line_number
from scratch.staged_lines_unnumbered as r
asof left join scratch.reject_shift as s on r.rowid >= s.t
