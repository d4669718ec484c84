-- Grain: one row per source id. From data/reference/sources.csv ($path).
create or replace table ref_source as
select
    source, cast(sort_order as integer) as sort_order,
    cast(is_synthetic as boolean) as is_synthetic, grain,
    cast(has_victim_age as boolean) as has_victim_age,
    name_es, name_en, publisher_es, publisher_en, counts_es, counts_en, licence, url
from read_csv($path, all_varchar = true, header = true)
order by sort_order
