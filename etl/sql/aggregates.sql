-- Rebuilt on every publish from the fact tables, so pages never scan raw records.
-- `key_sum` (record-level sources only) is the sum of the records' keys of the cell-key
-- method: a cell's key is key_sum % 256, summed again when cells are summed
-- (cybertrends/disclosure.py). These tables stay exact: they are the analysts' restricted tier.

-- The record-level facts are scanned twice, each time straight into the grain of the tables
-- below, grouped on fact_report's integer keys: month x region x crime x age group x sex x Lima
-- area (agg_counts, agg_lima_area, source_period), and month x region x crime x age group x
-- modality x channel (agg_modality). Two smaller hash tables cost less than one finest grain
-- summed again (BENCHMARKS.md). Each groups on the profile key with the fields it does not keep
-- cleared (macros.sql `profile_key`): one integer, not four keys. A report's month starts
-- `day - 1` days before it (a quarter less time than date_trunc per scan). Only the tables' rows
-- get the codes.
-- Their roll-ups over every region (agg_counts_all_regions, agg_modality_all_regions) are written
-- after this file, from cybertrends.rollups.ALL_REGIONS.
-- Only the tables below are written in order (small; the order lets the pages' filters skip
-- row groups).
create or replace temp table agg_incident_fine as
select source_key, report_date - (day(report_date) - 1)::integer as period_start, ubigeo // 10000 as region,
       profile_key & ~profile_key(0, 0, 0, 15, 63, 63) as profile, ubigeo // 100 = 1501 as metro,
       count(*)::bigint as report_count, sum(amount_lost_pen) as amount_lost_pen,
       sum(record_key)::bigint as key_sum
from fact_report
group by all;
-- A missing modality or channel (field 0) is counted as 'unknown': with that code's key, should
-- the reference have one (read once here: a constant when the facts are scanned).
set variable unknown_modality_key = (select code_key from dim_code where dimension = 'modality' and code = 'unknown');
set variable unknown_channel_key = (select code_key from dim_code where dimension = 'channel' and code = 'unknown');
create or replace temp table agg_modality_fine as
select source_key, period_start, region,
       profile_key(profile_field(profile, 'crime'), profile_field(profile, 'age_group'), 0, 0,
                   coalesce(nullif(profile_field(profile, 'modality'), 0), getvariable('unknown_modality_key')),
                   coalesce(nullif(profile_field(profile, 'channel'), 0), getvariable('unknown_channel_key'))) as profile,
       sum(report_count)::bigint as report_count, sum(key_sum)::bigint as key_sum
from (select source_key, report_date - (day(report_date) - 1)::integer as period_start, ubigeo // 10000 as region,
             profile_key & ~profile_key(0, 0, 15, 15, 0, 0) as profile,
             count(*)::bigint as report_count, sum(record_key)::bigint as key_sum
      from fact_report
      group by all)
group by all;
set preserve_insertion_order = true;

-- Grain: source x period x region x crime x age group x sex x fiscal district (age and sex
-- NULL where the source has none; fiscal district only for mpfn). Incidents are counted by
-- report month. `period_end` is the last day the period covers (a part-year file: its month).
-- Ordered by region first, as agg_modality (below).
create or replace table agg_counts as
select s.code as source, f.period_start, 'month' as period_grain, last_day(f.period_start) as period_end,
       lpad(f.region::varchar, 2, '0') as region_code, c.code as crime_code, ag.code as victim_age_group,
       sx.code as victim_sex, cast(null as varchar) as fiscal_district,
       f.report_count, f.amount_lost_pen, f.key_sum
from (select source_key, period_start, region, profile,
             sum(report_count)::bigint as report_count, sum(amount_lost_pen) as amount_lost_pen,
             sum(key_sum)::bigint as key_sum
      from agg_incident_fine
      group by all) as f
join dim_code s on s.dimension = 'source' and s.code_key = f.source_key
join dim_code c on c.dimension = 'crime' and c.code_key = profile_field(f.profile, 'crime')
join dim_code ag on ag.dimension = 'age_group' and ag.code_key = profile_field(f.profile, 'age_group')
join dim_code sx on sx.dimension = 'sex' and sx.code_key = profile_field(f.profile, 'sex')
union all
select source, period_start, period_grain,
       coalesce(period_end, case when period_grain = 'year' then make_date(year(period_start), 12, 31)
                                 else last_day(period_start) end),
       region_code, crime_code, cast(null as varchar), cast(null as varchar), fiscal_district,
       sum(report_count)::bigint, cast(null as decimal(18, 2)), cast(null as bigint)
