"""The canonical incidents adapter: every format variant and every rejection rule."""

from __future__ import annotations

import gzip
from datetime import date

import pytest

from etl import load
from tests.conftest import CANONICAL_HEADER, query, write

GOOD_ROWS = [
    "R1,2024-03-05,2024-03-01,150101,8,phishing,email,67,F,persona natural,1250.50",
    "R2,2024-03-09,,150132,9,suplantación en redes sociales,Facebook,25,M,persona natural,",
    "R3,2024-04-01,2024-03-30,040101,5,grooming,red social,13,Femenino,persona natural,",
    "R4,2024-04-02,,070101,S/Art,,,,,,",
    "R5,2024-04-10,2024-04-10,150501,196-A,venta falsa,web,45,Hombre,persona natural,300",
    "R6,2024-04-11,,130101,8,carding,banca móvil,,,persona jurídica,99000",
]


def _file(tmp_path, rows, name="incidents.csv", header=CANONICAL_HEADER, **kw):
    return write(tmp_path, name, header + "\n" + "\n".join(rows) + "\n", **kw)


def test_good_file_loads_every_field(tmp_path, db):
    outcome = load.load_files([_file(tmp_path, GOOD_ROWS)], db=db)
    assert outcome.exit_code == 0
    s = outcome.files[0]
    assert (s.source, s.rows_read, s.rows_loaded, s.rows_rejected, s.rows_out_of_scope) == ("incidents", 6, 6, 0, 0)
    rows = {r[0]: r[1:] for r in query(db, """select report_id, report_date, region_code, lima_area, crime_code, modality,
        channel, victim_age_group, victim_sex, victim_type, amount_lost_pen from fact_incident""")}
    assert rows["R1"][:9] == (date(2024, 3, 5), "15", "metro", "8", "phishing", "email", "older", "female", "person")
    assert float(rows["R1"][9]) == 1250.50
    assert rows["R2"][4:6] == ("social_media_identity_theft", "social_network")
    assert rows["R3"][6:8] == ("adolescent", "female")
    assert rows["R4"][4:8] == (None, None, "unknown", "unknown")
    assert rows["R5"][2:6] == ("rest", "196-A", "fake_online_sale", "website")  # 1505 = Cañete: rest of Lima
    assert rows["R6"][6:9] == ("unknown", "unknown", "company")
    counts = query(db, "select sum(report_count) from report_counts where source = 'incidents'")
    assert counts == [(6,)]


SPANISH_HEADER = ("ID_DENUNCIA;Fecha_Denuncia;FECHA_HECHO;Ubigeo_Hecho;Artículo;Modalidad;Medio;Edad_Víctima;"
                  "Sexo_Víctima;Tipo_Víctima;Monto_Perjuicio")


@pytest.mark.parametrize(
    "variant",
    ["utf8", "utf8_bom", "cp1252", "latin1", "semicolon_spanish_crlf", "gzip", "reordered", "lost_zero_ddmmyyyy"],
)
def test_format_variants(tmp_path, db, variant):
    rows = [
        "A1,05/03/2024,01/03/2024,40101,8,Suplantación,WhatsApp,61,Mujer,persona jurídica,10",
        "A2,2024-03-06,,150101,9,,,30,M,Estado,",
    ]
    kwargs = {}
    header = CANONICAL_HEADER
    if variant == "utf8_bom":
        kwargs["bom"] = True
    if variant == "cp1252":
        kwargs["encoding"] = "cp1252"
        rows[0] = rows[0].replace("Suplantación", "Suplantación “perfil”")  # 0x93/0x94 only exist in cp1252
    if variant == "latin1":
        kwargs["encoding"] = "latin-1"
    if variant == "semicolon_spanish_crlf":
        header = SPANISH_HEADER
        rows = [r.replace(",", ";") for r in rows]
        kwargs["newline"] = "\r\n"
    if variant == "reordered":
        cols = CANONICAL_HEADER.split(",")
        order = list(reversed(range(len(cols))))
        header = ",".join(cols[i] for i in order)
        rows = [",".join(r.split(",")[i] for i in order) for r in rows]
    path = _file(tmp_path, rows, header=header, **kwargs)
    if variant == "gzip":
        gz = tmp_path / "incidents.csv.gz"
        gz.write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()
        path = gz
    outcome = load.load_files([path], db=db)
    assert outcome.exit_code == 0, outcome.files
    assert outcome.files[0].rows_loaded == 2, outcome.files[0]
    got = query(db, "select report_id, report_date, ubigeo, victim_age_group, victim_sex, victim_type from fact_incident order by 1")
    assert got == [
        ("A1", date(2024, 3, 5), "040101", "unknown", "unknown", "company"),
        ("A2", date(2024, 3, 6), "150101", "unknown", "unknown", "state"),
    ]


