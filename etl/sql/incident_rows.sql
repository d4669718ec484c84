-- Grain: one row per well-formed record of an incidents file: the raw text of each of our columns
-- (`<column>_text`, named by the header map) and the row-level values the rules check.
-- Used as a subquery by every pass over the file; only the ordered attention pass numbers the
-- records (rid: the position among the well-formed records, file order).
select r.*,
       nullif(trim(r.report_id_text), '') as report_id,
       case when nullif(trim(r.report_id_text), '') is not null then hash(nullif(trim(r.report_id_text), '')) end
           as id_hash,
       nullif(trim(r.amount_lost_pen_text), '') as amount_raw,
       try_cast(nullif(trim(r.amount_lost_pen_text), '') as decimal(14, 2)) as amount_lost_pen
from (select {{rid}} as rid, {{file_columns}} from {{read_file}}) as r
