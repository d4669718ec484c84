"""Page: Regiones / Regions — where reports concentrate, compared fairly (rate per 100,000),
one region's trend, and Lima Metropolitana against the rest of Lima."""

import streamlit as st

import ui
from cybertrends import cached
from cybertrends.charts.regions import DEFAULT_METRIC, DEFAULT_REGION, METRICS

f = ui.filters()
ui.page_header("rg_page_title", "rg_caption")

metric = st.segmented_control(
    ui.t("rg_metric_label"), list(METRICS), default=DEFAULT_METRIC, key="rg_metric", bind="query-params",
    format_func=lambda m: ui.t(f"rg_metric_{m}"), required=True, help=ui.t("rg_metric_help"),
) or DEFAULT_METRIC

left, right = st.columns([3, 2], gap="medium")
map_spec = cached.chart("rg_map", f, metric=metric)
if map_spec is None and metric == "growth" and (reason := cached.compute("regions", "growth_unavailable", f)):
    st.info(reason, icon=":material/info:")
else:
    with left:
        ui.render_chart(map_spec)
    with right:
        ui.render_chart(cached.chart("rg_rank", f, metric=metric))

st.subheader(ui.t("rg_trend_heading"))
names = cached.reference("regions").set_index("region_code")["region_name"]
options = list(f.regions) or list(names.index)
region = st.selectbox(
    ui.t("rg_region_label"), options, index=options.index(DEFAULT_REGION) if DEFAULT_REGION in options else 0,
    key="rg_region", bind="query-params", format_func=lambda c: names[c],
)
if region not in options:  # the regions filter changed under a remembered choice
    region = options[0]
ui.render_chart(cached.chart("rg_trend", f, region=region))

st.subheader(ui.t("rg_lima_heading"))
status = cached.compute("regions", "lima_status", f)
if status == "ok":
    ui.render_chart(cached.chart("rg_lima", f))
else:
    message = {"fiscal_districts": "rg_lima_fiscal_districts", "not_split": "rg_lima_not_split",
               "not_in_filter": "rg_lima_not_in_filter"}[status]
    st.info(ui.t(message), icon=":material/info:")
