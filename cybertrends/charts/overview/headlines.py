"""The Overview's headline figures and key findings (summary)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts.base import Context
from cybertrends.charts.overview.contributions import contributions
from cybertrends.charts.overview.periods import _total, headline_periods, long_run, partial_period
from cybertrends.charts.regions.basis import populations

SHORT_NAME = 26  # characters of a crime name that fit under a headline figure


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
    df = queries.counts(ctx.con, ctx.f.with_(period_to=upto), ("period_start",), money=False)
    starts = [pd.Timestamp(p).date() for p in df["period_start"]]
    if ctx.periods.missing(ctx.f.period_from, upto):
        return None
    keep = [ctx.is_complete(p) for p in starts]
    values = [float(v) for v, k in zip(df["report_count"], keep) if k]
    return values if len(values) >= 2 else None


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

    # Each span's counts by crime type (headline 2) first: their statement also answers the span's total.
    by_cur = queries.counts(ctx.con, cur_f, ("crime_code",), money=False).set_index("crime_code")["report_count"]
    by_prev = (queries.counts(ctx.con, prev_f, ("crime_code",), money=False).set_index("crime_code")["report_count"]
               if prev_f is not None else None)

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
    if prev_f is not None:
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
    by_region = queries.counts(ctx.con, cur_f, ("region_code",), money=False)
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
    known = tuple(g for g in ctx.reference(queries.age_groups)["age_group"] if g != "unknown")
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
