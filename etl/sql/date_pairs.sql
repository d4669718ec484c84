-- Grain: one row per distinct (report_date, incident_date) text pair of the file, with its rows,
-- the dates they read as, and `bad`: the pair breaks a date rule (etl/adapters/rules.py).
create or replace table scratch.date_pairs as
select *, {{broken}} as bad from (
    select p.report_date_text, p.incident_date_text, p.n,
           a.t as report_date_raw, a.d as report_date, b.t as incident_date_raw, b.d as incident_date
    from scratch.value_profile p
    left join scratch.date_values a on a.v = p.report_date_text
    left join scratch.date_values b on b.v = p.incident_date_text
    where p.grouping_set = 'dates')
