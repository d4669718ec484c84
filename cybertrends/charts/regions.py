"""Regions page: a map and a ranking of the 25 regions (count, rate per 100,000 inhabitants or
growth), one region's own trend, Lima Metropolitana against the rest of Lima region, and, for the
Ministerio Público (MPFN), the same ranking and trend by **fiscal district**, the unit the
prosecutor's office itself reports by.

Choices (stated on the charts too):
- **Periods added up** (count and rate): the *complete* periods of the selection (Context /
  measures.Periods decide which). A part-year (MPFN Jan–Nov 2025) is never added to full years;
  a period with no file is a gap, not a zero. When the selection holds no complete period, the
  latest part-period is shown on its own and said to be partial.
- **Rate**: reports per 100,000 inhabitants (2020 population, MINSA) over those periods. Several
  years (or more than 12 months) show the *annual average* (the count divided by the number of
  complete years, gaps not counted); up to 12 months, the rate of that span, not annualised.
  With a victim-group filter (sources that record age) the population is that of the chosen
  groups. There is no rate by fiscal district: no population is published for them.
- **Growth**: `Context.span()`: the latest complete span in the selection against the same span
  a year earlier (2023 vs 2022 for MPFN, whose 2024 has no file and 2025 is partial; Jan–Jun
  2025 vs Jan–Jun 2024 for monthly data). Units with fewer than `MIN_BASE` reports in the earlier
  span get no growth figure (grey on the map).
- **Regions filter**: only the chosen regions are coloured and ranked; the others stay on the
  map in light grey. The national value (whole country) is the reference. By fiscal district,
  the filter keeps the offices located in the chosen regions.
- **Protecting victims**: every count comes from the query layer, already published (record-level
  sources through the cell-key method, DESIGN.md §5); rates, shares and growth are computed from
  those counts. A count over several periods, the national reference and any other total shown
  beside its parts is queried as a cell of its own, never added up from the parts shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cybertrends import i18n, measures, paths, queries, queries_regions
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, DIVERGING, MUTED, PALETTE, SEQUENTIAL, Context, style
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters

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


@cache
def geojson() -> dict:
    """Peru's 25 first-level regions (properties.FIRST_IDDP = INEI code)."""
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


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


# The value of every region (or fiscal district) ------------------------------------------

@dataclass
class RegionValues:
    """One value per unit in scope (a region, or a fiscal district when `geo` says so) for a
    metric, with the national reference."""

    metric: str
    table: pd.DataFrame  # code, name, [offices], count, [count_prev], [population], value, status
    national: float | None
    national_count: float | None
    subtitle: str
    period_text: str  # the span in words, for titles
    unit: str  # axis / colour-bar label
    notes: list[str] = field(default_factory=list)
    previous_text: str = ""
    annual: bool = False  # rate: an annual average over several years
    source_line: str = ""
    geo: str = "region"
    periods: tuple[date, ...] = ()  # the periods the counts cover (the later span for growth)

    @property
    def shown(self) -> pd.DataFrame:
        """The units with a value to show (status 'ok')."""
        return self.table[self.table["status"] == "ok"]

    def key(self, key: str) -> str:
        """The message key for this geography (fiscal-district variants end in '_fd')."""
        return key + "_fd" if self.geo == "fiscal_district" else key


def has_fiscal_districts(ctx: Context) -> bool:
    """Whether the source records the fiscal district (the page then offers the grouping)."""
    return ctx._shared(("fiscal_districts?", ctx.f.source),  # noqa: SLF001 - a shared lookup
                       lambda: queries_regions.has_fiscal_districts(ctx.con, ctx.f.source))


def _scope(ctx: Context, geo: str) -> pd.DataFrame:
    """The units the map or ranking shows: code, name (and, by fiscal district, the regions of
    its offices)."""
    if geo == "region":
        ref = queries.regions(ctx.con)[["region_code", "region_name"]]
        if ctx.f.regions:
            ref = ref[ref["region_code"].isin(ctx.f.regions)]
        return ref.rename(columns={"region_code": "code", "region_name": "name"}).reset_index(drop=True)
    pairs = queries_regions.fiscal_districts(ctx.con, ctx.f.source, ctx.f.regions)
    offices = pairs.groupby("fiscal_district")["region_code"].agg(
        lambda codes: ", ".join(sorted(ctx.region_name(c) for c in codes)))
    table = pd.DataFrame({"code": offices.index.astype(str), "offices": offices.to_numpy()})
    table["name"] = [fiscal_district_name(c) for c in table["code"]]
    return table[["code", "name", "offices"]].reset_index(drop=True)


Fetch = Callable[[Filters, tuple[str, ...]], pd.DataFrame]  # (filters, breakdown) -> published cells


def _fetch(ctx: Context, geo: str) -> tuple[Fetch, str]:
    """The query of a geography's published counts, and the column naming its units."""
    if geo == "region":
        return (lambda g, by: queries.counts(ctx.con, g, by)), "region_code"
    return (lambda g, by: queries_regions.fiscal_district_counts(ctx.con, g, by)), "fiscal_district"


def _runs(ctx: Context, periods) -> list[tuple[date, date]]:
    """`periods` (first days, in order) as the fewest spans that hold nothing else with data:
    a span breaks only around a period that has data but is left out (a part-period); a
    period with no data at all (a gap) adds nothing and joins its neighbours."""
    periods = sorted(periods)
    wanted, runs, start, last = set(periods), [], None, None
    for p in measures.period_range(periods[0], periods[-1], ctx.f.grain) if periods else []:
        if p in wanted:
            start, last = start or p, p
        elif ctx.periods.has(p) and start is not None:
            runs.append((start, last))
            start = None
    if start is not None:
        runs.append((start, last))
    return runs


