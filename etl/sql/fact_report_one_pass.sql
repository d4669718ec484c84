-- Grain: one row per well-formed record of an incidents file, narrow, inserted into fact_report
-- in the file's only parse (keys bound: $source_key, $file_key, and the keys of the code 'unknown'
-- of age group and sex: $unknown_age_group_key, $unknown_sex_key). Each value is found in the
-- lookups of known values (one per column) that also carry its verdict on the rules about that
-- value alone (`bad`, decided once per distinct value: etl/adapters/rules.py `per_value`; a
-- missing value gets the `*_null` constant); the rules about several values are checked on the
-- row itself. record_key stays NULL for a row that is not settled: a value the lookups do not
-- know, a broken rule or a crime code not ours. load_incidents then takes the file back out and
-- loads it the two-pass way (profile, attention, insert), which names every such row.
-- The dates come either from the lookup of date texts (joined) or, when the first lines write
-- every date in one format, straight from the reader as DATE (then the rows also carry each date
-- under the names the rules read, and the rules about one date are checked on the row):
-- incidents.py `_date_fragments`.
insert into fact_report
select $source_key, $file_key, coalesce(report_id, ''), coalesce(report_date, date '1900-01-01'), incident_date,
       coalesce(ubigeo_number, 0),
       profile_key(crime_key,
                   case when company then $unknown_age_group_key else coalesce(age_group_key, $unknown_age_group_key) end,
                   case when company or sex_key is null then $unknown_sex_key else sex_key end,
                   victim_type_key, modality_key, channel_key),
       case when company then null else age_value end, amount_lost_pen,
       case when settled and in_scope and not value_bad and not {{row_rules}} then {{record_key}} end
from (
    select r.report_id, r.amount_raw, r.amount_lost_pen,
           {{report_date}} as report_date, {{incident_date}} as incident_date, u.ubigeo_number, coalesce(c.in_scope, false) as in_scope, c.crime_key,
           g.age_value, g.age_group_key, s.sex_key, coalesce(v.company, false) as company, v.victim_type_key,
           m.code_key as modality_key, h.code_key as channel_key,
           {{dates_found}}
           and (r.ubigeo_text is null or u.v is not null) and (r.crime_code_text is null or c.v is not null)
           and (r.victim_age_text is null or g.v is not null) and (r.victim_sex_text is null or s.v is not null)
           and (r.victim_type_text is null or v.v is not null) and (r.modality_text is null or m.v is not null)
           and (r.channel_text is null or h.v is not null) as settled,
           {{dates_bad}}
           or coalesce(u.bad, {{ubigeo_null}}) or coalesce(c.bad, {{crime_null}}) or coalesce(g.bad, {{age_null}})
           or coalesce(s.bad, {{sex_null}}) or coalesce(v.bad, {{type_null}}) as value_bad
    from {{rows}} as r
    {{date_joins}}
    left join {{ubigeo_lookup}} u on u.v = r.ubigeo_text
    left join {{crime_lookup}} c on c.v = r.crime_code_text
    left join {{age_lookup}} g on g.v = r.victim_age_text
    left join {{sex_lookup}} s on s.v = r.victim_sex_text
    left join {{type_lookup}} v on v.v = r.victim_type_text
    left join scratch.modality_values m on m.v = r.modality_text
    left join scratch.channel_values h on h.v = r.channel_text)
