"""The spans the Overview compares: the headline span and its equal span a year earlier, the long run
over complete years, and a partial latest period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from cybertrends import i18n, measures, queries
from cybertrends.charts.base import Context

MIN_BASE = measures.MIN_BASE  # re-exported for the crime-types page


def _total(ctx: Context, f) -> int:
    return int(queries.counts(ctx.con, f, money=False)["report_count"].iloc[0] or 0)


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


def _years(ctx: Context) -> pd.Series:
    """Reports per calendar year in the filter, indexed by year."""
    df = queries.counts(ctx.con, ctx.f, ("period_start",), grain="year", money=False)
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
