"""Page: Grupos en riesgo / At-risk groups — children, adolescents, young people and older
adults: counts, rates per 100,000 people of each group, growth, crime profile, sex split. For a
source without victim age (the Ministerio Público's series, the default), the legal proxy for
minors: Ley 30096 art. 5, its trend by year and its rate per 100,000 people aged 0–17 by region."""

import streamlit as st

import ui
from cybertrends import cached

f = ui.filters()
info = cached.groups_page_info(f)

st.title(ui.t("page_groups"))
st.caption(ui.t("gr_caption"))
if info["synthetic"]:
    ui.synthetic_banner()

with st.expander(ui.t("gr_definitions"), icon=":material/gavel:"):
    st.dataframe(cached.groups_definitions(f), hide_index=True, width="stretch")
    st.caption(ui.t("gr_definitions_youth"))
    if not info["published"]:  # published aggregates are shown as released
        st.caption(ui.t("gr_definitions_protection"))

if not info["has_age"]:
    # Sources without victim age: no breakdown by group; the legal proxy for minors instead.
    source_name = cached.sources().set_index("source").loc[f.source, f"name_{ui.lang()}"]
    st.info(ui.t("gr_no_age", source=source_name), icon=":material/info:")
    if not info["proxy_crimes"]:
        st.info(ui.t("gr_proxy_absent"), icon=":material/filter_alt_off:")
        st.stop()
    st.subheader(ui.t("gr_section_minors"))
    left, right = st.columns(2, gap="medium")
    with left:
        ui.render_chart(cached.chart("gr_minor_proxy", f))
    with right:
        mode = "latest"
        if len(info["complete_years"]) > 1:  # a single year's rate swings with few cases: offer the average
            labels = {"latest": ui.t("gr_minor_years_latest"), "all": ui.t("gr_minor_years_all")}
            mode = ui.choice(ui.t("gr_minor_years_select"), list(labels), param="years", default="latest",
                             format_func=labels.get, selectbox=True)  # long labels: a list fits a phone
        ui.render_chart(cached.chart("gr_minor_rate", f, years=mode))
    st.stop()

st.subheader(ui.t("gr_section_compare"))
ui.chart_pair(cached.chart("gr_counts", f), cached.chart("gr_rates", f))
ui.chart_pair(cached.chart("gr_growth", f), cached.chart("gr_sex", f))

st.subheader(ui.t("gr_section_group"))
groups = info["groups"]
if not groups:
    st.info(ui.t("gr_no_selectable"), icon=":material/filter_alt_off:")
    st.stop()
group = ui.choice(ui.t("gr_group_select"), list(groups), param="group", default=next(iter(groups)),
                  format_func=lambda g: groups[g])
if group not in groups:
    group = next(iter(groups))
ui.chart_pair(cached.chart("gr_top_crimes", f, group=group), cached.chart("gr_rates", f, group=group))
