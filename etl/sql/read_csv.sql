-- Grain: one row per well-formed record of the file being loaded, every field as text unless
-- $columns gives it another type (the one pass may read dates as DATE, written as $dateformat);
-- the wrong-shaped lines go to DuckDB's rejects (`csv_rejects`). Used as a subquery.
select * from read_csv($path, delim = $delim, header = true, auto_detect = false, columns = $columns,
                       dateformat = $dateformat, quote = '"', escape = '"', encoding = $encoding, compression = $compression,
                       ignore_errors = true, store_rejects = true,
                       rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans')
