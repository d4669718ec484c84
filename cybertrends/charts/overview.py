"""Overview (the minister's page): headline figures, key findings, the national trend, and
what drives the change (each crime type's or region's contribution).

Which periods are complete, missing or comparable is decided in one place (measures.Periods,
through Context: ctx.span(), ctx.complete_years(), ctx.periods, ctx.period_name()). Growth
compares equal spans only; a partial year is compared with an earlier full year only in words
("ya más que todo 2023"), never as a growth rate; a missing year is a gap, never a zero.

Victim protection is not done here: every count comes from `queries`, which publishes it through
the cell-key method (cybertrends/disclosure.py) for record-level sources. A total is a cell of
its own (queried with fewer dimensions), never the sum of published parts; shares, rates and
growth are computed from published counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from cybertrends import i18n, measures, queries
from cybertrends.charts import chart
from cybertrends.charts.base import ACCENT, MUTED, Context, style
from cybertrends.charts.regions import populations
from cybertrends.chartspec import ChartSpec

MIN_BASE = measures.MIN_BASE  # re-exported for the crime-types page
SHORT_NAME = 26  # characters of a crime name that fit under a headline figure
UP = "#D55E00"  # more reports (Okabe–Ito vermillion, as on the crime types page)
DOWN = "#0072B2"  # fewer reports (Okabe–Ito blue)
TOTAL = "#3E4C59"
NO_FILE = "#52606D"
AXIS_LINE = 28  # characters per line of a name on the contribution chart's axis (two lines at most)


@dataclass
class Headline:
    """One headline figure as `st.metric` shows it: short label, value and delta (the longer
    context goes in `help`)."""

    label: str
    value: str
    delta: str | None  # e.g. "+38.2 %"; or a neutral description (see `neutral`)
    help: str
    raw: float | None = None  # the number behind the headline, for tests
    raw_delta: float | None = None
    delta_description: str | None = None  # e.g. "vs. 2024"
    neutral: bool = False  # the delta is a description, not a change: no arrow, no colour
    # What a rise means: "bad" (more reports: drawn red/orange, a fall blue/green) or "neutral"
    # (a change of a share of victims: an arrow, no good/bad colour).
    tone: str = "bad"
    spark: list[float] | None = None
    name: str | None = None  # the full name behind a shortened value or delta (for findings)


# Spans ---------------------------------------------------------------------------------------

def span_filters(ctx: Context, span: measures.Span):
    """The filters of a span's current and previous sides."""
    cur = ctx.f.with_(period_from=span.current_from, period_to=span.current_to)
    prev = ctx.f.with_(period_from=span.previous_from, period_to=span.previous_to)
    return cur, prev


def headline_span(ctx: Context) -> measures.Span | None:
    """The span the headlines compare: the latest complete span in the filter and the equal
    span a year earlier (ctx.span()), or None when there is no equal earlier span."""
    return ctx.span()


def current_only(ctx: Context) -> tuple[date, date] | None:
    """Without a comparison: the span the headlines describe. The latest complete year, or the
    year to date through the latest complete month; None when no period in view is complete."""
    last = ctx.periods.latest_complete(ctx.f.period_to, ctx.f.period_from)
    if last is None:
        return None
    if ctx.f.grain == "year":
        return last, last
    return max(date(last.year, 1, 1), ctx.f.period_from), last


def span_label(ctx: Context, start: date, end: date) -> str:
    """'2023', '2025 (ene–nov)', 'ene 2025–jun 2025'."""
    if start == end:
        return ctx.period_name(start)
    return i18n.fmt_span(start, end, ctx.f.grain, ctx.lang)


def _total(ctx: Context, f) -> int:
    return int(queries.counts(ctx.con, f)["report_count"].iloc[0] or 0)


def _years(ctx: Context) -> pd.Series:
    """Reports per calendar year in the filter, indexed by year."""
    df = queries.counts(ctx.con, ctx.f, ("period_start",), grain="year")
    return df.set_index(pd.to_datetime(df["period_start"]).dt.year)["report_count"].astype("int64")


@dataclass
class LongRun:
    """Growth over the complete years in view: the multiple and the compound annual rate."""

    first: int
    last: int
    first_count: int
    last_count: int

    @property
    def ratio(self) -> float:
        """The last complete year's count as a multiple of the first's."""
        return self.last_count / self.first_count

    @property
    def cagr(self) -> float | None:
        """Compound annual growth in % from the first to the last complete year (None without a base)."""
        return measures.cagr_pct(self.first_count, self.last_count, self.last - self.first)


