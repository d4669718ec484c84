"""The pack as a 16:9 PowerPoint deck (python-pptx): `to_pptx`.

A title slide, one slide per chart and a closing slide with sources and caveats. Charts are
*native* PowerPoint charts, so staff can restyle them; the finding is the slide title, then
the subtitle (period and filters), the caveats and the source line; the speaker notes hold the
numbers behind the chart (as published: record-level counts through the cell-key method). A
map goes in as a picture; without Chromium its slide says the map could not be drawn instead
of failing the pack.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cybertrends import i18n
from cybertrends.briefing.images import Images
from cybertrends.briefing.pack import (
    AXIS,
    GRID,
    MARK,
    MUTED,
    MUTED_BAR,
    SYNTHETIC_FILL,
    SYNTHETIC_RED,
    TEXT,
    Pack,
    chart_series,
    closing_sections,
    notes_text,
    shared_subtitle,
    unique,
)

if TYPE_CHECKING:  # pragma: no cover
    from cybertrends.chartspec import ChartSpec

SLIDE_W_IN = 13.333
SLIDE_H_IN = 7.5
MARGIN_IN = 0.5
FONT = "Arial"  # everywhere (metric-compatible Liberation Sans elsewhere): predictable wrapping
MARK_W_IN = 3.5
NUMBER_FORMATS = {"count": "#,##0", "percent": '0.0" %"', "rate": "#,##0.0", "index": "#,##0"}


def _chart_type(kind: str):
    from pptx.enum.chart import XL_CHART_TYPE

    return {
        "line": XL_CHART_TYPE.LINE_MARKERS,
        "bar": XL_CHART_TYPE.COLUMN_CLUSTERED,
        "hbar": XL_CHART_TYPE.BAR_CLUSTERED,
        "stacked_bar": XL_CHART_TYPE.COLUMN_STACKED,
    }[kind]

def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text_box(slide, left, top, width, height, paragraphs, size=12, colour=TEXT, bold=False,
              anchor="top", name=None):
    """A word-wrapped text box; `paragraphs` is a string or a list of strings / (text, opts)."""
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = {"top": MSO_ANCHOR.TOP, "middle": MSO_ANCHOR.MIDDLE, "bottom": MSO_ANCHOR.BOTTOM}[anchor]
    frame.margin_left = frame.margin_right = Inches(0.02)
    items = [paragraphs] if isinstance(paragraphs, str) else list(paragraphs)
    for i, item in enumerate(items):
        text, opts = (item, {}) if isinstance(item, str) else item
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = para.add_run()
        run.text = text
        run.font.size = Pt(opts.get("size", size))
        run.font.name = FONT
        run.font.bold = opts.get("bold", bold)
        run.font.color.rgb = _rgb(opts.get("colour", colour))
        if opts.get("space_before"):
            para.space_before = Pt(opts["space_before"])
    return box


def _lines(text: str, width_in: float, size_pt: float, bold: bool = False) -> int:
    """Rough line count of `text` wrapped in `width_in` inches at `size_pt` (Arial, generous)."""
    # average glyph width ~0.55 em (Arial bold); wider fallbacks (DejaVu) and whole-word wrapping
    # are covered by the margin
    per_line = max(int(width_in * 72 / (size_pt * (0.62 if bold else 0.54)) * 0.92), 10)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in (text or "").splitlines() or [""])


def _mark(slide, lang: str) -> None:
    from pptx.util import Inches, Pt

    width = MARK_W_IN
    box = _text_box(slide, SLIDE_W_IN - MARGIN_IN - width, 0.3, width, 0.42,
                    MARK, size=12, colour=SYNTHETIC_RED, bold=True,
                    anchor="middle", name="synthetic_mark")
    box.fill.solid()
    box.fill.fore_color.rgb = _rgb(SYNTHETIC_FILL)
    box.line.color.rgb = _rgb(SYNTHETIC_RED)
    box.line.width = Pt(1.25)
    from pptx.enum.text import PP_ALIGN

    box.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER
    box.text_frame.margin_top = box.text_frame.margin_bottom = Inches(0.02)


def _slide_title(slide, text: str, left: float, top: float, width: float, max_height: float,
                 sizes: Sequence[int] = (28, 24, 22, 20, 18, 16)) -> float:
    """Fill the slide's title placeholder with `text`; returns the height used (inches)."""
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    size = sizes[0]
    for size in sizes:
        if _lines(text, width, size, bold=True) * size * 1.2 / 72 <= max_height:
            break
    height = min(max_height, _lines(text, width, size, bold=True) * size * 1.2 / 72 + 0.1)
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = Inches(left), Inches(top), Inches(width), Inches(height)
    frame = shape.text_frame
    frame.text = text
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.margin_left = frame.margin_right = Inches(0.02)
    frame.margin_top = frame.margin_bottom = Inches(0.02)
    from pptx.enum.text import PP_ALIGN

    for para in frame.paragraphs:
        para.alignment = PP_ALIGN.LEFT
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.name = FONT
            run.font.bold = True
            run.font.color.rgb = _rgb(TEXT)
    return height


