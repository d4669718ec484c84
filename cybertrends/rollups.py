"""The aggregates' roll-ups over every region: fixed table names and statements, shared by the ETL
(which writes them) and the app (which reads them, and computes them beside a database built before
them). Plain strings: the ETL imports this module, and not `queries` (which imports pandas)."""

# The aggregates summed over every region: most views filter no region, and a cell of such a view is
# then read from 7-11x fewer rows (BENCHMARKS.md, issue 12). A cell is the same records either way (the
# same count and key sum), so it is published the same way. Written by the ETL on every publish
# (etl/load.py) and, for a database built before them, by db.open_read_only beside it.
ALL_REGIONS = {
    "agg_counts": ("agg_counts_all_regions", """
        select source, period_start, crime_code, victim_age_group, victim_sex,
               sum(report_count)::bigint as report_count, sum(amount_lost_pen) as amount_lost_pen,
               sum(key_sum)::bigint as key_sum
        from agg_counts
        group by all
        order by source, period_start, crime_code, victim_age_group, victim_sex"""),
    "agg_modality": ("agg_modality_all_regions", """
        select source, period_start, crime_code, victim_age_group, modality, channel,
               sum(report_count)::bigint as report_count, sum(key_sum)::bigint as key_sum
        from agg_modality
        group by all
        order by source, period_start, crime_code, victim_age_group, modality, channel"""),
}
