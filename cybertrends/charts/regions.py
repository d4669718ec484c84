"""Regions page: a map and a ranking of the 25 regions (count, rate per 100,000 inhabitants or
growth), one region's own trend, and Lima Metropolitana against the rest of Lima region.

Choices (stated on the charts too):
- **Rate**: reports per 100,000 inhabitants (2020 population, MINSA) over the complete periods of
  the selection. A selection longer than 12 months shows the *annual average* (the count divided
  by the number of years covered); up to 12 months, the rate of that span, not annualised. With
  a victim-group filter (sources that record age) the population is that of the chosen groups.
- **Growth**: the latest complete span in the selection against the same span a year earlier
  (`measures.headline_span`: the last complete year vs the year before, or Jan–Jun 2025 vs
  Jan–Jun 2024 for a year in progress). Regions with fewer than `MIN_BASE` reports in the
  earlier span get no growth figure (grey on the map).
- **Regions filter**: only the chosen regions are coloured and ranked; the others stay on the
  map in light grey. The national value (whole country) is the reference.
- **Minors**: when the filters leave only minors' cases, region counts of 1–4 are "<5"; their
  rate and growth are not shown either.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cybertrends import i18n, measures, paths, queries, queries_regions
from cybertrends.chartspec import ChartSpec
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, DIVERGING, MUTED, PALETTE, SEQUENTIAL, Context, style

METRICS = ("count", "rate", "growth")
DEFAULT_METRIC = "rate"
DEFAULT_REGION = "15"  # Lima
LIMA = "15"
MIN_BASE = 20  # reports in the earlier span needed to show a region's growth
GEOJSON = paths.REFERENCE_DIR / "peru_departments.geojson"
FEATURE_KEY = "properties.FIRST_IDDP"  # the 2-digit INEI region code

# Blues without the near-white end, so the lowest regions stay visible on a white page.
RATE_SCALE = [[i / (len(SEQUENTIAL) - 2), c] for i, c in enumerate(SEQUENTIAL[1:])]
NOT_SELECTED = "#EEF0F3"  # regions outside the regions filter
NO_VALUE = MUTED  # small base or suppressed
BORDER = "#7B8794"
UP, DOWN = "#D55E00", "#0072B2"  # the ends of DIVERGING: growth up / down


@cache
def geojson() -> dict:
    """Peru's 25 first-level regions (properties.FIRST_IDDP = INEI code)."""
    return json.loads(GEOJSON.read_text(encoding="utf-8"))


def metric_of(ctx: Context) -> str:
    metric = ctx.options.get("metric", DEFAULT_METRIC)
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    return metric