def _page_number(slide, n: int, total: int) -> None:
    from pptx.enum.text import PP_ALIGN

    box = _text_box(slide, SLIDE_W_IN - MARGIN_IN - 1.0, SLIDE_H_IN - 0.42, 1.0, 0.3, f"{n} / {total}",
                    size=10, colour=MUTED, name="page_number")
    box.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT


def _nice_unit(series, ticks: int = 4) -> float | None:
    """A round major unit giving about `ticks` gridlines over the values (1, 2 or 5 x 10^k)."""
    values = [abs(v) for _, vs in series for v in vs if v is not None]
    if not values or max(values) <= 0:
        return None
    raw = max(values) / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _set_skip(axis, skip: int) -> None:
    """tickLblSkip / tickMarkSkip on a category axis (in schema order, before noMultiLvlLbl)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    element = axis._element  # noqa: SLF001 - python-pptx has no API for label skipping
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        for old in element.findall(qn(tag)):
            element.remove(old)
    anchor = element.find(qn("c:noMultiLvlLbl"))
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        new = etree.SubElement(element, qn(tag))
        new.set("val", str(skip))
        if anchor is not None:
            anchor.addprevious(new)


def _series_colours(spec: ChartSpec, names: list[str]) -> list[tuple[str, bool]]:
    """(colour, dashed) per series: the colour the page's figure gives a trace of the same name
    when it is an Okabe–Ito colour (or the house grey for "other"), else the next unused
    Okabe–Ito colour."""
    from cybertrends.charts.base import MUTED as HOUSE_GREY
    from cybertrends.charts.base import PALETTE

    allowed = {c.upper() for c in PALETTE} | {HOUSE_GREY.upper()}
    by_name: dict[str, tuple[str, bool]] = {}
    for trace in spec.figure.data:
        colour = None
        line = getattr(trace, "line", None)
        marker = getattr(trace, "marker", None)
        for candidate in (getattr(line, "color", None), getattr(marker, "color", None)):
            if isinstance(candidate, str) and candidate.upper() in allowed:
                colour = candidate.upper()
                break
        if colour and trace.name is not None:
            dashed = bool(line is not None and getattr(line, "dash", None) not in (None, "solid"))
            by_name.setdefault(str(trace.name), (colour, dashed))
    chosen = [by_name.get(name) if len(names) > 1 else None for name in names]
    used = {c[0] for c in chosen if c}
    spare = [c.upper() for c in PALETTE if c.upper() not in used]
    out = []
    for pick in chosen:
        if pick is None:
            colour = spare.pop(0) if spare else PALETTE[len(out) % len(PALETTE)].upper()
            pick = (colour, False)
        out.append(pick)
    return out


def _native_chart(slide, spec: ChartSpec, left: float, top: float, width: float, height: float):
    """`spec` as a native, editable PowerPoint chart."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import (
        XL_AXIS_CROSSES,
        XL_LABEL_POSITION,
        XL_LEGEND_POSITION,
        XL_MARKER_STYLE,
        XL_TICK_LABEL_POSITION,
    )
    from pptx.enum.dml import MSO_LINE_DASH_STYLE
    from pptx.util import Inches, Pt

    cats, series = chart_series(spec)
    number_format = NUMBER_FORMATS.get(spec.y_format, "#,##0.##")
    data = CategoryChartData(number_format=number_format)
    data.categories = cats
    for name, values in series:
        data.add_series(name, values)
    frame = slide.shapes.add_chart(_chart_type(spec.kind), Inches(left), Inches(top), Inches(width), Inches(height),
                                   data)
    frame.name = f"chart_{spec.chart_id}"
    chart = frame.chart
    chart.font.size = Pt(12)
    chart.font.name = FONT
    chart.font.color.rgb = _rgb(TEXT)
    chart.has_title = False

    many = len(series) > 1
    chart.has_legend = many
    if many:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM if len(series) <= 6 else XL_LEGEND_POSITION.RIGHT
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)

    value_axis = chart.value_axis
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = _rgb(GRID)
    value_axis.format.line.fill.background()
    value_axis.tick_labels.number_format = number_format
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.tick_labels.font.size = Pt(11)
    unit = _nice_unit(series)
    if unit:  # a few round ticks: labels such as "10,000" never run into each other
        value_axis.major_unit = unit
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = str(spec.y)
    title_font = value_axis.axis_title.text_frame.paragraphs[0].runs[0].font
    title_font.size, title_font.bold, title_font.color.rgb = Pt(11), False, _rgb(MUTED)

    category_axis = chart.category_axis
    category_axis.format.line.color.rgb = _rgb(AXIS)
    # Small enough that 25 regions fit one label each (LibreOffice hides labels that overlap).
    category_axis.tick_labels.font.size = Pt(11 if len(cats) <= 15 else 10 if len(cats) <= 20 else 7)
    category_axis.has_major_gridlines = False
    category_axis.tick_label_position = XL_TICK_LABEL_POSITION.LOW  # clear of negative bars
    if spec.kind == "hbar":
        # first category at the top (as in the data table), value axis kept at the bottom
        category_axis.reverse_order = True
        category_axis.crosses = XL_AXIS_CROSSES.MAXIMUM
        _set_skip(category_axis, 1)  # label every category
    elif len(cats) > 14:
        skip = 12 * math.ceil(len(cats) / 144) if len(cats) > 36 else math.ceil(len(cats) / 14)
        _set_skip(category_axis, skip)

    plot = chart.plots[0]
    if spec.kind in ("bar", "hbar", "stacked_bar"):
        plot.gap_width = 60 if spec.kind != "stacked_bar" else 50
        if spec.kind == "stacked_bar":
            plot.overlap = 100
    colours = _series_colours(spec, [name for name, _ in series])
    for ser, (hex_colour, dash) in zip(plot.series, colours):
        colour = _rgb(hex_colour)
        if spec.kind == "line":
            if dash:
                ser.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
            ser.smooth = False
            ser.format.line.color.rgb = colour
            ser.format.line.width = Pt(2.25)
            ser.marker.style = XL_MARKER_STYLE.CIRCLE
            ser.marker.size = 5 if len(cats) <= 40 else 3
            ser.marker.format.fill.solid()
            ser.marker.format.fill.fore_color.rgb = colour
            ser.marker.format.line.color.rgb = colour
        else:
            ser.format.fill.solid()
            ser.format.fill.fore_color.rgb = colour
            ser.invert_if_negative = False
            for i, cat in enumerate(cats):  # incomplete periods muted, as on the page
                if cat in spec.muted:
                    point = ser.points[i].format.fill
                    point.solid()
                    point.fore_color.rgb = _rgb(MUTED_BAR)

    labels = (
        (spec.kind in ("bar", "hbar") and len(series) == 1 and len(cats) <= 30)
        or (spec.kind == "line" and len(series) == 1 and len(cats) <= 12)
        or (spec.kind == "stacked_bar" and len(cats) * len(series) <= 40)
    )
    if labels:
        plot.has_data_labels = True
        data_labels = plot.data_labels
        data_labels.number_format = number_format
        data_labels.number_format_is_linked = False
        data_labels.font.size = Pt(10)
        data_labels.font.color.rgb = _rgb(TEXT)
        data_labels.show_value = True
        if spec.kind in ("bar", "hbar"):
            data_labels.position = XL_LABEL_POSITION.OUTSIDE_END
        elif spec.kind == "line":
            data_labels.position = XL_LABEL_POSITION.ABOVE
        else:
            data_labels.position = XL_LABEL_POSITION.CENTER
    return frame