def long_run(ctx: Context) -> LongRun | None:
    """First and last complete years in view (partial and missing years never count), or None
    with fewer than two or a zero base."""
    years = ctx.complete_years()
    if len(years) < 2:
        return None
    counts = _years(ctx)
    first, last = years[0], years[-1]
    base = int(counts.get(first, 0))
    if base <= 0:
        return None
    return LongRun(first, last, base, int(counts.get(last, 0)))


@dataclass
class PartialPeriod:
    """The latest period in view, when the source covers it only in part (MPFN Jan–Nov 2025)."""

    start: date
    name: str
    count: int
    full_year: int | None  # the latest complete year before it, for words ("more than all 2023")
    full_count: int | None
    gaps: list[date]  # missing periods between the full year and the partial one


def partial_period(ctx: Context) -> PartialPeriod | None:
    """The latest period in the filter if it has data but not over all its days."""
    inside = [p for p in ctx.periods.by_start if ctx.f.period_from <= p <= ctx.f.period_to]
    if not inside or ctx.is_complete(max(inside)):
        return None
    start = max(inside)
    count = _total(ctx, ctx.f.with_(period_from=start, period_to=start))
    # Words against a full year's total only for a part-year (a part-month is no year's rival).
    full = [y for y in ctx.complete_years() if y < start.year] if ctx.f.grain == "year" else []
    full_year = full[-1] if full else None
    full_count = int(_years(ctx).get(full_year, 0)) if full_year is not None else None
    gaps = [p for p in ctx.missing_periods() if full_year is None or p.year > full_year]
    return PartialPeriod(start, ctx.period_name(start), count, full_year, full_count, gaps)


# Headlines -----------------------------------------------------------------------------------

def short_crime(ctx: Context, code: str) -> str:
    """A crime type's name short enough for a headline (the full name goes in its help)."""
    if code == "S/Art":
        return ctx.t("crime_short_unspecified")
    name = ctx.crime_name(code, with_article=False)
    if len(name) <= SHORT_NAME:
        return name
    full = ctx.crime_name(code)  # "... (art. 8)" or "... (CP art. 196-A)"
    article = full[full.rfind("(") + 1:-1]
    return ctx.t("crime_short_article", article=code) if article.startswith("art.") else article


def _spark(ctx: Context, upto: date) -> list[float] | None:
    """The series behind the total headline: complete periods up to `upto`, or None when a
    period in between is missing (a sparkline cannot show a gap)."""
    df = queries.counts(ctx.con, ctx.f.with_(period_to=upto), ("period_start",))
    starts = [pd.Timestamp(p).date() for p in df["period_start"]]
    if ctx.periods.missing(ctx.f.period_from, upto):
        return None
    keep = [ctx.is_complete(p) for p in starts]
    values = [float(v) for v, k in zip(df["report_count"], keep) if k]
    return values if len(values) >= 2 else None


@dataclass(frozen=True)
class HeadlinePeriods:
    """What the headlines describe: the current span and, when there is one, the equal span a
    year earlier (ctx.span()). Without an equal earlier span: the latest complete year or the
    year to date (current_only), or the whole filter when no period in view is complete."""

    cur_from: date
    cur_to: date
    prev_from: date | None
    prev_to: date | None
    cur_label: str
    prev_label: str | None

    @property
    def compared(self) -> bool:
        """Whether there is an equal span a year earlier to compare with."""
        return self.prev_from is not None


def headline_periods(ctx: Context) -> HeadlinePeriods:
    """The spans the headlines and findings describe (see HeadlinePeriods)."""
    span = headline_span(ctx)
    if span is not None:
        return HeadlinePeriods(span.current_from, span.current_to, span.previous_from, span.previous_to,
                               span_label(ctx, span.current_from, span.current_to),
                               span_label(ctx, span.previous_from, span.previous_to))
    only = current_only(ctx) or (ctx.f.period_from, ctx.f.period_to)
    return HeadlinePeriods(only[0], only[1], None, None, span_label(ctx, *only), None)


