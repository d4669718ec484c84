-- Grain: one row per distinct (victim_age, victim_sex, victim_type, modality, channel) text
-- combination of the file, with its rows, what they read as (a company or state body has no age,
-- age group or sex) and their keys (dim_code), and `bad`: the combination breaks a person rule (etl/adapters/rules.py).
create or replace table scratch.person_profiles as
select *, {{broken}} as bad, code_key('age_group', victim_age_group) as age_group_key,
       code_key('sex', victim_sex) as sex_key, code_key('victim_type', victim_type) as victim_type_key,
       code_key('modality', modality) as modality_key, code_key('channel', channel) as channel_key from (
    select p.victim_age_text, p.victim_sex_text, p.victim_type_text, p.modality_text, p.channel_text, p.n,
           a.t as age_raw, a.age as age_value, s.t as sex_raw, s.victim_sex as sex_value,
           t.t as type_raw, t.victim_type,
           case when t.victim_type in ('company', 'state') then null else a.age end as victim_age,
           case when t.victim_type in ('company', 'state') then 'unknown'
                else coalesce(a.age_group, 'unknown') end as victim_age_group,
           case when t.victim_type in ('company', 'state') then 'unknown'
                else coalesce(s.victim_sex, 'unknown') end as victim_sex,
           mo.code as modality, ch.code as channel
    from scratch.value_profile p
    left join scratch.age_values a on a.v = p.victim_age_text
    left join scratch.sex_values s on s.v = p.victim_sex_text
    left join scratch.victim_type_values t on t.v = p.victim_type_text
    left join scratch.modality_values mo on mo.v = p.modality_text
    left join scratch.channel_values ch on ch.v = p.channel_text
    where p.grouping_set = 'person')
