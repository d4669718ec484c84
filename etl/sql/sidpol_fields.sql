-- Grain: one row per well-formed line of a police SIDPOL file: each field as read (*_raw,
-- trimmed, NULL when blank) and as typed (year, month, district, modality key, count).
create or replace table scratch.sidpol_fields as
select *, exists (select 1 from ref_region r where r.region_code = substr(f.ubigeo, 1, 2)) as region_known
from (
    select line_number,
        anio as year_raw, try_cast(anio as integer) as year,
        mes as month_raw, try_cast(mes as integer) as month,
        ubigeo_hecho as ubigeo_raw,
        case when regexp_full_match(ubigeo_hecho, '[0-9]{5,6}') then lpad(ubigeo_hecho, 6, '0') end as ubigeo,
        upper(strip_accents(dpto_hecho_new)) as region_label,
        label_key(p_modalidades) as modality_key,
        cantidad as count_raw, try_cast(cantidad as bigint) as report_count
    from (select line_number, {{fields}} from scratch.staged_lines)) as f
