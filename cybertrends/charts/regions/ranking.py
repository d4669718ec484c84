"""The map of the regions (rg_map) and the rankings by region (rg_rank) and by fiscal district
(rg_fd_rank)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from cybertrends import i18n, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, DIVERGING, Context, style, vline_note
from cybertrends.charts.figure import Figure
from cybertrends.charts.regions.basis import (
    BORDER,
    DEFAULT_FD_METRIC,
    DOWN,
    FD_METRICS,
    FEATURE_KEY,
    NO_VALUE,
    NOT_SELECTED,
    RATE_SCALE,
    UP,
    fmt_value,
    geojson,
    metric_of,
)
from cybertrends.charts.regions.values import (
    RegionValues,
    _hover,
    _spec,
    finding,
    has_fiscal_districts,
    rank_finding,
    region_values,
)
from cybertrends.chartspec import ChartSpec


def map_view(height: int) -> dict:
    """Centre and zoom that fit Peru in a map `height` pixels tall (set explicitly: the
    plotly.js bundled with Streamlit has no auto-fit for map subplots)."""
    view = _map_view(height)
    return dict(center=dict(view["center"]), zoom=view["zoom"])


@cache
def _map_view(height: int) -> dict:
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
    ref = ctx.reference(queries.regions)
    fig = Figure()
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


def _rank_figure(ctx: Context, rv: RegionValues) -> Figure:
    """Horizontal bars of the shown units, highest on top, with the national reference."""
    metric = rv.metric
    shown = rv.shown.sort_values(["value", "name"], ascending=[True, False])  # top bar = highest
    texts = [fmt_value(metric, v, ctx.lang) for v in shown["value"]]
    if metric == "growth":
        colours = [UP if v >= 0 else DOWN for v in shown["value"]]
    else:
        colours = [ACCENT] * len(shown)
    fig = Figure().add_bar(
        x=shown["value"], y=shown["name"], orientation="h", marker_color=colours, text=texts,
        textposition="outside", cliponaxis=False, hovertext=[_hover(ctx, rv, r) for _, r in shown.iterrows()],
        hovertemplate="%{hovertext}<extra></extra>", name=rv.unit,
    )
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
        vline_note(fig, rv.national, ctx.t("rg_national", value=fmt_value(metric, rv.national, ctx.lang)), 12,
                   line=dict(dash="dash", color="#3E4C59", width=1.2), layer="below")
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
        fig = style(Figure(), height=200)
        return _spec(ctx, "rg_fd_rank", "hbar", finding(ctx, rv), rv, fig)
    title = finding(ctx, rv) if metric == "growth" else rank_finding(ctx, rv)
    return _spec(ctx, "rg_fd_rank", "hbar", title, rv, _rank_figure(ctx, rv))