def fmt_value(metric: str, value, lang: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    if metric == "count":
        return i18n.fmt_int(value, lang)
    if metric == "rate":
        return i18n.fmt_num(value, lang, 1)
    return i18n.fmt_pct(value, lang, signed=True)


def _first_period(d: date, grain: str) -> date:
    return date(d.year, 1, 1) if grain == "year" else date(d.year, d.month, 1)


def n_periods(start: date, end: date, grain: str) -> int:
    if grain == "year":
        return end.year - start.year + 1
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass(frozen=True)
class RateBasis:
    """The span a rate covers and how it is expressed."""

    start: date
    end: date  # first day of the last period included
    years: float  # divisor: >1 means an annual average
    complete: bool  # all periods in the span are complete

    @property
    def annual_average(self) -> bool:
        return self.years > 1


def rate_basis(ctx: Context) -> RateBasis:
    """Complete periods of the selection (within the data's coverage)."""
    f, cov = ctx.f, ctx.coverage
    start = max(f.period_from, _first_period(cov["first_date"], f.grain))
    end = min(f.period_to, measures.last_complete_period(f.grain, cov["last_date"]))
    complete = True
    if end < start:  # only an incomplete period selected: use it, and say so
        start, end, complete = f.period_from, f.period_to, False
    n = n_periods(start, end, f.grain)
    years = float(n) if f.grain == "year" else (n / 12.0 if n >= 12 else 1.0)
    return RateBasis(start, end, years, complete)


def growth_span(ctx: Context) -> measures.Span | None:
    """The equal spans growth compares, or None when the data do not reach the earlier one."""
    span = measures.headline_span(ctx.f, ctx.coverage["last_date"])
    if span.previous_from < _first_period(ctx.coverage["first_date"], ctx.f.grain):
        return None
    if span.current_to < _first_period(ctx.coverage["first_date"], ctx.f.grain):
        return None
    return span


def growth_unavailable(ctx: Context) -> str | None:
    """Why growth cannot be shown for these filters (for the page), or None."""
    if growth_span(ctx) is not None:
        return None
    cov = ctx.coverage
    return ctx.t("rg_growth_unavailable", first=i18n.fmt_date(cov["first_date"], ctx.lang),
                 last=i18n.fmt_date(cov["last_date"], ctx.lang))


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


@dataclass
class RegionValues:
    """One value per region in scope for a metric, with the national reference."""

    metric: str
    table: pd.DataFrame  # region_code, region_name, count, [count_prev], [population], value, status
    national: float | None
    national_count: float | None
    subtitle: str
    period_text: str  # the span in words, for titles
    unit: str  # axis / colour-bar label
    notes: list[str] = field(default_factory=list)
    previous_text: str = ""
    annual: bool = False  # rate: an annual average over several years

    @property
    def shown(self) -> pd.DataFrame:
        return self.table[self.table["status"] == "ok"]


def _scope(ctx: Context) -> pd.DataFrame:
    ref = queries.regions(ctx.con)[["region_code", "region_name"]]
    if ctx.f.regions:
        ref = ref[ref["region_code"].isin(ctx.f.regions)]
    return ref.reset_index(drop=True)


def _region_counts(ctx: Context, f) -> pd.Series:
    df = queries.counts(ctx.con, f, ("region_code",))
    return df.set_index("region_code")["report_count"].astype("float64")


def _national_count(ctx: Context, f) -> float:
    return float(queries.counts(ctx.con, f.with_(regions=()))["report_count"].iloc[0] or 0)


def region_values(ctx: Context, metric: str) -> RegionValues | None:
    """The values the map and the ranking show; None when the filters leave no data (or
    growth has no earlier span to compare with)."""
    f, lang = ctx.f, ctx.lang
    minors = measures.minors_only(f)
    table = _scope(ctx)
    notes = ctx.notes(regional=True)
    if f.regions:
        notes.append(ctx.t("rg_note_filter"))

    if metric == "growth":
        span = growth_span(ctx)
        if span is None:
            return None
        cur_f = f.with_(period_from=span.current_from, period_to=span.current_to)
        prev_f = f.with_(period_from=span.previous_from, period_to=span.previous_to)
        cur, prev = _region_counts(ctx, cur_f), _region_counts(ctx, prev_f)
        table["count"] = table["region_code"].map(cur).fillna(0.0)
        table["count_prev"] = table["region_code"].map(prev).fillna(0.0)
        if table["count"].sum() == 0 and table["count_prev"].sum() == 0:
            return None
        hidden = [measures.is_suppressed_value(c, minors) or measures.is_suppressed_value(p, minors)
                  for c, p in zip(table["count"], table["count_prev"])]
        small = [(p < MIN_BASE) and not h for p, h in zip(table["count_prev"], hidden)]
        table["status"] = np.select([hidden, small], ["suppressed", "small_base"], "ok")
        table["value"] = [measures.growth_pct(c, p) if s == "ok" else np.nan
                          for c, p, s in zip(table["count"], table["count_prev"], table["status"])]
        # The earlier/later counts of a suppressed region are hidden as well.
        for col in ("count", "count_prev"):
            table[col] = table[col].where(table["status"] != "suppressed")
        nat_cur, nat_prev = _national_count(ctx, cur_f), _national_count(ctx, prev_f)
        national = None
        if nat_prev >= MIN_BASE and not measures.is_suppressed_value(nat_cur, minors):
            national = measures.growth_pct(nat_cur, nat_prev)
        cur_text = i18n.fmt_span(span.current_from, span.current_to, span.grain, lang)
        prev_text = i18n.fmt_span(span.previous_from, span.previous_to, span.grain, lang)
        subtitle = ctx.subtitle(span.current_from, span.current_to,
                                extra=ctx.t("rg_growth_basis", prev=prev_text))
        if (table["status"] == "small_base").any():
            small = list(table.loc[table["status"] == "small_base", "region_name"])
            names = ", ".join(small) if len(small) <= 8 else ctx.t("n_regions", n=len(small))
            notes.append(ctx.t("rg_note_small_base", n=MIN_BASE, prev=prev_text, regions=names))
        rv = RegionValues(metric, table, national, nat_cur, subtitle, cur_text, ctx.t("rg_unit_growth", prev=prev_text),
                          notes, prev_text)
    else:
        if metric == "rate":
            basis = rate_basis(ctx)
            span_f = f.with_(period_from=basis.start, period_to=basis.end)
        else:
            basis, span_f = None, f
        counts = _region_counts(ctx, span_f)
        table["count"] = table["region_code"].map(counts).fillna(0.0)
        if table["count"].sum() == 0:
            return None
        hidden = [measures.is_suppressed_value(c, minors) for c in table["count"]]
        table["status"] = np.where(hidden, "suppressed", "ok")
        table["count"] = table["count"].where(~np.array(hidden))
        nat_count = _national_count(ctx, span_f)
        if measures.is_suppressed_value(nat_count, minors):
            nat_count = None
        period_text = ctx.period_label(span_f.period_from, span_f.period_to)
        if metric == "count":
            table["value"] = table["count"]
            national = nat_count
            subtitle = ctx.subtitle()
            unit = ctx.t("reports")
        else:
            pop, pop_key = populations(ctx)
            table["population"] = table["region_code"].map(pop).astype("float64")
            table["value"] = [
                np.nan if s != "ok" else (measures.rate_per_100k(c, p) or 0.0) / basis.years
                for c, p, s in zip(table["count"], table["population"], table["status"])
            ]
            national = None
            if nat_count is not None:
                national = measures.rate_per_100k(nat_count, float(pop.sum())) / basis.years
            key = "rg_rate_basis_annual" if basis.annual_average else (
                "rg_rate_basis" if n_periods(basis.start, basis.end, f.grain) >= 12 or f.grain == "year" else "rg_rate_basis_short")
            subtitle = ctx.subtitle(basis.start, basis.end, extra=ctx.t(key, pop=ctx.t(pop_key)))
            unit = ctx.t("rg_unit_rate_annual" if basis.annual_average else "rg_unit_rate")
            if pop_key == "rg_pop_total" and f.groups and ctx.has_age:
                notes.append(ctx.t("rg_note_unknown_age_pop"))
            if not basis.complete:
                notes.append(ctx.t("rg_note_rate_incomplete"))
            elif basis.end < f.period_to or basis.start > f.period_from:
                notes.append(ctx.t("rg_note_rate_span", period=period_text))
        rv = RegionValues(metric, table, national, nat_count, subtitle, period_text, unit, notes,
                          annual=bool(basis and basis.annual_average))
    if metric == "count":
        _note_incomplete(ctx, rv.notes, ctx.f.period_to)
    if (rv.table["status"] == "suppressed").any():
        rv.notes.append(ctx.t("rg_note_suppressed"))
    if rv.shown.empty and metric != "growth":
        return None
    return rv


def _note_incomplete(ctx: Context, notes: list[str], last_period: date) -> None:
    if not ctx.is_complete(last_period):
        notes.append(ctx.t("note_incomplete", period=i18n.fmt_period(last_period, ctx.f.grain, ctx.lang),
                           as_of=i18n.fmt_date(ctx.coverage["last_date"], ctx.lang)))


def _status_text(ctx: Context, status: str) -> str:
    return {"ok": "", "suppressed": ctx.t("rg_status_suppressed"), "small_base": ctx.t("rg_status_small_base", n=MIN_BASE)}[status]


def _display(ctx: Context, values, statuses, metric: str) -> list[str]:
    """Text of each value: "<5" for a suppressed minors' count, "–" where there is none."""
    return [i18n.SUPPRESSED if s == "suppressed" else fmt_value(metric, v, ctx.lang) for v, s in zip(values, statuses)]


def finding(ctx: Context, rv: RegionValues) -> str:
    """The map's title: the top region by the metric, with its number."""
    shown = rv.shown.sort_values(["value", "region_name"], ascending=[False, True])
    lang = ctx.lang
    if shown.empty:
        return ctx.t("rg_title_growth_none", prev=rv.previous_text, period=rv.period_text, n=MIN_BASE)
    top = shown.iloc[0]
    value = fmt_value(rv.metric, top["value"], lang)
    one = len(shown) == 1
    if rv.metric == "count":
        share = measures.share_pct(top["value"], rv.national_count) if rv.national_count else None
        key = "rg_title_count_one" if one else "rg_title_count"
        return ctx.t(key, region=top["region_name"], n=value, share=i18n.fmt_pct(share, lang), period=rv.period_text)
    if rv.metric == "rate":
        key = ("rg_title_rate_one" if one else "rg_title_rate") + ("_annual" if rv.annual else "")
        return ctx.t(key, region=top["region_name"], rate=value, period=rv.period_text)
    if one:
        return ctx.t("rg_title_growth_one", region=top["region_name"], pct=value, period=rv.period_text, prev=rv.previous_text)
    if top["value"] < 0:
        return ctx.t("rg_title_growth_all_down", region=top["region_name"], pct=value, period=rv.period_text, prev=rv.previous_text)
    return ctx.t("rg_title_growth", region=top["region_name"], pct=value, period=rv.period_text, prev=rv.previous_text)


def rank_finding(ctx: Context, rv: RegionValues) -> str:
    """The ranking's title: how the regions sit against the national value."""
    shown, lang = rv.shown, ctx.lang
    if rv.metric == "count":
        k = min(3, len(shown))
        top = shown["value"].nlargest(k).sum()
        share = measures.share_pct(top, rv.national_count) if rv.national_count else None
        if share is None:
            return finding(ctx, rv)
        return ctx.t("rg_rank_count", k=k, share=i18n.fmt_pct(share, lang), period=rv.period_text)
    if rv.national is None or shown.empty:
        return finding(ctx, rv)
    above = int((shown["value"] > rv.national).sum())
    national = fmt_value(rv.metric, rv.national, lang)
    key = "rg_rank_rate" if rv.metric == "rate" else "rg_rank_growth"
    return ctx.t(key, n=above, total=len(shown), national=national, period=rv.period_text, prev=rv.previous_text)


def _table(ctx: Context, rv: RegionValues) -> tuple[pd.DataFrame, str, str]:
    """The data behind the map and the ranking, display-ready; returns (table, x, y)."""
    t = rv.table.copy()
    t["_order"] = t["value"].fillna(-np.inf)
    t = t.sort_values(["_order", "region_name"], ascending=[False, True])
    x, y = ctx.t("region"), rv.unit
    out = pd.DataFrame({x: t["region_name"].to_numpy(), ctx.t("rg_col_code"): t["region_code"].to_numpy()})
    if rv.metric == "growth":
        out[ctx.t("rg_col_reports_prev", prev=rv.previous_text)] = t["count_prev"].to_numpy()
        out[ctx.t("rg_col_reports_period", period=rv.period_text)] = t["count"].to_numpy()
    elif rv.metric == "rate":
        out[ctx.t("reports")] = t["count"].to_numpy()
        out[ctx.t("rg_col_population")] = t["population"].to_numpy()
    value = t["value"].to_numpy(dtype="float64")
    out[y] = np.round(value, 1) if rv.metric != "count" else value
    out["display"] = _display(ctx, t["value"], t["status"], rv.metric)
    out[ctx.t("rg_col_status")] = [_status_text(ctx, s) for s in t["status"]]
    return out, x, y


def _spec(ctx: Context, chart_id: str, kind: str, title: str, rv: RegionValues, fig: go.Figure) -> ChartSpec:
    data, x, y = _table(ctx, rv)
    return ChartSpec(
        chart_id=chart_id, kind=kind, title=title, subtitle=rv.subtitle, source_line=ctx.source_line(),
        figure=fig, data=data, x=x, y=y, lang=ctx.lang, synthetic=ctx.synthetic, display_column="display",
        notes=list(rv.notes), y_format={"count": "count", "rate": "rate", "growth": "percent"}[rv.metric],
    )


def _hover(ctx: Context, rv: RegionValues, row) -> str:
    name = row["region_name"]
    if row["status"] == "suppressed":
        return f"<b>{name}</b><br>{ctx.t('reports')}: {i18n.SUPPRESSED}"
    if row["status"] == "small_base":
        return f"<b>{name}</b><br>{ctx.t('rg_status_small_base', n=MIN_BASE)}"
    text = f"<b>{name}</b><br>{rv.unit}: {fmt_value(rv.metric, row['value'], ctx.lang)}"
    if rv.metric == "rate":
        text += f"<br>{ctx.t('reports')}: {i18n.fmt_int(row['count'], ctx.lang)}"
    if rv.metric == "growth":
        text += (f"<br>{rv.period_text}: {i18n.fmt_int(row['count'], ctx.lang)}"
                 f"<br>{rv.previous_text}: {i18n.fmt_int(row['count_prev'], ctx.lang)}")
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
    outside = ref[~ref["region_code"].isin(rv.table["region_code"])]
    if not outside.empty:
        fig.add_choroplethmap(
            locations=outside["geojson_id"], z=[0] * len(outside), colorscale=[[0, NOT_SELECTED], [1, NOT_SELECTED]],
            showscale=False, hovertext=[f"<b>{n}</b><br>{ctx.t('rg_not_selected')}" for n in outside["region_name"]],
            name=ctx.t("rg_not_selected"), showlegend=True, **common)
    geo_id = ref.set_index("region_code")["geojson_id"]
    missing = rv.table[rv.table["status"] != "ok"]
    if not missing.empty:
        fig.add_choroplethmap(
            locations=missing["region_code"].map(geo_id), z=[0] * len(missing), colorscale=[[0, NO_VALUE], [1, NO_VALUE]],
            showscale=False, hovertext=[_hover(ctx, rv, r) for _, r in missing.iterrows()],
            name=ctx.t("rg_no_value"), showlegend=True, **common)
    shown = rv.shown
    if not shown.empty:
        colour = dict(colorscale=RATE_SCALE)
        if metric == "growth":
            bound = float(np.nanmax(np.abs(shown["value"]))) or 1.0
            colour = dict(colorscale=DIVERGING, zmid=0, zmin=-bound, zmax=bound)
        fig.add_choroplethmap(
            locations=shown["region_code"].map(geo_id), z=shown["value"].round(1),
            hovertext=[_hover(ctx, rv, r) for _, r in shown.iterrows()],
            colorbar=dict(title=dict(text=rv.unit, side="right"), ticksuffix=" %" if metric == "growth" else "",
                          thickness=14, len=0.75, tickformat=",.0f" if metric == "count" else None),
            name=rv.unit, showlegend=False, **colour, **common)
    height = 520
    style(fig, height=height)
    fig.update_layout(map=dict(style="white-bg", **map_view(height - 40)), hovermode="closest",
                      margin=dict(l=0, r=0, t=30, b=0),
                      legend=dict(orientation="v", yanchor="bottom", y=0.02, xanchor="left", x=0.01,
                                  bgcolor="rgba(255,255,255,0.8)"))
    return _spec(ctx, "rg_map", "map", finding(ctx, rv), rv, fig)


@chart("rg_rank")
def region_rank(ctx: Context) -> ChartSpec | None:
    """The regions ranked by the same metric, with the national value as reference."""
    metric = metric_of(ctx)
    rv = region_values(ctx, metric)
    if rv is None or rv.shown.empty:  # nothing to rank (the map explains why)
        return None
    shown = rv.shown.sort_values(["value", "region_name"], ascending=[True, False])  # top bar = highest
    texts = [fmt_value(metric, v, ctx.lang) for v in shown["value"]]
    if metric == "growth":
        colours = [UP if v >= 0 else DOWN for v in shown["value"]]
    else:
        colours = [ACCENT] * len(shown)
    fig = go.Figure(go.Bar(
        x=shown["value"], y=shown["region_name"], orientation="h", marker_color=colours, text=texts,
        textposition="outside", cliponaxis=False, hovertext=[_hover(ctx, rv, r) for _, r in shown.iterrows()],
        hovertemplate="%{hovertext}<extra></extra>", name=rv.unit,
    ))
    style(fig, x_title=rv.unit, height=max(360, 130 + 22 * len(shown)))
    fig.update_layout(hovermode="closest", showlegend=False, bargap=0.25, margin=dict(l=10, r=10, t=40, b=10))
    fig.update_yaxes(gridcolor="rgba(0,0,0,0)", rangemode="normal", type="category", automargin=True)
    # Room for the value labels on both sides of zero.
    values = list(shown["value"]) + ([rv.national] if rv.national is not None and metric != "count" else [])
    lo, hi = min(0.0, *values), max(0.0, *values)
    pad = 0.2 * ((hi - lo) or 1.0)
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
    return _spec(ctx, "rg_rank", "hbar", rank_finding(ctx, rv), rv, fig)


# One region's trend ----------------------------------------------------------------------

def region_of(ctx: Context) -> str:
    code = str(ctx.options.get("region", DEFAULT_REGION))
    if code not in set(queries.regions(ctx.con)["region_code"]):
        raise ValueError(f"unknown region code {code!r}")
    return code


@chart("rg_trend")
def region_trend(ctx: Context) -> ChartSpec | None:
    """One region's reports per month (12-month rolling mean) or per year (option `region`)."""
    code = region_of(ctx)
    f = ctx.f.with_(regions=(code,))
    name = ctx.region_name(code)
    df = queries.counts(ctx.con, f, ("period_start",))
    if df.empty or df["report_count"].fillna(0).sum() == 0:
        return None
    df = measures.suppress(df, f, lang=ctx.lang)
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["complete"] = [ctx.is_complete(p) for p in df["period_start"]]
    monthly = f.grain == "month"
    fig = go.Figure()
    colours = [ACCENT if c else MUTED for c in df["complete"]]
    if monthly:
        df["rolling_12"] = measures.rolling_12(df["report_count"])
        fig.add_scatter(x=df["period_start"], y=df["report_count"], name=ctx.t("reports_per_month"), mode="lines+markers",
                        line=dict(color=ACCENT, width=1.5), marker=dict(size=4, color=colours),
                        customdata=df["report_count_display"], hovertemplate="%{customdata}<extra></extra>")
        fig.add_scatter(x=df["period_start"], y=df["rolling_12"].round(1), name=ctx.t("rolling_12"), mode="lines",
                        line=dict(color=PALETTE[3], width=3), hovertemplate="%{y:,.0f}<extra></extra>")
    else:
        fig.add_bar(x=df["period_start"].dt.year.astype(str), y=df["report_count"], name=ctx.t("reports_per_year"),
                    marker_color=colours, customdata=df["report_count_display"], hovertemplate="%{customdata}<extra></extra>",
                    text=df["report_count_display"], textposition="outside", cliponaxis=False)
        fig.update_xaxes(type="category")
    style(fig, y_title=ctx.t("reports"), height=420)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    notes = ctx.notes(regional=True)
    incomplete = df[~df["complete"]]
    if not incomplete.empty:
        notes.append(ctx.t("note_incomplete", period=i18n.fmt_period(incomplete["period_start"].iloc[-1].date(), f.grain, ctx.lang),
                           as_of=i18n.fmt_date(ctx.coverage["last_date"], ctx.lang)))
    if df["report_count_display"].eq(i18n.SUPPRESSED).any():
        notes.append(ctx.t("rg_note_suppressed"))
    title = _trend_title(ctx, f, name, df)
    table = pd.DataFrame({
        ctx.t("period"): [i18n.fmt_period(p.date(), f.grain, ctx.lang) for p in df["period_start"]],
        ctx.t("reports"): df["report_count"].to_numpy(),
        "display": df["report_count_display"].to_numpy(),
        ctx.t("status"): [ctx.t("complete") if c else ctx.t("incomplete") for c in df["complete"]],
    })
    if monthly:
        table[ctx.t("rolling_12")] = df["rolling_12"].round(1).to_numpy()
    return ChartSpec(
        chart_id="rg_trend", kind="line" if monthly else "bar", title=title, subtitle=ctx.subtitle(),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("period"), y=ctx.t("reports"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )


def _trend_title(ctx: Context, f, name: str, df: pd.DataFrame) -> str:
    """Growth of the region over equal spans; else its total in the selection."""
    minors = measures.minors_only(f)
    span = growth_span(ctx)
    if span is not None:
        cur = float(queries.counts(ctx.con, f.with_(period_from=span.current_from, period_to=span.current_to))["report_count"].iloc[0] or 0)
        prev = float(queries.counts(ctx.con, f.with_(period_from=span.previous_from, period_to=span.previous_to))["report_count"].iloc[0] or 0)
        if prev >= MIN_BASE and not measures.is_suppressed_value(cur, minors):
            g = measures.growth_pct(cur, prev)
            key = "rg_trend_title_up" if g >= 0 else "rg_trend_title_down"
            return ctx.t(key, region=name, pct=i18n.fmt_pct(abs(g), ctx.lang),
                         period=i18n.fmt_span(span.current_from, span.current_to, span.grain, ctx.lang),
                         prev=i18n.fmt_span(span.previous_from, span.previous_to, span.grain, ctx.lang))
    raw_total = float(queries.counts(ctx.con, f)["report_count"].iloc[0] or 0)
    shown = i18n.fmt_count(raw_total, ctx.lang, measures.is_suppressed_value(raw_total, minors))
    return ctx.t("rg_trend_title_plain", region=name, n=shown, period=ctx.period_label())


# Lima Metropolitana vs the rest of Lima ---------------------------------------------------

def lima_status(ctx: Context) -> str:
    """'ok', or why the split is not shown: 'fiscal_districts' (MPFN), 'not_split' (another
    source without it), 'not_in_filter' (the regions filter leaves Lima out)."""
    if not queries_regions.lima_split_available(ctx.con, ctx.f.source):
        return "fiscal_districts" if ctx.f.source == "mpfn" else "not_split"
    if ctx.f.regions and LIMA not in ctx.f.regions:
        return "not_in_filter"
    return "ok"


@chart("rg_lima")
def lima_split(ctx: Context) -> ChartSpec | None:
    """Lima Metropolitana vs the rest of Lima region: reports and rate per 100,000 over time."""
    if lima_status(ctx) != "ok":
        return None
    f, lang = ctx.f, ctx.lang
    df = queries.lima_split(ctx.con, f)
    if df.empty or df["report_count"].fillna(0).sum() == 0:
        return None
    areas = queries.lima_areas(ctx.con).set_index("lima_area")
    # Every period x area, zero where there were no reports.
    periods = sorted(df["period_start"].unique())
    full = pd.MultiIndex.from_product([periods, list(areas.index)], names=["period_start", "lima_area"])
    df = df.set_index(["period_start", "lima_area"]).reindex(full, fill_value=0).reset_index()
    raw = df["report_count"].astype("float64")
    df = measures.suppress(df, f, lang=lang)
    pop = df["lima_area"].map(areas["population_2020"]).astype("float64")
    df["rate"] = df["report_count"] / pop * 100_000
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["complete"] = [ctx.is_complete(p) for p in df["period_start"]]
    df["area_name"] = df["lima_area"].map(areas[f"name_{lang}"])
    monthly = f.grain == "month"
    per = ctx.t("rg_per_month" if monthly else "rg_per_year")

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=(ctx.t("rg_lima_panel_reports", per=per), ctx.t("rg_lima_panel_rate", per=per)))
    for i, area in enumerate(areas.index):
        part = df[df["lima_area"] == area]
        colour = PALETTE[0] if area == "metro" else PALETTE[1]
        x = part["period_start"] if monthly else part["period_start"].dt.year.astype(str)
        hover = [f"{n}: {d}" for n, d in zip(part["area_name"], part["report_count_display"])]
        fig.add_scatter(x=x, y=part["report_count"], name=part["area_name"].iloc[0], mode="lines+markers" if not monthly else "lines",
                        line=dict(color=colour, width=2), legendgroup=area, hovertext=hover,
                        hovertemplate="%{hovertext}<extra></extra>", row=1, col=1)
        rate_hover = [f"{n}: {i18n.fmt_num(r, lang, 2)}" for n, r in zip(part["area_name"], part["rate"])]
        fig.add_scatter(x=x, y=part["rate"].round(2), name=part["area_name"].iloc[0], mode="lines+markers" if not monthly else "lines",
                        line=dict(color=colour, width=2, dash="solid" if area == "metro" else "dot"), legendgroup=area,
                        showlegend=False, hovertext=rate_hover, hovertemplate="%{hovertext}<extra></extra>", row=2, col=1)
    style(fig, height=540)
    fig.update_layout(margin=dict(l=10, r=10, t=70, b=10))
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(title_text=ctx.t("reports"), row=1, col=1)
    fig.update_yaxes(title_text=ctx.t("rg_unit_rate_short"), row=2, col=1)
    fig.update_annotations(font_size=13, x=0, xanchor="left")
    if not monthly:
        fig.update_xaxes(type="category")

    notes = ctx.notes()
    notes.append(ctx.t("rg_lima_note_areas"))
    if f.groups and ctx.has_age:
        notes.append(ctx.t("rg_lima_note_groups_pop"))
    incomplete = df[~df["complete"]]
    if not incomplete.empty:
        notes.append(ctx.t("note_incomplete", period=i18n.fmt_period(incomplete["period_start"].iloc[-1].date(), f.grain, lang),
                           as_of=i18n.fmt_date(ctx.coverage["last_date"], lang)))
    if df["report_count_display"].eq(i18n.SUPPRESSED).any():
        notes.append(ctx.t("rg_note_suppressed"))

    title = _lima_title(ctx, df.assign(raw=raw.to_numpy()), areas)
    table = pd.DataFrame({
        ctx.t("period"): [i18n.fmt_period(p.date(), f.grain, lang) for p in df["period_start"]],
        ctx.t("rg_col_area"): df["area_name"].to_numpy(),
        ctx.t("reports"): df["report_count"].to_numpy(),
        "display": df["report_count_display"].to_numpy(),
        ctx.t("rg_col_rate_period", per=per): df["rate"].round(2).to_numpy(),
        ctx.t("status"): [ctx.t("complete") if c else ctx.t("incomplete") for c in df["complete"]],
    })
    return ChartSpec(
        chart_id="rg_lima", kind="line", title=title, subtitle=ctx.subtitle(extra=ctx.t("rg_lima_subtitle")),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("period"), y=ctx.t("reports"),
        series=ctx.t("rg_col_area"), lang=lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )


def _lima_title(ctx: Context, df: pd.DataFrame, areas: pd.DataFrame) -> str:
    """Metro's share of Lima's reports, and both areas' rates over the complete periods."""
    lang = ctx.lang
    minors = measures.minors_only(ctx.f)
    basis = rate_basis(ctx)
    inside = df[(df["period_start"] >= pd.Timestamp(basis.start)) & (df["period_start"] <= pd.Timestamp(basis.end))]
    totals = inside.groupby("lima_area")["raw"].sum()
    metro, rest = float(totals.get("metro", 0.0)), float(totals.get("rest", 0.0))
    period = ctx.period_label(basis.start, basis.end)
    if minors and (measures.is_suppressed_value(metro, True) or measures.is_suppressed_value(rest, True)) or metro + rest == 0:
        return ctx.t("rg_lima_title_plain", period=period)
    share = measures.share_pct(metro, metro + rest)
    r_metro = measures.rate_per_100k(metro, areas.loc["metro", "population_2020"]) / basis.years
    r_rest = measures.rate_per_100k(rest, areas.loc["rest", "population_2020"]) / basis.years
    key = "rg_lima_title_annual" if basis.annual_average else "rg_lima_title"
    return ctx.t(key, share=i18n.fmt_pct(share, lang), metro=i18n.fmt_num(r_metro, lang, 1),
                 rest=i18n.fmt_num(r_rest, lang, 1), period=period)
