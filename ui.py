"""Streamlit building blocks shared by the pages: a chart with its context, table view,
downloads and "add to briefing"; headline metrics; notices. UI only, no SQL."""

from __future__ import annotations

import hashlib

import streamlit as st

from cybertrends import i18n
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters

PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"], "locale": "es"}


def lang() -> str:
    return i18n.lang_or_default(st.session_state.get("lang"))


def t(key: str, **values) -> str:
    return i18n.t(key, lang(), **values)


def filters() -> Filters:
    """The shared filters, set by the sidebar in dashboard.py."""
    return st.session_state["filters"]


_PLAIN_NUMBER_COLUMNS = ("año", "year", "periodo", "period", "código", "code", "línea", "line")


def dataframe(df, **kwargs) -> None:
    """`st.dataframe` with numbers written as everywhere else: thousands separated ("1,628,583",
    the es-PE and en format), one decimal for non-integers; years and codes left plain; text
    neutralised for spreadsheets (see below)."""
    config = {}
    for column in df.columns:
        kind = getattr(df[column].dtype, "kind", "O")
        if kind not in "iuf":
            continue
        if any(word in str(column).lower() for word in _PLAIN_NUMBER_COLUMNS):
            config[column] = st.column_config.NumberColumn(format="%d" if kind in "iu" else "%.1f")
        else:
            config[column] = st.column_config.NumberColumn(format="%,d" if kind in "iu" else "%,.1f")
    config.update(kwargs.pop("column_config", {}) or {})
    # The table's own "Download as CSV" hands these cells to spreadsheets: text that a
    # spreadsheet would run as a formula (a file name starting with "=") is neutralised here too.
    from cybertrends.export import neutralise

    shown = df.copy()
    for column in shown.columns:
        if getattr(shown[column].dtype, "kind", "O") in "OUS" or str(shown[column].dtype) in ("str", "string"):
            shown[column] = [neutralise(v) if isinstance(v, str) else v for v in shown[column]]
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, **kwargs)


def empty_state() -> None:
    st.info(t("empty_state"), icon=":material/filter_alt_off:")


def _key(spec: ChartSpec, suffix: str) -> str:
    digest = hashlib.sha1(f"{spec.chart_id}|{spec.subtitle}|{spec.title}".encode()).hexdigest()[:8]
    return f"{spec.chart_id}_{suffix}_{digest}"


def render_chart(spec: ChartSpec | None, height: int | None = None) -> None:
    """Title (the finding), subtitle, the figure, source line and notes, a table view, downloads."""
    if spec is None:
        empty_state()
        return
    with st.container(border=True):
        st.markdown(f"#### {spec.title}")
        st.caption(spec.subtitle)
        fig = spec.figure
        if height:
            fig = fig.update_layout(height=height)
        st.plotly_chart(fig, width="stretch", theme=None, key=_key(spec, "fig"),
                        config={**PLOTLY_CONFIG, "locale": spec.lang})
        source = spec.source_line
        if spec.synthetic:
            source = f":orange-badge[{t('synthetic_short')}] " + source
        st.caption(source)
        for note in spec.notes:
            st.caption(f":material/info: {note}")
        with st.expander(t("table_view"), icon=":material/table:"):
            dataframe(spec.export_table())
        _downloads(spec)


