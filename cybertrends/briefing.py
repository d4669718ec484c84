"""Briefing packs: the charts staff chose (or the standard pack) as a PowerPoint or a PDF.

PowerPoint (`to_pptx`): a 16:9 deck with a title slide, one slide per chart and a closing
slide with sources and caveats. Charts are *native* PowerPoint charts (python-pptx), so staff
can restyle them; the finding is the slide title, then the subtitle (period and filters), the
caveats and the source line; the speaker notes hold the numbers behind the chart (as published:
record-level counts through the cell-key method). A map goes in as a picture; without Chromium its slide
says the map could not be drawn instead of failing the pack.

PDF (`to_pdf`): the same content on landscape A4, one chart per page, each chart as the image
the dashboard exports; without Chromium a page shows the chart's numbers as a table.

Both are built from `ChartSpec`s, so a pack shows exactly what the dashboard shows. Charts
chosen on the page are rebuilt in the pack's language from `spec.filters` / `spec.options`.

Command line (a monthly briefing without a browser)::

    python -m cybertrends.briefing --lang es --format pptx --out informe.pptx \
        [--source synthetic] [--from 2024-01] [--to 2025-06] [--region 15 --region Arequipa] \
        [--chart rg_map:metric=count ...] [--title "..."] [--db PATH]

Exit 0 (prints the file and its slide/page count), 2 on a bad argument (names the value and
what was expected), 1 when no chart has data for the filters.

No Streamlit here. Heavy libraries (plotly, python-pptx, reportlab) are imported where they
are used, so a bad command line fails fast.
"""

from __future__ import annotations

import argparse
import io
import logging
import math
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from cybertrends import i18n, paths, queries
from cybertrends.db import open_read_only
from cybertrends.filters import Filters

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover
    from cybertrends.chartspec import ChartSpec

__all__ = [
    "FORMATS",
    "MIME",
    "STANDARD_PACK",
    "ArgumentError",
    "Images",
    "Pack",
    "Skipped",
    "add",
    "build_charts",
    "chart_series",
    "collect",
    "default_filters",
    "default_source",
    "default_title",
    "file_name",
    "main",
    "move",
    "notes_text",
    "parse_period",
    "rebuild",
    "registered",
    "remove",
    "render",
    "resolve_region",
    "session_pack",
    "table_rows",
    "to_pdf",
    "to_pptx",
]

# The standard pack: overview trend and what drives the change (each crime type's
# contribution), crime types, regions (map and ranking), at-risk groups.
# Ids that are not registered, or that return no chart for the filters, are skipped and listed
# on the closing slide.
STANDARD_PACK: tuple[tuple[str, dict], ...] = (
    ("overview_trend", {}),
    ("overview_contrib", {"by": "crime"}),
    ("ct_index", {}),
    ("ct_share", {}),
    ("rg_map", {"metric": "rate"}),
    ("rg_rank", {"metric": "rate"}),
    ("gr_rates", {}),
    ("gr_counts", {}),
    # Sources without victim age (the MPFN series): art. 5 as the legal proxy for minors.
    ("gr_minor_proxy", {}),
    ("gr_minor_rate", {}),
)

FORMATS = ("pptx", "pdf")
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}

SYNTHETIC_RED = "C0392B"
SYNTHETIC_FILL = "FDECEA"
TEXT = "1F2933"
MUTED = "52606D"
MUTED_BAR = "9AA5B1"  # incomplete periods (charts.base.MUTED)
GRID = "E4E7EB"
AXIS = "CBD2D9"


def _t(key: str, lang: str, **values) -> str:
    return i18n.t(key, lang, **values)


def default_title(lang: str) -> str:
    """The pack title from the catalogue ("Ciberdelincuencia en el Perú: informe de evidencia")."""
    return _t("br_default_title", lang)


# --------------------------------------------------------------------------------------------
# Collecting charts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A chart left out of the pack, and why: not_registered | no_data | error."""

    chart_id: str
    options: tuple[tuple[str, Any], ...] = ()
    reason: str = "no_data"
    detail: str = ""

    def label(self) -> str:
        """The chart id with its options, e.g. 'rg_map (metric=count)'."""
        opts = ", ".join(f"{k}={v}" for k, v in self.options)
        return f"{self.chart_id} ({opts})" if opts else self.chart_id

    def text(self, lang: str) -> str:
        """Why the chart was left out, as a sentence in `lang`."""
        keys = {"not_registered": "br_skip_not_registered", "no_data": "br_skip_no_data"}
        key = keys.get(self.reason, "br_skip_error")
        return _t(key, lang, chart=self.label(), error=self.detail)


@dataclass
class Pack:
    """What a briefing contains: a title, the language, the charts in order, what was skipped."""

    title: str
    lang: str
    specs: list[ChartSpec]
    skipped: list[Skipped] = field(default_factory=list)
    created: date = field(default_factory=date.today)

    @property
    def synthetic(self) -> bool:
        """Whether any chart of the pack shows synthetic data."""
        return any(spec.synthetic for spec in self.specs)

    @property
    def count(self) -> int:
        """Slides (PPTX) or pages (PDF): title + one per chart + closing."""
        return len(self.specs) + 2


def registered() -> set[str]:
    """The chart ids the registry knows (every chart module imported)."""
    from cybertrends import charts

    charts._load_all()  # noqa: SLF001 - the registry fills on import; build() does the same
    return set(charts.REGISTRY)


