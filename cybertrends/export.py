"""Per-chart exports for briefing staff: PNG, SVG, standalone HTML, CSV and XLSX from a `ChartSpec`.

Every export is built from the same `ChartSpec` the page renders, so a briefing shows exactly
what the dashboard showed. Images carry the finding (title), period and filters (subtitle),
caveats (notes), the source line and, for synthetic data, a visible "datos sintéticos /
synthetic data" mark. Tables carry the data behind the chart as published (record-level counts
through the cell-key method, cybertrends/disclosure.py).

Static images (PNG/SVG/PDF) need a Chrome/Chromium browser, driven by Kaleido. One persistent
Kaleido server is started lazily on the first image export and reused by every later export;
the server is not thread-safe, so every image export in the process goes through
`_EXPORT_LOCK`. Other modules that need images (PowerPoint, PDF) should call `to_image` /
`figure_to_image` here rather than `plotly.io.to_image`, so they share the lock.

No Streamlit import here: importing Streamlit switches Plotly's default template to
"streamlit" (placeholder colours that only the Streamlit frontend fills in; exports come out
black). Exports therefore always use the explicit template built in this module, and repair
placeholder colours that plotly.express may have copied into traces.
"""

from __future__ import annotations

import atexit
import copy
import csv
import html
import io
import math
import os
import re
import shutil
import threading
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from textwrap import wrap
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from cybertrends.chartspec import ChartSpec
from cybertrends.disclosure import RECORD_LEVEL_SOURCES

__all__ = [
    "EXPORT_TEMPLATE_NAME",
    "IMAGE_FORMATS",
    "UNAVAILABLE_MESSAGE",
    "ExportError",
    "ExportUnavailable",
    "chromium_available",
    "export_figure",
    "export_template",
    "figure_to_image",
    "filename",
    "find_browser",
    "neutralise",
    "shutdown",
    "to_csv",
    "to_html",
    "to_image",
    "to_png",
    "to_svg",
    "to_xlsx",
]

# --------------------------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------------------------

UNAVAILABLE_MESSAGE = {
    "es": (
        "La exportación de imágenes necesita Chromium. Instálelo con: sudo apt-get install chromium "
        "(Debian/Ubuntu), o defina BROWSER_PATH con la ruta de un ejecutable de Chrome/Chromium."
    ),
    "en": (
        "Image export needs Chromium. Install it with: sudo apt-get install chromium (Debian/Ubuntu), "
        "or set BROWSER_PATH to a Chrome/Chromium executable."
    ),
}
_BAD_BROWSER_PATH = {
    "es": "BROWSER_PATH={path!r} no es un ejecutable de Chrome/Chromium y se ignoró.",
    "en": "BROWSER_PATH={path!r} is not a Chrome/Chromium executable and was ignored.",
}
_STALLED = {
    "es": "La exportación de imágenes se bloqueó (el navegador no responde). Reinicie la aplicación.",
    "en": "Image export stalled (the browser does not respond). Restart the application.",
}
_FAILED = {
    "es": "La exportación de la imagen falló",
    "en": "Image export failed",
}
_BROWSER_DIED = {
    "es": "El navegador de exportación ({path}) se cerró o no pudo iniciarse.",
    "en": "The export browser ({path}) closed or failed to start.",
}
_LABELS = {
    "es": {
        "data_sheet": "Datos",
        "synthetic_sheet": "Datos sintéticos",
        "meta_sheet": "Metadatos",
        "field": "Campo",
        "value": "Valor",
        "title": "Título",
        "subtitle": "Subtítulo",
        "source": "Fuente",
        "synthetic": "Datos sintéticos",
        "no": "No",
        "note": "Nota",
        "exported": "Exportado",
        "chart": "Gráfico",
        "protection": "Protección de víctimas",
        "source_id": "Fuente (id)",
        "data_as_of": "Fecha de corte",
        "build_id": "Base de datos (build)",
        "filters": "Filtros",
        "link": "Enlace a la vista",
    },
    "en": {
        "data_sheet": "Data",
        "synthetic_sheet": "Synthetic data",
        "meta_sheet": "Metadata",
        "field": "Field",
        "value": "Value",
        "title": "Title",
        "subtitle": "Subtitle",
        "source": "Source",
        "synthetic": "Synthetic data",
        "no": "No",
        "note": "Note",
        "exported": "Exported",
        "chart": "Chart",
        "protection": "Victim protection",
        "source_id": "Source (id)",
        "data_as_of": "Cut-off date",
        "build_id": "Database build",
        "filters": "Filters",
        "link": "Link to the view",
    },
}


def _lang(lang: str | None) -> str:
    return lang if lang in UNAVAILABLE_MESSAGE else "es"


class ExportError(RuntimeError):
    """An image export failed (browser crashed or stalled)."""


class ExportUnavailable(ExportError):
    """No Chrome/Chromium browser: image export (PNG/SVG/PDF) is not possible here.

    HTML, CSV and XLSX exports still work. `str(error)` is in the requested language;
    `error.messages` holds both languages.
    """

    def __init__(self, lang: str = "es", detail: dict[str, str] | None = None) -> None:
        self.lang = _lang(lang)
        self.messages = {
            code: UNAVAILABLE_MESSAGE[code] + (f" {detail[code]}" if detail else "") for code in UNAVAILABLE_MESSAGE
        }
        super().__init__(self.messages[self.lang])


