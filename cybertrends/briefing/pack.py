"""What goes into a briefing pack, shared by the PowerPoint and the PDF writers.

Holds the pack itself (`Pack`, `Skipped`, the `STANDARD_PACK`), how charts get in
(`collect`, `build_charts`, `rebuild`) and how staff reorder them (`add`, `move`, `remove`),
the numbers behind a chart (`table_rows` as text, the speaker notes `notes_text`, the native
chart's `chart_series`), the closing sections (sources, caveats, skipped charts) and the house
colours both outputs use.
No Streamlit, no python-pptx, no reportlab here.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from cybertrends import i18n
from cybertrends.filters import Filters

# The parent package's logger: "cybertrends.briefing" is where a failing chart is reported.
log = logging.getLogger("cybertrends.briefing")

if TYPE_CHECKING:  # pragma: no cover
    from cybertrends.chartspec import ChartSpec

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

# The mark every output prints on synthetic data (as ChartSpec.synthetic_mark does).
MARK = "datos sintéticos / synthetic data"

SYNTHETIC_RED = "C0392B"
SYNTHETIC_FILL = "FDECEA"
TEXT = "1F2933"
MUTED = "52606D"
MUTED_BAR = "9AA5B1"  # incomplete periods (charts.base.MUTED)
GRID = "E4E7EB"
AXIS = "CBD2D9"


def default_title(lang: str) -> str:
    """The pack title from the catalogue ("Ciberdelincuencia en el Perú: informe de evidencia")."""
    return i18n.t("br_default_title", lang)


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
        return i18n.t(key, lang, chart=self.label(), error=self.detail)


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
            skipped.append(Skipped(chart_id, key, "error", short_error(error)))
            continue
        if spec is None:
            skipped.append(Skipped(chart_id, key, "no_data"))
            continue
        specs.append(spec)
        if on_spec is not None:
            on_spec(spec)
    return specs, skipped


def short_error(error: BaseException) -> str:
    """The first line of an error's message (or its type), at most 160 characters."""
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
                skipped.append(Skipped(spec.chart_id, _options_key(spec.options), "error", short_error(error)))
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
                row.append(fmt_category(value) if not _is_missing(value) else "–")
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
    lines = [spec.title, spec.subtitle, "", i18n.t("br_notes_numbers", lang) + ":", " | ".join(header)]
    lines += [" | ".join(row) for row in rows]
    if _protected(spec):
        lines += ["", i18n.t("disclosure_note", lang)]
    if spec.notes:
        lines += ["", i18n.t("br_notes_caveats", lang) + ":"] + [f"• {note}" for note in spec.notes]
    lines += ["", spec.source_line]
    if spec.synthetic:
        lines.append(spec.synthetic_mark)
    lines.append(f"[{spec.chart_id}]")
    return "\n".join(lines)


def unique(values: Iterable[str]) -> list[str]:
    """The non-empty values in first-seen order, each once."""
    seen: dict[str, None] = {}
    for value in values:
        if value and value not in seen:
            seen[value] = None
    return list(seen)


def closing_sections(pack: Pack) -> list[tuple[str, list[str]]]:
    """The closing page's (heading, items): sources, caveats (the synthetic and cell-key notes
    included), skipped charts, and a headless line saying who made the pack and when."""
    lang = pack.lang
    caveats = unique(note for spec in pack.specs for note in spec.notes)
    if any(_protected(spec) for spec in pack.specs):
        caveats.append(i18n.t("disclosure_note", lang))
    caveats.append(i18n.t("br_sources_note", lang))
    if pack.synthetic:
        caveats.insert(0, i18n.t("br_synthetic_note", lang))
    sections = [
        (i18n.t("br_sources_heading", lang), unique(spec.source_line for spec in pack.specs)),
        (i18n.t("br_caveats_heading", lang), caveats),
    ]
    if pack.skipped:
        sections.append((i18n.t("br_skipped_heading", lang), [s.text(lang) for s in pack.skipped]))
    sections.append(("", [i18n.t("br_made_with", lang, date=i18n.fmt_date(pack.created, lang))]))
    return sections


def shared_subtitle(pack: Pack) -> str | None:
    """The subtitle shared by every chart, if they all share one (period and filters)."""
    subtitles = unique(spec.subtitle for spec in pack.specs)
    return subtitles[0] if len(subtitles) == 1 else None




def fmt_category(value: Any) -> str:
    """A category label as text: dates as ISO days, whole floats without ".0" (years stay "2024")."""
    import numpy as np
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)



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
    cats = [str(v) for v in dict.fromkeys(fmt_category(v) for v in data[spec.x])]
    x_text = [fmt_category(v) for v in data[spec.x]]
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

