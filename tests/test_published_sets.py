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


@pytest.mark.parametrize("f", FILTERS)
@pytest.mark.parametrize("first,second", [("modality", "channel"), ("channel", "modality")])
def test_the_modality_statement_answers_the_channel_too(con, f, first, second):
    answering = AnsweringConnection(con, Answers())
    for by in [(first,), (second,), ()]:
        got, alone = queries.modality_counts(answering, f, by), queries.modality_counts(con, f, by)
        pd.testing.assert_frame_equal(got, alone, check_exact=True)
        assert list(got.columns) == list(alone.columns) and got.index.equals(alone.index)
    assert answering.answers.executed == 1


def test_modality_and_lima_breakdowns(con):
    answering = AnsweringConnection(con, Answers())
    for by in [("period_start", "modality"), ("modality",), ("period_start",), ()]:
        pd.testing.assert_frame_equal(queries.modality_counts(answering, F, by), queries.modality_counts(con, F, by),
                                      check_exact=True)
    pd.testing.assert_frame_equal(queries.lima_split(answering, F), queries.lima_split(con, F), check_exact=True)
    pd.testing.assert_frame_equal(queries.lima_split(answering, F, by_period=False),
                                  queries.lima_split(con, F, by_period=False), check_exact=True)
    assert answering.answers.executed == 2


MPFN = Filters(source="mpfn", period_from=date(2019, 1, 1), period_to=date(2025, 1, 1), grain="year", crimes=LEY)


@pytest.mark.parametrize("f", [F, F.with_(groups=("child", "older")), F.with_(regions=("15", "04")), MPFN])
def test_a_year_or_one_crime_answered_from_wider_cells(con, f):
    """A statement over whole years, or about one crime type, answered from the cells by year and crime
    type already published (queries._derived) is exactly what its own statement returns."""
    answering = AnsweringConnection(con, Answers())
    queries.counts(answering, f, ("period_start", "crime_code"), grain="year", money=False)
    assert answering.answers.executed == 1
    last = f.period_to.year
    asked = [(f.with_(period_from=date(last, 1, 1), period_to=f.period_to), ("crime_code",), None),
             (f.with_(period_from=date(last, 1, 1), period_to=f.period_to), (), None),
             (f.with_(period_from=date(last - 1, 1, 1), period_to=f.period_to), ("period_start",), "year"),
             (f.with_(crimes=("S/Art",)), ("period_start",), "year"),
             (f.with_(crimes=("8",)), (), None),
             (f.with_(crimes=("S/Art",), period_from=date(last, 1, 1), period_to=f.period_to), ("period_start",), "year"),
             (f.with_(crimes=("S/Art",), period_from=date(last, 1, 1), period_to=f.period_to), (), None)]
    for g, by, grain in asked:
        got = queries.counts(answering, g, by, grain=grain, money=False)
        alone = queries.counts(con, g, by, grain=grain, money=False)
        pd.testing.assert_frame_equal(got, alone, check_exact=True)
        assert list(got.columns) == list(alone.columns) and got.index.equals(alone.index)
    assert answering.answers.executed == 1  # every one of them from the first statement's cells


def test_what_the_wider_cells_cannot_answer_goes_to_duckdb(con):
    answering = AnsweringConnection(con, Answers())
    queries.counts(answering, F, ("period_start", "crime_code"), grain="year", money=False)
    not_derived = [(F.with_(period_from=date(2024, 1, 1), period_to=date(2024, 6, 1)), ("crime_code",)),  # part of a year
                   (F.with_(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1)), ("region_code",)),  # not by year
                   (F.with_(crimes=("8", "9")), ()),  # two crime types: a cell of their own
                   (F.with_(period_from=date(2030, 1, 1), period_to=date(2030, 12, 1)), ("crime_code",)),  # other span
                   (F.with_(crimes=("no-such-crime",)), ())]  # no cell at all: what DuckDB publishes for none
    for n, (g, by) in enumerate(not_derived, start=2):
        pd.testing.assert_frame_equal(queries.counts(answering, g, by, money=False), queries.counts(con, g, by, money=False),
                                      check_exact=True)
        assert answering.answers.executed == n


def test_a_remembered_value_is_worked_out_once_and_dropped_with_the_answers():
    answers, calls = Answers(max_answers=2), []
    assert answers.remember(("k", 1), lambda: calls.append(1) or "v") == "v"
    assert answers.remember(("k", 1), lambda: calls.append(1) or "w") == "v" and calls == [1]
    answers.keep("select 1", None, "df", pd.DataFrame())
    answers.keep("select 2", None, "df", pd.DataFrame())  # the store holds two: the oldest goes
    assert answers.remember(("k", 1), lambda: "w") == "w"
