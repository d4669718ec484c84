-- Grain: one row per Spanish month name as MPFN's `periodo_denuncia` writes it. From data/reference/month_names.csv ($path).
create or replace table ref_month_name as
select month_name, cast(month as integer) as month
from read_csv($path, all_varchar = true, header = true)
