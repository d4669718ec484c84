"""The shared sidebar: language and the filters every page reads, kept in the address bar by
ids (cybertrends.links), so a copied link opens the same view in either language.

`build()` draws the sidebar and returns the `Filters`. dashboard.py calls it on every run;
a page that runs on its own (the first request of a server on a deep link such as /regions,
before Streamlit has seen `st.navigation`) gets the same sidebar through `ui.filters()`.

The widgets are not bound with `bind="query-params"` (that would write their translated
labels into the URL): the URL is read once per change and written back from the widgets' ids.
Writing `st.query_params` from Python adds a browser history entry, so Back undoes a filter
change; a URL that changed under the app (Back, Forward, an edited link) is applied to the
widgets on the next run.
"""

from __future__ import annotations

from datetime import date

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cybertrends import cached, i18n, links, paths, queries
from cybertrends.filters import Filters

_APPLIED = "_url_applied"  # the query (filter keys only) the widgets were last synced with
_VIEW = "_url_view"  # the view shown (links.Parsed): where widgets created anew start from
_VERSION = "_url_version"  # bumped when a URL is applied or the language changes: widgets created anew
_LANG = "_url_lang"  # the language the widgets were drawn in
_PAGE = "_url_page"  # the page of the last run
_CARRIED = "_url_carried"  # the page whose address had the filters written back after a page switch
_LANG_SHOWN = "_lang_shown"  # the language this session last showed
_LANG_CLICKED = "_lang_clicked"  # set by the language switch's on_change: this run is the user's choice
_LANG_RERUN = "_lang_rerun"  # this run is the one language() asked for to restore the language


def _t(key: str, lang: str, **values) -> str:
    return i18n.t(key, lang, **values)


def catalog() -> links.Catalog:
    """The ids a link may use, from the current database."""
    sources = cached.sources()
    crimes = cached.crimes()
    return links.Catalog(
        sources={s: cached.period_options(s) for s in sources["source"]},
        default_source=queries.default_source(sources.to_dict("records")),
        crimes={c: ("ley" if ley else "penal") for c, ley in zip(crimes["crime_code"], crimes["is_ley_30096"])},
        regions=tuple(cached.regions()["region_code"]),
        groups=tuple(cached.age_groups()["age_group"]),
        has_age=dict(zip(sources["source"], sources["has_victim_age"].astype(bool))),
    )


def _our_query() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in links.FILTER_KEYS if st.query_params.get_all(k)}


def _default_group(source: str, cat: links.Catalog) -> str:
    """Sources without Ley 30096 data (the police 'Estafa' series) start on the Penal Code group."""
    with_data = set(cached.crimes_with_data(source))
    return "ley" if any(cat.crimes.get(c) == "ley" for c in with_data) else "penal"


def start() -> str:
    """The start of every run, in dashboard.py or in a page run on its own: page settings, the
    language switch, and the operator's message (then stop) when the database cannot be read.
    Returns the language."""
    # The icon is a file of ours (a material icon would be fetched from fonts.gstatic.com).
    st.set_page_config(page_title="Cibercrimen en el Perú", page_icon=str(paths.ROOT / "static" / "favicon.png"),
                       layout="wide")
    lang = language()
    try:
        cached.sources()
    except cached.DatabaseUnavailable as exc:
        message = {"missing": "db_missing", "unreadable": "db_unreadable", "empty": "db_empty"}[exc.kind]
        st.title(_t("app_title", lang))
        st.error(_t(message, lang, path=exc.path, error=exc.error), icon=":material/database_off:")
        st.stop()
    return lang


def _language_clicked() -> None:
    st.session_state[_LANG_CLICKED] = True


def _put_back_lang(lang: str) -> None:
    """Put `lang` back in the address. Possible only while the switch is unbound: after the page
    switch that dropped the parameter together with its binding. That page switch dropped the
    filters too (build() would carry them): they go back in the same update, one history entry,
    not an entry with the language and the default view. While the switch is bound, Streamlit
    writes the address itself from the value set in session state (as it does for Spanish,
    which needs no parameter)."""
    if lang == i18n.DEFAULT_LANG:
        return
    dropped = {k: v for k, v in st.session_state.get(_APPLIED, {}).items() if k not in st.query_params}
    try:
        st.query_params.update({**dropped, "lang": lang})
    except StreamlitAPIException:  # bound: "Modify the widget value instead"; nothing was written
        pass


