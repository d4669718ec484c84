-- Grain (each table): one row per distinct text of one person column of the file, with its rows
-- (n), the text trimmed (t, NULL when blank), its comparable key (k: lower case, no accents,
-- words split by single spaces: macros.sql), what it reads as and its key (dim_code):
-- age_values (age, age_group), sex_values (victim_sex), victim_type_values (victim_type),
-- modality_values and channel_values (code_known; code: 'other' for an unknown non-blank value).
create or replace table scratch.person_text as
select v, nullif(trim(v), '') as t, label_key(v) as k, what, sum(n) as n
from (select victim_age_text as v, 'age' as what, n from scratch.value_profile where grouping_set = 'person'
      union all select victim_sex_text, 'sex', n from scratch.value_profile where grouping_set = 'person'
      union all select victim_type_text, 'type', n from scratch.value_profile where grouping_set = 'person'
      union all select modality_text, 'modality', n from scratch.value_profile where grouping_set = 'person'
      union all select channel_text, 'channel', n from scratch.value_profile where grouping_set = 'person')
group by all;

create or replace table scratch.age_values as
select *, code_key('age_group', age_group) as age_group_key from (
select *, (select min(g.age_group) from ref_age_group g where a.age between g.min_age and g.max_age) as age_group
from (select v, t, n, case when regexp_full_match(t, '-?[0-9]{1,4}') then cast(t as integer) end as age
      from scratch.person_text where what = 'age') as a);

create or replace table scratch.sex_values as
select p.v, p.t, p.n, a.victim_sex, code_key('sex', a.victim_sex) as sex_key
from scratch.person_text p left join ref_victim_sex_alias a on a.alias = p.k
where p.what = 'sex';

create or replace table scratch.victim_type_values as
select p.v, p.t, p.n, a.victim_type, code_key('victim_type', a.victim_type) as victim_type_key
from scratch.person_text p left join ref_victim_type_alias a on a.alias = p.k
where p.what = 'type';

create or replace table scratch.modality_values as
select *, code_known is not null as known,
       case when k is null or k = '' then null else coalesce(code_known, 'other') end as code,
       code_key('modality', case when k is null or k = '' then null else coalesce(code_known, 'other') end) as code_key
from (select p.v, p.t, p.n, p.k, (select min(a.modality) from ref_modality_alias a where a.alias = p.k) as code_known
      from scratch.person_text p where p.what = 'modality');

create or replace table scratch.channel_values as
select *, code_known is not null as known,
       case when k is null or k = '' then null else coalesce(code_known, 'other') end as code,
       code_key('channel', case when k is null or k = '' then null else coalesce(code_known, 'other') end) as code_key
from (select p.v, p.t, p.n, p.k, (select min(a.channel) from ref_channel_alias a where a.alias = p.k) as code_known
      from scratch.person_text p where p.what = 'channel');