def _options_key(options: dict | None) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((options or {}).items()))


def collect(
    items: Iterable[tuple[str, dict]],
    build: Callable[[str, dict], ChartSpec | None],
    on_spec: Callable[[ChartSpec], None] | None = None,
) -> tuple[list[ChartSpec], list[Skipped]]:
    """Build each (chart_id, options) with `build`; skip unknown ids and empty charts.

    `build(chart_id, options)` returns a ChartSpec or None (e.g. `cached.chart` on a page, or
    `charts.build` with a connection). A builder that raises is skipped with its error, so
    one broken chart does not cost the whole briefing.
    """
    known = registered()
    specs: list[ChartSpec] = []
    skipped: list[Skipped] = []
    for chart_id, options in items:
        key = _options_key(options)
        if chart_id not in known:
            skipped.append(Skipped(chart_id, key, "not_registered"))
            continue
        try:
            spec = build(chart_id, dict(options or {}))
        except Exception as error:  # noqa: BLE001 - reported on the closing slide
            log.exception("chart %s %s failed in a briefing pack", chart_id, key)
            skipped.append(Skipped(chart_id, key, "error", _short_error(error)))
            continue
        if spec is None:
            skipped.append(Skipped(chart_id, key, "no_data"))
            continue
        specs.append(spec)
        if on_spec is not None:
            on_spec(spec)
    return specs, skipped


def _short_error(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:160]


def build_charts(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    items: Iterable[tuple[str, dict]] = STANDARD_PACK,
    on_spec: Callable[[ChartSpec], None] | None = None,
) -> tuple[list[ChartSpec], list[Skipped]]:
    """The charts `items` (default: the standard pack) under the filters `f`."""
    from cybertrends import charts

    return collect(items, lambda chart_id, options: charts.build(chart_id, con, f, **options), on_spec)


def rebuild(
    specs: Sequence[ChartSpec],
    con: duckdb.DuckDBPyConnection,
    lang: str,
    on_spec: Callable[[ChartSpec], None] | None = None,
) -> tuple[list[ChartSpec], list[Skipped]]:
    """The session's charts in `lang`, rebuilt from their filters and options.

    A chart already in `lang`, or one that cannot be rebuilt (no filters recorded, id not
    registered), is used as it is.
    """
    from cybertrends import charts

    known = registered()
    out: list[ChartSpec] = []
    skipped: list[Skipped] = []
    for spec in specs:
        new: ChartSpec | None = spec
        if spec.lang != lang and spec.filters is not None and spec.chart_id in known:
            try:
                new = charts.build(spec.chart_id, con, spec.filters.with_(lang=lang), **(spec.options or {}))
            except Exception as error:  # noqa: BLE001
                log.exception("chart %s failed when rebuilt for a briefing pack", spec.chart_id)
                skipped.append(Skipped(spec.chart_id, _options_key(spec.options), "error", _short_error(error)))
                continue
            if new is None:
                skipped.append(Skipped(spec.chart_id, _options_key(spec.options), "no_data"))
                continue
        out.append(new)
        if on_spec is not None:
            on_spec(new)
    return out, skipped


def add(items: list, specs: Iterable[ChartSpec]) -> int:
    """Append the charts not already in `items` (same chart, title and subtitle); returns how many."""
    seen = {(s.chart_id, s.title, s.subtitle) for s in items}
    added = 0
    for spec in specs:
        key = (spec.chart_id, spec.title, spec.subtitle)
        if key not in seen:
            items.append(spec)
            seen.add(key)
            added += 1
    return added


def move(items: list, index: int, step: int) -> None:
    """Move `items[index]` up (step -1) or down (+1), in place; out-of-range moves do nothing."""
    target = index + step
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def remove(items: list, index: int) -> None:
    """Delete `items[index]` in place; an out-of-range index does nothing."""
    if 0 <= index < len(items):
        del items[index]


# --------------------------------------------------------------------------------------------
# Numbers: the table behind a chart as text
# --------------------------------------------------------------------------------------------


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT, pd.NA-safe enough for scalars
    except (TypeError, ValueError):
        return False


def _fmt_number(value: float, lang: str) -> str:
    from babel.numbers import format_decimal

    if float(value).is_integer():
        return i18n.fmt_int(value, lang)
    return format_decimal(round(float(value), 2), format="#,##0.##", locale=i18n.LOCALES[i18n.lang_or_default(lang)])


def _fmt_cell(value: Any, lang: str) -> str:
    import numpy as np
    import pandas as pd

    if isinstance(value, str):
        return value
    if _is_missing(value):
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return i18n.fmt_int(int(value), lang)
    if isinstance(value, (float, np.floating)):
        return _fmt_number(float(value), lang)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def table_rows(spec: ChartSpec, exact: bool = True) -> tuple[list[str], list[list[str]]]:
    """Header and text rows of the table behind the chart.

    The value column (`spec.y`) holds the number (`exact`, up to 2 decimals) or the text the
    page shows (`spec.display_column`) where the number is missing; with `exact=False` it holds
    the page's display text throughout.
    """
    data = spec.data.reset_index(drop=True)
    columns = [c for c in data.columns if c != spec.display_column]
    header = [str(c) for c in columns]
    rows = []
    for i in range(len(data)):
        row = []
        for column in columns:
            value = data.at[i, column]
            if column == spec.y and spec.display_column is not None:
                shown = data.at[i, spec.display_column]
                if _is_missing(value) or not exact:
                    row.append(str(shown) if not _is_missing(shown) else "–")
                    continue
            if column in (spec.x, spec.series):  # category labels: years stay "2024", not "2,024"
                row.append(_fmt_category(value) if not _is_missing(value) else "–")
            else:
                row.append(_fmt_cell(value, spec.lang))
        rows.append(row)
    return header, rows


