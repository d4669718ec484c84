-- Grain: one row per distinct date text of an MPFN file (fecha_corte or fecha_descarga), with
-- the earliest year it reports.
select v, min(year) as year from (
    select fecha_corte_raw as v, year from scratch.mpfn_fields
    union all select fecha_descarga_raw, year from scratch.mpfn_fields)
where v is not null group by v order by v
