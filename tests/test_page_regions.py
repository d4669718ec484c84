"""Regions page: map, ranking, one region's trend and the Lima split.

Every number is checked against an independent computation written here, not through
queries.py: for the synthetic sample (a record-level source) the published value of each cell
(cell-key method) computed from the record table by `tests/published.py`; for the MPFN and
SIDPOL aggregates exact SQL over the count table (`fact_count`) or the published view
`report_counts`. The MPFN series (the default source: 2019–2023 full, 2024 with no file, 2025
January–November) has its own section."""

from __future__ import annotations

import csv
import math
import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cybertrends import charts, i18n, paths
from cybertrends.charts import regions as rg
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from etl import load
from tests.apptest_helpers import figures, link_warnings, run_app, texts, widget
from tests.conftest import write
from tests.published import published

METRICS = ("count", "rate", "growth")


# Independent computations ------------------------------------------------------------------

def sql(db, q: str, params: dict | None = None) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(q, params or {}).df()


def ley_crimes(db) -> tuple[str, ...]:
    return tuple(sql(db, "select crime_code from ref_crime where is_ley_30096 order by sort_order")["crime_code"])


def region_names(db) -> dict[str, str]:
    return dict(sql(db, "select region_code, region_name from ref_region").itertuples(index=False))


def population(db) -> dict[str, float]:
    """2020 population straight from the bundled reference CSV (not the database)."""
    with open(paths.REFERENCE_DIR / "regions.csv", encoding="utf-8") as fh:
        return {r["ubigeo_inei"]: float(r["pob_2020_minsa"]) for r in csv.DictReader(fh)}


def incident_counts(db, source, start: date, end: date, crimes, groups=(), by="region_code") -> pd.Series:
    """Reports per `by` from the record table (report date in [start, end])."""
    df = sql(db, f"""
        select {by} as k, count(*)::double as n from fact_incident
        where source = $s and report_date between $a and $b and list_contains($c, crime_code)
          and (len($g) = 0 or list_contains($g, victim_age_group))
        group by 1 order by 1""", {"s": source, "a": start, "b": end, "c": list(crimes), "g": list(groups)})
    return df.set_index("k")["n"]


SYNTH_WHERE = """report_date between $a and $b and list_contains($c, crime_code)
    and (len($g) = 0 or list_contains($g, victim_age_group)) and (len($r) = 0 or list_contains($r, region_code))"""


def pub_cells(db, start: date, end: date, crimes, groups=(), regions=(), by=("region_code",)) -> dict:
    """{cell: published count} of the synthetic sample (report date in [start, end]), each cell
    looked up independently from the facts (tests/published.py)."""
    return published(db, "synthetic", tuple(by), SYNTH_WHERE,
                     {"a": start, "b": end, "c": list(crimes), "g": list(groups), "r": list(regions)})


def pub_counts(db, start: date, end: date, crimes, groups=(), by="region_code") -> pd.Series:
    """Published reports per `by` of the synthetic sample: one cell per value."""
    cells = pub_cells(db, start, end, crimes, groups, by=(by,))
    return pd.Series({k[0]: float(v) for k, v in cells.items()}, dtype="float64").sort_index()


def pub_total(db, start: date, end: date, crimes, groups=(), regions=()) -> float:
    """The published count of everything selected: a cell of its own (not a sum of parts)."""
    return float(pub_cells(db, start, end, crimes, groups, regions, by=()).get((), 0))


def count_table(db, source, start: date, end: date, crimes, by="region_code") -> pd.Series:
    """Reports per `by` from the count table of aggregated sources (mpfn, sidpol)."""
    df = sql(db, f"""
        select {by} as k, sum(report_count)::double as n from fact_count
        where source = $s and period_start between $a and $b and list_contains($c, crime_code)
        group by 1 order by 1""", {"s": source, "a": start, "b": end, "c": list(crimes)})
    return df.set_index("k")["n"]