def _picture(slide, png: bytes, left: float, top: float, width: float, height: float, name: str):
    from PIL import Image
    from pptx.util import Inches

    with Image.open(io.BytesIO(png)) as image:
        w_px, h_px = image.size
    scale = min(width / w_px, height / h_px)
    w, h = w_px * scale, h_px * scale
    picture = slide.shapes.add_picture(io.BytesIO(png), Inches(left + (width - w) / 2), Inches(top + (height - h) / 2),
                                       Inches(w), Inches(h))
    picture.name = name
    return picture


def _chart_slide(prs, spec: ChartSpec, images: Images, n: int, total: int) -> None:
    from cybertrends import export

    lang = spec.lang
    slide = prs.slides.add_slide(prs.slide_layouts[5])  # "Title Only"
    width = SLIDE_W_IN - 2 * MARGIN_IN
    title_width = width - (MARK_W_IN + 0.2 if spec.synthetic else 0)
    top = 0.3
    top += _slide_title(slide, spec.title, MARGIN_IN, top, title_width, 1.25) + 0.05
    sub_h = _lines(spec.subtitle, title_width, 14) * 14 * 1.25 / 72 + 0.08
    _text_box(slide, MARGIN_IN, top, title_width, sub_h, spec.subtitle, size=14, colour=MUTED, name="subtitle")
    top += sub_h + 0.1
    if spec.synthetic:
        _mark(slide, lang)

    source_text = spec.source_line + (f" · {spec.synthetic_mark}" if spec.synthetic else "")
    source_h = _lines(source_text, width - 1.2, 11) * 11 * 1.3 / 72 + 0.08
    source_top = SLIDE_H_IN - 0.3 - source_h
    box = _text_box(slide, MARGIN_IN, source_top, width - 1.2, source_h, spec.source_line, size=11, colour=MUTED,
                    name="source_line")
    if spec.synthetic:  # as in the PNG export: the mark repeated in red beside the source
        from pptx.util import Pt

        run = box.text_frame.paragraphs[0].add_run()
        run.text = f" · {spec.synthetic_mark}"
        run.font.size, run.font.bold, run.font.name = Pt(11), True, FONT
        run.font.color.rgb = _rgb(SYNTHETIC_RED)
    bottom = source_top
    if spec.notes:
        caveats = [f"• {note}" for note in spec.notes]
        notes_h = sum(_lines(c, width, 10) for c in caveats) * 10 * 1.3 / 72 + 0.08
        bottom = source_top - notes_h
        _text_box(slide, MARGIN_IN, bottom, width, notes_h, caveats, size=10, colour=MUTED, name="caveats")
    chart_h = max(bottom - top - 0.1, 2.0)

    if spec.kind == "map":
        try:
            png = images.get(spec)
        except export.ExportError as error:
            message = i18n.t("br_image_failed", lang, reason=str(error))
            box = _text_box(slide, MARGIN_IN + 1, top + chart_h / 2 - 0.6, width - 2, 1.2, message, size=16,
                            colour=MUTED, anchor="middle", name="image_unavailable")
            from pptx.enum.text import PP_ALIGN

            box.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER
        else:
            _picture(slide, png, MARGIN_IN, top, width, chart_h, name=f"map_{spec.chart_id}")
    else:
        _native_chart(slide, spec, MARGIN_IN, top, width, chart_h)
    _page_number(slide, n, total)
    slide.notes_slide.notes_text_frame.text = notes_text(spec)


