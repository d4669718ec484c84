"""Page: Resumen / Overview — the minister's page."""

import streamlit as st

import ui
from cybertrends import cached

f = ui.filters()
ui.page_header("app_title", "app_tagline")

heads, findings = cached.compute("overview", "summary", f)
ui.headline_metrics(heads)

left, right = st.columns([2, 1], gap="large")
with left:
    ui.render_chart(cached.chart("overview_trend", f))
with right:
    with st.container(border=True):
        st.markdown(f"#### {ui.t('key_findings')}")
        for sentence in findings:
            st.markdown(f"- {sentence}")
