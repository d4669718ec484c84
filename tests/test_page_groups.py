"""At-risk groups page: every figure equals an independent computation over the fact tables, and
no reachable view shows a count of 1–4 minors (DESIGN.md §5)."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cybertrends import charts, i18n
from cybertrends.charts import groups as gr
from cybertrends.charts.base import Context
from cybertrends.filters import Filters
from etl import load
from tests.apptest_helpers import figures, link_warnings, run_app, widget
from tests.conftest import CANONICAL_HEADER, query

LEY = ("2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12-A", "S/Art")
AT_RISK = ("child", "adolescent", "young", "older")
GROUP_CHARTS = ("gr_counts", "gr_rates", "gr_growth", "gr_top_crimes", "gr_sex")


def _f(**kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2019, 1, 1), period_to=date(2025, 12, 1), grain="month", crimes=LEY)
    return Filters(**{**base, **kw})


@pytest.fixture(scope="module")
def con(sample_db):
    c = duckdb.connect(str(sample_db), read_only=True)
    yield c
    c.close()


def _sql_by_group(db, year: int, regions=None, crimes=LEY) -> dict[str, int]:
    rows = query(db, """
        select victim_age_group, count(*) from fact_incident
        where source = 'synthetic' and year(report_date) = $y and list_contains($crimes, crime_code)
          and (len($regions) = 0 or list_contains($regions, region_code))
        group by 1""", {"y": year, "crimes": list(crimes), "regions": list(regions or [])})
    return dict(rows)


def _sql_population(db, regions=None) -> dict[str, int]:
    rows = query(db, """
        select age_group, sum(population_2020) from ref_region_population
        where age_group <> 'total' and (len($regions) = 0 or list_contains($regions, region_code))
        group by 1""", {"regions": list(regions or [])})
    return {g: int(p) for g, p in rows}


def _expected_display(count: int, minors: bool, lang="es") -> str:
    return "<5" if minors and 1 <= count <= 4 else i18n.fmt_int(count, lang)


# Builders against independent SQL ---------------------------------------------------------

def test_counts_per_group_and_year_equal_sql(sample_db, con):
    spec = charts.build("gr_counts", con, _f())
    rows = query(sample_db, """
        select year(report_date), victim_age_group, count(*) from fact_incident
        where source = 'synthetic' and list_contains($c, crime_code) group by 1, 2""", {"c": list(LEY)})
    expected = {(str(y), g): n for y, g, n in rows}
    data = spec.data
    names = {Context(con, _f()).group_name(g): g for g in gr.GROUP_ORDER}
    assert len(data) == 7 * 6
    for _, row in data.iterrows():
        g = names[row["Grupo de víctimas"]]
        n = expected.get((row["Año"], g), 0)
        assert row["display"] == _expected_display(n, g in ("child", "adolescent"))
        if row["display"] != "<5":
            assert row["Denuncias"] == n
    # one line per group, y values equal the table
    legend = sorted(spec.figure.data, key=lambda t: t.legendrank)
    assert [t.name for t in legend] == list(names)
    for trace in spec.figure.data:
        part = data[data["Grupo de víctimas"] == trace.name]
        assert np.allclose(np.array(trace.y, dtype=float), part["Denuncias"].to_numpy(dtype=float), equal_nan=True)
    # the finding: the at-risk group with most reports in 2025
    by_group = _sql_by_group(sample_db, 2025)
    top = max(AT_RISK, key=lambda g: by_group.get(g, 0))
    assert spec.title == i18n.t("gr_counts_title_top", "es", group=i18n.t(f"gr_subject_{top}", "es"),
                                n=i18n.fmt_int(by_group[top], "es"), period="2025")


@pytest.mark.parametrize("regions", [(), ("04", "15")])
def test_rates_per_100k_of_the_age_group_equal_sql(sample_db, con, regions):
    f = _f(regions=regions, lang="en")
    spec = charts.build("gr_rates", con, f)
    counts = _sql_by_group(sample_db, 2025, regions)
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


def test_rates_by_region_for_one_group_equal_sql(sample_db, con):
    spec = charts.build("gr_rates", con, _f(), group="older")
    rows = query(sample_db, """
        select r.region_name, coalesce(c.n, 0) * 100000.0 / p.population_2020
        from ref_region r
        join ref_region_population p on p.region_code = r.region_code and p.age_group = 'older'
        left join (select region_code, count(*) as n from fact_incident
                   where source = 'synthetic' and year(report_date) = 2025 and victim_age_group = 'older'
                     and list_contains($c, crime_code) group by 1) c on c.region_code = r.region_code""",
                 {"c": list(LEY)})
    expected = dict(rows)
    got = dict(zip(spec.data["Región"], spec.data["Tasa por 100 000"]))
    assert set(got) == set(expected)
    for region, rate in expected.items():
        assert got[region] == pytest.approx(rate, abs=0.006)
    top = max(expected, key=expected.get)
    assert spec.data["Región"].iloc[0] == top and top in spec.title
    assert spec.kind == "hbar"


def test_growth_per_group_compares_equal_spans(sample_db, con):
    spec = charts.build("gr_growth", con, _f())
    cur, prev = _sql_by_group(sample_db, 2025), _sql_by_group(sample_db, 2024)
    got = dict(zip(spec.data["Grupo de víctimas"], spec.data["Variación (%)"]))
    ctx = Context(con, _f())
    for g in gr.GROUP_ORDER:
        assert got[ctx.group_name(g)] == pytest.approx((cur[g] - prev[g]) / prev[g] * 100, abs=0.06)
    growth = {g: (cur[g] - prev[g]) / prev[g] * 100 for g in AT_RISK}
    top = max(growth, key=growth.get)
    assert i18n.fmt_pct(growth[top], "es", signed=True) in spec.title and i18n.t(f"gr_subject_{top}", "es") in spec.title
    # a filter ending in June compares January–June with January–June a year earlier
    half = charts.build("gr_growth", con, _f(period_to=date(2025, 6, 1)))
    rows = query(sample_db, """
        select victim_age_group,
               count(*) filter (where report_date between '2025-01-01' and '2025-06-30'),
               count(*) filter (where report_date between '2024-01-01' and '2024-06-30')
        from fact_incident where source = 'synthetic' and list_contains($c, crime_code) group by 1""", {"c": list(LEY)})
    expected = {g: (c - p) / p * 100 for g, c, p in rows}
    got = dict(zip(half.data["Grupo de víctimas"], half.data["Variación (%)"]))
    assert got[ctx.group_name("older")] == pytest.approx(expected["older"], abs=0.06)
    assert "ene 2025–jun 2025" in half.subtitle


def test_top_crimes_of_one_group_equal_sql(sample_db, con):
    spec = charts.build("gr_top_crimes", con, _f(lang="en"), group="adolescent")
    rows = query(sample_db, """
        select crime_code, count(*) from fact_incident
        where source = 'synthetic' and victim_age_group = 'adolescent' and list_contains($c, crime_code)
        group by 1 order by 2 desc, 1 limit 5""", {"c": list(LEY)})
    (total,), = query(sample_db, """select count(*) from fact_incident where source = 'synthetic'
        and victim_age_group = 'adolescent' and list_contains($c, crime_code)""", {"c": list(LEY)})
    ctx = Context(con, _f(lang="en"))
    assert list(spec.data["Crime type"]) == [ctx.crime_name(c) for c, _ in rows]
    assert list(spec.data["Reports"]) == [n for _, n in rows]
    top_code, top_n = rows[0]
    assert spec.title == i18n.t("gr_top_title_one", "en", crime=ctx.crime_name(top_code),
                                pct=i18n.fmt_pct(top_n / total * 100, "en"), group="adolescents",
                                victims="adolescents as victims", period="2019–2025")
    # the side-by-side view: each at-risk group's top three, as shares of the group
    compare = charts.build("gr_top_crimes", con, _f())
    share = compare.data.set_index(["Grupo de víctimas", "Tipo de delito"])["% de las denuncias del grupo"]
    (older_fraud,), = query(sample_db, """select count(*) filter (where crime_code = '8') * 100.0 / count(*)
        from fact_incident where source = 'synthetic' and victim_age_group = 'older' and list_contains($c, crime_code)""",
                            {"c": list(LEY)})
    es = Context(con, _f())
    assert share[(es.group_name("older"), es.crime_name("8"))] == pytest.approx(older_fraud, abs=0.06)
    assert compare.series == "Grupo de víctimas" and compare.kind == "hbar"


def test_sex_split_equals_sql(sample_db, con):
    spec = charts.build("gr_sex", con, _f(lang="en"))
    rows = query(sample_db, """
        select victim_age_group, victim_sex, count(*) * 100.0 / sum(count(*)) over (partition by victim_age_group)
        from fact_incident where source = 'synthetic' and list_contains($c, crime_code) group by 1, 2""",
                 {"c": list(LEY)})
    ctx = Context(con, _f(lang="en"))
    got = spec.data.set_index(["Victim group", "Victim sex"])["% of the group's reports"]
    for g, s, share in rows:
        assert got[(ctx.group_name(g), ctx.t(f"sex_{s}"))] == pytest.approx(share, abs=0.06)
    assert [t.name for t in spec.figure.data] == ["Female", "Male", "Not recorded"]
    female = {g: sh for g, s, sh in rows if s == "female" and g in AT_RISK}
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


# Victim protection ---------------------------------------------------------------------

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
    """The fixture really has minors' cells of 1–4 (else the suppression tests prove nothing)."""
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


