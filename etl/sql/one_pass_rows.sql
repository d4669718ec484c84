-- Grain: one row per row of the one-pass load of file $file_key: the hash of its report_id and
-- whether it settled (record_key NULL: it did not). The loader sorts the hashes and looks for one
-- seen twice in the file, or already loaded for the source from another file (a duplicate
-- candidate); any of the three, and the file loads the two-pass way.
select hash(report_id) as id_hash, record_key is null as unsettled
from fact_report
where file_key = $file_key
