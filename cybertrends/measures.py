"""Measures, computed in one tested place: periods and spans, growth, CAGR, index, shares,
rates. (Protecting victims is not a measure: the query layer publishes every count through the
cell-key method, cybertrends/disclosure.py.)

Pure functions over plain values and DataFrames. No Streamlit, no SQL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from cybertrends.filters import Filters

MINOR_GROUPS = ("child", "adolescent")
AT_RISK_GROUPS = ("child", "adolescent", "young", "older")
# Reports a unit (crime type, region, group) needs in the earlier span before its growth is
# ranked or shown: below it a change of a few reports reads as a huge percentage.
MIN_BASE = 20
# The Overview's "fastest-growing crime type" headline asks more: a minister reads it as a
# trend, so a type needs this many reports in the earlier span (and "no article", S/Art, is
# not a crime type).
HEADLINE_MIN_BASE = 100


def month_end(d: date) -> date:
    """The last day of the month of `d`."""
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def period_end(start: date, grain: str) -> date:
    """The last day of the period (month or year, by `grain`) that starts on `start`."""
    return date(start.year, 12, 31) if grain == "year" else month_end(start)


def shift_year(d: date, years: int) -> date:
    """The first day of `d`'s month, `years` years later (earlier when negative)."""
    return date(d.year + years, d.month, 1)


@dataclass(frozen=True)
class Span:
    """The headline comparison: the current span and the same span a year earlier."""

    grain: str
    current_from: date
    current_to: date  # first day of the last period included
    previous_from: date
    previous_to: date

    @property
    def current_end(self) -> date:
        """The last day of the current span (the end of its last period)."""
        return period_end(self.current_to, self.grain)

    @property
    def previous_end(self) -> date:
        """The last day of the previous span, a year earlier."""
        return period_end(self.previous_to, self.grain)


# Periods a source covers -------------------------------------------------------------------

RECORD_LEVEL_SOURCES = ("incidents", "synthetic")


def period_start_of(d: date, grain: str) -> date:
    """The first day of the year or month (by `grain`) that contains `d`."""
    return date(d.year, 1, 1) if grain == "year" else date(d.year, d.month, 1)


def next_period(start: date, grain: str) -> date:
    """The first day of the period after the one starting on `start`."""
    if grain == "year":
        return date(start.year + 1, 1, 1)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


def period_range(lo: date, hi: date, grain: str) -> list[date]:
    """First days of every period from the one holding `lo` to the one holding `hi`."""
    out, p = [], period_start_of(lo, grain)
    while p <= hi:
        out.append(p)
        p = next_period(p, grain)
    return out


@dataclass(frozen=True)
class Cover:
    """One period (month or year) of a source and the days its data cover."""

    start: date
    grain: str
    covered_from: date
    covered_to: date
    data_as_of: date | None = None

    @property
    def end(self) -> date:
        """The last day of the period (not of the days covered)."""
        return period_end(self.start, self.grain)

    @property
    def complete(self) -> bool:
        """Covers its whole month or year: checked at its start and at its end."""
        return self.covered_from <= self.start and self.covered_to >= self.end

    def same_days(self, other: Cover) -> bool:
        """Covers the same days of its year as `other` (Jan–Nov 2025 and Jan–Nov 2024)."""
        return ((self.covered_from.month, self.covered_from.day, self.covered_to.month, self.covered_to.day)
                == (other.covered_from.month, other.covered_from.day, other.covered_to.month, other.covered_to.day))


