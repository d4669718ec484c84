"""ETL: official CSV files in, a published DuckDB database out."""

# The sources a file can be loaded as (`--source`), besides auto-detection.
SOURCES = ("incidents", "synthetic", "mpfn", "sidpol")
