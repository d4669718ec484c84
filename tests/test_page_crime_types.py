"""Crime types page (growth by crime type): every number checked against an independent
computation: the published cells of the synthetic sample (record level: cell-key method,
tests/published.py over `fact_incident`) and exact SQL over the MPFN series (published
aggregates); victim protection proven on reachable views (no count 1-4 ever shown, small cells
shown as their published value); and the page rendered with AppTest."""

from __future__ import annotations

import math
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from cybertrends import charts, i18n, measures
from cybertrends.charts import crime_types as ct
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from tests.apptest_helpers import figures, run_app, texts, widget
from tests.published import published
from tests.published import total as published_total

PAGE = "pages/crime_types.py"
MPFN_NAME = {"es": "Ministerio Público – Delitos denunciados", "en": "Public Prosecutor's Office – Reported offences"}


@pytest.fixture(scope="module")
def ley(con) -> tuple[str, ...]:
    return tuple(r[0] for r in con.execute("select crime_code from ref_crime where is_ley_30096 order by sort_order").fetchall())


@pytest.fixture(scope="module")
def penal(con) -> tuple[str, ...]:
    return tuple(r[0] for r in con.execute("select crime_code from ref_crime where not is_ley_30096 order by sort_order").fetchall())


def synth(ley, lang="en", start=date(2019, 1, 1), end=date(2025, 12, 1), **kw) -> Filters:
    return Filters("synthetic", start, end, "month", crimes=kw.pop("crimes", ley), lang=lang, **kw)


def mpfn(crimes, lang="en", **kw) -> Filters:
    return Filters("mpfn", date(2023, 1, 1), date(2023, 1, 1), "year", crimes=crimes, lang=lang, **kw)


def default_mpfn(crimes, lang="en", first=2019, last=2025, **kw) -> Filters:
    """The view the dashboard opens on: the MPFN series, 2019 to the partial 2025."""
    return Filters("mpfn", date(first, 1, 1), date(last, 1, 1), "year", crimes=crimes, lang=lang, **kw)


def T(key, lang="en", **kw) -> str:
    return i18n.t(key, lang, **kw)


# Independent computation ---------------------------------------------------------------------

def month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


def selection(f: Filters, start=None, end=None, crimes=None) -> tuple[str, dict]:
    """SQL over the fact table (fact_incident for record-level sources, fact_count for mpfn)
    selecting the rows of `f` from the period starting `start` to the one starting `end`,
    with `crimes` instead of the filter's crime types if given; and its parameters."""
    start, end = start or f.period_from, end or f.period_to
    crimes = list(f.crimes if crimes is None else crimes)
    if f.source == "mpfn":
        where = """year(period_start) between $a and $b and list_contains($crimes, crime_code)
                   and (len($regions) = 0 or list_contains($regions, region_code))"""
        return where, {"a": start.year, "b": end.year, "crimes": crimes, "regions": list(f.regions)}
    where = """report_date between $a and $b and list_contains($crimes, crime_code)
               and (len($regions) = 0 or list_contains($regions, region_code))
               and (len($groups) = 0 or list_contains($groups, victim_age_group))"""
    return where, {"a": start, "b": month_end(end), "crimes": crimes, "regions": list(f.regions),
                   "groups": list(f.groups)}


def pub_cells(db, f: Filters, by=("crime_code",), start=None, end=None, crimes=None) -> dict:
    """{cell tuple: published count} of the selection, cells by `by` (tests/published.py):
    the cell-key publication for the synthetic sample, exact sums for mpfn."""
    where, params = selection(f, start, end, crimes)
    return published(db, f.source, tuple(by), where, params)


def pub_total(db, f: Filters, start=None, end=None, crimes=None) -> int:
    """The published total of the selection: a cell of its own."""
    where, params = selection(f, start, end, crimes)
    return published_total(db, f.source, where, params)


def exact_cells(con, f: Filters, key: str = "crime_code") -> pd.DataFrame:
    """True counts per year and key straight from fact_incident (the restricted tier): only to
    show that a view holds small cells (1-4), never as what the app should show."""
    expr = {"crime_code": "crime_code", "modality": "coalesce(modality, 'unknown')",
            "channel": "coalesce(channel, 'unknown')"}[key]
    where, params = selection(f)
    return con.execute(f"""select year(report_date) as y, {expr} as k, count(*) as n from fact_incident
                           where source = $source and {where} group by all""",
                       {"source": f.source, **params}).df()


def crime_names(con, lang="en") -> dict[str, str]:
    out = {}
    for code, law, article, name in con.execute(f"select crime_code, law, article, name_{lang} from ref_crime").fetchall():
        if code == "S/Art":
            out[code] = name
        elif law == "Ley 30096":
            out[code] = f"{name} (art. {article})"
        else:
            out[code] = f"{name} ({'CP' if lang == 'es' else 'PC'} art. {article})"
    return out


def ranked(counts: dict) -> list:
    return sorted(counts, key=lambda c: (-counts[c], c))


def trace_values(trace, axis):
    return np.array([np.nan if v is None else v for v in trace[axis]], dtype=float)


# Index -----------------------------------------------------------------------------------------

def expected_index(db, f: Filters, years: list[int]) -> dict[str, dict[int, float]]:
    """{series code (or 'other'): {year: index or nan}}: the top 6 types by published volume
    over `years`, each from its published (type, year) cells, and the other selected types
    together as cells of their own (one per year), never total minus the shown types."""
    start, end = date(years[0], 1, 1), date(years[-1], 12, 1)
    cells = {k: v for k, v in pub_cells(db, f, ("year", "crime_code"), start, end).items() if k[0] in years}
    volume = {}
    for (_, k), n in cells.items():
        volume[k] = volume.get(k, 0) + n
    codes = ranked({k: v for k, v in volume.items() if v > 0})
    top = codes if len(codes) <= 7 else codes[:6]
    counts = {s: {y: cells.get((y, s), 0) for y in years} for s in top}
    if len(codes) > len(top):
        other = pub_cells(db, f, ("year",), start, end, crimes=[c for c in f.crimes if c not in top])
        counts["other"] = {y: other.get((y,), 0) for y in years}
    out = {}
    for s, vals in counts.items():
        base = vals[years[0]]
        out[s] = {y: (np.nan if base == 0 else v / base * 100) for y, v in vals.items()}
    return out


