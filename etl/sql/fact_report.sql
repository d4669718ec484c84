-- Grain: one row per report of the file that breaks no rule and whose crime code is one of ours,
-- narrow (the rows load.py inserts into fact_report; keys bound: $source_key, $file_key). Rows
-- that needed attention and turned out fine come from scratch.attention_rows; the others are read
-- once more from the file, skipping every row the profile flagged. A row whose values the
-- profile never saw (the file changed meanwhile) is left out, and load.py rejects the file.
select $source_key as source_key, $file_key as file_key, report_id, report_date, incident_date,
       ubigeo::integer as ubigeo,
       profile_key(crime_key, age_group_key, sex_key, victim_type_key, modality_key, channel_key) as profile_key,
       victim_age, amount_lost_pen, {{record_key}} as record_key
from (
    select report_id, report_date, incident_date, ubigeo, crime_key, modality_key, channel_key, victim_age,
           age_group_key, sex_key, victim_type_key, amount_lost_pen
    from {{checked_rows}}
    where in_scope and profiled and {{keep}}
    union all
    select report_id, report_date, incident_date, ubigeo, crime_key, modality_key, channel_key, victim_age,
           age_group_key, sex_key, victim_type_key, amount_lost_pen
    from scratch.attention_rows
    where in_scope and line_number not in (select line_number from scratch.rejections))
