"""The measures every page shares, table-driven: complete periods (start and end both checked),
gaps, equal-span comparisons, growth, CAGR, index, shares and rates."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cybertrends import measures
from cybertrends.filters import Filters
from cybertrends.measures import Cover, Periods, Span

LEY = ("8",)


def monthly(first: date, last: date, lo: date | None = None, hi: date | None = None) -> tuple[Periods, Filters]:
    periods = Periods.continuous("month", first, last)
    f = Filters("synthetic", lo or date(first.year, first.month, 1), hi or date(last.year, last.month, 1), "month",
                crimes=LEY)
    return periods, f


def yearly(covers: dict[int, tuple[date, date]], lo: int, hi: int) -> tuple[Periods, Filters]:
    periods = Periods("year", [Cover(date(y, 1, 1), "year", a, b) for y, (a, b) in covers.items()])
    return periods, Filters("mpfn", date(lo, 1, 1), date(hi, 1, 1), "year", crimes=LEY)


FULL = {y: (date(y, 1, 1), date(y, 12, 31)) for y in (2019, 2020, 2021, 2022, 2023)}
MPFN = {**FULL, 2025: (date(2025, 1, 1), date(2025, 11, 30))}  # 2024: no file


@pytest.mark.parametrize(("first", "last", "start", "complete"), [
    (date(2024, 1, 1), date(2025, 6, 30), date(2024, 1, 1), True),
    (date(2024, 1, 20), date(2025, 6, 30), date(2024, 1, 1), False),  # starts mid-month
    (date(2024, 1, 20), date(2025, 6, 30), date(2024, 2, 1), True),
    (date(2024, 1, 1), date(2025, 6, 15), date(2025, 6, 1), False),  # ends mid-month
    (date(2024, 1, 1), date(2025, 6, 15), date(2025, 5, 1), True),
    (date(2024, 1, 1), date(2025, 6, 15), date(2023, 12, 1), False),  # before the data
])
def test_complete_months_check_start_and_end(first, last, start, complete):
    periods, _ = monthly(first, last)
    assert periods.is_complete(start) is complete


@pytest.mark.parametrize(("first", "last", "expected"), [
    # data whole months: Jan-Jun 2025 vs Jan-Jun 2024
    (date(2024, 1, 1), date(2025, 6, 30), Span("month", date(2025, 1, 1), date(2025, 6, 1), date(2024, 1, 1), date(2024, 6, 1))),
    # ends mid-June: the last complete month is May
    (date(2024, 1, 1), date(2025, 6, 15), Span("month", date(2025, 1, 1), date(2025, 5, 1), date(2024, 1, 1), date(2024, 5, 1))),
    # starts 20 January: January 2024 is partial, so both spans start in February
    (date(2024, 1, 20), date(2025, 6, 15), Span("month", date(2025, 2, 1), date(2025, 5, 1), date(2024, 2, 1), date(2024, 5, 1))),
    # starts mid-year: the spans start when both years have data
    (date(2024, 7, 10), date(2025, 12, 31), Span("month", date(2025, 8, 1), date(2025, 12, 1), date(2024, 8, 1), date(2024, 12, 1))),
    # less than a year of data: nothing to compare
    (date(2025, 1, 1), date(2025, 6, 30), None),
])
def test_monthly_spans_are_equal_and_complete(first, last, expected):
    periods, f = monthly(first, last)
    span = periods.span(f)
    assert span == expected
    if span is not None:  # equal spans: same months, a year apart, all complete
        months = measures.period_range(span.current_from, span.current_to, "month")
        before = measures.period_range(span.previous_from, span.previous_to, "month")
        assert len(months) == len(before) and all(periods.is_complete(p) for p in months + before)


@pytest.mark.parametrize(("covers", "lo", "hi", "span", "pair", "missing", "complete_years"), [
    # the real MPFN series: 2024 missing, 2025 Jan-Nov
    (MPFN, 2019, 2025, (2023, 2022), (2023, 2022), [2024], [2019, 2020, 2021, 2022, 2023]),
    # only the partial year selected: nothing complete, nothing comparable
    (MPFN, 2025, 2025, None, None, [], []),
    # a filter from 2023: compared with 2022 (outside the filter) like every page does
    (MPFN, 2023, 2025, (2023, 2022), (2023, 2022), [2024], [2023]),
    # a 2024 Jan-Nov file would make Jan-Nov 2025 comparable with it, but not a full year
    ({**MPFN, 2024: (date(2024, 1, 1), date(2024, 11, 30))}, 2019, 2025, (2023, 2022), (2025, 2024), [], [2019, 2020, 2021, 2022, 2023]),
    # the year before the latest full one is missing: no growth
    ({2021: FULL[2021], 2023: FULL[2023]}, 2021, 2023, None, None, [2022], [2021, 2023]),
])
def test_yearly_gaps_and_partial_years(covers, lo, hi, span, pair, missing, complete_years):
    periods, f = yearly(covers, lo, hi)
    got = periods.span(f)
    assert (None if got is None else (got.current_from.year, got.previous_from.year)) == span
    got_pair = periods.latest_comparable_pair(f)
    assert (None if got_pair is None else (got_pair[0].year, got_pair[1].year)) == pair
    assert [p.year for p in periods.missing(f.period_from, f.period_to)] == missing
    assert periods.complete_years(f.period_from, f.period_end) == complete_years


@pytest.mark.parametrize(("current", "previous", "expected"), [
    (120, 100, 20.0), (80, 100, -20.0), (5, 0, None), (None, 10, None), (10, None, None), (10, float("nan"), None),
])
def test_growth(current, previous, expected):
    got = measures.growth_pct(current, previous)
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(("first", "last", "years", "expected"), [
    (7_897, 29_580, 4, ((29_580 / 7_897) ** 0.25 - 1) * 100),  # MPFN 2019-2023
    (100, 100, 3, 0.0), (0, 10, 2, None), (10, 20, 0, None), (10, None, 1, None),
])
def test_cagr(first, last, years, expected):
    got = measures.cagr_pct(first, last, years)
    assert got == (pytest.approx(expected) if expected is not None else None)


def test_index_share_rate():
    assert measures.index_100(pd.Series([50.0, 75.0, float("nan"), 100.0])).tolist()[:2] == [100.0, 150.0]
    assert measures.index_100(pd.Series([0.0, 5.0])).isna().all()
    assert measures.share_pct(25, 200) == pytest.approx(12.5)
    assert measures.share_pct(5, 0) is None
    assert measures.rate_per_100k(16_617, 10_628_470) == pytest.approx(16_617 / 10_628_470 * 100_000)
    assert measures.rate_per_100k(5, 0) is None and measures.rate_per_100k(None, 10) is None