def headlines(ctx: Context) -> list[Headline]:
    """The four headline figures: reports in the latest complete span and their growth against
    the same span a year earlier; the fastest-growing crime type; the region with the highest
    rate; and the share of at-risk victims, or (sources without victim age) the partial year
    in words or the growth since the first complete year."""
    hp = headline_periods(ctx)
    cur_f = ctx.f.with_(period_from=hp.cur_from, period_to=hp.cur_to)
    prev_f = ctx.f.with_(period_from=hp.prev_from, period_to=hp.prev_to) if hp.compared else None
    cur_label, prev_label, upto = hp.cur_label, hp.prev_label, hp.cur_to
    vs = ctx.t("vs_period", period=prev_label) if prev_label else None
    out = []

    # 1. Total reports
    cur_total = _total(ctx, cur_f)
    prev_total = _total(ctx, prev_f) if prev_f is not None else None
    g = measures.growth_pct(cur_total, prev_total)
    if g is not None:
        delta, description, neutral = i18n.fmt_pct(g, ctx.lang, signed=True), vs, False
    elif prev_f is None:
        delta, description, neutral = ctx.t("no_equal_span"), None, True
    else:
        delta, description, neutral = None, None, False
    out.append(Headline(
        ctx.t("kpi_total", period=cur_label),
        i18n.fmt_int(cur_total, ctx.lang),
        delta, ctx.t("kpi_total_help") if hp.compared else ctx.t("kpi_total_help_no_span"),
        cur_total, g, delta_description=description, neutral=neutral,
        spark=_spark(ctx, upto),
    ))

    # 2. Fastest-growing crime type (or, with nothing to compare, the most reported one)
    by_cur = queries.counts(ctx.con, cur_f, ("crime_code",)).set_index("crime_code")["report_count"]
    if prev_f is not None:
        by_prev = queries.counts(ctx.con, prev_f, ("crime_code",)).set_index("crime_code")["report_count"]
        best = None
        for code, prev in by_prev.items():
            if prev >= measures.HEADLINE_MIN_BASE and code != "S/Art":
                growth = measures.growth_pct(by_cur.get(code, 0), prev)
                if growth is not None and (best is None or growth > best[1]):
                    best = (code, growth)
        if best:
            out.append(Headline(
                ctx.t("kpi_fastest"), i18n.fmt_pct(best[1], ctx.lang, signed=True), short_crime(ctx, best[0]),
                ctx.t("kpi_fastest_help", n=measures.HEADLINE_MIN_BASE, cur=cur_label, prev=prev_label, crime=ctx.crime_name(best[0])),
                best[1], best[1], neutral=True, name=ctx.crime_name(best[0]),
            ))
        else:
            out.append(Headline(ctx.t("kpi_fastest"), "–", ctx.t("kpi_fastest_none", n=measures.HEADLINE_MIN_BASE),
                                ctx.t("kpi_fastest_help_none", n=measures.HEADLINE_MIN_BASE, prev=prev_label), neutral=True))
    else:
        # the share of the most reported type in the total, itself a cell (not the sum of types)
        top_code = by_cur.idxmax() if len(by_cur) and by_cur.max() > 0 else None
        share = measures.share_pct(by_cur.get(top_code, 0), cur_total) if top_code is not None else None
        none = share is None
        out.append(Headline(
            ctx.t("kpi_most_reported"), "–" if none else i18n.fmt_pct(share, ctx.lang),
            None if none else short_crime(ctx, top_code),
            ctx.t("kpi_most_reported_help", period=cur_label,
                  crime=ctx.crime_name(top_code) if top_code is not None else "–"),
            share, neutral=True,
        ))

    # 3. Region with the highest rate per 100,000 inhabitants (of the chosen victim groups,
    #    under a victim-group filter: the population the counts come from)
    by_region = queries.counts(ctx.con, cur_f, ("region_code",))
    pop, pop_key = populations(ctx)
    top = None
    for row in by_region.itertuples():
        rate = measures.rate_per_100k(row.report_count, pop.get(row.region_code))
        if rate and (top is None or rate > top[1]):  # a rate of 0 is no region's "highest"
            top = (row.region_code, rate)
    groups = "_groups" if pop_key == "rg_pop_groups" else ""
    out.append(Headline(
        ctx.t("kpi_top_rate", period=cur_label),
        ctx.region_name(top[0]) if top else "–",
        ctx.t(f"kpi_rate_value{groups}", rate=i18n.fmt_num(top[1], ctx.lang)) if top else None,
        ctx.t(f"kpi_top_rate_help{groups}", period=cur_label), top[1] if top else None, neutral=True,
    ))

    # 4. At-risk victims; without victim age, the partial year or the long-run growth
    out.append(_fourth(ctx, cur_f, prev_f, vs))
    return out


