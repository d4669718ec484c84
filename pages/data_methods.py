"""Page: Datos y metodología / Data & methods."""

import streamlit as st

import ui
from cybertrends import cached

f = ui.filters()
st.title(ui.t("page_methods"))
st.caption(ui.t("md_intro"))

st.subheader(ui.t("md_sources"))
ui.dataframe(cached.methods_sources_table(f),
             column_config={ui.t("md_col_link"): st.column_config.LinkColumn()})

st.subheader(ui.t("md_series"))
st.caption(ui.t("md_series_help"))
ui.dataframe(cached.methods_series_table(f))

st.subheader(ui.t("md_caveats"))
st.markdown(ui.t("md_caveats_text"))

st.subheader(ui.t("md_definitions"))
st.markdown(f"**{ui.t('md_crime_types')}**")
ui.dataframe(cached.methods_crime_table(f))
st.markdown(f"**{ui.t('md_age_groups')}**")
ui.dataframe(cached.methods_age_table(f))
st.markdown(f"**{ui.t('md_measures')}**")
st.markdown(ui.t("md_measures_text"))

st.subheader(ui.t("md_load_log"))
st.caption(ui.t("md_load_log_help"))
st.caption(ui.t("md_out_of_scope_text"))
ui.dataframe(cached.methods_load_log_table(f))
rejections = cached.methods_rejections_table(f)
st.markdown(f"**{ui.t('md_rejections')}**")
if rejections.empty:
    st.caption(ui.t("md_no_rejections"))
else:
    ui.dataframe(rejections)

st.subheader(ui.t("md_download"))
st.caption(ui.t("md_download_help"))
download = cached.methods_download_spec(f)
if download is None:
    ui.empty_state()
else:
    st.caption(ui.t("md_rows_selected", n=f"{len(download.data):,}"))
    ui.table_downloads(download)