from fact_count
group by all
order by source, region_code, period_start, crime_code, victim_age_group, victim_sex, fiscal_district;

-- Grain: source x month x region x crime x age group x modality x channel (record-level sources).
create or replace table agg_modality as
select s.code as source, f.period_start, lpad(f.region::varchar, 2, '0') as region_code, c.code as crime_code,
       ag.code as victim_age_group, coalesce(mo.code, 'unknown') as modality, coalesce(ch.code, 'unknown') as channel,
       f.report_count, f.key_sum
from agg_modality_fine as f
join dim_code s on s.dimension = 'source' and s.code_key = f.source_key
join dim_code c on c.dimension = 'crime' and c.code_key = profile_field(f.profile, 'crime')
join dim_code ag on ag.dimension = 'age_group' and ag.code_key = profile_field(f.profile, 'age_group')
left join dim_code mo on mo.dimension = 'modality' and mo.code_key = profile_field(f.profile, 'modality')
left join dim_code ch on ch.dimension = 'channel' and ch.code_key = profile_field(f.profile, 'channel')
-- in order of the filters that skip row groups (source, region, month: a view with no region filter
-- reads the roll-up over every region instead); sorting on the keys costs less than on the codes
order by f.source_key, f.region, f.period_start;

-- Grain: source x period x crime x Lima area x age group, for Lima region only, where the
-- source can tell Lima Metropolitana from the rest of the region.
create or replace table agg_lima_area as
select s.code as source, f.period_start, 'month' as period_grain, c.code as crime_code,
       case when f.metro then 'metro' else 'rest' end as lima_area, ag.code as victim_age_group,
       f.report_count, f.key_sum
from (select source_key, period_start, profile & ~profile_key(0, 0, 15, 0, 0, 0) as profile, metro,
             sum(report_count)::bigint as report_count, sum(key_sum)::bigint as key_sum
      from agg_incident_fine
      where region = 15
      group by all) as f
join dim_code s on s.dimension = 'source' and s.code_key = f.source_key
join dim_code c on c.dimension = 'crime' and c.code_key = profile_field(f.profile, 'crime')
join dim_code ag on ag.dimension = 'age_group' and ag.code_key = profile_field(f.profile, 'age_group')
union all
select source, period_start, period_grain, crime_code, lima_area, cast(null as varchar), sum(report_count)::bigint,
       cast(null as bigint)
from fact_count
where region_code = '15' and lima_area is not null
group by all
order by all;

-- Grain: one row per source. What period the data covers and how fresh it is.
create or replace table source_coverage as
select s.code as source, 'month' as period_grain, f.first_date, f.last_date, f.last_date as data_as_of, f.report_count
from (select source_key, min(report_date) as first_date, max(report_date) as last_date,
             count(*)::bigint as report_count
      from fact_report
      group by source_key) as f
join dim_code s on s.dimension = 'source' and s.code_key = f.source_key
union all
select source, any_value(period_grain), min(period_start), max(period_end),
       coalesce(max(data_as_of), max(period_end)), sum(report_count)::bigint
from (select *, coalesce(period_end, case when period_grain = 'year' then make_date(year(period_start), 12, 31)
                                          else last_day(period_start) end) as period_end
      from fact_count)
group by source;

-- Grain: one row per source x period (month or year) that has data: the days it covers.
-- A period is complete when it covers its whole month or year; a period with no row is a
-- gap (no file), never a zero.
create or replace table source_period as
select f.source, 'month' as period_grain, f.period_start,
       greatest(f.period_start, c.first_date) as covered_from,
       least(last_day(f.period_start), c.last_date) as covered_to,
       cast(null as date) as data_as_of
from (select distinct s.code as source, i.period_start from agg_incident_fine i
      join dim_code s on s.dimension = 'source' and s.code_key = i.source_key) f
join source_coverage c using (source)
union all
select source, period_grain, period_start, min(period_start),
       max(coalesce(period_end, case when period_grain = 'year' then make_date(year(period_start), 12, 31)
                                     else last_day(period_start) end)),
       max(data_as_of)
from fact_count
group by all
order by all;

drop table agg_incident_fine;
drop table agg_modality_fine;
reset variable unknown_modality_key;
reset variable unknown_channel_key;

-- The contract for analysts (README "Database contract").
create or replace view report_counts as
select a.source, a.period_start, a.period_grain, a.period_end, a.region_code, r.region_name,
       a.fiscal_district, c.law, c.article, c.name_es as crime_name_es, c.name_en as crime_name_en,
       a.victim_age_group, a.victim_sex, a.report_count
from agg_counts a
join ref_region r on r.region_code = a.region_code
join ref_crime c on c.crime_code = a.crime_code;
