-- Grain: one row per report_id of the attention rows already loaded for this source from
-- another file, with one such file.
create or replace table scratch.ids_loaded_elsewhere as
select i.report_id, any_value(f.code) as other_file
from fact_report i join dim_code f on f.dimension = 'file' and f.code_key = i.file_key
where i.source_key = code_key('source', $source) and f.code <> $file
  and i.report_id in (select report_id from scratch.attention_rows)
group by i.report_id