def test_suppressed_cells_are_shown_as_less_than_five(tiny_db):
    con = duckdb.connect(str(tiny_db), read_only=True)
    counts = charts.build("gr_counts", con, _tiny_f()).data.set_index(["Año", "Grupo de víctimas"])
    assert counts.loc[("2024", "Adolescentes (12–17)"), "display"] == "<5"
    assert math.isnan(counts.loc[("2024", "Adolescentes (12–17)"), "Denuncias"])
    assert counts.loc[("2023", "Niñas y niños (0–11)"), "display"] == "<5"
    assert counts.loc[("2024", "Niñas y niños (0–11)"), "Denuncias"] == 7
    # the figure leaves the cell out and its hover says "<5"
    fig = charts.build("gr_counts", con, _tiny_f()).figure
    teen = next(t for t in fig.data if t.name == "Adolescentes (12–17)")
    assert math.isnan(teen.y[1]) and teen.customdata[1].endswith("<5")
    # growth leaves suppressed counts out: children 4 -> 7 would read +75 %
    growth = charts.build("gr_growth", con, _tiny_f()).data.set_index("Grupo de víctimas")
    assert growth.loc["Niñas y niños (0–11)", "display"] == "<5"
    assert math.isnan(growth.loc["Niñas y niños (0–11)", "Variación (%)"])
    assert growth.loc["Adultos (30–59)", "Variación (%)"] == pytest.approx(200.0)
    # rates and shares built on a suppressed count are suppressed too
    rates = charts.build("gr_rates", con, _tiny_f()).data.set_index("Grupo de víctimas")
    assert rates.loc["Adolescentes (12–17)", "display"] == "<5"
    sex = charts.build("gr_sex", con, _tiny_f(period_from=date(2024, 1, 1))).data.set_index(["Grupo de víctimas", "Sexo de la víctima"])
    assert sex.loc[("Niñas y niños (0–11)", "Hombre"), "display"] == "<5"
    assert sex.loc[("Niñas y niños (0–11)", "Mujer"), "Denuncias"] == "5"
    # the proxy: 4 reports under art. 5 in 2023 are "<5"
    proxy = charts.build("gr_minor_proxy", con, _tiny_f()).export_table()
    assert list(proxy["Denuncias"]) == ["<5", "10"]


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


def test_minor_rate_protects_record_level_small_counts(tiny_db):
    """Record-level source: art. 5 in Arequipa 2024 counts 3 minors: "<5", no rate, and no
    overall line (it would give the hidden count away by difference)."""
    con = duckdb.connect(str(tiny_db), read_only=True)
    spec = charts.build("gr_minor_rate", con, _tiny_f())
    table = spec.export_table().set_index("Región")
    assert table.loc["Arequipa", "Denuncias 2024"] == "<5"
    assert table.loc["Arequipa", "Tasa por 100 000 personas de 0 a 17 años"] == "<5"
    assert table.loc["Lima", "Denuncias 2024"] == "7"
    assert not spec.figure.layout.shapes  # no overall line
    assert i18n.t("gr_note_suppressed", "es") in spec.notes and i18n.t("gr_note_published", "es") not in spec.notes


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
    counts, pop = _sql_by_group(sample_db, 2025), _sql_population(sample_db)
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
