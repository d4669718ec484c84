"""The Ministerio Público (MPFN) adapter, on the real 2023 national file and its variants."""

from __future__ import annotations

import csv
import io
import re

import pytest

from etl import load
from tests.conftest import MPFN_2023, query, write

KNOWN_COMMA_GENERICO = "LEY Nº 30096, LEY DE DELITOS INFORMATICOS"


def _ley30096_rows_independently() -> list[list[str]]:
    """An independent parse of the raw file's Ley 30096 rows: the 6 leading and 6 trailing
    fields are fixed; the middle starts with the known comma-bearing `generico`; the first
    article-shaped token splits subgenerico from des_articulo (both may hold commas)."""
    rows = []
    for line in MPFN_2023.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split(",")
        middle = ",".join(fields[6:-6])
        if not middle.startswith(KNOWN_COMMA_GENERICO + ","):
            continue
        tokens = middle[len(KNOWN_COMMA_GENERICO) + 1 :].split(",")
        i = next(i for i, t in enumerate(tokens) if re.fullmatch(r"S/Art|[0-9]+(-[A-Z]+)?", t))
        rows.append(fields[:6] + [KNOWN_COMMA_GENERICO, ",".join(tokens[:i]), tokens[i], ",".join(tokens[i + 1 :])] + fields[-6:])
    return rows


HEADER = MPFN_2023.read_text(encoding="utf-8").splitlines()[0].split(",")


def test_real_2023_national_file_gives_the_published_figures(mpfn_db):
    total = query(mpfn_db, "select sum(report_count) from report_counts where law = 'Ley 30096' and year(period_start) = 2023")
    assert total[0][0] == 29_580
    by_region = dict(query(mpfn_db, """select region_code, sum(report_count) from report_counts
        where law = 'Ley 30096' group by 1"""))
    # The department of the prosecutor's office (dpto_pjfs / ubigeo_pjfs): Lima Noroeste's
    # offices are in Callao (a fiscal-district mapping gave Lima 16,928 and Callao 1,205).
    assert by_region["15"] == 16_617
    assert by_region["07"] == 1_516
    by_article = dict(query(mpfn_db, """select article, sum(report_count) from report_counts
        where law = 'Ley 30096' group by 1"""))
    assert by_article["8"] == 21_751
    assert by_article["9"] == 5_234
    assert by_article["5"] == 88


def test_real_file_counts_match_an_independent_parse(mpfn_db):
    rows = _ley30096_rows_independently()
    assert len(rows) == 262
    expected = sum(int(r[10]) for r in rows)
    assert expected == 29_580
    got = query(mpfn_db, "select sum(report_count) from fact_count where crime_code in (select crime_code from ref_crime where is_ley_30096)")
    assert got[0][0] == expected


def test_real_file_load_log_and_scope(mpfn_db):
    (status, read, loaded, rejected, out_of_scope, source), = query(
        mpfn_db, "select status, rows_read, rows_loaded, rows_rejected, rows_out_of_scope, source from load_log"
    )
    assert (status, source) == ("loaded", "mpfn")
    assert read == 9_032
    assert rejected == 0
    assert loaded + out_of_scope == read
    penal = dict(query(mpfn_db, "select crime_code, sum(report_count) from fact_count where crime_code in ('196-A', '183-B') group by 1"))
    assert penal == {"196-A": 3_942, "183-B": 403}  # NOTES.md §1.1
    assert query(mpfn_db, "select data_as_of from source_coverage where source = 'mpfn'")[0][0].isoformat() == "2024-01-24"


def _expected_by_article(rows):
    out = {}
    for r in rows:
        out[r[8]] = out.get(r[8], 0) + int(r[10])
    return out


@pytest.mark.parametrize(
    "variant",
    ["quoted", "quoted_bom", "semicolon", "semicolon_crlf_bom", "unquoted_bom"],
)
def test_variants_of_the_same_columns_load(tmp_path, db, variant):
    rows = _ley30096_rows_independently()
    buf = io.StringIO()
    if variant.startswith("semicolon"):
        writer = csv.writer(buf, delimiter=";", lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    elif variant.startswith("quoted"):
        writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    else:  # the raw, unquoted shape
        buf.write(",".join(HEADER) + "\n")
        for r in rows:
            buf.write(",".join(r) + "\n")
    path = write(tmp_path, f"mpfn_{variant}.csv", buf.getvalue(), bom="bom" in variant,
                 newline="\r\n" if "crlf" in variant else "\n")
    outcome = load.load_files([path], db=db)
    assert outcome.exit_code == 0, outcome.files
    assert outcome.files[0].source == "mpfn"
    assert outcome.files[0].rows_rejected == 0
    got = dict(query(db, "select crime_code, sum(report_count) from fact_count group by 1"))
    assert got == _expected_by_article(rows)


def test_bad_mpfn_rows_are_quarantined_with_line_and_column(tmp_path, db):
    text = ",".join(HEADER) + "\n" + "\n".join([
        "ENERO - DICIEMBRE,2023,01/08/2024,AREQUIPA,PENAL,DENUNCIA,\"LEY Nº 30096, LEY DE DELITOS INFORMATICOS\",X,8,Fraude informático,10,040101,AREQUIPA,AREQUIPA,AREQUIPA,24/01/2024",
        "ENERO - DICIEMBRE,2023,01/08/2024,ATLANTIDA,PENAL,DENUNCIA,\"LEY Nº 30096, LEY DE DELITOS INFORMATICOS\",X,8,Fraude informático,4,040101,AREQUIPA,AREQUIPA,AREQUIPA,24/01/2024",
        "ENERO - DICIEMBRE,2023,01/08/2024,AREQUIPA,PENAL,DENUNCIA,\"LEY Nº 30096, LEY DE DELITOS INFORMATICOS\",X,8,Fraude informático,-3,040101,AREQUIPA,AREQUIPA,AREQUIPA,24/01/2024",
        "ENERO - DICIEMBRE,2023,01/08/2024,AREQUIPA,PENAL,DENUNCIA,\"LEY Nº 30096, LEY DE DELITOS INFORMATICOS\",X,99,Inexistente,2,040101,AREQUIPA,AREQUIPA,AREQUIPA,24/01/2024",
        "ENERO - DICIEMBRE,2023,01/08/2024,AREQUIPA,PENAL,DENUNCIA,CONTRA LA VIDA/EL CUERPO Y LA SALUD,HOMICIDIO,106,Homicidio,7,040101,AREQUIPA,AREQUIPA,AREQUIPA,24/01/2024",
    ]) + "\n"
    path = write(tmp_path, "mpfn_bad.csv", text)
    outcome = load.load_files([path], db=db)
    summary = outcome.files[0]
    assert (summary.rows_read, summary.rows_loaded, summary.rows_rejected, summary.rows_out_of_scope) == (5, 1, 3, 1)
    rejected = query(db, "select line_number, column_name from rejected_rows order by 1")
    assert rejected == [(3, "distrito_fiscal"), (4, "cantidad"), (5, "articulo")]
    assert query(db, "select sum(report_count) from fact_count") == [(10,)]
