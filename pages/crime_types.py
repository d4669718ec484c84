"""Page: Tipos de delito / Crime types — which kinds of cybercrime grow fastest."""

import streamlit as st

import ui
from cybertrends import cached

f = ui.filters()
ui.page_header("ct_title", "ct_intro", f)

why = cached.crime_types_notices(f)


def show(chart_id: str, **options) -> None:
    """The chart, or the reason this source / selection cannot have it."""
    if why.get(chart_id):
        st.info(why[chart_id], icon=":material/info:")
    else:
        ui.render_chart(cached.chart(chart_id, f, **options))


if why["growth"]:
    # One year of one source: no growth can be computed; say so once and show the shares.
    st.info(why["growth"], icon=":material/info:")
else:
    show("ct_index")  # full width: one line per crime type needs the room
    left, right = st.columns(2, gap="medium")
    with left:
        show("ct_cagr")
    with right:
        show("ct_yoy")
show("ct_share")

st.subheader(ui.t("ct_breakdown_heading"))
if why["breakdowns"]:
    st.info(why["breakdowns"], icon=":material/info:")
else:
    view = ui.choice(ui.t("ct_view_label"), ["total", "year"], param="view", default="total",
                     format_func=lambda v: ui.t("ct_view_total" if v == "total" else "ct_view_year"))
    by_year = 1 if view == "year" else 0
    left, right = st.columns(2, gap="medium")
    with left:
        show("ct_modality", by_year=by_year)
    with right:
        show("ct_channel", by_year=by_year)
