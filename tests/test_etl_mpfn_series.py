"""The bundled Ministerio Público national series 2019–2025, from a fresh `python -m etl build`,
and the MPFN rules it exercises: the office's own geography, part-year periods and cut dates."""

from __future__ import annotations

from datetime import date

import pytest

from etl import load
from tests.conftest import file_digest, query, write

LEY = "law = 'Ley 30096' and source = 'mpfn'"
HEADER = ("periodo_denuncia,anio_denuncia,Fecha_descarga,distrito_fiscal,especialidad,tipo_caso,generico,"
          "subgenerico,articulo,des_articulo,cantidad,ubigeo_pjfs,dpto_pjfs,prov_pjfs,dist_pjfs,fecha_corte")
GENERICO = '"LEY Nº 30096, LEY DE DELITOS INFORMATICOS"'


def _row(*, periodo="ENERO - DICIEMBRE", year="2023", descarga="01/08/2024", district="AREQUIPA",
         article="8", count="10", ubigeo="040101", dpto="AREQUIPA", prov="AREQUIPA", corte="24/01/2024") -> str:
    return ",".join([periodo, year, descarga, district, "PENAL", "DENUNCIA", GENERICO, "X", article,
                     "Fraude informático", count, ubigeo, dpto, prov, prov, corte])


def test_ley_30096_by_year_as_published(sample_db):
    by_year = dict(query(sample_db, f"select year(period_start), sum(report_count) from report_counts where {LEY} group by 1"))
    assert by_year == {2019: 7_897, 2020: 8_674, 2021: 18_424, 2022: 19_064, 2023: 29_580, 2025: 39_430}
    # 2024 has no file: a gap, no rows at all (not zeros).
    assert query(sample_db, "select count(*) from report_counts where source = 'mpfn' and year(period_start) = 2024") == [(0,)]


def test_part_year_period_end(sample_db):
    ends = dict(query(sample_db, f"select year(period_start), max(period_end) from report_counts where {LEY} group by 1"))
    assert ends[2025] == date(2025, 11, 30)
    assert all(ends[y] == date(y, 12, 31) for y in (2019, 2020, 2021, 2022, 2023))
    assert query(sample_db, "select max(covered_to) from source_period where source = 'mpfn' and year(period_start) = 2025") == [
        (date(2025, 11, 30),)]


def test_regions_from_the_offices_own_department(sample_db):
    regions = dict(query(sample_db, f"""select region_code, sum(report_count) from report_counts
        where {LEY} and year(period_start) = 2023 group by 1"""))
    assert regions["15"] == 16_617  # Lima
    assert regions["07"] == 1_516  # Callao: Lima Noroeste's offices are in Callao
    # 2019 lost the leading zero of 2,986 ubigeos (70101 = Callao): every row still finds its region.
    r2019 = dict(query(sample_db, f"""select region_code, sum(report_count) from report_counts
        where {LEY} and year(period_start) = 2019 group by 1"""))
    assert sum(r2019.values()) == 7_897
    assert r2019["07"] == 294 + 22  # Callao's own fiscal district plus Lima Noroeste's
    assert set(r2019) <= {f"{i:02d}" for i in range(1, 26)}


def test_fiscal_district_kept_and_lima_split(sample_db):
    fiscal = dict(query(sample_db, f"""select fiscal_district, sum(report_count) from report_counts
        where {LEY} and year(period_start) = 2023 group by 1"""))
    assert len(fiscal) == 34 and None not in fiscal
    assert sum(fiscal.values()) == 29_580
    assert query(sample_db, "select count(*) from report_counts where source = 'synthetic' and fiscal_district is not null") == [(0,)]
    split = dict(query(sample_db, """select lima_area, sum(report_count) from agg_lima_area a join ref_crime c using (crime_code)
        where source = 'mpfn' and c.is_ley_30096 and year(period_start) = 2023 group by 1"""))
    assert split["metro"] + split["rest"] == 16_617
    # Lima Metropolitana = the offices in province 1501 (Lima Centro, Norte, Este, Sur).
    metro_districts = query(sample_db, f"""select sum(report_count) from report_counts
        where {LEY} and year(period_start) = 2023 and fiscal_district in ('LIMA CENTRO', 'LIMA NORTE', 'LIMA ESTE', 'LIMA SUR')""")
    assert split["metro"] == metro_districts[0][0]


def test_articles_2022(sample_db):
    arts = dict(query(sample_db, f"select article, sum(report_count) from report_counts where {LEY} and year(period_start) = 2022 group by 1"))
    assert arts["8"] == 13_754
    assert arts["9"] == 3_618


def test_cut_dates_in_the_load_log(sample_db):
    as_of = dict(query(sample_db, "select file_name, data_as_of from load_log where source = 'mpfn'"))
    assert as_of["delitos_denunciados_2023_nacional_raw.csv"] == date(2024, 1, 24)
    assert as_of["delitos_denunciados_2025_ene-nov_nacional.csv.gz"] == date(2025, 12, 17)
    assert query(sample_db, "select data_as_of from load_log where source = 'synthetic'") == [(None,)]
    assert query(sample_db, "select data_as_of from source_coverage where source = 'mpfn'") == [(date(2025, 12, 17),)]