def language() -> str:
    """The language switch (its URL value `lang` is already an id: es | en).

    The session's language changes only when the user clicks the switch. The first session of
    a new server loses `lang` on its first page switch (Streamlit runs dashboard.py once as a
    `pages/` app, so the switch gets another widget id and the binding of the parameter is
    dropped with it), and Back may land on an address without it or with an older one: a run
    whose address does not ask for the language shown before, without a click, shows that
    language again, in the switch and in the address."""
    state = st.session_state
    clicked = state.pop(_LANG_CLICKED, False)
    rerun = state.pop(_LANG_RERUN, False)
    shown = state.get(_LANG_SHOWN)
    restore = not clicked and shown is not None and i18n.lang_or_default(st.query_params.get("lang")) != shown
    if restore:
        state["lang"] = shown
        _put_back_lang(shown)
    with st.sidebar:
        lang = st.segmented_control(
            "Idioma / Language", options=list(i18n.LANGS), key="lang", bind="query-params", required=True,
            # no default while the value is given in session state (Streamlit warns of both)
            default=None if restore else i18n.DEFAULT_LANG, on_change=_language_clicked,
        )
    if restore and lang != shown and not rerun:
        # On Back/Forward Streamlit sets a bound widget from the address over session state:
        # once more, as an ordinary run.
        state[_LANG_RERUN] = True
        st.rerun()
    lang = i18n.lang_or_default(lang)
    state[_LANG_SHOWN] = lang
    return lang


