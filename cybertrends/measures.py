"""Measures, computed in one tested place: spans, growth, CAGR, index, rates, suppression.

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
# Crime types whose victims are minors by legal definition.
MINOR_CRIMES = ("5", "183-B")
SUPPRESSION_THRESHOLD = 5  # DESIGN.md §5: minors' counts 1-4 are shown as "<5"


def month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def period_end(start: date, grain: str) -> date:
    return date(start.year, 12, 31) if grain == "year" else month_end(start)


def is_complete(start: date, grain: str, last_date: date) -> bool:
    """A period is complete when the data reach its last day."""
    return period_end(start, grain) <= last_date


def last_complete_period(grain: str, last_date: date) -> date:
    """First day of the latest period the data cover completely."""
    if grain == "year":
        return date(last_date.year if last_date >= date(last_date.year, 12, 31) else last_date.year - 1, 1, 1)
    start = date(last_date.year, last_date.month, 1)
    if not is_complete(start, "month", last_date):
        start = date(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1)
    return start


def shift_year(d: date, years: int) -> date:
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
        return period_end(self.current_to, self.grain)

    @property
    def previous_end(self) -> date:
        return period_end(self.previous_to, self.grain)


def headline_span(f: Filters, last_date: date) -> Span:
    """Latest complete period within the filter: for monthly data the year to date through the
    last complete month (Jan–Jun 2025), compared with the same months a year earlier (Jan–Jun
    2024); for yearly data the last complete year against the year before."""
    last = min(last_complete_period(f.grain, last_date), f.period_to)
    if f.grain == "year":
        return Span("year", last, last, shift_year(last, -1), shift_year(last, -1))
    start = date(last.year, 1, 1)
    return Span("month", start, last, shift_year(start, -1), shift_year(last, -1))


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
    if population is None or population == 0 or count is None or pd.isna(count):
        return None
    return float(count) / float(population) * 100_000.0


def rolling_12(values: pd.Series) -> pd.Series:
    """12-month rolling mean (NaN until 12 months are available)."""
    return values.rolling(12, min_periods=12).mean()


def share_pct(part, total) -> float | None:
    if not total:
        return None
    return float(part) / float(total) * 100.0


def minors_only(f: Filters) -> bool:
    """True when the filters leave only minors' cases (every cell then counts minors)."""
    groups_minor = bool(f.groups) and set(f.groups) <= set(MINOR_GROUPS)
    crimes_minor = bool(f.crimes) and set(f.crimes) <= set(MINOR_CRIMES)
    return groups_minor or crimes_minor


def minors_mask(df: pd.DataFrame, f: Filters) -> pd.Series:
    """Which rows count minors: by their age group, their crime type, or the filters."""
    mask = pd.Series(minors_only(f), index=df.index)
    if "victim_age_group" in df.columns:
        mask |= df["victim_age_group"].isin(MINOR_GROUPS)
    if "crime_code" in df.columns:
        mask |= df["crime_code"].isin(MINOR_CRIMES)
    return mask


def suppress(df: pd.DataFrame, f: Filters, column: str = "report_count", lang: str = "es") -> pd.DataFrame:
    """Small counts of minors (1-4) become NaN in `column`, and "<5" in `column + '_display'`.

    Every other count is kept and formatted. Returns a new frame."""
    from cybertrends.i18n import SUPPRESSED, fmt_int

    out = df.copy()
    values = pd.to_numeric(out[column], errors="coerce")
    hide = minors_mask(out, f) & values.between(1, SUPPRESSION_THRESHOLD - 1)
    out[column] = values.astype("float64").where(~hide)
    out[column + "_display"] = [SUPPRESSED if h else fmt_int(v, lang) for h, v in zip(hide, values)]
    return out


def is_suppressed_value(count, minors: bool) -> bool:
    return minors and count is not None and not pd.isna(count) and 1 <= count < SUPPRESSION_THRESHOLD