def _cells(ctx: Context, fetch: Fetch, f: Filters, periods=None, by: tuple[str, ...] = ()):
    """Published counts under `f` over `periods` (default: the filter's own span), one cell
    per value of `by` (a Series), or the single cell of everything (a float) when `by` is
    empty. Each span of `_runs` is one query without a period dimension, so a count over
    several periods is the cell of those periods, not a sum of the per-period cells shown
    elsewhere. (Spans split only around a left-out part-period between periods used, which
    only published aggregates can have; those are exact, so adding their spans is too.)"""
    spans = [(f.period_from, f.period_to)] if periods is None else _runs(ctx, periods)
    frames = [fetch(f.with_(period_from=a, period_to=b), by) for a, b in spans]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*by, "report_count"])
    counts = pd.to_numeric(df["report_count"], errors="coerce").fillna(0.0).astype("float64")
    if not by:
        return float(counts.sum())
    return counts.groupby([df[b] for b in by]).sum()  # one row per cell and span


def _unit_counts(ctx: Context, geo: str, f: Filters, periods=None) -> pd.Series:
    """Published reports per unit (region code or fiscal district) under `f`, over `periods`
    (first days) when given: each unit's count over them is a cell of its own."""
    fetch, key = _fetch(ctx, geo)
    out = _cells(ctx, fetch, f, periods, (key,))
    out.index = out.index.astype(str)
    return out


def _total_count(ctx: Context, f: Filters, periods=None) -> float:
    """The published count of everything `f` selects (its regions, or the whole country when
    `f` has none), over `periods` if given: one cell, never the sum of the regions shown."""
    return _cells(ctx, _fetch(ctx, "region")[0], f, periods)


def _national_count(ctx: Context, f: Filters, periods=None) -> float:
    """Reports in the whole country (same source, crime types and victim groups): its own cell."""
    return _total_count(ctx, f.with_(regions=()), periods)



def _subtitle(ctx: Context, period_text: str, extra: str | None = None) -> str:
    text = f"{period_text} · {ctx.filters_label()}"
    return f"{text} · {extra}" if extra else text


def _geo_notes(ctx: Context, geo: str) -> list[str]:
    if geo == "region":
        notes = ctx.notes(regional=True)
        if ctx.f.regions:
            notes.append(ctx.t("rg_note_filter"))
        return notes
    notes = ctx.notes() + [ctx.t("rg_note_fd"), ctx.t("rg_note_fd_no_rate")]
    if ctx.f.regions:
        notes.append(ctx.t("rg_note_fd_filter"))
    return notes


def region_values(ctx: Context, metric: str, geo: str = "region") -> RegionValues | None:
    """The values the map and the ranking show (by region, or by fiscal district with
    `geo='fiscal_district'`); None when the filters leave no data (or growth has no earlier
    span to compare with). Every count is a published cell; the national value is the
    country's own cell, not the sum of the units shown."""
    if geo not in GROUPINGS:
        raise ValueError(f"geo must be one of {GROUPINGS}, not {geo!r}")
    if geo == "fiscal_district" and metric not in FD_METRICS:
        raise ValueError(f"no {metric!r} by fiscal district (there is no population for them)")
    f, lang = ctx.f, ctx.lang
    table = _scope(ctx, geo)
    if table.empty:
        return None
    notes = _geo_notes(ctx, geo)

    if metric == "growth":
        span = growth_span(ctx)
        if span is None:
            return None
        cur_f = f.with_(period_from=span.current_from, period_to=span.current_to)
        prev_f = f.with_(period_from=span.previous_from, period_to=span.previous_to)
        cur, prev = _unit_counts(ctx, geo, cur_f), _unit_counts(ctx, geo, prev_f)
        table["count"] = table["code"].map(cur).fillna(0.0)
        table["count_prev"] = table["code"].map(prev).fillna(0.0)
        if table["count"].sum() == 0 and table["count_prev"].sum() == 0:
            return None
        table["status"] = np.where(table["count_prev"] < MIN_BASE, "small_base", "ok")
        table["value"] = [measures.growth_pct(c, p) if s == "ok" else np.nan
                          for c, p, s in zip(table["count"], table["count_prev"], table["status"])]
        nat_cur, nat_prev = _national_count(ctx, cur_f), _national_count(ctx, prev_f)
        national = measures.growth_pct(nat_cur, nat_prev) if nat_prev >= MIN_BASE else None
        cur_text = i18n.fmt_span(span.current_from, span.current_to, span.grain, lang)
        prev_text = i18n.fmt_span(span.previous_from, span.previous_to, span.grain, lang)
        subtitle = _subtitle(ctx, cur_text, extra=ctx.t("rg_growth_basis", prev=prev_text))
        if (table["status"] == "small_base").any():
            small = list(table.loc[table["status"] == "small_base", "name"])
            many = ctx.t("n_regions", n=len(small)) if geo == "region" else ctx.t("rg_n_fd", n=len(small))
            notes.append(ctx.t("rg_note_small_base", n=MIN_BASE, prev=prev_text,
                               regions=", ".join(small) if len(small) <= 8 else many))
        rv = RegionValues(metric, table, national, nat_cur, subtitle, cur_text, ctx.t("rg_unit_growth"),
                          notes, prev_text, source_line=ctx.source_line(span.previous_from, span.current_to), geo=geo,
                          periods=tuple(measures.period_range(span.current_from, span.current_to, span.grain)))
    else:
        basis = rate_basis(ctx)
        if not basis.periods:
            return None
        counts = _unit_counts(ctx, geo, f, basis.periods)
        table["count"] = table["code"].map(counts).fillna(0.0)
        if table["count"].sum() == 0:
            return None
        table["status"] = "ok"
        nat_count = _national_count(ctx, f, basis.periods)
        period_text = basis_text(ctx, basis)
        if metric == "count":
            table["value"] = table["count"]
            national = nat_count
            subtitle = _subtitle(ctx, period_text)
            unit = ctx.t("reports")
        else:
            pop, pop_key = populations(ctx)
            table["population"] = table["code"].map(pop).astype("float64")
            table["value"] = [(measures.rate_per_100k(c, p) or 0.0) / basis.years
                              for c, p in zip(table["count"], table["population"])]
            # The country's own count over the population of every region (of the chosen groups).
            national = measures.rate_per_100k(nat_count, float(pop.sum())) / basis.years
            key = ("rg_rate_basis_annual" if basis.annual_average
                   else "rg_rate_basis_short" if basis.short else "rg_rate_basis")
            subtitle = _subtitle(ctx, period_text, extra=ctx.t(key, pop=ctx.t(pop_key)))
            unit = ctx.t("rg_unit_rate_annual" if basis.annual_average else "rg_unit_rate")
            if pop_key == "rg_pop_total" and f.groups and ctx.has_age:
                notes.append(ctx.t("rg_note_unknown_age_pop"))
        notes += _basis_notes(ctx, basis, metric)
        rv = RegionValues(metric, table, national, nat_count, subtitle, period_text, unit, notes,
                          annual=basis.annual_average, source_line=ctx.source_line(basis.start, basis.end), geo=geo,
                          periods=basis.periods)
    rv.notes += ctx.cell_key_notes()
    if rv.shown.empty and metric != "growth":
        return None
    return rv


