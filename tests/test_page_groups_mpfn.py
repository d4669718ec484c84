"""At-risk groups page on the real series (the Ministerio Público, the dashboard's default): the
files record no victim age, so the page shows Ley 30096 art. 5 (sexual solicitation of minors by
technological means) as the legal proxy for minors — its trend by year (2024: no file, a gap;
2025: January–November, labelled partial) and its rate per 100,000 people aged 0–17 by region.
Every figure is checked against SQL over `report_counts` written here; the published counts are
shown exactly as published (the cell-key method is for record-level sources only)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from cybertrends import charts, i18n
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from tests.apptest_helpers import figures, run_app, widget
from tests.conftest import query

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")
PAGE = "pages/at_risk_groups.py"
MONTHS = {
    "es": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"],
}


def _f(**kw) -> Filters:
    """The default view: the whole MPFN series, all Ley 30096 articles."""
    base = dict(source="mpfn", period_from=date(2019, 1, 1), period_to=date(2025, 1, 1), grain="year", crimes=LEY)
    return Filters(**{**base, **kw})


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# Independent computations -------------------------------------------------------------------

def _sql_years(db) -> dict[int, date]:
    """Each MPFN year with a file, and the last day its data cover."""
    return dict(query(db, """select year(period_start), max(period_end) from report_counts
                             where source = 'mpfn' group by 1 order by 1"""))


def _sql_article(db, article: str, law: str, regions=()) -> dict[int, int]:
    rows = query(db, """
        select year(period_start), sum(report_count) from report_counts
        where source = 'mpfn' and law = $law and article = $article
          and (len($regions) = 0 or list_contains($regions, region_code))
        group by 1""", {"law": law, "article": article, "regions": list(regions)})
    return {y: int(n) for y, n in rows}


def _sql_minor_rates(db, years: list[int]) -> dict[str, tuple[int, int, float]]:
    """Region name -> (art. 5 reports over `years`, population 0–17, annual rate per 100,000)."""
    rows = query(db, """
        select r.region_name, coalesce(c.n, 0), p.pop,
               coalesce(c.n, 0) / len($years) * 100000.0 / p.pop
        from ref_region r
        join (select region_code, sum(population_2020) as pop from ref_region_population
              where age_group in ('child', 'adolescent') group by 1) p using (region_code)
        left join (select region_code, sum(report_count) as n from report_counts
                   where source = 'mpfn' and law = 'Ley 30096' and article = '5'
                     and list_contains($years, year(period_start)) group by 1) c using (region_code)""",
                 {"years": years})
    return {name: (int(n), int(pop), rate) for name, n, pop, rate in rows}


def _complete_years(db) -> list[int]:
    return [y for y, end in _sql_years(db).items() if end == date(y, 12, 31)]


def _name(y: int, end: date | None, lang: str) -> str:
    """How a year must read: '2023', or '2025 (ene–nov)' for a part-year."""
    if end is None or end == date(y, 12, 31):
        return str(y)
    return f"{y} ({MONTHS[lang][0]}–{MONTHS[lang][end.month - 1]})"


# The trend --------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["es", "en"])
def test_art5_trend_equals_sql_with_gap_and_partial_year(sample_db, con, lang):
    T = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    spec = charts.build("gr_minor_proxy", con, _f(lang=lang))
    files = _sql_years(sample_db)
    art5 = _sql_article(sample_db, "5", "Ley 30096")
    assert 2024 not in files and art5[2023] == 88  # the data: no 2024 file; 88 in 2023 (published)
    assert files[2025] == date(2025, 11, 30)

    rows, table = spec.data, spec.export_table()
    assert list(rows[T("year")]) == [_name(y, files.get(y), lang) for y in range(2019, 2026)]
    for (_, row), (_, shown) in zip(rows.iterrows(), table.iterrows()):
        y = int(row[T("year")][:4])
        if y not in files:  # a gap: no value, "sin archivo", never a zero
            assert _nan(row[T("reports")]) and shown[T("reports")] == T("no_file") and row[T("status")] == T("no_file")
        else:
            assert row[T("reports")] == art5.get(y, 0)
            end = files[y]
            expected = T("complete") if end == date(y, 12, 31) else T(
                "partial_period", months=f"{MONTHS[lang][0]}–{MONTHS[lang][end.month - 1]}")
            assert row[T("status")] == expected

    # The figure: the full years as a line that breaks at 2024; the part-year drawn apart.
    traces = [t for t in spec.figure.data if t.legendgroup == "5"]
    line, partial = traces
    names = [_name(y, files.get(y), lang) for y in range(2019, 2026)]
    assert [x.replace("<br>", " ") for x in line.x] == names and line.connectgaps is False
    for i, y in enumerate(range(2019, 2026)):
        full = y in files and files[y] == date(y, 12, 31)
        assert line.y[i] == art5[y] if full else _nan(line.y[i])
        assert partial.y[i] == art5[y] if (y in files and not full) else _nan(partial.y[i])
    assert partial.showlegend is False

    # The finding: the latest complete year; the part-year stated as such, never as a full year.
    last_full = max(_complete_years(sample_db))
    n, m = art5[last_full], art5[2025]
    key = "gr_proxy_title_partial_more" if m > n else "gr_proxy_title_partial"
    assert spec.title == T(key, n=i18n.fmt_int(n, lang), period=str(last_full), partial=_name(2025, files[2025], lang),
                           m=i18n.fmt_int(m, lang))
    assert T("note_missing_periods", periods="2024") in spec.notes
    assert T("gr_note_partial_years", years=_name(2025, files[2025], lang)) in spec.notes
    # the source line names the cut dates of the files shown
    first, last = query(sample_db, "select min(data_as_of), max(data_as_of) from source_period where source = 'mpfn'")[0]
    assert i18n.fmt_date(first, lang) in spec.source_line and i18n.fmt_date(last, lang) in spec.source_line


def test_183b_is_left_out_and_said_so(sample_db, con):
    """CP 183-B (the same conduct by any means) is not a cybercrime proxy: not drawn, not in the
    table, and the notes say where to find it."""
    spec = charts.build("gr_minor_proxy", con, _f())
    assert set(spec.data["Tipo de delito"]) == {Context(con, _f()).crime_name("5")}
    assert [t.legendgroup for t in spec.figure.data] == ["5", "5"]
    assert i18n.t("gr_note_183b", "es") in spec.notes


def test_partial_year_alone_is_stated_as_partial(sample_db, con):
    f = _f(period_from=date(2025, 1, 1))
    art5 = _sql_article(sample_db, "5", "Ley 30096")
    spec = charts.build("gr_minor_proxy", con, f)
    assert spec.title == i18n.t("gr_proxy_title", "es", n=i18n.fmt_int(art5[2025], "es"), period="2025 (ene–nov)")
    rate = charts.build("gr_minor_rate", con, f)
    assert i18n.t("gr_note_not_annual", "es", period="2025 (ene–nov)") in rate.notes
    expected = {name: r for name, (_, _, r) in _sql_minor_rates(sample_db, [2025]).items()}
    got = dict(zip(rate.data["Región"], rate.data["Tasa por 100,000 personas de 0 a 17 años"]))
    assert got == pytest.approx(expected, abs=0.006)


# The rate per 100,000 people aged 0–17, by region -------------------------------------------

@pytest.mark.parametrize("lang,mode", [("es", "latest"), ("en", "latest"), ("es", "all")])
def test_minor_rate_per_100k_aged_0_17_equals_sql(sample_db, con, lang, mode):
    T = lambda key, **kw: i18n.t(key, lang, **kw)  # noqa: E731
    spec = charts.build("gr_minor_rate", con, _f(lang=lang), years=mode)
    complete = _complete_years(sample_db)
    years = complete if mode == "all" else complete[-1:]
    assert years[-1] == 2023  # the latest complete year (2024: no file; 2025: Jan–Nov)
    expected = _sql_minor_rates(sample_db, years)
    period = T("gr_period_average", years=f"{years[0]}–{years[-1]}") if len(years) > 1 else str(years[0])
    reports_col = T("gr_reports_in", period=f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0]))
    data = spec.data.set_index(T("region"))
    shown = spec.export_table().set_index(T("region"))
    assert set(data.index) == set(expected)
    for region, (n, pop, rate) in expected.items():
        assert data.loc[region, T("gr_minor_rate_col")] == pytest.approx(rate, abs=0.006)
        assert data.loc[region, T("gr_population_minors")] == pop
        assert data.loc[region, reports_col] == i18n.fmt_int(n, lang)  # published: 1–4 shown as is
    assert any(1 <= n <= 4 for n, _, _ in expected.values())
    assert "<5" not in shown.to_string()
    # the bars: highest on top, lengths are the rates
    bar = spec.figure.data[0]
    assert list(bar.x) == pytest.approx([expected[r][2] for r in bar.y], abs=1e-9)
    top = max(expected, key=lambda r: expected[r][2])
    assert bar.y[-1] == top
    count = T("gr_n_report") if expected[top][0] == 1 else T("gr_n_reports", n=i18n.fmt_int(expected[top][0], lang))
    assert spec.title == T("gr_minor_rate_title_top", region=top, rate=i18n.fmt_num(expected[top][2], lang, 1),
                           count=count, period=period)
    assert T("gr_unit_minors").removeprefix("por ").removeprefix("per ") in spec.title  # said plainly
    # the national rate: all art. 5 reports over all people aged 0–17
    n_all = sum(n for n, _, _ in expected.values())
    pop_all = sum(p for _, p, _ in expected.values())
    national = T("gr_overall_rate_national", rate=i18n.fmt_num(n_all / len(years) * 100000 / pop_all, lang, 1))
    assert national in [a.text for a in spec.figure.layout.annotations]
    assert T("gr_note_minor_rate") in spec.notes and T("gr_note_published") in spec.notes
    assert T("note_cell_key") not in spec.notes
    # few reports make a rate swing: said where a region has fewer than 10
    assert (T("gr_note_minor_rate_small", n=10) in spec.notes) == any(1 <= n < 10 for n, _, _ in expected.values())
    if mode == "all":
        assert T("gr_note_minor_rate_average", years=f"{years[0]}–{years[-1]}") in spec.notes
    # the cut date of the files the rate uses
    (cut,), = query(sample_db, """select max(data_as_of) from source_period
                                  where source = 'mpfn' and year(period_start) = $y""", {"y": years[-1]})
    assert i18n.fmt_date(cut, lang) in spec.source_line


def test_minor_rate_for_selected_regions_equals_sql(sample_db, con):
    spec = charts.build("gr_minor_rate", con, _f(regions=("15", "07"), lang="en"))
    expected = _sql_minor_rates(sample_db, [max(_complete_years(sample_db))])
    chosen = {r: expected[r] for r in ("Lima", "Callao")}
    got = dict(zip(spec.data["Region"], spec.data["Rate per 100,000 people aged 0–17"]))
    assert got == pytest.approx({r: v[2] for r, v in chosen.items()}, abs=0.006)
    overall = sum(v[0] for v in chosen.values()) * 100000 / sum(v[1] for v in chosen.values())
    assert i18n.t("gr_overall_rate_regions", "en", rate=i18n.fmt_num(overall, "en", 1)) in [
        a.text for a in spec.figure.layout.annotations]


def test_mpfn_small_counts_are_shown_as_published(sample_db, con):
    """Published aggregates: a region's art. 5 counts of 1–4 show as the publisher released
    them, in the trend and the rate (the cell-key method is for record-level sources only)."""
    regions = [r for (r,) in query(sample_db, "select region_code from ref_region order by 1")]
    small_seen = 0
    for r in regions:
        f = _f(regions=(r,))
        spec = charts.build("gr_minor_proxy", con, f)
        art5 = _sql_article(sample_db, "5", "Ley 30096", (r,))
        if spec is None:
            assert not art5
            continue
        table = spec.export_table()
        assert "<5" not in table.to_string()
        assert i18n.t("note_cell_key", "es") not in spec.notes
        for _, row in table.iterrows():
            y = int(row["Año"][:4])
            if y == 2024:
                continue
            assert row["Denuncias"] == i18n.fmt_int(art5.get(y, 0), "es")
            small_seen += 1 <= art5.get(y, 0) <= 4
        rate = charts.build("gr_minor_rate", con, f)
        if rate is not None:
            n = art5.get(max(_complete_years(sample_db)), 0)
            assert rate.export_table().iloc[0, 1] == i18n.fmt_int(n, "es")
    assert small_seen > 0  # the real data do have such cells


# The page, rendered -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_opens_on_the_real_series_with_the_minors_proxy(sample_db, con, lang):
    at = run_app(sample_db, PAGE, {"lang": lang})
    assert not at.exception, at.exception
    assert not any(i18n.t("synthetic_banner", lang) in w.value for w in at.warning)
    (name,), = query(sample_db, f"select name_{lang} from ref_source where source = 'mpfn'")
    assert any(name in i.value and "art. 5" in i.value for i in at.info)  # no victim age: said plainly
    shown = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    f = _f(lang=lang)
    assert shown == [charts.build("gr_minor_proxy", con, f).title, charts.build("gr_minor_rate", con, f).title]
    # the trend breaks at 2024 (no file), it does not drop to zero
    trend = figures(at)[0]
    line = next(t for t in trend["data"] if t.get("legendgroup") == "5")
    assert line["x"][5] == "2024" and _nan(line["y"][5])
    # published aggregates: no cell-key caption under the definitions
    assert not any(c.value == i18n.t("gr_definitions_protection", lang) for c in at.caption)
    # the rate can be the annual average of the complete years (a single year has few cases)
    widget(at.selectbox, "p_years").set_value("all").run()
    assert not at.exception
    assert at.query_params["years"] == "all"
    shown = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    assert shown[-1] == charts.build("gr_minor_rate", con, f, years="all").title


def test_synthetic_page_keeps_the_protection_caption(sample_db):
    at = run_app(sample_db, PAGE, {"lang": "es", "source": "synthetic"})
    assert not at.exception
    assert at.warning  # the synthetic notice
    assert any(c.value == i18n.t("gr_definitions_protection", "es") for c in at.caption)


def test_a_year_with_no_file_alone_draws_nothing(sample_db, con):
    """2024 has no file: no trend point and no rate (nothing to show, never a zero)."""
    f = _f(period_from=date(2024, 1, 1), period_to=date(2024, 1, 1))
    assert charts.build("gr_minor_proxy", con, f) is None
    assert charts.build("gr_minor_rate", con, f) is None
    # 2023–2024: the rate uses 2023, the trend marks 2024 as a gap
    f = _f(period_from=date(2023, 1, 1), period_to=date(2024, 1, 1))
    trend = charts.build("gr_minor_proxy", con, f)
    art5 = _sql_article(sample_db, "5", "Ley 30096")
    assert list(trend.export_table()["Denuncias"]) == [i18n.fmt_int(art5[2023], "es"), i18n.t("no_file", "es")]
    assert charts.build("gr_minor_rate", con, f).subtitle.startswith("2023 ·")