def test_index_matches_sql(sample_db, con, ley):
    f = synth(ley)
    spec = charts.build("ct_index", con, f)
    years = list(range(2019, 2026))
    exp = expected_index(sample_db, f, years)
    names = crime_names(con)
    data = spec.data
    y_col = T("ct_index_col", first=2019)
    assert spec.kind == "line" and spec.x == T("year") and spec.y == y_col and spec.series == T("crime_type")
    assert len(exp) == 7 and "other" in exp
    for s, vals in exp.items():
        label = T("ct_other") if s == "other" else names[s]
        rows = data[data[T("crime_type")] == label].set_index(T("year"))
        assert list(rows.index) == [str(y) for y in years]
        for y in years:
            got = rows.loc[str(y), y_col]
            assert (pd.isna(got) and math.isnan(vals[y])) or got == pytest.approx(vals[y], abs=0.051), (s, y)
    # "Other types" is its own cell per year: the published count of the other types together.
    top = [s for s in exp if s != "other"]
    other = pub_cells(sample_db, f, ("year",), crimes=[c for c in ley if c not in top])
    rows = data[data[T("crime_type")] == T("ct_other")].set_index(T("year"))
    assert [rows.loc[str(y), T("reports")] for y in years] == [other.get((y,), 0) for y in years]
    # The figure draws the same values, in the same order (series with a computable index only).
    drawn = [s for s, v in exp.items() if not all(math.isnan(x) for x in v.values())]
    lines = [tr for tr in spec.figure.data if tr.type == "scatter"]
    assert len(lines) == len(drawn)
    for tr, s in zip(lines, drawn):
        np.testing.assert_allclose(trace_values(tr, "y"), [exp[s][y] for y in years], rtol=1e-9, equal_nan=True)
    # The base year 2019 has many reports without an article (S/Art): the title then names no
    # "fastest-growing" type (it would mostly measure the end of S/Art filing), only the index.
    assert spec.title == T("ct_index_title_plain", "en", first=2019, last=2025)
    # From 2022 (a base year with few S/Art) it names the type with the highest last index
    # among those with a base of >= 20.
    f22 = f.with_(period_from=date(2022, 1, 1))
    spec22 = charts.build("ct_index", con, f22)
    base = {k: n for (k,), n in pub_cells(sample_db, f, start=date(2022, 1, 1), end=date(2022, 12, 1)).items()}
    last = {k: n for (k,), n in pub_cells(sample_db, f, start=date(2025, 1, 1), end=date(2025, 12, 1)).items()}
    eligible = {s: last.get(s, 0) / base[s] * 100 for s in base if base[s] >= 20 and s in names}
    best = max(eligible, key=eligible.get)
    assert names[best] in spec22.title and i18n.fmt_num(eligible[best], "en", 0) in spec22.title
    assert T("note_cell_key") in spec.notes


def test_index_uses_complete_selected_years_only(sample_db, con, ley):
    f = synth(ley, start=date(2021, 3, 1), end=date(2025, 6, 1))
    spec = charts.build("ct_index", con, f)
    assert sorted(spec.data[T("year")].unique()) == ["2022", "2023", "2024"]
    exp = expected_index(sample_db, f, [2022, 2023, 2024])
    top = next(s for s in exp if s != "other")
    rows = spec.data[spec.data[T("crime_type")] == crime_names(con)[top]]
    assert list(rows[T("ct_index_col", first=2022)]) == pytest.approx([round(exp[top][y], 1) for y in (2022, 2023, 2024)])
    assert any("2021, 2025" in n for n in spec.notes)
    assert "2022 = 100" in spec.title


def test_index_small_cells_are_published_values(sample_db, con, ley):
    """Art. 5 had 1-4 reports in 2019 (minors): the chart shows its published value (0, 5 or
    6, never 1-4) and indexes from it; no index where the published base is 0."""
    f = synth(ley, crimes=("5", "8", "9"))
    cells = exact_cells(con, f)
    assert int(cells[(cells["k"] == "5") & (cells["y"] == 2019)]["n"].iloc[0]) in range(1, 5)
    spec = charts.build("ct_index", con, f)
    exp = expected_index(sample_db, f, list(range(2019, 2026)))
    art5 = spec.data[spec.data[T("crime_type")] == crime_names(con)["5"]].set_index(T("year"))
    published_2019 = pub_cells(sample_db, f, ("year", "crime_code"))[(2019, "5")]
    assert published_2019 in (0, 5, 6) and art5.loc["2019", T("reports")] == published_2019
    for y in range(2019, 2026):
        got = art5.loc[str(y), T("ct_index_col", first=2019)]
        assert (pd.isna(got) and math.isnan(exp["5"][y])) or got == pytest.approx(exp["5"][y], abs=0.051)
    assert_no_small_counts(spec)
    assert len(spec.figure.data) == sum(not all(math.isnan(v) for v in e.values()) for e in exp.values())
    # no index (nothing published in the base year): said in a note, and only then
    assert any(crime_names(con)["5"] in n for n in spec.notes) == (published_2019 == 0)


# Year-on-year change -----------------------------------------------------------------------------

def expected_growth(db, f, base_span, last_span, years=1):
    """{type: (base, last, growth)} from published cells, and the total's growth from the two
    published totals (cells of their own)."""
    b = {k: n for (k,), n in pub_cells(db, f, start=base_span[0], end=base_span[1]).items()}
    lst = {k: n for (k,), n in pub_cells(db, f, start=last_span[0], end=last_span[1]).items()}
    out = {}
    for k in set(b) | set(lst):
        bn, ln = b.get(k, 0), lst.get(k, 0)
        if bn == 0 and ln == 0:
            continue
        out[k] = (bn, ln, np.nan if bn == 0 else ((ln / bn) ** (1 / years) - 1) * 100)
    total_b, total_l = pub_total(db, f, *base_span), pub_total(db, f, *last_span)
    return out, ((total_l / total_b) ** (1 / years) - 1) * 100, (total_b, total_l)