def _fourth(ctx: Context, cur_f, prev_f, vs: str | None) -> Headline:
    if ctx.has_age:
        share_cur = at_risk_share(ctx, cur_f)
        share_prev = at_risk_share(ctx, prev_f) if prev_f is not None else None
        delta = None
        if share_cur is not None and share_prev is not None:
            change = share_cur - share_prev
            delta = ("+" if change >= 0 else "−") + ctx.t("pp_change", pp=i18n.fmt_num(abs(change), ctx.lang, 1))
        return Headline(
            ctx.t("kpi_at_risk"), i18n.fmt_pct(share_cur, ctx.lang), delta, ctx.t("kpi_at_risk_help"), share_cur,
            None if share_cur is None or share_prev is None else share_cur - share_prev,
            delta_description=vs if delta else None, tone="neutral",
        )
    no_age = ctx.t("kpi_at_risk_no_age")
    part = partial_period(ctx)
    if part is not None and part.start > cur_f.period_to:
        if part.full_year is not None and part.count > part.full_count:
            delta = ctx.t("kpi_partial_more", year=part.full_year)
        elif part.full_year is not None:
            delta = ctx.t("kpi_partial_ref", year=part.full_year, n=i18n.fmt_int(part.full_count, ctx.lang))
        else:
            delta = None
        gaps = ", ".join(i18n.fmt_period(p, ctx.f.grain, ctx.lang) for p in part.gaps)
        help_text = ctx.t("kpi_partial_help", period=part.name) + (
            " " + ctx.t("kpi_partial_help_gaps", periods=gaps) if gaps else "") + " " + no_age
        return Headline(ctx.t("kpi_total", period=part.name), i18n.fmt_int(part.count, ctx.lang), delta,
                        help_text, part.count, neutral=True)
    run = long_run(ctx)
    if run is not None:
        return Headline(
            ctx.t("kpi_multiple", first=run.first, last=run.last), ctx.t("times", ratio=i18n.fmt_num(run.ratio, ctx.lang)),
            ctx.t("kpi_cagr", pct=i18n.fmt_pct(run.cagr, ctx.lang, signed=True)) if run.cagr is not None else None,
            ctx.t("kpi_multiple_help", first=run.first, last=run.last) + " " + no_age, run.ratio, run.cagr,
        )
    return Headline(ctx.t("kpi_at_risk"), "–", None, no_age, neutral=True)


def at_risk_share(ctx: Context, f) -> float | None:
    """Share (%) of victims with a known age who are children, adolescents, young or older
    (whatever victim groups are selected). Both counts are cells of their own: the at-risk
    groups together, and every group with a known age together."""
    known = tuple(g for g in queries.age_groups(ctx.con)["age_group"] if g != "unknown")
    at_risk = _total(ctx, f.with_(groups=tuple(measures.AT_RISK_GROUPS)))
    return measures.share_pct(at_risk, _total(ctx, f.with_(groups=known)))


# Findings ------------------------------------------------------------------------------------

MAX_FINDINGS = 4