# (row, column, reason fragment)
BAD_ROWS = [
    (",2024-01-01,,150101,8,,,,,,", "report_id", "missing report_id"),
    ("B1,,,150101,8,,,,,,", "report_date", "missing report_date"),
    ("B1,2024-13-01,,150101,8,,,,,,", "report_date", "not a valid date"),
    ("B1,30/02/2024,,150101,8,,,,,,", "report_date", "not a valid date"),
    ("B1,2999-01-01,,150101,8,,,,,,", "report_date", "out of range"),
    ("B1,1985-01-01,,150101,8,,,,,,", "report_date", "out of range"),
    ("B1,2024-01-01,yesterday,150101,8,,,,,,", "incident_date", "not a valid date"),
    ("B1,2024-01-01,2024-02-01,150101,8,,,,,,", "incident_date", "after report_date"),
    ("B1,2024-01-01,,999999,8,,,,,,", "ubigeo", "unknown district"),
    ("B1,2024-01-01,,15-01-01,8,,,,,,", "ubigeo", "expected 6 digits"),
    ("B1,2024-01-01,,,8,,,,,,", "ubigeo", "missing ubigeo"),
    ("B1,2024-01-01,,150101,fraude,,,,,,", "crime_code", "unknown crime code"),
    ("B1,2024-01-01,,150101,,,,,,,", "crime_code", "missing crime_code"),
    ("B1,2024-01-01,,150101,8,,,121,,,", "victim_age", "0-120"),
    ("B1,2024-01-01,,150101,8,,,-1,,,", "victim_age", "0-120"),
    ("B1,2024-01-01,,150101,8,,,34.5,,,", "victim_age", "whole years"),
    ("B1,2024-01-01,,150101,8,,,,X,,", "victim_sex", "unknown sex"),
    ("B1,2024-01-01,,150101,8,,,,,alien,", "victim_type", "unknown victim type"),
    ("B1,2024-01-01,,150101,8,,,,,,-5", "amount_lost_pen", "negative amount"),
    ("B1,2024-01-01,,150101,8,,,,,,1.234,50", "*", "too many fields"),
    ("B1,2024-01-01,,150101,8,,,,,,S/ 100", "amount_lost_pen", "not a number"),
    ("B1,2024-01-01,,150101,8", "*", "too few fields"),
]


@pytest.mark.parametrize("row,column,reason", BAD_ROWS, ids=[f"{c}:{r}" for _, c, r in BAD_ROWS])
def test_each_rule_quarantines_the_row_with_file_line_column_reason(tmp_path, db, row, column, reason):
    rows = ["G1,2024-01-01,,150101,8,,,,,,", row, "G2,2024-01-02,,150101,9,,,,,,"]
    outcome = load.load_files([_file(tmp_path, rows, name="bad.csv")], db=db)
    assert outcome.exit_code == 0  # row problems quarantine rows; the file still loads
    s = outcome.files[0]
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (3, 2, 1)
    rejected = query(db, "select file_name, line_number, column_name, reason from rejected_rows")
    assert len(rejected) >= 1
    assert all(r[:2] == ("bad.csv", 3) for r in rejected)
    assert any(r[2] == column and reason in r[3] for r in rejected), rejected
    assert sorted(r[0] for r in query(db, "select report_id from fact_incident")) == ["G1", "G2"]


def test_line_numbers_stay_right_after_a_malformed_line(tmp_path, db):
    rows = ["G1,2024-01-01,,150101,8,,,,,,", "B1,2024-01-01", "G2,2024-01-02,,150101,9,,,,,,",
            "G3,2024-01-02,,150101,9,,,200,,,"]
    load.load_files([_file(tmp_path, rows)], db=db)
    assert query(db, "select line_number, column_name from rejected_rows order by 1") == [(3, "*"), (5, "victim_age")]


def test_duplicate_report_id_within_a_file_and_across_files(tmp_path, db):
    first = _file(tmp_path, ["D1,2024-01-01,,150101,8,,,,,,", "D2,2024-01-01,,150101,8,,,,,,",
                             "D1,2024-01-03,,150101,8,,,,,,"], name="first.csv")
    outcome = load.load_files([first], db=db)
    assert outcome.files[0].rows_rejected == 1
    assert query(db, "select line_number, reason from rejected_rows") == [(4, "duplicate report_id (first on line 2)")]
    second = _file(tmp_path, ["D2,2024-02-01,,150101,8,,,,,,", "D3,2024-02-01,,150101,8,,,,,,"], name="second.csv")
    outcome = load.load_files([second], db=db)
    assert outcome.files[0].rows_rejected == 1
    assert query(db, "select reason from rejected_rows where file_name = 'second.csv'") == [
        ("duplicate report_id (already loaded from first.csv)",)
    ]
    assert query(db, "select count(*) from fact_incident") == [(3,)]


def test_other_laws_are_out_of_scope_not_rejected(tmp_path, db):
    rows = ["O1,2024-01-01,,150101,106,,,,,,", "O2,2024-01-01,,150101,8,,,,,,"]
    s = load.load_files([_file(tmp_path, rows)], db=db).files[0]
    assert (s.rows_read, s.rows_loaded, s.rows_rejected, s.rows_out_of_scope) == (2, 1, 0, 1)


def test_unknown_modality_is_kept_as_other_and_reported(tmp_path, db):
    rows = ["M1,2024-01-01,,150101,8,estafa piramidal,paloma mensajera,,,,"]
    s = load.load_files([_file(tmp_path, rows)], db=db).files[0]
    assert query(db, "select modality, channel from fact_incident") == [("other", "other")]
    assert "estafa piramidal" in s.message and "paloma mensajera" in s.message


def test_synthetic_files_get_their_own_source(tmp_path, db):
    load.load_files([_file(tmp_path, GOOD_ROWS[:2], name="synthetic_sample.csv")], db=db)
    assert query(db, "select distinct source from fact_incident") == [("synthetic",)]
    assert query(db, "select is_synthetic from ref_source where source = 'synthetic'") == [(True,)]


def test_no_free_text_columns_are_loaded(tmp_path, db):
    header = CANONICAL_HEADER + ",victim_name,narrative"
    rows = [r + ",Juana Pérez,me robaron por teléfono" for r in GOOD_ROWS[:1]]
    load.load_files([_file(tmp_path, rows, header=header)], db=db)
    columns = {r[0] for r in query(db, "select column_name from duckdb_columns() where table_name = 'fact_incident'")}
    assert "victim_name" not in columns and "narrative" not in columns
    dump = str(query(db, "select * from fact_incident"))
    assert "Juana" not in dump
