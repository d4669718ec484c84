"""At-risk groups page: every figure equals an independent computation over the fact tables (for
the synthetic, record-level sample: the cell-key publication of each cell, tests/published.py),
every total shown beside its parts is a cell of its own, and no reachable view shows a count of
1–4 (DESIGN.md §5)."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cybertrends import charts, i18n, measures
from cybertrends.charts import groups as gr
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from etl import load
from tests.apptest_helpers import figures, link_warnings, run_app, widget
from tests.conftest import CANONICAL_HEADER, query
from tests.published import published, total

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")
AT_RISK = ("child", "adolescent", "young", "older")
GROUP_CHARTS = ("gr_counts", "gr_rates", "gr_growth", "gr_top_crimes", "gr_sex")


def _f(**kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2019, 1, 1), period_to=date(2025, 12, 1), grain="month", crimes=LEY)
    return Filters(**{**base, **kw})


IN_VIEW = ("list_contains($crimes, crime_code) "
           "and (len($regions) = 0 or list_contains($regions, region_code))")


def _pub_by_group(db, year: int, regions=None, crimes=LEY) -> dict[str, int]:
    """Published count of each victim group's cell in `year` (independent of the app)."""
    cells = published(db, "synthetic", ("victim_age_group",), f"year(report_date) = $y and {IN_VIEW}",
                      {"y": year, "crimes": list(crimes), "regions": list(regions or [])})
    return {g: n for (g,), n in cells.items()}


def _sql_population(db, regions=None) -> dict[str, int]:
    rows = query(db, """
        select age_group, sum(population_2020) from ref_region_population
        where age_group <> 'total' and (len($regions) = 0 or list_contains($regions, region_code))
        group by 1""", {"regions": list(regions or [])})
    return {g: int(p) for g, p in rows}


# Builders against independent SQL ---------------------------------------------------------

def test_counts_per_group_and_year_equal_the_published_cells(sample_db, con):
    spec = charts.build("gr_counts", con, _f())
    # each (year, group) is one cell, published from its own key (not a sum of published months)
    cells = published(sample_db, "synthetic", ("year", "victim_age_group"), "list_contains($c, crime_code)",
                      {"c": list(LEY)})
    expected = {(str(y), g): n for (y, g), n in cells.items()}
    data = spec.data
    names = {Context(con, _f()).group_name(g): g for g in gr.GROUP_ORDER}
    assert len(data) == 7 * 6
    for _, row in data.iterrows():
        g = names[row["Grupo de víctimas"]]
        n = expected.get((row["Año"], g), 0)
        assert row["Denuncias"] == n and row["display"] == i18n.fmt_int(n, "es")
    assert not data["Denuncias"].between(1, 4).any()
    # one line per group, y values equal the table
    legend = sorted(spec.figure.data, key=lambda t: t.legendrank)
    assert [t.name for t in legend] == list(names)
    for trace in spec.figure.data:
        part = data[data["Grupo de víctimas"] == trace.name]
        assert np.allclose(np.array(trace.y, dtype=float), part["Denuncias"].to_numpy(dtype=float), equal_nan=True)
    # the finding: the at-risk group with most (published) reports in 2025
    by_group = _pub_by_group(sample_db, 2025)
    top = max(AT_RISK, key=lambda g: by_group.get(g, 0))
    assert spec.title == i18n.t("gr_counts_title_top", "es", group=i18n.t(f"gr_subject_{top}", "es"),
                                n=i18n.fmt_int(by_group[top], "es"), period="2025")


@pytest.mark.parametrize("regions", [(), ("04", "15")])
def test_rates_per_100k_of_the_age_group_equal_sql(sample_db, con, regions):
    f = _f(regions=regions, lang="en")
    spec = charts.build("gr_rates", con, f)
    counts = _pub_by_group(sample_db, 2025, regions)
    pop = _sql_population(sample_db, regions)
    rates = {g: counts.get(g, 0) / pop[g] * 100_000 for g in gr.KNOWN_GROUPS}
    ctx = Context(con, f)
    got = dict(zip(spec.data["Victim group"], spec.data["Rate per 100,000"]))
    for g in gr.KNOWN_GROUPS:
        assert got[ctx.group_name(g)] == pytest.approx(rates[g], abs=0.006)
    assert list(spec.figure.data[0].y) == pytest.approx([rates[g] for g in gr.KNOWN_GROUPS])
    pops = dict(zip(spec.data["Victim group"], spec.data["Population 2020"]))
    assert all(pops[ctx.group_name(g)] == pop[g] for g in gr.KNOWN_GROUPS)
    top = max(AT_RISK, key=rates.get)
    assert spec.title == i18n.t("gr_rates_title_top", "en", group=i18n.t(f"gr_subject_{top}", "en"), what="",
                                rate=i18n.fmt_num(rates[top], "en", 1), unit=i18n.t(f"gr_unit_{top}", "en"), period="2025")
    assert spec.subtitle.startswith("2025")
    if regions:
        assert i18n.t("gr_note_denominator_regions", "en") in spec.notes


