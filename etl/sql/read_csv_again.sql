-- Grain: one row per well-formed record of the file being loaded, every field as text (a later
-- pass over a file already read once: its rejects are known). Used as a subquery.
select * from read_csv($path, delim = $delim, header = true, auto_detect = false, columns = $columns,
                       quote = '"', escape = '"', encoding = $encoding, compression = $compression,
                       ignore_errors = true)
