"""Property-based (Hypothesis), differential: the incidents loader against an independent
row-by-row Python reading of the same rules.

The loader reads a file more than once (a profile pass, an insert pass, and an ordered pass for
the rows that need attention) and checks distinct values instead of rows. Here random canonical
files (valid rows mixed with every kind of broken value, duplicates, wrong-shaped lines,
surrounding spaces, Spanish headers, reordered columns, semicolons, CRLF, BOM, quoting) are
loaded and compared, line by line, with what a plain loop over `csv.reader` says: which lines
are rejected and for which columns, which rows are loaded with which values, and the counts in
the load log. (tests/test_loader_fuzz.py feeds random bytes; this checks the answers.)
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cybertrends import paths
from etl import load

COLUMNS = ["report_id", "report_date", "incident_date", "ubigeo", "crime_code", "modality", "channel",
           "victim_age", "victim_sex", "victim_type", "amount_lost_pen"]
SPANISH = {"report_id": "ID_DENUNCIA", "report_date": "Fecha_Denuncia", "incident_date": "FECHA_HECHO",
           "ubigeo": "Ubigeo_Hecho", "crime_code": "Artículo", "modality": "Modalidad", "channel": "Medio",
           "victim_age": "Edad_Víctima", "victim_sex": "Sexo_Víctima", "victim_type": "Tipo_Víctima",
           "amount_lost_pen": "Monto_Perjuicio"}


def _reference(name: str) -> list[dict]:
    with open(paths.REFERENCE_DIR / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


DISTRICTS = {r["inei"] for r in _reference("ubigeo_districts.csv") if r["inei"] not in ("", "NA")}
CRIMES = {r["crime_code"] for r in _reference("crime_types.csv")}
MODALITY = {a.strip(): r["modality"] for r in _reference("modalities.csv") for a in r["aliases"].split("|")}
CHANNEL = {a.strip(): r["channel"] for r in _reference("channels.csv") for a in r["aliases"].split("|")}
AGE_GROUPS = [(int(r["min_age"]), int(r["max_age"]), r["age_group"]) for r in _reference("age_groups.csv")
              if r["min_age"]]
SEX = {"f": "female", "femenino": "female", "mujer": "female", "female": "female", "m": "male",
       "masculino": "male", "hombre": "male", "male": "male", "varon": "male"}
VTYPE = {"persona natural": "person", "natural": "person", "person": "person", "persona juridica": "company",
         "juridica": "company", "company": "company", "estado": "state", "state": "state",
         "entidad publica": "state"}

# Values for each column: valid ones (several spellings) and broken ones. No delimiters,
# quotes or line breaks inside values: the file's structure is tests/test_loader_fuzz.py's job.
pad = st.sampled_from(["", "", "", " ", "  "])
VALUES = {
    "report_id": st.one_of(st.sampled_from(["R1", "R2", "R3", "R4", "", " "]),
                           st.integers(0, 10**6).map(lambda n: f"U{n}")),
    "report_date": st.one_of(
        st.dates(date(2019, 1, 1), date(2025, 12, 31)).flatmap(
            lambda d: st.sampled_from([d.isoformat(), d.strftime("%d/%m/%Y")])),
        st.sampled_from(["", "2024-13-01", "30/02/2024", "yesterday", "1985-06-01", "2999-01-01", "2024/01/05"])),
    "incident_date": st.one_of(
        st.just(""), st.dates(date(2018, 11, 1), date(2025, 12, 31)).map(date.isoformat),
        st.sampled_from(["31/12/2023", "2023-02-29", "soon"])),
    "ubigeo": st.sampled_from(["150101", "040101", "40101", "070101", "130101", "150501", "999999", "15-01-01",
                               "1501", "", "0150101"]),
    "crime_code": st.sampled_from(["8", "9", "S/Art", "s/art", "196-A", "12-A", "Art. 8", "ARTICULO 5", "106",
                                   "204-A", "fraude", "", "1234"]),
    "modality": st.sampled_from(["phishing", "Phishing", "suplantación en redes sociales", "estafa piramidal",
                                 "", "carding", "grooming"]),
    "channel": st.sampled_from(["email", "Facebook", "red social", "banca móvil", "paloma mensajera", "", "web"]),
    "victim_age": st.one_of(st.integers(-2, 125).map(str), st.sampled_from(["", "34.5", "treinta", "007"])),
    "victim_sex": st.sampled_from(["F", "M", "Femenino", "mujer", "Hombre", "X", "", "varón"]),
    "victim_type": st.sampled_from(["persona natural", "persona jurídica", "Estado", "alien", "", "Natural"]),
    "amount_lost_pen": st.sampled_from(["", "100", "1250.50", "-5", "S/ 100", "0", "12.345", "abc"]),
}


@st.composite
def row(draw) -> list[str]:
    return [draw(pad) + draw(VALUES[c]) + draw(pad) if draw(st.booleans()) else draw(VALUES[c]) for c in COLUMNS]


@st.composite
def incidents_file(draw):
    rows = draw(st.lists(row(), min_size=1, max_size=25))
    shapes = draw(st.lists(st.sampled_from(["ok"] * 8 + ["short", "long"]), min_size=len(rows), max_size=len(rows)))
    order = draw(st.permutations(list(range(len(COLUMNS)))))
    return {
        "rows": rows, "shapes": shapes, "order": order,
        "spanish": draw(st.booleans()), "delimiter": draw(st.sampled_from([",", ";"])),
        "newline": draw(st.sampled_from(["\n", "\r\n"])), "bom": draw(st.booleans()),
        "quote": draw(st.booleans()), "extra_column": draw(st.booleans()),
    }


def render(spec) -> tuple[bytes, list[list[str] | None]]:
    """The file's bytes, and per data line the fields in canonical order (None: wrong shape)."""
    d = spec["delimiter"]
    names = [SPANISH[c] if spec["spanish"] else c for c in COLUMNS]
    header = [names[i] for i in spec["order"]] + (["narrative"] if spec["extra_column"] else [])
    lines, fields = [d.join(header)], []
    for values, shape in zip(spec["rows"], spec["shapes"]):
        out = [values[i] for i in spec["order"]] + (["free text kept out"] if spec["extra_column"] else [])
        if shape == "short":
            out = out[:3]
        elif shape == "long":
            out = out + ["surplus"]
        if spec["quote"]:
            out = [f'"{v}"' for v in out]
        lines.append(d.join(out))
        fields.append(values if shape == "ok" else None)
    data = spec["newline"].join(lines) + spec["newline"]
    return (b"\xef\xbb\xbf" if spec["bom"] else b"") + data.encode("utf-8"), fields


