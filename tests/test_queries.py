"""Every public query of `cybertrends/queries.py` against databases built by the real ETL.

Each result is checked against an independent computation written here: SQL over the facts
(`fact_incident`, `fact_count`), the reference CSVs read with Python's `csv`, or
`tests/published.py` for the cell-key-protected counts. No expected number is written down.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import date

import duckdb
import pandas as pd
import pytest

from cybertrends import paths, queries, rollups
from cybertrends.db import cursor, open_read_only
from cybertrends.filters import Filters
from etl import load
from tests.conftest import CANONICAL_HEADER, file_digest, query, write
from tests.published import published, total

LEY = "crime_code in (select crime_code from ref_crime where is_ley_30096)"


def _ley(db) -> tuple[str, ...]:
    return tuple(r[0] for r in query(db, f"select crime_code from ref_crime where {LEY} order by sort_order"))


def _plain(value):
    """A pandas cell as a plain Python value (Timestamp -> date, NaN/NaT/None -> None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if hasattr(value, "item") else value


def _cells(df: pd.DataFrame, keys: list[str], value: str = "report_count") -> dict:
    return {tuple(_plain(v) for v in row[:-1]): _plain(row[-1]) for row in df[[*keys, value]].itertuples(index=False)}


def _facts_where(f: Filters, record_level: bool, groups: bool = True) -> tuple[str, dict]:
    """The filter written independently as SQL over the fact table of the source."""
    day = "report_date" if record_level else "period_start"
    end = "last_day($to)" if f.grain == "month" else "make_date(year($to), 12, 31)"
    where = f"{day} between $from and {end} and crime_code in (select unnest($crimes))"
    params = {"from": f.period_from, "to": f.period_to, "crimes": list(f.crimes)}
    if f.regions:
        where += " and region_code in (select unnest($regions))"
        params["regions"] = list(f.regions)
    if groups and f.groups:
        where += " and victim_age_group in (select unnest($groups))" if record_level else " and false"
        params["groups"] = list(f.groups)
    return where, params


def _csv(name: str) -> list[dict]:
    with open(paths.REFERENCE_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def mpfn_con(mpfn_db):
    c = duckdb.connect(str(mpfn_db), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def rejects_db(tmp_path_factory):
    """A small steward file with rows that break rules (the bundled files have none)."""
    tmp = tmp_path_factory.mktemp("rejects")
    rows = [f"OK{i},2024-0{1 + i % 3}-05,,150101,8,phishing,email,30,F,persona natural,10" for i in range(20)]
    rows += ["BAD1,2024-01-05,,150101,Z9,,,30,F,persona natural,",  # unknown crime code
             "BAD2,2024-01-06,,150101,Z9,,,31,F,persona natural,",
             "BAD3,2024-01-07,,150101,Q1,,,32,F,persona natural,",
             "BAD4,2024-01-08,,150101,8,,,abc,F,persona natural,",  # bad age
             "BAD5,not-a-date,,150101,8,,,33,F,persona natural,"]  # bad date
    path = write(tmp, "steward_rejects.csv", CANONICAL_HEADER + "\n" + "\n".join(rows) + "\n")
    db = tmp / "rejects.duckdb"
    assert load.load_files([path], db=db).published
    return db


# --- the gate and its helpers --------------------------------------------------------------

def test_bind_keeps_only_the_parameters_the_statement_uses():
    sql = "select * from t where a = $source and b = $regions"
    assert queries.bind(sql, {"source": 1, "regions": 2, "crimes": 3}) == {"source": 1, "regions": 2}
    with duckdb.connect() as c:  # DuckDB accepts the result, and would reject the unused one
        c.execute("create table t (a int, b int)")
        c.execute(sql, queries.bind(sql, {"source": 1, "regions": 2, "crimes": 3}))
        with pytest.raises(duckdb.Error):
            c.execute(sql, {"source": 1, "regions": 2, "crimes": 3})


def test_published_sql_totals_every_source_by_the_cell_key(con, sample_db):
    got = dict(con.execute(queries.published_sql("agg_counts", [("source", "source")], "true")).fetchall())
    sources = [r[0] for r in query(sample_db, "select distinct source from fact_incident union "
                                              "select distinct source from fact_count")]
    assert got == {s: total(sample_db, s) for s in sources}


# --- counts ------------------------------------------------------------------------------

def _f(db, **kw) -> Filters:
    base = dict(source="synthetic", period_from=date(2023, 1, 1), period_to=date(2024, 12, 1), grain="month",
                crimes=_ley(db))
    return Filters(**{**base, **kw})


@pytest.mark.parametrize(("by", "grain", "dims"), [
    ((), None, ()),
    (("region_code",), None, ("region_code",)),
    (("period_start", "crime_code"), "year", ("year", "crime_code")),
    (("period_start", "victim_sex"), None, ("month", "victim_sex")),
    (("victim_age_group", "region_code"), "year", ("victim_age_group", "region_code")),
])
def test_counts_are_the_published_cells_of_the_facts(con, sample_db, by, grain, dims):
    f = _f(sample_db, regions=("15", "04", "13"))
    got = queries.counts(con, f, by, grain=grain)
    where, params = _facts_where(f, record_level=True)
    expected = published(sample_db, "synthetic", dims, where, params)
    cells = {tuple(date(k, 1, 1) if d == "year" else k for d, k in zip(dims, key)): n for key, n in expected.items()}
    assert _cells(got, list(by)) == (cells or {(): 0})
    assert list(got.columns) == [*by, "report_count", "amount_lost_pen"]
    assert got[list(by)].equals(got[list(by)].sort_values(list(by), ignore_index=True)) if by else len(got) == 1


def test_counts_money_is_the_sum_of_the_records_and_hidden_where_nothing_is_shown(con, sample_db):
    f = _f(sample_db, groups=("child", "adolescent"))
    got = queries.counts(con, f, ("region_code", "crime_code"), grain="year")
    where, params = _facts_where(f, record_level=True)
    money = {(r, c): float(m) for r, c, m in query(sample_db, f"""select region_code, crime_code, sum(amount_lost_pen)
        from fact_incident where source = 'synthetic' and {where} group by all having count(amount_lost_pen) > 0""",
        params)}
    shown = got.set_index(["region_code", "crime_code"])
    assert (shown["report_count"] == 0).any() and (shown["report_count"] > 0).any()  # both cases present
    for key, row in shown.iterrows():
        if row["report_count"] == 0 or key not in money:  # nothing shown, or no record with an amount
            assert pd.isna(row["amount_lost_pen"]), key
        else:
            assert row["amount_lost_pen"] == pytest.approx(money[key]), key


def test_counts_group_filter_applies_only_when_asked(con, sample_db):
    f = _f(sample_db, groups=("older",))
    where_all, params_all = _facts_where(f, record_level=True, groups=False)
    where_group, params_group = _facts_where(f, record_level=True)
    assert int(queries.counts(con, f)["report_count"].iloc[0]) == total(sample_db, "synthetic", where_group, params_group)
    assert int(queries.counts(con, f, apply_groups=False)["report_count"].iloc[0]) == \
        total(sample_db, "synthetic", where_all, params_all)
    assert total(sample_db, "synthetic", where_group, params_group) < total(sample_db, "synthetic", where_all, params_all)


def test_counts_of_a_published_aggregate_are_exact_sums(con, sample_db):
    f = Filters("mpfn", date(2019, 1, 1), date(2025, 1, 1), "year", crimes=_ley(sample_db), regions=("15", "04"))
    where, params = _facts_where(f, record_level=False)
    got = queries.counts(con, f, ("period_start", "region_code"))
    expected = {(date(y, 1, 1), r): n for (y, r), n in published(sample_db, "mpfn", ("year", "region_code"), where,
                                                                  params).items()}
    assert _cells(got, ["period_start", "region_code"]) == expected
    exact = dict(((date(y, 1, 1), r), int(n)) for y, r, n in query(
        sample_db, f"select year(period_start), region_code, sum(report_count) from fact_count "
                   f"where source = 'mpfn' and {where} group by all", params))
    assert expected == exact  # not perturbed
    assert got["amount_lost_pen"].isna().all()  # the source has no money
    # no age groups in this source: a group filter leaves nothing unless it is switched off
    grouped = f.with_(groups=("child",))
    assert int(queries.counts(con, grouped)["report_count"].iloc[0]) == 0
    assert int(queries.counts(con, grouped, apply_groups=False)["report_count"].iloc[0]) == sum(exact.values())


def test_counts_take_filter_values_as_data_and_refuse_unknown_breakdowns(con, sample_db):
    hostile = _f(sample_db, regions=("15') or true --",))
    assert queries.counts(con, hostile)["report_count"].tolist() == [0]
    assert queries.counts(con, hostile, ("region_code",)).empty
    with pytest.raises(ValueError, match="unknown breakdown"):
        queries.counts(con, _f(sample_db), ("report_count; drop table fact_incident",))
    with pytest.raises(ValueError, match="unknown breakdown"):
        queries.modality_counts(con, _f(sample_db), ("victim_sex",))  # not a dimension of agg_modality
    assert query(sample_db, "select count(*) from fact_incident")[0][0] > 0



class _Statements:
    """A connection that keeps the SQL text of every statement it runs."""

    def __init__(self, con):
        self.con, self.sql = con, []

    def execute(self, sql, *args, **kwargs):
        self.sql.append(sql)
        return self.con.execute(sql, *args, **kwargs)


@pytest.mark.parametrize(("by", "grain", "dims"), [
    ((), None, ()),
    (("period_start", "crime_code"), "year", ("year", "crime_code")),
    (("victim_age_group", "victim_sex"), None, ("victim_age_group", "victim_sex")),
])
@pytest.mark.parametrize("groups", [(), ("older",)])
def test_counts_of_every_region_are_read_from_the_roll_up_and_are_the_published_cells_of_the_facts(
        con, sample_db, by, grain, dims, groups):
    f = _f(sample_db, groups=groups)
    seen = _Statements(con)
    got = queries.counts(seen, f, by, grain=grain)
    assert seen.sql and all("from agg_counts_all_regions" in sql for sql in seen.sql)
    where, params = _facts_where(f, record_level=True)
    expected = published(sample_db, "synthetic", dims, where, params)
    cells = {tuple(date(k, 1, 1) if d == "year" else k for d, k in zip(dims, key)): n for key, n in expected.items()}
    assert _cells(got, list(by)) == (cells or {(): 0})
    money = query(sample_db, f"select sum(amount_lost_pen)::double from fact_incident where source = 'synthetic' and {where}",
                  params)[0][0]
    if not by:
        assert got["amount_lost_pen"].iloc[0] == pytest.approx(money)


@pytest.mark.parametrize("by", [("modality",), ("channel", "victim_age_group")])
def test_modality_counts_of_every_region_are_read_from_the_roll_up_and_are_the_published_cells_of_the_facts(
        con, sample_db, by):
    f = _f(sample_db, groups=("adult", "young"), period_from=date(2024, 1, 1))
    seen = _Statements(con)
    got = queries.modality_counts(seen, f, by)
    assert seen.sql and all("from agg_modality_all_regions" in sql for sql in seen.sql)
    where, params = _facts_where(f, record_level=True)
    assert _cells(got, list(by)) == published(sample_db, "synthetic", by, where, params)


def test_a_view_by_region_or_of_some_regions_reads_the_full_table(con, sample_db):
    seen = _Statements(con)
    queries.counts(seen, _f(sample_db), ("region_code",))
    queries.counts(seen, _f(sample_db, regions=("15",)), ())
    queries.modality_counts(seen, _f(sample_db, regions=("15",)), ("modality",))
    assert ["all_regions" in sql for sql in seen.sql] == [False, False, False]


def test_a_database_built_before_the_roll_ups_gets_them_beside_itself_when_opened(sample_db, tmp_path):
    old = tmp_path / "old.duckdb"
    shutil.copyfile(sample_db, old)
    with duckdb.connect(str(old)) as c:
        for name, _ in rollups.ALL_REGIONS.values():
            c.execute(f"drop table {name}")
    before = file_digest(old)
    f = _f(sample_db, groups=("child", "adolescent"))
    with duckdb.connect(str(sample_db), read_only=True) as fresh:
        expected = (queries.counts(fresh, f, ("period_start", "crime_code"), grain="year"),
                    queries.modality_counts(fresh, f, ("modality",)))
    opened = open_read_only(old)
    try:
        cur = cursor(opened)
        got = (queries.counts(cur, f, ("period_start", "crime_code"), grain="year"),
               queries.modality_counts(cur, f, ("modality",)))
        assert not cur.execute("select count(*) from duckdb_tables() where database_name = 'cyber' "
                               "and table_name like '%all_regions'").fetchone()[0]
    finally:
        opened.close()
    for a, b in zip(got, expected):
        pd.testing.assert_frame_equal(a, b)
    assert file_digest(old) == before  # the old database is read, never written


# --- modality, Lima -------------------------------------------------------------------------

@pytest.mark.parametrize(("by", "dims"), [
    (("modality",), ("modality",)),
    (("channel", "victim_age_group"), ("channel", "victim_age_group")),
    (("period_start", "modality"), ("month", "modality")),
])
def test_modality_counts_are_the_published_cells_of_the_facts(con, sample_db, by, dims):
    f = _f(sample_db, regions=("07", "20"), groups=("adult", "young"), period_from=date(2024, 1, 1))
    got = queries.modality_counts(con, f, by)
    where, params = _facts_where(f, record_level=True)
    expected = published(sample_db, "synthetic", dims, where, params)
    assert _cells(got, list(by)) == expected
    assert "unknown" in {k for key in expected for k in key}  # records without a modality or channel


@pytest.mark.parametrize("source", ["synthetic", "mpfn"])
def test_lima_split_per_period_and_over_the_filter(con, sample_db, source):
    record_level = source == "synthetic"
    grain = "month" if record_level else "year"
    f = Filters(source, date(2021, 1, 1), date(2023, 12 if record_level else 1, 1), grain, crimes=_ley(sample_db),
                groups=("adult",) if record_level else ())
    where, params = _facts_where(f, record_level)
    where += " and region_code = '15' and lima_area is not null"
    per_period = published(sample_db, source, (grain, "lima_area"), where, params)
    per_period = {(date(k, 1, 1) if grain == "year" else k, a): n for (k, a), n in per_period.items()}
    assert _cells(queries.lima_split(con, f), ["period_start", "lima_area"]) == per_period
    whole = published(sample_db, source, ("lima_area",), where, params)
    assert _cells(queries.lima_split(con, f, by_period=False), ["lima_area"]) == whole
    assert set(whole) == {("metro",), ("rest",)}
    # a region filter without Lima leaves nothing; one with Lima changes nothing
    assert queries.lima_split(con, f.with_(regions=("04",)), by_period=False).empty
    assert _cells(queries.lima_split(con, f.with_(regions=("04", "15")), by_period=False), ["lima_area"]) == whole


# --- sources and their periods --------------------------------------------------------------

def _coverage(db, source: str) -> dict | None:
    """Grain, first and last day, cut date, straight from the facts."""
    if source in ("synthetic", "incidents"):
        row = query(db, "select 'month', min(report_date), max(report_date), max(report_date) from fact_incident "
                        "where source = $s", {"s": source})[0]
    else:
        row = query(db, """select any_value(period_grain), min(period_start),
                max(coalesce(period_end, case when period_grain = 'year' then make_date(year(period_start), 12, 31)
                                         else last_day(period_start) end)),
                max(data_as_of) from fact_count where source = $s""", {"s": source})[0]
        row = (*row[:3], row[3] or row[2])
    if row[1] is None:
        return None
    return dict(zip(("grain", "first_date", "last_date", "data_as_of"), row))


def _sources_with_data(db) -> list[str]:
    return [r[0] for r in query(db, """select source from ref_source where source in
        (select source from fact_incident union select source from fact_count) order by sort_order""")]


@pytest.mark.parametrize("db_name", ["sample_db", "mpfn_db"])
def test_sources_coverage_and_published_totals(request, db_name):
    db = request.getfixturevalue(db_name)
    with duckdb.connect(str(db), read_only=True) as c:
        got = queries.sources(c)
        coverage = {s: queries.coverage(c, s) for s in ("synthetic", "mpfn", "sidpol", "incidents")}
    assert got["source"].tolist() == _sources_with_data(db)
    ref = {r["source"]: r for r in _csv("sources.csv")}
    for row in got.to_dict("records"):
        s = row["source"]
        cov = _coverage(db, s)
        assert (row["period_grain"], _plain(row["first_date"]), _plain(row["last_date"]), _plain(row["data_as_of"])) \
            == tuple(cov.values())
        assert row["report_count"] == total(db, s)
        assert (row["name_en"], row["is_synthetic"]) == (ref[s]["name_en"], ref[s]["is_synthetic"] == "true")
    assert coverage == {s: _coverage(db, s) for s in coverage}
    assert [s for s, c in coverage.items() if c is None] == [s for s in coverage if s not in _sources_with_data(db)]


def test_coverage_and_bounds_take_the_source_as_data(con):
    hostile = "synthetic' or '1'='1"
    assert queries.coverage(con, hostile) is None
    assert queries.period_bounds(con, hostile) is None
    assert queries.source_periods(con, hostile).empty
    assert queries.crimes_with_data(con, hostile) == []


@pytest.mark.parametrize(("rows", "expected"), [
    # the first real source with two or more years, in the given order
    ([("mpfn", False, 2019, 2025), ("synthetic", True, 2019, 2025)], "mpfn"),
    ([("sidpol", False, 2024, 2024), ("incidents", False, 2023, 2024), ("synthetic", True, 2019, 2025)], "incidents"),
    # no real source with a comparison: the synthetic sample
    ([("mpfn", False, 2023, 2023), ("synthetic", True, 2019, 2025)], "synthetic"),
    # neither: the first source
    ([("mpfn", False, 2023, 2023), ("sidpol", False, 2024, 2024)], "mpfn"),
])
def test_default_source_table(rows, expected):
    sources = [{"source": s, "is_synthetic": syn, "first_date": date(a, 1, 1), "last_date": date(b, 6, 30)}
               for s, syn, a, b in rows]
    assert queries.default_source(sources) == expected


@pytest.mark.parametrize("db_name", ["sample_db", "mpfn_db"])
def test_default_source_of_a_built_database(request, db_name):
    db = request.getfixturevalue(db_name)
    with duckdb.connect(str(db), read_only=True) as c:
        got = queries.default_source(queries.sources(c).to_dict("records"))
    covs = {s: _coverage(db, s) for s in _sources_with_data(db)}
    synthetic = {r["source"] for r in _csv("sources.csv") if r["is_synthetic"] == "true"}
    real = [s for s, c in covs.items() if s not in synthetic and c["last_date"].year > c["first_date"].year]
    assert got == (real or [s for s in covs if s in synthetic] or list(covs))[0]


@pytest.mark.parametrize("source", ["synthetic", "mpfn"])
def test_source_periods_and_bounds_follow_the_facts(con, sample_db, source):
    cov = _coverage(sample_db, source)
    if source == "synthetic":
        months = [r[0] for r in query(sample_db, "select distinct date_trunc('month', report_date)::date from "
                                                 "fact_incident where source = $s order by 1", {"s": source})]
        nxt = lambda m: date(m.year + m.month // 12, m.month % 12 + 1, 1)  # noqa: E731
        expected = [("month", m, max(m, cov["first_date"]), min(date.fromordinal(nxt(m).toordinal() - 1),
                                                                  cov["last_date"]), None) for m in months]
    else:
        expected = [("year", *r) for r in query(sample_db, """select period_start, min(period_start),
            max(coalesce(period_end, make_date(year(period_start), 12, 31))), max(data_as_of)
            from fact_count where source = $s group by 1 order by 1""", {"s": source})]
    got = queries.source_periods(con, source)
    assert [tuple(_plain(v) for v in r) for r in got.itertuples(index=False)] == expected
    assert queries.period_bounds(con, source) == (expected[0][1], expected[-1][1])


def test_file_periods_split_each_file_into_ley_30096_and_penal_code(con, sample_db):
    ley = {r["crime_code"] for r in _csv("crime_types.csv") if r["is_ley_30096"] == "true"}
    expected: dict[tuple, list] = {}
    for source, grain, start, end, name, cut, crime, n in query(sample_db, """select source, period_grain,
            period_start, coalesce(period_end, last_day(period_start)), file_name, data_as_of, crime_code, report_count
            from fact_count"""):
        ends, cuts, sums = expected.setdefault((source, grain, start, name), [[], [], [0, 0]])
        ends.append(end)
        cuts += [cut] if cut else []
        sums[0 if crime in ley else 1] += n
    expected = {k: [max(ends), max(cuts, default=None), sums[0] or None, sums[1] or None]
                for k, (ends, cuts, sums) in expected.items()}
    got = queries.file_periods(con)
    assert {(r.source, r.period_grain, _plain(r.period_start), r.file_name):
            [_plain(r.period_end), _plain(r.data_as_of), _plain(r.ley_30096), _plain(r.penal_code)]
            for r in got.itertuples()} == expected
    assert got[["source", "period_start", "file_name"]].equals(
        got[["source", "period_start", "file_name"]].sort_values(["source", "period_start", "file_name"],
                                                                   ignore_index=True))


def test_crimes_with_data_in_display_order(con, sample_db):
    order = {r["crime_code"]: int(r["sort_order"]) for r in _csv("crime_types.csv")}
    for source, table in (("synthetic", "fact_incident"), ("mpfn", "fact_count")):
        codes = {r[0] for r in query(sample_db, f"select distinct crime_code from {table} where source = $s",
                                     {"s": source})}
        assert queries.crimes_with_data(con, source) == sorted(codes, key=order.__getitem__)


# --- reference tables: what the ETL loaded from data/reference/ --------------------------------

def test_regions_and_population_are_the_reference_file(con):
    ref = sorted(_csv("regions.csv"), key=lambda r: r["ubigeo_inei"])
    got = queries.regions(con)
    assert [tuple(_plain(v) for v in r) for r in got.itertuples(index=False)] == [
        (r["ubigeo_inei"], r["nombre"], int(r["pob_2020_minsa"]), int(r["pob_censada_2017"]), r["geojson_FIRST_IDDP"])
        for r in ref]
    columns = {"total": "pob_2020_minsa", "child": "pob_2020_nino_0_11", "adolescent": "pob_2020_adolescente_12_17",
               "young": "pob_2020_joven_18_29", "adult": "pob_2020_adulto_30_59", "older": "pob_2020_adulto_mayor_60mas"}
    pop = queries.population(con)
    assert {(r.region_code, r.age_group): r.population_2020 for r in pop.itertuples()} == {
        (r["ubigeo_inei"], g): int(r[c]) for r in ref for g, c in columns.items()}
    assert list(pop.itertuples(index=False)) == sorted(pop.itertuples(index=False))


def test_crime_types_age_groups_modalities_channels_in_display_order(con):
    by_order = lambda rows: sorted(rows, key=lambda r: int(r["sort_order"]))  # noqa: E731
    crimes = queries.crimes(con)
    assert crimes[["crime_code", "name_es", "name_en", "law", "article"]].values.tolist() == [
        [r["crime_code"], r["name_es"], r["name_en"], r["law"], r["article"]] for r in by_order(_csv("crime_types.csv"))]
    assert crimes["is_ley_30096"].tolist() == [r["is_ley_30096"] == "true" for r in by_order(_csv("crime_types.csv"))]
    groups = queries.age_groups(con)
    age = lambda text: int(text) if text else None  # noqa: E731 - the unknown group has no bounds
    assert [[_plain(v) for v in r] for r in groups[["age_group", "min_age", "max_age", "is_minor"]].values] == [
        [r["age_group"], age(r["min_age"]), age(r["max_age"]), r["is_minor"] == "true"]
        for r in by_order(_csv("age_groups.csv"))]
    for fn, name, key in ((queries.modalities, "modalities.csv", "modality"),
                          (queries.channels, "channels.csv", "channel")):
        assert fn(con).values.tolist() == [[r[key], r["name_es"], r["name_en"]] for r in by_order(_csv(name))]


def test_lima_areas_split_the_region_by_the_2017_census(con):
    areas = queries.lima_areas(con).set_index("lima_area")
    assert list(areas.index) == ["metro", "rest"]
    lima = next(r for r in _csv("regions.csv") if r["ubigeo_inei"] == "15")
    census = areas["population_census_2017"]
    assert census.sum() == int(lima["pob_censada_2017"])  # the two parts make the region
    assert abs(areas["population_2020"].sum() - int(lima["pob_2020_minsa"])) <= 1  # each part rounded
    for area in areas.index:  # the 2020 parts keep the census proportions
        assert areas.loc[area, "population_2020"] / int(lima["pob_2020_minsa"]) == \
            pytest.approx(census[area] / census.sum(), abs=1e-6)


# --- load log, rejections, the data download, build ---------------------------------------------

def test_load_log_matches_the_facts_newest_first(con, sample_db):
    got = queries.load_log(con)
    loaded = dict(query(sample_db, "select file_name, count(*) from fact_incident group by 1 union all "
                                   "select file_name, count(*) from fact_count group by 1"))
    assert dict(zip(got["file_name"], got["rows_loaded"])) == loaded
    assert (got["rows_read"] == got["rows_loaded"] + got["rows_rejected"] + got["rows_out_of_scope"]).all()
    assert got["loaded_at"].is_monotonic_decreasing
    raw = {p.name: p.parent.name for p in paths.RAW_DIR.rglob("*.csv*")}
    assert dict(zip(got["file_name"], got["source"])) == raw  # each bundled file, in its source's folder


def test_rejected_summary_counts_rules_per_file(rejects_db):
    with duckdb.connect(str(rejects_db), read_only=True) as c:
        got = queries.rejected_summary(c)
        log = queries.load_log(c)
    rows = query(rejects_db, "select file_name, column_name, reason from rejected_rows")
    assert {(r.file_name, r.column_name, r.reason): r.row_count for r in got.itertuples()} == Counter(rows)
    by_column = Counter()
    for r in got.itertuples():
        by_column[r.column_name] += r.row_count
    assert by_column == {"crime_code": 3, "victim_age": 1, "report_date": 1}  # the bad rows written above
    assert got["row_count"].is_monotonic_decreasing  # one file: most frequent first
    assert log["rows_rejected"].tolist() == [5] and log["rows_loaded"].tolist() == [20]


@pytest.mark.parametrize("source", ["synthetic", "mpfn"])
def test_report_counts_table_is_the_published_contract(con, sample_db, source):
    record_level = source == "synthetic"
    f = (_f(sample_db, regions=("04",), period_from=date(2024, 1, 1), groups=("child", "adolescent")) if record_level
         else Filters("mpfn", date(2022, 1, 1), date(2023, 1, 1), "year", crimes=_ley(sample_db), regions=("15",),
                      groups=("child",)))  # a group filter does not hide a source without ages
    got = queries.report_counts_table(con, f)
    where, params = _facts_where(f, record_level, groups=record_level)
    dims = ("month", "region_code", "crime_code", "victim_age_group", "victim_sex") if record_level else \
        ("year", "region_code", "crime_code", "fiscal_district")
    expected = published(sample_db, source, dims, where, params)
    crimes = {r["crime_code"]: r for r in _csv("crime_types.csv")}
    regions = {r["ubigeo_inei"]: r["nombre"] for r in _csv("regions.csv")}
    rows = {}
    for key, n in expected.items():
        if record_level:
            start, region, crime, group, sex = key
            district = None
        else:
            (year, region, crime, district), group, sex = key, None, None
            start = date(year, 1, 1)
        c = crimes[crime]
        rows[(source, start, region, regions[region], c["law"], c["article"], c["name_es"], c["name_en"],
              district, group, sex)] = n
    cols = ["source", "period_start", "region_code", "region_name", "law", "article", "crime_name_es",
            "crime_name_en", "fiscal_district", "victim_age_group", "victim_sex"]
    assert _cells(got, cols) == rows
    keys = ["period_start", "region_code", "law", "article", "victim_age_group", "victim_sex"]
    assert got[keys].equals(got[keys].sort_values(keys, kind="stable", ignore_index=True))


def test_build_info_is_the_meta_table_and_differs_per_build(sample_db, mpfn_db):
    infos = []
    for db in (sample_db, mpfn_db):
        with duckdb.connect(str(db), read_only=True) as c:
            infos.append(queries.build_info(c))
        assert infos[-1] == dict(query(db, "select key, value from meta"))
        assert {"schema_version", "build_id", "built_at"} <= set(infos[-1])
    assert infos[0]["build_id"] != infos[1]["build_id"]
