-- Grain: one row per well-formed record of an incidents file, narrow, inserted into fact_report
-- in the file's only parse (keys bound: $source_key, $file_key). Each row is joined to the known
-- combinations of its texts (known_combinations.sql: district x crime code, victim age x sex x
-- type, modality x channel), which carry its profile key's fields, its other values and the
-- verdict of the rules about values alone (`bad`, decided once per combination); the rules about
-- several values are checked on the row itself. record_key stays NULL for a row that is not
-- settled: a combination not known, a broken rule or a crime code not ours. load_incidents then
-- takes the file back out and loads it the two-pass way (profile, attention, insert), which names
-- every such row.
-- The dates come either from the lookup of date texts (joined) or, when the first lines write
-- every date in one format, straight from the reader as DATE (then the rows also carry each date
-- under the names the rules read, and the rules about one date are checked on the row):
-- incidents.py `_date_fragments`.
insert into fact_report
select $source_key, $file_key, coalesce(r.report_id, ''), coalesce({{report_date}}, date '1900-01-01'), {{incident_date}},
       coalesce(p.ubigeo_number, 0), coalesce(p.profile, 0) | coalesce(q.profile, 0) | coalesce(m.profile, 0),
       q.victim_age, r.amount_lost_pen,
       case when {{dates_found}} and p.in_scope and not p.bad and not q.bad and m.profile is not null
                 and not ({{dates_bad}}) and not {{row_rules}} then {{record_key}} end
from {{rows}} as r
{{date_joins}}
left join scratch.place_known p
    on p.ubigeo_text is not distinct from r.ubigeo_text and p.crime_code_text is not distinct from r.crime_code_text
left join scratch.person_known q
    on q.victim_age_text is not distinct from r.victim_age_text and q.victim_sex_text is not distinct from r.victim_sex_text
   and q.victim_type_text is not distinct from r.victim_type_text
left join scratch.channel_known m
    on m.modality_text is not distinct from r.modality_text and m.channel_text is not distinct from r.channel_text
