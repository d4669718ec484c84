-- Grain (malformed_lines): one row per line of the unquoted MPFN file that could not be split
-- into its 16 fields. Grain (staged_lines): one row per line that could, its fields as text
-- c0..c15 and its line number.
create or replace table scratch.malformed_lines as
select line_number, '*' as column_name,
       'could not split the line into the 16 MPFN fields (' || n || ' comma-separated parts)' as reason,
       left(line, 200) as value
from scratch.mpfn_split_lines where n < 16 or rest.art = '';

create or replace table scratch.staged_lines as
select c0, c1, c2, c3, c4, c5, c6, rest.sub as c7, rest.art as c8, rest.des as c9,
       c10, c11, c12, c13, c14, c15, line_number
from scratch.mpfn_split_lines where n >= 16 and rest.art <> '';