def key_findings(ctx: Context, heads: list[Headline] | None = None) -> list[str]:
    """Up to four sentences written from the numbers, each with its figure: the latest span and
    its growth, the growth since the first complete year, the partial year in words, and what
    drove the change (then the fastest-growing type, the highest rate, the at-risk share)."""
    heads = heads or headlines(ctx)
    total, fastest, top, share = heads
    hp = headline_periods(ctx)
    out = []
    if hp.compared and total.raw_delta is not None:
        key = "finding_total_up" if total.raw_delta >= 0 else "finding_total_down"
        out.append(ctx.t(key, n=total.value, period=hp.cur_label, pct=i18n.fmt_pct(abs(total.raw_delta), ctx.lang),
                         prev=hp.prev_label))
    else:
        out.append(ctx.t("finding_total_only", n=total.value, period=hp.cur_label)
                   + ("" if hp.compared else " " + ctx.t("finding_no_span")))
    run = long_run(ctx)
    if run is not None and run.last - run.first >= 2:
        key = "finding_multiple_up" if run.ratio >= 1 else "finding_multiple_down"
        out.append(ctx.t(key, first=run.first, last=run.last, ratio=i18n.fmt_num(run.ratio, ctx.lang),
                         pct=i18n.fmt_pct(abs(run.cagr), ctx.lang) if run.cagr is not None else "–"))
    part = partial_period(ctx)
    if part is not None and part.start > hp.cur_to:  # not already the first finding
        n = i18n.fmt_int(part.count, ctx.lang)
        if part.full_year is not None:
            key = "finding_partial_more" if part.count > part.full_count else "finding_partial_less"
            text = ctx.t(key, period=part.name, n=n, year=part.full_year, full=i18n.fmt_int(part.full_count, ctx.lang))
        else:
            text = ctx.t("finding_partial_only", period=part.name, n=n)
        if part.gaps:
            text += " " + ctx.t("finding_gaps", periods=", ".join(i18n.fmt_period(p, ctx.f.grain, ctx.lang) for p in part.gaps))
        out.append(text)
    driver = contributions(ctx, "crime")
    if driver is not None and driver.total_change != 0:
        lead = driver.lead
        if lead is not None:
            key = "finding_driver_up" if driver.total_change > 0 else "finding_driver_down"
            out.append(ctx.t(key, name=driver.names[lead], part=i18n.fmt_int(abs(driver.frame.at[lead, "change"]), ctx.lang),
                             total=i18n.fmt_int(abs(driver.total_change), ctx.lang),
                             cur=driver.cur_label, prev=driver.prev_label))
    if fastest.raw_delta is not None:
        out.append(ctx.t("finding_fastest", crime=fastest.name, pct=fastest.value, prev=hp.prev_label))
    if top.raw is not None:
        key = "finding_top_rate_groups" if populations(ctx)[1] == "rg_pop_groups" else "finding_top_rate"
        out.append(ctx.t(key, region=top.value, rate=i18n.fmt_num(top.raw, ctx.lang), period=hp.cur_label))
    if ctx.has_age and share.raw is not None:
        out.append(ctx.t("finding_at_risk", pct=i18n.fmt_pct(share.raw, ctx.lang), period=hp.cur_label))
    return out[:MAX_FINDINGS]


def summary(ctx: Context) -> tuple[list[Headline], list[str]]:
    """Headlines and the findings written from them, computed once (one cache entry per view)."""
    heads = headlines(ctx)
    return heads, key_findings(ctx, heads)


# The national trend --------------------------------------------------------------------------

def trend_frame(ctx: Context) -> pd.DataFrame:
    """Reports per period of the filter, one row per period: a missing period (no file) is a
    row with NaN, never a zero; a period with data but no report under the filters is 0."""
    df = queries.counts(ctx.con, ctx.f, ("period_start",))
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
    fig = go.Figure()
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


# What drives the change ----------------------------------------------------------------------

BY = {"crime": "crime_code", "region": "region_code"}


@dataclass
class Contribution:
    """Each part's change between two comparable spans, and the change in the total.

    Parts and totals are published cells (cell-key method for record-level sources): the two
    totals are cells of their own, so the parts may not add up exactly to them; `rounding` is
    the difference (always 0 for published aggregates such as MPFN)."""

    by: str
    cur_from: date
    cur_to: date
    prev_from: date
    prev_to: date
    cur_label: str
    prev_label: str
    frame: pd.DataFrame  # index: part key; columns prev, cur, change (ints), sorted by change
    names: dict  # part key -> name shown
    total_prev: int  # the total of each span: its own cell, not the sum of the parts
    total_cur: int

    @property
    def total_change(self) -> int:
        """The change in the total between the spans, from the totals' own cells (not the parts' sum)."""
        return self.total_cur - self.total_prev

    @property
    def rounding(self) -> dict[str, int]:
        """What the parts miss of the totals (prev, cur, change): the protection's noise."""
        prev = self.total_prev - int(self.frame["prev"].sum())
        cur = self.total_cur - int(self.frame["cur"].sum())
        return {"prev": prev, "cur": cur, "change": cur - prev}

    @property
    def lead(self):
        """The part that moved most in the direction of the total (None if none did)."""
        if self.frame.empty:
            return None
        if self.total_change > 0:
            key = self.frame["change"].idxmax()
            return key if self.frame.at[key, "change"] > 0 else None
        if self.total_change < 0:
            key = self.frame["change"].idxmin()
            return key if self.frame.at[key, "change"] < 0 else None
        return None