def month_end(d: date) -> date:
    return (pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()


def rc_counts(db, years, crimes, by="region_code", source="mpfn") -> pd.Series:
    """Reports per `by` from the published view `report_counts` in the given years (the
    crime filter as law + article, the way the view spells it)."""
    df = sql(db, f"""
        select {by} as k, sum(report_count)::double as n from report_counts r
        where source = $s and list_contains($y, year(period_start))
          and exists (select 1 from ref_crime c where c.law = r.law and c.article = r.article
                      and list_contains($c, c.crime_code))
        group by 1 order by 1""", {"s": source, "y": list(years), "c": list(crimes)})
    return df.set_index("k")["n"]


def full_years(db, source="mpfn") -> list[int]:
    """Years whose data run from 1 January to 31 December (straight from report_counts)."""
    df = sql(db, """
        select distinct year(period_start) as y from report_counts
        where source = $s and period_start = make_date(year(period_start), 1, 1)
          and period_end = make_date(year(period_start), 12, 31) order by 1""", {"s": source})
    return list(df["y"])


def fd_names(db) -> list[str]:
    return list(sql(db, "select distinct fiscal_district from report_counts where source = 'mpfn' order by 1")["fiscal_district"])


def region_population(db) -> dict[str, float]:
    return dict(sql(db, "select region_code, population_2020::double from ref_region").itertuples(index=False))


# Fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def synth(sample_db) -> Filters:
    return Filters("synthetic", date(2019, 1, 1), date(2025, 12, 1), "month", crimes=ley_crimes(sample_db))


@pytest.fixture(scope="module")
def mpfn(sample_db) -> Filters:
    return Filters("mpfn", date(2023, 1, 1), date(2023, 1, 1), "year", crimes=ley_crimes(sample_db))


@pytest.fixture(scope="module")
def series(sample_db) -> Filters:
    """The default view: the whole MPFN series, Ley 30096."""
    return Filters("mpfn", date(2019, 1, 1), date(2025, 1, 1), "year", crimes=ley_crimes(sample_db))


SIDPOL_HEADER = "ANIO,MES,DPTO_HECHO_NEW,PROV_HECHO,DIST_HECHO,UBIGEO_HECHO,P_MODALIDADES,cantidad"


@pytest.fixture(scope="module")
def sidpol_db(tmp_path_factory):
    """Two years of police 'Estafa' counts: Lima Metropolitana, rest of Lima, Arequipa, Callao."""
    tmp = tmp_path_factory.mktemp("sidpol")
    rows = []
    for year in (2023, 2024):
        for month in range(1, 13):
            k = (year - 2023) * 12 + month
            rows += [
                f"{year},{month},LIMA METROPOLITANA,LIMA,MIRAFLORES,150122,Estafa,{300 + 5 * k}",
                f"{year},{month},REGION LIMA,CAÑETE,SAN VICENTE DE CAÑETE,150501,Estafa,{20 + k % 4}",
                f"{year},{month},AREQUIPA,AREQUIPA,AREQUIPA,40101,Estafa,{40 + k}",
                f"{year},{month},PROV. CONST. DEL CALLAO,CALLAO,CALLAO,70101,Estafa,{25 + (k % 5)}",
            ]
    path = write(tmp, "DATASET_Denuncias_Policiales_Ene 2023 a Dic 2024.csv", SIDPOL_HEADER + "\n" + "\n".join(rows) + "\n")
    db = tmp / "sidpol.duckdb"
    outcome = load.load_files([path], db=db)
    assert outcome.published, outcome.files
    return db


def shown_trace(fig):
    """The coloured choropleth trace (the one with a colour bar)."""
    traces = [t for t in fig.data if t.showscale is not False]
    assert len(traces) == 1
    return traces[0]


def map_values(spec) -> dict[str, float]:
    t = shown_trace(spec.figure)
    return dict(zip(t.locations, t.z))


# Map and ranking -----------------------------------------------------------------------------

def test_rate_map_and_rank_match_independent_sql(sample_db, con, synth):
    start, end = date(2019, 1, 1), date(2025, 12, 31)
    counts = pub_counts(sample_db, start, end, synth.crimes)
    pop = population(sample_db)
    years = 7  # 84 complete months: the annual average
    expected = {code: counts.get(code, 0.0) / pop[code] * 1e5 / years for code in pop}
    # The national reference is the country's own cell, not the sum of the regions shown.
    national_count = pub_total(sample_db, start, end, synth.crimes)
    national = national_count / sum(pop.values()) * 1e5 / years

    spec = charts.build("rg_map", con, synth, metric="rate")
    assert spec.kind == "map"
    got = map_values(spec)
    assert set(got) == set(expected)
    for code, value in expected.items():
        assert got[code] == pytest.approx(round(value, 1), abs=0.051)
    # Table: one row per region, sorted by the rate, counts (each region's cell over the whole
    # span, not a sum of monthly cells) and population as used.
    data = spec.data
    assert list(data[spec.y]) == sorted(data[spec.y], reverse=True)
    by_code = data.set_index(i18n.t("rg_col_code", "es"))
    for code in pop:
        assert by_code.loc[code, "Denuncias"] == counts.get(code, 0.0)
        assert by_code.loc[code, "Población 2020"] == pop[code]
    top = max(expected, key=expected.get)
    names = region_names(sample_db)
    assert spec.title == (f"{names[top]} tiene la mayor tasa: {i18n.fmt_num(expected[top], 'es', 1)} denuncias al año "
                          f"por 100,000 habitantes (promedio 2019–2025)")
    assert "promedio anual" in spec.subtitle and "población 2020" in spec.subtitle
    assert i18n.t("note_cell_key", "es") in spec.notes

    rank = charts.build("rg_rank", con, synth, metric="rate")
    assert rank.kind == "hbar"
    bar = rank.figure.data[0]
    assert list(bar.y)[-1] == names[top]  # top bar = highest
    for name, value in zip(bar.y, bar.x):
        code = next(c for c, n in names.items() if n == name)
        assert value == pytest.approx(expected[code])
    line = [s for s in rank.figure.layout.shapes if s.type == "line"]
    assert len(line) == 1 and line[0].x0 == pytest.approx(national)
    above = sum(v > national for v in expected.values())
    assert rank.title.startswith(f"{above} de 25 regiones superan la tasa nacional de {i18n.fmt_num(national, 'es', 1)}")

    # Count ranking: the national total and the top-3 regions together are cells of their own.
    count_rank = charts.build("rg_rank", con, synth, metric="count")
    assert i18n.fmt_int(national_count, "es") in count_rank.figure.layout.annotations[0].text
    top3 = tuple(counts.sort_values(ascending=False).index[:3])
    share = pub_total(sample_db, start, end, synth.crimes, regions=top3) / national_count * 100
    assert count_rank.title == f"Las 3 regiones con más denuncias concentran el {i18n.fmt_pct(share, 'es')} del total nacional (2019–2025)"
    count_map = charts.build("rg_map", con, synth, metric="count")
    lima_share = counts["15"] / national_count * 100
    assert count_map.title == (f"Lima registra más denuncias: {i18n.fmt_int(counts['15'], 'es')}, el "
                               f"{i18n.fmt_pct(lima_share, 'es')} del total nacional (2019–2025)")


def test_rate_for_one_year_partial_year_and_18_months(sample_db, con, synth):
    pop = population(sample_db)
    cases = [  # (from, to, divisor, subtitle words)
        (date(2024, 1, 1), date(2024, 12, 1), 1.0, "denuncias por 100,000 hab. (población 2020)"),
        (date(2024, 3, 1), date(2024, 8, 1), 1.0, "sin anualizar"),
        (date(2023, 7, 1), date(2024, 12, 1), 1.5, "promedio anual"),
    ]
    for start, end, divisor, words in cases:
        f = synth.with_(period_from=start, period_to=end)
        counts = pub_counts(sample_db, start, month_end(end), f.crimes)
        spec = charts.build("rg_map", con, f, metric="rate")
        got = map_values(spec)
        for code in pop:
            assert got[code] == pytest.approx(round(counts.get(code, 0.0) / pop[code] * 1e5 / divisor, 1), abs=0.051)
        assert dict(zip(spec.data[i18n.t("rg_col_code", "es")], spec.data["Denuncias"])) == \
            {c: counts.get(c, 0.0) for c in pop}
        assert words in charts.build("rg_rank", con, f, metric="rate").subtitle


def group_population(groups) -> dict[str, float]:
    """2020 population of the victim groups by region, straight from the reference CSV."""
    columns = {"child": "pob_2020_nino_0_11", "adolescent": "pob_2020_adolescente_12_17", "young": "pob_2020_joven_18_29",
               "adult": "pob_2020_adulto_30_59", "older": "pob_2020_adulto_mayor_60mas"}
    with open(paths.REFERENCE_DIR / "regions.csv", encoding="utf-8") as fh:
        return {r["ubigeo_inei"]: sum(float(r[columns[g]]) for g in groups) for r in csv.DictReader(fh)}


@pytest.mark.parametrize("groups", [("young",), ("child", "adolescent")])
def test_rate_with_a_victim_group_uses_that_groups_population(sample_db, con, synth, groups):
    """Every rate of the page under a victim-group filter is per 100,000 people of those groups
    (a mix of groups: the sum of their populations), the national reference included."""
    f = synth.with_(period_from=date(2025, 1, 1), groups=groups)
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    counts = pub_counts(sample_db, start, end, f.crimes, groups=groups)
    pops = group_population(groups)
    spec = charts.build("rg_map", con, f, metric="rate")
    got = map_values(spec)
    for code, pop in pops.items():
        assert got[code] == pytest.approx(round(counts.get(code, 0.0) / pop * 1e5, 1), abs=0.051)
    by_code = spec.data.set_index(i18n.t("rg_col_code", "es"))
    assert {c: by_code.loc[c, "Población 2020"] for c in pops} == pops
    assert "grupos elegidos" in spec.subtitle
    national = pub_total(sample_db, start, end, f.crimes, groups=groups) / sum(pops.values()) * 1e5
    rank = charts.build("rg_rank", con, f, metric="rate")
    assert rank.figure.layout.shapes[0].x0 == pytest.approx(national)
    assert f"tasa nacional de {i18n.fmt_num(national, 'es', 1)} " in rank.title
    # No population by age exists for the two Lima areas: no rate there, counts only.
    lima = charts.build("rg_lima", con, f)
    assert len(lima.figure.data) == 2 and all(t.yaxis in (None, "y") for t in lima.figure.data)
    assert not any("Tasa" in c for c in lima.data.columns)
    assert "tasa" not in lima.title and i18n.t("rg_lima_note_groups_pop", "es") in lima.notes


def test_count_map_mpfn(sample_db, con, mpfn):
    counts = count_table(sample_db, "mpfn", date(2023, 1, 1), date(2023, 12, 31), mpfn.crimes)
    spec = charts.build("rg_map", con, mpfn.with_(lang="en"), metric="count")
    got = map_values(spec)
    assert got == {code: counts.get(code, 0.0) for code in population(sample_db)}
    top = counts.idxmax()
    share = counts[top] / counts.sum() * 100
    assert spec.title == (f"{region_names(sample_db)[top]} has the most reports: {i18n.fmt_int(counts[top], 'en')}, "
                          f"{i18n.fmt_pct(share, 'en')} of the national total (2023)")
    # MPFN's caveat: region = department of the office (Lima Noroeste's seat is in Callao).
    assert any("Lima Noroeste" in n and "Callao" in n for n in spec.notes)
    rank = charts.build("rg_rank", con, mpfn.with_(lang="en"), metric="count")
    top3 = counts.nlargest(3).sum() / counts.sum() * 100
    assert rank.title == f"The 3 regions with the most reports account for {i18n.fmt_pct(top3, 'en')} of the national total (2023)"


def test_mpfn_rate_matches_the_published_example(sample_db, con, mpfn):
    counts = count_table(sample_db, "mpfn", date(2023, 1, 1), date(2023, 12, 31), mpfn.crimes)
    pop = population(sample_db)
    rates = {c: counts.get(c, 0.0) / pop[c] * 1e5 for c in pop}
    top = max(rates, key=rates.get)
    spec = charts.build("rg_map", con, mpfn, metric="rate")
    assert spec.title == (f"{region_names(sample_db)[top]} tiene la mayor tasa: {i18n.fmt_num(rates[top], 'es', 1)} "
                          f"denuncias por 100,000 habitantes (2023)")
    assert map_values(spec)["07"] == pytest.approx(round(1516 / pop["07"] * 1e5, 1), abs=0.051)


def test_growth_compares_equal_spans_and_greys_small_bases(sample_db, con, synth):
    f = synth.with_(crimes=("2",))  # a smaller crime type: some regions have small bases
    cur = pub_counts(sample_db, date(2025, 1, 1), date(2025, 12, 31), f.crimes)
    prev = pub_counts(sample_db, date(2024, 1, 1), date(2024, 12, 31), f.crimes)
    codes = population(sample_db)
    small = {c for c in codes if prev.get(c, 0) < rg.MIN_BASE}
    assert small and len(small) < 25, "the test needs both small and large bases"
    expected = {c: (cur.get(c, 0) - prev[c]) / prev[c] * 100 for c in codes if c not in small}
    spec = charts.build("rg_map", con, f, metric="growth")
    got = map_values(spec)
    assert set(got) == set(expected)
    for c, g in expected.items():
        assert got[c] == pytest.approx(round(g, 1), abs=0.051)
    grey = [t for t in spec.figure.data if t.showscale is False]
    assert set(grey[0].locations) == small
    assert "variación frente a 2024" in spec.subtitle and spec.subtitle.startswith("2025")
    assert any(f"menos de {rg.MIN_BASE} denuncias en 2024" in n for n in spec.notes)
    names = region_names(sample_db)
    top = max(expected, key=expected.get)
    assert spec.title.startswith(f"{names[top]} es la región que más crece: {i18n.fmt_pct(expected[top], 'es', signed=True)}")
    # Ranking: national growth, from the country's own cells, is the reference.
    n_cur = pub_total(sample_db, date(2025, 1, 1), date(2025, 12, 31), f.crimes)
    n_prev = pub_total(sample_db, date(2024, 1, 1), date(2024, 12, 31), f.crimes)
    rank = charts.build("rg_rank", con, f, metric="growth")
    assert [s.x0 for s in rank.figure.layout.shapes][0] == pytest.approx((n_cur - n_prev) / n_prev * 100)
    assert len(rank.figure.data[0].x) == len(expected)


def test_growth_in_a_year_in_progress_compares_the_same_months(sample_db, con, synth):
    """Data up to Jun 2025 in the selection -> Jan–Jun 2025 against Jan–Jun 2024."""
    f = synth.with_(period_to=date(2025, 6, 1))
    cur = pub_counts(sample_db, date(2025, 1, 1), date(2025, 6, 30), f.crimes)
    prev = pub_counts(sample_db, date(2024, 1, 1), date(2024, 6, 30), f.crimes)
    got = map_values(charts.build("rg_map", con, f, metric="growth"))
    assert got
    for c, v in got.items():
        assert v == pytest.approx(round((cur[c] - prev[c]) / prev[c] * 100, 1), abs=0.051)


def test_growth_unavailable_when_the_selection_has_no_complete_pair(con, mpfn):
    """Only the part-year 2025 (and 2024 has no file), or only the first year: no growth."""

    for f in (mpfn.with_(period_from=date(2025, 1, 1), period_to=date(2025, 1, 1)),
              mpfn.with_(period_from=date(2019, 1, 1), period_to=date(2019, 1, 1))):
        assert charts.build("rg_map", con, f, metric="growth") is None
        assert charts.build("rg_rank", con, f, metric="growth") is None
        assert charts.build("rg_fd_rank", con, f, metric="growth") is None
        assert rg.growth_unavailable(Context(con, f))
    message = rg.growth_unavailable(Context(con, mpfn.with_(period_from=date(2024, 1, 1), period_to=date(2025, 1, 1))))
    assert "2024: sin archivo" in message and "2025: parcial (ene–nov)" in message
    # A single full year compares with the year before, even outside the selection.
    assert rg.growth_unavailable(Context(con, mpfn)) is None
    assert rg.growth_unavailable(Context(con, mpfn.with_(source="synthetic", grain="month"))) is None


def test_regions_filter_colours_only_the_chosen_regions(sample_db, con, synth):
    f = synth.with_(regions=("04", "08"))
    spec = charts.build("rg_map", con, f, metric="rate")
    assert set(map_values(spec)) == {"04", "08"}
    outside = spec.figure.data[0]
    assert len(outside.locations) == 23 and outside.showscale is False
    assert any("gris claro" in n for n in spec.notes)
    rank = charts.build("rg_rank", con, f, metric="rate")
    assert set(rank.figure.data[0].y) == {"Arequipa", "Cusco"}
    # The reference stays the national rate (the whole country's own cell).
    national = pub_total(sample_db, date(2019, 1, 1), date(2025, 12, 31), f.crimes) / sum(population(sample_db).values()) * 1e5 / 7
    assert rank.figure.layout.shapes[0].x0 == pytest.approx(national)
    # Counts: the national total shown is the country's cell, whatever the filter.
    count_rank = charts.build("rg_rank", con, f, metric="count")
    assert i18n.fmt_int(pub_total(sample_db, date(2019, 1, 1), date(2025, 12, 31), f.crimes), "es") in \
        count_rank.figure.layout.annotations[0].text


def test_empty_filters_give_no_chart(con, synth, mpfn):
    empty = synth.with_(crimes=("12-A",))
    for metric in METRICS:
        assert charts.build("rg_map", con, empty, metric=metric) is None
        assert charts.build("rg_rank", con, empty, metric=metric) is None
    assert charts.build("rg_trend", con, empty, region="15") is None
    assert charts.build("rg_lima", con, empty) is None
    assert charts.build("rg_trend", con, mpfn.with_(crimes=("12-A",)), region="04") is None
    for metric in rg.FD_METRICS:
        assert charts.build("rg_fd_rank", con, mpfn.with_(crimes=("12-A",)), metric=metric) is None
        assert charts.build("rg_fd_rank", con, synth, metric=metric) is None  # no fiscal districts
    assert charts.build("rg_fd_trend", con, mpfn.with_(crimes=("12-A",)), district="LIMA CENTRO") is None
    assert charts.build("rg_fd_trend", con, synth) is None


# One region's trend --------------------------------------------------------------------------

def test_region_trend_monthly_with_rolling_mean(sample_db, con, synth):
    months = pub_cells(sample_db, date(2019, 1, 1), date(2025, 12, 31), synth.crimes, regions=("04",), by=("month",))
    monthly = pd.Series([float(months.get((m,), 0)) for m in pd.date_range("2019-01-01", "2025-12-01", freq="MS").date])
    spec = charts.build("rg_trend", con, synth.with_(lang="en"), region="04")
    assert spec.kind == "line"
    counts, rolling = spec.figure.data[0], spec.figure.data[1]
    assert list(counts.y) == list(monthly)
    expected_roll = monthly.rolling(12).mean()
    for got, exp in zip(rolling.y, expected_roll):
        assert (got is None or math.isnan(got)) if math.isnan(exp) else got == pytest.approx(round(exp, 1))
    assert list(spec.data["Reports"]) == list(monthly)
    # The title's growth: each year's own cell for the region (not the sum of its months).
    cur = pub_total(sample_db, date(2025, 1, 1), date(2025, 12, 31), synth.crimes, regions=("04",))
    prev = pub_total(sample_db, date(2024, 1, 1), date(2024, 12, 31), synth.crimes, regions=("04",))
    g = (cur - prev) / prev * 100
    word = "rose" if g >= 0 else "fell"
    assert spec.title == f"In Arequipa reports {word} {i18n.fmt_pct(abs(g), 'en')} in 2025 against 2024"
    assert i18n.t("note_cell_key", "en") in spec.notes


def test_region_trend_yearly_mpfn(sample_db, con, mpfn):
    by_year = {y: count_table(sample_db, "mpfn", date(y, 1, 1), date(y, 12, 31), mpfn.crimes).get("13", 0.0)
               for y in (2022, 2023)}
    spec = charts.build("rg_trend", con, mpfn, region="13")
    assert spec.kind == "line"
    assert list(spec.figure.data[0].y) == [by_year[2023]]
    g = (by_year[2023] - by_year[2022]) / by_year[2022] * 100
    word = "crecieron" if g >= 0 else "bajaron"
    assert spec.title == f"En La Libertad las denuncias {word} {i18n.fmt_pct(abs(g), 'es')} en 2023 frente a 2022"


# Lima Metropolitana vs the rest of Lima ------------------------------------------------------

def test_lima_split_synthetic(sample_db, con, synth):
    start, end = date(2019, 1, 1), date(2025, 12, 31)
    where = SYNTH_WHERE + " and region_code = '15'"
    params = {"a": start, "b": end, "c": list(synth.crimes), "g": [], "r": []}
    cells = published(sample_db, "synthetic", ("month", "lima_area"), where, params)
    pops = dict(sql(sample_db, "select lima_area, population_2020 from ref_lima_area").itertuples(index=False))
    assert pops["metro"] + pops["rest"] == population(sample_db)["15"]
    spec = charts.build("rg_lima", con, synth)
    assert spec.series == "Ámbito"
    fig = spec.figure
    months = pd.date_range("2019-01-01", "2025-12-01", freq="MS").date
    metro = [float(cells.get((m, "metro"), 0)) for m in months]
    rest = [float(cells.get((m, "rest"), 0)) for m in months]
    assert list(fig.data[0].y) == metro and list(fig.data[2].y) == rest
    assert list(fig.data[1].y) == pytest.approx([round(v / pops["metro"] * 1e5, 2) for v in metro])
    assert list(fig.data[3].y) == pytest.approx([round(v / pops["rest"] * 1e5, 2) for v in rest])
    # The title: each area is one cell over the seven years; the share of Lima region's own
    # cell, the very count the map shows for Lima (not metro + rest).
    whole = published(sample_db, "synthetic", ("lima_area",), where, params)
    m_total, r_total = whole[("metro",)], whole[("rest",)]
    region = pub_total(sample_db, start, end, synth.crimes, regions=("15",))
    count_map = charts.build("rg_map", con, synth, metric="count")
    assert map_values(count_map)["15"] == region
    share = m_total / region * 100
    r_metro = m_total / pops["metro"] * 1e5 / 7
    r_rest = r_total / pops["rest"] * 1e5 / 7
    assert spec.title == (f"Lima Metropolitana reúne el {i18n.fmt_pct(share, 'es')} de las denuncias de la región Lima; "
                          f"su tasa anual es {i18n.fmt_num(r_metro, 'es', 1)} por 100,000 hab. frente a "
                          f"{i18n.fmt_num(r_rest, 'es', 1)} en el resto de Lima (promedio 2019–2025)")
    assert rg.lima_totals(Context(con, synth), rg.rate_basis(Context(con, synth)).periods) == (m_total, r_total, region)
    assert i18n.t("note_cell_key", "es") in spec.notes


def test_lima_split_sidpol(sidpol_db):
    f = Filters("sidpol", date(2023, 1, 1), date(2024, 12, 1), "month", crimes=("196",), lang="en")
    metro = count_table(sidpol_db, "sidpol", date(2023, 1, 1), date(2024, 12, 31), ("196",), by="lima_area")
    with duckdb.connect(str(sidpol_db), read_only=True) as con:
        spec = charts.build("rg_lima", con, f)
        growth_map = charts.build("rg_map", con, f, metric="growth")
        counts = charts.build("rg_map", con, f, metric="count")
    assert sum(spec.figure.data[0].y) == metro["metro"] and sum(spec.figure.data[2].y) == metro["rest"]
    assert spec.title.startswith(f"Metropolitan Lima accounts for {i18n.fmt_pct(metro['metro'] / (metro['metro'] + metro['rest']) * 100, 'en')}")
    assert any("fraud by any channel" in n for n in spec.notes)
    # Regions with no police rows are 0 reports, and growth works on two years.
    assert map_values(counts)["01"] == 0
    cur = count_table(sidpol_db, "sidpol", date(2024, 1, 1), date(2024, 12, 31), ("196",))
    prev = count_table(sidpol_db, "sidpol", date(2023, 1, 1), date(2023, 12, 31), ("196",))
    assert map_values(growth_map)["04"] == pytest.approx(round((cur["04"] - prev["04"]) / prev["04"] * 100, 1))


def test_lima_split_status(con, mpfn, synth):

    assert rg.lima_status(Context(con, mpfn)) == "ok"  # MPFN: the office's province
    assert rg.lima_status(Context(con, synth.with_(regions=("04",)))) == "not_in_filter"
    assert charts.build("rg_lima", con, synth.with_(regions=("04",))) is None
    assert rg.lima_status(Context(con, synth.with_(regions=("04", "15")))) == "ok"


# The MPFN series (the default view) ----------------------------------------------------------

def test_the_series_has_five_full_years(sample_db):
    """The premise of this section: 2024 has no file and 2025 covers January–November."""
    assert full_years(sample_db) == [2019, 2020, 2021, 2022, 2023]
    partial = sql(sample_db, """select distinct period_start, period_end from report_counts
                                where source = 'mpfn' and year(period_start) = 2025""")
    assert list(partial["period_end"].astype(str)) == ["2025-11-30"]
    assert sql(sample_db, "select count(*) as n from report_counts where source = 'mpfn' and year(period_start) = 2024")["n"][0] == 0


def test_mpfn_count_and_rate_add_up_only_the_full_years(sample_db, con, series):
    years = full_years(sample_db)
    counts = rc_counts(sample_db, years, series.crimes)
    pop = region_population(sample_db)
    spec = charts.build("rg_map", con, series, metric="count")
    assert map_values(spec) == {c: counts.get(c, 0.0) for c in pop}
    assert spec.title.endswith("(2019–2023)") and spec.subtitle.startswith("2019–2023 · ")
    assert any("2024: sin archivo" in n and "2025: parcial (ene–nov)" in n for n in spec.notes)
    cuts = sql(sample_db, """select min(data_as_of) as a, max(data_as_of) as b from fact_count
                             where source = 'mpfn' and list_contains($y, year(period_start))""", {"y": years})
    for d in (cuts["a"][0], cuts["b"][0]):
        assert i18n.fmt_date(pd.Timestamp(d).date(), "es") in spec.source_line

    rate = charts.build("rg_map", con, series, metric="rate")
    expected = {c: counts.get(c, 0.0) / pop[c] * 1e5 / len(years) for c in pop}
    got = map_values(rate)
    for c, v in expected.items():
        assert got[c] == pytest.approx(round(v, 1), abs=0.051)
    top = max(expected, key=expected.get)
    assert rate.title == (f"{region_names(sample_db)[top]} tiene la mayor tasa: {i18n.fmt_num(expected[top], 'es', 1)} "
                          f"denuncias al año por 100,000 habitantes (promedio 2019–2023)")
    rank = charts.build("rg_rank", con, series, metric="rate")
    national = counts.sum() / sum(pop.values()) * 1e5 / len(years)
    assert rank.figure.layout.shapes[0].x0 == pytest.approx(national)
    # Count ranking: the national total of the same years.
    count_rank = charts.build("rg_rank", con, series, metric="count")
    assert i18n.fmt_int(counts.sum(), "es") in count_rank.figure.layout.annotations[0].text


def test_mpfn_2023_regions_follow_the_office(sample_db, con, series):
    f = series.with_(period_from=date(2023, 1, 1), period_to=date(2023, 1, 1))
    counts = rc_counts(sample_db, [2023], f.crimes)
    got = map_values(charts.build("rg_map", con, f, metric="count"))
    assert got["15"] == counts["15"] == 16617 and got["07"] == counts["07"] == 1516
    assert got == {c: counts.get(c, 0.0) for c in got}
    pop = region_population(sample_db)
    spec = charts.build("rg_map", con, f, metric="rate")
    by_code = spec.data.set_index(i18n.t("rg_col_code", "es"))
    for code in ("15", "07"):
        assert map_values(spec)[code] == pytest.approx(round(counts[code] / pop[code] * 1e5, 1), abs=0.051)
        assert by_code.loc[code, "Población 2020"] == pop[code]
        assert by_code.loc[code, "Denuncias"] == counts[code]


def test_mpfn_growth_compares_2023_with_2022(sample_db, con, series):

    span = rg.growth_span(Context(con, series))
    assert (span.current_from, span.previous_from) == (date(2023, 1, 1), date(2022, 1, 1))
    cur, prev = rc_counts(sample_db, [2023], series.crimes), rc_counts(sample_db, [2022], series.crimes)
    expected = {c: (cur.get(c, 0.0) - prev[c]) / prev[c] * 100 for c in prev.index if prev[c] >= rg.MIN_BASE}
    spec = charts.build("rg_map", con, series, metric="growth")
    got = map_values(spec)
    assert set(got) == set(expected)
    for c, g in expected.items():
        assert got[c] == pytest.approx(round(g, 1), abs=0.051)
    assert spec.subtitle.startswith("2023 · ") and "variación frente a 2022" in spec.subtitle
    rank = charts.build("rg_rank", con, series, metric="growth")
    assert rank.figure.layout.shapes[0].x0 == pytest.approx((cur.sum() - prev.sum()) / prev.sum() * 100)


def test_mpfn_region_trend_breaks_at_2024_and_marks_2025_partial(sample_db, con, series):
    by_year = {y: rc_counts(sample_db, [y], series.crimes).get("15", 0.0) for y in (2019, 2020, 2021, 2022, 2023, 2025)}
    for lang, no_file, partial_label, partial_status in (("es", "sin archivo", "2025 (ene–nov)", "parcial (ene–nov)"),
                                                          ("en", "no file", "2025 (Jan–Nov)", "partial (Jan–Nov)")):
        spec = charts.build("rg_trend", con, series.with_(lang=lang), region="15")
        line, part = spec.figure.data[0], spec.figure.data[1]
        assert list(line.x) == ["2019", "2020", "2021", "2022", "2023", "2024", partial_label]
        assert list(line.y[:5]) == [by_year[y] for y in (2019, 2020, 2021, 2022, 2023)]
        assert math.isnan(line.y[5]) and math.isnan(line.y[6])  # a gap, and the part-year kept off the line
        assert list(part.x) == [partial_label] and list(part.y) == [by_year[2025]]
        # "sin archivo" written over 2024 (a category axis places annotations by serial number).
        assert [a.x for a in spec.figure.layout.annotations if a.text == no_file] == [list(line.x).index("2024")]
        table = spec.data.set_index(spec.x)
        assert math.isnan(table.loc["2024", spec.y]) and table.loc["2024", "display"] == no_file
        assert table.loc["2024"].iloc[-1] == no_file
        assert table.loc[partial_label, spec.y] == by_year[2025]
        assert table.loc[partial_label].iloc[-1] == partial_status
        assert spec.export_table().set_index(spec.x).loc["2024", spec.y] == no_file
        assert i18n.t("note_missing_periods", lang, periods="2024") in spec.notes
    g = (by_year[2023] - by_year[2022]) / by_year[2022] * 100
    assert charts.build("rg_trend", con, series, region="15").title == (
        f"En Lima las denuncias crecieron {i18n.fmt_pct(g, 'es')} en 2023 frente a 2022")


def test_mpfn_lima_split(sample_db, con, series):
    areas = sql(sample_db, """
        select year(period_start) as y, lima_area, sum(report_count)::double as n from fact_count
        where source = 'mpfn' and region_code = '15' and list_contains($c, crime_code)
        group by all order by 1, 2""", {"c": list(series.crimes)})
    pops = dict(sql(sample_db, "select lima_area, population_2020::double from ref_lima_area").itertuples(index=False))
    # The split covers the whole Lima region of report_counts, year by year.
    region = {y: rc_counts(sample_db, [y], series.crimes).get("15", 0.0) for y in (2019, 2020, 2021, 2022, 2023, 2025)}
    assert areas.groupby("y")["n"].sum().to_dict() == region
    metro = areas[areas["lima_area"] == "metro"].set_index("y")["n"]
    rest = areas[areas["lima_area"] == "rest"].set_index("y")["n"]
    spec = charts.build("rg_lima", con, series)
    fig = spec.figure
    full = [2019, 2020, 2021, 2022, 2023]
    assert list(fig.data[0].y[:5]) == [metro[y] for y in full] and list(fig.data[2].y[:5]) == [rest[y] for y in full]
    assert all(math.isnan(v) for v in fig.data[0].y[5:])  # 2024 gap, 2025 apart
    assert list(fig.data[1].y[:5]) == pytest.approx([round(metro[y] / pops["metro"] * 1e5, 2) for y in full])
    partial = [t for t in fig.data[4:] if t.yaxis in (None, "y")]
    assert sorted(v for t in partial for v in t.y) == sorted([metro[2025], rest[2025]])
    m, r = sum(metro[y] for y in full), sum(rest[y] for y in full)
    assert spec.title == (f"Lima Metropolitana reúne el {i18n.fmt_pct(m / (m + r) * 100, 'es')} de las denuncias de la región Lima; "
                          f"su tasa anual es {i18n.fmt_num(m / pops['metro'] * 1e5 / 5, 'es', 1)} por 100,000 hab. frente a "
                          f"{i18n.fmt_num(r / pops['rest'] * 1e5 / 5, 'es', 1)} en el resto de Lima (promedio 2019–2023)")
    table = spec.data
    assert set(table.loc[table[spec.x] == "2024", "display"]) == {"sin archivo"}


def test_only_the_partial_year_says_so(sample_db, con, series):
    f = series.with_(period_from=date(2025, 1, 1), period_to=date(2025, 1, 1))
    counts = rc_counts(sample_db, [2025], f.crimes)
    pop = region_population(sample_db)
    spec = charts.build("rg_map", con, f, metric="count")
    assert map_values(spec) == {c: counts.get(c, 0.0) for c in pop}
    assert spec.title.endswith("(ene–nov 2025)")
    assert any("solo tiene un periodo parcial" in n for n in spec.notes)
    rate = charts.build("rg_map", con, f, metric="rate")
    for c, v in map_values(rate).items():  # the rate of those eleven months, not annualised
        assert v == pytest.approx(round(counts.get(c, 0.0) / pop[c] * 1e5, 1), abs=0.051)
    assert "sin anualizar" in rate.subtitle and any("no se anualiza" in n for n in rate.notes)


def test_a_selection_across_the_gap_uses_its_full_years(sample_db, con, series):
    f = series.with_(period_from=date(2022, 1, 1))
    counts = rc_counts(sample_db, [2022, 2023], f.crimes)
    pop = region_population(sample_db)
    spec = charts.build("rg_map", con, f, metric="rate")
    for c, v in map_values(spec).items():
        assert v == pytest.approx(round(counts.get(c, 0.0) / pop[c] * 1e5 / 2, 1), abs=0.051)
    assert "(promedio 2022–2023)" in spec.title

    # A hole inside the periods added up is named (a later full 2025 beside a missing 2024).
    basis = rg.RateBasis("year", (date(2022, 1, 1), date(2023, 1, 1), date(2025, 1, 1)), True)
    assert rg.basis_text(Context(con, f), basis) == "2022–2025, sin 2024" and basis.years == 3


# Fiscal districts (MPFN) ---------------------------------------------------------------------

FD_CODE = "Distrito fiscal (nombre MPFN)"


def test_fiscal_district_ranking_sums_to_the_national_total(sample_db, con, series):
    years = full_years(sample_db)
    by_fd = rc_counts(sample_db, years, series.crimes, by="fiscal_district")
    national = rc_counts(sample_db, years, series.crimes, by="source")["mpfn"]
    assert by_fd.sum() == national
    spec = charts.build("rg_fd_rank", con, series)  # default metric: count
    assert spec.kind == "hbar" and spec.y_format == "count"
    data = spec.data
    assert dict(zip(data[FD_CODE], data["Denuncias"])) == by_fd.to_dict()
    bar = spec.figure.data[0]
    assert len(bar.y) == len(by_fd) == len(fd_names(sample_db)) and sum(bar.x) == national
    assert list(bar.x) == sorted(bar.x)  # top bar = largest
    assert i18n.fmt_int(national, "es") in spec.figure.layout.annotations[0].text
    top3 = by_fd.nlargest(3).sum() / national * 100
    assert spec.title == f"Los 3 distritos fiscales con más denuncias concentran el {i18n.fmt_pct(top3, 'es')} del total nacional (2019–2023)"
    assert any("no hay población publicada por distrito fiscal" in n for n in spec.notes)
    assert "Corte" in spec.source_line
    # Where each district's offices are, from report_counts.
    seats = sql(sample_db, """select distinct r.region_name from report_counts r
                              where source = 'mpfn' and fiscal_district = 'LIMA NOROESTE'""")
    assert data.set_index(FD_CODE).loc["LIMA NOROESTE", "Región de las sedes"] == ", ".join(sorted(seats["region_name"]))
    with pytest.raises(ValueError):
        charts.build("rg_fd_rank", con, series, metric="rate")


def test_fiscal_district_growth_uses_the_same_spans(sample_db, con, series):
    cur = rc_counts(sample_db, [2023], series.crimes, by="fiscal_district")
    prev = rc_counts(sample_db, [2022], series.crimes, by="fiscal_district")
    expected = {d: (cur.get(d, 0.0) - prev[d]) / prev[d] * 100 for d in prev.index if prev[d] >= rg.MIN_BASE}
    spec = charts.build("rg_fd_rank", con, series.with_(lang="en"), metric="growth")
    data = spec.data.set_index("Fiscal district (MPFN name)")
    shown = data[data["Remark"] == ""]
    assert set(shown.index) == set(expected)
    for d, g in expected.items():
        assert shown.loc[d, spec.y] == pytest.approx(round(g, 1), abs=0.051)
        assert shown.loc[d, "Reports 2022"] == prev[d] and shown.loc[d, "Reports 2023"] == cur.get(d, 0.0)
    assert spec.subtitle.startswith("2023 · ") and "change against 2022" in spec.subtitle
    assert spec.figure.layout.shapes[0].x0 == pytest.approx((cur.sum() - prev.sum()) / prev.sum() * 100)
    top = max(expected, key=expected.get)
    assert spec.title.startswith(f"{rg.fiscal_district_name(top)} is the fastest-growing fiscal district: "
                                 f"{i18n.fmt_pct(expected[top], 'en', signed=True)} in 2023 against 2022")


def test_fiscal_district_trend(sample_db, con, series):
    by_year = {y: rc_counts(sample_db, [y], series.crimes, by="fiscal_district").get("LIMA NOROESTE", 0.0)
               for y in (2019, 2020, 2021, 2022, 2023, 2025)}
    spec = charts.build("rg_fd_trend", con, series, district="LIMA NOROESTE")
    line, part = spec.figure.data[0], spec.figure.data[1]
    assert list(line.y[:5]) == [by_year[y] for y in (2019, 2020, 2021, 2022, 2023)]
    assert math.isnan(line.y[5]) and list(part.y) == [by_year[2025]]
    assert spec.data.set_index(spec.x).loc["2024", "display"] == "sin archivo"
    assert spec.title.startswith("Lima Noroeste")
    # Default: the district with the most reports in the selection.
    totals = rc_counts(sample_db, (2019, 2020, 2021, 2022, 2023, 2024, 2025), series.crimes, by="fiscal_district")
    assert charts.build("rg_fd_trend", con, series).title == charts.build(
        "rg_fd_trend", con, series, district=totals.idxmax()).title


def test_fiscal_districts_within_the_regions_filter(sample_db, con, series):
    """The regions filter keeps the offices located in those regions (Callao's and Lima
    Noroeste's offices are in Callao)."""
    f = series.with_(regions=("07",))
    expected = sql(sample_db, """
        select fiscal_district as k, sum(report_count)::double as n from report_counts
        where source = 'mpfn' and region_code = '07' and law = 'Ley 30096'
          and list_contains($y, year(period_start)) group by 1 order by 1""", {"y": full_years(sample_db)})
    spec = charts.build("rg_fd_rank", con, f)
    assert dict(zip(spec.data[FD_CODE], spec.data["Denuncias"])) == dict(zip(expected["k"], expected["n"]))
    assert any("sedes en las regiones elegidas" in n for n in spec.notes)

    assert rg.fiscal_district_options(Context(con, f)) == sorted(expected["k"], key=rg.fiscal_district_name)


def test_fiscal_district_names():
    assert rg.fiscal_district_name("MADRE DE DIOS") == "Madre de Dios"
    assert rg.fiscal_district_name("ANCASH") == "Áncash"
    assert rg.fiscal_district_name("LIMA NOROESTE") == "Lima Noroeste"
    assert rg.fiscal_district_name("CAÑETE") == "Cañete"


# Protecting victims: the cell-key method ------------------------------------------------------

SMALL = re.compile(r"(?<![\d.,])[1-4](?![\d.,]*\d)")


def _counts_in(spec, metric: str | None) -> list[float]:
    """Every number of the spec that is a count of reports."""
    out = []
    fig = spec.figure
    if spec.chart_id == "rg_map" and metric == "count":
        out += list(shown_trace(fig).z)
    if spec.chart_id in ("rg_rank", "rg_fd_rank") and metric == "count" and fig.data:
        out += list(fig.data[0].x)
    if spec.chart_id in ("rg_trend", "rg_fd_trend"):  # not the 12-month mean: an average
        out += [v for t in fig.data if t.name != i18n.t("rolling_12", spec.lang) for v in t.y]
    if spec.chart_id == "rg_lima":
        out += [v for t in fig.data if t.yaxis in (None, "y") for v in t.y]
    for col in spec.data.columns:
        if col.startswith(("Denuncias", "Reports")):
            out += list(spec.data[col])
    return [float(v) for v in out if v is not None]


def _texts_in(spec) -> list[str]:
    out = list(spec.data["display"])
    for t in spec.figure.data:
        for attr in ("hovertext", "customdata", "text"):
            value = getattr(t, attr, None)
            if value is None:
                continue
            out += [str(v) for v in (value if isinstance(value, (list, tuple, np.ndarray)) else [value])]
    return out


SMALL_IN_TITLE = re.compile(r"(?<![\d.,<])[1-4](, | denuncias| reports)")


def assert_no_small_counts(spec, metric=None) -> int:
    """No count from 1 to 4 anywhere in the spec (titles, values, table, hover texts), and no
    trace of the old "<5" suppression. Returns how many counts were checked."""
    assert not SMALL_IN_TITLE.search(spec.title), spec.title
    counts = _counts_in(spec, metric)
    for v in counts:
        assert math.isnan(v) or not 1 <= v <= 4, (spec.chart_id, metric, v)
    for text in _texts_in(spec):
        assert "<5" not in text, (spec.chart_id, text)
        for line in text.split("<br>"):
            if re.search(r"(Denuncias|Reports|20\d\d)[^:]*: ", line) or line.strip().isdigit():
                value = line.split(":")[-1].strip()
                assert not SMALL.fullmatch(value), (spec.chart_id, metric, line)
    assert not any(str(d) in ("1", "2", "3", "4") for d in spec.data["display"])
    assert not any("<5" in n for n in spec.notes)
    return len(counts)


CHILD_2024 = {"period_from": date(2024, 1, 1), "period_to": date(2024, 12, 1), "groups": ("child",)}


def true_counts(db, groups, year: int, crimes) -> pd.Series:
    """The exact counts of the sample by region (the restricted tier: never shown)."""
    return incident_counts(db, "synthetic", date(year, 1, 1), date(year, 12, 31), crimes, groups=groups)


def test_small_counts_never_shown(sample_db, con, synth):
    views = [
        synth.with_(**CHILD_2024),
        synth.with_(period_from=date(2024, 3, 1), period_to=date(2024, 3, 1), groups=("child", "adolescent")),
        synth.with_(period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), groups=("child", "unknown")),
        synth.with_(crimes=("5",), period_from=date(2023, 1, 1)),
    ]
    # The premise: the first view has regions with 1-4 children's reports.
    true = true_counts(sample_db, ("child",), 2024, synth.crimes)
    small = set(true[(true >= 1) & (true <= 4)].index)
    assert small
    spec = charts.build("rg_map", con, views[0].with_(lang="en"), metric="count")
    by_code = spec.data.set_index("INEI code")
    assert all(by_code.loc[c, "Reports"] in (0, 5, 6) for c in small)
    checked = 0
    for f in views:
        for lang in ("es", "en"):
            f = f.with_(lang=lang)
            for metric in METRICS:
                for chart_id in ("rg_map", "rg_rank"):
                    spec = charts.build(chart_id, con, f, metric=metric)
                    if spec is not None:
                        checked += assert_no_small_counts(spec, metric)
            for code in population(sample_db):
                spec = charts.build("rg_trend", con, f, region=code)
                if spec is not None:
                    checked += assert_no_small_counts(spec)
            spec = charts.build("rg_lima", con, f)
            if spec is not None:
                checked += assert_no_small_counts(spec)
    assert checked > 1000