# --------------------------------------------------------------------------------------------
# Browser detection
# --------------------------------------------------------------------------------------------

# Checked in this order after BROWSER_PATH (module-level so tests can narrow them).
_SYSTEM_CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium",)
_PATH_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")


def _is_browser(path: str | os.PathLike[str] | None) -> bool:
    """An existing executable file whose name says Chrome/Chromium (a non-browser hangs Kaleido)."""
    if not path:
        return False
    candidate = Path(path)
    try:
        if not candidate.is_file() or not os.access(candidate, os.X_OK):
            return False
        names = {candidate.name.lower(), candidate.resolve().name.lower()}
    except OSError:
        return False
    return any("chrom" in name for name in names)


def find_browser() -> str | None:
    """The Chrome/Chromium executable image exports use, or None. Re-checks the environment on each call.

    Order: `BROWSER_PATH` (only if it is an executable whose name contains "chrom"),
    /usr/bin/chromium, then chromium, chromium-browser, google-chrome on PATH.
    """
    env_path = os.environ.get("BROWSER_PATH")
    if env_path and _is_browser(env_path):
        return env_path
    for candidate in _SYSTEM_CANDIDATES:
        if _is_browser(candidate):
            return candidate
    for name in _PATH_NAMES:
        found = shutil.which(name)
        if found and _is_browser(found):
            return found
    return None


def chromium_available() -> bool:
    """True when PNG/SVG export can run (a Chrome/Chromium browser was found)."""
    return find_browser() is not None


def _require_browser(lang: str) -> str:
    browser = find_browser()
    if browser is None:
        env_path = os.environ.get("BROWSER_PATH")
        detail = None
        if env_path:
            detail = {code: text.format(path=env_path) for code, text in _BAD_BROWSER_PATH.items()}
        raise ExportUnavailable(lang, detail)
    return browser


# --------------------------------------------------------------------------------------------
# Kaleido server (one per process, serialised by a lock)
# --------------------------------------------------------------------------------------------

IMAGE_FORMATS = ("png", "svg", "pdf", "jpeg", "webp")
_EXPORT_LOCK = threading.Lock()  # every image export goes through this lock
_server_browser: str | None = None  # browser the running server was started with
_server_broken = False  # a render stalled: the server cannot be trusted any more
_atexit_registered = False
_FIRST_CALL_TIMEOUT = 60.0  # seconds, includes starting Chromium (about 1.2 s here)
_CALL_TIMEOUT = 120.0  # Kaleido's own per-image timeout is 90 s


def _kaleido():
    import kaleido  # imported lazily: importing it is cheap, but HTML/CSV/XLSX never need it

    return kaleido


def _server_thread() -> threading.Thread | None:
    # Kaleido keeps its server on a daemon thread; if Chromium fails to start, that thread dies
    # and every later call would wait forever. We watch it (private attribute, checked softly).
    server = getattr(_kaleido(), "_global_server", None)
    return getattr(server, "_thread", None) if server is not None else None


def _server_running() -> bool:
    server = getattr(_kaleido(), "_global_server", None)
    return bool(server is not None and server.is_running())


def _start_server(browser: str) -> None:
    """Start the persistent Kaleido server (caller holds the lock)."""
    global _server_browser, _atexit_registered
    kaleido = _kaleido()
    if _server_running():
        return
    # The server ignores per-call options; a non-empty `headers` default makes plotly pass
    # `kopts` on every call and warn "The kopts argument is ignored if using a server".
    # Give the header (OpenStreetMap tile policy) to the server instead.
    headers = pio.defaults.headers
    pio.defaults.headers = None
    kaleido.start_sync_server(
        mathjax=False,  # no MathJax fetch from a CDN (5 s stalls, offline failures)
        path=browser,
        headers=headers or None,
        silence_warnings=True,
    )
    _server_browser = browser
    if not _atexit_registered:
        atexit.register(shutdown)
        _atexit_registered = True


def _stop_server() -> None:
    global _server_browser
    if _server_running():
        _kaleido().stop_sync_server(silence_warnings=True)
    _server_browser = None


def shutdown() -> None:
    """Stop the export browser (registered with atexit; safe to call repeatedly)."""
    if not _EXPORT_LOCK.acquire(timeout=5):  # an export is stuck: do not block interpreter exit
        return
    try:
        _stop_server()
    except Exception:  # noqa: BLE001 - best effort at interpreter exit
        pass
    finally:
        _EXPORT_LOCK.release()


def _render(fig_dict: dict, fmt: str, width: int, height: int, scale: float, first: bool) -> bytes:
    """Run one pio.to_image on the server, with a watchdog (caller holds the lock)."""
    outcome: dict[str, Any] = {}
    done = threading.Event()

    def work() -> None:
        try:
            outcome["value"] = pio.to_image(
                fig_dict, format=fmt, width=width, height=height, scale=scale, validate=False
            )
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            outcome["error"] = error
        finally:
            done.set()

    worker = threading.Thread(target=work, name="cybertrends-export", daemon=True)
    worker.start()
    deadline = _FIRST_CALL_TIMEOUT if first else _CALL_TIMEOUT
    waited = 0.0
    while not done.wait(0.05):
        waited += 0.05
        thread = _server_thread()
        if thread is not None and not thread.is_alive():
            raise _ServerDied()
        if waited >= deadline:
            raise _Stalled()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class _ServerDied(Exception):
    pass


