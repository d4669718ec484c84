"""Overview page: headline figures, findings and the trend equal an independent computation."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from cybertrends import charts, i18n
from cybertrends.charts import overview
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from tests.apptest_helpers import figures, run_app, texts
from tests.conftest import query

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")


def _f(**kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2019, 1, 1), period_to=date(2025, 12, 1), grain="month", crimes=LEY)
    return Filters(**{**base, **kw})


def _sql_total(db, year: int, extra: str = "", params=None) -> int:
    sql = f"""select coalesce(sum(report_count), 0) from report_counts
              where source = 'synthetic' and law = 'Ley 30096' and year(period_start) = $y {extra}"""
    return query(db, sql, {"y": year, **(params or {})})[0][0]


def test_headlines_equal_independent_sql(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    heads = overview.headlines(Context(con, _f()))
    total, fastest, top, share = heads
    expected_2025, expected_2024 = _sql_total(sample_db, 2025), _sql_total(sample_db, 2024)
    assert total.raw == expected_2025
    assert total.raw_delta == pytest.approx((expected_2025 - expected_2024) / expected_2024 * 100)
    # fastest-growing crime type, computed independently
    rows = query(sample_db, """
        select article, sum(report_count) filter (where year(period_start) = 2025) as cur,
               sum(report_count) filter (where year(period_start) = 2024) as prev
        from report_counts where source = 'synthetic' and law = 'Ley 30096' group by article""")
    growth = {a: (c - p) / p * 100 for a, c, p in rows if p and p >= overview.MIN_BASE}
    best = max(growth, key=growth.get)
    assert fastest.raw == pytest.approx(growth[best])
    # region with the highest rate per 100,000
    rates = query(sample_db, """
        select r.region_name, sum(c.report_count) * 100000.0 / any_value(r.population_2020) as rate
        from report_counts c join ref_region r using (region_code)
        where c.source = 'synthetic' and c.law = 'Ley 30096' and year(c.period_start) = 2025
        group by 1 order by 2 desc limit 1""")
    assert top.value == rates[0][0] and top.raw == pytest.approx(rates[0][1])
    # at-risk share among victims with a known age
    (at_risk, known), = query(sample_db, """
        select sum(report_count) filter (where victim_age_group in ('child', 'adolescent', 'young', 'older')),
               sum(report_count) filter (where victim_age_group <> 'unknown')
        from report_counts where source = 'synthetic' and law = 'Ley 30096' and year(period_start) = 2025""")
    assert share.raw == pytest.approx(at_risk / known * 100)


def test_headline_span_is_year_to_date_with_equal_span(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    ctx = Context(con, _f(period_to=date(2025, 6, 1)))
    span = overview.headline_span(ctx)
    assert (span.current_from, span.current_to, span.previous_from, span.previous_to) == (
        date(2025, 1, 1), date(2025, 6, 1), date(2024, 1, 1), date(2024, 6, 1))
    total = overview.headlines(ctx)[0]
    jan_jun = query(sample_db, """select sum(report_count) from report_counts where source = 'synthetic'
        and law = 'Ley 30096' and period_start between date '2025-01-01' and date '2025-06-01'""")[0][0]
    assert total.raw == jan_jun


def test_trend_chart_series_equal_sql(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    spec = charts.build("overview_trend", con, _f(regions=("04",)))
    bars = spec.figure.data[0]
    expected = query(sample_db, """select period_start, sum(report_count) from report_counts
        where source = 'synthetic' and law = 'Ley 30096' and region_code = '04' group by 1 order by 1""")
    assert [int(v) for v in bars.y] == [n for _, n in expected]
    rolling = spec.figure.data[1].y
    assert rolling[11] == pytest.approx(sum(n for _, n in expected[:12]) / 12)
    assert spec.synthetic and "Arequipa" in spec.subtitle


def test_mpfn_overview_has_no_growth_and_says_age_not_recorded(mpfn_db):
    con = duckdb.connect(str(mpfn_db), read_only=True)
    f = Filters(source="mpfn", period_from=date(2023, 1, 1), period_to=date(2023, 1, 1), grain="year", crimes=LEY, lang="en")
    total, fastest, top, share = overview.headlines(Context(con, f))
    assert total.raw == 29_580 and total.delta is None
    assert top.value == "Moquegua" or top.value == "Lima"  # highest rate per 100,000 (NOTES.md: Lima 159, Moquegua 155)
    assert share.value == "Not recorded"


@pytest.mark.parametrize("lang", ["es", "en"])
def test_overview_renders_in_both_languages(sample_db, lang):
    at = run_app(sample_db, params={"lang": lang})
    assert not at.exception, at.exception
    shown = texts(at)
    assert i18n.t("app_title", lang) in shown
    assert i18n.t("synthetic_short", lang) in shown  # the synthetic notice
    metrics = {m.label: m.value for m in at.metric}
    expected = i18n.fmt_int(_sql_total(sample_db, 2025), lang)
    assert metrics[i18n.t("kpi_total", lang, period="2025")] == expected
    figs = figures(at)
    assert len(figs) == 1
    months = query(sample_db, """select sum(report_count) from report_counts where source = 'synthetic'
        and law = 'Ley 30096' group by period_start order by period_start""")
    assert [int(v) for v in figs[0]["data"][0]["y"]] == [n for (n,) in months]


def test_overview_with_filters_from_the_url(sample_db):
    at = run_app(sample_db, params={"lang": "en", "regions": ["Arequipa", "Cusco"], "period_synthetic": ["Jan 2023", "Jun 2025"]})
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    jan_jun = query(sample_db, """select sum(report_count) from report_counts where source = 'synthetic'
        and law = 'Ley 30096' and region_code in ('04', '08')
        and period_start between date '2025-01-01' and date '2025-06-01'""")[0][0]
    assert metrics["Reports, Jan 2025–Jun 2025"] == i18n.fmt_int(jan_jun, "en")


def test_missing_database_shows_operator_message(tmp_path):
    at = run_app(tmp_path / "nope.duckdb")
    assert not at.exception
    assert any("etl build" in e.value for e in at.error)


def test_corrupt_database_shows_operator_message(tmp_path):
    bad = tmp_path / "corrupt.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    at = run_app(bad)
    assert not at.exception
    assert any("etl build" in e.value for e in at.error)
