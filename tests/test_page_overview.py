"""Overview page: headline figures, findings and the trend equal an independent computation.

The default view is the real Ministerio Público series (yearly; 2024 has no file; 2025 covers
January–November only): the tests check it reads correctly against SQL over `report_counts`
written here. The synthetic sample (monthly) is checked with `source="synthetic"` against the
independent publication of each cell (tests/published.py: cell-key method), since the app
shows published, not exact, counts of record-level data.
"""

from __future__ import annotations

import base64
import math
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest

from cybertrends import briefing, charts, i18n, measures
from cybertrends.charts import overview
from cybertrends.charts.base import MUTED, Context
from cybertrends.filters import Filters
from tests.apptest_helpers import figures, link_warnings, run_app, sidebar_filters, texts, widget
from tests.conftest import query
from tests.published import published
from tests.published import total as published_total

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")


def _f(**kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2019, 1, 1), period_to=date(2025, 12, 1), grain="month", crimes=LEY)
    return Filters(**{**base, **kw})


LEY_SQL = "crime_code in (select crime_code from ref_crime where is_ley_30096)"
AT_RISK = ("child", "adolescent", "young", "older")


def _pub_total(db, where: str = "true", params=None) -> int:
    """The published total of the synthetic sample's Ley 30096 records `where` selects (SQL
    over fact_incident), computed independently of the app (tests/published.py)."""
    return published_total(db, "synthetic", f"{LEY_SQL} and ({where})", params)


def _pub_cells(db, by: tuple[str, ...], where: str = "true", params=None) -> dict:
    return published(db, "synthetic", by, f"{LEY_SQL} and ({where})", params)


def _pub_months(db, where: str = "true") -> list[int]:
    """Published Ley 30096 counts of every month 2019-2025 (0 where nothing is published)."""
    cells = _pub_cells(db, ("month",), where)
    months = [date(y, m, 1) for y in range(2019, 2026) for m in range(1, 13)]
    return [cells.get((m,), 0) for m in months]


def _mpfn(**kw) -> Filters:
    """The default view: the MPFN series, every year it has, all Ley 30096 articles."""
    base = dict(source="mpfn", period_from=date(2019, 1, 1), period_to=date(2025, 1, 1), grain="year", crimes=LEY)
    return Filters(**{**base, **kw})


def _mpfn_years(db) -> dict[int, int]:
    rows = query(db, """select year(period_start), sum(report_count) from report_counts
                        where source = 'mpfn' and law = 'Ley 30096' group by 1 order by 1""")
    return dict(rows)


def _mpfn_end(db, year: int) -> date:
    return query(db, """select max(period_end) from report_counts where source = 'mpfn'
                        and year(period_start) = $y""", {"y": year})[0][0]


