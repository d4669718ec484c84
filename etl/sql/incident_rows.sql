-- Grain: one row per well-formed record of an incidents file: the raw text of each of our columns
-- (`<column>_text`, named by the header map) and the row-level values the rules check. The amount
-- comes from its text (`amount_raw`: trimmed, blank as missing) or, in the one pass, from the
-- reader as DECIMAL(14, 2): incidents.py AMOUNT_FROM_TEXT, AMOUNT_TYPED.
-- Used as a subquery by every pass over the file; only the ordered attention pass numbers the
-- records (rid: the position among the well-formed records, file order).
select r.*,
       nullif(trim(r.report_id_text), '') as report_id,
       case when nullif(trim(r.report_id_text), '') is not null then hash(nullif(trim(r.report_id_text), '')) end
           as id_hash,
       {{amount_raw}} as amount_raw,
       {{amount_value}} as amount_lost_pen
from (select {{rid}} as rid, {{file_columns}} from {{read_file}}) as r
