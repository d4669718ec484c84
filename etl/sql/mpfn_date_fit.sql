-- Grain: one row: the dates $values read as with the format $fmt, and whether every one of them
-- reads and falls in or after the year it reports ($years).
select list(try_strptime(v, $fmt)::date order by v),
       bool_and(coalesce(year(try_strptime(v, $fmt)) >= coalesce(y, 0), false))
from (select unnest($values) as v, unnest($years) as y)