def test_the_same_cell_shows_one_value(sample_db, con, synth):
    """A region's children's count in 2024 is one cell: the count map, the rate map's table,
    the trend's title and the Lima split's reference all show its published value."""
    f = synth.with_(**CHILD_2024)
    cells = pub_counts(sample_db, date(2024, 1, 1), date(2024, 12, 31), f.crimes, groups=("child",))
    count_map = charts.build("rg_map", con, f, metric="count")
    rate_map = charts.build("rg_map", con, f, metric="rate")
    counts = dict(zip(count_map.data[i18n.t("rg_col_code", "es")], count_map.data["Denuncias"]))
    assert counts == {c: cells.get(c, 0.0) for c in population(sample_db)}
    assert dict(zip(rate_map.data[i18n.t("rg_col_code", "es")], rate_map.data["Denuncias"])) == counts
    prev = pub_counts(sample_db, date(2023, 1, 1), date(2023, 12, 31), f.crimes, groups=("child",))
    small_base = [c for c in counts if prev.get(c, 0) < rg.MIN_BASE]
    assert small_base
    for code in small_base:  # no growth over a small base: the title gives the year's count
        spec = charts.build("rg_trend", con, f, region=code)
        if spec is None:  # no chart only when every published month of the region is 0
            months = pub_cells(sample_db, date(2024, 1, 1), date(2024, 12, 31), f.crimes, ("child",), (code,), by=("month",))
            assert not any(months.values()), (code, months)
        else:
            assert spec.title == f"{region_names(sample_db)[code]}: {i18n.fmt_int(counts[code], 'es')} denuncias en 2024"

    ctx = Context(con, f)
    assert rg.lima_totals(ctx, rg.rate_basis(ctx).periods)[2] == counts["15"]
    # Zero stays zero: a region with no children's report in 2024 shows 0.
    true = true_counts(sample_db, ("child",), 2024, f.crimes)
    assert all(counts[c] == 0 for c in counts if true.get(c, 0) == 0)


