"""Page: Regiones / Regions — where reports concentrate, compared fairly (rate per 100,000),
one region's trend, and Lima Metropolitana against the rest of Lima; for the Ministerio Público,
the same ranking and trend by fiscal district."""

import streamlit as st

import ui
from cybertrends import cached
from cybertrends.charts.regions.basis import (
    DEFAULT_FD_METRIC,
    DEFAULT_GROUPING,
    DEFAULT_METRIC,
    DEFAULT_REGION,
    FD_METRICS,
    GROUPINGS,
    METRICS,
    fiscal_district_name,
)

f = ui.filters()
ui.page_header("rg_page_title", "rg_caption", f)
# Labels fixed now, in the page's language (a format function may be called after the run).
metric_labels = {m: ui.t(f"rg_metric_{m}") for m in METRICS}
group_labels = {g: ui.t(f"rg_group_{g}") for g in GROUPINGS}

if no_file := cached.regions_no_data_message(f):
    st.info(no_file, icon=":material/folder_off:")
    st.stop()

grouping = DEFAULT_GROUPING
if cached.regions_has_fiscal_districts(f):
    grouping = ui.choice(ui.t("rg_group_label"), GROUPINGS, param="grouping", default=DEFAULT_GROUPING,
                         format_func=group_labels.get, help=ui.t("rg_group_help"))


def growth_reason(metric: str) -> str | None:
    """Why growth cannot be shown for these filters, when it was asked for."""
    return cached.regions_growth_unavailable(f) if metric == "growth" else None


if grouping == "fiscal_district":
    metric = ui.choice(ui.t("rg_metric_label"), FD_METRICS, param="metric", default=DEFAULT_FD_METRIC,
                       format_func=metric_labels.get)
    st.caption(f":material/info: {ui.t('rg_fd_no_rate')}")
    if reason := growth_reason(metric):
        st.info(reason, icon=":material/info:")
    else:
        ui.render_chart(cached.chart("rg_fd_rank", f, metric=metric))

    st.subheader(ui.t("rg_fd_trend_heading"))
    options = cached.regions_fiscal_district_options(f)
    if options:
        default = cached.regions_default_fiscal_district(f)
        district = ui.choice(ui.t("rg_fd_label"), options, param="district", default=default,
                             format_func=fiscal_district_name, selectbox=True)
        if district not in options:  # the filters changed under a remembered choice
            district = options[0]
        ui.render_chart(cached.chart("rg_fd_trend", f, district=district))
    else:
        ui.empty_state()
else:
    metric = ui.choice(ui.t("rg_metric_label"), METRICS, param="metric", default=DEFAULT_METRIC,
                       format_func=metric_labels.get, help=ui.t("rg_metric_help"))

    left, right = st.columns([3, 2], gap="medium")
    map_spec = cached.chart("rg_map", f, metric=metric)
    if map_spec is None and (reason := growth_reason(metric)):
        st.info(reason, icon=":material/info:")
    else:
        with left:
            ui.render_chart(map_spec)
        with right:
            ui.render_chart(cached.chart("rg_rank", f, metric=metric))

    st.subheader(ui.t("rg_trend_heading"))
    names = cached.regions().set_index("region_code")["region_name"]
    options = list(f.regions) or list(names.index)
    region = ui.choice(ui.t("rg_region_label"), options, param="region",
                       default=DEFAULT_REGION if DEFAULT_REGION in options else options[0],
                       format_func=lambda c: names[c], selectbox=True)
    if region not in options:  # the regions filter changed under a remembered choice
        region = options[0]
    ui.render_chart(cached.chart("rg_trend", f, region=region))

    st.subheader(ui.t("rg_lima_heading"))
    status = cached.regions_lima_status(f)
    if status == "ok":
        ui.render_chart(cached.chart("rg_lima", f))
    else:
        message = {"not_split": "rg_lima_not_split", "not_in_filter": "rg_lima_not_in_filter"}[status]
        st.info(ui.t(message), icon=":material/info:")
