-- Grain: one row, one number: the file's rows whose crime code is not one of ours and that break
-- no rule (a row that breaks a rule is rejected, not out of scope).
select coalesce((select sum(n) from scratch.place_pairs where not in_scope), 0)
     - (select count(*) from scratch.attention_rows where not in_scope)
     + (select count(*) from scratch.attention_rows
        where not in_scope and line_number not in (select line_number from scratch.rejections))
