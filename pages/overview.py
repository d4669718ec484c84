"""Page: Resumen / Overview — the minister's page: headlines, findings, the national trend and
what drives the change."""

import streamlit as st

import ui
from cybertrends import cached

f = ui.filters()
ui.page_header("app_title", "app_tagline", f)

heads, findings = cached.overview_summary(f)
ui.headline_metrics(heads)

left, right = st.columns([2, 1], gap="large")
with left:
    ui.render_chart(cached.chart("overview_trend", f))
with right:
    with st.container(border=True):
        st.markdown(f"#### {ui.t('key_findings')}")
        for sentence in findings:
            st.markdown(f"- {sentence}")

st.subheader(ui.t("contrib_heading"))
by = ui.choice(ui.t("contrib_by"), ["crime", "region"], param="by", default="crime",
               format_func=lambda b: ui.t("contrib_by_crime" if b == "crime" else "contrib_by_region"))
ui.render_chart(cached.chart("overview_contrib", f, by=by))
