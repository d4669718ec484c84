-- Grain: one row per rule a row of the file broke (scratch.rejections), appended to the
-- published `rejected_rows` with the file and its source, in line order.
insert into rejected_rows
select $file, $source, line_number, column_name, reason, value from scratch.rejections
order by line_number, column_name
