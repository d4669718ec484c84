-- Grain: one row per distinct (ubigeo, crime_code) text pair of the file, with its rows, the
-- district, region, Lima area and crime code they read as, whether the crime is one of ours
-- (in_scope), and `bad`: the pair breaks a place rule (etl/adapters/rules.py).
create or replace table scratch.place_pairs as
select *, {{broken}} as bad from (
    select p.ubigeo_text, p.crime_code_text, p.n, u.t as ubigeo_raw, u.ubigeo, u.region_code, u.lima_area,
           coalesce(u.known, false) as ubigeo_known, c.t as crime_raw, c.crime_code,
           coalesce(c.in_scope, false) as in_scope, c.crime_key
    from scratch.value_profile p
    left join scratch.ubigeo_values u on u.v = p.ubigeo_text
    left join scratch.crime_values c on c.v = p.crime_code_text
    where p.grouping_set = 'place')