def test_differencing_recovers_no_small_count(sample_db, con, synth):
    """The national total shown beside the regions, minus the other regions shown, gives back
    a region's hidden count of 1-4 no more often than chance (the total is a cell of its own)."""
    checked = hits = 0
    for groups, year in ((("child",), 2024), (("child",), 2023), (("adolescent",), 2024)):
        f = synth.with_(period_from=date(year, 1, 1), period_to=date(year, 12, 1), groups=groups)
        true = true_counts(sample_db, groups, year, f.crimes)
        spec = charts.build("rg_map", con, f, metric="count")
        shown = dict(zip(spec.data[i18n.t("rg_col_code", "es")], spec.data["Denuncias"]))
        rank = charts.build("rg_rank", con, f, metric="count")
        national = pub_total(sample_db, date(year, 1, 1), date(year, 12, 31), f.crimes, groups=groups)
        assert i18n.fmt_int(national, "es") in rank.figure.layout.annotations[0].text
        for code in true[(true >= 1) & (true <= 4)].index:
            checked += 1
            hits += national - sum(v for c, v in shown.items() if c != code) == true[code]
    assert checked >= 20
    assert hits <= checked // 4, (hits, checked)


def test_no_chart_module_suppresses():
    """The page's charts hold no suppression of their own: the query layer publishes cells."""
    modules = sorted(Path(rg.__file__).parent.glob("*.py"))
    assert len(modules) > 1
    for module in modules:
        text = module.read_text(encoding="utf-8")
        for word in ("suppress", "SUPPRESSED", "minors_only", "minors_mask", "is_suppressed", "<5"):
            assert word not in text, (module.name, word)


