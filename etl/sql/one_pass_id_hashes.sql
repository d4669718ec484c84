-- Grain: one row per row of the one-pass load of file $file_key: the hash of its report_id (the
-- loader sorts them and looks for one seen twice: a duplicate candidate).
select hash(report_id) as id_hash
from fact_report
where file_key = $file_key
