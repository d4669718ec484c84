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

-- Grain: one row per report (canonical incidents and the synthetic sample).
create table if not exists fact_incident (
    source varchar not null,
    file_name varchar not null,
    report_id varchar not null,
    report_date date not null,
    incident_date date,
    ubigeo varchar not null,
    region_code varchar not null,
    lima_area varchar,            -- metro | rest (only region 15)
    crime_code varchar not null,
    modality varchar,
    channel varchar,
    victim_age smallint,
    victim_age_group varchar not null,
    victim_sex varchar not null,  -- female | male | unknown
    victim_type varchar,          -- person | company | state
    amount_lost_pen decimal(14, 2),
    record_key utinyint           -- cell-key method: 0-255 from source and report_id (stable)
);
alter table fact_incident add column if not exists record_key utinyint;

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