def check_growth(spec, exp, names, y_col, lang="en"):
    data = spec.data.set_index(T("crime_type", lang))
    assert len(data) == len(exp) + 1  # every type with a published report, and the total
    for k, (bn, ln, g) in exp.items():
        got = data.loc[names[k], y_col]
        if math.isnan(g):
            assert pd.isna(got), k
        else:
            assert got == pytest.approx(round(g, 1), abs=0.051), k
        assert tuple(data.loc[names[k]].iloc[:2]) == (bn, ln), k  # the counts behind it
    bars = spec.figure.data[0]
    shown = sorted(g for _, _, g in exp.values() if not math.isnan(g))
    np.testing.assert_allclose(sorted(bars.x), shown, rtol=1e-9)


def test_yoy_full_year_matches_sql(sample_db, con, ley):
    f = synth(ley)
    spec = charts.build("ct_yoy", con, f)
    exp, total, totals = expected_growth(sample_db, f, (date(2024, 1, 1), date(2024, 12, 1)), (date(2025, 1, 1), date(2025, 12, 1)))
    names = crime_names(con)
    check_growth(spec, exp, names, T("ct_change_col"))
    row = spec.data.set_index(T("crime_type")).loc[T("ct_total")]
    assert row[T("ct_change_col")] == pytest.approx(round(total, 1))
    assert tuple(row.iloc[:2]) == totals  # the totals are cells of their own, shown
    best = max((k for k, (bn, _, g) in exp.items() if bn >= 20 and not math.isnan(g)), key=lambda k: exp[k][2])
    assert spec.title == T("ct_yoy_title_up", crime=names[best], pct=i18n.fmt_pct(exp[best][2], "en", signed=True),
                           period="2025", prev="2024")
    assert spec.subtitle.startswith("2025 ·") and spec.subtitle.endswith("vs. 2024")


def test_yoy_incomplete_year_compares_same_months(sample_db, con, ley):
    f = synth(ley, lang="es", end=date(2025, 6, 1))
    spec = charts.build("ct_yoy", con, f)
    exp, _, _ = expected_growth(sample_db, f, (date(2024, 1, 1), date(2024, 6, 1)), (date(2025, 1, 1), date(2025, 6, 1)))
    check_growth(spec, exp, crime_names(con, "es"), T("ct_change_col", "es"), "es")
    assert "ene 2025–jun 2025" in spec.subtitle and "ene 2024–jun 2024 (mismos meses)" in spec.subtitle
    assert any("mismos meses" in n for n in spec.notes)
    # Spanish columns and counts
    assert T("ct_reports_in", "es", period="ene 2024–jun 2024") in spec.data.columns


def test_yoy_matches_overview_fastest(con, ley):
    """The overview's fastest-growing headline and this chart's title name the same crime type."""
    from cybertrends.charts import overview

    f = synth(ley)
    heads = overview.headlines(Context(con, f))
    assert heads[1].value in charts.build("ct_yoy", con, f).title


# Compound annual growth --------------------------------------------------------------------------

def test_cagr_matches_sql(sample_db, con, ley):
    f = synth(ley)
    spec = charts.build("ct_cagr", con, f)
    exp, total, totals = expected_growth(sample_db, f, (date(2019, 1, 1), date(2019, 12, 1)),
                                         (date(2025, 1, 1), date(2025, 12, 1)), years=6)
    names = crime_names(con)
    check_growth(spec, exp, names, T("ct_cagr_col"))
    data = spec.data.set_index(T("crime_type"))
    # art. 5's 2019 base is a small cell: its published value (never 1-4) is the base
    assert exp["5"][0] in (0, 5, 6) and data.loc[names["5"], T("ct_reports_in", period="2019")] == exp["5"][0]
    assert data.loc[T("ct_total"), T("ct_cagr_col")] == pytest.approx(round(total, 1))
    # The total's counts are its own published cells, shown (no difference reveals a part).
    assert (data.loc[T("ct_total"), T("ct_reports_in", period="2019")],
            data.loc[T("ct_total"), T("ct_reports_in", period="2025")]) == totals
    best = max((k for k, (bn, _, g) in exp.items() if bn >= 20 and not math.isnan(g)), key=lambda k: exp[k][2])
    assert spec.title == T("ct_cagr_title_up", crime=names[best], pct=i18n.fmt_pct(exp[best][2], "en", signed=True), span="2019–2025")


def test_cagr_needs_two_complete_years(con, ley):
    f = synth(ley, start=date(2024, 3, 1), end=date(2025, 6, 1))
    assert charts.build("ct_cagr", con, f) is None
    assert charts.build("ct_index", con, f) is None
    why = ct.notices(Context(con, f))
    assert why["ct_cagr"] and why["ct_index"] and "2" in why["ct_cagr"]
    assert why["growth"] is None and why["ct_yoy"] is None  # Jan-Jun 2025 vs Jan-Jun 2024 still works
    assert charts.build("ct_yoy", con, f) is not None


def test_spans_follow_context_periods(sample_db, con, ley):
    """The charts take their spans from Context (one place: measures.Periods): a monthly
    selection that starts mid-year compares the same months a year earlier, and a selection
    whose year before has no data has no year-on-year change."""
    f = synth(ley, start=date(2025, 7, 1), end=date(2025, 12, 1))
    spec = charts.build("ct_yoy", con, f)
    assert spec.subtitle.startswith("Jul 2025–Dec 2025 ·")
    assert "Jul 2024–Dec 2024 (same months)" in spec.subtitle
    exp, _, _ = expected_growth(sample_db, f, (date(2024, 7, 1), date(2024, 12, 1)), (date(2025, 7, 1), date(2025, 12, 1)))
    check_growth(spec, exp, crime_names(con), T("ct_change_col"))
    first_year = synth(ley, end=date(2019, 12, 1))
    assert Context(con, first_year).span() is None
    assert charts.build("ct_yoy", con, first_year) is None
    assert ct.notices(Context(con, first_year))["ct_yoy"]


# The real series: MPFN 2019-2025 (2024 no file, 2025 Jan-Nov) ---------------------------------------