def _status_text(ctx: Context, status: str) -> str:
    return {"ok": "", "small_base": ctx.t("rg_status_small_base", n=MIN_BASE)}[status]


def _display(ctx: Context, values, metric: str) -> list[str]:
    """Text of each value ("–" where there is none)."""
    return [fmt_value(metric, v, ctx.lang) for v in values]


def finding(ctx: Context, rv: RegionValues) -> str:
    """The map's (or fiscal-district ranking's) title: the top unit by the metric, with its number."""
    shown = rv.shown.sort_values(["value", "name"], ascending=[False, True])
    lang = ctx.lang
    if shown.empty:
        return ctx.t(rv.key("rg_title_growth_none"), prev=rv.previous_text, period=rv.period_text, n=MIN_BASE)
    top = shown.iloc[0]
    value = fmt_value(rv.metric, top["value"], lang)
    one = len(shown) == 1
    if rv.metric == "count":
        share = measures.share_pct(top["value"], rv.national_count) if rv.national_count else None
        key = "rg_title_count_one" if one else "rg_title_count"
        return ctx.t(key, region=top["name"], n=value, share=i18n.fmt_pct(share, lang), period=rv.period_text)
    if rv.metric == "rate":
        key = ("rg_title_rate_one" if one else "rg_title_rate") + ("_annual" if rv.annual else "")
        return ctx.t(key, region=top["name"], rate=value, period=rv.period_text)
    if one:
        return ctx.t("rg_title_growth_one", region=top["name"], pct=value, period=rv.period_text, prev=rv.previous_text)
    if top["value"] < 0:
        return ctx.t(rv.key("rg_title_growth_all_down"), region=top["name"], pct=value, period=rv.period_text,
                     prev=rv.previous_text)
    return ctx.t(rv.key("rg_title_growth"), region=top["name"], pct=value, period=rv.period_text, prev=rv.previous_text)


def _top_count(ctx: Context, rv: RegionValues, codes: list[str]) -> float:
    """Reports of the units `codes` together, over the periods of `rv`. Regions: one cell of
    their own (the regions filter set to them). Fiscal districts come only from the MPFN's
    published aggregates, passed unchanged, so their counts add up exactly."""
    if rv.geo == "region":
        return _total_count(ctx, ctx.f.with_(regions=tuple(codes)), rv.periods)
    return float(rv.table.set_index("code").loc[codes, "count"].sum())


def rank_finding(ctx: Context, rv: RegionValues) -> str:
    """The ranking's title: how the units sit against the national value."""
    shown, lang = rv.shown, ctx.lang
    if rv.metric == "count":
        k = min(3, len(shown))
        top = _top_count(ctx, rv, list(shown.sort_values(["value", "name"], ascending=[False, True])["code"][:k]))
        share = measures.share_pct(top, rv.national_count) if rv.national_count else None
        if share is None:
            return finding(ctx, rv)
        return ctx.t(rv.key("rg_rank_count"), k=k, share=i18n.fmt_pct(share, lang), period=rv.period_text)
    if rv.national is None or shown.empty:
        return finding(ctx, rv)
    if len(shown) < 2:  # "0 of 1 regions are above…" says nothing: state the region's own figure
        return finding(ctx, rv)
    above = int((shown["value"] > rv.national).sum())
    national = fmt_value(rv.metric, rv.national, lang)
    key = "rg_rank_rate" if rv.metric == "rate" else rv.key("rg_rank_growth")
    return ctx.t(key, n=above, total=len(shown), national=national, period=rv.period_text, prev=rv.previous_text)


def _table(ctx: Context, rv: RegionValues) -> tuple[pd.DataFrame, str, str]:
    """The data behind the map and the ranking, display-ready; returns (table, x, y)."""
    t = rv.table.copy()
    t["_order"] = t["value"].fillna(-np.inf)
    t = t.sort_values(["_order", "name"], ascending=[False, True])
    y = rv.unit
    if rv.geo == "region":
        x = ctx.t("region")
        out = pd.DataFrame({x: t["name"].to_numpy(), ctx.t("rg_col_code"): t["code"].to_numpy()})
    else:
        x = ctx.t("rg_fiscal_district")
        out = pd.DataFrame({x: t["name"].to_numpy(), ctx.t("rg_col_fd_code"): t["code"].to_numpy(),
                            ctx.t("rg_col_offices"): t["offices"].to_numpy()})
    if rv.metric == "growth":
        out[ctx.t("rg_col_reports_prev", prev=rv.previous_text)] = t["count_prev"].to_numpy()
        out[ctx.t("rg_col_reports_period", period=rv.period_text)] = t["count"].to_numpy()
    elif rv.metric == "rate":
        out[ctx.t("reports")] = t["count"].to_numpy()
        out[ctx.t("rg_col_population")] = t["population"].to_numpy()
    value = t["value"].to_numpy(dtype="float64")
    out[y] = np.round(value, 1) if rv.metric != "count" else value
    out["display"] = _display(ctx, t["value"], rv.metric)
    out[ctx.t("rg_col_status")] = [_status_text(ctx, s) for s in t["status"]]
    return out, x, y


