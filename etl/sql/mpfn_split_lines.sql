-- Grain: one row per data line of an MPFN file written with unquoted commas inside fields (the
-- real 2023 national file): the first 6 and last 6 fields are fixed, a known comma-bearing
-- `generico` ($known) is matched first, and the rest is split on the article token ($art).
create or replace table scratch.mpfn_split_lines as
with l as (
    select rowid + 1 as line_number, line, string_split(line, ',') as f
    from scratch.text_lines
), m as (
    select line_number, line, f, len(f) as n, array_to_string(f[7:len(f) - 6], ',') as middle
    from l where line_number > 1 and trim(line) <> ''
), g as (
    select *,
        coalesce(
            (select k from unnest($known) as u(k) where starts_with(m.middle, k || ',') limit 1),
            split_part(m.middle, ',', 1)) as generico
    from m
)
select line_number, n, line,
    f[1] as c0, f[2] as c1, f[3] as c2, f[4] as c3, f[5] as c4, f[6] as c5,
    generico as c6,
    regexp_extract(substr(middle, length(generico) + 2),
                   '^(.*?),(' || $art || '),(.*)$', ['sub', 'art', 'des']) as rest,
    f[n - 5] as c10, f[n - 4] as c11, f[n - 3] as c12, f[n - 2] as c13, f[n - 1] as c14, f[n] as c15
from g
