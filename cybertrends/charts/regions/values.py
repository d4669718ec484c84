"""One value per region or fiscal district (count, rate or growth: RegionValues) from published cells,
with the findings, table and hover text the map and the rankings share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts.base import Context
from cybertrends.charts.figure import Figure
from cybertrends.charts.regions.basis import (
    FD_METRICS,
    GROUPINGS,
    MIN_BASE,
    _basis_notes,
    basis_text,
    fiscal_district_name,
    fmt_value,
    growth_span,
    populations,
    rate_basis,
)
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters


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
                       lambda: queries.has_fiscal_districts(ctx.con, ctx.f.source))


def _scope(ctx: Context, geo: str) -> pd.DataFrame:
    """The units the map or ranking shows: code, name (and, by fiscal district, the regions of
    its offices)."""
    if geo == "region":
        ref = ctx.reference(queries.regions)[["region_code", "region_name"]]
        if ctx.f.regions:
            ref = ref[ref["region_code"].isin(ctx.f.regions)]
        return ref.rename(columns={"region_code": "code", "region_name": "name"}).reset_index(drop=True)
    pairs = queries.fiscal_districts(ctx.con, ctx.f.source, ctx.f.regions)
    offices = pairs.groupby("fiscal_district")["region_code"].agg(
        lambda codes: ", ".join(sorted(ctx.region_name(c) for c in codes)))
    table = pd.DataFrame({"code": offices.index.astype(str), "offices": offices.to_numpy()})
    table["name"] = [fiscal_district_name(c) for c in table["code"]]
    return table[["code", "name", "offices"]].reset_index(drop=True)


Fetch = Callable[[Filters, tuple[str, ...]], pd.DataFrame]  # (filters, breakdown) -> published cells


def _fetch(ctx: Context, geo: str) -> tuple[Fetch, str]:
    """The query of a geography's published counts, and the column naming its units."""
    if geo == "region":
        return (lambda g, by: queries.counts(ctx.con, g, by, money=False)), "region_code"
    return (lambda g, by: queries.fiscal_district_counts(ctx.con, g, by)), "fiscal_district"


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


def _spec(ctx: Context, chart_id: str, kind: str, title: str, rv: RegionValues, fig: Figure) -> ChartSpec:
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