def _protected(spec: ChartSpec) -> bool:
    """Whether the chart's counts come from a record-level source (published through the
    cell-key method, cybertrends/disclosure.py)."""
    from cybertrends.disclosure import RECORD_LEVEL_SOURCES

    return (spec.provenance or {}).get("source") in RECORD_LEVEL_SOURCES


def notes_text(spec: ChartSpec) -> str:
    """The speaker notes of a chart slide: the exact numbers, caveats and the source."""
    lang = spec.lang
    header, rows = table_rows(spec, exact=True)
    lines = [spec.title, spec.subtitle, "", _t("br_notes_numbers", lang) + ":", " | ".join(header)]
    lines += [" | ".join(row) for row in rows]
    if _protected(spec):
        lines += ["", _t("disclosure_note", lang)]
    if spec.notes:
        lines += ["", _t("br_notes_caveats", lang) + ":"] + [f"• {note}" for note in spec.notes]
    lines += ["", spec.source_line]
    if spec.synthetic:
        lines.append(spec.synthetic_mark)
    lines.append(f"[{spec.chart_id}]")
    return "\n".join(lines)


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def _closing_sections(pack: Pack) -> list[tuple[str, list[str]]]:
    lang = pack.lang
    caveats = _unique(note for spec in pack.specs for note in spec.notes)
    if any(_protected(spec) for spec in pack.specs):
        caveats.append(_t("disclosure_note", lang))
    caveats.append(_t("br_sources_note", lang))
    if pack.synthetic:
        caveats.insert(0, _t("br_synthetic_note", lang))
    sections = [
        (_t("br_sources_heading", lang), _unique(spec.source_line for spec in pack.specs)),
        (_t("br_caveats_heading", lang), caveats),
    ]
    if pack.skipped:
        sections.append((_t("br_skipped_heading", lang), [s.text(lang) for s in pack.skipped]))
    sections.append(("", [_t("br_made_with", lang, date=i18n.fmt_date(pack.created, lang))]))
    return sections


def _scope(pack: Pack) -> str | None:
    """The subtitle shared by every chart, if they all share one (period and filters)."""
    subtitles = _unique(spec.subtitle for spec in pack.specs)
    return subtitles[0] if len(subtitles) == 1 else None


# --------------------------------------------------------------------------------------------
# Images (through cybertrends.export: one locked Kaleido server per process)
# --------------------------------------------------------------------------------------------

# Map pictures: the map's zoom fits a ~480 px high plot, so render near that size, scale 2.
MAP_IMAGE = dict(width=820, height=600, scale=2)
# PDF chart pictures: about the aspect of the page's chart area, fonts readable when printed.
PDF_IMAGE = dict(width=1000, height=560, scale=2)


def _png(spec: ChartSpec, width: int, height: int, scale: float, mark: bool = True) -> bytes:
    """The chart alone (no title block: the slide/page carries it as text), through the shared,
    locked Kaleido server. `mark` keeps the red synthetic-data mark inside the picture."""
    from cybertrends import export

    bare = replace(spec, title="", subtitle="", notes=[], source_line="", synthetic=spec.synthetic and mark)
    fig = export.export_figure(bare, width=width, height=height)
    fig.layout.annotations = [a for a in fig.layout.annotations if a.name != "source_line"]
    if spec.kind == "hbar" and spec.data[spec.x].nunique() > 12:
        fig.update_yaxes(tickmode="linear", dtick=1, tickfont_size=12)  # every category labelled
    return export.figure_to_image(fig, format="png", width=width, height=height, scale=scale, lang=spec.lang)


