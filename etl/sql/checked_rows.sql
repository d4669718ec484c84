-- Grain: one row per well-formed record of an incidents file, joined to the lookups of its
-- distinct values (hash probes, not a regex or strptime per row): the fact columns, the texts
-- and parsed values the rules check, and whether a lookup found it broken. A subquery.
select r.rid, r.report_id, r.id_hash, dp.report_date, dp.incident_date, pp.ubigeo, pp.region_code, pp.lima_area,
       pp.crime_code, pp.in_scope, pv.modality, pv.channel, pv.victim_age, pv.victim_age_group, pv.victim_sex,
       pv.victim_type, r.amount_lost_pen, r.amount_raw, pp.crime_key, pv.modality_key, pv.channel_key,
       pv.age_group_key, pv.sex_key, pv.victim_type_key,
       dp.report_date_raw, dp.incident_date_raw, pp.ubigeo_raw, pp.ubigeo_known, pp.crime_raw,
       pv.age_raw, pv.age_value, pv.sex_raw, pv.sex_value, pv.type_raw,
       dp.bad or pp.bad or pv.bad or {{row_broken}} as broken,
       dp.n is not null and pp.n is not null and pv.n is not null as profiled
from {{incident_rows}} as r
left join scratch.date_pairs dp
    on dp.report_date_text is not distinct from r.report_date_text
   and dp.incident_date_text is not distinct from r.incident_date_text
left join scratch.place_pairs pp
    on pp.ubigeo_text is not distinct from r.ubigeo_text and pp.crime_code_text is not distinct from r.crime_code_text
left join scratch.person_profiles pv
    on pv.victim_age_text is not distinct from r.victim_age_text
   and pv.victim_sex_text is not distinct from r.victim_sex_text
   and pv.victim_type_text is not distinct from r.victim_type_text
   and pv.modality_text is not distinct from r.modality_text
   and pv.channel_text is not distinct from r.channel_text
