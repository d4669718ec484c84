"""The library behind the dashboard: queries over the published DuckDB database, measures,
charts, exports and briefing packs (no page code; Streamlit only in `cached`)."""

import pandas as pd

# pandas 3's text dtype (`str`) kept in NumPy object arrays rather than Arrow: the pages work on
# small frames (tens to hundreds of rows), where every Arrow-backed take, slice and lookup costs a
# conversion. Same dtype and missing value (NaN), so no behaviour changes; measured 17-21 % less
# server time per page (BENCHMARKS.md, issue 12).
pd.set_option("mode.string_storage", "python")
