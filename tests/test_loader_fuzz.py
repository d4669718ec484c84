"""Property-based test: random and malformed CSV bytes either load or are rejected with a
message; never an unhandled exception, and the database stays valid."""

from __future__ import annotations

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import load
from tests.conftest import CANONICAL_HEADER

HEADERS = [
    CANONICAL_HEADER,
    "ID_DENUNCIA;FECHA_DENUNCIA;UBIGEO_HECHO;ARTICULO;EDAD_VICTIMA",
    "periodo_denuncia,anio_denuncia,Fecha_descarga,distrito_fiscal,especialidad,tipo_caso,generico,subgenerico,"
    "articulo,des_articulo,cantidad,ubigeo_pjfs,dpto_pjfs,prov_pjfs,dist_pjfs,fecha_corte",
    "ANIO,MES,DPTO_HECHO_NEW,PROV_HECHO,DIST_HECHO,UBIGEO_HECHO,P_MODALIDADES,cantidad",
    "a,b,c",
    "",
]
FIELD = st.one_of(
    st.sampled_from(["8", "S/Art", "196-A", "2024-02-30", "31/12/2023", "150101", "10101", "-1", "Estafa",
                     "LEY Nº 30096, LEY DE DELITOS INFORMATICOS", "LIMA CENTRO", "99999999999999999999999",
                     "1e308", "NaN", "", " ", '"', '""', "'", ";", ",", "\t", "\x00", "\\", "ñÁé“”", "=1+1"]),
    st.text(max_size=20),
    st.text(alphabet="x", min_size=5000, max_size=20000),  # very long field
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
ROW = st.lists(FIELD, min_size=0, max_size=14)


@st.composite
def csv_bytes(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "|", "\t"]))
    header = draw(st.sampled_from(HEADERS))
    if delimiter != "," and header and "," in header:
        header = header.replace(",", delimiter)
    rows = draw(st.lists(ROW, max_size=12))
    quote = draw(st.booleans())
    lines = [header] + [delimiter.join((f'"{v}"' if quote else v) for v in row) for row in rows]
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(min_value=0, max_value=len(data)))
        data = data[:cut] + draw(st.binary(max_size=40)) + data[cut:]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=csv_bytes(), name=st.sampled_from(["fuzz.csv", "synthetic_fuzz.csv", "fuzz.csv.gz"]))
def test_random_bytes_load_or_are_rejected_with_a_message(tmp_path_factory, data, name):
    folder = tmp_path_factory.mktemp("fuzz", numbered=True)
    db = tmp_path_factory.getbasetemp() / "fuzz.duckdb"
    path = folder / name
    path.write_bytes(data)
    outcome = load.load_files([path], db=db)
    summary = outcome.files[0]
    if outcome.published:
        assert summary.status in ("loaded", "replaced", "unchanged")
        assert summary.rows_read >= summary.rows_loaded + summary.rows_rejected
    else:
        assert summary.status == "rejected" and summary.message.strip()
        assert name in summary.message  # the message names the file
    if db.exists():
        with duckdb.connect(str(db), read_only=True) as con:
            con.execute("select count(*) from report_counts").fetchone()
            con.execute("select count(*) from rejected_rows").fetchone()
