-- Grain: one row per report_id hash already loaded for this source from another file (a
-- duplicate candidate of the file being loaded).
create or replace table scratch.ids_elsewhere as
select distinct hash(report_id) as id_hash
from fact_report
where source_key = code_key('source', $source) and file_key is distinct from code_key('file', $file)
