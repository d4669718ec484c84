-- Grain: one row per well-formed line of an MPFN file (mpfn_fields), with what it maps to: our
-- crime code (NULL when out of scope), whether it is a Ley 30096 row and its article is known,
-- the period's months, the region (the office's ubigeo, else its department's name, else, for
-- files with neither, the fiscal district's department) and the cut date (format $fmt).
create or replace table scratch.mpfn_scoped as
with dept as (select region_code, upper(strip_accents(region_name)) as k from ref_region
              union select region_code, region_name_upper from ref_region)
select t.*,
    case when t.generico like '%30096%' then t.article
         when regexp_matches(upper(coalesce(t.generico, '')), '^(LEY|D\.? ?LEG|DECRETO|DELITOS ADUANEROS|DELITOS TRIBUTARIOS)')
             then null
         when exists (select 1 from ref_crime c where c.law = 'Código Penal' and c.crime_code = t.article)
             then t.article
    end as crime_code,
    t.generico like '%30096%' as is_ley_30096,
    exists (select 1 from ref_crime c where c.is_ley_30096 and c.crime_code = t.article) as ley_article_known,
    m1.month as month_from, coalesce(m2.month, m1.month) as month_to,
    ru.region_code as ubigeo_region, fd.region_code as district_region,
    case when t.ubigeo_raw is not null then ru.region_code
         when t.dpto_raw is not null then rd.region_code
         else fd.region_code end as region_code,
    try_strptime(t.fecha_corte_raw, $fmt)::date as data_as_of
from scratch.mpfn_fields t
left join ref_month_name m1 on m1.month_name = t.periodo.m1
left join ref_month_name m2 on m2.month_name = nullif(t.periodo.m2, '')
left join ref_region ru on ru.region_code = substr(t.ubigeo, 1, 2)
left join dept rd on rd.k = upper(strip_accents(t.dpto_raw))
left join (select upper(strip_accents(fiscal_district)) as k, region_code from ref_fiscal_district) fd
  on fd.k = t.district_key
