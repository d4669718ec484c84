-- Grain: one row per physical line of the file (header included), as one text column, in file
-- order (rowid + 1 = line number). For files whose fields cannot be split by a CSV reader.
create or replace table scratch.text_lines as
select line
from read_csv($path, delim = $line_delim, header = false, auto_detect = false, quote = '', escape = '',
              columns = {'line': 'VARCHAR'}, encoding = $encoding, compression = $compression)
