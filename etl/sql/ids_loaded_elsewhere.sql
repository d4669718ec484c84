-- Grain: one row per report_id of the attention rows already loaded for this source from
-- another file, with one such file.
create or replace table scratch.ids_loaded_elsewhere as
select i.report_id, any_value(i.file_name) as other_file
from fact_incident i
where i.source = $source and i.file_name <> $file
  and i.report_id in (select report_id from scratch.attention_rows)
group by i.report_id