def sql_unspecified(con, source: str, first: int, last: int, regions=(), groups=()) -> dict[int, tuple[int, int, float]]:
    """{year: (reports without article, Ley 30096 reports, share %)} straight from
    report_counts (published aggregates) or fact_incident (record-level sources)."""
    if source in ("synthetic", "incidents"):
        sql = """
            select year(report_date) as y, count(*) filter (where crime_code = 'S/Art') as u, count(*) as n
            from fact_incident
            where source = $s and year(report_date) between $a and $b
              and crime_code in (select crime_code from ref_crime where law = 'Ley 30096')
              and (len($regions) = 0 or list_contains($regions, region_code))
              and (len($groups) = 0 or list_contains($groups, victim_age_group))
            group by 1 order by 1"""
        params = {"s": source, "a": first, "b": last, "regions": list(regions), "groups": list(groups)}
    else:
        sql = """
            select year(period_start) as y, coalesce(sum(report_count) filter (where article = 'S/Art'), 0) as u,
                   sum(report_count) as n
            from report_counts
            where source = $s and law = 'Ley 30096' and year(period_start) between $a and $b
              and (len($regions) = 0 or list_contains($regions, region_code))
            group by 1 order by 1"""
        params = {"s": source, "a": first, "b": last, "regions": list(regions)}
    return {int(y): (int(u), int(n), u / n * 100) for y, u, n in con.execute(sql, params).fetchall()}


def test_mpfn_series_as_loaded(con):
    """The independent figures the tests below rely on match the published series (issue 8)."""
    shares = sql_unspecified(con, "mpfn", 2019, 2025)
    assert {y: n for y, (_, n, _) in shares.items()} == {
        2019: 7897, 2020: 8674, 2021: 18424, 2022: 19064, 2023: 29580, 2025: 39430}
    assert [round(shares[y][2], 1) for y in (2019, 2020, 2021, 2022, 2023, 2025)] == [62.4, 36.2, 13.2, 2.2, 2.8, 3.0]


@pytest.mark.parametrize("source,regions,groups", [
    ("mpfn", (), ()), ("mpfn", ("15",), ()), ("mpfn", ("07", "25", "12"), ()),
    ("synthetic", (), ()), ("synthetic", ("04",), ("young", "adult")),
])
def test_unspecified_share_matches_sql(sample_db, con, ley, source, regions, groups):
    """The share of Ley 30096 reports without an article, per year, equals SQL over the facts
    (mpfn) or the published cells (synthetic: S/Art per year and all Ley 30096 per year, each a
    cell of its own), for any region (and victim group) selection, whatever crime types are
    selected; a year without a file has no row (never a zero)."""
    if source == "mpfn":
        f = default_mpfn(("8", "9"), regions=regions)
    else:
        f = synth(ley, crimes=("8", "9"), regions=regions, groups=groups)
    got = ct.unspecified_shares(Context(con, f), f.period_from, f.period_to)
    if source == "mpfn":
        exp = sql_unspecified(con, source, 2019, 2025, regions, groups)
    else:
        years = pub_cells(sample_db, f, ("year",), crimes=ley)
        unspecified = pub_cells(sample_db, f, ("year",), crimes=("S/Art",))
        exp = {y: (unspecified.get((y,), 0), n, unspecified.get((y,), 0) / n * 100) for (y,), n in years.items()}
        assert sql_unspecified(con, source, 2019, 2025, regions, groups).keys() == exp.keys()
    assert list(got["year"]) == sorted(exp)
    if source == "mpfn":
        assert 2024 not in set(got["year"])
    for row in got.itertuples():
        u, n, share = exp[row.year]
        assert (row.unspecified, row.total) == (u, n)
        assert row.share == pytest.approx(share, rel=1e-12)


def caveat_items(con, lang, source, years, regions=()) -> str:
    """The caveat's list of flagged years, written from independent SQL shares."""
    shares = sql_unspecified(con, source, min(years), max(years), regions)
    names = {2025: {"es": "2025 (ene–nov)", "en": "2025 (Jan–Nov)"}[lang]} if source == "mpfn" else {}
    flagged = [y for y in sorted(shares) if y in years and shares[y][2] >= 10]
    return ", ".join(T("ct_unspecified_item", lang, pct=i18n.fmt_pct(shares[y][2], lang), period=names.get(y, str(y)))
                     for y in flagged)


def has_caveat(spec) -> bool:
    lang = spec.lang
    marks = [T(f"ct_caveat_unspecified_short_{k}", lang, items="")[:25] for k in ("one", "many")]
    notes = [T(f"ct_note_unspecified_{k}", lang, items="", n="10")[:25] for k in ("one", "many")]
    return any(m in spec.subtitle for m in marks) or any(n in note for note in spec.notes for n in notes)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_mpfn_index_and_cagr_match_sql_over_complete_years(sample_db, con, ley, lang):
    """Default view: index and compound growth over the complete years 2019-2023 only (2024 has
    no file, 2025 covers Jan-Nov): values equal independent SQL; no 2024 or 2025 value."""
    f = default_mpfn(ley, lang)
    years = [2019, 2020, 2021, 2022, 2023]
    spec = charts.build("ct_index", con, f)
    assert sorted(spec.data[T("year", lang)].unique()) == [str(y) for y in years]
    exp = expected_index(sample_db, f, years)
    names = crime_names(con, lang)
    y_col = T("ct_index_col", lang, first=2019)
    for s, vals in exp.items():
        label = T("ct_other", lang) if s == "other" else names[s]
        rows = spec.data[spec.data[T("crime_type", lang)] == label].set_index(T("year", lang))
        for y in years:
            assert rows.loc[str(y), y_col] == pytest.approx(round(vals[y], 1), abs=0.051), (s, y)
    for tr in spec.figure.data:
        assert list(tr.x) == [str(y) for y in years]
    assert any("2024" in n and T("no_file", lang) in n for n in spec.notes)
    assert any({"es": "2025 (ene–nov)", "en": "2025 (Jan–Nov)"}[lang] in n for n in spec.notes)

    cagr = charts.build("ct_cagr", con, f)
    exp, total, _ = expected_growth(sample_db, f, (date(2019, 1, 1), date(2019, 1, 1)), (date(2023, 1, 1), date(2023, 1, 1)), years=4)
    check_growth(cagr, exp, names, T("ct_cagr_col", lang), lang)
    assert cagr.data.set_index(T("crime_type", lang)).loc[T("ct_total", lang), T("ct_cagr_col", lang)] == pytest.approx(round(total, 1))
    assert "2019–2023" in cagr.title and cagr.subtitle.startswith("2019–2023 ·")