# Hand-made files: the rules behind the figures ------------------------------------------

@pytest.mark.parametrize(("corte", "descarga", "expected"), [
    ("24/01/2024", "01/08/2024", date(2024, 1, 24)),  # dd/mm/yyyy, decided by the 24
    ("1/24/2024", "8/1/2024", date(2024, 1, 24)),  # m/d/yyyy, decided by the 24
    ("2024-01-24", "2024-08-01", date(2024, 1, 24)),
    ("12/12/2024", "12/12/2024", date(2024, 12, 12)),  # both formats agree
])
def test_cut_date_format_decided_per_file(tmp_path, db, corte, descarga, expected):
    path = write(tmp_path, "mpfn.csv", HEADER + "\n" + _row(corte=corte, descarga=descarga) + "\n"
                 + _row(article="9", corte=corte, descarga=descarga) + "\n")
    outcome = load.load_files([path], db=db)
    assert outcome.exit_code == 0, outcome.files
    assert query(db, "select data_as_of from load_log") == [(expected,)]


@pytest.mark.parametrize(("cortes", "fragment"), [
    (("05/06/2024", "05/06/2024"), "unambiguously"),  # 5 June or 6 May: no day above 12 anywhere
    (("24/01/2024", "1/24/2024"), "mixes"),  # two formats in one file
    (("24/01/2024", "no sé"), "not a date"),
])
def test_unreadable_cut_dates_reject_the_file_and_change_nothing(tmp_path, db, cortes, fragment):
    good = write(tmp_path, "good.csv", HEADER + "\n" + _row() + "\n")
    assert load.load_files([good], db=db).exit_code == 0
    before = file_digest(db)
    rows = "\n".join(_row(corte=c, descarga="") for c in cortes)
    bad = write(tmp_path, "bad.csv", HEADER + "\n" + rows + "\n")
    outcome = load.load_files([bad], db=db)
    assert outcome.exit_code == 2
    assert fragment in outcome.files[0].message
    assert "bad.csv" in outcome.files[0].message
    assert file_digest(db) == before


def test_periodo_gives_the_period_and_its_last_day(tmp_path, db):
    text = HEADER + "\n" + "\n".join([
        _row(periodo="ENERO - JUNIO", year="2024", corte="15/07/2024", descarga="15/07/2024"),
        _row(periodo="ENERO - SETIEMBRE", year="2023", corte="15/07/2024", descarga="15/07/2024"),
        _row(periodo="JULIO - ENERO", year="2023", corte="15/07/2024", descarga="15/07/2024"),
        _row(periodo="TODO EL AÑO", year="2023", corte="15/07/2024", descarga="15/07/2024"),
    ]) + "\n"
    outcome = load.load_files([write(tmp_path, "mpfn_partial.csv", text)], db=db)
    assert outcome.files[0].rows_loaded == 2
    assert query(db, "select year(period_start), period_end from fact_count order by 1") == [
        (2023, date(2023, 9, 30)), (2024, date(2024, 6, 30))]
    assert query(db, "select line_number, column_name from rejected_rows order by 1") == [
        (4, "periodo_denuncia"), (5, "periodo_denuncia")]


def test_geography_fallbacks_and_bad_ubigeo(tmp_path, db):
    """ubigeo_pjfs (leading zero restored) wins; without it the department name; a file with
    neither column maps the fiscal district; an unknown ubigeo is a rejected row."""
    text = HEADER + "\n" + "\n".join([
        _row(district="LIMA NOROESTE", ubigeo="70106", dpto="CALLAO", prov="CALLAO", count="3"),
        _row(district="LIMA CENTRO", ubigeo="", dpto="LIMA", prov="LIMA", count="5"),
        _row(district="CAÑETE", ubigeo="", dpto="Lima", prov="CAÑETE", count="7"),
        _row(district="AREQUIPA", ubigeo="990101", count="11"),
    ]) + "\n"
    outcome = load.load_files([write(tmp_path, "mpfn_geo.csv", text)], db=db)
    assert outcome.files[0].rows_loaded == 3
    assert query(db, "select region_code, lima_area, fiscal_district, report_count from fact_count order by report_count") == [
        ("07", None, "LIMA NOROESTE", 3), ("15", "metro", "LIMA CENTRO", 5), ("15", "rest", "CAÑETE", 7)]
    assert query(db, "select line_number, column_name, value from rejected_rows") == [(5, "ubigeo_pjfs", "990101")]

    old = ("anio_denuncia,distrito_fiscal,generico,articulo,cantidad\n"
           f"2023,LIMA NOROESTE,{GENERICO},8,4\n")
    db2 = tmp_path / "old.duckdb"
    outcome = load.load_files([write(tmp_path, "mpfn_old_columns.csv", old)], db=db2)
    assert outcome.exit_code == 0, outcome.files
    assert query(db2, "select region_code, period_end from fact_count") == [("15", date(2023, 12, 31))]
    assert "fiscal district" in outcome.files[0].message
