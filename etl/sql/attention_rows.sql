-- Grain: one row per record of the file that breaks a rule or whose report_id may be a
-- duplicate (usually few), with its position among the well-formed records (rid, file order:
-- read with insertion order preserved), its fact columns and the values the rules check.
-- The condition is false when the profile found nothing to look at (then no row is read).
create or replace table scratch.attention_rows_unnumbered as
select *
from {{checked_rows}}
where {{attention}}
