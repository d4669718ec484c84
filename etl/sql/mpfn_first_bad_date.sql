-- Grain: at most one row: the first line of an MPFN file with a date no accepted format reads.
select line_number, c, v from (
    select line_number, 'fecha_corte' as c, fecha_corte_raw as v from scratch.mpfn_fields
    union all select line_number, 'fecha_descarga', fecha_descarga_raw from scratch.mpfn_fields)
where v is not null and try_strptime(v, '%d/%m/%Y') is null
  and try_strptime(v, '%m/%d/%Y') is null and try_strptime(v, '%Y-%m-%d') is null
order by line_number limit 1
