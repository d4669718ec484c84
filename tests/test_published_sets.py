"""One statement for several breakdowns (queries._published, published_sets_sql): each breakdown it
answers is exactly what its own statement returns (same cells, same published values, order,
columns and types), so the charts cannot tell which way a count was reached."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from cybertrends import queries
from cybertrends.charts.answers import AnsweringConnection, Answers
from cybertrends.filters import Filters

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")
F = Filters(source="synthetic", period_from=date(2023, 1, 1), period_to=date(2024, 12, 1), grain="month", crimes=LEY)
FILTERS = [F, F.with_(groups=("child", "older")), F.with_(regions=("15", "04"), crimes=("8",)),
           F.with_(period_from=date(2030, 1, 1), period_to=date(2030, 12, 1))]  # no cells at all


def _subsets(by):
    if len(by) <= 2:
        return [by, by[:1], by[1:], ()] if len(by) == 2 else [by, ()]
    return [by, ()]


@pytest.mark.parametrize("f", FILTERS)
@pytest.mark.parametrize("by,grain", [(("crime_code",), None), (("period_start", "crime_code"), "year"),
                                      (("region_code", "period_start"), None),
                                      (("victim_age_group", "victim_sex"), None),
                                      (("period_start", "crime_code", "victim_age_group"), "year")])
def test_every_breakdown_answered_as_its_own_statement(con, f, by, grain):
    answering = AnsweringConnection(con, Answers())
    first = queries.counts(answering, f, by, grain=grain)
    assert answering.answers.executed == 1
    for sub in _subsets(by):
        alone = queries.counts(con, f, sub, grain=grain)
        got = queries.counts(answering, f, sub, grain=grain) if sub != by else first
        pd.testing.assert_frame_equal(got, alone, check_exact=True)
        assert list(got.columns) == list(alone.columns) and got.index.equals(alone.index)
    assert answering.answers.executed == 1  # the coarser breakdowns came with the first statement


def test_modality_and_lima_breakdowns(con):
    answering = AnsweringConnection(con, Answers())
    for by in [("period_start", "modality"), ("modality",), ("period_start",), ()]:
        pd.testing.assert_frame_equal(queries.modality_counts(answering, F, by), queries.modality_counts(con, F, by),
                                      check_exact=True)
    pd.testing.assert_frame_equal(queries.lima_split(answering, F), queries.lima_split(con, F), check_exact=True)
    pd.testing.assert_frame_equal(queries.lima_split(answering, F, by_period=False),
                                  queries.lima_split(con, F, by_period=False), check_exact=True)
    assert answering.answers.executed == 2
