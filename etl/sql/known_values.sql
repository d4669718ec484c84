-- Grain: rows added to scratch.value_profile (after the profile of the file's first lines): the
-- texts valid values usually take, so that a one-pass load finds every value of a typical file
-- in the lookups: dates from 1990-01-01 to today in both accepted formats, every district code
-- with and without its leading zero, our crime codes, ages 0-120, and every code and accepted
-- spelling (lower and upper case) of sex, victim type, modality and channel.
insert into scratch.value_profile (grouping_set, report_date_text, n)
select 'dates', unnest([strftime(d, '%Y-%m-%d'), strftime(d, '%d/%m/%Y')]), 0
from range(date '1990-01-01', current_date + 1, interval 1 day) as t(d);

insert into scratch.value_profile (grouping_set, ubigeo_text, crime_code_text, n)
select 'place', ubigeo, null, 0 from ref_district
union all select 'place', ltrim(ubigeo, '0'), null, 0 from ref_district where ubigeo like '0%'
union all select 'place', null, crime_code, 0 from ref_crime;

insert into scratch.value_profile (grouping_set, victim_age_text, victim_sex_text, victim_type_text, modality_text,
                                   channel_text, n)
select 'person', range::varchar, null, null, null, null, 0 from range(0, 121)
union all select 'person', null, v, null, null, null, 0 from (
    select alias as v from ref_victim_sex_alias union select upper(alias) from ref_victim_sex_alias)
union all select 'person', null, null, v, null, null, 0 from (
    select alias as v from ref_victim_type_alias union select upper(alias) from ref_victim_type_alias
    union select upper(alias[1]) || alias[2:] from ref_victim_type_alias)
union all select 'person', null, null, null, v, null, 0 from (
    select alias as v from ref_modality_alias union select modality from ref_modality)
union all select 'person', null, null, null, null, v, 0 from (
    select alias as v from ref_channel_alias union select channel from ref_channel);
