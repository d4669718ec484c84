"""Entrypoint: `streamlit run dashboard.py` (placeholder until the dashboard lands)."""

import duckdb
import streamlit as st

from cybertrends import paths

st.set_page_config(page_title="Cibercrimen en el Perú", layout="wide")
db = paths.db_path()
if not db.exists():
    st.error(f"No hay base de datos en {db}. Ejecute `make run` o `python -m etl build`.")
    st.stop()
with duckdb.connect(str(db), read_only=True) as con:
    df = con.execute(
        "select source, period_grain, sum(report_count) as report_count from report_counts group by all order by all"
    ).df()
st.title("Cibercrimen en el Perú")
st.dataframe(df)