def _downloads(spec: ChartSpec) -> None:
    from cybertrends import export

    cols = st.columns([1, 1, 1, 1, 1, 2])
    items = [
        ("PNG", "png", "image/png", lambda: export.to_png(spec)),
        ("SVG", "svg", "image/svg+xml", lambda: export.to_svg(spec)),
        ("HTML", "html", "text/html", lambda: export.to_html(spec)),
        ("CSV", "csv", "text/csv", lambda: export.to_csv(spec)),
        ("XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda: export.to_xlsx(spec)),
    ]
    images_ok = export.chromium_available()
    for col, (label, ext, mime, build) in zip(cols, items):
        with col:
            disabled = ext in ("png", "svg") and not images_ok
            st.download_button(
                label, data=build, file_name=export.filename(spec, ext), mime=mime, key=_key(spec, ext),
                icon=":material/download:", on_click="ignore", disabled=disabled,
                help=t("export_unavailable") if disabled else f"{t('download')} {label}", width="stretch",
            )
    with cols[-1]:
        if st.button(t("add_to_briefing"), key=_key(spec, "brief"), icon=":material/playlist_add:", width="stretch"):
            briefing = st.session_state.setdefault("briefing", [])
            if all(item.title != spec.title or item.subtitle != spec.subtitle for item in briefing):
                briefing.append(spec)
            st.toast(t("added_to_briefing", n=len(briefing)), icon=":material/check:")


def table_downloads(spec: ChartSpec) -> None:
    """CSV and XLSX of a table (counts as published in `spec`)."""
    from cybertrends import export

    left, right, _ = st.columns([1, 1, 4])
    for col, (label, ext, mime, build) in zip((left, right), (
        ("CSV", "csv", "text/csv", lambda: export.to_csv(spec)),
        ("XLSX", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", lambda: export.to_xlsx(spec)),
    )):
        with col:
            st.download_button(label, data=build, file_name=export.filename(spec, ext), mime=mime,
                               key=f"table_{spec.chart_id}_{ext}", icon=":material/download:",
                               on_click="ignore", width="stretch")


# Headline texts are kept short; should one still not fit (a long region name, a tablet), it
# wraps onto further lines by words instead of being cut with an ellipsis.
_WRAP_METRICS = """<style>
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricValue"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricDeltaDescription"] [data-testid="stCaptionContainer"],
[data-testid="stMetric"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMetric"] [data-testid="stCaptionContainer"] p,
[data-testid="stMetricValue"] > div {
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: normal; word-break: normal;
  hyphens: none;
}
[data-testid="stMetricValue"] { font-size: clamp(1.3rem, 2.4vw, 2.25rem); }
</style>"""


# Layouts that fit at every width (390, 820, 1024, 1440 px, sidebar open or not): text wraps
# between words, never inside one ("Interceptac-ión"); side-by-side columns wrap onto the next
# line when they would get too narrow for a chart (a map, a 25-region ranking) or a headline,
# instead of squeezing it until labels are cut.
_PAGE_CSS = """<style>
[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"] {
  hyphens: manual; overflow-wrap: break-word; word-break: normal;
}
[data-testid="stMain"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap; row-gap: 1rem; }
[data-testid="stMain"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] { min-width: min(100%, 360px); }
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {
  min-width: min(100%, 210px);
}
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has([data-testid="stPopover"]) > [data-testid="stColumn"],
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has([data-testid="stDownloadButton"]) > [data-testid="stColumn"] {
  min-width: min(100%, 150px);
}
</style>"""


def page_css() -> None:
    """The layout rules above, once per page run."""
    st.html(_PAGE_CSS)


def headline_metrics(heads) -> None:
    """The headline figures. More reports is bad news: a rise is drawn red/orange and a fall
    green (`delta_color="inverse"`); neutral measures (a share's change) get no colour."""
    st.html(_WRAP_METRICS)
    cols = st.columns(len(heads))
    for col, h in zip(cols, heads):
        with col:
            colour = "off" if h.neutral or getattr(h, "tone", "bad") == "neutral" else "inverse"
            st.metric(
                # ASCII minus: Streamlit picks the arrow direction from a leading "-".
                h.label, h.value, h.delta.replace("−", "-") if h.delta else None, help=h.help, border=True,
                delta_color=colour, delta_arrow="off" if h.neutral else "auto",
                delta_description=h.delta_description, chart_data=h.spark, chart_type="bar",
            )


def page_header(title_key: str, caption_key: str) -> None:
    """Page title, one-line purpose, and the synthetic-data notice when the source is synthetic."""
    from cybertrends import cached

    page_css()
    st.title(t(title_key))
    st.caption(t(caption_key))
    if cached.compute("base", "is_synthetic", filters()):
        synthetic_banner()


def synthetic_banner() -> None:
    st.warning(t("synthetic_banner"), icon=":material/science:")
