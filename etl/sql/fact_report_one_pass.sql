-- Grain: one row per well-formed record of an incidents file, narrow, inserted into fact_report
-- in the file's only parse (keys bound: $source_key, $file_key). Each value is found in the
-- lookups of known values (one per column), every rule of etl/adapters/rules.py is checked on the
-- row itself, and record_key stays NULL for a row that is not settled: a value the lookups do not
-- know, a broken rule or a crime code not ours. load_incidents then takes the file back out and
-- loads it the two-pass way (profile, attention, insert), which names every such row.
insert into fact_report
select $source_key, $file_key, coalesce(report_id, ''), coalesce(report_date, date '1900-01-01'), incident_date,
       coalesce(ubigeo::integer, 0), coalesce(crime_key, 0), modality_key, channel_key,
       case when victim_type in ('company', 'state') then null else age_value end,
       case when victim_type in ('company', 'state') then (select code_key from dim_code
                                                           where dimension = 'age_group' and code = 'unknown')
            else coalesce(age_group_key, (select code_key from dim_code
                                          where dimension = 'age_group' and code = 'unknown')) end,
       case when victim_type in ('company', 'state') or sex_key is null
            then (select code_key from dim_code where dimension = 'sex' and code = 'unknown') else sex_key end,
       victim_type_key, amount_lost_pen,
       case when settled and in_scope and not {{broken}} then {{record_key}} end
from (
    select r.report_id, r.amount_raw, r.amount_lost_pen,
           a.t as report_date_raw, a.d as report_date, b.t as incident_date_raw, b.d as incident_date,
           u.t as ubigeo_raw, u.ubigeo, coalesce(u.known, false) as ubigeo_known,
           c.t as crime_raw, c.crime_code, coalesce(c.in_scope, false) as in_scope, c.crime_key,
           g.t as age_raw, g.age as age_value, g.age_group_key, s.t as sex_raw, s.victim_sex as sex_value, s.sex_key,
           v.t as type_raw, v.victim_type, v.victim_type_key, m.code_key as modality_key, h.code_key as channel_key,
           (r.report_date_text is null or a.v is not null) and (r.incident_date_text is null or b.v is not null)
           and (r.ubigeo_text is null or u.v is not null) and (r.crime_code_text is null or c.v is not null)
           and (r.victim_age_text is null or g.v is not null) and (r.victim_sex_text is null or s.v is not null)
           and (r.victim_type_text is null or v.v is not null) and (r.modality_text is null or m.v is not null)
           and (r.channel_text is null or h.v is not null) as settled
    from {{incident_rows}} as r
    left join scratch.date_values a on a.v = r.report_date_text
    left join scratch.date_values b on b.v = r.incident_date_text
    left join scratch.ubigeo_values u on u.v = r.ubigeo_text
    left join scratch.crime_values c on c.v = r.crime_code_text
    left join scratch.age_values g on g.v = r.victim_age_text
    left join scratch.sex_values s on s.v = r.victim_sex_text
    left join scratch.victim_type_values v on v.v = r.victim_type_text
    left join scratch.modality_values m on m.v = r.modality_text
    left join scratch.channel_values h on h.v = r.channel_text)