def _group_population_by_region(db, group: str) -> dict[str, tuple[str, int]]:
    rows = query(db, """select r.region_code, r.region_name, p.population_2020 from ref_region r
        join ref_region_population p on p.region_code = r.region_code and p.age_group = $g""", {"g": group})
    return {code: (name, int(pop)) for code, name, pop in rows}


@pytest.mark.parametrize("group", ["older", "child"])
def test_rates_by_region_for_one_group_equal_the_published_cells(sample_db, con, group):
    spec = charts.build("gr_rates", con, _f(), group=group)
    where = "year(report_date) = 2025 and victim_age_group = $g and list_contains($crimes, crime_code)"
    params = {"g": group, "crimes": list(LEY)}
    cells = published(sample_db, "synthetic", ("region_code",), where, params)
    pops = _group_population_by_region(sample_db, group)
    # each region's published count over the group's population in that region
    expected = {name: cells.get((code,), 0) * 100000 / pop for code, (name, pop) in pops.items()}
    got = dict(zip(spec.data["Región"], spec.data["Tasa por 100,000"]))
    assert set(got) == set(expected)
    for region, rate in expected.items():
        assert got[region] == pytest.approx(rate, abs=0.006)
    top = max(expected, key=expected.get)
    assert spec.data["Región"].iloc[0] == top and top in spec.title
    assert spec.kind == "hbar"
    # the national line: the group's national total is a cell of its own, over the group's
    # national population (not the sum of the regions' published counts)
    national = total(sample_db, "synthetic", where, params) * 100000 / sum(p for _, p in pops.values())
    (line,) = spec.figure.layout.shapes
    assert line.x0 == pytest.approx(national, rel=1e-12)
    assert i18n.t("gr_overall_rate_national", "es", rate=i18n.fmt_num(national, "es", 1)) in [
        a.text for a in spec.figure.layout.annotations]
    if group == "child":  # small cells: the published parts do not add up to the published total
        assert sum(cells.values()) != total(sample_db, "synthetic", where, params)
    assert i18n.t("note_cell_key", "es") in spec.notes


def test_growth_per_group_compares_equal_spans(sample_db, con):
    spec = charts.build("gr_growth", con, _f())
    cur, prev = _pub_by_group(sample_db, 2025), _pub_by_group(sample_db, 2024)
    got = dict(zip(spec.data["Grupo de víctimas"], spec.data["Variación (%)"]))
    ctx = Context(con, _f())
    for g in gr.GROUP_ORDER:
        assert got[ctx.group_name(g)] == pytest.approx((cur[g] - prev[g]) / prev[g] * 100, abs=0.06)
    growth = {g: (cur[g] - prev[g]) / prev[g] * 100 for g in AT_RISK}
    top = max(growth, key=growth.get)
    assert i18n.fmt_pct(growth[top], "es", signed=True) in spec.title and i18n.t(f"gr_subject_{top}", "es") in spec.title
    # a filter ending in June compares January–June with January–June a year earlier
    half = charts.build("gr_growth", con, _f(period_to=date(2025, 6, 1)))
    span = "report_date between $lo and $hi and list_contains($c, crime_code)"
    c = published(sample_db, "synthetic", ("victim_age_group",), span,
                  {"lo": date(2025, 1, 1), "hi": date(2025, 6, 30), "c": list(LEY)})
    p = published(sample_db, "synthetic", ("victim_age_group",), span,
                  {"lo": date(2024, 1, 1), "hi": date(2024, 6, 30), "c": list(LEY)})
    got = dict(zip(half.data["Grupo de víctimas"], half.data["Variación (%)"]))
    for g in gr.GROUP_ORDER:
        expected = (c[(g,)] - p[(g,)]) / p[(g,)] * 100
        assert got[ctx.group_name(g)] == pytest.approx(expected, abs=0.06)
    assert "ene 2025–jun 2025" in half.subtitle