def test_mpfn_yoy_is_2023_against_2022(sample_db, con, ley):
    """The latest complete year against the year before: 2023 vs 2022 (never the partial 2025,
    never the missing 2024), every change equal to independent SQL."""
    f = default_mpfn(ley)
    spec = charts.build("ct_yoy", con, f)
    exp, total, _ = expected_growth(sample_db, f, (date(2022, 1, 1), date(2022, 1, 1)), (date(2023, 1, 1), date(2023, 1, 1)))
    check_growth(spec, exp, crime_names(con), T("ct_change_col"))
    data = spec.data.set_index(T("crime_type"))
    art8 = data.loc[crime_names(con)["8"]]
    assert (art8[T("ct_reports_in", period="2022")], art8[T("ct_reports_in", period="2023")]) == exp["8"][:2]
    assert exp["8"][:2] == (13754, 21751)  # the published figures (issue 8)
    assert data.loc[T("ct_total"), T("ct_change_col")] == pytest.approx(round(total, 1))
    assert spec.subtitle.startswith("2023 ·") and "vs. 2022" in spec.subtitle
    cuts = dict(con.execute("""select year(period_start), data_as_of from source_period
                               where source = 'mpfn' and year(period_start) in (2022, 2023)""").fetchall())
    assert i18n.fmt_date(cuts[2022], "en") in spec.source_line and i18n.fmt_date(cuts[2023], "en") in spec.source_line


def test_index_line_breaks_at_a_missing_year(sample_db, con, ley):
    """Were 2025 complete, the index would run 2019-2025 and break at 2024 (no file): NaN, never
    0, and no line drawn across the gap; 2025 then indexed from the same 2019 base."""
    f = default_mpfn(ley)
    ctx = Context(con, f)
    covers = [measures.Cover(c.start, c.grain, c.start, c.end, c.data_as_of) for c in ctx.periods.by_start.values()]
    ctx.__dict__["periods"] = measures.Periods("year", covers)  # 2025 treated as a full year
    spec = ct.ct_index(ctx)
    axis = [str(y) for y in range(2019, 2026)]
    art8 = spec.data[spec.data[T("crime_type")] == crime_names(con)["8"]].set_index(T("year"))
    assert list(art8.index) == axis
    assert pd.isna(art8.loc["2024", T("ct_index_col", first=2019)]) and pd.isna(art8.loc["2024", T("reports")])
    assert art8.loc["2024", "display"] == T("no_file")
    cells = pub_cells(sample_db, f, ("crime_code", "year"))  # mpfn: exact sums
    assert art8.loc["2025", T("ct_index_col", first=2019)] == pytest.approx(round(cells[("8", 2025)] / cells[("8", 2019)] * 100, 1))
    for tr in spec.figure.data:
        assert list(tr.x) == axis and tr.connectgaps is False
        assert math.isnan(tr.y[axis.index("2024")])
    assert any("2024" in n for n in spec.notes)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_unspecified_caveat_on_article_charts(con, ley, lang):
    """Where a period in view has >= 10 % of Ley 30096 reports without an article, the chart
    says so in its subtitle (and the index marks the years on the figure) and in its notes
    (exports carry them); the shares written equal independent SQL."""
    f = default_mpfn(ley, lang)
    index, cagr, yoy, share = (charts.build(c, con, f) for c in ("ct_index", "ct_cagr", "ct_yoy", "ct_share"))
    for spec, years in ((index, range(2019, 2024)), (cagr, (2019, 2023)), (share, range(2019, 2026))):
        items = caveat_items(con, lang, "mpfn", list(years))
        assert items and items in spec.subtitle, spec.chart_id
        assert any(items in n for n in spec.notes), spec.chart_id
        assert has_caveat(spec)
    assert "2020" not in caveat_items(con, lang, "mpfn", [2019, 2023])  # the CAGR only uses its two ends
    assert not has_caveat(yoy)  # 2023 against 2022: both under 10 %
    shares = sql_unspecified(con, "mpfn", 2019, 2023)
    marks = sorted(a.text for a in index.figure.layout.annotations)
    assert marks == sorted(T("ct_unspecified_mark", lang, pct=i18n.fmt_pct(shares[y][2], lang, digits=0))
                           for y in (2019, 2020, 2021))

    # 2022-2023 only: no period in view is flagged, no chart carries the caveat.
    recent = default_mpfn(ley, lang, first=2022, last=2023)
    for chart_id in ("ct_index", "ct_cagr", "ct_yoy", "ct_share"):
        spec = charts.build(chart_id, con, recent)
        assert spec is not None and not has_caveat(spec), chart_id
        assert "S/Art" not in spec.subtitle and not any("S/Art" in n for n in spec.notes)

    # 2019-2021: the change 2021 against 2020 is flagged for both years.
    early = charts.build("ct_yoy", con, default_mpfn(ley, lang, first=2019, last=2021))
    items = caveat_items(con, lang, "mpfn", [2020, 2021])
    assert items.count("%") == 2 and items in early.subtitle and any(items in n for n in early.notes)

    # A region's own share: Lima only.
    lima = charts.build("ct_share", con, default_mpfn(ley, lang, regions=("15",)))
    assert caveat_items(con, lang, "mpfn", list(range(2019, 2026)), ("15",)) in lima.subtitle

    # Penal Code types only: the Ley 30096 classification does not concern them.
    assert not has_caveat(charts.build("ct_index", con, default_mpfn(("196", "196-A", "176-B"), lang)))


def test_unspecified_caveat_exported(con, ley):
    """The caveat travels with the chart into its image export: subtitle and notes."""
    from cybertrends import export

    spec = charts.build("ct_cagr", con, default_mpfn(ley, "es"))
    items = caveat_items(con, "es", "mpfn", [2019, 2023])
    fig = export.export_figure(spec)
    assert items in fig.layout.title.subtitle.text.replace("<br>", " ")
    notes = [a.text for a in fig.layout.annotations if a.name == "notes"][0].replace("<br>", " ")
    assert "S/Art" in notes


