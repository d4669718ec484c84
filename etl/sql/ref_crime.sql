-- Grain: one row per crime code (Ley 30096 articles and related Penal Code articles). From data/reference/crime_types.csv ($path).
create or replace table ref_crime as
select
    crime_code, law, article, cast(is_ley_30096 as boolean) as is_ley_30096,
    cast(sort_order as integer) as sort_order,
    chapter_es, chapter_en, name_es, name_en, note_es, note_en
from read_csv($path, all_varchar = true, header = true)
order by sort_order
