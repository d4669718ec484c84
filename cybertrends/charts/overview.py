"""Overview (the minister's page): headline figures, key findings, the national trend."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from cybertrends import i18n, measures, queries
from cybertrends.chartspec import ChartSpec
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, MUTED, Context, style

MIN_BASE = 20  # a crime type needs this many reports in the earlier span to rank by growth


@dataclass
class Headline:
    label: str
    value: str
    delta: str | None  # e.g. "+38.2 %"; or a neutral description (see `neutral`)
    help: str
    raw: float | None = None  # the number behind the headline, for tests
    raw_delta: float | None = None
    delta_description: str | None = None  # e.g. "vs. 2024"
    neutral: bool = False  # the delta is a description, not a change: no arrow, no colour
    spark: list[float] | None = None


def span_filters(ctx: Context, span: measures.Span):
    cur = ctx.f.with_(period_from=span.current_from, period_to=span.current_to)
    prev = ctx.f.with_(period_from=span.previous_from, period_to=span.previous_to)
    return cur, prev


def headline_span(ctx: Context) -> measures.Span:
    return measures.headline_span(ctx.f, ctx.coverage["last_date"])


def _total(ctx: Context, f) -> int:
    return int(queries.counts(ctx.con, f)["report_count"].iloc[0] or 0)


def headlines(ctx: Context) -> list[Headline]:
    """The four headline figures for the latest complete period, with growth against the same
    span a year earlier."""
    span = headline_span(ctx)
    cur_f, prev_f = span_filters(ctx, span)
    cur_label = i18n.fmt_span(span.current_from, span.current_to, span.grain, ctx.lang)
    prev_label = i18n.fmt_span(span.previous_from, span.previous_to, span.grain, ctx.lang)
    has_prev = span.previous_from >= ctx.coverage["first_date"].replace(day=1)
    vs = ctx.t("vs_period", period=prev_label)
    out = []

    # 1. Total reports
    cur_total = _total(ctx, cur_f)
    prev_total = _total(ctx, prev_f) if has_prev else None
    g = measures.growth_pct(cur_total, prev_total)
    minors = measures.minors_only(ctx.f)
    out.append(Headline(
        ctx.t("kpi_total", period=cur_label),
        i18n.fmt_count(cur_total, ctx.lang, measures.is_suppressed_value(cur_total, minors)),
        i18n.fmt_pct(g, ctx.lang, signed=True) if g is not None and not minors_small(cur_total, prev_total, minors) else None,
        ctx.t("kpi_total_help"), cur_total, g, delta_description=vs,
        spark=None if minors else [float(v) for v in queries.counts(ctx.con, ctx.f, ("period_start",))["report_count"]],
    ))

    # 2. Fastest-growing crime type
    by_cur = queries.counts(ctx.con, cur_f, ("crime_code",)).set_index("crime_code")["report_count"]
    by_prev = queries.counts(ctx.con, prev_f, ("crime_code",)).set_index("crime_code")["report_count"] if has_prev else pd.Series(dtype=float)
    best = None
    for code, prev in by_prev.items():
        if prev >= MIN_BASE:
            growth = measures.growth_pct(by_cur.get(code, 0), prev)
            if growth is not None and (best is None or growth > best[1]):
                best = (code, growth)
    out.append(Headline(
        ctx.t("kpi_fastest"),
        i18n.fmt_pct(best[1], ctx.lang, signed=True) if best else ctx.t("not_available"),
        ctx.crime_name(best[0]) if best else None,
        ctx.t("kpi_fastest_help", n=MIN_BASE), best[1] if best else None, best[1] if best else None,
        delta_description=vs if best else None, neutral=True,
    ))

    # 3. Region with the highest rate per 100,000 inhabitants
    by_region = queries.counts(ctx.con, cur_f, ("region_code",))
    pop = queries.regions(ctx.con).set_index("region_code")["population_2020"]
    top = None
    for row in by_region.itertuples():
        rate = measures.rate_per_100k(row.report_count, pop.get(row.region_code))
        if rate is not None and (top is None or rate > top[1]):
            top = (row.region_code, rate)
    out.append(Headline(
        ctx.t("kpi_top_rate", period=cur_label),
        ctx.region_name(top[0]) if top else ctx.t("not_available"),
        ctx.t("kpi_rate_value", rate=i18n.fmt_num(top[1], ctx.lang)) if top else None,
        ctx.t("kpi_top_rate_help"), top[1] if top else None, neutral=True,
    ))

    # 4. Share of victims in the four at-risk groups
    if ctx.has_age:
        share_cur = at_risk_share(ctx, cur_f)
        share_prev = at_risk_share(ctx, prev_f) if has_prev else None
        delta = None
        if share_cur is not None and share_prev is not None:
            change = share_cur - share_prev
            delta = ("+" if change >= 0 else "−") + ctx.t("pp_change", pp=i18n.fmt_num(abs(change), ctx.lang, 1))
        out.append(Headline(
            ctx.t("kpi_at_risk"), i18n.fmt_pct(share_cur, ctx.lang), delta, ctx.t("kpi_at_risk_help"), share_cur,
            None if share_cur is None or share_prev is None else share_cur - share_prev,
            delta_description=vs if delta else None,
        ))
    else:
        out.append(Headline(ctx.t("kpi_at_risk"), ctx.t("not_recorded"), None, ctx.t("kpi_at_risk_no_age")))
    return out


def minors_small(cur, prev, minors: bool) -> bool:
    """Growth is not shown when either side is a suppressed minors' count."""
    return measures.is_suppressed_value(cur, minors) or measures.is_suppressed_value(prev, minors)