def test_headlines_equal_independent_sql(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    heads = overview.headlines(Context(con, _f()))
    total, fastest, top, share = heads
    expected_2025, expected_2024 = _pub_total(sample_db, "year(report_date) = 2025"), _pub_total(sample_db, "year(report_date) = 2024")
    assert total.raw == expected_2025
    assert total.raw_delta == pytest.approx((expected_2025 - expected_2024) / expected_2024 * 100)
    # fastest-growing crime type, computed independently from the published cells
    cur = _pub_cells(sample_db, ("crime_code",), "year(report_date) = 2025")
    prev = _pub_cells(sample_db, ("crime_code",), "year(report_date) = 2024")
    growth = {c: (cur.get((c,), 0) - p) / p * 100 for (c,), p in prev.items()
              if p >= measures.HEADLINE_MIN_BASE and c != "S/Art"}
    best = max(growth, key=growth.get)
    assert fastest.raw == pytest.approx(growth[best])
    # region with the highest rate per 100,000: published count over the 2020 population
    pop = dict(query(sample_db, "select region_code, population_2020 from ref_region"))
    names = dict(query(sample_db, "select region_code, region_name from ref_region"))
    rates = {r: n * 100000.0 / pop[r] for (r,), n in _pub_cells(sample_db, ("region_code",), "year(report_date) = 2025").items()}
    region = max(rates, key=rates.get)
    assert top.value == names[region] and top.raw == pytest.approx(rates[region])
    # at-risk share among victims with a known age: two cells of their own
    groups = ", ".join(f"'{g}'" for g in AT_RISK)
    at_risk = _pub_total(sample_db, f"year(report_date) = 2025 and victim_age_group in ({groups})")
    known = _pub_total(sample_db, "year(report_date) = 2025 and victim_age_group <> 'unknown'")
    assert share.raw == pytest.approx(at_risk / known * 100)


def test_rate_headline_under_a_group_filter_uses_that_groups_population(sample_db):
    """Children and adolescents only: the regional rate is per 100,000 children and adolescents
    (their 2020 population), not per 100,000 inhabitants."""
    con = duckdb.connect(str(sample_db), read_only=True)
    ctx = Context(con, _f(groups=("child", "adolescent")))
    top = overview.headlines(ctx)[2]
    pop = dict(query(sample_db, """select region_code, sum(population_2020) from ref_region_population
                                   where age_group in ('child', 'adolescent') group by 1"""))
    names = dict(query(sample_db, "select region_code, region_name from ref_region"))
    counts = _pub_cells(sample_db, ("region_code",),
                        "year(report_date) = 2025 and victim_age_group in ('child', 'adolescent')")
    rates = {r: n * 100000.0 / pop[r] for (r,), n in counts.items()}
    region = max(rates, key=rates.get)
    assert (top.value, top.raw) == (names[region], pytest.approx(rates[region]))
    assert top.help == i18n.t("kpi_top_rate_help_groups", "es", period="2025")
    assert top.delta == i18n.t("kpi_rate_value_groups", "es", rate=i18n.fmt_num(rates[region], "es"))
    # the total headline is the published cell of those groups, its growth from published totals
    total = overview.headlines(ctx)[0]
    where = "victim_age_group in ('child', 'adolescent') and year(report_date) = $y"
    cur, prev = _pub_total(sample_db, where, {"y": 2025}), _pub_total(sample_db, where, {"y": 2024})
    assert total.raw == cur and total.raw_delta == pytest.approx((cur - prev) / prev * 100)


def test_chart_modules_hold_no_suppression_of_their_own():
    """Victim protection happens in one gate (queries + disclosure): no "<5" logic here."""
    root = Path(overview.__file__).parent.parent  # cybertrends/charts
    modules = sorted(root.glob("overview/*.py")) + sorted(root.glob("crime_types/*.py"))
    assert len(modules) > 2
    for module in modules:
        text = module.read_text(encoding="utf-8")
        for word in ("suppress", "SUPPRESSED", "minors_only", "minors_mask", "is_suppressed", "<5"):
            assert word not in text, (module, word)


def test_headline_span_is_year_to_date_with_equal_span(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    ctx = Context(con, _f(period_to=date(2025, 6, 1)))
    span = overview.headline_span(ctx)
    assert (span.current_from, span.current_to, span.previous_from, span.previous_to) == (
        date(2025, 1, 1), date(2025, 6, 1), date(2024, 1, 1), date(2024, 6, 1))
    total = overview.headlines(ctx)[0]
    jan_jun = _pub_total(sample_db, "report_date between date '2025-01-01' and date '2025-06-30'")
    assert total.raw == jan_jun


def test_trend_chart_series_equal_sql(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    spec = charts.build("overview_trend", con, _f(regions=("04",)))
    bars = spec.figure.data[0]
    expected = _pub_months(sample_db, "region_code = '04'")
    assert [int(v) for v in bars.y] == expected
    rolling = spec.figure.data[1].y
    assert rolling[11] == pytest.approx(sum(expected[:12]) / 12)
    # the title's total is a cell of its own (the whole selection), not the sum of the bars
    assert spec.title == i18n.t("trend_title_growth", "es", ratio=i18n.fmt_num(
        _pub_total(sample_db, "region_code = '04' and year(report_date) = 2025")
        / _pub_total(sample_db, "region_code = '04' and year(report_date) = 2019"), "es", 1), first=2019, last=2025)
    assert i18n.t("note_cell_key", "es") in spec.notes
    assert spec.synthetic and "Arequipa" in spec.subtitle


def _full_years(db) -> list[int]:
    """MPFN years whose file covers 1 January to 31 December (independent of measures.Periods)."""
    rows = query(db, """select year(period_start) from report_counts where source = 'mpfn'
                        group by 1 having min(period_start) = make_date(year(period_start), 1, 1)
                           and max(period_end) = make_date(year(period_start), 12, 31) order by 1""")
    return [y for (y,) in rows]


def test_mpfn_headlines_latest_full_year_and_partial_year(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    ctx = Context(con, _mpfn())
    total, fastest, top, fourth = overview.headlines(ctx)
    years, full = _mpfn_years(sample_db), _full_years(sample_db)
    latest, before = full[-1], full[-2]
    assert before == latest - 1  # the latest full year and the full year before it
    # 1. the latest full year and its growth over the previous full year
    assert total.raw == years[latest]
    assert total.raw_delta == pytest.approx((years[latest] - years[before]) / years[before] * 100)
    assert total.label == i18n.t("kpi_total", "es", period=str(latest))
    assert total.delta_description == i18n.t("vs_period", "es", period=str(before))
    assert total.spark == [float(years[y]) for y in range(full[0], latest + 1)]
    # 2. fastest-growing article, among those with a base of HEADLINE_MIN_BASE reports
    rows = query(sample_db, """
        select article, sum(report_count) filter (where year(period_start) = $cur),
               sum(report_count) filter (where year(period_start) = $prev)
        from report_counts where source = 'mpfn' and law = 'Ley 30096' group by article""",
                 {"cur": latest, "prev": before})
    growth = {a: ((c or 0) - p) / p * 100 for a, c, p in rows
              if p and p >= measures.HEADLINE_MIN_BASE and a != "S/Art"}
    assert fastest.raw == pytest.approx(max(growth.values()))
    # 3. highest rate per 100,000 in the latest full year
    (name, rate), = query(sample_db, """
        select r.region_name, sum(c.report_count) * 100000.0 / any_value(r.population_2020)
        from report_counts c join ref_region r using (region_code)
        where c.source = 'mpfn' and c.law = 'Ley 30096' and year(c.period_start) = $y
        group by 1 order by 2 desc limit 1""", {"y": latest})
    assert (top.value, top.raw) == (name, pytest.approx(rate))
    # 4. no victim age: the partial year, compared in words with the latest full year's total
    partial_year = max(years)
    assert partial_year not in full and fourth.raw == years[partial_year]
    months = i18n.fmt_cover_months(date(partial_year, 1, 1), _mpfn_end(sample_db, partial_year), "es")
    assert fourth.label == i18n.t("kpi_total", "es", period=f"{partial_year} ({months})")
    assert years[partial_year] > years[latest]
    assert fourth.delta == i18n.t("kpi_partial_more", "es", year=latest)
    assert fourth.raw_delta is None and fourth.neutral  # never a growth rate


@pytest.mark.parametrize("lang", ["es", "en"])
def test_mpfn_findings_tell_the_story_with_full_years_only(sample_db, lang):
    con = duckdb.connect(str(sample_db), read_only=True)
    heads, findings = overview.summary(Context(con, _mpfn(lang=lang)))
    years, full = _mpfn_years(sample_db), _full_years(sample_db)
    first, latest = full[0], full[-1]
    text = "\n".join(findings)
    # growth of the latest full year over the year before
    pct = (years[latest] - years[latest - 1]) / years[latest - 1] * 100
    assert i18n.fmt_pct(pct, lang) in findings[0] and str(latest - 1) in findings[0]
    # the multiple and the compound annual growth over full years only (not to the partial 2025)
    ratio = years[latest] / years[first]
    cagr = (ratio ** (1 / (latest - first)) - 1) * 100
    assert i18n.t("finding_multiple_up", lang, first=first, last=latest, ratio=i18n.fmt_num(ratio, lang),
                  pct=i18n.fmt_pct(cagr, lang)) in findings
    # the partial year: its total, and only in words against the latest full year's total
    partial_year = max(years)
    assert i18n.fmt_int(years[partial_year], lang) in text and i18n.fmt_int(years[latest], lang) in text
    partial = next(f for f in findings if i18n.fmt_int(years[partial_year], lang) in f)
    assert str(latest) in partial and "%" not in partial
    # the missing year is named as a gap and never compared with
    missing = [y for y in range(first, partial_year) if y not in years]
    assert missing and all(str(y) in partial for y in missing)
    assert all(str(y) not in f for f in findings for y in missing if f is not partial)
    for word in ("Sin compa", "No compa", "No registra", "Not recorded"):
        assert word not in text and all(word not in f"{h.label} {h.value} {h.delta}" for h in heads)


def test_trend_mpfn_gap_is_not_a_zero_and_partial_year_is_labelled(sample_db):
    con = duckdb.connect(str(sample_db), read_only=True)
    spec = charts.build("overview_trend", con, _mpfn())
    years, full = _mpfn_years(sample_db), _full_years(sample_db)
    bars = spec.figure.data[0]
    shown = dict(zip(bars.x, bars.y))
    partial_year = max(years)
    months = i18n.fmt_cover_months(date(partial_year, 1, 1), _mpfn_end(sample_db, partial_year), "es")
    partial_name = f"{partial_year} ({months})"
    assert list(bars.x) == [str(y) for y in range(min(years), partial_year)] + [partial_name]
    for y in range(min(years), partial_year):
        if y in years:
            assert shown[str(y)] == years[y]
        else:
            assert math.isnan(shown[str(y)])  # a gap, never a zero bar
    assert shown[partial_name] == years[partial_year]
    assert 0 not in list(bars.y)
    colours = dict(zip(bars.x, bars.marker.color))
    assert colours[partial_name] == MUTED and all(colours[str(y)] != MUTED for y in full)
    # the gap is labelled on the chart and in the table; the partial year is flagged
    gap = [y for y in range(min(years), partial_year) if y not in years]
    assert [a.text for a in spec.figure.layout.annotations] == [i18n.t("no_file", "es")] * len(gap)
    table = spec.data.set_index(i18n.t("period", "es"))
    for y in gap:
        assert math.isnan(table.loc[str(y), i18n.t("reports", "es")])
        assert table.loc[str(y), i18n.t("status", "es")] == i18n.t("no_file", "es")
    assert table.loc[partial_name, i18n.t("status", "es")] == i18n.t("partial_period", "es", months=months)
    assert i18n.t("note_missing_periods", "es", periods=", ".join(str(y) for y in gap)) in spec.notes
    # the title's multiple runs over full years only
    ratio = years[full[-1]] / years[full[0]]
    assert spec.title == i18n.t("trend_title_growth", "es", ratio=i18n.fmt_num(ratio, "es", 1), first=full[0], last=full[-1])
    # the native PowerPoint chart leaves the gap empty too
    cats, series = briefing.chart_series(spec)
    assert dict(zip(cats, series[0][1]))[str(gap[0])] is None


def test_mpfn_2023_file_alone_has_no_invented_comparison(mpfn_db):
    con = duckdb.connect(str(mpfn_db), read_only=True)
    f = Filters(source="mpfn", period_from=date(2023, 1, 1), period_to=date(2023, 1, 1), grain="year", crimes=LEY, lang="en")
    heads, findings = overview.summary(Context(con, f))
    total, fastest, top, fourth = heads
    (expected,) = query(mpfn_db, "select sum(report_count) from report_counts where law = 'Ley 30096'")[0]
    assert total.raw == expected and total.raw_delta is None
    assert total.delta == i18n.t("no_equal_span", "en")  # said briefly, nothing invented
    assert fastest.raw_delta is None and fastest.label == i18n.t("kpi_most_reported", "en")
    # highest rate per 100,000 (aggregate counts pass the gate unchanged), from the reference tables
    ((highest,),) = query(mpfn_db, """
        select any_value(r.region_name) from report_counts c
        join ref_region_population p on p.region_code = c.region_code and p.age_group = 'total'
        join ref_region r on r.region_code = c.region_code
        where c.law = 'Ley 30096' group by c.region_code
        order by sum(c.report_count) * 100000.0 / any_value(p.population_2020) desc limit 1""")
    assert top.value == highest
    assert fourth.value == "–" and "Not recorded" not in fourth.value
    assert findings[0].endswith(i18n.t("finding_no_span", "en"))
    assert charts.build("overview_contrib", con, f) is None  # no comparable pair


def test_the_total_headline_draws_its_series_as_a_word_sized_image(sample_db):
    """The total headline's complete years, drawn after its description as an SVG image (no Vega
    chart in the card): one bar per year, heights in proportion to the yearly totals counted here
    from the database, and an alt text with the first and last totals."""
    at = run_app(sample_db, params={"lang": "en"})
    years, full = _mpfn_years(sample_db), _full_years(sample_db)
    series = [years[y] for y in range(full[0], full[-1] + 1)]
    total = at.metric[0].proto
    assert not total.chart_data  # no Vega sparkline
    match = re.fullmatch(r"(.*) !\[([^\]]*)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", total.delta_description)
    assert match, total.delta_description
    described, alt, svg = match.group(1), match.group(2), base64.b64decode(match.group(3)).decode()
    assert described == i18n.t("vs_period", "en", period=str(full[-2]))
    assert alt == i18n.t("kpi_spark_alt", "en", first=i18n.fmt_int(series[0], "en"), last=i18n.fmt_int(series[-1], "en"))
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([0-9.]+)"', svg)]
    assert len(heights) == len(series)
    assert heights == pytest.approx([n / max(series) * max(heights) for n in series], abs=0.01)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_overview_renders_on_the_real_series_by_default(sample_db, lang):
    at = run_app(sample_db, params={"lang": lang})
    assert not at.exception, at.exception
    shown = texts(at)
    assert i18n.t("app_title", lang) in shown
    assert i18n.t("synthetic_short", lang) not in shown  # no synthetic notice by default
    assert not at.warning
    years, full = _mpfn_years(sample_db), _full_years(sample_db)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[i18n.t("kpi_total", lang, period=str(full[-1]))] == i18n.fmt_int(years[full[-1]], lang)
    for m in at.metric:  # short texts (a headline must not be cut off at 1440 px)
        assert len(m.label) <= 30 and len(m.value) <= 12 and len(m.delta or "") <= 32, (m.label, m.value, m.delta)
    figs = figures(at)
    assert len(figs) == 2  # the trend and what drives the change
    # a year with no file is a gap: null in the figure's JSON (NaN when it comes as a typed array)
    assert [v for v in figs[0]["data"][0]["y"] if v is not None and v == v] == [float(n) for _, n in sorted(years.items())]
    assert sum(1 for v in figs[0]["data"][0]["y"] if v is None or v != v) == len(figs[0]["data"][0]["y"]) - len(years)
    assert figs[1]["data"][0]["type"] == "waterfall"
    widget(at.segmented_control, "p_by").set_value("region").run()
    assert not at.exception, at.exception
    assert at.query_params.get("by") == "region", at.query_params  # the page option is in the link, as an id
    by_region = figures(at)[1]["data"][0]
    (change,) = query(sample_db, """select sum(report_count) filter (where year(period_start) = $c)
        - sum(report_count) filter (where year(period_start) = $p) from report_counts
        where source = 'mpfn' and law = 'Ley 30096'""", {"c": full[-1], "p": full[-1] - 1})[0]
    assert by_region["x"][-1] == change and sum(by_region["x"][:-1]) == change


@pytest.mark.parametrize("lang", ["es", "en"])
def test_overview_renders_the_synthetic_sample_when_asked(sample_db, lang):
    at = run_app(sample_db, params={"lang": lang, "source": "synthetic"})
    assert not at.exception, at.exception
    shown = texts(at)
    assert i18n.t("synthetic_short", lang) in shown  # the synthetic notice
    metrics = {m.label: m.value for m in at.metric}
    expected = i18n.fmt_int(_pub_total(sample_db, "year(report_date) = 2025"), lang)
    assert metrics[i18n.t("kpi_total", lang, period="2025")] == expected
    figs = figures(at)
    assert len(figs) == 2
    assert [int(v) for v in figs[0]["data"][0]["y"]] == _pub_months(sample_db)


def test_overview_with_filters_from_the_url(sample_db):
    at = run_app(sample_db, params={"lang": "en", "source": "synthetic", "regions": "04,08",
                                    "from": "2023-01", "to": "2025-06"})
    assert not at.exception, at.exception
    assert link_warnings(at) == []  # every value of the link is known
    assert sidebar_filters(at)["regions"] == ["04", "08"]
    metrics = {m.label: m.value for m in at.metric}
    jan_jun = _pub_total(sample_db, """region_code in ('04', '08')
        and report_date between date '2025-01-01' and date '2025-06-30'""")
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


def test_rising_reports_are_drawn_as_bad_news(sample_db):
    """More reports is bad news: the total's rise is red (a fall would be green); the at-risk
    share's change is neutral (grey)."""
    from streamlit.proto.Metric_pb2 import Metric

    at = run_app(sample_db, params={"lang": "es"})  # the real series: 2023 is +55.2 % on 2022
    total = at.metric[0]
    assert total.proto.direction == Metric.MetricDirection.UP and total.proto.color == Metric.MetricColor.RED
    synthetic = run_app(sample_db, params={"lang": "es", "source": "synthetic"})
    share = synthetic.metric[3]  # victims in the at-risk groups: a share, neither good nor bad
    assert share.proto.color == Metric.MetricColor.GRAY