# The page (AppTest) --------------------------------------------------------------------------

PAGE = "pages/regions.py"


def _titles(at) -> list[str]:
    return [m.value[5:] for m in at.markdown if str(m.value).startswith("#### ")]


def open_page(db, lang: str, source: str | None = None, **params):
    """The Regions page in `lang` from a link: `source` and page options as URL ids."""
    at = run_app(db, page=PAGE, params={"lang": lang, **({"source": source} if source else {}), **params})
    assert not link_warnings(at)
    if source is not None:
        assert widget(at.sidebar.selectbox, "f_source").value == source
    return at


def test_page_default_view_both_languages_synthetic(sample_db, synth):
    with duckdb.connect(str(sample_db), read_only=True) as con:
        for lang in ("es", "en"):
            at = open_page(sample_db, lang, source="synthetic")
            assert not at.exception
            f = synth.with_(lang=lang)
            expected = [charts.build("rg_map", con, f, metric="rate").title,
                        charts.build("rg_rank", con, f, metric="rate").title,
                        charts.build("rg_trend", con, f, region="15").title,
                        charts.build("rg_lima", con, f).title]
            assert _titles(at) == expected
            assert i18n.t("synthetic_banner", lang).split("**")[1] in texts(at)
            # No fiscal districts in the synthetic sample: no grouping control.
            with pytest.raises(KeyError):
                widget(at.segmented_control, "p_grouping")
            figs = figures(at)
            # The map is drawn as SVG (cybertrends/maps.py); its spec stays a tile map (exports).
            assert [fig["data"][-1]["type"] for fig in figs][:2] == ["choropleth", "bar"]
            # The map's values are the independent rates.
            counts = pub_counts(sample_db, date(2019, 1, 1), date(2025, 12, 31), f.crimes)
            pop = population(sample_db)
            shown = dict(zip(figs[0]["data"][-1]["locations"], figs[0]["data"][-1]["z"]))
            assert shown["15"] == pytest.approx(round(counts["15"] / pop["15"] * 1e5 / 7, 1))


