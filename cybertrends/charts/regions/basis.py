"""Settings of the Regions page (metrics, groupings, map constants, fiscal district names) and what a
value is based on: the periods added up (RateBasis), the population of a rate, and the texts that
say so."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

import pandas as pd

from cybertrends import i18n, measures, paths
from cybertrends.charts.base import MUTED, SEQUENTIAL, Context

METRICS = ("count", "rate", "growth")


FD_METRICS = ("count", "growth")  # no rate by fiscal district: no population for them


DEFAULT_METRIC = "rate"


DEFAULT_FD_METRIC = "count"


GROUPINGS = ("region", "fiscal_district")


DEFAULT_GROUPING = "region"


DEFAULT_REGION = "15"  # Lima


LIMA = "15"


MIN_BASE = measures.MIN_BASE  # reports in the earlier span needed to show a unit's growth


GEOJSON = paths.REFERENCE_DIR / "peru_departments.geojson"


FEATURE_KEY = "properties.FIRST_IDDP"  # the 2-digit INEI region code


# Blues without the near-white end, so the lowest regions stay visible on a white page.
RATE_SCALE = [[i / (len(SEQUENTIAL) - 2), c] for i, c in enumerate(SEQUENTIAL[1:])]


NOT_SELECTED = "#EEF0F3"  # regions outside the regions filter


NO_VALUE = MUTED  # growth over a small base


BORDER = "#7B8794"


UP, DOWN = "#D55E00", "#0072B2"  # the ends of DIVERGING: growth up / down


# Fiscal districts as MPFN writes them (upper case, no accents) -> the name shown.
FD_NAMES = {"ANCASH": "Áncash", "APURIMAC": "Apurímac", "HUANUCO": "Huánuco", "JUNIN": "Junín",
            "SAN MARTIN": "San Martín"}


_LOWER_WORDS = {"de", "del", "la", "las", "los", "y"}


class SharedGeoJSON(dict):
    """The regions' GeoJSON, one object shared by every map figure and never changed: Plotly
    deep-copies a trace's properties whenever the trace is added to a figure or the figure is
    copied or serialised, which for this constant would copy every region's polygons over and
    over (three map traces: a quarter of the Regions page's time)."""

    def __deepcopy__(self, memo) -> SharedGeoJSON:
        return self


@cache
def geojson() -> dict:
    """Peru's 25 first-level regions (properties.FIRST_IDDP = INEI code); shared, read-only."""
    return SharedGeoJSON(json.loads(GEOJSON.read_text(encoding="utf-8")))


def fiscal_district_name(code: str) -> str:
    """A fiscal district as readers know it: 'LIMA NOROESTE' -> 'Lima Noroeste',
    'MADRE DE DIOS' -> 'Madre de Dios', 'ANCASH' -> 'Áncash'."""
    if code in FD_NAMES:
        return FD_NAMES[code]
    words = code.lower().split()
    return " ".join(w if i and w in _LOWER_WORDS else w.capitalize() for i, w in enumerate(words))


def metric_of(ctx: Context, allowed: tuple[str, ...] = METRICS, default: str = DEFAULT_METRIC) -> str:
    """The chart option `metric`, checked against `allowed`."""
    metric = ctx.options.get("metric", default)
    if metric not in allowed:
        raise ValueError(f"metric must be one of {allowed}, not {metric!r}")
    return metric


def fmt_value(metric: str, value, lang: str) -> str:
    """A metric's value as shown: count, rate with one decimal, or signed percentage."""
    if value is None or pd.isna(value):
        return "–"
    if metric == "count":
        return i18n.fmt_int(value, lang)
    if metric == "rate":
        return i18n.fmt_num(value, lang, 1)
    return i18n.fmt_pct(value, lang, signed=True)


# Which periods the figures add up ---------------------------------------------------------

@dataclass(frozen=True)
class RateBasis:
    """The periods a count or a rate adds up, and how a rate is expressed.

    `periods` are the complete periods of the selection; or, when it holds none, its latest
    part-period alone (`complete` False). `excluded` are the selection's periods left out:
    part-periods and periods with no data (gaps)."""

    grain: str
    periods: tuple[date, ...]
    complete: bool
    excluded: tuple[date, ...] = ()

    @property
    def start(self) -> date:
        """First day of the first period included."""
        return self.periods[0]

    @property
    def end(self) -> date:
        """First day of the last period included."""
        return self.periods[-1]

    @property
    def years(self) -> float:
        """Divisor of an annual average (>1), else 1 (the rate of the span itself)."""
        if not self.complete:
            return 1.0
        n = len(self.periods)
        if self.grain == "year":
            return float(n)
        return n / 12.0 if n >= 12 else 1.0

    @property
    def annual_average(self) -> bool:
        """Whether a rate is an annual average over more than one year."""
        return self.years > 1

    @property
    def short(self) -> bool:
        """Less than a year of data (a few months, or a part-year): not annualised."""
        return not self.complete or (self.grain == "month" and len(self.periods) < 12)


def rate_basis(ctx: Context) -> RateBasis:
    """The periods counts and rates add up for these filters (see `RateBasis`); empty
    `periods` when the selection has no data at all (e.g. only a year with no file)."""
    f = ctx.f
    selection = measures.period_range(f.period_from, f.period_to, f.grain)
    missing = set(ctx.missing_periods())
    with_data = [p for p in selection if p not in missing and ctx.periods.has(p)]
    complete = [p for p in with_data if ctx.is_complete(p)]
    if complete:
        used, ok = complete, True
    else:
        used, ok = with_data[-1:], False
    excluded = tuple(p for p in selection if p not in used and (p in missing or p in with_data))
    return RateBasis(f.grain, tuple(used), ok, excluded)


def basis_text(ctx: Context, basis: RateBasis) -> str:
    """The periods of a basis in words: '2019–2023', '2022–2025, sin 2024', '2025 (ene–nov)'."""
    if not basis.complete:
        return partial_text(ctx, basis.start)
    text = i18n.fmt_span(basis.start, basis.end, basis.grain, ctx.lang)
    holes = [p for p in measures.period_range(basis.start, basis.end, basis.grain) if p not in basis.periods]
    if holes:
        text = ctx.t("rg_span_without", span=text, periods=_period_list(ctx, holes))
    return text


def partial_text(ctx: Context, start: date) -> str:
    """A part-period inside running text, where '2025 (ene–nov)' would nest brackets:
    'ene–nov 2025'."""
    cover = ctx.periods.get(start)
    if cover is None or cover.complete:
        return ctx.period_name(start)
    return f"{i18n.fmt_cover_months(cover.covered_from, cover.covered_to, ctx.lang)} {start.year}"


def selection_text(ctx: Context) -> str:
    """The selected span in words; a single part-period says so ('ene–nov 2025')."""
    f = ctx.f
    if f.period_from == f.period_to:
        return partial_text(ctx, f.period_from)
    return ctx.period_label()


def no_data_message(ctx: Context) -> str | None:
    """When every period of the selection lacks a file (e.g. only 2024): say so (for the
    page), else None."""
    f = ctx.f
    selection = measures.period_range(f.period_from, f.period_to, f.grain)
    missing = ctx.missing_periods()
    if selection and len(missing) == len(selection):
        return ctx.t("rg_selection_no_file", periods=_period_list(ctx, missing))
    return None


def _period_list(ctx: Context, periods, limit: int = 6) -> str:
    names = [i18n.fmt_period(p, ctx.f.grain, ctx.lang) for p in periods]
    return ", ".join(names) if len(names) <= limit else ", ".join(names[:limit]) + "…"


def _status_list(ctx: Context, periods, limit: int = 6) -> str:
    """'2024: sin archivo; 2025: parcial (ene–nov)'."""
    items = [f"{i18n.fmt_period(p, ctx.f.grain, ctx.lang)}: {ctx.period_status(p)}" for p in periods]
    return "; ".join(items) if len(items) <= limit else "; ".join(items[:limit]) + "…"


def _basis_notes(ctx: Context, basis: RateBasis, metric: str) -> list[str]:
    """What a count or rate leaves out of the selection, or that it shows a part-period only."""
    if not basis.complete:
        cover = ctx.periods.get(basis.start)
        key = "rg_note_partial_only_rate" if metric == "rate" else "rg_note_partial_only"
        return [ctx.t(key, period=partial_text(ctx, basis.start), as_of=i18n.fmt_date(cover.covered_to, ctx.lang))]
    if basis.excluded:
        return [ctx.t("rg_note_basis", period=basis_text(ctx, basis), excluded=_status_list(ctx, basis.excluded))]
    return []


def growth_span(ctx: Context) -> measures.Span | None:
    """The equal spans growth compares (`Context.span()`), or None."""
    return ctx.span()


def growth_unavailable(ctx: Context) -> str | None:
    """Why growth cannot be shown for these filters (for the page), or None."""
    if growth_span(ctx) is not None:
        return None
    f = ctx.f
    first = measures.period_start_of(ctx.coverage["first_date"], f.grain)
    lo = max(first, measures.shift_year(f.period_from, -1))
    odd = [p for p in measures.period_range(lo, f.period_to, f.grain) if not ctx.is_complete(p)]
    why = [ctx.t("rg_data_from", first=i18n.fmt_period(first, f.grain, ctx.lang))]
    if odd:
        why.append(_status_list(ctx, odd))
    return ctx.t("rg_growth_unavailable", period=selection_text(ctx), why="; ".join(why))


def populations(ctx: Context) -> tuple[pd.Series, str]:
    """2020 population by region for rates, and the message key naming it.

    With a victim-group filter (and a source that records age) the rate is per 100,000 people
    of those groups; 'unknown' age has no population, so a filter including it uses the total."""
    pop = ctx.population()
    groups = [g for g in ctx.f.groups if g != "unknown"]
    if ctx.has_age and ctx.f.groups and len(groups) == len(ctx.f.groups):
        sel = pop[pop["age_group"].isin(groups)]
        return sel.groupby("region_code")["population_2020"].sum(), "rg_pop_groups"
    tot = pop[pop["age_group"] == "total"]
    return tot.set_index("region_code")["population_2020"], "rg_pop_total"
