-- Grain (each table): one row per combination of the texts the one-pass load knows for a group of
-- columns of an incidents file, a missing value (NULL) included: every text of each column's lookup
-- of known values (the file's first lines and the texts valid values usually take; with `bad`, the
-- rules about that value alone: incidents.py VALUE_LOOKUPS) crossed with the others'. Each row
-- carries what the insert needs, decided once per combination: the fields of the profile key it
-- sets (macros.sql `profile_key`), the other values, and `bad` (a value breaks a rule; a missing
-- value has its `*_null` verdict). fact_report_one_pass.sql joins a file's rows to these three
-- (about 62,000, 67,000 and 1,500 rows on the synthetic files; at most
-- incidents.KNOWN_COMBINATIONS_MAX, known_combinations_size.sql) instead of one lookup per column:
-- three hash probes a row instead of seven (BENCHMARKS.md, issue 12). A row whose texts are in no
-- combination is not settled, and the file loads the two-pass way.

-- District x crime code.
create or replace table scratch.place_known as
select u.v as ubigeo_text, c.v as crime_code_text, u.ubigeo_number,
       profile_key(c.crime_key, 0, 0, 0, 0, 0) as profile, c.in_scope, u.bad or c.bad as bad
from (select v, ubigeo_number, bad from {{ubigeo_lookup}} where v is not null
      union all select null, null, {{ubigeo_null}}) as u
cross join (select v, crime_key, coalesce(in_scope, false) as in_scope, bad from {{crime_lookup}} where v is not null
            union all select null, null, false, {{crime_null}}) as c;

-- Modality x channel (no rule refuses either: an unknown text is kept as 'other').
create or replace table scratch.channel_known as
select m.v as modality_text, h.v as channel_text, profile_key(0, 0, 0, 0, m.code_key, h.code_key) as profile
from (select v, code_key from scratch.modality_values where v is not null union all select null, null) as m
cross join (select v, code_key from scratch.channel_values where v is not null union all select null, null) as h;

-- Victim age x sex x type (last: DuckDB binds parameters only in a script's last statement). A
-- company or the state has no age and no sex: 'unknown' for both (keys bound:
-- $unknown_age_group_key, $unknown_sex_key), as a missing age group or sex.
create or replace table scratch.person_known as
select g.v as victim_age_text, s.v as victim_sex_text, t.v as victim_type_text,
       case when t.company then null else g.age_value end as victim_age,
       profile_key(0,
                   case when t.company then $unknown_age_group_key else coalesce(g.age_group_key, $unknown_age_group_key) end,
                   case when t.company or s.sex_key is null then $unknown_sex_key else s.sex_key end,
                   t.victim_type_key, 0, 0) as profile,
       g.bad or s.bad or t.bad as bad
from (select v, age_value, age_group_key, bad from {{age_lookup}} where v is not null
      union all select null, null, null, {{age_null}}) as g
cross join (select v, sex_key, bad from {{sex_lookup}} where v is not null
            union all select null, null, {{sex_null}}) as s
cross join (select v, coalesce(company, false) as company, victim_type_key, bad from {{type_lookup}} where v is not null
            union all select null, false, null, {{type_null}}) as t;