def test_page_metric_region_and_filters(sample_db, synth):
    at = open_page(sample_db, "en", source="synthetic")
    widget(at.segmented_control, "p_metric").set_value("growth").run()
    assert not at.exception
    assert at.query_params["metric"] == "growth"
    titles = _titles(at)
    assert "grows fastest" in titles[0] and "faster than the country" in titles[1]
    widget(at.selectbox, "p_region").set_value("04").run()
    assert not at.exception
    assert at.query_params["region"] == "04"
    with duckdb.connect(str(sample_db), read_only=True) as con:
        assert _titles(at)[2] == charts.build("rg_trend", con, synth.with_(lang="en"), region="04").title
    # A regions filter without Lima: only those regions, and the Lima split explains itself.
    widget(at.sidebar.multiselect, "f_regions").set_value(["04", "08"]).run()
    assert not at.exception
    assert i18n.t("rg_lima_not_in_filter", "en") in texts(at)
    rank = figures(at)[1]
    assert set(rank["data"][0]["y"]) == {"Arequipa", "Cusco"}
    # Lima is not an option any more; the trend follows the remembered or first region.
    assert set(widget(at.selectbox, "p_region").options) == {"Arequipa", "Cusco"}
    assert "Arequipa" in _titles(at)[2]


def test_page_opens_on_the_mpfn_series_in_both_languages(sample_db, series):
    """No parameters: the real MPFN series, no synthetic notice, every chart as built."""
    with duckdb.connect(str(sample_db), read_only=True) as con:
        for lang in ("es", "en"):
            at = run_app(sample_db, page=PAGE, params={"lang": lang})
            assert not at.exception
            assert widget(at.sidebar.selectbox, "f_source").value == "mpfn"
            f = series.with_(lang=lang)
            expected = [charts.build("rg_map", con, f, metric="rate").title,
                        charts.build("rg_rank", con, f, metric="rate").title,
                        charts.build("rg_trend", con, f, region="15").title,
                        charts.build("rg_lima", con, f).title]
            assert _titles(at) == expected
            assert "2019–2023" in expected[0] and "2023" in expected[2] and "2022" in expected[2]
            assert i18n.t("synthetic_banner", lang).split("**")[1] not in texts(at)
            captions = [c.value for c in at.caption]
            assert any(i18n.t("no_file", lang) in c and "2024" in c for c in captions)
            # The trend breaks at 2024 (no value there, not a zero).
            trend = figures(at)[2]
            x, y = trend["data"][0]["x"], trend["data"][0]["y"]
            assert y[x.index("2024")] is None or math.isnan(y[x.index("2024")])


