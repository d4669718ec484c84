"""The figure laid out for export: explicit template, title block, caveats, source line, synthetic mark.

`export_figure(spec)` copies `spec.figure` and lays it out for a fixed image size in named steps:
choose an explicit template (repairing Streamlit placeholder colours), measure the blocks around
the plot (axis labels, legend, title, footer) to size the margins, then apply the layout and add
the annotations. Used by image export (PNG/SVG), the HTML page and the briefing pack.

No Streamlit import here: importing Streamlit switches Plotly's default template to
"streamlit" (placeholder colours that only the Streamlit frontend fills in; exports come out
black). Exports therefore always use an explicit template, and repair placeholder colours that
plotly.express may have copied into traces.
"""

from __future__ import annotations

import copy
import html
import math
import re
from dataclasses import dataclass
from textwrap import wrap
from typing import Any

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from cybertrends.chartspec import ChartSpec

__all__ = ["EXPORT_TEMPLATE_NAME", "SYNTHETIC_COLOUR", "export_figure", "export_template"]

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



def _font_size(*sources: dict | None) -> float:
    """The first tick or font size set in `sources` (axis, then template axis, then layouts)."""
    for source in sources:
        size = ((source or {}).get("tickfont") or {}).get("size") or ((source or {}).get("font") or {}).get("size")
        if size:
            return float(size)
    return TICK_SIZE


@dataclass
class _Blocks:
    """What surrounds the plot in the exported image, and the margins that make room for it."""

    mark: str
    title_lines: list[str]
    subtitle_lines: list[str]
    notes_lines: list[str]
    source_lines: list[str]
    legend_names: list[str]
    margin_l: int
    margin_r: int
    margin_t: int
    margin_b: int

    @property
    def source_px(self) -> float:
        """Height of the source line block."""
        return len(self.source_lines) * SOURCE_SIZE * 1.35


def _explicit_template(fig_dict: dict) -> go.layout.Template:
    """Step 1: the template to export with, and placeholder colours in `fig_dict` repaired (in place).

    The figure's own template when it is a real one (e.g. charts.TEMPLATE), otherwise one built
    from plotly_white: never `pio.templates.default`, which is Streamlit's placeholder template
    once Streamlit is imported.
    """
    layout = fig_dict["layout"]
    own_template = layout.pop("template", None) or {}
    if isinstance(own_template, dict) and own_template.get("layout") and not _has_placeholder(own_template):
        template = go.layout.Template(own_template)  # keep what the page showed
        template.layout.paper_bgcolor = "white"
        template.layout.plot_bgcolor = "white"
    else:  # none, or Streamlit's placeholder template picked up from pio.templates.default
        template = export_template()
    replace = _replacer(template.to_plotly_json().get("layout", {}))
    fig_dict["data"][:] = _fix_placeholders(fig_dict["data"], replace)
    fig_dict["layout"] = _fix_placeholders(layout, replace)
    return template


def _is_cartesian(spec: ChartSpec, data: list) -> bool:
    return spec.kind != "map" and not any(
        str(t.get("type", "scatter")).startswith(("choropleth", "scattergeo", "scattermap", "densitymap"))
        for t in data
    )


def _left_margin(layout: dict, data: list, cartesian: bool, y_tick: float, width: int) -> int:
    """Step 2a: room for the y tick labels (categories for hbar) and the y axis title."""
    y_values = [v for t in data for v in _values(t, "y")] if cartesian else []
    if cartesian and _is_categorical(y_values):
        longest = max((len(s) for s in _label_strings(y_values)), default=4)
        y_labels_px = longest * y_tick * TICK_CHAR_WIDTH + 16
    else:
        y_labels_px = 8 * y_tick * TICK_CHAR_WIDTH + 10 if cartesian else 0
    y_title_px = 30 if cartesian and _axis_title(layout, "yaxis") else 0
    return int(min(max(PAD + 40, y_labels_px + y_title_px + 14), width * 0.45))


def _right_margin(legend_names: list[str], cartesian: bool, width: int) -> int:
    """Step 2b: room for a vertical legend outside the plot, or the colour bar of a map."""
    if legend_names:
        longest = max(len(name) for name in legend_names)
        legend_px = 60 + longest * 12 * TICK_CHAR_WIDTH
        return int(min(PAD + legend_px + 10, width * 0.3))
    return PAD + (110 if not cartesian else 16)


