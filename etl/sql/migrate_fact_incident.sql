-- Grain: one row per report of a database built before fact_report existed (fact_incident was
-- then a table, renamed fact_incident_v1 by load.py), moved into fact_report with its keys.
insert into dim_code
select 'file', coalesce((select max(code_key) from dim_code where dimension = 'file'), 0)
               + row_number() over (order by file_name), file_name
from (select distinct file_name from fact_incident_v1) f
where not exists (select 1 from dim_code d where d.dimension = 'file' and d.code = f.file_name);

insert into fact_report
select s.code_key, f.code_key, i.report_id, i.report_date, i.incident_date, i.ubigeo::integer,
       profile_key(c.code_key, ag.code_key, sx.code_key, vt.code_key, mo.code_key, ch.code_key),
       i.victim_age, i.amount_lost_pen,
       coalesce(i.record_key, (hash(i.source || chr(31) || i.report_id) % 256)::utinyint)
from fact_incident_v1 i
join dim_code s on s.dimension = 'source' and s.code = i.source
join dim_code f on f.dimension = 'file' and f.code = i.file_name
join dim_code c on c.dimension = 'crime' and c.code = i.crime_code
left join dim_code mo on mo.dimension = 'modality' and mo.code = i.modality
left join dim_code ch on ch.dimension = 'channel' and ch.code = i.channel
join dim_code ag on ag.dimension = 'age_group' and ag.code = i.victim_age_group
join dim_code sx on sx.dimension = 'sex' and sx.code = i.victim_sex
left join dim_code vt on vt.dimension = 'victim_type' and vt.code = i.victim_type;

drop table fact_incident_v1;
