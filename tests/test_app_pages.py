"""Every page, both languages, several filter combinations: no exception, and no reachable view
shows a minors' count of 1-4 (DESIGN.md §5)."""

from __future__ import annotations

import math
import re

import pytest

from etl import load
from tests.apptest_helpers import figures, link_warnings, run_app, sidebar_filters, texts
from tests.conftest import CANONICAL_HEADER, write

PAGES = ["pages/overview.py", "pages/crime_types.py", "pages/regions.py", "pages/at_risk_groups.py",
         "pages/data_methods.py", "pages/briefing.py"]

# Share links (ids): the default is the real MPFN series (yearly), the synthetic sample has
# months and victim ages.
COMBOS = {
    "default": {},
    "mpfn_2023_lima": {"from": "2023", "to": "2023", "regions": "15"},
    "penal_code": {"crime_group": "penal"},
    "synthetic": {"source": "synthetic"},
    "lima_older": {"source": "synthetic", "regions": "15", "groups": "older"},
    "period_2024": {"source": "synthetic", "from": "2024-01", "to": "2024-12"},
    "synthetic_penal": {"source": "synthetic", "crime_group": "penal"},
    "nothing_matches": {"source": "synthetic", "regions": "25", "groups": "child", "from": "2019-01", "to": "2019-01"},
}


@pytest.mark.parametrize("combo", list(COMBOS))
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_filters(sample_db, page, combo):
    at = run_app(sample_db, page=page, params={"lang": "es", **COMBOS[combo]})
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert not link_warnings(at)  # every id of the link is known
    shown = sidebar_filters(at)
    assert shown["source"] == COMBOS[combo].get("source", "mpfn")
    assert shown["regions"] == [r for r in COMBOS[combo].get("regions", "").split(",") if r]
    assert shown["crime_group"] == COMBOS[combo].get("crime_group", "ley")


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_in_english(sample_db, page):
    at = run_app(sample_db, page=page, params={"lang": "en", "regions": "04"})
    assert not at.exception, at.exception
    shown = texts(at)
    for spanish in ("Denuncias", "Fuente:", "Periodo"):
        assert spanish not in shown, f"untranslated {spanish!r} on {page}"


# Minors' cells of 1-4 reports among larger adult counts (20 per region, month and crime group:
# Ley 30096 art. 8 and Penal Code 196-A), so any 1-4 count a page shows can only come from a
# minors' cell.
ADULT_ROWS = [
    f"X{c}{r}{y}{m},{y}-{m:02d}-15,,{ubigeo},{crime},phishing,correo,{40 + m},M,persona natural,100"
    for c, crime in enumerate(("8", "196-A"))
    for r, ubigeo in enumerate(("040101", "150101", "080101"))
    for y, months in ((2023, (5,)), (2024, (1, 2, 3, 4, 5, 6)))
    for m in months
]
ADULT_ROWS = [f"{row.split(',', 1)[0]}_{k},{row.split(',', 1)[1]}" for row in ADULT_ROWS for k in range(20)]
MINOR_ROWS = ADULT_ROWS + (
    [f"A{i},2024-0{1 + i % 3}-10,,040101,5,grooming,red social,13,F,persona natural," for i in range(3)]  # Arequipa: 1 a month
    + [f"B{i},2024-05-1{i % 9},,150101,5,grooming,red social,15,F,persona natural," for i in range(40)]  # Lima: 40 in May
    + [f"C{i},2024-06-0{1 + i},,080101,183-B,grooming,mensajeria,9,M,persona natural," for i in range(2)]  # Cusco: 2
    + [f"D{i},2023-05-1{i},,150101,5,grooming,red social,14,F,persona natural," for i in range(9)]  # Lima 2023: 9
)
SMALL = {1, 2, 3, 4}


@pytest.fixture(scope="module")
def minors_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("minors")
    path = write(tmp, "synthetic_minors.csv", CANONICAL_HEADER + "\n" + "\n".join(MINOR_ROWS) + "\n")
    db = tmp / "minors.duckdb"
    assert load.load_files([path], db=db).published
    return db


def _numbers_in_figure(fig: dict):
    for trace in fig.get("data", []):
        for key in ("y", "x", "z", "values"):
            values = trace.get(key)
            if isinstance(values, list):
                for v in values:
                    if isinstance(v, list):
                        yield from v
                    else:
                        yield v
        for key in ("text", "customdata", "hovertext"):
            values = trace.get(key)
            if isinstance(values, list):
                yield from (str(v) for v in values)
            elif isinstance(values, str):
                yield values


def _small_count(value) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return not math.isnan(value) and float(value).is_integer() and int(value) in SMALL
    if isinstance(value, str):
        return re.fullmatch(r"\s*[1-4]\s*", value) is not None
    return False


@pytest.mark.parametrize("params", [
    {}, {"regions": "04"}, {"regions": "08"}, {"groups": "adolescent"}, {"crime_group": "penal"},
    {"crime_group": "penal", "regions": "08"},
], ids=["all", "arequipa", "cusco", "adolescents", "penal", "penal_cusco"])
@pytest.mark.parametrize("page", PAGES[:4])
def test_no_reachable_view_shows_a_small_count_of_minors(minors_db, page, params):
    at = run_app(minors_db, page=page, params={"lang": "es", **params})
    assert not at.exception, at.exception
    assert not link_warnings(at)
    shown = sidebar_filters(at)
    assert (shown["regions"], shown["groups"], shown["crime_group"]) == (
        [params["regions"]] if "regions" in params else [], [params["groups"]] if "groups" in params else [],
        params.get("crime_group", "ley"))
    for fig in figures(at):
        # year/month axis values and percentages are not counts; counts are in y/z/values/text
        for trace in fig.get("data", []):
            if any(mark in str(trace.get("name") or "") for mark in ("100", "%")):
                continue  # rates per 100,000 and percentages are not counts
            for key in ("y", "z", "values", "text", "customdata", "hovertext"):
                values = trace.get(key)
                flat = values if isinstance(values, list) else [values]
                for v in flat:
                    for item in (v if isinstance(v, list) else [v]):
                        assert not _small_count(item), f"{page} {params}: {key}={item!r} in {trace.get('name')}"
    for frame in at.dataframe:
        df = frame.value
        for column in df.columns:
            if df[column].dtype.kind in "if":
                ints = df[column].dropna()
                bad = ints[ints.isin(list(SMALL))]
                assert bad.empty or "%" in str(column) or "100" in str(column), f"{page} {params}: {column} has {list(bad)}"
    for metric in at.metric:
        assert not _small_count(str(metric.value)), f"{page}: metric {metric.label} = {metric.value}"