class Periods:
    """The periods a source has data for, and the rules every page applies to them:
    which are complete (start and end both covered), which are missing (a gap, never a zero),
    and which spans may be compared (equal spans only)."""

    def __init__(self, grain: str, covers: list[Cover]):
        self.grain = grain
        self.by_start = {c.start: c for c in covers}

    @classmethod
    def continuous(cls, grain: str, first_date: date, last_date: date) -> Periods:
        """A source whose every period between its first and last day has data (record-level
        sources: a month with no report is a zero, not a gap)."""
        covers = [Cover(p, grain, max(p, first_date), min(period_end(p, grain), last_date))
                  for p in period_range(first_date, last_date, grain)]
        return cls(grain, covers)

    def get(self, start: date) -> Cover | None:
        """The cover of the period holding `start`, or None when the source has no data for it."""
        return self.by_start.get(period_start_of(start, self.grain))

    def has(self, start: date) -> bool:
        """Whether the source has any data for the period holding `start`."""
        return self.get(start) is not None

    def is_complete(self, start: date) -> bool:
        """Whether the period holding `start` has data over all its days."""
        cover = self.get(start)
        return cover is not None and cover.complete

    def missing(self, lo: date, hi: date) -> list[date]:
        """Periods from `lo` to `hi` with no data at all (no file): gaps."""
        return [p for p in period_range(lo, hi, self.grain) if p not in self.by_start]

    def comparable(self, a: date, b: date) -> bool:
        """Both periods have data over the same days of their year (both complete, or e.g.
        both January–November)."""
        ca, cb = self.get(a), self.get(b)
        return ca is not None and cb is not None and (ca.complete and cb.complete or ca.same_days(cb))

    def latest_complete(self, upto: date, lo: date | None = None) -> date | None:
        """First day of the latest complete period from `lo` to `upto`."""
        found = [p for p, c in self.by_start.items() if c.complete and p <= upto and (lo is None or p >= lo)]
        return max(found) if found else None

    def complete_years(self, lo: date, hi_end: date) -> list[int]:
        """Calendar years inside `lo`..`hi_end` whose every period is complete."""
        out = []
        for y in range(lo.year, hi_end.year + 1):
            if date(y, 1, 1) < lo or date(y, 12, 31) > hi_end:
                continue
            if all(self.is_complete(p) for p in period_range(date(y, 1, 1), date(y, 12, 31), self.grain)):
                out.append(y)
        return out

    def span(self, f: Filters) -> Span | None:
        """The latest complete span in the filter and the equal span a year earlier, or None.

        Yearly data: the latest complete year against the year before (None when that year
        is missing or partial). Monthly data: January (or the first month from which both
        years are complete) to the latest complete month, against the same months a year
        earlier."""
        last = self.latest_complete(f.period_to, f.period_from)
        if last is None:
            return None
        if self.grain == "year":
            prev = shift_year(last, -1)
            return Span("year", last, last, prev, prev) if self.is_complete(prev) else None
        start = max(date(last.year, 1, 1), f.period_from)
        while start <= last and not all(
            self.is_complete(p) for p in period_range(shift_year(start, -1), shift_year(last, -1), "month")
        ):
            start = next_period(start, "month")
        if start > last:
            return None
        return Span("month", start, last, shift_year(start, -1), shift_year(last, -1))

    def latest_comparable_pair(self, f: Filters) -> tuple[date, date] | None:
        """The latest period in the filter and the period a year earlier that covers the same
        days (2023 vs 2022 when 2024 has no file and 2025 is partial)."""
        for p in sorted((p for p in self.by_start if f.period_from <= p <= f.period_to), reverse=True):
            prev = shift_year(p, -1)  # may lie before the filter, as in `span`
            if self.comparable(p, prev):
                return p, prev
        return None


def growth_pct(current, previous) -> float | None:
    """Change in %, or None when there is no base to compare with."""
    if previous is None or current is None:
        return None
    if isinstance(previous, float) and math.isnan(previous):
        return None
    if previous == 0:
        return None
    return (float(current) - float(previous)) / float(previous) * 100.0


def cagr_pct(first, last, years: int) -> float | None:
    """Compound annual growth between two yearly values `years` apart."""
    if years <= 0 or not first or first <= 0 or last is None or last < 0:
        return None
    return ((float(last) / float(first)) ** (1.0 / years) - 1.0) * 100.0


def index_100(values: pd.Series) -> pd.Series:
    """Index with the first value = 100 (NaN when the base is 0 or missing)."""
    base = values.iloc[0] if len(values) else np.nan
    if not base or pd.isna(base):
        return pd.Series(np.nan, index=values.index)
    return values / base * 100.0


def rate_per_100k(count, population) -> float | None:
    """`count` per 100,000 inhabitants, or None without a population or a count."""
    if population is None or population == 0 or count is None or pd.isna(count):
        return None
    return float(count) / float(population) * 100_000.0


def rolling_12(values: pd.Series) -> pd.Series:
    """12-month rolling mean (NaN until 12 months are available)."""
    return values.rolling(12, min_periods=12).mean()


def share_pct(part, total) -> float | None:
    """`part` as a % of `total`, or None when the total is zero or missing."""
    if not total:
        return None
    return float(part) / float(total) * 100.0