_SOURCE_PREFIX = re.compile(r"^(Fuente|Source):\s*")  # the heading "Fuentes:" already says it


def _title_slide(prs, pack: Pack) -> None:
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    lang = pack.lang
    slide = prs.slides.add_slide(prs.slide_layouts[0])  # "Title Slide"
    width = SLIDE_W_IN - 2 * MARGIN_IN
    top = 1.5
    top += _slide_title(slide, pack.title, MARGIN_IN, top, width, 2.0, sizes=(40, 36, 32, 28, 24)) + 0.2
    lines = [i18n.t("br_generated", lang, date=i18n.fmt_date(pack.created, lang)) + " · "
             + i18n.t("br_n_charts", lang, n=len(pack.specs))]
    scope = shared_subtitle(pack)
    if scope:
        lines.append(scope)
    height = sum(_lines(line, width, 18) for line in lines) * 18 * 1.25 / 72 + 0.1
    subtitle = slide.placeholders[1]
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        Inches(MARGIN_IN), Inches(top), Inches(width), Inches(height))
    frame = subtitle.text_frame
    frame.word_wrap = True
    frame.margin_left = frame.margin_right = Inches(0.02)
    frame.text = "\n".join(lines)
    for para in frame.paragraphs:
        para.alignment = PP_ALIGN.LEFT
        for run in para.runs:
            run.font.size = Pt(18)
            run.font.name = FONT
            run.font.color.rgb = _rgb(MUTED)
    top += height + 0.35
    sources = [i18n.t("br_sources_heading", lang) + ":"] + [
        "• " + _SOURCE_PREFIX.sub("", line) for line in unique(spec.source_line for spec in pack.specs)]
    height = sum(_lines(line, width, 13) for line in sources) * 13 * 1.3 / 72 + 0.1
    _text_box(slide, MARGIN_IN, top, width, height, sources, size=13, colour=MUTED, name="source_line")
    top += height + 0.3
    if pack.synthetic:
        _mark(slide, lang)
        _text_box(slide, MARGIN_IN, min(top, SLIDE_H_IN - 1.0), width, 0.6, i18n.t("br_synthetic_note", lang), size=14,
                  colour=SYNTHETIC_RED, bold=True, name="synthetic_note")


