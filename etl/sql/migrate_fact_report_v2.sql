-- Grain: one row per report of a database built before the profile key (schema version 2, whose
-- fact_report kept a key column per dimension; renamed fact_report_v2 by load.py), moved into
-- fact_report with those keys packed into its profile key (macros.sql `profile_key`).
insert into fact_report
select source_key, file_key, report_id, report_date, incident_date, ubigeo,
       profile_key(crime_key, age_group_key, sex_key, victim_type_key, modality_key, channel_key),
       victim_age, amount_lost_pen, record_key
from fact_report_v2;

drop table fact_report_v2;