def _x_axis_area(
    layout: dict, data: list, x_tick: float, plot_w: float, margin_l: int, width: int
) -> tuple[float, int]:
    """Step 2c: height of the x tick labels and axis title, and the left margin they may need.

    Slants long category labels by -45° when they do not fit side by side (set on the axis
    in `layout`); labels slanting down to the left reach past the plot's left edge, so the left
    margin grows to hold them (otherwise plotly auto-expands it, which would shift the footer).
    """
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
                slant = longest * x_tick * TICK_CHAR_WIDTH * abs(math.cos(rad)) + x_tick
                margin_l = int(min(max(margin_l, slant - plot_w / (2 * len(labels)) + PAD), width * 0.45))
    else:
        x_area = x_tick * 4  # dates: month label plus year on a second line
    x_area += 32 if _axis_title(layout, "xaxis") else 8
    return x_area, margin_l


def _footer_lines(spec: ChartSpec, text_w: float) -> tuple[list[str], list[str]]:
    """Step 2d: the caveat lines and the source lines (source, synthetic mark, provenance stamp)."""
    mark = spec.synthetic_mark
    notes_lines = [line for note in spec.notes for line in _wrap(f"• {note}", text_w, NOTE_SIZE)]
    source_text = spec.source_line
    if mark and mark.lower() not in (source_text or "").lower():
        source_text = f"{source_text} · {mark}" if source_text else mark
    if spec.stamp:
        source_text = f"{source_text} · {spec.stamp}" if source_text else spec.stamp
    return notes_lines, _wrap(source_text, text_w, SOURCE_SIZE)


def _measure(spec: ChartSpec, fig_dict: dict, template: go.layout.Template, width: int) -> _Blocks:
    """Step 2: wrap the texts and size the four margins so no block overlaps the chart."""
    layout, data = fig_dict["layout"], fig_dict["data"]
    mark = spec.synthetic_mark
    mark_width = _text_width(mark, MARK_SIZE, bold=True) + 24 if mark else 0
    cartesian = _is_cartesian(spec, data)
    template_layout = template.to_plotly_json().get("layout", {})
    x_tick = _font_size(layout.get("xaxis"), template_layout.get("xaxis"), layout, template_layout)
    y_tick = _font_size(layout.get("yaxis"), template_layout.get("yaxis"), layout, template_layout)

    margin_l = _left_margin(layout, data, cartesian, y_tick, width)
    legend_names = _legend_entries(fig_dict)
    margin_r = _right_margin(legend_names, cartesian, width)
    plot_w = max(width - margin_l - margin_r, 200)
    text_w = width - 2 * PAD  # title, notes and source span the whole image

    heading_w = text_w - mark_width - (24 if mark else 0)  # the mark sits beside the title
    title_lines = _wrap(spec.title, heading_w, TITLE_SIZE, bold=True)
    subtitle_lines = _wrap(spec.subtitle, heading_w, SUBTITLE_SIZE)
    title_px = len(title_lines) * TITLE_SIZE * 1.3
    subtitle_px = len(subtitle_lines) * SUBTITLE_SIZE * 1.4
    margin_t = int(PAD + title_px + (8 + subtitle_px if subtitle_lines else 0) + 28)

    x_area = 0
    if cartesian:
        x_area, margin_l = _x_axis_area(layout, data, x_tick, plot_w, margin_l, width)
    notes_lines, source_lines = _footer_lines(spec, text_w)
    notes_px = len(notes_lines) * NOTE_SIZE * 1.35
    source_px = len(source_lines) * SOURCE_SIZE * 1.35
    footer_px = PAD * 0.75 + source_px + (8 + notes_px if notes_lines else 0)
    margin_b = int(x_area + 18 + footer_px)
    return _Blocks(mark, title_lines, subtitle_lines, notes_lines, source_lines, legend_names,
                   margin_l, margin_r, margin_t, margin_b)