def _spec(ctx: Context, chart_id: str, kind: str, title: str, rv: RegionValues, fig: go.Figure) -> ChartSpec:
    data, x, y = _table(ctx, rv)
    return ChartSpec(
        chart_id=chart_id, kind=kind, title=title, subtitle=rv.subtitle, source_line=rv.source_line,
        figure=fig, data=data, x=x, y=y, lang=ctx.lang, synthetic=ctx.synthetic, display_column="display",
        notes=list(rv.notes), y_format={"count": "count", "rate": "rate", "growth": "percent"}[rv.metric],
    )


def _hover(ctx: Context, rv: RegionValues, row) -> str:
    name = row["name"]
    if row["status"] == "small_base":
        return f"<b>{name}</b><br>{ctx.t('rg_status_small_base', n=MIN_BASE)}"
    text = f"<b>{name}</b><br>{rv.unit}: {fmt_value(rv.metric, row['value'], ctx.lang)}"
    if rv.metric == "rate":
        text += f"<br>{ctx.t('reports')}: {i18n.fmt_int(row['count'], ctx.lang)}"
    if rv.metric == "growth":
        text += (f"<br>{rv.period_text}: {i18n.fmt_int(row['count'], ctx.lang)}"
                 f"<br>{rv.previous_text}: {i18n.fmt_int(row['count_prev'], ctx.lang)}")
    if rv.geo == "fiscal_district":
        text += f"<br>{ctx.t('rg_col_offices')}: {row['offices']}"
    return text


def map_view(height: int) -> dict:
    """Centre and zoom that fit Peru in a map `height` pixels tall (set explicitly: the
    plotly.js bundled with Streamlit has no auto-fit for map subplots)."""
    lons, lats = [], []

    def walk(coords):
        if isinstance(coords[0], (int, float)):
            lons.append(coords[0]), lats.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for feature in geojson()["features"]:
        walk(feature["geometry"]["coordinates"])
    merc = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
    y0, y1 = merc(min(lats)), merc(max(lats))
    centre_lat = math.degrees(2 * math.atan(math.exp((y0 + y1) / 2)) - math.pi / 2)
    span_deg = math.degrees(y1 - y0) * 1.08  # a little padding
    zoom = math.log2(height * 360 / (512 * span_deg))
    return dict(center=dict(lat=round(centre_lat, 3), lon=round((min(lons) + max(lons)) / 2, 3)), zoom=round(zoom, 2))


@chart("rg_map")
def region_map(ctx: Context) -> ChartSpec | None:
    """Choropleth of the regions by count, rate per 100,000 or growth (option `metric`).

    A MapLibre `choroplethmap` on a blank white style: no tiles and no topojson are fetched,
    so it renders offline, in the browser and in image exports alike (a `geo` choropleth
    fetches a world topojson from cdn.plot.ly even when its base map is hidden)."""
    metric = metric_of(ctx)
    rv = region_values(ctx, metric)
    if rv is None:
        return None
    geo = geojson()
    ref = queries.regions(ctx.con)
    fig = go.Figure()
    common = dict(geojson=geo, featureidkey=FEATURE_KEY, marker_line_color=BORDER, marker_line_width=0.6,
                  hovertemplate="%{hovertext}<extra></extra>")
    outside = ref[~ref["region_code"].isin(rv.table["code"])]
    if not outside.empty:
        fig.add_choroplethmap(
            locations=outside["geojson_id"], z=[0] * len(outside), colorscale=[[0, NOT_SELECTED], [1, NOT_SELECTED]],
            showscale=False, hovertext=[f"<b>{n}</b><br>{ctx.t('rg_not_selected')}" for n in outside["region_name"]],
            name=ctx.t("rg_not_selected"), showlegend=True, **common)
    geo_id = ref.set_index("region_code")["geojson_id"]
    missing = rv.table[rv.table["status"] != "ok"]
    if not missing.empty:
        fig.add_choroplethmap(
            locations=missing["code"].map(geo_id), z=[0] * len(missing), colorscale=[[0, NO_VALUE], [1, NO_VALUE]],
            showscale=False, hovertext=[_hover(ctx, rv, r) for _, r in missing.iterrows()],
            name=ctx.t("rg_no_value"), showlegend=True, **common)
    shown = rv.shown
    if not shown.empty:
        colour = dict(colorscale=RATE_SCALE)
        if metric == "growth":
            bound = float(np.nanmax(np.abs(shown["value"]))) or 1.0
            colour = dict(colorscale=DIVERGING, zmid=0, zmin=-bound, zmax=bound)
        fig.add_choroplethmap(
            locations=shown["code"].map(geo_id), z=shown["value"].round(1),
            hovertext=[_hover(ctx, rv, r) for _, r in shown.iterrows()],
            # The colour scale under the map, not beside it: the map keeps the whole width of
            # narrow screens (a phone, a tablet column) and no region is clipped.
            colorbar=dict(title=dict(text=rv.unit, side="top"), ticksuffix=" %" if metric == "growth" else "",
                          orientation="h", x=0.5, xanchor="center", y=-0.02, yanchor="top",
                          thickness=12, len=0.8, tickformat=",.0f" if metric == "count" else None),
            name=rv.unit, showlegend=False, **colour, **common)
    height = 520
    style(fig, height=height)
    fig.update_layout(map=dict(style="white-bg", **map_view(height - 110)), hovermode="closest",
                      margin=dict(l=0, r=0, t=30, b=70),
                      legend=dict(orientation="v", yanchor="bottom", y=0.02, xanchor="left", x=0.01,
                                  bgcolor="rgba(255,255,255,0.8)"))
    return _spec(ctx, "rg_map", "map", finding(ctx, rv), rv, fig)