class _Stalled(Exception):
    pass


def figure_to_image(
    fig: go.Figure | dict,
    format: str = "png",  # noqa: A002 - same name as plotly.io.to_image
    width: int = 1600,
    height: int = 900,
    scale: float = 1,
    lang: str = "es",
) -> bytes:
    """Render any Plotly figure to image bytes on the shared, locked Kaleido server.

    The figure is rendered as given: use `export_figure` first for a ChartSpec (template,
    title block, source line, synthetic mark). Raises `ExportUnavailable` without a browser.
    """
    global _server_broken
    fmt = "jpeg" if format == "jpg" else format
    if fmt not in IMAGE_FORMATS:
        raise ValueError(f"unsupported image format {format!r}; expected one of {IMAGE_FORMATS}")
    browser = _require_browser(lang)
    fig_dict = fig.to_dict() if isinstance(fig, go.Figure) else copy.deepcopy(fig)
    layout = fig_dict.setdefault("layout", {})
    if "template" not in layout:
        # never let Kaleido fall back to pio.templates.default (may be "streamlit")
        layout["template"] = export_template().to_plotly_json()
    with _EXPORT_LOCK:
        if _server_broken:
            raise ExportError(_STALLED[_lang(lang)])
        first = not _server_running()
        if first:
            _start_server(browser)
        try:
            return _render(fig_dict, fmt, width, height, scale, first)
        except _ServerDied:
            used = _server_browser or browser
            try:
                _stop_server()  # the server thread is gone: reset so a later call can retry
            except Exception:  # noqa: BLE001
                pass
            raise ExportError(_BROWSER_DIED[_lang(lang)].format(path=used)) from None
        except _Stalled:
            # The server may still deliver this result later and hand it to the next caller:
            # refuse further image exports in this process instead of risking wrong images.
            _server_broken = True
            raise ExportError(_STALLED[_lang(lang)]) from None
        except ExportError:
            raise
        except Exception as error:  # Kaleido/plotly.js errors, e.g. a topojson fetch offline
            raise ExportError(f"{_FAILED[_lang(lang)]}: {error}") from error


def to_image(spec: ChartSpec, format: str = "png", width: int = 1600, height: int = 900, scale: float = 1) -> bytes:  # noqa: A002
    """`spec` as an image (png, svg, pdf, jpeg, webp), laid out by `export_figure`."""
    fig = export_figure(spec, width=width, height=height)
    return figure_to_image(fig, format=format, width=width, height=height, scale=scale, lang=spec.lang)


def to_png(spec: ChartSpec, width: int = 1600, height: int = 900, scale: float = 1) -> bytes:
    """PNG bytes of `export_figure(spec)`; raises `ExportUnavailable` without Chromium."""
    return to_image(spec, "png", width=width, height=height, scale=scale)


def to_svg(spec: ChartSpec, width: int = 1600, height: int = 900, scale: float = 1) -> bytes:
    """SVG bytes of `export_figure(spec)`; raises `ExportUnavailable` without Chromium."""
    return to_image(spec, "svg", width=width, height=height, scale=scale)


# --------------------------------------------------------------------------------------------
# The export figure
# --------------------------------------------------------------------------------------------

EXPORT_TEMPLATE_NAME = "plotly_white"
FONT_FAMILY = '"Open Sans", Arial, "Liberation Sans", "DejaVu Sans", sans-serif'
TEXT_COLOUR = "#1f2933"
MUTED_COLOUR = "#52606d"
SYNTHETIC_COLOUR = "#c0392b"

PAD = 24  # px between the image edge and the title block / source line
TITLE_SIZE = 26
SUBTITLE_SIZE = 16
MARK_SIZE = 15
NOTE_SIZE = 12
SOURCE_SIZE = 13
TICK_SIZE = 12  # plotly's default; the figure's own font size is used when it sets one
CHAR_WIDTH = 0.56  # average glyph width / font size, measured with DejaVu Sans (widest fallback)
BOLD_CHAR_WIDTH = 0.62
TICK_CHAR_WIDTH = 0.6  # tick labels cannot wrap: estimate their width generously

# Streamlit's Plotly theme uses these as placeholders that its frontend replaces.
_PLACEHOLDER = re.compile(r"^#0000([0-3][0-9]|40)$")
_PLACEHOLDER_FIXED = {
    32: "#3D9970",  # increasing
    33: "#FF4136",  # decreasing
    34: "#4499FF",  # totals
    36: "#444444",  # grey 70
    37: TEXT_COLOUR,  # grey 90
    38: "#ffffff",  # background
    39: "#e5e5e5",  # faded text
    40: "#f2f2f2",  # background mix
}


def _has_placeholder(obj: Any) -> bool:
    if isinstance(obj, str):
        return bool(_PLACEHOLDER.match(obj)) and obj != "#000000"
    if isinstance(obj, dict):
        return any(_has_placeholder(value) for value in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_has_placeholder(value) for value in obj)
    return False


