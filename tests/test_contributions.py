"""What drives the change (chart `overview_contrib`): each crime type's or region's contribution
to the change in reports between the two latest comparable periods. The parts add up exactly to
the change in the total, and each part equals an independent SQL difference over
`report_counts`."""

from __future__ import annotations

import io
from datetime import date

import duckdb
import pytest
from pptx import Presentation

from cybertrends import briefing, charts, i18n
from cybertrends.charts import overview
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from tests.conftest import query

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")


@pytest.fixture(scope="module")
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


def mpfn(**kw) -> Filters:
    base = dict(source="mpfn", period_from=date(2019, 1, 1), period_to=date(2025, 1, 1), grain="year", crimes=LEY)
    return Filters(**{**base, **kw})


def synth(**kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2019, 1, 1), period_to=date(2025, 12, 1), grain="month", crimes=LEY)
    return Filters(**{**base, **kw})


def latest_full_pair(db) -> tuple[int, int]:
    """The latest MPFN year covering 1 Jan-31 Dec whose previous year is also covered in full,
    found here in SQL (2024 has no file, 2025 is January-November only)."""
    rows = query(db, """select year(period_start) as y from report_counts where source = 'mpfn'
                        group by 1 having max(period_end) = make_date(year(period_start), 12, 31) order by 1""")
    full = [y for (y,) in rows]
    cur = max(y for y in full if y - 1 in full)
    return cur, cur - 1


def sql_changes(db, key: str, source: str, cur: tuple[date, date], prev: tuple[date, date], extra: str = "",
                params: dict | None = None) -> dict:
    """{part: (prev, cur)} summed over Ley 30096, independent of the library."""
    rows = query(db, f"""
        select {key},
               coalesce(sum(report_count) filter (where period_start between $p0 and $p1), 0),
               coalesce(sum(report_count) filter (where period_start between $c0 and $c1), 0)
        from report_counts where source = $s and law = 'Ley 30096' {extra}
        group by 1""", {"s": source, "p0": prev[0], "p1": prev[1], "c0": cur[0], "c1": cur[1], **(params or {})})
    return {k: (int(p), int(c)) for k, p, c in rows if p or c}


def year_bounds(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y, 12, 31)


def parts(spec, lang="es"):
    """The table's part rows (name -> change) and its total row."""
    data = spec.data
    label, change = spec.x, spec.y
    total_name = i18n.t("contrib_total", lang)
    body = data[data[label] != total_name]
    total = data[data[label] == total_name]
    assert len(total) == 1 and data[label].iloc[-1] == total_name  # the total comes last
    return dict(zip(body[label], body[change])), int(total[change].iloc[0])


def test_by_crime_on_the_real_series_equals_sql(con, sample_db):
    cur, prev = latest_full_pair(sample_db)
    spec = charts.build("overview_contrib", con, mpfn(), by="crime")
    shown, total = parts(spec)
    expected = sql_changes(sample_db, "article", "mpfn", year_bounds(cur), year_bounds(prev))
    names = dict(query(sample_db, "select article, name_es from ref_crime where law = 'Ley 30096'"))
    # the total change equals the change in the SQL total, and the parts add up to it exactly
    assert total == sum(c for _, c in expected.values()) - sum(p for p, _ in expected.values())
    assert sum(shown.values()) == total
    # each article's part (art. 8 included) equals its own SQL difference
    by_article = {next(n for n in shown if n.startswith(names[a])): c - p for a, (p, c) in expected.items()}
    assert by_article == shown
    art8 = next(v for k, v in shown.items() if k.startswith(names["8"]))
    p8, c8 = expected["8"]
    assert art8 == c8 - p8
    # sorted, largest increase first; the title names the largest part and the total
    assert list(shown.values()) == sorted(shown.values(), reverse=True)
    lead = max(expected, key=lambda a: expected[a][1] - expected[a][0])
    assert names[lead] in spec.title and i18n.fmt_int(total, "es") in spec.title
    assert str(cur) in spec.subtitle and str(prev) in spec.subtitle
    # the figure draws the same parts and ends on the total
    wf = spec.figure.data[0]
    assert list(wf.measure) == ["relative"] * len(shown) + ["total"]
    assert list(wf.x[:-1]) == list(shown.values()) and wf.x[-1] == total
    assert spec.kind == "hbar"


def test_by_region_on_the_real_series_equals_sql(con, sample_db):
    cur, prev = latest_full_pair(sample_db)
    spec = charts.build("overview_contrib", con, mpfn(lang="en"), by="region")
    shown, total = parts(spec, "en")
    expected = sql_changes(sample_db, "region_name", "mpfn", year_bounds(cur), year_bounds(prev))
    assert shown == {name: c - p for name, (p, c) in expected.items()}
    assert sum(shown.values()) == total == sum(c - p for p, c in expected.values())
    assert spec.notes[-1] == i18n.t("note_contrib_sum", "en", total="+" + i18n.fmt_int(total, "en"))
    # the counts behind each part are the SQL counts of both years
    data = spec.data.set_index(spec.x)
    prev_col = i18n.t("contrib_reports_in", "en", period=str(prev))
    cur_col = i18n.t("contrib_reports_in", "en", period=str(cur))
    for name, (p, c) in expected.items():
        assert (data.loc[name, prev_col], data.loc[name, cur_col]) == (p, c)


