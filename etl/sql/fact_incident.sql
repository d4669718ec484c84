-- Grain: one row per report of the file that breaks no rule and whose crime code is one of ours
-- (the rows load.py inserts into fact_incident). Rows that needed attention and turned out fine
-- come from scratch.attention_rows; the others are read once more from the file, skipping every
-- row the profile flagged. A row whose values the profile never saw (the file changed
-- meanwhile) is left out, and load.py rejects the changed file.
select *, {{record_key}} as record_key from (
    select $source as source, $file as file_name, report_id, report_date, incident_date, ubigeo, region_code,
           lima_area, crime_code, modality, channel, victim_age, victim_age_group, victim_sex, victim_type,
           amount_lost_pen
    from {{checked_rows}}
    where in_scope and profiled and {{keep}}
    union all
    select $source, $file, report_id, report_date, incident_date, ubigeo, region_code, lima_area, crime_code,
           modality, channel, victim_age, victim_age_group, victim_sex, victim_type, amount_lost_pen
    from scratch.attention_rows
    where in_scope and line_number not in (select line_number from scratch.rejections))