class Images:
    """Chart pictures, rendered in the background while later charts are still being built.

    `want` picks which specs need a picture ("map": maps only, for PowerPoint; "all": every
    chart, for the PDF). `get(spec)` returns PNG bytes or raises `export.ExportError`
    (`ExportUnavailable` without Chromium).
    """

    def __init__(self, want: str = "all") -> None:
        self.want = want
        self._pool: ThreadPoolExecutor | None = None
        self._jobs: dict[int, Future] = {}

    def _size(self, spec: ChartSpec) -> dict:
        # PowerPoint pictures keep the synthetic mark (pictures get copied out of decks);
        # PDF pages carry it above the picture.
        return {**(MAP_IMAGE if spec.kind == "map" else PDF_IMAGE), "mark": self.want == "map"}

    def wanted(self, spec: ChartSpec) -> bool:
        """Whether `spec` needs a picture in this output (every chart for 'all', maps only for 'map')."""
        return self.want == "all" or spec.kind == "map"

    def prefetch(self, spec: ChartSpec) -> None:
        """Start rendering `spec`'s picture in the background, if this output wants it and it is not
        started yet."""
        if not self.wanted(spec) or id(spec) in self._jobs:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="briefing-image")
        self._jobs[id(spec)] = self._pool.submit(_png, spec, **self._size(spec))

    def get(self, spec: ChartSpec) -> bytes:
        """PNG bytes of `spec`'s picture: the background render if one was started, else rendered now."""
        job = self._jobs.get(id(spec))
        if job is None:
            return _png(spec, **self._size(spec))
        return job.result()

    def close(self) -> None:
        """Wait for the pending renders and stop the background thread."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


# --------------------------------------------------------------------------------------------
# PowerPoint
# --------------------------------------------------------------------------------------------

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


def _number(value: Any) -> float | None:
    """A chart value: a float, or None for a gap (a missing value)."""
    if isinstance(value, str):
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            return None  # text such as "–"
    elif _is_missing(value):
        return None
    else:
        number = float(value)
    return number if math.isfinite(number) else None


def chart_series(spec: ChartSpec) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """Categories and series of the native chart for `spec`.

    Categories: the unique values of `data[x]` in order. With `series`: one series per unique
    `data[series]` value (pivot); otherwise one series named after `y`, plus one per `overlay`
    column. Values: `data[y]`, None (a gap) where missing.
    """
    data = spec.data.reset_index(drop=True)
    cats = [str(v) for v in dict.fromkeys(_fmt_category(v) for v in data[spec.x])]
    x_text = [_fmt_category(v) for v in data[spec.x]]
    if spec.series is None:
        out = []
        for column in (spec.y, *spec.overlay):  # e.g. the 12-month average beside the months
            values: dict[str, float | None] = {}
            for cat, value in zip(x_text, data[column]):
                values.setdefault(cat, _number(value))
            out.append((str(column), [values.get(c) for c in cats]))
        return cats, out
    out = []
    for name in dict.fromkeys(data[spec.series]):
        mask = data[spec.series] == name
        values = {}
        for cat, value in zip([x for x, m in zip(x_text, mask) if m], data.loc[mask, spec.y]):
            values.setdefault(cat, _number(value))
        out.append((str(name), [values.get(c) for c in cats]))
    return cats, out


def _fmt_category(value: Any) -> str:
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


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
                    "datos sintéticos / synthetic data", size=12, colour=SYNTHETIC_RED, bold=True,
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
            message = _t("br_image_failed", lang, reason=str(error))
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
    lines = [_t("br_generated", lang, date=i18n.fmt_date(pack.created, lang)) + " · "
             + _t("br_n_charts", lang, n=len(pack.specs))]
    scope = _scope(pack)
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
    sources = [_t("br_sources_heading", lang) + ":"] + [
        "• " + _SOURCE_PREFIX.sub("", line) for line in _unique(spec.source_line for spec in pack.specs)]
    height = sum(_lines(line, width, 13) for line in sources) * 13 * 1.3 / 72 + 0.1
    _text_box(slide, MARGIN_IN, top, width, height, sources, size=13, colour=MUTED, name="source_line")
    top += height + 0.3
    if pack.synthetic:
        _mark(slide, lang)
        _text_box(slide, MARGIN_IN, min(top, SLIDE_H_IN - 1.0), width, 0.6, _t("br_synthetic_note", lang), size=14,
                  colour=SYNTHETIC_RED, bold=True, name="synthetic_note")


def _closing_slide(prs, pack: Pack) -> None:
    lang = pack.lang
    slide = prs.slides.add_slide(prs.slide_layouts[5])
    width = SLIDE_W_IN - 2 * MARGIN_IN
    title_width = width - (MARK_W_IN + 0.2 if pack.synthetic else 0)
    _slide_title(slide, _t("br_closing_title", lang), MARGIN_IN, 0.35, title_width, 0.8)
    if pack.synthetic:
        _mark(slide, lang)
    sections = _closing_sections(pack)
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
    props.subject = _t("br_subject", pack.lang)
    props.author = props.last_modified_by = "cybertrends"
    props.keywords = "datos sintéticos / synthetic data" if pack.synthetic else ""
    _title_slide(prs, pack)
    total = pack.count
    for n, spec in enumerate(pack.specs, start=2):
        _chart_slide(prs, spec, images, n, total)
    _closing_slide(prs, pack)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------

_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)


def _fonts() -> tuple[str, str, set[int]]:
    """Register a Unicode TTF pair (DejaVu Sans if present, else reportlab's bundled Vera)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "BriefSans" not in pdfmetrics.getRegisteredFontNames():
        import reportlab

        bundled = Path(reportlab.__file__).parent / "fonts"
        pairs = [*_FONT_CANDIDATES, (str(bundled / "Vera.ttf"), str(bundled / "VeraBd.ttf"))]
        regular, bold = next((r, b) for r, b in pairs if Path(r).is_file() and Path(b).is_file())
        pdfmetrics.registerFont(TTFont("BriefSans", regular))
        pdfmetrics.registerFont(TTFont("BriefSans-Bold", bold))
        pdfmetrics.registerFontFamily("BriefSans", normal="BriefSans", bold="BriefSans-Bold",
                                      italic="BriefSans", boldItalic="BriefSans-Bold")
    glyphs = set(pdfmetrics.getFont("BriefSans").face.charToGlyph)
    return "BriefSans", "BriefSans-Bold", glyphs


def _pdf_text(text: str, glyphs: set[int]) -> str:
    """Escape for reportlab paragraphs; characters the font lacks become close equivalents."""
    swaps = {"ⓘ": "(i)", "−": "-", "–": "-", "—": "-", "…": "...", "«": '"', "»": '"',
             "\u00a0": " ", "\u202f": " "}
    out = []
    for char in str(text or ""):
        if ord(char) not in glyphs and char not in "\n\t":
            char = swaps.get(char, unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode() or "?")
        out.append(char)
    return "".join(out).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _PdfWriter:
    def __init__(self, pack: Pack, images: Images) -> None:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.pdfgen import canvas

        self.pack, self.images, self.lang = pack, images, pack.lang
        self.width, self.height = landscape(A4)
        self.margin = 36.0
        self.buffer = io.BytesIO()
        self.canvas = canvas.Canvas(self.buffer, pagesize=(self.width, self.height), pageCompression=1)
        self.canvas.setTitle(pack.title)
        self.canvas.setAuthor("cybertrends")
        self.canvas.setSubject(_t("br_subject", pack.lang))
        self.canvas.setKeywords("datos sintéticos / synthetic data" if pack.synthetic else "")
        self.font, self.bold, self.glyphs = _fonts()
        base = dict(fontName=self.font, textColor=f"#{TEXT}")
        self.styles = {
            "cover": ParagraphStyle("cover", fontName=self.bold, fontSize=30, leading=36, textColor=f"#{TEXT}"),
            "title": ParagraphStyle("title", fontName=self.bold, fontSize=18, leading=22, textColor=f"#{TEXT}"),
            "heading": ParagraphStyle("heading", fontName=self.bold, fontSize=13, leading=17, textColor=f"#{TEXT}",
                                      spaceBefore=8),
            "subtitle": ParagraphStyle("subtitle", **{**base, "textColor": f"#{MUTED}"}, fontSize=11.5, leading=15),
            "body": ParagraphStyle("body", **base, fontSize=11, leading=14.5),
            "note": ParagraphStyle("note", **{**base, "textColor": f"#{MUTED}"}, fontSize=8.5, leading=11),
            "source": ParagraphStyle("source", **{**base, "textColor": f"#{MUTED}"}, fontSize=9.5, leading=12),
            "warning": ParagraphStyle("warning", **{**base, "textColor": f"#{SYNTHETIC_RED}"}, fontSize=10.5,
                                      leading=13.5),
            "mark": ParagraphStyle("mark", fontName=self.bold, fontSize=10.5, leading=13, alignment=1,
                                   textColor=f"#{SYNTHETIC_RED}"),
        }

    # helpers ------------------------------------------------------------------------------

    def text(self, text: str) -> str:
        return _pdf_text(text, self.glyphs)

    def para(self, text: str, style: str, x: float, top: float, width: float, markup: bool = False) -> float:
        """Draw a paragraph whose top edge is at `top` (from the bottom); returns its height."""
        from reportlab.platypus import Paragraph

        paragraph = Paragraph(text if markup else self.text(text), self.styles[style])
        _, h = paragraph.wrapOn(self.canvas, width, self.height)
        paragraph.drawOn(self.canvas, x, top - h)
        return h

    def para_height(self, text: str, style: str, width: float) -> float:
        from reportlab.platypus import Paragraph

        return Paragraph(self.text(text), self.styles[style]).wrap(width, self.height)[1]

    def mark(self) -> float:
        """The red synthetic-data mark at the top right; returns its width."""
        c = self.canvas
        w, h = 232.0, 22.0
        x, y = self.width - self.margin - w, self.height - self.margin - h + 4
        c.setFillColor(f"#{SYNTHETIC_FILL}")
        c.setStrokeColor(f"#{SYNTHETIC_RED}")
        c.setLineWidth(1.2)
        c.rect(x, y, w, h, stroke=1, fill=1)
        self.para("datos sintéticos / synthetic data", "mark", x, y + h - 4.5, w)
        return w

    def footer(self, n: int) -> None:
        c = self.canvas
        c.setFont(self.font, 8.5)
        c.setFillColor(f"#{MUTED}")
        c.drawRightString(self.width - self.margin, self.margin - 16, f"{n} / {self.pack.count}")
        c.drawString(self.margin, self.margin - 16, _unescape(self.text(self.pack.title[:120])))

    # pages --------------------------------------------------------------------------------

    def cover(self) -> None:
        pack, lang, m = self.pack, self.lang, self.margin
        width = self.width - 2 * m
        self.canvas.bookmarkPage("p1")
        self.canvas.addOutlineEntry(_unescape(self.text(pack.title)), "p1", level=0)
        if pack.synthetic:
            self.mark()
        top = self.height - 120
        top -= self.para(pack.title, "cover", m, top, width * 0.85) + 14
        line = (_t("br_generated", lang, date=i18n.fmt_date(pack.created, lang)) + " · "
                + _t("br_n_charts", lang, n=len(pack.specs)))
        top -= self.para(line, "subtitle", m, top, width) + 4
        scope = _scope(pack)
        if scope:
            top -= self.para(scope, "subtitle", m, top, width) + 4
        top -= 10
        top -= self.para(_t("br_sources_heading", lang), "heading", m, top, width) + 2
        for source in _unique(spec.source_line for spec in pack.specs):
            top -= self.para(source, "source", m, top, width) + 2
        if pack.synthetic:
            top -= 8
            top -= self.para(_t("br_synthetic_note", lang), "warning", m, top, width) + 2
        top -= 10
        top -= self.para(_t("br_contents", lang), "heading", m, top, width) + 2
        entries = [*(spec.title for spec in pack.specs), _t("br_closing_title", lang)]
        size = 10 if len(entries) <= 12 else 8.5
        for page, entry in enumerate(entries, start=2):
            if top < m + 20:
                break
            text = f"{page}. {entry}"
            self.canvas.setFont(self.font, size)
            self.canvas.setFillColor(f"#{TEXT}")
            clipped = text if len(text) <= 150 else text[:147] + "..."
            self.canvas.drawString(m + 6, top - size, _unescape(self.text(clipped)))
            top -= size * 1.45
        self.footer(1)
        self.canvas.showPage()

    def chart(self, spec: ChartSpec, n: int) -> None:
        from cybertrends import export

        lang, m = spec.lang, self.margin
        width = self.width - 2 * m
        key = f"p{n}"
        self.canvas.bookmarkPage(key)
        self.canvas.addOutlineEntry(_unescape(self.text(spec.title)), key, level=1)
        mark_w = self.mark() + 16 if spec.synthetic else 0
        top = self.height - m
        top -= self.para(spec.title, "title", m, top, width - mark_w) + 4
        top -= self.para(spec.subtitle, "subtitle", m, top, width - mark_w) + 10

        source = self.text(spec.source_line)
        if spec.synthetic:
            source += f' · <font color="#{SYNTHETIC_RED}"><b>{self.text(spec.synthetic_mark)}</b></font>'
        bottom = m
        bottom += self.para_height(spec.source_line + " · " + spec.synthetic_mark, "source", width)
        source_top = bottom
        notes = [f"• {note}" for note in spec.notes]
        notes_h = sum(self.para_height(note, "note", width) + 1 for note in notes)
        self.para(source, "source", m, source_top, width, markup=True)
        y = source_top + 4 + notes_h
        for note in notes:
            y -= self.para(note, "note", m, y, width) + 1
        area_bottom = source_top + notes_h + 10
        area_h = top - area_bottom
        try:
            png = self.images.get(spec)
        except export.ExportError as error:
            message = _t("br_images_unavailable", lang, reason=str(error))
            h = self.para(message, "warning", m, top, width) + 6
            self.table(spec, m, top - h, width, area_h - h)
        else:
            from reportlab.lib.utils import ImageReader

            image = ImageReader(io.BytesIO(png))
            w_px, h_px = image.getSize()
            scale = min(width / w_px, area_h / h_px)
            w, h = w_px * scale, h_px * scale
            self.canvas.drawImage(image, m + (width - w) / 2, area_bottom + (area_h - h) / 2, w, h)
        self.footer(n)
        self.canvas.showPage()

    def table(self, spec: ChartSpec, x: float, top: float, width: float, height: float) -> None:
        """The chart's numbers as a table (when no image can be drawn), in side-by-side blocks."""
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        header, rows = table_rows(spec, exact=False)
        if len(rows) > 30:  # long tables: only the chart's own columns
            keep = [i for i, h in enumerate(header) if h in {str(spec.x), str(spec.series), str(spec.y)}]
            header = [header[i] for i in keep]
            rows = [[row[i] for i in keep] for row in rows]
        header = [_unescape(self.text(h)) for h in header]
        rows = [[_unescape(self.text(cell)) for cell in row] for row in rows]

        def block_tables(blocks: int, size: float, limit: int | None = None):
            shown = rows if limit is None else rows[:limit]
            per = max(1, math.ceil(len(shown) / blocks))
            tables = []
            for start in range(0, max(len(shown), 1), per):
                table = Table([header, *shown[start:start + per]], repeatRows=1)
                table.setStyle(TableStyle([
                    ("FONT", (0, 0), (-1, -1), self.font, size),
                    ("FONT", (0, 0), (-1, 0), self.bold, size),
                    ("TEXTCOLOR", (0, 0), (-1, -1), colors.HexColor(f"#{TEXT}")),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.HexColor(f"#{MUTED}")),
                    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor(f"#{GRID}")),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]))
                tables.append(table)
            sizes = [t.wrap(width, height) for t in tables]
            return tables, sizes

        gap = 14.0
        for size in (9.0, 8.0, 7.0, 6.5):
            for blocks in range(1, 7):
                tables, sizes = block_tables(blocks, size)
                if sum(w for w, _ in sizes) + gap * (len(tables) - 1) <= width and max(h for _, h in sizes) <= height:
                    break
            else:
                continue
            break
        else:  # does not fit even small: show what fits and say how many rows are left out
            note_h = 14.0
            limit = len(rows)
            while limit > 1:
                limit = int(limit * 0.85)
                tables, sizes = block_tables(6, 6.5, limit)
                fits = sum(w for w, _ in sizes) + gap * (len(tables) - 1) <= width
                if fits and max(h for _, h in sizes) <= height - note_h:
                    break
            self.para(_t("br_table_truncated", self.lang, n=len(rows) - limit), "note", x,
                      top - max(h for _, h in sizes) - 2, width)
        cursor = x
        for table, (w, h) in zip(tables, sizes):
            table.drawOn(self.canvas, cursor, top - h)
            cursor += w + gap

    def closing(self) -> None:
        pack, m = self.pack, self.margin
        width = self.width - 2 * m
        n = pack.count
        self.canvas.bookmarkPage(f"p{n}")
        self.canvas.addOutlineEntry(_unescape(self.text(_t("br_closing_title", self.lang))), f"p{n}", level=1)
        mark_w = self.mark() + 16 if pack.synthetic else 0
        top = self.height - m
        top -= self.para(_t("br_closing_title", self.lang), "title", m, top, width - mark_w) + 8
        sections = _closing_sections(pack)
        n_chars = sum(len(h) + sum(len(i) for i in items) for h, items in sections)
        style = "body" if n_chars < 1800 else "note"
        for heading, items in sections:
            if heading:
                top -= self.para(heading, "heading", m, top, width) + 3
            for item in items:
                top -= self.para(f"• {item}" if heading else item, style if heading else "note", m, top, width) + 3
            top -= 6
        self.footer(n)
        self.canvas.showPage()

    def build(self) -> bytes:
        self.cover()
        for n, spec in enumerate(self.pack.specs, start=2):
            self.chart(spec, n)
        self.closing()
        self.canvas.save()
        return self.buffer.getvalue()


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def to_pdf(pack: Pack, images: Images | None = None) -> bytes:
    """The pack as a landscape A4 PDF: title page, one page per chart, closing page."""
    return _PdfWriter(pack, images or Images("all")).build()


