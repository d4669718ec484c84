-- Grain: one row per distinct combination of each grouping set, with its row count: the two
-- dates; ubigeo and crime code; the person columns; each report_id hash seen twice in the file
-- or already loaded from another file of the source (a duplicate candidate); and whether a
-- row breaks a row-level rule. The profile pass: the file's only full read besides the insert.
create or replace table scratch.value_profile as
select case when grouping(report_date_text) = 0 then 'dates'
            when grouping(ubigeo_text) = 0 then 'place'
            when grouping(victim_age_text) = 0 then 'person'
            when grouping(id_hash) = 0 then 'id'
            else 'row' end as grouping_set,
       report_date_text, incident_date_text, ubigeo_text, crime_code_text, victim_age_text, victim_sex_text,
       victim_type_text, modality_text, channel_text, id_hash, row_bad, count(*) as n
from (select *, {{row_broken}} as row_bad from {{incident_rows}})
group by grouping sets ((report_date_text, incident_date_text), (ubigeo_text, crime_code_text),
                        (victim_age_text, victim_sex_text, victim_type_text, modality_text, channel_text),
                        (id_hash), (row_bad))
having grouping(id_hash) = 1
    or (id_hash is not null and (count(*) > 1 or id_hash in (select id_hash from scratch.ids_elsewhere)))