@pytest.mark.parametrize("group", ["adolescent", "child"])
def test_top_crimes_of_one_group_equal_the_published_cells(sample_db, con, group):
    spec = charts.build("gr_top_crimes", con, _f(lang="en"), group=group)
    where = "victim_age_group = $g and list_contains($c, crime_code)"
    params = {"g": group, "c": list(LEY)}
    cells = published(sample_db, "synthetic", ("crime_code",), where, params)
    rows = sorted(((c, n) for (c,), n in cells.items() if n > 0), key=lambda r: (-r[1], r[0]))[:5]
    whole = total(sample_db, "synthetic", where, params)  # the group's total: a cell of its own
    ctx = Context(con, _f(lang="en"))
    assert list(spec.data["Crime type"]) == [ctx.crime_name(c) for c, _ in rows]
    assert list(spec.data["Reports"]) == [n for _, n in rows]
    assert list(spec.data["% of the group's reports"]) == pytest.approx([round(n / whole * 100, 1) for _, n in rows])
    top_code, top_n = rows[0]
    assert spec.title == i18n.t("gr_top_title_one", "en", crime=ctx.crime_name(top_code),
                                pct=i18n.fmt_pct(top_n / whole * 100, "en"), group=i18n.t(f"gr_short_{group}", "en"),
                                victims=i18n.t(f"gr_victims_{group}", "en"), period="2019–2025")
    if group == "child":  # small cells: the share's base is not the sum of the published parts
        assert sum(cells.values()) != whole


def test_top_crimes_side_by_side_are_shares_of_each_groups_total(sample_db, con):
    compare = charts.build("gr_top_crimes", con, _f())
    share = compare.data.set_index(["Grupo de víctimas", "Tipo de delito"])["% de las denuncias del grupo"]
    es = Context(con, _f())
    for group in AT_RISK:
        where = "victim_age_group = $g and list_contains($c, crime_code)"
        params = {"g": group, "c": list(LEY)}
        fraud = published(sample_db, "synthetic", ("crime_code",), where, params)[("8",)]
        assert share[(es.group_name(group), es.crime_name("8"))] == pytest.approx(
            fraud / total(sample_db, "synthetic", where, params) * 100, abs=0.06)
    assert compare.series == "Grupo de víctimas" and compare.kind == "hbar"


@pytest.mark.parametrize("regions", [(), ("04",)])
def test_sex_split_is_published_cells_over_each_groups_total(sample_db, con, regions):
    spec = charts.build("gr_sex", con, _f(lang="en", regions=regions))
    params = {"crimes": list(LEY), "regions": list(regions)}
    parts = published(sample_db, "synthetic", ("victim_age_group", "victim_sex"), IN_VIEW, params)
    totals = published(sample_db, "synthetic", ("victim_age_group",), IN_VIEW, params)  # cells of their own
    rows = [(g, s, measures.share_pct(n, totals.get((g,), 0))) for (g, s), n in parts.items()]
    ctx = Context(con, _f(lang="en"))
    counts = spec.data.set_index(["Victim group", "Victim sex"])["Reports"]
    got = spec.data.set_index(["Victim group", "Victim sex"])["% of the group's reports"]
    for g, s, share in rows:
        if share is None:
            assert math.isnan(got[(ctx.group_name(g), ctx.t(f"sex_{s}"))])
        else:
            assert got[(ctx.group_name(g), ctx.t(f"sex_{s}"))] == pytest.approx(share, abs=0.06)
        assert counts[(ctx.group_name(g), ctx.t(f"sex_{s}"))] == i18n.fmt_int(parts[(g, s)], "en")
    if regions:  # small cells: the shares' bases are not the sums of the published parts
        assert any(sum(n for (g2, _), n in parts.items() if g2 == g) != t for (g,), t in totals.items())
    assert [t.name for t in spec.figure.data] == ["Female", "Male", "Not recorded"]
    female = {g: sh for g, s, sh in rows if s == "female" and g in AT_RISK and sh is not None}
    top = max(female, key=female.get)
    assert spec.title.startswith(i18n.t(f"gr_subject_{top}", "en")) and i18n.fmt_pct(female[top], "en") in spec.title


