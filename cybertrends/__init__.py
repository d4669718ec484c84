"""The library behind the dashboard: queries over the published DuckDB database, measures,
charts, exports and briefing packs (no page code; Streamlit only in `cached`)."""
