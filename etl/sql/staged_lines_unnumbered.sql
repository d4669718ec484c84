-- Grain: one row per well-formed record of the file, in file order (rowid r = the r-th good
-- record), every field as text c0..cN. Read with insertion order preserved.
create or replace table scratch.staged_lines_unnumbered as
select * from {{read_csv}}