def build(lang: str, page: str | None = None) -> Filters:
    """Draw the shared filters in the sidebar and keep the URL in step; return the filters.
    `page` names the page being shown (its url path)."""
    cat = catalog()
    info = cached.sources().set_index("source")
    in_url = _our_query()
    asked = in_url
    state = st.session_state
    # Streamlit drops query parameters not bound to a widget when the user switches pages: a
    # page switch whose URL has none of the filters keeps the view (written back below). So
    # does Back onto the address that switch left behind (the same page, still no filters).
    switched = _PAGE in state and state[_PAGE] != page
    carry = (not in_url and bool(state.get(_APPLIED)) and _VIEW in state
             and (switched or state.get(_CARRIED) == page))
    if carry:
        asked = state[_APPLIED]
        state[_CARRIED] = page
    elif switched:
        state[_CARRIED] = None
    state[_PAGE] = page
    unknown: list[tuple[str, str]] = []
    if state.get(_APPLIED) != asked or _VIEW not in state:
        # First run, or the URL changed under the app (Back, Forward, an edited link).
        state[_CARRIED] = None
        view = links.parse(asked, cat)
        unknown = view.unknown
        state[_VIEW] = view
        state[_VERSION] = state.get(_VERSION, 0) + 1
    elif state.get(_LANG) != lang:
        # Widgets keep the labels they were drawn with: in another language they are drawn anew
        # (from the view shown), else chips stay in the old language and values are lost.
        state[_VERSION] = state.get(_VERSION, 0) + 1
    state[_LANG] = lang
    view: links.Parsed = state[_VIEW]
    version = st.session_state[_VERSION]

    def key(name: str) -> str:
        return f"f_{name}_{version}"

    with st.sidebar:
        st.header(_t("filters", lang), divider="gray")
        ids = list(cat.sources)
        source = st.selectbox(
            _t("filter_source", lang), ids, index=ids.index(view.source), key=key("source"),
            format_func=lambda s: info.loc[s, f"name_{lang}"], help=_t("filter_source_help", lang),
        )
        same_source = source == view.source
        grain = info.loc[source, "period_grain"]
        options = cat.sources[source]
        label = _period_labeller(source, grain, lang)
        if len(options) > 1:
            default = (view.period_from, view.period_to) if same_source else (options[0], options[-1])
            first, last = st.select_slider(_t("filter_period", lang), options=options, value=default,
                                           key=key(f"period_{source}"), format_func=label)
        else:
            first = last = options[0]
            st.caption(f"{_t('filter_period', lang)}: {label(first)}")

        crimes = cached.crimes()
        default_group = view.crime_group if same_source and view.crime_group else _default_group(source, cat)
        group = st.segmented_control(
            _t("filter_crime_group", lang), ["ley", "penal"], default=default_group, key=key(f"crime_group_{source}"),
            format_func=lambda g: _t("crime_group_ley" if g == "ley" else "crime_group_penal", lang), required=True,
        ) or default_group
        in_group = crimes[crimes["is_ley_30096"] == (group == "ley")]
        names = in_group.set_index("crime_code")[f"name_{lang}"]
        chosen = st.multiselect(
            _t("filter_crimes", lang), list(in_group["crime_code"]),
            default=[c for c in view.crimes if c in names.index], key=key(f"crimes_{group}"),
            format_func=lambda c: names[c] if c == "S/Art" else f"{c} · {names[c]}",
            placeholder=_t("filter_crimes_placeholder", lang),
        )
        regions = cached.regions().set_index("region_code")["region_name"]
        chosen_regions = st.multiselect(
            _t("filter_regions", lang), list(regions.index), default=view.regions, key=key("regions"),
            format_func=lambda c: regions[c], placeholder=_t("filter_regions_placeholder", lang),
        )
        groups: tuple[str, ...] = ()
        if cat.has_age.get(source):
            age = cached.age_groups().set_index("age_group")[f"name_{lang}"]
            groups = tuple(st.multiselect(
                _t("filter_groups", lang), list(age.index), default=view.groups, key=key("groups"),
                format_func=lambda g: age[g], placeholder=_t("filter_groups_placeholder", lang),
            ))
        else:
            st.caption(_t("filter_groups_unavailable", lang))
        st.caption(_t("share_link_hint", lang))

    now = links.Parsed(source, first, last, group, list(chosen), list(chosen_regions), list(groups))
    wanted = links.to_params(now, cat)
    # Written from Python, a change is a browser history entry (Back undoes it): one update, so
    # one entry per change. A parameter already in the address is updated, never deleted (each
    # deletion would be an entry of its own): with the view's value, or blank for an empty list.
    full = links.to_params(now, cat, full=True)
    current = {k: ",".join(v) for k, v in in_url.items()}
    target = {k: wanted.get(k, full.get(k, "")) for k in links.FILTER_KEYS if k in wanted or k in current}
    changes = {k: v for k, v in target.items() if current.get(k) != v}
    if changes:
        st.query_params.update(changes)  # page options and `lang` stay as they are
        if not carry:  # the user changed the filters
            st.session_state[_CARRIED] = None
    st.session_state[_APPLIED] = _our_query()
    st.session_state[_VIEW] = now
    if unknown:
        listed = ", ".join(f"{k}={v}" for k, v in unknown)
        st.warning(_t("link_unknown_values", lang, values=listed), icon=":material/link_off:")

    def as_date(p: str) -> date:
        return date(int(p), 1, 1) if grain == "year" else date.fromisoformat(p + "-01")

    return Filters(
        source=source, period_from=as_date(first), period_to=as_date(last), grain=grain,
        regions=tuple(chosen_regions), crimes=tuple(chosen) if chosen else tuple(in_group["crime_code"]),
        groups=groups, lang=lang,
    )


def _period_labeller(source: str, grain: str, lang: str):
    """Slider labels: a month ('ene 2024'), a year, or a year the data cover only in part or
    not at all ('2025 (ene–nov)', '2024 (sin archivo)')."""
    if grain != "year":
        return lambda p: i18n.fmt_month(date.fromisoformat(p + "-01"), lang)
    covers = {row.period_start.year: row for row in cached.source_periods(source).itertuples()}

    def label(p: str) -> str:
        row = covers.get(int(p))
        if row is None:
            return f"{p} ({_t('no_file', lang)})"
        if (row.covered_from.month, row.covered_from.day, row.covered_to.month, row.covered_to.day) != (1, 1, 12, 31):
            return i18n.fmt_partial(date(int(p), 1, 1), row.covered_from.date(), row.covered_to.date(), grain, lang)
        return p

    return label
