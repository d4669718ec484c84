"""Page placeholder (its own change replaces it)."""

import streamlit as st

import ui

st.title(ui.t("app_title"))
st.info("…")