def _rank_figure(ctx: Context, rv: RegionValues) -> go.Figure:
    """Horizontal bars of the shown units, highest on top, with the national reference."""
    metric = rv.metric
    shown = rv.shown.sort_values(["value", "name"], ascending=[True, False])  # top bar = highest
    texts = [fmt_value(metric, v, ctx.lang) for v in shown["value"]]
    if metric == "growth":
        colours = [UP if v >= 0 else DOWN for v in shown["value"]]
    else:
        colours = [ACCENT] * len(shown)
    fig = go.Figure(go.Bar(
        x=shown["value"], y=shown["name"], orientation="h", marker_color=colours, text=texts,
        textposition="outside", cliponaxis=False, hovertext=[_hover(ctx, rv, r) for _, r in shown.iterrows()],
        hovertemplate="%{hovertext}<extra></extra>", name=rv.unit,
    ))
    style(fig, x_title=rv.unit, height=max(360, 130 + 22 * len(shown)))
    fig.update_layout(hovermode="closest", showlegend=False, bargap=0.25, margin=dict(l=10, r=24, t=40, b=10))
    fig.update_yaxes(gridcolor="rgba(0,0,0,0)", rangemode="normal", type="category", automargin=True)
    # Room for the value labels on both sides of zero.
    values = list(shown["value"]) + ([rv.national] if rv.national is not None and metric != "count" else [])
    lo, hi = min(0.0, *values), max(0.0, *values)
    pad = 0.3 * ((hi - lo) or 1.0)  # the value written past the longest bar, on narrow screens too
    fig.update_xaxes(showgrid=True, gridcolor="#E4E7EB", ticksuffix=" %" if metric == "growth" else "",
                     zeroline=True, zerolinecolor="#CBD2D9", automargin=True,
                     range=[lo - pad if lo < 0 else 0, hi + pad])
    if rv.national is not None and metric != "count":
        fig.add_vline(x=rv.national, line_dash="dash", line_color="#3E4C59", line_width=1.2, layer="below",
                      annotation_text=ctx.t("rg_national", value=fmt_value(metric, rv.national, ctx.lang)),
                      annotation_position="top", annotation_font_size=12)
    if metric == "count" and rv.national_count is not None:
        fig.add_annotation(xref="paper", yref="paper", x=1, y=1.02, xanchor="right", yanchor="bottom", showarrow=False,
                           text=ctx.t("rg_national_total", value=i18n.fmt_int(rv.national_count, ctx.lang)), font_size=12)
    return fig


@chart("rg_rank")
def region_rank(ctx: Context) -> ChartSpec | None:
    """The regions ranked by the same metric, with the national value as reference."""
    rv = region_values(ctx, metric_of(ctx))
    if rv is None or rv.shown.empty:  # nothing to rank (the map explains why)
        return None
    return _spec(ctx, "rg_rank", "hbar", rank_finding(ctx, rv), rv, _rank_figure(ctx, rv))


@chart("rg_fd_rank")
def fiscal_district_rank(ctx: Context) -> ChartSpec | None:
    """The Ministerio Público's fiscal districts ranked by count or growth (option `metric`;
    no rate: there is no population by fiscal district). None for sources without them."""
    metric = metric_of(ctx, FD_METRICS, DEFAULT_FD_METRIC)
    if not has_fiscal_districts(ctx):
        return None
    rv = region_values(ctx, metric, geo="fiscal_district")
    if rv is None:
        return None
    if rv.shown.empty:  # growth with no large base anywhere: say so, with an empty chart
        fig = style(go.Figure(), height=200)
        return _spec(ctx, "rg_fd_rank", "hbar", finding(ctx, rv), rv, fig)
    title = finding(ctx, rv) if metric == "growth" else rank_finding(ctx, rv)
    return _spec(ctx, "rg_fd_rank", "hbar", title, rv, _rank_figure(ctx, rv))


# A series over the periods of the selection -----------------------------------------------

def series_frame(ctx: Context, df: pd.DataFrame) -> pd.DataFrame:
    """Counts per period (`period_start`, `report_count`) laid over every period of the
    selection: `state` is 'complete', 'partial' or 'missing'. A period with no file is NaN
    (a gap, never a zero); a period with data but no row for this series is 0."""
    f = ctx.f
    got = {pd.Timestamp(p).date(): float(v) for p, v in zip(df["period_start"], df["report_count"].fillna(0))}
    missing = set(ctx.missing_periods())
    rows = []
    for p in measures.period_range(f.period_from, f.period_to, f.grain):
        if p in missing:
            rows.append((p, np.nan, "missing"))
        else:
            rows.append((p, got.get(p, 0.0), "complete" if ctx.is_complete(p) else "partial"))
    out = pd.DataFrame(rows, columns=["period_start", "report_count", "state"])
    out["label"] = [ctx.period_name(p) if s != "missing" else i18n.fmt_period(p, f.grain, ctx.lang)
                    for p, s in zip(out["period_start"], out["state"])]
    return out


def _x(frame: pd.DataFrame, monthly: bool):
    return pd.to_datetime(frame["period_start"]) if monthly else frame["label"]