def export_template(colorway: list[str] | tuple[str, ...] | None = None) -> go.layout.Template:
    """The explicit export template: plotly_white, white backgrounds, readable fonts.

    Built from `pio.templates["plotly_white"]` by name, never from `pio.templates.default`
    (which is "streamlit" once Streamlit is imported).
    """
    template = go.layout.Template(copy.deepcopy(pio.templates[EXPORT_TEMPLATE_NAME].to_plotly_json()))
    template.layout.paper_bgcolor = "white"
    template.layout.plot_bgcolor = "white"
    template.layout.font = dict(family=FONT_FAMILY, color=TEXT_COLOUR, size=13)
    if colorway:
        template.layout.colorway = list(colorway)
    return template


def _sample_scale(scale: list, position: float) -> str:
    """The stop colour nearest `position` in a Plotly colorscale [[p, colour], ...]."""
    if not scale:
        return "#636efa"
    best = min(scale, key=lambda stop: abs(float(stop[0]) - position))
    return best[1]


def _replacer(template_layout: dict):
    fallback = pio.templates[EXPORT_TEMPLATE_NAME].layout
    colorway = list(template_layout.get("colorway") or fallback.colorway)
    scales = template_layout.get("colorscale") or fallback.colorscale.to_plotly_json()
    sequential = [list(s) for s in scales.get("sequential") or []]
    diverging = [list(s) for s in scales.get("diverging") or []]

    def replace(value: str) -> str:
        number = int(value[1:], 10)
        if 1 <= number <= 10:
            return colorway[(number - 1) % len(colorway)]
        if 11 <= number <= 20:
            return _sample_scale(sequential, (number - 11) / 9)
        if 21 <= number <= 30:
            return _sample_scale(diverging, (number - 21) / 9)
        return _PLACEHOLDER_FIXED.get(number, "#444444")

    return replace


def _fix_placeholders(obj: Any, replace) -> Any:
    """Replace Streamlit placeholder colours that plotly.express copied into traces/layout."""
    if isinstance(obj, str):
        return replace(obj) if obj != "#000000" and _PLACEHOLDER.match(obj) else obj
    if isinstance(obj, dict):
        return {key: _fix_placeholders(value, replace) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_fix_placeholders(value, replace) for value in obj]
    if isinstance(obj, tuple):
        return tuple(_fix_placeholders(value, replace) for value in obj)
    return obj


def _text_width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * (BOLD_CHAR_WIDTH if bold else CHAR_WIDTH)


def _wrap(text: str, width_px: float, size: float, bold: bool = False) -> list[str]:
    if not text:
        return []
    chars = max(int(width_px / (size * (BOLD_CHAR_WIDTH if bold else CHAR_WIDTH))), 12)
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        lines.extend(wrap(paragraph, chars, break_long_words=True, break_on_hyphens=False) or [""])
    return lines


def _esc(text: str) -> str:
    """Plotly text is a tiny HTML subset: escape user text so "<5" or "a & b" render literally."""
    return html.escape(str(text), quote=False)


def _values(trace: dict, key: str) -> list:
    """A trace's x or y values as a list (plotly gives lists, tuples, numpy arrays or typed dicts)."""
    values = trace.get(key)
    if values is None or isinstance(values, (str, dict)):
        return []
    if isinstance(values, np.ndarray):
        return values.tolist()
    try:
        return list(values)
    except TypeError:
        return []


def _label_strings(values) -> list[str]:
    out = []
    for value in values if values is not None else []:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        out.append(str(value))
    return out


def _is_categorical(values) -> bool:
    labels = [v for v in (values if values is not None else []) if v is not None]
    return bool(labels) and all(isinstance(v, str) for v in labels)


def _axis_title(layout: dict, axis: str) -> str:
    title = (layout.get(axis) or {}).get("title")
    if isinstance(title, dict):
        return str(title.get("text") or "")
    return str(title or "")


def _legend_entries(fig_dict: dict) -> list[str]:
    layout = fig_dict.get("layout", {})
    traces = fig_dict.get("data", [])
    visible = [t for t in traces if t.get("showlegend", True) is not False and t.get("visible", True) is not False]
    show = layout.get("showlegend")
    if show is False or (show is None and len(visible) < 2):
        return []
    names = [str(t.get("name") or "") for t in visible]
    title = (layout.get("legend") or {}).get("title") or {}
    if isinstance(title, dict) and title.get("text"):
        names.append(str(title["text"]))
    return names


_MAP_ONLY_KEYS = ("below", "subplot", "cluster")
# plotly.js loads its world base map (topojson) from cdn.plot.ly for every geo subplot, even
# with the base layers hidden, unless `window.PlotlyGeoAssets` holds it: an empty topology
# (our maps draw only their own GeoJSON) keeps a file opened from disk off the network.
_EMPTY_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
_OFFLINE_GEO = ("<script>window.PlotlyGeoAssets = {topojson: {world_110m: {type: 'Topology', arcs: [], objects: {"
                + ", ".join(f"{k}: {{type: 'GeometryCollection', geometries: []}}" for k in _EMPTY_LAYERS)
                + "}}}};</script>\n")


