-- Grain: one row per rule a line of a count file (mpfn, sidpol) breaks: its malformed lines and
-- every rule of etl/adapters/rules.py for the source. load.py copies them into `rejected_rows`.
create or replace table scratch.rejections as
select * from scratch.malformed_lines
union all
{{rule_rejections}}