def _apply_layout(layout: dict, template: go.layout.Template, blocks: _Blocks) -> None:
    """Step 3: template, white background, margins, the title block and the legend, set on `layout`."""
    layout["template"] = template
    layout["paper_bgcolor"] = "white"
    layout["plot_bgcolor"] = "white"
    layout["margin"] = dict(l=blocks.margin_l, r=blocks.margin_r, t=blocks.margin_t, b=blocks.margin_b,
                            pad=4, autoexpand=True)
    layout.pop("width", None)
    layout.pop("height", None)
    title_lines = blocks.title_lines
    layout["title"] = dict(
        text="<br>".join(f"<b>{_esc(line)}</b>" for line in title_lines),
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
            text="<br>".join(_esc(line) for line in blocks.subtitle_lines),
            font=dict(size=SUBTITLE_SIZE, color=MUTED_COLOUR, family=FONT_FAMILY),
        ),
    )
    if blocks.legend_names:
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


def _paper_text(name: str, text: str, corner: str, xshift: float, yshift: float, font: dict, **box: Any) -> dict:
    """An annotation pinned to a `corner` of the plot area ("top right", "bottom left"), shifted
    by pixels into the margins; `box` adds a background and border."""
    vertical, horizontal = corner.split()
    return dict(
        name=name,
        text=text,
        xref="paper",
        yref="paper",
        x=1 if horizontal == "right" else 0,
        y=1 if vertical == "top" else 0,
        xanchor=horizontal,
        yanchor=vertical,
        xshift=xshift,
        yshift=yshift,
        showarrow=False,
        align=horizontal,
        font=font,
        **box,
    )


def _annotations(blocks: _Blocks) -> list[dict]:
    """Step 4: the synthetic mark (top right), the caveats and the source line (bottom left)."""
    mark, annotations = blocks.mark, []
    shift_left = -(blocks.margin_l - PAD)  # from the plot's left edge to PAD from the image edge
    if mark:
        font = dict(size=MARK_SIZE, color=SYNTHETIC_COLOUR, family=FONT_FAMILY)
        annotations.append(_paper_text("synthetic_mark", f"<b>{_esc(mark)}</b>", "top right",
                                       blocks.margin_r - PAD, blocks.margin_t - PAD + 4, font, bgcolor="#fdecea",
                                       bordercolor=SYNTHETIC_COLOUR, borderwidth=1.5, borderpad=6))
    if blocks.notes_lines:
        notes_html = "<br>".join(_esc(line) for line in blocks.notes_lines)
        yshift = -(blocks.margin_b - PAD * 0.75 - blocks.source_px - 8)
        font = dict(size=NOTE_SIZE, color=MUTED_COLOUR, family=FONT_FAMILY)
        annotations.append(_paper_text("notes", notes_html, "bottom left", shift_left, yshift, font))
    if blocks.source_lines:
        source_html = "<br>".join(_esc(line) for line in blocks.source_lines)
        if mark:
            escaped_mark = _esc(mark)
            source_html = source_html.replace(
                escaped_mark, f'<b><span style="color:{SYNTHETIC_COLOUR}">{escaped_mark}</span></b>'
            )
        yshift = -(blocks.margin_b - PAD * 0.75)
        font = dict(size=SOURCE_SIZE, color=MUTED_COLOUR, family=FONT_FAMILY)
        annotations.append(_paper_text("source_line", source_html, "bottom left", shift_left, yshift, font))
    return annotations


def export_figure(spec: ChartSpec, width: int = 1600, height: int = 900) -> go.Figure:
    """A copy of `spec.figure` laid out for export; `spec.figure` is not changed.

    Explicit template: the figure's own template when it is a real one (e.g. charts.TEMPLATE),
    otherwise one built from plotly_white (never `pio.templates.default`, which is Streamlit's
    placeholder template once Streamlit is imported); white background; title block (bold title,
    subtitle beneath); caveats in small text above the source line at the bottom; and a red
    "datos sintéticos / synthetic data" mark at the top right (repeated in the source line) when
    `spec.synthetic`. Margins are computed for `width` x `height` (default 1600 x 900) so the
    blocks do not overlap the chart.
    """
    fig_dict = spec.figure.to_dict()  # deep copy
    fig_dict.setdefault("layout", {})
    fig_dict.setdefault("data", [])
    template = _explicit_template(fig_dict)
    blocks = _measure(spec, fig_dict, template, width)
    layout = fig_dict["layout"]
    _apply_layout(layout, template, blocks)
    layout["annotations"] = list(layout.get("annotations") or []) + _annotations(blocks)
    return go.Figure(fig_dict)