def _svg_maps(fig_dict: dict) -> dict:
    """Tile maps (`choroplethmap`, drawn by MapLibre with WebGL and web workers, which a file
    opened from disk cannot start) as SVG maps (`choropleth` on a geo subplot fitted to the
    shapes, base layers hidden), for HTML exports."""
    data = fig_dict.get("data") or []
    if not any(t.get("type") == "choroplethmap" for t in data):
        return fig_dict
    for trace in data:
        if trace.get("type") == "choroplethmap":
            trace["type"] = "choropleth"
            for key in _MAP_ONLY_KEYS:
                trace.pop(key, None)
    layout = fig_dict.setdefault("layout", {})
    layout.pop("map", None)
    layout["geo"] = {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}}
    return fig_dict


def export_figure(spec: ChartSpec, width: int = 1600, height: int = 900) -> go.Figure:
    """A copy of `spec.figure` laid out for export; `spec.figure` is not changed.

    Explicit template: the figure's own template when it is a real one (e.g. charts.TEMPLATE),
    otherwise one built from plotly_white (never `pio.templates.default`, which is Streamlit's
    placeholder template once Streamlit is imported); white background; title block (bold title,
    subtitle beneath); caveats in small text above the source line at the bottom; and a red
    "datos sintéticos / synthetic data" mark at the top right (repeated in the source line) when
    `spec.synthetic`. Margins are computed
    for `width` x `height` (default 1600 x 900) so the blocks do not overlap the chart.
    """
    fig_dict = spec.figure.to_dict()  # deep copy
    layout: dict = fig_dict.setdefault("layout", {})
    data: list = fig_dict.setdefault("data", [])

    # --- template: explicit, never pio.templates.default --------------------------------
    own_template = layout.pop("template", None) or {}
    if isinstance(own_template, dict) and own_template.get("layout") and not _has_placeholder(own_template):
        # the figure's own explicit template (e.g. charts.TEMPLATE): keep what the page showed
        template = go.layout.Template(own_template)
        template.layout.paper_bgcolor = "white"
        template.layout.plot_bgcolor = "white"
    else:  # none, or Streamlit's placeholder template picked up from pio.templates.default
        template = export_template()
    template_json = template.to_plotly_json()
    replace = _replacer(template_json.get("layout", {}))
    data[:] = _fix_placeholders(data, replace)
    layout = _fix_placeholders(layout, replace)
    fig_dict["layout"] = layout

    # --- geometry --------------------------------------------------------------------------
    mark = spec.synthetic_mark
    mark_width = _text_width(mark, MARK_SIZE, bold=True) + 24 if mark else 0
    cartesian = spec.kind != "map" and not any(
        str(t.get("type", "scatter")).startswith(("choropleth", "scattergeo", "scattermap", "densitymap"))
        for t in data
    )

    def font_size(*sources: dict) -> float:
        for source in sources:
            size = ((source or {}).get("tickfont") or {}).get("size") or ((source or {}).get("font") or {}).get("size")
            if size:
                return float(size)
        return TICK_SIZE

    template_layout = template_json.get("layout", {})
    x_tick = font_size(layout.get("xaxis"), template_layout.get("xaxis"), layout, template_layout)
    y_tick = font_size(layout.get("yaxis"), template_layout.get("yaxis"), layout, template_layout)

    # left: y tick labels (categories for hbar) and y axis title
    y_values = [v for t in data for v in _values(t, "y")] if cartesian else []
    if cartesian and _is_categorical(y_values):
        longest = max((len(s) for s in _label_strings(y_values)), default=4)
        y_labels_px = longest * y_tick * TICK_CHAR_WIDTH + 16
    else:
        y_labels_px = 8 * y_tick * TICK_CHAR_WIDTH + 10 if cartesian else 0
    y_title_px = 30 if cartesian and _axis_title(layout, "yaxis") else 0
    margin_l = int(min(max(PAD + 40, y_labels_px + y_title_px + 14), width * 0.45))

    # right: legend (vertical, outside the plot) or colour bar for maps
    legend_names = _legend_entries(fig_dict)
    if legend_names:
        longest = max(len(name) for name in legend_names)
        legend_px = 60 + longest * 12 * TICK_CHAR_WIDTH
        margin_r = int(min(PAD + legend_px + 10, width * 0.3))
    else:
        margin_r = PAD + (110 if not cartesian else 16)

    plot_w = max(width - margin_l - margin_r, 200)
    text_w = width - 2 * PAD  # title, notes and source span the whole image

    # top: title, subtitle, synthetic mark beside the title
    title_lines = _wrap(spec.title, text_w - mark_width - (24 if mark else 0), TITLE_SIZE, bold=True)
    subtitle_lines = _wrap(spec.subtitle, text_w - mark_width - (24 if mark else 0), SUBTITLE_SIZE)
    title_px = len(title_lines) * TITLE_SIZE * 1.3
    subtitle_px = len(subtitle_lines) * SUBTITLE_SIZE * 1.4
    margin_t = int(PAD + title_px + (8 + subtitle_px if subtitle_lines else 0) + 28)

    # bottom: x tick labels, x axis title, notes, source line
    x_area = 0
    if cartesian:
        x_values = [v for t in data for v in _values(t, "x")]
        xaxis = layout.setdefault("xaxis", {})
        if _is_categorical(x_values):
            labels = sorted(set(_label_strings(x_values)), key=len)
            longest = len(labels[-1]) if labels else 4
            needed = len(labels) * (longest * x_tick * TICK_CHAR_WIDTH + 14)
            angle = xaxis.get("tickangle")
            if angle is None and needed > plot_w:
                angle = -45
                xaxis["tickangle"] = angle
            if angle is None or angle == 0:
                x_area = x_tick * 2
            else:
                rad = math.radians(abs(float(angle)))
                x_area = int(longest * x_tick * TICK_CHAR_WIDTH * math.sin(rad) + x_tick * 1.5)
                if float(angle) < 0 or float(angle) > 90:
                    # labels slanting down to the left reach past the plot's left edge: make room
                    # so plotly does not auto-expand the margin (which would shift the footer)
                    slant = longest * x_tick * TICK_CHAR_WIDTH * abs(math.cos(rad)) + x_tick
                    margin_l = int(min(max(margin_l, slant - plot_w / (2 * len(labels)) + PAD), width * 0.45))
        else:
            x_area = x_tick * 4  # dates: month label plus year on a second line
        x_area += 32 if _axis_title(layout, "xaxis") else 8
    notes_lines = [line for note in spec.notes for line in _wrap(f"• {note}", text_w, NOTE_SIZE)]
    source_text = spec.source_line
    if mark and mark.lower() not in (source_text or "").lower():
        source_text = f"{source_text} · {mark}" if source_text else mark
    if spec.stamp:
        source_text = f"{source_text} · {spec.stamp}" if source_text else spec.stamp
    source_lines = _wrap(source_text, text_w, SOURCE_SIZE)
    notes_px = len(notes_lines) * NOTE_SIZE * 1.35
    source_px = len(source_lines) * SOURCE_SIZE * 1.35
    footer_px = PAD * 0.75 + source_px + (8 + notes_px if notes_lines else 0)
    margin_b = int(x_area + 18 + footer_px)

    # --- apply -------------------------------------------------------------------------------
    layout["template"] = template
    layout["paper_bgcolor"] = "white"
    layout["plot_bgcolor"] = "white"
    layout["margin"] = dict(l=margin_l, r=margin_r, t=margin_t, b=margin_b, pad=4, autoexpand=True)
    layout.pop("width", None)
    layout.pop("height", None)
    title_html = "<br>".join(f"<b>{_esc(line)}</b>" for line in title_lines)
    layout["title"] = dict(
        text=title_html,
        font=dict(size=TITLE_SIZE, color=TEXT_COLOUR, family=FONT_FAMILY),
        x=0,
        xref="container",
        xanchor="left",
        y=1,
        yref="container",
        yanchor="top",
        # plotly.js puts the first baseline (not the top) of a multi-line title at pad.t
        pad=dict(l=PAD, t=PAD if len(title_lines) < 2 else PAD + int(TITLE_SIZE * 0.75)),
        automargin=False,
        subtitle=dict(
            text="<br>".join(_esc(line) for line in subtitle_lines),
            font=dict(size=SUBTITLE_SIZE, color=MUTED_COLOUR, family=FONT_FAMILY),
        ),
    )
    if legend_names:
        layout["legend"] = {
            **{k: v for k, v in (layout.get("legend") or {}).items() if k in ("title", "traceorder", "itemsizing")},
            "orientation": "v",
            "x": 1.01,
            "xanchor": "left",
            "xref": "paper",
            "y": 1,
            "yanchor": "top",
            "yref": "paper",
            "bgcolor": "rgba(255,255,255,0)",
            "font": dict(size=12),
        }

    annotations = list(layout.get("annotations") or [])
    shift_left = -(margin_l - PAD)  # from the plot's left edge to PAD from the image edge
    if mark:
        annotations.append(
            dict(
                name="synthetic_mark",
                text=f"<b>{_esc(mark)}</b>",
                xref="paper",
                yref="paper",
                x=1,
                y=1,
                xanchor="right",
                yanchor="top",
                xshift=margin_r - PAD,
                yshift=margin_t - PAD + 4,
                showarrow=False,
                font=dict(size=MARK_SIZE, color=SYNTHETIC_COLOUR, family=FONT_FAMILY),
                bgcolor="#fdecea",
                bordercolor=SYNTHETIC_COLOUR,
                borderwidth=1.5,
                borderpad=6,
                align="right",
            )
        )
    if notes_lines:
        annotations.append(
            dict(
                name="notes",
                text="<br>".join(_esc(line) for line in notes_lines),
                xref="paper",
                yref="paper",
                x=0,
                y=0,
                xanchor="left",
                yanchor="bottom",
                xshift=shift_left,
                yshift=-(margin_b - PAD * 0.75 - source_px - 8),
                showarrow=False,
                align="left",
                font=dict(size=NOTE_SIZE, color=MUTED_COLOUR, family=FONT_FAMILY),
            )
        )
    if source_lines:
        source_html = "<br>".join(_esc(line) for line in source_lines)
        if mark:
            escaped_mark = _esc(mark)
            source_html = source_html.replace(
                escaped_mark, f'<b><span style="color:{SYNTHETIC_COLOUR}">{escaped_mark}</span></b>'
            )
        annotations.append(
            dict(
                name="source_line",
                text=source_html,
                xref="paper",
                yref="paper",
                x=0,
                y=0,
                xanchor="left",
                yanchor="bottom",
                xshift=shift_left,
                yshift=-(margin_b - PAD * 0.75),
                showarrow=False,
                align="left",
                font=dict(size=SOURCE_SIZE, color=MUTED_COLOUR, family=FONT_FAMILY),
            )
        )
    layout["annotations"] = annotations
    return go.Figure(fig_dict)


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def to_html(spec: ChartSpec, width: int = 1600, height: int = 900) -> bytes:
    """Interactive standalone HTML (plotly.js inlined, works offline); no browser needed to build."""
    fig = go.Figure(_svg_maps(export_figure(spec, width=width, height=height).to_dict()))
    lang = _lang(spec.lang)
    div = fig.to_html(
        include_plotlyjs=True,
        full_html=False,
        default_width="100%",
        default_height=f"{height}px",
        config={
            "displaylogo": False,
            "responsive": True,
            "toImageButtonOptions": {
                "format": "png",
                "filename": filename(spec, "png").rsplit(".", 1)[0],
                "width": width,
                "height": height,
            },
        },
    )
    esc = lambda text: html.escape(str(text or ""), quote=True)  # noqa: E731
    fallback = [f"<h1>{esc(spec.title)}</h1>"]
    if spec.subtitle:
        fallback.append(f"<p>{esc(spec.subtitle)}</p>")
    if spec.synthetic:
        fallback.append(f'<p><strong style="color:{SYNTHETIC_COLOUR}">{esc(spec.synthetic_mark)}</strong></p>')
    fallback.extend(f"<p><small>{esc(note)}</small></p>" for note in spec.notes)
    if spec.source_line:
        fallback.append(f"<p><small>{esc(spec.source_line)}</small></p>")
    if spec.stamp:
        fallback.append(f"<p><small>{esc(spec.stamp)}</small></p>")
    document = (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(spec.title)}</title>\n"
        f'<meta name="description" content="{esc(spec.subtitle)}">\n'
        + (f'<meta name="robots" content="noindex">\n<meta name="data-status" content="{esc(spec.synthetic_mark)}">\n' if spec.synthetic else "")
        + "<style>html,body{margin:0;background:#fff;font-family:Arial,sans-serif}</style>\n"
        "</head>\n<body>\n"
        + (_OFFLINE_GEO if any(t.type == "choropleth" for t in fig.data) else "")
        + f"<noscript>{''.join(fallback)}</noscript>\n"
        f"{div}\n</body>\n</html>\n"
    )
    return document.encode("utf-8")