def test_minor_proxy_on_a_source_without_age_equals_sql(mpfn_db):
    con = duckdb.connect(str(mpfn_db), read_only=True)
    f = Filters("mpfn", date(2023, 1, 1), date(2023, 1, 1), "year", crimes=LEY)
    for chart_id in GROUP_CHARTS:
        assert charts.build(chart_id, con, f) is None  # no age: no breakdown, no crash
    spec = charts.build("gr_minor_proxy", con, f)
    (art5,), = query(mpfn_db, """select sum(report_count) from fact_count
        where source = 'mpfn' and crime_code = '5'""")
    assert list(spec.data["Denuncias"]) == [art5]
    # art. 5 alone: CP 183-B (any means, not technology-specific) is named as left out
    assert spec.title.startswith(i18n.fmt_int(art5, "es") + " denuncias")
    assert i18n.t("gr_note_proxy", "es") in spec.notes and i18n.t("gr_note_183b", "es") in spec.notes
    # the proxy uses art. 5 even when the sidebar chose Penal Code articles only
    penal = charts.build("gr_minor_proxy", con, f.with_(crimes=("196",)))
    assert list(penal.data["Denuncias"]) == [art5]


def test_partial_year_is_flagged_and_rate_is_not_annual(con):
    f = _f(period_from=date(2024, 3, 1), period_to=date(2025, 6, 1))
    counts = charts.build("gr_counts", con, f)
    status = dict(zip(counts.data["Año"], counts.data["Estado"]))
    assert status == {"2024 (mar–dic)": "parcial (mar–dic)", "2025 (ene–jun)": "parcial (ene–jun)"}
    assert i18n.t("gr_note_partial_years", "es", years="2024 (mar–dic), 2025 (ene–jun)") in counts.notes
    # the finding speaks of the latest year, named as partial
    assert counts.title.endswith("en 2025 (ene–jun)")
    rates = charts.build("gr_rates", con, f)
    assert i18n.t("gr_note_not_annual", "es", period="mar 2024–jun 2025") in rates.notes


def test_empty_selection_returns_none(con):
    f = _f(crimes=("12-A",))  # no synthetic reports under art. 12-A
    for chart_id in GROUP_CHARTS:
        assert charts.build(chart_id, con, f) is None
    assert charts.build("gr_rates", con, _f(groups=("adult",)), group="child") is None


def test_definitions_show_legal_bands(con):
    table = gr.definitions(Context(con, _f()))
    assert list(table["Edades"]) == ["0–11", "12–17", "18–29", "30–59", "60 y más", "–"]
    assert table["Base legal"].str.contains("Ley 27802 define juventud de 15 a 29").any()


# Victim protection: the cell-key method ------------------------------------------------

def _tiny_rows() -> list[str]:
    """3 adolescent victims in Arequipa one month, 7 child victims in Lima (5 girls, 2 boys),
    4 child victims in Lima a year earlier; every other cell counts 5 or more."""
    out: list[str] = []

    def add(n, day, ubigeo, crime, age, sexes):
        for i in range(n):
            sex = sexes[i % len(sexes)] if sexes else ""
            out.append(f"t{len(out) + 1},{day},{day},{ubigeo},{crime},,,{age},{sex},persona natural,")

    add(5, "2023-01-01", "150101", "8", 40, ["F"])
    add(4, "2023-06-10", "150101", "5", 8, ["F"])
    add(3, "2024-03-15", "040101", "5", 15, ["F", "F", "M"])
    add(7, "2024-05-20", "150101", "5", 9, ["F"] * 5 + ["M"] * 2)
    add(10, "2024-05-20", "150101", "8", 35, ["F"])
    add(6, "2024-05-20", "150101", "8", 22, ["F"])
    add(8, "2024-05-20", "150101", "8", 70, ["M"])
    add(5, "2024-05-20", "150101", "8", "", [])
    add(5, "2024-12-31", "150101", "8", 40, ["F"])
    return out


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("groups_tiny")
    csv = folder / "synthetic_groups_tiny.csv"
    csv.write_text(CANONICAL_HEADER + "\n" + "\n".join(_tiny_rows()) + "\n", encoding="utf-8")
    db = folder / "tiny.duckdb"
    outcome = load.load_files([csv], db=db, fresh=True)
    assert outcome.published, outcome.files
    return db


