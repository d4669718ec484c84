"""ETL: official CSV files in, a published DuckDB database out."""
