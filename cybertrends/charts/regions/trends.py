"""One region's trend (rg_trend) and one fiscal district's trend (rg_fd_trend), with the period marks
both share with the Lima chart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, MUTED, PALETTE, Context, style
from cybertrends.charts.figure import Figure
from cybertrends.charts.regions.basis import (
    DEFAULT_REGION,
    MIN_BASE,
    _period_list,
    basis_text,
    fiscal_district_name,
    growth_span,
    rate_basis,
    selection_text,
)
from cybertrends.charts.regions.values import Fetch, _cells, _fetch, _subtitle, has_fiscal_districts
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters


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


def _mark_missing(ctx: Context, fig: go.Figure | Figure, frame: pd.DataFrame, xref: str = "x", yref: str = "y domain") -> None:
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
    fig = Figure()
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
    if code not in set(ctx.reference(queries.regions)["region_code"]):
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
    codes = queries.fiscal_districts(ctx.con, ctx.f.source, ctx.f.regions)["fiscal_district"].unique()
    return sorted(codes, key=fiscal_district_name)


def default_fiscal_district(ctx: Context) -> str | None:
    """The fiscal district with the most reports under the filters (the trend's default)."""
    df = queries.fiscal_district_counts(ctx.con, ctx.f)
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
    if code not in set(queries.fiscal_districts(ctx.con, ctx.f.source)["fiscal_district"]):
        raise ValueError(f"unknown fiscal district {code!r}")
    return _trend_spec(ctx, "rg_fd_trend", fiscal_district_name(code), ctx.f,
                       lambda g, by: queries.fiscal_district_counts(ctx.con, g, by, district=code),
                       regional=False)
