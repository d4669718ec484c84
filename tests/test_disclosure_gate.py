"""The one gate: every count of a record-level source that the query layer returns is the
cell-key publication of that cell (checked against an independent computation from the facts),
the same cell has one value whichever way it is reached, and nothing from 1 to 4 comes out."""

from __future__ import annotations

import itertools
from datetime import date

from cybertrends import queries
from cybertrends.filters import Filters
from tests.published import published, total

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")
YEAR_2024 = ("report_date between date '2024-01-01' and date '2024-12-31' "
             "and crime_code in (select crime_code from ref_crime where is_ley_30096)")


def _f(**kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), grain="month", crimes=LEY)
    return Filters(**{**base, **kw})


def test_counts_equal_the_independent_publication(con, sample_db):
    got = queries.counts(con, _f(), ("region_code",), grain="year")
    expected = published(sample_db, "synthetic", ("region_code",), YEAR_2024)
    assert {(r.region_code,): r.report_count for r in got.itertuples() if r.report_count} == \
        {k: v for k, v in expected.items() if v}
    assert int(queries.counts(con, _f())["report_count"].iloc[0]) == total(sample_db, "synthetic", YEAR_2024)


def test_small_cells_and_one_value_per_cell(con, sample_db):
    # children's counts by region and crime: many true counts are 1-4
    f = _f(groups=("child",))
    fine = queries.counts(con, f, ("region_code", "crime_code"), grain="year")
    expected = published(sample_db, "synthetic", ("region_code", "crime_code"),
                         f"{YEAR_2024} and victim_age_group = 'child'")
    assert {(r.region_code, r.crime_code): r.report_count for r in fine.itertuples()} == \
        {k: v for k, v in expected.items()}
    shown = fine["report_count"]
    assert not shown.between(1, 4).any() and (shown >= 0).all()
    # the same cells reached through a region filter and a crime filter
    for region, crime in itertools.islice(((r.region_code, r.crime_code) for r in fine.itertuples()), 12):
        one = queries.counts(con, f.with_(regions=(region,), crimes=(crime,)))
        assert int(one["report_count"].iloc[0]) == expected[(region, crime)]


def test_totals_are_cells_of_their_own(con, sample_db):
    f = _f(groups=("child", "adolescent"))
    parts = queries.counts(con, f, ("victim_age_group",))
    whole = int(queries.counts(con, f)["report_count"].iloc[0])
    assert whole == total(sample_db, "synthetic", f"{YEAR_2024} and victim_age_group in ('child', 'adolescent')")
    # the total is looked up from its own key, not added up from the shown parts: somewhere the published parts
    # do not add up to the published total (each cell carries its own noise)
    differ = []
    for (region,) in con.execute("select region_code from ref_region order by 1").fetchall():
        g = _f(groups=("child", "adolescent"), regions=(region,))
        region_parts = int(queries.counts(con, g, ("victim_age_group",))["report_count"].sum())
        region_whole = queries.counts(con, g)["report_count"]
        differ.append(len(region_whole) == 1 and int(region_whole.iloc[0]) != region_parts)
    assert any(differ)
    assert sorted(parts.columns) == ["amount_lost_pen", "report_count", "victim_age_group"]


def test_published_aggregates_pass_unchanged(con, sample_db):
    f = Filters("mpfn", date(2023, 1, 1), date(2023, 1, 1), "year", crimes=LEY)
    got = queries.counts(con, f, ("region_code",))
    expected = published(sample_db, "mpfn", ("region_code",), "year(period_start) = 2023 and crime_code in "
                         "(select crime_code from ref_crime where is_ley_30096)")
    assert {(r.region_code,): r.report_count for r in got.itertuples()} == expected
    assert expected[("15",)] == 16_617


def test_money_hidden_where_the_published_count_is_zero(con):
    df = queries.counts(con, _f(groups=("child",)), ("region_code", "crime_code"), grain="year")
    assert df.loc[df["report_count"] == 0, "amount_lost_pen"].isna().all()
    assert df.loc[df["report_count"] > 0, "amount_lost_pen"].notna().any()