# --------------------------------------------------------------------------------------------
# Tables: CSV and XLSX
# --------------------------------------------------------------------------------------------

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Stop spreadsheet formula injection: text starting with = + - @ tab or CR gets a leading "'".

    Non-text values (numbers, dates, None) are returned unchanged, so -3.5 stays a number while
    the text "-3.5%" becomes "'-3.5%".
    """
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    """A cell value as a plain Python object: None for missing, int/float/str/bool/date/datetime."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return None
        value = float(value)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if isinstance(value, pd.Period):
        return str(value)
    return str(value)


def _export_rows(spec: ChartSpec) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of `spec.export_table()` as plain values, not yet neutralised.

    Where the chart shows a number, the numeric `y` value is exported (a real number in Excel);
    where the number is missing, the display text is exported.
    """
    table = spec.export_table()
    header = [str(column) for column in table.columns]
    rows = [[_plain(value) for value in record] for record in table.itertuples(index=False, name=None)]
    if spec.display_column is not None and spec.y in table.columns:
        position = list(table.columns).index(spec.y)
        numbers = [_plain(value) for value in spec.data[spec.y].tolist()]
        for row, number in zip(rows, numbers):
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                row[position] = number
    return header, rows


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def provenance_columns(spec: ChartSpec) -> dict[str, Any]:
    """Columns every CSV row carries so the file keeps its provenance when it travels alone:
    source id, the source's cut date, the database build and the synthetic mark."""
    p = spec.provenance or {}
    as_of = p.get("data_as_of")
    return {
        "source": p.get("source", ""),
        "data_as_of": as_of.isoformat() if isinstance(as_of, date) else (str(as_of) if as_of else ""),
        "build_id": p.get("build_id", ""),
        "synthetic": bool(spec.synthetic),
    }


