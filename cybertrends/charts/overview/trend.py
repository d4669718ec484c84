"""The national trend (overview_trend)."""

from __future__ import annotations

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, MUTED, Context, style
from cybertrends.charts.figure import Figure
from cybertrends.charts.overview.periods import _total, long_run
from cybertrends.chartspec import ChartSpec

NO_FILE = "#52606D"


# The national trend --------------------------------------------------------------------------

def trend_frame(ctx: Context) -> pd.DataFrame:
    """Reports per period of the filter, one row per period: a missing period (no file) is a
    row with NaN, never a zero; a period with data but no report under the filters is 0."""
    df = queries.counts(ctx.con, ctx.f, ("period_start",), money=False)
    df["period_start"] = pd.to_datetime(df["period_start"])
    missing = {pd.Timestamp(p) for p in ctx.missing_periods()}
    starts = sorted({p for p in df["period_start"]}
                    | {pd.Timestamp(p) for p in measures.period_range(ctx.f.period_from, ctx.f.period_to, ctx.f.grain)
                       if ctx.periods.has(p) or pd.Timestamp(p) in missing})
    out = pd.DataFrame({"period_start": starts}).merge(df[["period_start", "report_count"]], on="period_start", how="left")
    out["missing"] = out["period_start"].isin(missing)
    out["report_count"] = out["report_count"].astype("float64")
    out.loc[~out["missing"], "report_count"] = out.loc[~out["missing"], "report_count"].fillna(0)
    return out


@chart("overview_trend")
def overview_trend(ctx: Context) -> ChartSpec | None:
    """National trend: reports per month (with a 12-month rolling mean) or per year; partial
    periods muted and named as such, missing periods left as labelled gaps."""
    df = trend_frame(ctx)
    total = _total(ctx, ctx.f)  # the selection's total: a cell of its own, not the sum of the bars
    if df.empty or (df["report_count"].sum() == 0 and total == 0):
        return None
    df["report_count_display"] = [i18n.fmt_int(v, ctx.lang) for v in df["report_count"]]
    df["complete"] = [ctx.is_complete(p) for p in df["period_start"]]
    df.loc[df["missing"], "report_count_display"] = "–"
    names = [ctx.period_name(p) for p in df["period_start"]]
    monthly = ctx.f.grain == "month"
    if monthly:
        df["rolling_12"] = measures.rolling_12(df["report_count"])
    fig = Figure()
    colours = [ACCENT if c else MUTED for c in df["complete"]]
    if monthly:
        fig.add_bar(x=df["period_start"], y=df["report_count"], name=ctx.t("reports_per_month"),
                    marker_color=colours,
                    customdata=df["report_count_display"], hovertemplate="%{customdata}<extra></extra>")
        fig.add_scatter(x=df["period_start"], y=df["rolling_12"], name=ctx.t("rolling_12"), mode="lines",
                        line=dict(color="#D55E00", width=3), hovertemplate="%{y:,.0f}<extra></extra>")
    else:
        labels = [ctx.t("no_file") if m else d for m, d in zip(df["missing"], df["report_count_display"])]
        fig.add_bar(x=names, y=df["report_count"], name=ctx.t("reports_per_year"),
                    marker_color=colours, customdata=labels, hovertemplate="%{x}: %{customdata}<extra></extra>",
                    text=[None if m else d for m, d in zip(df["missing"], df["report_count_display"])],
                    textposition="outside", cliponaxis=False)
        # a partial year's name on two lines ("2025" / "(ene–nov)"), so ticks stay horizontal
        fig.update_xaxes(type="category", tickmode="array", tickvals=names,
                         ticktext=[n.replace(" (", "<br>(") for n in names])
        for i in [i for i, m in enumerate(df["missing"]) if m]:  # the gap says why it is empty
            # x as the category's position: a year-like string ("2024") would be read as index 2024
            fig.add_annotation(x=i, y=0, yanchor="bottom", text=ctx.t("no_file"), showarrow=False,
                               textangle=-90 if len(names) > 12 else 0, font=dict(size=12, color=NO_FILE))
    style(fig, y_title=ctx.t("reports"))
    notes = ctx.notes()
    gaps = df.loc[df["missing"], "period_start"]
    if not gaps.empty:
        notes.append(ctx.t("note_missing_periods",
                           periods=", ".join(i18n.fmt_period(p.date(), ctx.f.grain, ctx.lang) for p in gaps)))
    partial = df[~df["complete"] & ~df["missing"]]
    for p in partial["period_start"]:
        cover = ctx.periods.get(p.date())
        notes.append(ctx.t("note_partial_period", period=ctx.period_name(p),
                           as_of=i18n.fmt_date(cover.covered_to, ctx.lang)))
    notes += ctx.cell_key_notes()
    run = long_run(ctx)
    if run is not None and run.ratio >= 1:
        title = ctx.t("trend_title_growth", ratio=i18n.fmt_num(run.ratio, ctx.lang, 1), first=run.first, last=run.last)
    elif run is not None:
        title = ctx.t("trend_title_down", pct=i18n.fmt_pct((1 - run.ratio) * 100, ctx.lang), first=run.first, last=run.last)
    else:
        title = ctx.t("trend_title_plain", n=i18n.fmt_int(total, ctx.lang))
    table = pd.DataFrame({
        ctx.t("period"): names,
        ctx.t("reports"): df["report_count"],
        "display": df["report_count_display"],
        ctx.t("status"): [ctx.period_status(p) for p in df["period_start"]],
    })
    if monthly:
        table[ctx.t("rolling_12")] = df["rolling_12"].round(1)
    return ChartSpec(
        chart_id="overview_trend", kind="bar" if not monthly else "line", title=title, subtitle=ctx.subtitle(),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("period"), y=ctx.t("reports"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
        overlay=(ctx.t("rolling_12"),) if monthly else (),
        muted=tuple(str(n) for n, c, m in zip(names, df["complete"], df["missing"]) if not c and not m),
    )