# The rules, one row at a time ------------------------------------------------------------

def _t(v: str) -> str | None:
    v = v.strip(" ")
    return v or None


def _norm(v: str) -> str:
    v = unicodedata.normalize("NFKD", v.strip(" ").lower())
    v = "".join(ch for ch in v if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", v).strip()


def _date(v: str | None) -> date | None:
    if v is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            from datetime import datetime

            return datetime.strptime(v, fmt).date()
        except ValueError:
            pass
    return None


def expected(fields: list[list[str] | None]) -> dict:
    """line -> {"errors": set of columns, "fact": values or None, "in_scope": bool}"""
    out, first_line = {}, {}
    for n, values in enumerate(fields):
        line = n + 2
        if values is None:
            out[line] = {"errors": {"*"}, "fact": None, "in_scope": False}
            continue
        v = dict(zip(COLUMNS, values))
        errors = set()
        rid = _t(v["report_id"])
        if rid is None:
            errors.add("report_id")
        elif rid in first_line:
            errors.add("report_id")  # duplicate
        else:
            first_line[rid] = line
        rd = _date(_t(v["report_date"]))
        if rd is None or not date(1990, 1, 1) <= rd <= date.today():
            errors.add("report_date")
        inc_raw = _t(v["incident_date"])
        inc = _date(inc_raw)
        if (inc_raw is not None and inc is None) or (inc and rd and inc > rd):
            errors.add("incident_date")
        ub_raw = _t(v["ubigeo"])
        ub = ub_raw.zfill(6) if ub_raw and re.fullmatch(r"[0-9]{5,6}", ub_raw) else None
        if ub not in DISTRICTS:
            errors.add("ubigeo")
        cr_raw = _t(v["crime_code"])
        cr = None
        if cr_raw is not None:
            cr = re.sub(r"^ART(ICULO|ÍCULO)?\.?\s*", "", cr_raw.upper())
            cr = "S/Art" if cr == "S/ART" else cr
        if cr is None or not (cr == "S/Art" or re.fullmatch(r"[0-9]{1,3}(-[A-Z]{1,2})?", cr)):
            errors.add("crime_code")
        age_raw = _t(v["victim_age"])
        age = int(age_raw) if age_raw and re.fullmatch(r"-?[0-9]{1,4}", age_raw) else None
        if age_raw is not None and (age is None or not 0 <= age <= 120):
            errors.add("victim_age")
        sex_raw = _t(v["victim_sex"])
        sex = SEX.get(_norm(sex_raw)) if sex_raw else None
        if sex_raw is not None and sex is None:
            errors.add("victim_sex")
        type_raw = _t(v["victim_type"])
        vtype = VTYPE.get(_norm(type_raw)) if type_raw else None
        if type_raw is not None and vtype is None:
            errors.add("victim_type")
        amount_raw = _t(v["amount_lost_pen"])
        if amount_raw is not None:
            try:
                if Decimal(amount_raw) < 0:
                    errors.add("amount_lost_pen")
            except InvalidOperation:
                errors.add("amount_lost_pen")
        org = vtype in ("company", "state")
        group = "unknown"
        if not org and age is not None:
            group = next((g for lo, hi, g in AGE_GROUPS if lo <= age <= hi), "invalid")
        mod_key, ch_key = _norm(v["modality"]), _norm(v["channel"])
        fact = {
            "report_date": rd, "ubigeo": ub, "crime_code": cr, "victim_age_group": group,
            "victim_sex": "unknown" if org else (sex or "unknown"), "victim_type": vtype,
            "modality": MODALITY.get(mod_key, "other") if mod_key else None,
            "channel": CHANNEL.get(ch_key, "other") if ch_key else None,
        }
        out[line] = {"errors": errors, "fact": (rid, fact), "in_scope": cr in CRIMES}
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(spec=incidents_file())
def test_loader_agrees_with_a_row_by_row_reading(spec):
    data, fields = render(spec)
    want = expected(fields)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "steward.csv"
        path.write_bytes(data)
        db = Path(tmp) / "db.duckdb"
        outcome = load.load_files([path], db=db)
        assert outcome.published, outcome.files
        s = outcome.files[0]
        with duckdb.connect(str(db), read_only=True) as con:
            rejected = {}
            for line, column in con.execute("select line_number, column_name from rejected_rows").fetchall():
                rejected.setdefault(line, set()).add(column)
            facts = {r[0]: r[1:] for r in con.execute(
                """select report_id, report_date, ubigeo, crime_code, victim_age_group, victim_sex, victim_type,
                          modality, channel from fact_incident""").fetchall()}
            # the report_counts contract counts every loaded report once
            counted = con.execute("select coalesce(sum(report_count), 0) from report_counts").fetchone()[0]
            assert counted == len(facts)
            logged = con.execute("select rows_read, rows_loaded, rows_rejected, rows_out_of_scope from load_log").fetchall()

    bad = {line: w["errors"] for line, w in want.items() if w["errors"]}
    assert rejected == bad, (rejected, bad)
    good = {w["fact"][0]: w["fact"][1] for w in want.values() if not w["errors"] and w["in_scope"]}
    assert set(facts) == set(good)
    for rid, f in good.items():
        assert facts[rid] == (f["report_date"], f["ubigeo"], f["crime_code"], f["victim_age_group"],
                              f["victim_sex"], f["victim_type"], f["modality"], f["channel"]), rid
    out_of_scope = sum(1 for w in want.values() if not w["errors"] and not w["in_scope"])
    counts = (len(fields), len(good), len(bad), out_of_scope)
    assert (s.rows_read, s.rows_loaded, s.rows_rejected, s.rows_out_of_scope) == counts
    assert logged == [counts]


def test_render_and_expected_agree_with_the_csv_module():
    """The reference reading itself: the rendered file parses back to the same fields."""
    spec = {"rows": [["R1", "2024-01-01", "", "150101", "8", "", "", "30", "F", "persona natural", "5"]],
            "shapes": ["ok"], "order": list(range(11)), "spanish": False, "delimiter": ";", "newline": "\r\n",
            "bom": True, "quote": True, "extra_column": True}
    data, fields = render(spec)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert parsed[1][:11] == fields[0]
    assert expected(fields) == {2: {"errors": set(), "in_scope": True, "fact": ("R1", {
        "report_date": date(2024, 1, 1), "ubigeo": "150101", "crime_code": "8", "victim_age_group": "adult",
        "victim_sex": "female", "victim_type": "person", "modality": None, "channel": None})}}