def comparison_spans(ctx: Context) -> tuple[date, date, date, date] | None:
    """(cur_from, cur_to, prev_from, prev_to) of the two latest comparable spans: for yearly
    data the latest period and the one a year earlier covering the same days
    (ctx.periods.latest_comparable_pair); for monthly data ctx.span()."""
    if ctx.f.grain == "year":
        pair = ctx.periods.latest_comparable_pair(ctx.f)
        if pair is None:
            return None
        cur, prev = pair
        return cur, cur, prev, prev
    span = ctx.span()
    if span is None:
        return None
    return span.current_from, span.current_to, span.previous_from, span.previous_to


def contributions(ctx: Context, by: str = "crime") -> Contribution | None:
    """Each crime type's (`by="crime"`) or region's (`by="region"`) contribution to the change
    in reports between the two latest comparable spans, or None without such spans.

    Every part is a published cell, and so is each span's total (queried on its own)."""
    if by not in BY:
        raise ValueError(f"by must be one of {sorted(BY)}, not {by!r}")
    spans = comparison_spans(ctx)
    if spans is None:
        return None
    cur_from, cur_to, prev_from, prev_to = spans
    column = BY[by]
    cur_f = ctx.f.with_(period_from=cur_from, period_to=cur_to)
    prev_f = ctx.f.with_(period_from=prev_from, period_to=prev_to)
    cur = queries.counts(ctx.con, cur_f, (column,))
    prev = queries.counts(ctx.con, prev_f, (column,))
    frame = (pd.DataFrame({"prev": prev.set_index(column)["report_count"]})
             .join(pd.DataFrame({"cur": cur.set_index(column)["report_count"]}), how="outer")
             .fillna(0).astype("int64"))
    frame.index = frame.index.astype(object).where(frame.index.notna(), None)
    frame = frame[(frame["prev"] != 0) | (frame["cur"] != 0)]
    total_prev, total_cur = _total(ctx, prev_f), _total(ctx, cur_f)
    if frame.empty and total_prev == 0 and total_cur == 0:
        return None
    frame["change"] = frame["cur"] - frame["prev"]
    names = {k: _part_name(ctx, by, k) for k in frame.index}
    order = sorted(frame.index, key=lambda k: (-frame.at[k, "change"], names[k]))
    frame = frame.loc[order]
    return Contribution(by, cur_from, cur_to, prev_from, prev_to,
                        span_label(ctx, cur_from, cur_to), span_label(ctx, prev_from, prev_to),
                        frame, names, total_prev, total_cur)


def _part_name(ctx: Context, by: str, key) -> str:
    if key is None or (isinstance(key, float) and np.isnan(key)):
        return ctx.t("contrib_unknown")
    return ctx.crime_name(key) if by == "crime" else ctx.region_name(key)


def _wrap(text: str, width: int = AXIS_LINE) -> str:
    """A long axis label on up to two lines (the full name is in the hover and the table)."""
    if len(text) <= width:
        return text
    cut = text.rfind(" ", 0, width + 1)
    cut = cut if cut > 0 else width
    first, rest = text[:cut], text[cut:].strip()
    if len(rest) > width:
        rest = rest[: width - 1].rstrip() + "…"
    return f"{first}<br>{rest}"


def _signed(value: int, lang: str) -> str:
    """+7,997 / −24 / 0: a change with its sign (Unicode minus)."""
    return ("+" if value > 0 else "−" if value < 0 else "") + i18n.fmt_int(abs(value), lang)


