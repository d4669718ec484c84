"""Entrypoint: `streamlit run dashboard.py`. Navigation, language, and the filters shared by
every page (sidebar.py), kept in the URL by ids so a copied link reopens the same view."""

from __future__ import annotations

import streamlit as st

import sidebar
import ui
from cybertrends import i18n

ui.configure_logging()

lang = sidebar.start()


def t(key: str, **values) -> str:
    """The message `key` in the chosen language."""
    return i18n.t(key, lang, **values)


PAGES = [
    st.Page("pages/overview.py", title=t("page_overview"), icon=":material/monitoring:", default=True),
    st.Page("pages/crime_types.py", title=t("page_crime_types"), icon=":material/category:", url_path="crime_types"),
    st.Page("pages/regions.py", title=t("page_regions"), icon=":material/map:", url_path="regions"),
    st.Page("pages/at_risk_groups.py", title=t("page_groups"), icon=":material/groups:", url_path="at_risk_groups"),
    st.Page("pages/data_methods.py", title=t("page_methods"), icon=":material/description:", url_path="data_methods"),
    st.Page("pages/briefing.py", title=t("page_briefing"), icon=":material/slideshow:", url_path="briefing"),
]
page = st.navigation(PAGES)
ui.run_page(page, sidebar.build(lang, page=page.url_path))
