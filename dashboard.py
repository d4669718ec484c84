"""Entrypoint: `streamlit run dashboard.py`. Navigation, language, and the filters shared by
every page, bound to the URL so a copied link reopens the same view."""

from __future__ import annotations

from datetime import date

import streamlit as st

from cybertrends import cached, i18n, queries
from cybertrends.filters import Filters

st.set_page_config(page_title="Cibercrimen en el Perú", page_icon=":material/shield_lock:", layout="wide")

with st.sidebar:
    lang = st.segmented_control(
        "Idioma / Language", options=list(i18n.LANGS), default=i18n.DEFAULT_LANG, key="lang",
        bind="query-params", required=True,  # no format_func: the URL reads ?lang=en
    )
lang = i18n.lang_or_default(lang)


def t(key: str, **values) -> str:
    return i18n.t(key, lang, **values)


try:
    sources = cached.sources()
except cached.DatabaseUnavailable as exc:
    message = {"missing": "db_missing", "unreadable": "db_unreadable", "empty": "db_empty"}[exc.kind]
    st.title(t("app_title"))
    st.error(t(message, path=exc.path, error=exc.error), icon=":material/database_off:")
    st.stop()

PAGES = [
    st.Page("pages/overview.py", title=t("page_overview"), icon=":material/monitoring:", default=True),
    st.Page("pages/crime_types.py", title=t("page_crime_types"), icon=":material/category:", url_path="crime_types"),
    st.Page("pages/regions.py", title=t("page_regions"), icon=":material/map:", url_path="regions"),
    st.Page("pages/at_risk_groups.py", title=t("page_groups"), icon=":material/groups:", url_path="at_risk_groups"),
    st.Page("pages/data_methods.py", title=t("page_methods"), icon=":material/description:", url_path="data_methods"),
    st.Page("pages/briefing.py", title=t("page_briefing"), icon=":material/slideshow:", url_path="briefing"),
]
page = st.navigation(PAGES)


def _sidebar_filters() -> Filters:
    info = sources.set_index("source")
    st.header(t("filters"), divider="gray")
    ids = list(info.index)
    default_source = queries.default_source(sources.to_dict("records"))
    default_first = sorted(ids, key=lambda s: (s != default_source, ids.index(s)))
    source = st.selectbox(
        t("filter_source"), default_first, key="source", bind="query-params",
        format_func=lambda s: info.loc[s, f"name_{lang}"], help=t("filter_source_help"),
    )
    grain = info.loc[source, "period_grain"]

    options = cached.period_options(source)
    if grain == "year":
        # A year with no file or only part of it says so in the slider: "2024 (sin archivo)".
        covers = {row.period_start.year: row for row in cached.source_periods(source).itertuples()}

        def label(p: str) -> str:
            row = covers.get(int(p))
            if row is None:
                return f"{p} ({t('no_file')})"
            if row.covered_to.month != 12 or row.covered_to.day != 31 or row.covered_from.month != 1:
                return i18n.fmt_partial(date(int(p), 1, 1), row.covered_from.date(), row.covered_to.date(), grain, lang)
            return p
    else:
        def label(p: str) -> str:
            return i18n.fmt_month(date.fromisoformat(p + "-01"), lang)
    if len(options) > 1:
        first, last = st.select_slider(
            t("filter_period"), options=options, value=(options[0], options[-1]), key=f"period_{source}",
            bind="query-params", format_func=label,
        )
    else:
        first = last = options[0]
        st.caption(f"{t('filter_period')}: {label(first)}")

    def as_date(p: str) -> date:
        return date(int(p), 1, 1) if grain == "year" else date.fromisoformat(p + "-01")

    crimes = cached.reference("crimes")
    # Sources without Ley 30096 data (the police 'Estafa' series) start on the Penal Code group.
    has_ley = bool(set(cached.crimes_with_data(source)) & set(crimes[crimes["is_ley_30096"]]["crime_code"]))
    group = st.segmented_control(
        t("filter_crime_group"), ["ley", "penal"], default="ley" if has_ley else "penal", key="crime_group",
        bind="query-params",
        format_func=lambda g: t("crime_group_ley" if g == "ley" else "crime_group_penal"), required=True,
    ) or "ley"
    in_group = crimes[crimes["is_ley_30096"] == (group == "ley")]
    names = in_group.set_index("crime_code")[f"name_{lang}"]
    chosen = st.multiselect(
        t("filter_crimes"), list(in_group["crime_code"]), key=f"crimes_{group}", bind="query-params",
        format_func=lambda c: names[c] if c == "S/Art" else f"{c} · {names[c]}",
        placeholder=t("filter_crimes_placeholder"),
    )
    regions = cached.reference("regions").set_index("region_code")["region_name"]
    chosen_regions = st.multiselect(
        t("filter_regions"), list(regions.index), key="regions", bind="query-params",
        format_func=lambda c: regions[c], placeholder=t("filter_regions_placeholder"),
    )
    groups = ()
    if bool(info.loc[source, "has_victim_age"]):
        age = cached.reference("age_groups").set_index("age_group")[f"name_{lang}"]
        groups = tuple(st.multiselect(
            t("filter_groups"), list(age.index), key="groups", bind="query-params",
            format_func=lambda g: age[g], placeholder=t("filter_groups_placeholder"),
        ))
    else:
        st.caption(t("filter_groups_unavailable"))
    st.caption(t("share_link_hint"))
    return Filters(
        source=source, period_from=as_date(first), period_to=as_date(last), grain=grain,
        regions=tuple(chosen_regions), crimes=tuple(chosen) if chosen else tuple(in_group["crime_code"]),
        groups=groups, lang=lang,
    )


with st.sidebar:
    st.session_state["filters"] = _sidebar_filters()

page.run()