@chart("overview_contrib")
def overview_contrib(ctx: Context) -> ChartSpec | None:
    """What drives the change: each crime type's (option by="crime", default) or region's
    (by="region") contribution to the change in reports between the two latest comparable
    spans, as a sorted horizontal waterfall ending in the total change."""
    by = ctx.options.get("by", "crime")
    c = contributions(ctx, by)
    if c is None or (c.total_prev == 0 and c.total_cur == 0):
        return None
    lang = ctx.lang
    names = [c.names[k] for k in c.frame.index]
    changes = [int(v) for v in c.frame["change"]]
    prevs, curs = [int(v) for v in c.frame["prev"]], [int(v) for v in c.frame["cur"]]
    # The parts and the totals are published cells: what the parts miss of the totals (a few
    # reports of protection noise) is a row of its own, so every column adds up to its total.
    rounding = c.rounding
    if rounding["prev"] or rounding["cur"]:
        names.append(ctx.t("contrib_rounding"))
        changes.append(rounding["change"])
        prevs.append(rounding["prev"])
        curs.append(rounding["cur"])
    total_label = ctx.t("contrib_total")
    axis_names = [_wrap(n) for n in names] + [total_label]
    fig = go.Figure(go.Waterfall(
        orientation="h", y=axis_names, customdata=names + [total_label], x=changes + [c.total_change],
        measure=["relative"] * len(names) + ["total"],
        # the total is the longest bar: its value inside it, so it never runs off a phone's edge
        text=[_signed(v, lang) for v in changes + [c.total_change]],
        textposition=["outside"] * len(names) + ["inside"], insidetextfont=dict(color="white"),
        increasing=dict(marker=dict(color=UP)), decreasing=dict(marker=dict(color=DOWN)),
        totals=dict(marker=dict(color=TOTAL)), connector=dict(line=dict(color="#CBD2D9", width=1)),
        hovertemplate="%{customdata}: %{text}<extra></extra>", cliponaxis=False,
    ))
    row = 42 if any("<br>" in n for n in axis_names) else 30
    style(fig, x_title=ctx.t("contrib_axis"), height=max(360, 110 + row * len(axis_names)))
    fig.update_yaxes(autorange="reversed", type="category", ticksuffix=" ")
    # Room for the value written beyond each bar's end.
    ends = np.concatenate([[0], np.cumsum(changes)])
    lo, hi = float(min(ends.min(), 0)), float(max(ends.max(), 0))
    pad = 0.45 * (hi - lo or 1)  # room for "+10,516" past the total's bar, on a phone too
    fig.update_xaxes(range=[lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)], zeroline=True, nticks=5)
    fig.update_layout(hovermode="closest", showlegend=False, margin=dict(r=40))

    label = ctx.t("crime_type") if by == "crime" else ctx.t("region")
    change_col = ctx.t("contrib_col")
    share = [measures.share_pct(v, c.total_change) if c.total_change else None for v in changes + [c.total_change]]
    table = pd.DataFrame({
        label: names + [total_label],
        ctx.t("contrib_reports_in", period=c.prev_label): prevs + [c.total_prev],
        ctx.t("contrib_reports_in", period=c.cur_label): curs + [c.total_cur],
        change_col: changes + [c.total_change],
        "display": [_signed(v, lang) for v in changes + [c.total_change]],
        ctx.t("contrib_share_col"): [None if s is None else round(s, 1) for s in share],
    })
    notes = ctx.notes(regional=by == "region")
    if any(rounding.values()):
        notes.append(ctx.t("note_contrib_rounding", total=_signed(c.total_change, lang)))
    else:
        notes += ctx.cell_key_notes()
        notes.append(ctx.t("note_contrib_sum", total=_signed(c.total_change, lang)))
    if ctx.f.grain == "month" and (c.cur_from.month, c.cur_to.month) != (1, 12):
        notes.append(ctx.t("note_contrib_same_months", cur=c.cur_label, prev=c.prev_label))
    lead = c.lead
    if lead is not None:
        key = "contrib_title_up" if c.total_change > 0 else "contrib_title_down"
        title = ctx.t(key, name=c.names[lead], part=_signed(int(c.frame.at[lead, "change"]), lang),
                      total=_signed(c.total_change, lang), prev=c.prev_label, cur=c.cur_label)
    else:
        title = ctx.t("contrib_title_flat", total=_signed(c.total_change, lang), prev=c.prev_label, cur=c.cur_label)
    subtitle = f"{ctx.t('contrib_pair', cur=c.cur_label, prev=c.prev_label)} · {ctx.filters_label()}"
    return ChartSpec(
        chart_id="overview_contrib", kind="hbar", title=title, subtitle=subtitle,
        source_line=ctx.source_line(c.prev_from, c.cur_to), figure=fig, data=table, x=label, y=change_col,
        lang=lang, synthetic=ctx.synthetic, display_column="display", notes=notes,
    )