def _period_notes(ctx: Context, frame: pd.DataFrame) -> list[str]:
    """Gaps and part-periods of a series, said on the chart."""
    notes = []
    missing = list(frame.loc[frame["state"] == "missing", "period_start"].drop_duplicates())
    if missing:
        notes.append(ctx.t("note_missing_periods", periods=_period_list(ctx, missing)))
    for p in frame.loc[frame["state"] == "partial", "period_start"].drop_duplicates():
        cover = ctx.periods.get(p)
        if cover is None:
            continue
        notes.append(ctx.t("rg_note_partial", period=i18n.fmt_period(p, ctx.f.grain, ctx.lang),
                           months=i18n.fmt_cover_months(cover.covered_from, cover.covered_to, ctx.lang),
                           as_of=i18n.fmt_date(cover.covered_to, ctx.lang)))
    return notes


def _mark_missing(ctx: Context, fig: go.Figure, frame: pd.DataFrame, xref: str = "x", yref: str = "y domain") -> None:
    """'sin archivo' written at the foot of every period that has no file, on a category axis
    (annotations there take the category's serial number, not its label)."""
    order = list(frame.drop_duplicates("period_start")["period_start"])
    for p in frame.loc[frame["state"] == "missing", "period_start"].drop_duplicates():
        fig.add_annotation(x=order.index(p), y=0, xref=xref, yref=yref, text=ctx.t("no_file"), showarrow=False,
                           yanchor="bottom", font=dict(size=12, color="#616E7C"))


def _counts_display(ctx: Context, frame: pd.DataFrame) -> list[str]:
    """Each period's count as shown; "sin archivo" where the period has no file."""
    return [ctx.t("no_file") if s == "missing" else i18n.fmt_int(v, ctx.lang)
            for v, s in zip(frame["report_count"], frame["state"])]


