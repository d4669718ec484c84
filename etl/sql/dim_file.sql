-- Grain: at most one row: the file $file in dim_code (dimension 'file'), with the next free key,
-- unless it already has one.
insert into dim_code
select 'file', coalesce((select max(code_key) from dim_code where dimension = 'file'), 0) + 1, $file
where not exists (select 1 from dim_code where dimension = 'file' and code = $file)
