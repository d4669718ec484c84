-- The published database: tables that survive between loads.
-- Facts keep the file they came from, so a corrected file can replace its own rows.

create table if not exists meta (key varchar primary key, value varchar);

-- One row per load attempt of a file that was accepted (loaded, replaced or unchanged).
create table if not exists load_log (
    file_name varchar not null,
    sha256 varchar not null,
    source varchar not null,
    loaded_at timestamp not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    rows_out_of_scope bigint not null,
    status varchar not null,      -- loaded | replaced | unchanged
    message varchar,
    seconds double,
    data_as_of date               -- the source's own cut date (mpfn: fecha_corte); NULL if none
);
alter table load_log add column if not exists data_as_of date;

-- One row per rule a row broke (a row may break several). Rows here are not in any count.
create table if not exists rejected_rows (
    file_name varchar not null,
    source varchar not null,
    line_number bigint,
    column_name varchar,
    reason varchar not null,
    value varchar
);

-- Grain: one row per (dimension, code): the small integer key that stands for a code in the
-- narrow fact table `fact_report`. Dimensions: source, file, crime, age_group, sex,
-- victim_type, modality, channel. Append-only: a key, once given, always means the same code
-- (new codes from the reference tables or new files get the next key; etl/sql/dim_codes.sql).
create table if not exists dim_code (
    dimension varchar not null,
    code_key usmallint not null,
    code varchar not null,
    primary key (dimension, code)
);

-- Grain: one row per report (canonical incidents and the synthetic sample), stored narrow: the
-- source and file as keys into dim_code, the district as its INEI number (region and Lima area
-- follow from it), dates as DATE, and the six other columns with few values (crime, age group,
-- sex, victim type, modality, channel) as one profile key: their dim_code keys packed in one
-- integer (macros.sql `profile_key`). Read it through the view `fact_incident`.
-- Each column names its compression, so that writing it skips trying the others (BENCHMARKS.md):
-- the numbers bit packing, which DuckDB picks for them on our files (the record key, 0-255 at
-- random: none); report_id zstd. DuckDB would pick a dictionary with FSST for report_id, 20%
-- smaller but twice the CPU to write, and a report id is unique: the dictionary never pays.
create table if not exists fact_report (
    source_key utinyint not null using compression bitpacking,
    file_key usmallint not null using compression bitpacking,
    report_id varchar not null using compression zstd,
    report_date date not null using compression bitpacking,
    incident_date date using compression bitpacking,
    -- INEI district code as a number: 150101 (text: lpad to 6)
    ubigeo integer not null using compression bitpacking,
    -- crime, age group, sex, victim type, modality and channel keys (macros.sql `profile_key`)
    profile_key uinteger not null using compression bitpacking,
    victim_age smallint using compression bitpacking,
    amount_lost_pen decimal(14, 2) using compression bitpacking,
    -- cell-key method: 0-255 from source and report_id (stable)
    record_key utinyint using compression uncompressed
);

-- Grain: one row per source file line that carries a count (mpfn, sidpol), after mapping.
create table if not exists fact_count (
    source varchar not null,
    file_name varchar not null,
    period_start date not null,    -- first day covered
    period_grain varchar not null, -- month | year
    region_code varchar not null,
    lima_area varchar,
    geo_label varchar,             -- fiscal district (mpfn) or region label (sidpol)
    crime_code varchar not null,
    report_count bigint not null,
    data_as_of date,
    period_end date,               -- last day covered (mpfn 'ENERO - NOVIEMBRE' 2025: 2025-11-30)
    fiscal_district varchar        -- mpfn only: the Ministerio Público's own reporting unit
);
alter table fact_count add column if not exists period_end date;
alter table fact_count add column if not exists fiscal_district varchar;

-- Grain: one row per report, the contract's columns and values (README "Database contract"):
-- fact_report with its keys turned back into codes. The profile key's fields are read as
-- macros.sql `profile_field` reads them (written out: the macros live only in the ETL's session).
create or replace view fact_incident as
select s.code as source, f.code as file_name, r.report_id, r.report_date, r.incident_date,
       lpad(r.ubigeo::varchar, 6, '0') as ubigeo, lpad((r.ubigeo // 10000)::varchar, 2, '0') as region_code,
       case when r.ubigeo // 10000 = 15 then case when r.ubigeo // 100 = 1501 then 'metro' else 'rest' end end
           as lima_area,
       c.code as crime_code, mo.code as modality, ch.code as channel, r.victim_age,
       ag.code as victim_age_group, sx.code as victim_sex, vt.code as victim_type, r.amount_lost_pen, r.record_key
from fact_report r
join dim_code s on s.dimension = 'source' and s.code_key = r.source_key
join dim_code f on f.dimension = 'file' and f.code_key = r.file_key
join dim_code c on c.dimension = 'crime' and c.code_key = r.profile_key >> 24
left join dim_code mo on mo.dimension = 'modality' and mo.code_key = (r.profile_key >> 6) & 63
left join dim_code ch on ch.dimension = 'channel' and ch.code_key = r.profile_key & 63
join dim_code ag on ag.dimension = 'age_group' and ag.code_key = (r.profile_key >> 20) & 15
join dim_code sx on sx.dimension = 'sex' and sx.code_key = (r.profile_key >> 16) & 15
left join dim_code vt on vt.dimension = 'victim_type' and vt.code_key = (r.profile_key >> 12) & 15;
