"""Page: Grupos en riesgo / At-risk groups — children, adolescents, young people and older
adults: counts, rates per 100,000 people of each group, growth, crime profile, sex split."""

import streamlit as st

import ui
from cybertrends import cached

f = ui.filters()
info = cached.compute("groups", "page_info", f)

st.title(ui.t("page_groups"))
st.caption(ui.t("gr_caption"))
if info["synthetic"]:
    ui.synthetic_banner()

with st.expander(ui.t("gr_definitions"), icon=":material/gavel:"):
    st.dataframe(cached.compute("groups", "definitions", f), hide_index=True, width="stretch")
    st.caption(ui.t("gr_definitions_youth"))
    st.caption(ui.t("gr_definitions_suppression"))

if not info["has_age"]:
    # Sources without victim age: no breakdown by group; show the legal proxy for minors.
    source_name = cached.sources().set_index("source").loc[f.source, f"name_{ui.lang()}"]
    st.info(ui.t("gr_no_age", source=source_name), icon=":material/info:")
    proxy = cached.chart("gr_minor_proxy", f) if info["proxy_crimes"] else None
    if proxy is None:
        st.info(ui.t("gr_proxy_absent"), icon=":material/filter_alt_off:")
    else:
        ui.render_chart(proxy)
    st.stop()

st.subheader(ui.t("gr_section_compare"))
left, right = st.columns(2, gap="medium")
with left:
    ui.render_chart(cached.chart("gr_counts", f))
with right:
    ui.render_chart(cached.chart("gr_rates", f))
left, right = st.columns(2, gap="medium")
with left:
    ui.render_chart(cached.chart("gr_growth", f))
with right:
    ui.render_chart(cached.chart("gr_sex", f))

st.subheader(ui.t("gr_section_group"))
groups = info["groups"]
if not groups:
    st.info(ui.t("gr_no_selectable"), icon=":material/filter_alt_off:")
    st.stop()
group = st.segmented_control(
    ui.t("gr_group_select"), list(groups), default=next(iter(groups)), key="gr_group", bind="query-params",
    format_func=lambda g: groups[g], required=True,
) or next(iter(groups))
if group not in groups:
    group = next(iter(groups))
left, right = st.columns(2, gap="medium")
with left:
    ui.render_chart(cached.chart("gr_top_crimes", f, group=group))
with right:
    ui.render_chart(cached.chart("gr_rates", f, group=group))