_SAFE = [
    re.compile(r"\b(?:art|arts|CP art|PC art)\.\s*\d+(?:-[A-Z])?"),  # legal article references
    re.compile(r"\d+\s*[–-]\s*\d+"),  # age bands and spans: 0–11, 12–17
    re.compile(r"\b\d+\s*(?:y más|and over)"),
]
_SMALL = re.compile(r"(?<![\w.,])[1-4](?![\w.,])")


def _small_in_text(text: str) -> str | None:
    for pattern in _SAFE:
        text = pattern.sub(" ", text)
    m = _SMALL.search(text)
    return m.group(0) if m else None


def _small_number(value) -> bool:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    return not math.isnan(v) and v in (1.0, 2.0, 3.0, 4.0)


def _leaks_in_values(values, where: str) -> list[str]:
    leaks = []
    for v in np.ravel(np.asarray(values, dtype=object)) if values is not None else []:
        if isinstance(v, str):
            if _small_in_text(v):
                leaks.append(f"{where}: {v!r}")
        elif _small_number(v):
            leaks.append(f"{where}: {v!r}")
    return leaks


def _figure_leaks(fig: dict, where: str) -> list[str]:
    leaks = []
    for i, trace in enumerate(fig.get("data", [])):
        for key in ("x", "y", "z", "text", "customdata", "hovertext"):
            if key in trace and trace[key] is not None:
                value = trace[key]
                leaks += _leaks_in_values([value] if isinstance(value, (str, int, float)) else value,
                                          f"{where} trace {i} {key}")
    for ann in fig.get("layout", {}).get("annotations", []) or []:
        if _small_in_text(str(ann.get("text", ""))):
            leaks.append(f"{where} annotation: {ann.get('text')!r}")
    return leaks


def _table_leaks(df: pd.DataFrame, where: str) -> list[str]:
    leaks = [f"{where} column {c!r}" for c in df.columns if _small_in_text(str(c))]
    for column in df.columns:
        leaks += _leaks_in_values(df[column].tolist(), f"{where}[{column}]")
    return leaks


def _spec_leaks(spec, where: str) -> list[str]:
    leaks = [f"{where} title: {spec.title!r}"] if _small_in_text(spec.title) else []
    leaks += _figure_leaks(spec.figure.to_plotly_json(), where)
    leaks += _table_leaks(spec.data, f"{where} data")
    leaks += _table_leaks(spec.export_table(), f"{where} export")
    return leaks


TINY_FILTERS = {
    "all_es": dict(),
    "all_en": dict(lang="en"),
    "arequipa": dict(regions=("04",)),
    "lima_en": dict(regions=("15",), lang="en"),
    "adolescents": dict(groups=("adolescent",)),
    "children": dict(groups=("child",)),
    "minors": dict(groups=("child", "adolescent"), lang="en"),
    "arequipa_adolescents": dict(regions=("04",), groups=("adolescent",)),
    "crime_5": dict(crimes=("5",)),
    "year_2024": dict(period_from=date(2024, 1, 1)),
    "month_2023_06": dict(period_from=date(2023, 6, 1), period_to=date(2023, 6, 1)),
    "month_2024_03": dict(period_from=date(2024, 3, 1), period_to=date(2024, 3, 1), lang="en"),
}


def _tiny_f(**kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2023, 1, 1), period_to=date(2024, 12, 1), grain="month", crimes=LEY)
    return Filters(**{**base, **kw})


def test_tiny_database_holds_the_small_cells(tiny_db):
    """The fixture really has minors' cells of 1–4 (else the protection tests prove nothing)."""
    rows = dict(query(tiny_db, """select victim_age_group || '/' || year(report_date), count(*) from fact_incident
                                  group by 1"""))
    assert rows["adolescent/2024"] == 3 and rows["child/2023"] == 4 and rows["child/2024"] == 7


@pytest.mark.parametrize("name", list(TINY_FILTERS))
def test_builders_never_show_small_minor_counts(tiny_db, name):
    con = duckdb.connect(str(tiny_db), read_only=True)
    f = _tiny_f(**TINY_FILTERS[name])
    leaks, built = [], 0
    views = [(c, {}) for c in (*GROUP_CHARTS, "gr_minor_proxy", "gr_minor_rate")]
    views += [("gr_minor_rate", {"years": "all"})]
    views += [(c, {"group": g}) for c in ("gr_rates", "gr_top_crimes") for g in AT_RISK]
    for chart_id, opts in views:
        spec = charts.build(chart_id, con, f, **opts)
        if spec is not None:
            built += 1
            leaks += _spec_leaks(spec, f"{name}/{chart_id}{opts or ''}")
    assert built > 0
    assert not leaks, "\n".join(leaks)


