-- Grain: one row per code of one label list (modalities, channels, victim sexes, victim types:
-- the code, its order, Spanish and English names and the accepted spellings), from the file
-- $path. The table and code column are fixed names from etl/reference.py `LABEL_LISTS`.
create or replace table {{table}} as
select {{code}}, cast(sort_order as integer) as sort_order, name_es, name_en, aliases
from read_csv($path, all_varchar = true, header = true)
order by sort_order
