-- Grain: one row per well-formed record among the file's first lines (100,000), every field as
-- text: what a one-pass load learns the file's values from, besides the known ones.
create or replace table scratch.head_lines as
select * from {{read_csv_again}} limit 100000