def to_csv(spec: ChartSpec) -> bytes:
    """The data behind the chart as CSV: UTF-8 with BOM, comma-delimited, header + rows, each
    row ending with the provenance columns (source, data_as_of, build_id, synthetic).

    Text cells that look like formulas are neutralised.
    """
    header, rows = _export_rows(spec)
    extra = provenance_columns(spec)
    header = header + list(extra)
    rows = [row + list(extra.values()) for row in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name in header])
    for row in rows:
        writer.writerow([neutralise(_csv_text(value)) if isinstance(value, str) else _csv_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


# Columns whose numbers are labels (years, codes, line numbers): written without separators.
_PLAIN_COLUMNS = ("año", "year", "periodo", "period", "código", "code", "inei", "línea", "line")
# Text that is a number as the page formats it ("1,234", "-3.5", "12.5 %" is not: it stays text).
_NUMBER_TEXT = re.compile(r"[−-]?\d{1,3}(,\d{3})*(\.\d+)?|[−-]?\d+(\.\d+)?")


def _number_of(text: str) -> int | float:
    clean = text.replace(",", "").replace("−", "-")
    number = float(clean)
    return int(number) if "." not in clean and abs(number) < 2**53 else number


def _set_text(cell, text: str) -> None:
    cell.value = text
    cell.data_type = "s"  # a string, never a formula, whatever the first character


def to_xlsx(spec: ChartSpec, exported_at: datetime | None = None) -> bytes:
    """The data behind the chart as an Excel workbook.

    Sheet 1: the table (bold header, numbers as numbers). Sheet 2
    ("Metadatos"/"Info"): title, subtitle, source line, synthetic mark, notes, export time.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    lang = _lang(spec.lang)
    labels = _LABELS[lang]
    header, rows = _export_rows(spec)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = labels["synthetic_sheet"] if spec.synthetic else labels["data_sheet"]
    bold = Font(bold=True)

    widths = [len(name) for name in header]
    for col, name in enumerate(header, start=1):
        cell = sheet.cell(row=1, column=col)
        _set_text(cell, neutralise(name))
        cell.font = bold
    plain = [any(word in name.lower() for word in _PLAIN_COLUMNS) for name in header]
    # A column whose every text cell is a number as the page writes it ("1,234") is a number
    # column shown as text: its cells go into the sheet as numbers. Other text stays text.
    numeric_text = [
        all(v is None or not isinstance(v, str) or _NUMBER_TEXT.fullmatch(v) for v in column)
        and any(isinstance(v, str) for v in column)
        for column in zip(*rows)
    ] if rows else [False] * len(header)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if value is None:
                continue
            if isinstance(value, str) and numeric_text[c - 1] and not plain[c - 1]:
                value = _number_of(value)  # "1,234" shown on the page is a number in the sheet
            if isinstance(value, str):
                _set_text(cell, neutralise(value))
            else:
                cell.value = value
                if isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, bool):
                    pass
                elif plain[c - 1]:
                    cell.number_format = "0"
                elif isinstance(value, int):
                    cell.number_format = "#,##0"
                elif isinstance(value, float):
                    cell.number_format = "#,##0.0##"
            widths[c - 1] = max(widths[c - 1], len(_csv_text(value)))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"

    meta = workbook.create_sheet(labels["meta_sheet"])
    stamp = (exported_at or datetime.now().astimezone()).isoformat(timespec="seconds")
    entries: list[tuple[str, str]] = [
        (labels["title"], spec.title),
        (labels["subtitle"], spec.subtitle),
        (labels["source"], spec.source_line),
        (labels["synthetic"], spec.synthetic_mark if spec.synthetic else labels["no"]),
    ]
    p = spec.provenance or {}
    if p:
        as_of = p.get("data_as_of")
        entries += [
            (labels["source_id"], p.get("source", "")),
            (labels["data_as_of"], as_of.isoformat() if isinstance(as_of, date) else str(as_of or "")),
            (labels["build_id"], p.get("build_id", "")),
            (labels["filters"], p.get("filters", "")),
            (labels["link"], p.get("link", "")),
        ]
    entries += [(labels["note"], note) for note in spec.notes]
    if (spec.provenance or {}).get("source") in RECORD_LEVEL_SOURCES:
        from cybertrends import i18n

        entries.append((labels["protection"], i18n.t("disclosure_note", lang)))
    entries += [(labels["chart"], spec.chart_id), (labels["exported"], stamp)]
    for col, name in enumerate((labels["field"], labels["value"]), start=1):
        cell = meta.cell(row=1, column=col)
        _set_text(cell, name)
        cell.font = bold
    for r, (key, value) in enumerate(entries, start=2):
        key_cell = meta.cell(row=r, column=1)
        _set_text(key_cell, neutralise(key))
        key_cell.font = bold
        value_cell = meta.cell(row=r, column=2)
        _set_text(value_cell, neutralise(str(value or "")))
        if key == labels["synthetic"] and spec.synthetic:
            value_cell.font = Font(bold=True, color="C0392B")
    meta.column_dimensions["A"].width = 20
    meta.column_dimensions["B"].width = min(max((len(str(v or "")) for _, v in entries), default=20) + 2, 100)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def filename(spec: ChartSpec, ext: str, when: date | None = None) -> str:
    """A download name that says what the file holds and how fresh it is: source, crime scope,
    the chart (and its options), and the source's cut date, e.g.
    "mpfn_ley30096_regiones-mapa-tasa_corte-2025-12-17.csv". Without a cut date, the day of
    the export ("..._2026-11-30.png")."""
    from cybertrends import i18n

    extension = _slug(ext.lstrip(".")).replace("_", "") or "bin"
    lang = _lang(spec.lang)
    p = spec.provenance or {}
    key = f"file_{spec.chart_id}"
    chart = i18n.t(key, lang) if key in i18n.catalog() else spec.chart_id
    parts = [p.get("source", ""), p.get("crime_scope", ""), chart,
             *(str(v) for _, v in sorted((spec.options or {}).items()))]
    if spec.filters is not None and spec.filters.regions:
        parts.append("r" + "-".join(spec.filters.regions[:4]) + ("-etc" if len(spec.filters.regions) > 4 else ""))
    stem = "_".join(_slug(part).replace("_", "-") for part in parts if part).strip("_")[:120] or "chart"
    as_of = p.get("data_as_of")
    day = (f"{i18n.t('file_cut', lang)}-{as_of.isoformat()}" if isinstance(as_of, date)
           else (when or date.today()).isoformat())
    return f"{stem}_{day}.{extension}"