def at_risk_share(ctx: Context, f) -> float | None:
    """Share (%) of victims with a known age who are children, adolescents, young or older."""
    by_group = queries.counts(ctx.con, f.with_(groups=()), ("victim_age_group",), apply_groups=False)
    known = by_group[by_group["victim_age_group"].notna() & (by_group["victim_age_group"] != "unknown")]
    total = known["report_count"].sum()
    at_risk = known[known["victim_age_group"].isin(measures.AT_RISK_GROUPS)]["report_count"].sum()
    return measures.share_pct(at_risk, total)


def key_findings(ctx: Context, heads: list[Headline] | None = None) -> list[str]:
    """Three sentences written from the numbers, each with its figure."""
    heads = heads or headlines(ctx)
    span = headline_span(ctx)
    cur_label = i18n.fmt_span(span.current_from, span.current_to, span.grain, ctx.lang)
    prev_label = i18n.fmt_span(span.previous_from, span.previous_to, span.grain, ctx.lang)
    out = []
    total, fastest, top, share = heads
    if total.raw_delta is not None:
        key = "finding_total_up" if total.raw_delta >= 0 else "finding_total_down"
        out.append(ctx.t(key, n=total.value, period=cur_label, pct=i18n.fmt_pct(abs(total.raw_delta), ctx.lang), prev=prev_label))
    else:
        out.append(ctx.t("finding_total_only", n=total.value, period=cur_label))
    if fastest.raw is not None:
        out.append(ctx.t("finding_fastest", crime=fastest.delta, pct=i18n.fmt_pct(fastest.raw, ctx.lang, signed=True), prev=prev_label))
    if top.raw is not None:
        out.append(ctx.t("finding_top_rate", region=top.value, rate=i18n.fmt_num(top.raw, ctx.lang), period=cur_label))
    if share.raw is not None:
        out.append(ctx.t("finding_at_risk", pct=i18n.fmt_pct(share.raw, ctx.lang), period=cur_label))
    return out[:3] if len(out) > 3 else out


def summary(ctx: Context) -> tuple[list[Headline], list[str]]:
    """Headlines and the findings written from them, computed once (one cache entry per view)."""
    heads = headlines(ctx)
    return heads, key_findings(ctx, heads)


@chart("overview_trend")
def overview_trend(ctx: Context) -> ChartSpec | None:
    """National trend: reports per month (or year) with a 12-month rolling mean."""
    df = queries.counts(ctx.con, ctx.f, ("period_start",))
    if df.empty or df["report_count"].sum() == 0:
        return None
    df = measures.suppress(df, ctx.f, lang=ctx.lang)
    df["period_start"] = pd.to_datetime(df["period_start"])
    df["complete"] = [ctx.is_complete(p) for p in df["period_start"]]
    monthly = ctx.f.grain == "month"
    if monthly:
        df["rolling_12"] = measures.rolling_12(df["report_count"])
    fig = go.Figure()
    if monthly:
        fig.add_bar(x=df["period_start"], y=df["report_count"], name=ctx.t("reports_per_month"),
                    marker_color=[ACCENT if c else MUTED for c in df["complete"]],
                    customdata=df["report_count_display"], hovertemplate="%{customdata}<extra></extra>")
        fig.add_scatter(x=df["period_start"], y=df["rolling_12"], name=ctx.t("rolling_12"), mode="lines",
                        line=dict(color="#D55E00", width=3), hovertemplate="%{y:,.0f}<extra></extra>")
    else:
        fig.add_bar(x=df["period_start"].dt.year, y=df["report_count"], name=ctx.t("reports_per_year"),
                    marker_color=[ACCENT if c else MUTED for c in df["complete"]],
                    customdata=df["report_count_display"], hovertemplate="%{customdata}<extra></extra>",
                    text=df["report_count_display"], textposition="outside")
        fig.update_xaxes(type="category")
    style(fig, y_title=ctx.t("reports"))
    notes = ctx.notes()
    incomplete = df[~df["complete"]]
    if not incomplete.empty:
        notes.append(ctx.t("note_incomplete", period=i18n.fmt_period(incomplete["period_start"].iloc[-1].date(), ctx.f.grain, ctx.lang),
                           as_of=i18n.fmt_date(ctx.coverage["last_date"], ctx.lang)))
    # The finding: growth between the first and last complete years in view.
    yearly = queries.counts(ctx.con, ctx.f, ("period_start",), grain="year")
    yearly = yearly[[measures.is_complete(pd.Timestamp(p).date(), "year", ctx.coverage["last_date"]) for p in yearly["period_start"]]]
    if len(yearly) >= 2 and yearly["report_count"].iloc[0] > 0:
        first, last = yearly.iloc[0], yearly.iloc[-1]
        ratio = last["report_count"] / first["report_count"]
        title = ctx.t("trend_title_growth", ratio=i18n.fmt_num(ratio, ctx.lang, 1),
                      first=pd.Timestamp(first["period_start"]).year, last=pd.Timestamp(last["period_start"]).year)
    else:
        title = ctx.t("trend_title_plain", n=i18n.fmt_int(df["report_count"].sum(), ctx.lang))
    table = pd.DataFrame({
        ctx.t("period"): [i18n.fmt_period(p.date(), ctx.f.grain, ctx.lang) for p in df["period_start"]],
        ctx.t("reports"): df["report_count"],
        "display": df["report_count_display"],
        ctx.t("status"): [ctx.t("complete") if c else ctx.t("incomplete") for c in df["complete"]],
    })
    if monthly:
        table[ctx.t("rolling_12")] = df["rolling_12"].round(1)
    return ChartSpec(
        chart_id="overview_trend", kind="bar" if not monthly else "line", title=title, subtitle=ctx.subtitle(),
        source_line=ctx.source_line(), figure=fig, data=table, x=ctx.t("period"), y=ctx.t("reports"),
        lang=ctx.lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )
