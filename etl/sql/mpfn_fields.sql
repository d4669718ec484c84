-- Grain: one row per well-formed line of an MPFN "delitos" file: each field as read (*_raw,
-- trimmed, NULL when blank) and as typed (year, period months, office ubigeo, article, count).
create or replace table scratch.mpfn_fields as
select line_number,
    anio_denuncia as year_raw, try_cast(anio_denuncia as integer) as year,
    periodo_denuncia as periodo_raw,
    regexp_extract(upper(strip_accents(coalesce(periodo_denuncia, 'ENERO - DICIEMBRE'))),
                   '^([A-Z]+)(?:\s*-\s*([A-Z]+))?$', ['m1', 'm2']) as periodo,
    distrito_fiscal as district_raw,
    upper(strip_accents(distrito_fiscal)) as district_key,
    ubigeo_pjfs as ubigeo_raw,
    case when regexp_full_match(ubigeo_pjfs, '[0-9]{5,6}') then lpad(ubigeo_pjfs, 6, '0') end as ubigeo,
    dpto_pjfs as dpto_raw,
    upper(strip_accents(prov_pjfs)) as prov_key,
    generico,
    articulo as article_raw,
    case when upper(articulo) in ('S/ART', 'S/N', 'S/A') then 'S/Art' else upper(articulo) end as article,
    cantidad as count_raw, try_cast(cantidad as bigint) as report_count,
    fecha_corte as fecha_corte_raw,
    fecha_descarga as fecha_descarga_raw
from (select line_number, {{fields}} from scratch.staged_lines)
