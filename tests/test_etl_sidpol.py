"""The police SIDPOL adapter: BOM, numeric ubigeo, Lima split, only 'Estafa' in scope."""

from __future__ import annotations

from datetime import date

from etl import load
from tests.conftest import query, write

HEADER = "ANIO,MES,DPTO_HECHO_NEW,PROV_HECHO,DIST_HECHO,UBIGEO_HECHO,P_MODALIDADES,cantidad"
ROWS = [
    "2024,1,LIMA METROPOLITANA,LIMA,MIRAFLORES,150122,Estafa,40",
    "2024,1,REGION LIMA,CAÑETE,SAN VICENTE DE CAÑETE,150501,Estafa,7",
    "2024,1,AMAZONAS,CHACHAPOYAS,CHACHAPOYAS,10101,Estafa,3",  # leading zero lost
    "2024,2,PROV. CONST. DEL CALLAO,CALLAO,CALLAO,70101,Estafa,11",
    "2024,2,LIMA METROPOLITANA,LIMA,LIMA,150101,Hurto,500",  # out of scope
    "2024,13,AREQUIPA,AREQUIPA,AREQUIPA,40101,Estafa,5",  # bad month
    "2024,2,AREQUIPA,AREQUIPA,AREQUIPA,990101,Estafa,5",  # no such region
    "2024,2,AREQUIPA,AREQUIPA,AREQUIPA,40101,Estafa,-2",  # negative count
]


def test_sidpol_file_with_bom(tmp_path, db):
    path = write(tmp_path, "DATASET_Denuncias_Policiales_Ene 2018 a Oct 2025.csv", HEADER + "\n" + "\n".join(ROWS) + "\n", bom=True)
    outcome = load.load_files([path], db=db)
    assert outcome.exit_code == 0
    s = outcome.files[0]
    assert (s.source, s.rows_read, s.rows_loaded, s.rows_rejected, s.rows_out_of_scope) == ("sidpol", 8, 4, 3, 1)
    got = query(db, "select period_start, region_code, lima_area, crime_code, report_count from fact_count order by report_count")
    assert got == [
        (date(2024, 1, 1), "01", None, "196", 3),
        (date(2024, 1, 1), "15", "rest", "196", 7),
        (date(2024, 2, 1), "07", None, "196", 11),
        (date(2024, 1, 1), "15", "metro", "196", 40),
    ]
    assert query(db, "select line_number, column_name from rejected_rows order by 1") == [
        (7, "MES"), (8, "UBIGEO_HECHO"), (9, "cantidad")
    ]
    lima = dict(query(db, "select lima_area, sum(report_count) from agg_lima_area where source = 'sidpol' group by 1"))
    assert lima == {"metro": 40, "rest": 7}
    assert query(db, "select distinct period_grain, victim_age_group from report_counts where source = 'sidpol'") == [("month", None)]
