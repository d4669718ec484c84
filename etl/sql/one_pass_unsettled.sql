-- Grain: one row, one number: the rows of the one-pass load of file $file_key that are not
-- settled (record_key NULL) plus the report_id hashes seen twice in the file or already loaded
-- for the source from another file (duplicate candidates). Zero: the load is done.
select (select count(*) from fact_report where file_key = $file_key and record_key is null)
     + (select count(*) from (
            select hash(report_id) as id_hash from fact_report where file_key = $file_key
            group by id_hash having count(*) > 1 or id_hash in (select id_hash from scratch.ids_elsewhere)))
