"""What drives the change (chart `overview_contrib`): each crime type's or region's contribution
to the change in reports between the two latest comparable periods.

On the real series (MPFN, published aggregates) the parts add up exactly to the change in the
total, and each part equals an independent SQL difference over `report_counts`. On the
synthetic sample (record-level) every part and each period's total are published cells (cell-key
method, computed independently by tests/published.py); the parts may then miss the totals by a
few reports, shown as a "protection rounding" row so that the table still adds up."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pptx import Presentation

from cybertrends import briefing, charts, i18n
from cybertrends.charts import overview
from cybertrends.charts.base import Context
from cybertrends.charts.overview.contributions import _signed
from cybertrends.filters import Filters
from tests.conftest import query
from tests.published import published
from tests.published import total as published_total

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")


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


LEY_SQL = "crime_code in (select crime_code from ref_crime where is_ley_30096)"


def published_changes(db, by: str, cur: tuple[date, date], prev: tuple[date, date], where: str = "true",
                      params: dict | None = None) -> tuple[dict, int, int]:
    """({part: (prev, cur)}, total prev, total cur) as the synthetic sample publishes them:
    each part and each total a cell of its own (tests/published.py, independent of the app)."""
    sel = f"{LEY_SQL} and ({where}) and report_date between $a and $b"
    sides = []
    for a, b in (prev, cur):
        p = {**(params or {}), "a": a, "b": b}
        sides.append((published(db, "synthetic", (by,), sel, p), published_total(db, "synthetic", sel, p)))
    (p_cells, p_total), (c_cells, c_total) = sides
    parts = {k[0]: (p_cells.get(k, 0), c_cells.get(k, 0)) for k in set(p_cells) | set(c_cells)}
    return {k: v for k, v in parts.items() if v != (0, 0)}, p_total, c_total


def crime_display(db, lang: str = "es") -> dict:
    """How the chart names a crime type: "name (art. N)" / "name (CP art. N)"; S/Art bare."""
    out = {}
    for code, law, article, name in query(db, f"select crime_code, law, article, name_{lang} from ref_crime"):
        prefix = "art." if law == "Ley 30096" else ("CP art." if lang == "es" else "PC art.")
        out[code] = name if code == "S/Art" else f"{name} ({prefix} {article})"
    return out


def check_published(spec, names: dict, expected: dict, t_prev: int, t_cur: int, lang: str = "es") -> int:
    """The chart's parts, totals and rounding row against the independent publication; every
    column of its table adds up to its total row. Returns the rounding row's change (0 if none)."""
    shown, total = parts(spec, lang)
    rounding_name = i18n.t("contrib_rounding", lang)
    rounding = shown.pop(rounding_name, 0)
    assert shown == {names[k]: c - p for k, (p, c) in expected.items()}
    assert total == t_cur - t_prev  # the change of the totals, each a cell of its own
    assert rounding == total - sum(shown.values())
    data = spec.data.set_index(spec.x)
    prev_col, cur_col = data.columns[0], data.columns[1]
    total_row = data.loc[i18n.t("contrib_total", lang)]
    assert (total_row[prev_col], total_row[cur_col]) == (t_prev, t_cur)
    body = data.drop(index=i18n.t("contrib_total", lang))
    assert (body[prev_col].sum(), body[cur_col].sum(), body[spec.y].sum()) == (t_prev, t_cur, total)
    for k, (p, c) in expected.items():
        assert (data.loc[names[k], prev_col], data.loc[names[k], cur_col]) == (p, c)
    # the figure draws the table's rows
    wf = spec.figure.data[0]
    assert list(wf.x) == list(spec.data[spec.y])
    if rounding or rounding_name in data.index:
        assert i18n.t("note_contrib_rounding", lang, total=_signed(total, lang)) in spec.notes
    else:
        assert i18n.t("note_contrib_sum", lang, total=_signed(total, lang)) in spec.notes
    return rounding


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
    expected, t_prev, t_cur = published_changes(sample_db, "crime_code", (date(2025, 1, 1), date(2025, 6, 30)),
                                                (date(2024, 1, 1), date(2024, 6, 30)), "region_code in ('04', '15')")
    check_published(spec, crime_display(sample_db), expected, t_prev, t_cur)
    assert any(n.startswith(i18n.t("note_contrib_same_months", "es", cur="ene 2025–jun 2025", prev="ene 2024–jun 2024")[:20])
               for n in spec.notes)
    assert spec.synthetic


def test_parts_that_miss_the_total_show_a_rounding_row(con, sample_db):
    """The whole synthetic sample by crime type, 2025 against 2024: the published parts miss
    the published totals by a few reports; the difference is a row of its own, so the table
    and the waterfall add up to the total change."""
    spec = charts.build("overview_contrib", con, synth(), by="crime")
    expected, t_prev, t_cur = published_changes(sample_db, "crime_code", year_bounds(2025), year_bounds(2024))
    rounding = check_published(spec, crime_display(sample_db), expected, t_prev, t_cur)
    assert rounding != 0  # the case is exercised: the parts do not add up to the total here
    data = spec.data.set_index(spec.x)
    assert data.index[-2:].tolist() == [i18n.t("contrib_rounding", "es"), i18n.t("contrib_total", "es")]


def test_small_cells_are_published_values(con, sample_db):
    """Regions where art. 5 (minors by definition) counts 1-4 in 2025, by crime type: its part
    is its published cell (0, 5 or 6, never 1-4; a part published as 0 in both years has no
    row), like every other part, and the table still adds up."""
    regions = [r for (r,) in query(sample_db, """
        select region_code from fact_incident where source = 'synthetic' and crime_code = '5'
        group by 1 having count(*) filter (where year(report_date) = 2025) between 1 and 4
        order by 1 limit 3""")]
    names = crime_display(sample_db)
    art5 = []
    for region in regions:
        spec = charts.build("overview_contrib", con, synth(regions=(region,)), by="crime")
        expected, t_prev, t_cur = published_changes(sample_db, "crime_code", year_bounds(2025), year_bounds(2024),
                                                    "region_code = $r", {"r": region})
        check_published(spec, names, expected, t_prev, t_cur)
        data = spec.data.set_index(spec.x).drop(index=[i18n.t("contrib_rounding", "es")], errors="ignore")
        counts = data.iloc[:, :2].to_numpy().ravel()
        assert not ((counts >= 1) & (counts <= 4)).any()
        assert (names["5"] in data.index) == ("5" in expected)
        art5.append(expected.get("5", (0, 0))[1])
    assert set(art5) <= {0, 5, 6} and set(art5) & {5, 6}  # exercised: shown as 5 or 6 somewhere


@pytest.mark.parametrize("view,by,where", [
    ({"groups": ("child",)}, "crime_code", "victim_age_group = 'child'"),
    ({"crimes": ("5",)}, "region_code", "crime_code = '5'"),
])
def test_minors_views_have_published_contributions(con, sample_db, view, by, where):
    """A view of minors' cases only is drawn like any other: its parts and totals are published
    cells (no pooled or withheld rows)."""
    spec = charts.build("overview_contrib", con, synth(**view), by="crime" if by == "crime_code" else "region")
    assert spec is not None
    expected, t_prev, t_cur = published_changes(sample_db, by, year_bounds(2025), year_bounds(2024), where)
    names = crime_display(sample_db) if by == "crime_code" else dict(query(sample_db, "select region_code, region_name from ref_region"))
    check_published(spec, names, expected, t_prev, t_cur)


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
