-- Grain: one row per rule a line of an incidents file breaks (a line may break several): the
-- malformed lines, every rule of etl/adapters/rules.py over the attention rows, and duplicate
-- report_ids (within the file: every occurrence after the first; across files: any already
-- loaded for the source from another file). load.py copies them into `rejected_rows`.
create or replace table scratch.rejections as
select * from scratch.malformed_lines
union all
{{rule_rejections}}
union all
select line_number, 'report_id', 'duplicate report_id (first on line ' || first_line || ')', report_id
from scratch.attention_rows
where report_id is not null and line_number > first_line
union all
select a.line_number, 'report_id', 'duplicate report_id (already loaded from ' || x.other_file || ')', a.report_id
from scratch.attention_rows a join scratch.ids_loaded_elsewhere x on x.report_id = a.report_id