def _closing_slide(prs, pack: Pack) -> None:
    lang = pack.lang
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    width = SLIDE_W_IN - 2 * MARGIN_IN
    title_width = width - (MARK_W_IN + 0.2 if pack.synthetic else 0)
    _slide_title(slide, i18n.t("br_closing_title", lang), MARGIN_IN, 0.35, title_width, 0.8)
    if pack.synthetic:
        _mark(slide, lang)
    sections = closing_sections(pack)
    paragraphs: list[tuple[str, dict]] = []
    n_chars = sum(len(h) + sum(len(i) for i in items) for h, items in sections)
    size = 14 if n_chars < 900 else 12 if n_chars < 1500 else 10
    for heading, items in sections:
        if heading:
            paragraphs.append((heading, {"bold": True, "size": size + 2, "space_before": 8 if paragraphs else 0}))
        paragraphs += [(f"• {item}" if heading else item, {"size": size if heading else size - 2,
                                                          "colour": TEXT if heading else MUTED,
                                                          "space_before": 0 if heading else 8}) for item in items]
    _text_box(slide, MARGIN_IN, 1.3, width, SLIDE_H_IN - 1.8, paragraphs, size=size, name="sources_caveats")


def to_pptx(pack: Pack, images: Images | None = None) -> bytes:
    """The pack as a 16:9 PowerPoint deck: title slide, one slide per chart, closing slide."""
    from pptx import Presentation
    from pptx.util import Inches

    images = images or Images("map")
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    props = prs.core_properties
    props.title = pack.title
    props.language = "es-PE" if pack.lang == "es" else "en-GB"
    props.subject = i18n.t("br_subject", pack.lang)
    props.author = props.last_modified_by = "cybertrends"
    props.keywords = MARK if pack.synthetic else ""
    _title_slide(prs, pack)
    total = pack.count
    for n, spec in enumerate(pack.specs, start=2):
        _chart_slide(prs, spec, images, n, total)
    _closing_slide(prs, pack)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()