def test_page_mpfn_growth_and_fiscal_districts(sample_db, series):
    at = run_app(sample_db, page=PAGE, params={"lang": "es"})
    widget(at.segmented_control, "p_metric").set_value("growth").run()
    assert not at.exception
    with duckdb.connect(str(sample_db), read_only=True) as con:
        assert _titles(at)[0] == charts.build("rg_map", con, series, metric="growth").title
        assert "en 2023 frente a 2022" in _titles(at)[0]
        # Grouped by fiscal district: no rate and no map; the chosen growth stays chosen.
        widget(at.segmented_control, "p_grouping").set_value("fiscal_district").run()
        assert not at.exception
        assert (at.query_params["grouping"], at.query_params["metric"]) == ("fiscal_district", "growth")
        assert i18n.t("rg_fd_no_rate", "es") in texts(at)
        assert widget(at.segmented_control, "p_metric").options == [i18n.t("rg_metric_count", "es"),
                                                                      i18n.t("rg_metric_growth", "es")]
        assert _titles(at)[0] == charts.build("rg_fd_rank", con, series, metric="growth").title
        # A ranking of counts.
        widget(at.segmented_control, "p_metric").set_value("count").run()
        assert not at.exception
        assert "metric" not in at.query_params  # the default is left out of the link
        titles = _titles(at)
        assert titles[0] == charts.build("rg_fd_rank", con, series, metric="count").title
        assert titles[1] == charts.build("rg_fd_trend", con, series, district="LIMA CENTRO").title
        assert all(fig["data"][0]["type"] not in ("choroplethmap", "choropleth") for fig in figures(at))
        widget(at.selectbox, "p_district").set_value("LIMA NOROESTE").run()
        assert not at.exception
        assert at.query_params["district"] == "LIMA NOROESTE"
        assert _titles(at)[1] == charts.build("rg_fd_trend", con, series, district="LIMA NOROESTE").title
        # The same view from a link, in either language.
        for lang in ("es", "en"):
            linked = run_app(sample_db, page=PAGE, params={"lang": lang, "grouping": "fiscal_district",
                                                           "metric": "growth", "district": "LIMA NOROESTE"})
            assert not linked.exception and not link_warnings(linked)
            assert _titles(linked) == [charts.build("rg_fd_rank", con, series.with_(lang=lang), metric="growth").title,
                                       charts.build("rg_fd_trend", con, series.with_(lang=lang),
                                                    district="LIMA NOROESTE").title]
    at_en = run_app(sample_db, page=PAGE, params={"lang": "en"})
    widget(at_en.segmented_control, "p_grouping").set_value("fiscal_district").run()
    assert not at_en.exception
    assert i18n.t("rg_fd_no_rate", "en") in texts(at_en)
    assert _titles(at_en)[0].startswith("The 3 fiscal districts with the most reports")