def test_small_cells_are_shown_as_published(tiny_db):
    """Every count is its cell's published value (independently computed): the hidden 3 and 4
    come out as 0, 5 or 6, never as themselves; rates, shares and growth use the published
    counts; and the totals beside parts are cells of their own."""
    con = duckdb.connect(str(tiny_db), read_only=True)
    pub = published(tiny_db, "synthetic", ("year", "victim_age_group"))
    assert {pub[(2024, "adolescent")], pub[(2023, "child")]} <= {0, 5, 6}
    spec = charts.build("gr_counts", con, _tiny_f())
    counts = spec.data.set_index(["Año", "Grupo de víctimas"])
    for (year, group), name in [((2024, "adolescent"), "Adolescentes (12–17)"), ((2023, "child"), "Niñas y niños (0–11)"),
                                ((2024, "child"), "Niñas y niños (0–11)"), ((2024, "adult"), "Adultos (30–59)")]:
        assert counts.loc[(str(year), name), "Denuncias"] == pub[(year, group)]
        assert counts.loc[(str(year), name), "display"] == i18n.fmt_int(pub[(year, group)], "es")
    teen = next(t for t in spec.figure.data if t.name == "Adolescentes (12–17)")
    assert list(teen.y) == [pub.get((2023, "adolescent"), 0), pub[(2024, "adolescent")]]
    # growth from published counts: children 2023 -> 2024
    growth = charts.build("gr_growth", con, _tiny_f()).data.set_index("Grupo de víctimas")
    for group, name in [("child", "Niñas y niños (0–11)"), ("adult", "Adultos (30–59)")]:
        prev = pub.get((2023, group), 0)
        expected = measures.growth_pct(pub[(2024, group)], prev) if prev >= measures.MIN_BASE else None
        got = growth.loc[name, "Variación (%)"]
        assert math.isnan(got) if expected is None else got == pytest.approx(expected, abs=0.06)
    # rates over the group's population, from the published count
    rates = charts.build("gr_rates", con, _tiny_f(period_from=date(2024, 1, 1))).data.set_index("Grupo de víctimas")
    (pop,), = query(tiny_db, "select sum(population_2020) from ref_region_population where age_group = 'adolescent'")
    assert rates.loc["Adolescentes (12–17)", "Tasa por 100,000"] == pytest.approx(
        pub[(2024, "adolescent")] * 100000 / pop, abs=0.006)
    # the sex split: published parts over the group's published total (7 children in 2024)
    sex = charts.build("gr_sex", con, _tiny_f(period_from=date(2024, 1, 1))).data.set_index(["Grupo de víctimas", "Sexo de la víctima"])
    by_sex = published(tiny_db, "synthetic", ("victim_sex",), "year(report_date) = 2024 and victim_age_group = 'child'")
    for sex_code, name in [("female", "Mujer"), ("male", "Hombre")]:
        assert sex.loc[("Niñas y niños (0–11)", name), "Denuncias"] == i18n.fmt_int(by_sex[(sex_code,)], "es")
        share = measures.share_pct(by_sex[(sex_code,)], pub[(2024, "child")])
        assert sex.loc[("Niñas y niños (0–11)", name), "% de las denuncias del grupo"] == pytest.approx(share, abs=0.06)
    # the proxy: art. 5 per year (4 in 2023, 10 in 2024), each year a cell
    proxy = charts.build("gr_minor_proxy", con, _tiny_f()).export_table()
    art5 = published(tiny_db, "synthetic", ("year",), "crime_code = '5'")
    assert list(proxy["Denuncias"]) == [i18n.fmt_int(art5[(2023,)], "es"), i18n.fmt_int(art5[(2024,)], "es")]


def _page_leaks(at, where: str) -> list[str]:
    leaks = []
    for i, fig in enumerate(figures(at)):
        leaks += _figure_leaks(fig, f"{where} figure {i}")
    for i, df in enumerate(at.dataframe):
        leaks += _table_leaks(df.value, f"{where} table {i}")
    for kind in ("title", "markdown", "info", "warning", "metric"):
        for el in at.get(kind):
            text = str(getattr(el, "value", ""))
            if _small_in_text(text):
                leaks.append(f"{where} {kind}: {text!r}")
    return leaks