def test_partial_year_and_gap_are_never_paired(con, sample_db):
    """2025 (Jan-Nov) has no equal span a year earlier (2024 has no file): the chart compares
    the latest full pair; a selection of 2024-2025 alone has nothing comparable."""
    cur, _ = latest_full_pair(sample_db)
    c = overview.contributions(Context(con, mpfn()), "crime")
    assert (c.cur_from, c.prev_from) == (date(cur, 1, 1), date(cur - 1, 1, 1))
    assert charts.build("overview_contrib", con, mpfn(period_from=date(2024, 1, 1))) is None


def test_monthly_source_compares_the_same_months(con, sample_db):
    f = synth(period_to=date(2025, 6, 1), regions=("04", "15"))
    spec = charts.build("overview_contrib", con, f, by="crime")
    shown, total = parts(spec)
    expected = sql_changes(sample_db, "crime_name_es", "synthetic", (date(2025, 1, 1), date(2025, 6, 30)),
                           (date(2024, 1, 1), date(2024, 6, 30)), "and region_code in ('04', '15')")
    assert sum(shown.values()) == total == sum(c - p for p, c in expected.values())
    assert sorted(shown.values()) == sorted(c - p for p, c in expected.values())
    assert any(n.startswith(i18n.t("note_contrib_same_months", "es", cur="ene 2025–jun 2025", prev="ene 2024–jun 2024")[:20])
               for n in spec.notes)
    assert spec.synthetic


def test_minors_small_counts_are_pooled_and_still_add_up(con, sample_db):
    """One region, by crime type: art. 5 (minors by definition) counts 1-4 there, so it is pooled
    into a row whose counts (and the totals they could be derived from) are not shown; the parts
    still add up to the total change."""
    (region,) = query(sample_db, """
        select region_code from report_counts where source = 'synthetic' and article = '5'
        group by 1 having sum(report_count) filter (where year(period_start) = 2025) between 1 and 4
        order by 1 limit 1""")[0]
    spec = charts.build("overview_contrib", con, synth(regions=(region,)), by="crime")
    shown, total = parts(spec)
    expected = sql_changes(sample_db, "article", "synthetic", year_bounds(2025), year_bounds(2024),
                           "and region_code = $r", {"r": region})
    assert sum(shown.values()) == total == sum(c - p for p, c in expected.values())
    pooled = i18n.t("contrib_protected", "es")
    assert pooled in shown and i18n.t("note_contrib_protected", "es") in spec.notes
    names = dict(query(sample_db, "select article, name_es from ref_crime where law = 'Ley 30096'"))
    assert not any(n.startswith(names["5"]) for n in shown)
    data = spec.data.set_index(spec.x)
    counts = data.drop(columns=[spec.y, "display"]).iloc[:, :2]
    assert counts.loc[[pooled, i18n.t("contrib_total", "es")]].isna().all().all()


def test_minors_only_view_has_no_contribution_chart(con):
    assert charts.build("overview_contrib", con, synth(groups=("child",))) is None
    assert charts.build("overview_contrib", con, synth(crimes=("5",)), by="region") is None


def test_finding_names_the_driver(con, sample_db):
    cur, prev = latest_full_pair(sample_db)
    expected = sql_changes(sample_db, "article", "mpfn", year_bounds(cur), year_bounds(prev))
    lead = max(expected, key=lambda a: expected[a][1] - expected[a][0])
    name = query(sample_db, "select name_en from ref_crime where law = 'Ley 30096' and article = $a", {"a": lead})[0][0]
    _, findings = overview.summary(Context(con, mpfn(lang="en")))
    p, c = expected[lead]
    total = sum(c_ - p_ for p_, c_ in expected.values())
    driver = next(f for f in findings if name in f)
    assert i18n.fmt_int(c - p, "en") in driver and i18n.fmt_int(total, "en") in driver


def test_contribution_slide_is_a_native_chart_equal_to_its_table(con, sample_db):
    spec = charts.build("overview_contrib", con, mpfn(), by="crime")
    pack = briefing.Pack("Prueba", "es", [spec], [])
    images = briefing.Images("map")
    try:
        prs = Presentation(io.BytesIO(briefing.to_pptx(pack, images)))
    finally:
        images.close()
    (chart,) = [sh.chart for sh in list(prs.slides)[1].shapes if sh.has_chart]
    assert [str(c) for c in chart.plots[0].categories] == list(spec.data[spec.x])
    assert list(chart.plots[0].series[0].values) == [float(v) for v in spec.data[spec.y]]
    assert list(prs.slides)[1].shapes.title.text_frame.text == spec.title


def test_standard_pack_has_a_contribution_slide():
    assert "overview_contrib" in [cid for cid, _ in briefing.STANDARD_PACK]
    assert "overview_contrib" in briefing.registered()