# Share ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("source", ["synthetic", "mpfn"])
def test_share_matches_sql(sample_db, con, ley, penal, source):
    """Each type's share = its published count / the published total (a cell of its own)."""
    f = synth(ley, lang="es") if source == "synthetic" else mpfn(penal, lang="es")
    spec = charts.build("ct_share", con, f)
    cells = {k: n for (k,), n in pub_cells(sample_db, f).items() if n > 0}
    total = pub_total(sample_db, f)
    names = crime_names(con, "es")
    data = spec.data.set_index(T("crime_type", "es"))
    assert len(data) == len(cells)
    for k, n in cells.items():
        assert data.loc[names[k], T("ct_share_col", "es")] == pytest.approx(round(n / total * 100, 1))
        assert data.loc[names[k], T("reports", "es")] == n
    top = max(cells, key=cells.get)
    assert spec.title.startswith(names[top])
    assert i18n.fmt_pct(cells[top] / total * 100, "es") in spec.title
    np.testing.assert_allclose(sorted(spec.figure.data[0].x), sorted(n / total * 100 for n in cells.values()), rtol=1e-9)
    assert (T("note_cell_key", "es") in spec.notes) == (source == "synthetic")


# Modality and channel ----------------------------------------------------------------------------

@pytest.mark.parametrize("dim", ["modality", "channel"])
def test_breakdown_totals_match_sql(sample_db, con, ley, dim):
    f = synth(ley, regions=("15", "04"), start=date(2022, 1, 1))
    spec = charts.build(f"ct_{dim}", con, f)
    cells = {k: n for (k,), n in pub_cells(sample_db, f, (dim,)).items() if n > 0}
    ref = dict(con.execute(f"select {dim}, name_en from ref_{dim}").fetchall())
    total = pub_total(sample_db, f)  # the selection's published total, a cell of its own
    label = T(f"ct_{dim}")
    data = spec.data.set_index(label)
    assert len(data) == len(cells)
    for k, n in cells.items():
        name = T("ct_not_recorded") if k == "unknown" else ref[k]
        assert data.loc[name, T("reports")] == n
        assert data.loc[name, T("ct_share_col")] == pytest.approx(round(n / total * 100, 1))
    assert spec.data[label].iloc[-1] == T("ct_not_recorded")  # 'not recorded' last, not ranked
    known = max((k for k in cells if k != "unknown"), key=cells.get)
    assert spec.title.startswith(ref[known])
    assert i18n.fmt_pct(cells[known] / total * 100, "en") in spec.title
    assert sorted(spec.figure.data[0].x) == sorted(float(n) for n in cells.values())


def test_breakdown_by_year_matches_sql(sample_db, con, ley):
    """Stacked by year: every modality a series of its own (no pooled group), each segment
    its published (modality, year) cell; 'not recorded' last."""
    f = synth(ley, start=date(2023, 1, 1), end=date(2025, 6, 1))
    spec = charts.build("ct_modality", con, f, by_year=1)
    assert spec.kind == "stacked_bar" and spec.series == T("ct_modality")
    cells = pub_cells(sample_db, f, ("modality", "year"))
    overall = {k: n for (k,), n in pub_cells(sample_db, f, ("modality",)).items()}
    ref = dict(con.execute("select modality, name_en from ref_modality").fetchall())
    order = ranked({k: n for k, n in overall.items() if k != "unknown" and n > 0}) + ["unknown"]
    name = {k: T("ct_not_recorded") if k == "unknown" else ref[k] for k in overall}
    got = spec.data.set_index([T("ct_modality"), T("year")])[T("reports")]
    assert len(got) == len(order) * 3
    for k in order:
        for y in (2023, 2024, 2025):
            assert got.loc[(name[k], str(y))] == cells.get((k, y), 0), (k, y)
    assert [tr.name for tr in spec.figure.data] == [name[k] for k in order]
    assert any("2025" in n for n in spec.notes)  # the incomplete year is flagged
    bars = {tr.name: tr for tr in spec.figure.data}
    assert list(bars[name[order[0]]].marker.opacity) == [1.0, 1.0, 0.45]


# Sources without the measure: mpfn ----------------------------------------------------------------

@pytest.mark.parametrize("lang", ["es", "en"])
def test_mpfn_partial_year_alone_says_why(con, ley, lang):
    """Jan-Nov 2025 alone: no index, change or compound growth (a partial year is never
    compared with a full one, and 2024 has no file); the share is drawn and labelled
    '2025 (ene–nov)'; modality and channel are not recorded by this source."""
    f = Filters("mpfn", date(2025, 1, 1), date(2025, 1, 1), "year", crimes=ley, lang=lang)
    for chart_id in ("ct_index", "ct_yoy", "ct_cagr", "ct_modality", "ct_channel"):
        assert charts.build(chart_id, con, f) is None
    share = charts.build("ct_share", con, f)
    partial = {"es": "2025 (ene–nov)", "en": "2025 (Jan–Nov)"}[lang]
    assert share.title.endswith(partial) and share.subtitle.startswith(partial)
    why = ct.notices(Context(con, f))
    assert why["growth"] is None
    assert partial in why["ct_index"] and partial in why["ct_yoy"] and why["ct_cagr"] == why["ct_index"]
    assert MPFN_NAME[lang] in why["breakdowns"]
    assert why["ct_modality"] and why["ct_channel"]
    synthetic = ct.notices(Context(con, synth(ley, lang=lang)))
    assert all(v is None for v in synthetic.values())
    # 2019 alone: the year before has no file.
    why = ct.notices(Context(con, Filters("mpfn", date(2019, 1, 1), date(2019, 1, 1), "year", crimes=ley, lang=lang)))
    assert "2018" in why["ct_yoy"] and T("no_file", lang) in why["ct_yoy"]


# Victim protection --------------------------------------------------------------------------------

NUMBER = re.compile(r"(?<![\w.,<–])(\d{1,3}(?:,\d{3})*|\d+)(?![\w.,%])")


def shown_numbers(text) -> list[int]:
    """Whole numbers written in a label (not percentages, decimals, '<5' or article numbers)."""
    text = re.sub(r"\((?:CP |PC )?art\. [^)]*\)", "", str(text))
    text = re.sub(r"Ley 30096", "", text)
    return [int(m.replace(",", "")) for m in NUMBER.findall(text)]