GROUP_LABELS = {"child": ("Niñas y niños (0–11)", "Children (0–11)"),
                "adolescent": ("Adolescentes (12–17)", "Adolescents (12–17)"),
                "young": ("Jóvenes (18–29)", "Young people (18–29)"),
                "older": ("Personas adultas mayores (60+)", "Older adults (60+)")}


def _set_group(at, group: str) -> bool:
    """Choose `group` in the page's selector; False when the selector does not offer it."""
    control = widget(at.segmented_control, "p_group")
    if not set(GROUP_LABELS[group]) & set(control.options):
        return False
    default = control.options[0] in GROUP_LABELS[group]
    control.set_value(group).run()
    assert widget(at.segmented_control, "p_group").value == group
    assert at.query_params.get("group") == (None if default else group)  # the link names it by its id
    return True


# Every view is seeded through the URL (what a shared link does): the sidebar filters and the
# page's group selector (`group`) by their ids.
APP_VIEWS = [
    ("es_all", {"lang": "es"}),
    ("en_all_adolescent", {"lang": "en", "group": "adolescent"}),
    ("es_arequipa", {"lang": "es", "regions": "04", "group": "adolescent"}),
    ("en_lima_child", {"lang": "en", "regions": "15", "group": "child"}),
    ("es_group_adolescent", {"lang": "es", "groups": "adolescent"}),
    ("es_minors_arequipa", {"lang": "es", "regions": "04", "groups": "child,adolescent"}),
    ("es_crime_5", {"lang": "es", "crimes": "5", "group": "child"}),
    ("es_march_2024", {"lang": "es", "from": "2024-03", "to": "2024-03", "group": "adolescent"}),
    ("en_june_2023", {"lang": "en", "from": "2023-06", "to": "2023-06", "group": "child"}),
]


@pytest.mark.parametrize("name,params", APP_VIEWS, ids=[v[0] for v in APP_VIEWS])
def test_page_never_shows_small_minor_counts(tiny_db, name, params):
    at = run_app(tiny_db, "pages/at_risk_groups.py", params)
    assert not at.exception, at.exception
    assert not link_warnings(at), link_warnings(at)  # every id of the link is known
    if "group" in params:
        assert widget(at.segmented_control, "p_group").value == params["group"]
    assert figures(at), "the page drew no chart"
    leaks = _page_leaks(at, name)
    assert not leaks, "\n".join(leaks)
    # the per-group views, for every at-risk group the selector offers
    offered = 0
    for group in ("child", "adolescent"):
        offered += _set_group(at, group)
        assert not at.exception
        leaks = _page_leaks(at, f"{name}/{group}")
        assert not leaks, "\n".join(leaks)
    assert offered, "no per-group view was checked"


def test_url_seeded_filters_reach_the_page(tiny_db):
    """The views above really are filtered (else they would prove less than they claim)."""
    at = run_app(tiny_db, "pages/at_risk_groups.py", dict(APP_VIEWS[5][1]))
    captions = [c.value for c in at.caption]
    assert any(c.startswith("2023–2024 · Arequipa") and "Niñas y niños (0–11), Adolescentes (12–17)" in c for c in captions)
    at = run_app(tiny_db, "pages/at_risk_groups.py", dict(APP_VIEWS[7][1]))
    assert any(c.startswith("mar 2024 ·") for c in (c.value for c in at.caption))


def test_minor_rate_on_record_level_small_counts_is_published(tiny_db):
    """Record-level source: art. 5 in Arequipa 2024 counts 3 minors, Lima 7: each region shows
    its published cell, and the overall line is the published total of all 10 (a cell of its
    own), so the line minus Lima is noise, not the hidden 3."""
    con = duckdb.connect(str(tiny_db), read_only=True)
    spec = charts.build("gr_minor_rate", con, _tiny_f())
    where = "year(report_date) = 2024 and crime_code = '5'"
    cells = published(tiny_db, "synthetic", ("region_code",), where)
    pops = dict(query(tiny_db, """select region_code, sum(population_2020) from ref_region_population
                                  where age_group in ('child', 'adolescent') group by 1"""))
    table = spec.export_table().set_index("Región")
    data = spec.data.set_index("Región")
    for code, name in [("04", "Arequipa"), ("15", "Lima")]:
        assert table.loc[name, "Denuncias 2024"] == i18n.fmt_int(cells[(code,)], "es")
        assert data.loc[name, "Tasa por 100,000 personas de 0 a 17 años"] == pytest.approx(
            cells[(code,)] * 100000 / pops[code], abs=0.006)
    assert cells[("04",)] in (0, 5, 6)
    (line,) = spec.figure.layout.shapes
    assert line.x0 == pytest.approx(total(tiny_db, "synthetic", where) * 100000 / sum(pops.values()), rel=1e-12)
    assert i18n.t("note_cell_key", "es") in spec.notes and i18n.t("gr_note_published", "es") not in spec.notes


