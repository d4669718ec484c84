-- Grain: one row, one number: the rows of the one-pass load of file $file_key that are not
-- settled (record_key NULL) plus those whose report_id hash is already loaded for the source
-- from another file (duplicate candidates). The ids seen twice within the file are counted apart
-- (one_pass_id_hashes.sql). Zero, and no id twice: the load is done.
select count(*) filter (where record_key is null)
     + count(*) filter (where hash(report_id) in (select id_hash from scratch.ids_elsewhere))
from fact_report
where file_key = $file_key
