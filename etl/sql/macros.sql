-- Grain: none (functions). SQL macros the adapters share, defined once per load connection.

-- The comparable key of a label: lower case, no accents, words split by single spaces.
create or replace temp macro label_key(x) as
    trim(regexp_replace(strip_accents(lower(trim(x))), '[^a-z0-9]+', ' ', 'g'));

-- The key of `code` in dimension `dim` of dim_code (schema.sql); NULL for no code.
create or replace temp macro code_key(dim, c) as
    (select d.code_key from dim_code d where d.dimension = dim and d.code = c);

-- The profile key of fact_report (schema.sql): the keys of six small dimensions in one 32-bit
-- integer, computed rather than looked up (a junk dimension), because one column costs far less to
-- write and to group by than six (BENCHMARKS.md, issue 12). Fields, high to low: crime (bits
-- 24-31), age group (20-23), sex (16-19), victim type (12-15), modality (6-11), channel (0-5). A
-- field is 0 for a missing code (every dimension's keys start at 1). The view fact_incident
-- (schema.sql) reads the fields back; load.py checks every key fits its field (profile_bits).
create or replace temp macro profile_key(crime, age_group, sex, victim_type, modality, channel) as
    (coalesce(crime, 0)::uinteger << 24) | (coalesce(age_group, 0)::uinteger << 20)
    | (coalesce(sex, 0)::uinteger << 16) | (coalesce(victim_type, 0)::uinteger << 12)
    | (coalesce(modality, 0)::uinteger << 6) | coalesce(channel, 0)::uinteger;

-- The field of dimension `dim` in profile key `p` (0: no code), and the width of that field.
create or replace temp macro profile_field(p, dim) as
    case dim when 'crime' then p >> 24 when 'age_group' then (p >> 20) & 15 when 'sex' then (p >> 16) & 15
             when 'victim_type' then (p >> 12) & 15 when 'modality' then (p >> 6) & 63 when 'channel' then p & 63 end;
create or replace temp macro profile_bits(dim) as
    case dim when 'crime' then 8 when 'age_group' then 4 when 'sex' then 4 when 'victim_type' then 4
             when 'modality' then 6 when 'channel' then 6 end;
