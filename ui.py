"""Streamlit building blocks shared by the pages: a chart with its context, table view,
downloads and "add to briefing"; headline metrics; notices. UI only, no SQL."""

from __future__ import annotations

import base64
import hashlib
import logging
import os

import streamlit as st
from plotly.basedatatypes import BaseFigure

from cybertrends import i18n, maps
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters

log = logging.getLogger(__name__)

# topojsonURL: the empty world base map the app serves (static/, cybertrends/maps.py), not cdn.plot.ly.
PLOTLY_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"], "locale": "es",
                 "topojsonURL": maps.TOPOJSON_URL}


def configure_logging() -> None:
    """The app's loggers (cybertrends.*, ui) write to stderr at the level of the environment
    variable CYBERTRENDS_LOG (DEBUG, INFO, WARNING, ...; default WARNING): a chart that raises is
    logged with its traceback, a database that cannot be opened with its cause. Once per process."""
    level = os.environ.get("CYBERTRENDS_LOG", "WARNING").upper()
    level = level if level in logging.getLevelNamesMapping() else "WARNING"
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("cybertrends", "ui"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(level)


def lang() -> str:
    """The language the reader chose (the sidebar's switch), Spanish by default."""
    return i18n.lang_or_default(st.session_state.get("lang"))


def t(key: str, **values) -> str:
    """The message `key` in the reader's language."""
    return i18n.t(key, lang(), **values)


_IN_DASHBOARD = "_in_dashboard"


def run_page(page, shared: Filters) -> None:
    """Run the page chosen by `st.navigation` with the shared filters (dashboard.py)."""
    st.session_state["filters"] = shared
    st.session_state[_IN_DASHBOARD] = True
    try:
        page.run()
    finally:
        st.session_state[_IN_DASHBOARD] = False


def filters() -> Filters:
    """The shared filters: those dashboard.py drew in this run, or, when the page runs on its
    own (a deep link that is the first request of a server), the same sidebar drawn here.
    Every page calls it first: it also sets the page's layout rules and starts the run's
    count of empty charts (the "no data" message is said once per page)."""
    page_css()
    st.session_state[_EMPTY_SAID] = False
    if st.session_state.get(_IN_DASHBOARD) and "filters" in st.session_state:
        return st.session_state["filters"]
    import inspect

    import sidebar

    caller = inspect.stack(context=0)[1].filename  # the page's file: it names the page
    return sidebar.build(sidebar.start(), page=f"file:{caller}")


_CHOICES = "_choices"  # param -> (URL value the control last wrote or read, option ids, language, key version)


def choice(label: str, options: list, *, param: str, default, format_func=str, selectbox: bool = False, **kwargs):
    """A page control whose value lives in the URL as an id under `param` (never a label),
    so a link opens the same view in either language. A value the page does not know is named
    in a notice. Segmented control by default; `selectbox=True` for long lists."""
    options = list(options)
    ids = [str(o) for o in options]
    asked = st.query_params.get(param)
    known = st.session_state.setdefault(_CHOICES, {})
    synced, synced_ids, synced_lang, version = known.get(param, (None, None, None, 0))
    # The URL changed under the app (first run, Back, Forward, an edited link), the options did
    # (other filters) or the language (a control keeps the labels it was drawn with): a fresh
    # control, started from the URL. Not after the control's own write, else every second
    # click would be lost to a new control.
    from_outside = param not in known or asked != synced
    if from_outside or ids != synced_ids or lang() != synced_lang:
        version += 1
    if asked is not None and asked not in ids:
        if from_outside:  # a link asked for it; a value the filters have since ruled out goes quietly
            st.warning(t("link_unknown_values", values=f"{param}={asked}"), icon=":material/link_off:")
        asked = None
    start = next((o for o in options if str(o) == asked), default if default in options else options[0])
    # Labels in this run's language, fixed now: the control formats its options again outside the
    # run (AppTest's set_value), where the session's language cannot be read.
    shown = {o: format_func(o) for o in options}
    key = f"p_{param}_{version}"
    if selectbox:
        value = st.selectbox(label, options, index=options.index(start), key=key, format_func=shown.__getitem__,
                             **kwargs)
    else:
        value = st.segmented_control(label, options, default=start, key=key, format_func=shown.__getitem__,
                                     required=True, **kwargs)
    value = start if value is None else value
    wanted = None if value == default else str(value)
    if wanted != st.query_params.get(param):  # written from Python: a browser history entry
        if wanted is None:
            del st.query_params[param]
        else:
            st.query_params[param] = wanted
    known[param] = (wanted, ids, lang(), version)
    return value


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
    from cybertrends.export import neutralise_table

    st.dataframe(neutralise_table(df), hide_index=True, width="stretch", column_config=config, **kwargs)


_EMPTY_SAID = "_empty_said"


def empty_state() -> None:
    """The "no data for this selection" message, once per page run (a page whose six charts are
    all empty says it once, not six times)."""
    if st.session_state.get(_EMPTY_SAID):
        return
    st.session_state[_EMPTY_SAID] = True
    st.info(t("empty_state"), icon=":material/filter_alt_off:")


def _key(spec: ChartSpec, suffix: str) -> str:
    digest = hashlib.sha1(f"{spec.chart_id}|{spec.subtitle}|{spec.title}".encode()).hexdigest()[:8]
    return f"{spec.chart_id}_{suffix}_{digest}"


def figure_to_draw(spec: ChartSpec, height: int | None = None) -> dict:
    """The figure dict handed to `st.plotly_chart`. Cached specs are shared by every session, and
    Plotly's validation pops each trace's "type" from the dict it is given (and puts it back
    after): on the shared dict, a session drawing at that moment would see scatter traces. So
    every trace dict is a copy of its own (a shallow copy: nothing deeper is changed)."""
    fig = spec.plotly_dict()
    layout = {**fig.get("layout", {}), "height": height} if height else fig.get("layout", {})
    # Maps as SVG: a MapLibre map takes ~0.4 s to draw in a browser without a GPU (cybertrends/maps.py).
    return maps.svg_maps({**fig, "data": [dict(trace) for trace in fig.get("data", [])], "layout": layout})


class Drawn(BaseFigure):
    """A figure dict that `st.plotly_chart` draws as it is. Given a dict, Streamlit first builds a
    `go.Figure` from it to validate it (a deep copy, then every property: 4-25 ms a chart, about 40 ms
    a rerun of the Regions page); given a Plotly figure, it only asks for `to_dict()`. Our figures
    are already the dicts Plotly's validation gives (charts.figure; tests/test_chart_figure.py checks
    it for every chart), so the second validation is skipped. Not a full figure: nothing but
    `to_dict()` is offered."""

    def __init__(self, figure: dict):
        """Keep `figure` (BaseFigure's own `__init__` is not called: it would validate)."""
        self._figure = figure

    def to_dict(self) -> dict:
        """The figure dict itself (Streamlit serialises it to JSON without changing it)."""
        return self._figure


def render_chart(spec: ChartSpec | None, height: int | None = None) -> None:
    """Title (the finding), subtitle, the figure, source line and notes, a table view, downloads."""
    if spec is None:
        empty_state()
        return
    with st.container(border=True):
        st.markdown(f"#### {spec.title}")
        st.caption(spec.subtitle)
        fig = figure_to_draw(spec, height)
        st.plotly_chart(Drawn(fig), width="stretch", theme=None, key=_key(spec, "fig"),
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


def chart_pair(left: ChartSpec | None, right: ChartSpec | None) -> None:
    """Two charts side by side (stacked on a narrow screen)."""
    left_col, right_col = st.columns(2, gap="medium")
    with left_col:
        render_chart(left)
    with right_col:
        render_chart(right)


DOWNLOADS = (  # (format, message key of its label, mime type)
    ("png", "dl_png", "image/png"),
    ("svg", "dl_svg", "image/svg+xml"),
    ("html", "dl_html", "text/html"),
    ("csv", "dl_csv", "text/csv"),
    ("xlsx", "dl_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)


def _downloads(spec: ChartSpec) -> None:
    """One labelled menu of downloads ("Descargar ▾": PNG, SVG, HTML, CSV, XLSX, each named in
    words) and "Añadir al informe": readable at every width, even on half-width charts."""
    from cybertrends import export

    builders = {"png": export.to_png, "svg": export.to_svg, "html": export.to_html,
                "csv": export.to_csv, "xlsx": export.to_xlsx}
    images_ok = export.chromium_available()
    left, right = st.columns(2, gap="small")
    with left, st.popover(t("download"), icon=":material/download:", width="stretch"):
        for ext, label_key, mime in DOWNLOADS:
            disabled = ext in ("png", "svg") and not images_ok
            st.download_button(
                t(label_key), data=lambda b=builders[ext], e=ext: _built(b, spec, e), file_name=export.filename(spec, ext), mime=mime,
                key=_key(spec, ext), on_click="ignore", disabled=disabled, width="stretch",
                help=t("export_unavailable") if disabled else None,
            )
    with right:
        if st.button(t("add_to_briefing"), key=_key(spec, "brief"), icon=":material/playlist_add:", width="stretch"):
            briefing = st.session_state.setdefault("briefing", [])
            if any(item.title == spec.title and item.subtitle == spec.subtitle for item in briefing):
                st.toast(t("already_in_briefing", n=len(briefing)), icon=":material/info:")
            else:
                briefing.append(spec)
                st.toast(t("added_to_briefing", n=len(briefing)), icon=":material/check:")


def _built(builder, spec: ChartSpec, ext: str) -> bytes:
    """The download's bytes; a failure is logged with the chart it was for (the callable runs after the
    script run, where Streamlit shows no traceback to the operator)."""
    try:
        return builder(spec)
    except Exception:
        log.exception("the %s download of chart %s failed", ext, spec.chart_id)
        raise


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
# instead of squeezing it until labels are cut. (Rows of headlines or of buttons — matched by
# their direct children only, not by the charts' own buttons deeper down — may be narrower.)
_PAGE_CSS = """<style>
[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"] {
  hyphens: manual; overflow-wrap: break-word; word-break: normal;
}
[data-testid="stMain"] [data-testid="stHorizontalBlock"] { flex-wrap: wrap; row-gap: 1rem; }
[data-testid="stMain"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] { min-width: min(100%, 360px); }
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] > [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] > [data-testid="stMetric"]) > [data-testid="stColumn"] {
  min-width: min(100%, 230px);
}
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] > [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] > [data-testid="stPopover"]) > [data-testid="stColumn"],
[data-testid="stMain"] [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] > [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"] > [data-testid="stDownloadButton"]) > [data-testid="stColumn"] {
  min-width: min(100%, 150px);
}
</style>"""


def page_css() -> None:
    """The layout rules above, once per page run."""
    st.html(_PAGE_CSS)


def spark_image(values: list[float]) -> str:
    """A word-sized bar chart of `values` as a Markdown image (an SVG data URI): Streamlit draws an
    image in a metric's text at the height of the font. A Vega chart in the card (`st.metric`'s
    `chart_data`) cost about 0.2 s of browser CPU each time the filters changed (BENCHMARKS.md,
    session 8); an image costs nothing measurable."""
    width, gap, height = 5, 2, 14
    top = max(values) or 1.0
    bars = "".join(
        f'<rect x="{i * (width + gap)}" y="{height - h:.2f}" width="{width}" height="{h:.2f}" fill="#0072B2"/>'
        for i, h in enumerate(max(v / top * height, 1.0 if v > 0 else 0.0) for v in values))
    size = len(values) * (width + gap) - gap
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{height}" '
           f'viewBox="0 0 {size} {height}">{bars}</svg>')
    alt = t("kpi_spark_alt", first=i18n.fmt_int(values[0], lang()), last=i18n.fmt_int(values[-1], lang()))
    return f"![{alt}](data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()})"


def headline_metrics(heads) -> None:
    """The headline figures. More reports is bad news: a rise is drawn red/orange and a fall
    green (`delta_color="inverse"`); neutral measures (a share's change) get no colour. A headline's
    series of complete periods (`spark`) is drawn after its description, as a word-sized image."""
    st.html(_WRAP_METRICS)
    cols = st.columns(len(heads))
    for col, h in zip(cols, heads):
        with col:
            colour = "off" if h.neutral or getattr(h, "tone", "bad") == "neutral" else "inverse"
            description = h.delta_description
            if getattr(h, "spark", None):
                description = f"{description or ''} {spark_image(h.spark)}".strip()
            st.metric(
                # ASCII minus: Streamlit picks the arrow direction from a leading "-".
                h.label, h.value, h.delta.replace("−", "-") if h.delta else None, help=h.help, border=True,
                delta_color=colour, delta_arrow="off" if h.neutral else "auto",
                delta_description=description,
            )


def page_header(title_key: str, caption_key: str, f: Filters) -> None:
    """Page title, one-line purpose, and the synthetic-data notice when the source `f.source`
    is synthetic. (The page passes its filters: a page run on its own draws them only once.)"""
    from cybertrends import cached

    st.title(t(title_key))
    st.caption(t(caption_key))
    if cached.is_synthetic(f):
        synthetic_banner()


def synthetic_banner() -> None:
    """The notice that the source is invented demonstration data."""
    st.warning(t("synthetic_banner"), icon=":material/science:")