def count_strings(spec) -> list[str]:
    """Every label of the figure that carries a count (hover data and bar texts)."""
    out = []
    for tr in spec.figure.data:
        for item in (tr.customdata if tr.customdata is not None else []):
            values = list(item) if isinstance(item, (list, tuple, np.ndarray)) else [item]
            if spec.chart_id == "ct_index":
                values = values[1:]  # [index, count]
            elif spec.chart_id in ("ct_yoy", "ct_cagr", "ct_share"):
                values = values[1:]  # [name, count(s)]
            elif len(values) == 3:
                values = values[1:2]  # modality / channel bars: [name, count, share]
            out += [str(v) for v in values]
        if spec.chart_id in ("ct_modality", "ct_channel") and tr.text is not None:
            out += [str(t) for t in tr.text]  # the count on each bar
    return out


def assert_no_small_counts(spec):
    for s in count_strings(spec):
        assert not [n for n in shown_numbers(s) if 1 <= n <= 4], (spec.chart_id, s)
    count_cols = [c for c in spec.data.columns if str(c).startswith(T("reports", spec.lang))]
    for c in count_cols:
        vals = pd.to_numeric(spec.data[c], errors="coerce")
        assert not vals.between(1, 4).any(), (spec.chart_id, c)
    if spec.y_format == "count":
        for tr in spec.figure.data:
            vals = trace_values(tr, "x" if tr.orientation == "h" else "y")
            assert not ((vals >= 1) & (vals <= 4)).any(), spec.chart_id
        assert not spec.data[spec.display_column].isin(["1", "2", "3", "4"]).any()


MINORS_VIEWS = [
    dict(crimes=("5",)),
    dict(crimes=("5", "183-B")),
    dict(crimes=("5",), regions=("10",)),  # Huánuco: 4 reports of art. 5 in seven years
    dict(crimes=("5",), regions=("03",)),
    dict(groups=("child",)),
    dict(groups=("child", "adolescent"), regions=("15",)),
    dict(groups=("child",), regions=("12",), start=date(2024, 1, 1)),
]


@pytest.mark.parametrize("view", MINORS_VIEWS, ids=lambda v: "-".join(f"{k}={v[k]}" for k in sorted(v)))
def test_minors_views_show_no_count_below_five(sample_db, con, ley, penal, view):
    """Views of minors' cases only: no count from 1 to 4 anywhere, every count shown (nothing
    withheld), and the shares' counts are the published cells."""
    view = dict(view)
    crimes = view.pop("crimes", ley + penal)
    f = synth(ley, crimes=crimes, **view)
    names = crime_names(con)
    for chart_id, opts in [("ct_index", {}), ("ct_yoy", {}), ("ct_cagr", {}), ("ct_share", {}),
                           ("ct_modality", {}), ("ct_modality", {"by_year": 1}), ("ct_channel", {}),
                           ("ct_channel", {"by_year": 1})]:
        spec = charts.build(chart_id, con, f, **opts)
        if spec is None:
            continue
        assert_no_small_counts(spec)
        if spec.chart_id in ("ct_yoy", "ct_cagr"):
            base, last = spec.data.columns[1], spec.data.columns[2]
            assert spec.data[[base, last]].notna().all().all()  # published, never withheld
        if spec.chart_id == "ct_share":
            cells = {names[k]: n for (k,), n in pub_cells(sample_db, f).items() if n > 0}
            assert dict(zip(spec.data[T("crime_type")], spec.data[T("reports")])) == cells


def test_small_cells_are_exercised(sample_db, con, ley):
    """The views above do reach small cells: art. 5 by channel and year has true counts of 1-4;
    the chart shows each as its published value (0, 5 or 6), no "<5" anywhere."""
    f = synth(ley, crimes=("5",))
    cells = exact_cells(con, f, key="channel")
    small = cells[cells["n"].between(1, 4)]
    assert not small.empty
    spec = charts.build("ct_channel", con, f, by_year=1)
    ref = dict(con.execute("select channel, name_en from ref_channel").fetchall())
    got = spec.data.set_index([T("ct_channel"), T("year")])[T("reports")]
    pub = pub_cells(sample_db, f, ("channel", "year"))
    for row in small.itertuples():
        name = T("ct_not_recorded") if row.k == "unknown" else ref[row.k]
        shown = got.get((name, str(row.y)), 0)
        assert shown == pub[(row.k, row.y)] and shown in (0, 5, 6), (row.k, row.y)
    assert (got.isin([5, 6])).any()
    assert "<5" not in [c for tr in spec.figure.data for c in tr.customdata]


def test_small_cells_with_or_without_minors_are_published_alike(sample_db, con, ley):
    """In Apurímac, small cells (1-4) of art. 5 (minors) and of other types alike are shown as
    their published value: one rule for every cell, applied by the query layer."""
    f = synth(ley, regions=("03",))
    cells = exact_cells(con, f)
    small = cells[cells["n"].between(1, 4) & cells["y"].isin([2024, 2025])]
    assert (small["k"] == "5").any() and (small["k"] != "5").any()
    spec = charts.build("ct_yoy", con, f)
    exp, _, _ = expected_growth(sample_db, f, (date(2024, 1, 1), date(2024, 12, 1)), (date(2025, 1, 1), date(2025, 12, 1)))
    names = crime_names(con)
    check_growth(spec, exp, names, T("ct_change_col"))
    data = spec.data.set_index(T("crime_type"))
    for row in small.itertuples():
        published_value = exp.get(row.k, (0, 0))[0 if row.y == 2024 else 1]
        assert published_value in (0, 5, 6), (row.k, row.y)
        if row.k in exp:
            assert data.loc[names[row.k]].iloc[0 if row.y == 2024 else 1] == published_value
        else:  # nothing published in either year: no row for it
            assert names[row.k] not in data.index
    assert_no_small_counts(spec)


# The page ---------------------------------------------------------------------------------------