def render(pack: Pack, fmt: str, images: Images | None = None) -> bytes:
    """The pack as PPTX or PDF bytes (`fmt`); ValueError for any other format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    return to_pptx(pack, images) if fmt == "pptx" else to_pdf(pack, images)


def session_pack(specs: Sequence[ChartSpec], title: str, lang: str, fmt: str, db: str | Path | None = None) -> bytes:
    """A pack from the charts chosen on the page, rebuilt in `lang` (the download callable).

    Runs outside Streamlit's script context: opens its own read-only connection.
    """
    lang = i18n.lang_or_default(lang)
    images = Images("map" if fmt == "pptx" else "all")
    con = open_read_only(db)
    try:
        built, skipped = rebuild(list(specs), con, lang, on_spec=images.prefetch)
        pack = Pack((title or "").strip() or default_title(lang), lang, built, skipped)
        return render(pack, fmt, images)
    finally:
        images.close()
        con.close()


def file_name(title: str, fmt: str, when: date | None = None) -> str:
    """A safe download name, e.g. "ciberdelincuencia_en_el_peru_informe_de_evidencia_2026-12-05.pptx"."""
    ascii_text = unicodedata.normalize("NFKD", str(title or "")).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:60].strip("_") or "informe"
    return f"{stem}_{(when or date.today()).isoformat()}.{fmt}"


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


class ArgumentError(ValueError):
    """A bad command-line value (exit code 2)."""


default_source = queries.default_source  # one rule, shared with the dashboard


def _sources(con: duckdb.DuckDBPyConnection) -> list[dict]:
    rows = con.execute(
        """select s.source, s.is_synthetic, c.period_grain, c.first_date, c.last_date
        from ref_source s join source_coverage c using (source) order by s.sort_order"""
    ).fetchall()
    keys = ("source", "is_synthetic", "period_grain", "first_date", "last_date")
    return [dict(zip(keys, row)) for row in rows]


def _fold(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return " ".join(ascii_text.lower().replace("-", " ").split())


def parse_period(text: str, grain: str, end: bool, lang: str, option: str) -> date:
    """'YYYY-MM' (monthly sources; 'YYYY' = January or December of that year) or 'YYYY'."""
    value = text.strip()
    year_only = re.fullmatch(r"(\d{4})", value)
    month = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if grain == "year":
        if not year_only:
            raise ArgumentError(_t("br_cli_bad_year", lang, option=option, value=text))
        return date(int(value), 1, 1)
    if year_only:
        return date(int(value), 12 if end else 1, 1)
    if month and 1 <= int(month.group(2)) <= 12:
        return date(int(month.group(1)), int(month.group(2)), 1)
    raise ArgumentError(_t("br_cli_bad_month", lang, option=option, value=text))


def resolve_region(text: str, regions: Sequence[tuple[str, str]], lang: str) -> str:
    """A region by 2-digit INEI code ("04", "4") or name ("Junín", "junin"); `regions` are
    (code, name) pairs."""
    value = text.strip()
    codes = {code for code, _ in regions}
    if value.isdigit() and value.zfill(2) in codes:
        return value.zfill(2)
    names = {_fold(name): code for code, name in regions}
    if _fold(value) in names:
        return names[_fold(value)]
    expected = ", ".join(f"{code} {name}" for code, name in regions)
    raise ArgumentError(_t("br_cli_bad_region", lang, value=text, expected=expected))


def _parse_chart(text: str, lang: str) -> tuple[str, dict]:
    """'rg_map' or 'rg_map:metric=count,other=1'."""
    chart_id, _, rest = text.partition(":")
    options: dict[str, Any] = {}
    for part in filter(None, rest.split(",")):
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise ArgumentError(_t("br_cli_bad_chart_option", lang, value=text))
        options[key.strip()] = value.strip()
    return chart_id.strip(), options


def default_filters(
    con: duckdb.DuckDBPyConnection,
    lang: str = "es",
    source: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    regions: Sequence[str] = (),
) -> Filters:
    """Filters for a command-line pack: the default source (dashboard rule), its full range,
    all Ley 30096 articles, all regions and victim groups. Raises ArgumentError."""
    sources = _sources(con)
    if not sources:
        raise ArgumentError(_t("br_cli_empty_db", lang))
    by_id = {row["source"]: row for row in sources}
    source = source if source is not None else default_source(sources)
    if source not in by_id:
        raise ArgumentError(_t("br_cli_bad_source", lang, value=source, expected=", ".join(by_id)))
    info = by_id[source]
    grain = info["period_grain"]
    first, last = con.execute(
        "select min(period_start), max(period_start) from agg_counts where source = $s", {"s": source}
    ).fetchone()
    start = parse_period(period_from, grain, False, lang, "--from") if period_from else first
    end = parse_period(period_to, grain, True, lang, "--to") if period_to else last
    shown = (lambda d: str(d.year)) if grain == "year" else (lambda d: f"{d.year:04d}-{d.month:02d}")
    for option, value in (("--from", start), ("--to", end)):
        if not first <= value <= last:
            raise ArgumentError(_t("br_cli_out_of_range", lang, option=option, value=shown(value),
                                   first=shown(first), last=shown(last), source=source))
    if start > end:
        raise ArgumentError(_t("br_cli_from_after_to", lang, start=shown(start), end=shown(end)))
    region_rows = con.execute("select region_code, region_name from ref_region order by region_code").fetchall()
    codes = tuple(dict.fromkeys(resolve_region(r, region_rows, lang) for r in regions))
    crimes = tuple(r[0] for r in con.execute(
        "select crime_code from ref_crime where is_ley_30096 order by sort_order").fetchall())
    return Filters(source=source, period_from=start, period_to=end, grain=grain, regions=codes,
                   crimes=crimes, lang=lang)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cybertrends.briefing",
        description="Build a briefing pack (PowerPoint or PDF) without opening a browser. "
        "Without --chart: the standard pack (overview trend, crime types, regions map and ranking, "
        "at-risk groups).",
    )
    parser.add_argument("--lang", choices=i18n.LANGS, default=i18n.DEFAULT_LANG, help="language (default es)")
    parser.add_argument("--format", choices=FORMATS, help="pptx or pdf (default: from the --out extension)")
    parser.add_argument("--out", required=True, help="output file")
    parser.add_argument("--source", help="data source id (default: a real source with 2+ years, else synthetic)")
    parser.add_argument("--from", dest="period_from", metavar="PERIOD",
                        help="first period: YYYY-MM (monthly source) or YYYY (yearly); default: first with data")
    parser.add_argument("--to", dest="period_to", metavar="PERIOD", help="last period (same format); default: last")
    parser.add_argument("--region", action="append", default=[],
                        help="region: 2-digit INEI code or name (repeatable); default: whole country")
    parser.add_argument("--chart", action="append", default=[], metavar="ID[:key=value,...]",
                        help="a chart id with options, e.g. rg_map:metric=count (repeatable); default: standard pack")
    parser.add_argument("--title", help="pack title (default from the catalogue)")
    parser.add_argument("--db", help="database file (default: cybertrends.paths.db_path())")
    return parser


def _stop_export_browser() -> None:
    """Stop the export browser before the interpreter exits (a command line run is over), so
    its temporary profile is not removed while Chromium is still writing to it."""
    if "cybertrends.export" in sys.modules:
        sys.modules["cybertrends.export"].shutdown()


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: build a briefing pack and write it to `--out`; returns 0, 1 when no chart has data, 2
    on a bad argument or database."""
    args = _parser().parse_args(argv)
    lang = args.lang
    out = Path(args.out)
    fmt = args.format or out.suffix.lower().lstrip(".")
    err = sys.stderr
    try:
        if fmt not in FORMATS:
            raise ArgumentError(_t("br_cli_bad_format", lang, value=args.out))
        if not out.parent.exists():
            raise ArgumentError(_t("br_cli_bad_out", lang, value=str(out.parent)))
        db = Path(args.db) if args.db else paths.db_path()
        if not db.is_file():
            raise ArgumentError(_t("br_cli_no_db", lang, value=str(db)))
        try:
            con = open_read_only(db)
        except duckdb.Error as error:
            raise ArgumentError(_t("br_cli_bad_db", lang, value=str(db), error=_short_error(error))) from None
        try:
            f = default_filters(con, lang, args.source, args.period_from, args.period_to, args.region)
            items = [_parse_chart(text, lang) for text in args.chart] or list(STANDARD_PACK)
            known = registered()
            unknown = [chart_id for chart_id, _ in items if chart_id not in known]
            if args.chart and unknown:
                raise ArgumentError(_t("br_cli_bad_chart", lang, value=unknown[0], expected=", ".join(sorted(known))))
            images = Images("map" if fmt == "pptx" else "all")
            try:
                specs, skipped = build_charts(con, f, items, on_spec=images.prefetch)
                if not specs:
                    print(_t("br_cli_nothing", lang), file=err)
                    for item in skipped:
                        print(f"  - {item.text(lang)}", file=err)
                    return 1
                pack = Pack((args.title or "").strip() or default_title(lang), lang, specs, skipped)
                data = render(pack, fmt, images)
            finally:
                images.close()
                _stop_export_browser()
        finally:
            con.close()
    except ArgumentError as error:
        print(f"{_t('br_cli_error', lang)}: {error}", file=err)
        return 2
    out.write_bytes(data)
    unit = _t("br_cli_slides" if fmt == "pptx" else "br_cli_pages", lang, n=pack.count)
    print(f"{out} ({unit})")
    for item in skipped:
        print(f"  - {item.text(lang)}", file=err)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