def test_page_only_the_year_without_file(sample_db):
    at = run_app(sample_db, page=PAGE, params={"lang": "es"})
    widget(at.sidebar.select_slider, "f_period_mpfn").set_value(("2024", "2024")).run()
    assert not at.exception
    assert i18n.t("rg_selection_no_file", "es", periods="2024") in texts(at)
    assert len(at.get("plotly_chart")) == 0


def test_page_empty_state(sample_db):
    for source in (None, "synthetic"):
        at = open_page(sample_db, "en", source=source)
        widget(at.sidebar.multiselect, "f_crimes_ley").set_value(["12-A"]).run()
        assert not at.exception
        assert len(at.get("plotly_chart")) == 0
        assert texts(at).count(i18n.t("empty_state", "en")) == 1  # said once, not once per chart


def test_page_sidpol_lima_split(sidpol_db):
    at = run_app(sidpol_db, page=PAGE, params={"lang": "en"})
    widget(at.sidebar.segmented_control, "f_crime_group").set_value("penal").run()
    assert not at.exception
    penal = tuple(sql(sidpol_db, "select crime_code from ref_crime where not is_ley_30096 order by sort_order")["crime_code"])
    f = Filters("sidpol", date(2023, 1, 1), date(2024, 12, 1), "month", crimes=penal, lang="en")
    with duckdb.connect(str(sidpol_db), read_only=True) as con:
        expected = charts.build("rg_lima", con, f).title
    assert expected in _titles(at)


def test_growth_with_no_large_base_explains_itself(con, synth):
    f = synth.with_(crimes=("6",))  # a handful of reports a year in all Peru
    spec = charts.build("rg_map", con, f, metric="growth")
    assert spec.title == f"Ninguna región tiene base suficiente (al menos {rg.MIN_BASE} denuncias en 2024) para comparar"
    assert all(t.showscale is False for t in spec.figure.data)
    assert charts.build("rg_rank", con, f, metric="growth") is None


def test_map_renders_offline_and_fits_peru(con, synth):
    """A MapLibre map on a blank style (no tiles, no topojson download), centred on Peru."""
    spec = charts.build("rg_map", con, synth, metric="count")
    layout = spec.figure.layout
    assert all(t.type == "choroplethmap" for t in spec.figure.data)
    assert layout.map.style == "white-bg"
    assert -12 < layout.map.center.lat < -7 and -77 < layout.map.center.lon < -73
    assert 3.5 < layout.map.zoom < 5
    assert {f["properties"]["FIRST_IDDP"] for f in rg.geojson()["features"]} == set(population(None))


def test_one_region_trend_names_the_region_and_ends_with_the_data(sample_db, con, synth):
    spec = charts.build("rg_trend", con, synth, region="04")
    assert "Arequipa" in spec.subtitle and i18n.t("all_regions", "es") not in spec.subtitle
    last = max(pd.Timestamp(x) for x in spec.figure.data[0].x)
    assert pd.Timestamp(spec.figure.layout.xaxis.range[1]) <= last + pd.Timedelta(days=31)
    one = charts.build("rg_rank", con, synth.with_(regions=("04",)), metric="rate")
    assert " de 1 regiones" not in one.title and "Arequipa" in one.title
