-- Grain: one row per victim age band (Peruvian law), `unknown` included. From data/reference/age_groups.csv ($path).
create or replace table ref_age_group as
select
    age_group, cast(sort_order as integer) as sort_order,
    cast(min_age as integer) as min_age, cast(max_age as integer) as max_age,
    cast(is_at_risk as boolean) as is_at_risk, cast(is_minor as boolean) as is_minor,
    name_es, name_en, legal_basis_es, legal_basis_en
from read_csv($path, all_varchar = true, header = true)
order by sort_order