# The page, rendered ---------------------------------------------------------------------



@pytest.mark.parametrize("lang", ["es", "en"])
def test_page_renders_titles_equal_to_builders(sample_db, con, lang):
    at = run_app(sample_db, "pages/at_risk_groups.py", {"lang": lang, "source": "synthetic"})
    assert not at.exception
    shown = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    f = _f(lang=lang)
    expected = [charts.build(c, con, f).title for c in ("gr_counts", "gr_rates", "gr_growth", "gr_sex")]
    expected += [charts.build("gr_top_crimes", con, f, group="child").title,
                 charts.build("gr_rates", con, f, group="child").title]
    assert shown == expected
    # the rate title is the independent computation
    counts, pop = _pub_by_group(sample_db, 2025), _sql_population(sample_db)
    older = counts["older"] / pop["older"] * 100_000
    assert i18n.fmt_num(older, lang, 1) in shown[1]
    # the first chart draws one series per victim group, named as in the reference table
    fig = figures(at)[0]
    legend = sorted(fig["data"], key=lambda t: t["legendrank"])
    assert [t["name"] for t in legend] == [Context(con, f).group_name(g) for g in gr.GROUP_ORDER]
    # synthetic banner, definitions with the youth caveat
    assert at.warning and at.dataframe[0].value.shape[0] == 6
    youth = i18n.t("gr_definitions_youth", lang)
    assert any(c.value == youth for c in at.caption)


def test_group_selector_changes_per_group_views(sample_db, con):
    f = _f(lang="en")
    at = run_app(sample_db, "pages/at_risk_groups.py", {"lang": "en", "source": "synthetic"})
    assert widget(at.segmented_control, "p_group").options == [
        "Children (0–11)", "Adolescents (12–17)", "Young people (18–29)", "Older adults (60+)"]
    assert _set_group(at, "older")
    assert not at.exception
    shown = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    assert shown[-2] == charts.build("gr_top_crimes", con, f, group="older").title
    assert shown[-1] == charts.build("gr_rates", con, f, group="older").title
    # the selector is bound to the URL: a shared link reopens the same group
    at = run_app(sample_db, "pages/at_risk_groups.py", {"lang": "en", "source": "synthetic", "group": "adolescent"})
    shown = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    assert shown[-1] == charts.build("gr_rates", con, f, group="adolescent").title


def test_page_empty_selection_shows_empty_state(sample_db):
    at = run_app(sample_db, "pages/at_risk_groups.py", {"lang": "es", "source": "synthetic", "crimes": "12-A"})
    assert not at.exception
    assert not figures(at)
    assert any(i18n.t("empty_state", "es") in i.value for i in at.info)


def test_page_on_a_source_without_age_shows_proxy(sample_db):
    at = run_app(sample_db, "pages/at_risk_groups.py", {"lang": "en", "source": "mpfn"})
    assert not at.exception
    assert any("does not record the victim's age" in i.value for i in at.info)
    shown = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert len(shown) == 2 and "(Ley 30096 art. 5)" in shown[0]
    assert "per 100,000 people aged 0–17" in shown[1]
    assert len(figures(at)) == 2


def test_growth_needs_a_minimum_base(sample_db):
    """A group with fewer than MIN_BASE published reports in the earlier span shows no growth."""
    con = duckdb.connect(str(sample_db), read_only=True)
    f = _f(regions=("25",))  # Ucayali: few children's and adolescents' reports
    spec = charts.build("gr_growth", con, f)
    con.close()
    assert spec is not None
    table = spec.data
    previous = pd.to_numeric(table.iloc[:, 2].str.replace(",", ""), errors="coerce")  # "Denuncias <earlier span>"
    small = previous < measures.MIN_BASE
    assert small.any() and table.loc[small, spec.y].isna().all()
    assert table.loc[~small, spec.y].notna().any()