def page_titles(at) -> list[str]:
    return [str(m.value)[5:] for m in at.markdown if str(m.value).startswith("#### ")]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_synthetic_shows_all_charts(sample_db, con, ley, lang):
    at = run_app(sample_db, PAGE, {"lang": lang, "source": "synthetic"})
    assert not at.exception
    f = synth(ley, lang=lang)
    expected = [charts.build(c, con, f).title for c in ("ct_index", "ct_cagr", "ct_yoy", "ct_share", "ct_modality", "ct_channel")]
    assert page_titles(at) == expected
    text = texts(at)
    assert T("ct_title", lang) in text and T("synthetic_banner", lang) in text
    figs = figures(at)
    assert len(figs) == 6
    # The index legend: the six largest types by independent (published) count, then "other".
    top = [k for k in expected_index(sample_db, f, list(range(2019, 2026))) if k != "other"]
    assert len(top) == 6
    legend = [tr["name"] for tr in figs[0]["data"]]
    assert legend == [ct.short_crime(Context(con, f), k) for k in top] + [T("ct_other", lang)]


@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_default_is_mpfn_with_caveat(sample_db, con, ley, lang):
    """Opened with no source: the real MPFN series 2019-2025 (Jan-Nov), index, compound growth,
    year-on-year change and share drawn, the classification caveat on the charts, no
    synthetic notice, and modality / channel explained instead of drawn."""
    at = run_app(sample_db, PAGE, {"lang": lang})
    assert not at.exception
    f = default_mpfn(ley, lang)
    assert at.session_state["filters"] == f
    specs = [charts.build(c, con, f) for c in ("ct_index", "ct_cagr", "ct_yoy", "ct_share")]
    assert page_titles(at) == [s.title for s in specs]
    captions = [str(c.value) for c in at.caption]
    for spec in specs:
        assert spec.subtitle in captions
    caveat = T("ct_caveat_unspecified_short_many", lang, items="")[:30]
    flagged = [c for c in captions if caveat in c]
    # index, compound growth (2019 in view) and share carry the caveat; 2023 vs 2022 does not
    assert flagged == [specs[0].subtitle, specs[1].subtitle, specs[3].subtitle]
    text = texts(at)
    assert T("ct_title", lang) in text and T("synthetic_banner", lang) not in text
    infos = [str(i.value) for i in at.info]
    assert ct.notices(Context(con, f))["breakdowns"] in infos
    figs = figures(at)
    assert len(figs) == 4
    assert all("2024" not in [str(x) for x in tr["x"]] for tr in figs[0]["data"])


def test_page_period_and_region_filters(sample_db, con, ley):
    at = run_app(sample_db, PAGE, {"lang": "en", "source": "synthetic", "from": "2024-03", "to": "2025-06",
                                   "regions": "04"})
    assert not at.exception
    f = synth(ley, start=date(2024, 3, 1), end=date(2025, 6, 1), regions=("04",))
    assert at.session_state["filters"] == f
    why = ct.notices(Context(con, f))
    infos = [str(i.value) for i in at.info]
    assert why["ct_index"] in infos and why["ct_cagr"] in infos  # one complete year: says why, no empty chart
    yoy = charts.build("ct_yoy", con, f)
    assert page_titles(at) == [yoy.title, charts.build("ct_share", con, f).title,
                               charts.build("ct_modality", con, f).title, charts.build("ct_channel", con, f).title]
    assert "Jan 2025–Jun 2025" in yoy.subtitle
    exp, _, _ = expected_growth(sample_db, f, (date(2024, 1, 1), date(2024, 6, 1)), (date(2025, 1, 1), date(2025, 6, 1)))
    bars = figures(at)[0]["data"][0]
    np.testing.assert_allclose(sorted(bars["x"]), sorted(g for *_, g in exp.values() if not math.isnan(g)), rtol=1e-9)


def test_page_by_year_view_and_empty_selection(sample_db, con, ley):
    at = run_app(sample_db, PAGE, {"lang": "es", "source": "synthetic", "view": "year"})
    assert not at.exception
    assert widget(at.segmented_control, "p_view").value == "year"
    figs = figures(at)
    assert [fig["layout"].get("barmode") for fig in figs[-2:]] == ["stack", "stack"]
    # An article with no reports in the sample: the empty state, not an error.
    at = run_app(sample_db, PAGE, {"lang": "es", "source": "synthetic", "crimes": "12-A"})
    assert not at.exception
    assert at.session_state["filters"].crimes == ("12-A",)
    assert T("empty_state", "es") in [str(i.value) for i in at.info]
    assert figures(at) == []


@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_minors_view_shows_no_count_below_five(sample_db, con, lang):
    at = run_app(sample_db, PAGE, {"lang": lang, "source": "synthetic", "crimes": "5", "view": "year"})
    assert not at.exception
    assert at.session_state["filters"].crimes == ("5",)
    figs = figures(at)
    assert len(figs) >= 3, "the change, share and breakdown charts are still drawn"
    small = []
    for fig in figs:
        for tr in fig["data"]:
            for key in ("customdata", "text", "hovertext"):
                for item in np.ravel(np.array(tr.get(key) or [], dtype=object)):
                    small += [n for n in shown_numbers(item) if 1 <= n <= 4]
    assert small == []
    count_columns = [(df.value, c) for df in at.dataframe for c in df.value.columns if str(c).startswith(T("reports", lang))]
    assert count_columns  # the page shows its counts in tables too
    for table, c in count_columns:
        assert not pd.to_numeric(table[c], errors="coerce").between(1, 4).any()
    customdata = [v for fig in figs for tr in fig["data"] for v in np.ravel(np.array(tr.get("customdata") or [], dtype=object))]
    assert "<5" not in customdata  # no suppression marks: small cells are published values
    # the last chart (channels by year): every segment is its published (channel, year) cell
    f = at.session_state["filters"]
    ref = dict(con.execute(f"select channel, name_{lang} from ref_channel").fetchall())
    pub = pub_cells(sample_db, f, ("channel", "year"))
    years = list(range(f.period_from.year, f.period_to.year + 1))
    drawn = {}
    for tr in figs[-1]["data"]:
        code = next(k for k in list(ref) + ["unknown"] if (T("ct_not_recorded", lang) if k == "unknown" else ref[k]) == tr["name"])
        drawn[code] = [int(v) for v in tr["y"]]
    assert drawn and all(drawn[k] == [pub.get((k, y), 0) for y in years] for k in drawn)
    assert not {k for (k, _), n in pub.items() if n} - set(drawn)  # every published channel drawn