def _trend_spec(ctx: Context, chart_id: str, name: str, f: Filters, fetch: Fetch, regional: bool) -> ChartSpec | None:
    """One unit's reports per period: a line over the complete periods (a 12-month rolling
    mean for monthly data), part-periods as separate hollow points, gaps as breaks.
    `fetch(filters, breakdown)` returns the unit's published cells."""
    df = fetch(f, ("period_start",))
    if df.empty or df["report_count"].fillna(0).sum() == 0:
        return None
    frame = series_frame(ctx, df)
    frame["report_count_display"] = _counts_display(ctx, frame)
    monthly = f.grain == "month"
    x = _x(frame, monthly)
    full = frame["report_count"].where(frame["state"] == "complete")
    fig = go.Figure()
    per = ctx.t("reports_per_month" if monthly else "reports_per_year")
    fig.add_scatter(x=x, y=full, name=per, mode="lines+markers", connectgaps=False,
                    line=dict(color=ACCENT, width=1.5 if monthly else 2.5), marker=dict(size=4 if monthly else 8),
                    customdata=frame["report_count_display"], hovertemplate="%{x}: %{customdata}<extra></extra>")
    if monthly:
        frame["rolling_12"] = measures.rolling_12(full)
        fig.add_scatter(x=x, y=frame["rolling_12"].round(1), name=ctx.t("rolling_12"), mode="lines",
                        line=dict(color=PALETTE[3], width=3), hovertemplate="%{y:,.0f}<extra></extra>")
    part = frame["state"] == "partial"
    if part.any():
        fig.add_scatter(x=x[part], y=frame.loc[part, "report_count"], name=ctx.t("rg_partial_points"), mode="markers+text",
                        marker=dict(size=10 if not monthly else 6, color="white", line=dict(color=MUTED, width=2)),
                        text=frame.loc[part, "report_count_display"], textposition="top center", cliponaxis=False,
                        customdata=frame.loc[part, "report_count_display"], hovertemplate="%{x}: %{customdata}<extra></extra>")
    style(fig, y_title=ctx.t("reports"), height=420)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    if not monthly:
        fig.update_xaxes(type="category")
        _mark_missing(ctx, fig, frame)
    else:  # the axis ends with the data, not months later
        first, last = pd.Timestamp(frame["period_start"].min()), pd.Timestamp(frame["period_start"].max())
        fig.update_xaxes(range=[first - pd.Timedelta(days=20), last + pd.Timedelta(days=20)])
    notes = ctx.notes(regional=True) if regional else ctx.notes() + [ctx.t("rg_note_fd")]
    notes += _period_notes(ctx, frame) + ctx.cell_key_notes()
    title = _trend_title(ctx, f, name, fetch)
    table = pd.DataFrame({
        ctx.t("period"): frame["label"].to_numpy(),
        ctx.t("reports"): frame["report_count"].to_numpy(),
        "display": frame["report_count_display"].to_numpy(),
        ctx.t("status"): [ctx.period_status(p) for p in frame["period_start"]],
    })
    if monthly:
        table[ctx.t("rolling_12")] = frame["rolling_12"].round(1).to_numpy()
    # The subtitle names the unit the line shows (not "Todo el país" for one region's line).
    unit = Context(ctx.con, f, ctx.options, ctx.shared) if regional else ctx
    subtitle = _subtitle(unit, selection_text(ctx)) if regional else f"{selection_text(ctx)} · {name}"
    return ChartSpec(
        chart_id=chart_id, kind="line", title=title, subtitle=subtitle,
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("period"), y=ctx.t("reports"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
        overlay=(ctx.t("rolling_12"),) if monthly else (),
    )


def _trend_title(ctx: Context, f: Filters, name: str, fetch: Fetch) -> str:
    """Growth of the unit over equal spans (`Context.span()`); else its total over the
    complete periods of the selection (or the part-period it only has). Each span's count is
    the unit's own cell over that span."""
    span = growth_span(ctx)
    if span is not None:
        cur = _cells(ctx, fetch, f.with_(period_from=span.current_from, period_to=span.current_to))
        prev = _cells(ctx, fetch, f.with_(period_from=span.previous_from, period_to=span.previous_to))
        if prev >= MIN_BASE:
            g = measures.growth_pct(cur, prev)
            key = "rg_trend_title_up" if g >= 0 else "rg_trend_title_down"
            return ctx.t(key, region=name, pct=i18n.fmt_pct(abs(g), ctx.lang),
                         period=i18n.fmt_span(span.current_from, span.current_to, span.grain, ctx.lang),
                         prev=i18n.fmt_span(span.previous_from, span.previous_to, span.grain, ctx.lang))
    basis = rate_basis(ctx)
    total = _cells(ctx, fetch, f, basis.periods)
    return ctx.t("rg_trend_title_plain", region=name, n=i18n.fmt_int(total, ctx.lang), period=basis_text(ctx, basis))


# One region's trend ----------------------------------------------------------------------

def region_of(ctx: Context) -> str:
    """The region code of the `region` option (default Lima, '15'); ValueError for an unknown code."""
    code = str(ctx.options.get("region", DEFAULT_REGION))
    if code not in set(queries.regions(ctx.con)["region_code"]):
        raise ValueError(f"unknown region code {code!r}")
    return code


@chart("rg_trend")
def region_trend(ctx: Context) -> ChartSpec | None:
    """One region's reports per month (12-month rolling mean) or per year (option `region`)."""
    code = region_of(ctx)
    f = ctx.f.with_(regions=(code,))
    return _trend_spec(ctx, "rg_trend", ctx.region_name(code), f, _fetch(ctx, "region")[0], regional=True)


# One fiscal district's trend -------------------------------------------------------------

def fiscal_district_options(ctx: Context) -> list[str]:
    """Fiscal districts the page offers (offices in the regions filter), by name."""
    if not has_fiscal_districts(ctx):
        return []
    codes = queries_regions.fiscal_districts(ctx.con, ctx.f.source, ctx.f.regions)["fiscal_district"].unique()
    return sorted(codes, key=fiscal_district_name)


def default_fiscal_district(ctx: Context) -> str | None:
    """The fiscal district with the most reports under the filters (the trend's default)."""
    df = queries_regions.fiscal_district_counts(ctx.con, ctx.f)
    if df.empty or df["report_count"].fillna(0).sum() == 0:
        options = fiscal_district_options(ctx)
        return options[0] if options else None
    return str(df.sort_values(["report_count", "fiscal_district"], ascending=[False, True])["fiscal_district"].iloc[0])


@chart("rg_fd_trend")
def fiscal_district_trend(ctx: Context) -> ChartSpec | None:
    """One fiscal district's reports per year (option `district`, the MPFN name, e.g.
    'LIMA NOROESTE'; default: the largest). None for sources without fiscal districts."""
    if not has_fiscal_districts(ctx):
        return None
    code = ctx.options.get("district") or default_fiscal_district(ctx)
    if code is None:
        return None
    if code not in set(queries_regions.fiscal_districts(ctx.con, ctx.f.source)["fiscal_district"]):
        raise ValueError(f"unknown fiscal district {code!r}")
    return _trend_spec(ctx, "rg_fd_trend", fiscal_district_name(code), ctx.f,
                       lambda g, by: queries_regions.fiscal_district_counts(ctx.con, g, by, district=code),
                       regional=False)


# Lima Metropolitana vs the rest of Lima ---------------------------------------------------

def lima_status(ctx: Context) -> str:
    """'ok', or why the split is not shown: 'not_split' (a source without it), 'not_in_filter'
    (the regions filter leaves Lima out)."""
    if not queries_regions.lima_split_available(ctx.con, ctx.f.source):
        return "not_split"
    if ctx.f.regions and LIMA not in ctx.f.regions:
        return "not_in_filter"
    return "ok"


def lima_has_rate(ctx: Context) -> bool:
    """Whether the Lima split shows rates: not under a victim-group filter, as there is no
    population by age for Lima Metropolitana and the rest of Lima (a rate of some groups'
    reports over everyone would understate it)."""
    return not (ctx.f.groups and ctx.has_age)


@chart("rg_lima")
def lima_split(ctx: Context) -> ChartSpec | None:
    """Lima Metropolitana vs the rest of Lima region: reports (and, without a victim-group
    filter, the rate per 100,000) over time. Each area and period is a published cell."""
    if lima_status(ctx) != "ok":
        return None
    f, lang = ctx.f, ctx.lang
    df = queries.lima_split(ctx.con, f)
    if df.empty or df["report_count"].fillna(0).sum() == 0:
        return None
    areas = queries.lima_areas(ctx.con).set_index("lima_area")
    parts = []
    for area in areas.index:
        frame = series_frame(ctx, df[df["lima_area"] == area])
        parts.append(frame.assign(lima_area=area))
    df = pd.concat(parts, ignore_index=True)
    df["report_count_display"] = _counts_display(ctx, df)
    pop = df["lima_area"].map(areas["population_2020"]).astype("float64")
    df["rate"] = df["report_count"] / pop * 100_000
    df["area_name"] = df["lima_area"].map(areas[f"name_{lang}"])
    monthly = f.grain == "month"
    per = ctx.t("rg_per_month" if monthly else "rg_per_year")
    with_rate = lima_has_rate(ctx)

    titles = [ctx.t("rg_lima_panel_reports", per=per)] + ([ctx.t("rg_lima_panel_rate", per=per)] if with_rate else [])
    fig = make_subplots(rows=len(titles), cols=1, shared_xaxes=True, vertical_spacing=0.09, subplot_titles=titles)
    mode = "lines" if monthly else "lines+markers"
    colours = {area: PALETTE[0] if area == "metro" else PALETTE[1] for area in areas.index}
    for area in areas.index:
        part = df[df["lima_area"] == area]
        full = part["state"] == "complete"
        x = _x(part, monthly)
        hover = [f"{n}: {d}" for n, d in zip(part["area_name"], part["report_count_display"])]
        fig.add_scatter(x=x, y=part["report_count"].where(full), name=part["area_name"].iloc[0], mode=mode,
                        connectgaps=False, line=dict(color=colours[area], width=2), legendgroup=area, hovertext=hover,
                        hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
        if with_rate:
            rate_hover = [f"{n}: {i18n.fmt_num(r, lang, 2)}" for n, r in zip(part["area_name"], part["rate"])]
            fig.add_scatter(x=x, y=part["rate"].where(full).round(2), name=part["area_name"].iloc[0], mode=mode,
                            connectgaps=False, line=dict(color=colours[area], width=2, dash="solid" if area == "metro" else "dot"),
                            legendgroup=area, showlegend=False, hovertext=rate_hover,
                            hovertemplate="%{hovertext}<extra></extra>", row=2, col=1)
    # Part-periods: hollow points, not joined to the full periods' line.
    for area in areas.index:
        part = df[(df["lima_area"] == area) & (df["state"] == "partial")]
        if part.empty:
            continue
        x = _x(part, monthly)
        marker = dict(size=9, color="white", line=dict(color=colours[area], width=2))
        name = f"{part['area_name'].iloc[0]} · {ctx.t('rg_partial_points')}"
        fig.add_scatter(x=x, y=part["report_count"], name=name, mode="markers", marker=marker, legendgroup=area,
                        hovertext=[f"{n}: {d}" for n, d in zip(part["area_name"], part["report_count_display"])],
                        hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
        if with_rate:
            fig.add_scatter(x=x, y=part["rate"].round(2), name=name, mode="markers", marker=marker, legendgroup=area,
                            showlegend=False, hovertext=[f"{n}: {i18n.fmt_num(r, lang, 2)}" for n, r in zip(part["area_name"], part["rate"])],
                            hovertemplate="%{hovertext}<extra></extra>", row=2, col=1)
    style(fig, height=540 if with_rate else 380)
    fig.update_layout(margin=dict(l=10, r=10, t=70, b=10))
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(title_text=ctx.t("reports"), row=1, col=1)
    if with_rate:
        fig.update_yaxes(title_text=ctx.t("rg_unit_rate_short"), row=2, col=1)
    fig.update_annotations(font_size=13, x=0, xanchor="left")
    if not monthly:
        fig.update_xaxes(type="category")
        _mark_missing(ctx, fig, df, xref="x2" if with_rate else "x", yref="y2 domain" if with_rate else "y domain")

    notes = ctx.notes()
    notes.append(ctx.t("rg_lima_note_areas"))
    if f.source == "mpfn":
        notes.append(ctx.t("rg_lima_note_mpfn"))
    if not with_rate:
        notes.append(ctx.t("rg_lima_note_groups_pop"))
    notes += _period_notes(ctx, df) + ctx.cell_key_notes()

    table = pd.DataFrame({
        ctx.t("period"): df["label"].to_numpy(),
        ctx.t("rg_col_area"): df["area_name"].to_numpy(),
        ctx.t("reports"): df["report_count"].to_numpy(),
        "display": df["report_count_display"].to_numpy(),
    })
    if with_rate:
        table[ctx.t("rg_col_rate_period", per=per)] = df["rate"].round(2).to_numpy()
    table[ctx.t("status")] = [ctx.period_status(p) for p in df["period_start"]]
    return ChartSpec(
        chart_id="rg_lima", kind="line", title=_lima_title(ctx, areas), source_line=ctx.source_line(),
        subtitle=_subtitle(ctx, selection_text(ctx), extra=ctx.t("rg_lima_subtitle")),
        figure=fig, data=table, x=ctx.t("period"), y=ctx.t("reports"),
        series=ctx.t("rg_col_area"), lang=lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )


def lima_totals(ctx: Context, periods) -> tuple[float, float, float]:
    """(Lima Metropolitana, rest of Lima, Lima region) reports over `periods`, as published.

    Lima region is its own cell (the same one the map shows for Lima), never metro + rest;
    each area is one cell per run of consecutive periods (one cell when the periods have no
    gap)."""
    f = ctx.f
    frames = [queries.lima_split(ctx.con, f.with_(period_from=a, period_to=b), by_period=False)
              for a, b in _runs(ctx, periods)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["lima_area", "report_count"])
    by_area = pd.to_numeric(df["report_count"], errors="coerce").fillna(0.0).groupby(df["lima_area"]).sum()
    region = _total_count(ctx, f.with_(regions=(LIMA,)), periods)
    return float(by_area.get("metro", 0.0)), float(by_area.get("rest", 0.0)), region


def _lima_title(ctx: Context, areas: pd.DataFrame) -> str:
    """Metro's share of Lima region's reports (the region's own count), and both areas' rates
    over the complete periods (no rates under a victim-group filter)."""
    lang = ctx.lang
    basis = rate_basis(ctx)
    period = basis_text(ctx, basis) if basis.periods else selection_text(ctx)
    if not basis.periods:
        return ctx.t("rg_lima_title_plain", period=period)
    metro, rest, region = lima_totals(ctx, basis.periods)
    if region == 0:
        return ctx.t("rg_lima_title_plain", period=period)
    share = measures.share_pct(metro, region)
    if not lima_has_rate(ctx):
        return ctx.t("rg_lima_title_share", share=i18n.fmt_pct(share, lang), period=period)
    r_metro = measures.rate_per_100k(metro, areas.loc["metro", "population_2020"]) / basis.years
    r_rest = measures.rate_per_100k(rest, areas.loc["rest", "population_2020"]) / basis.years
    key = "rg_lima_title_annual" if basis.annual_average else "rg_lima_title"
    return ctx.t(key, share=i18n.fmt_pct(share, lang), metro=i18n.fmt_num(r_metro, lang, 1),
                 rest=i18n.fmt_num(r_rest, lang, 1), period=period)
