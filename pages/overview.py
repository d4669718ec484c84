"""Page: Resumen / Overview — the minister's page: headlines, findings, the national trend and
what drives the change."""

import streamlit as st

import ui
from cybertrends import cached

f = ui.filters()
ui.page_header("app_title", "app_tagline", f)

heads, findings = cached.compute("overview", "summary", f)
# Headline texts are kept short; should one still not fit (a long region name at 1440 px), it
# wraps onto a second line instead of being cut with an ellipsis.
st.html("""<style>
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricDeltaDescription"] [data-testid="stCaptionContainer"],
[data-testid="stMetric"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetric"] [data-testid="stCaptionContainer"] p {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
}
</style>""")
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
