"""Ministerio Público (MPFN) "delitos": counts per year (or part-year) x prosecutor's office x article."""

from __future__ import annotations

import duckdb

from etl.adapters import rules
from etl.adapters.reader import (
    AdapterResult,
    FileFormat,
    FileRejected,
    column_positions,
    count,
    ordered,
    projection,
    run,
    sql,
    stage_lines,
    unreadable,
)

MPFN_COLUMNS = (
    "periodo_denuncia", "anio_denuncia", "fecha_descarga", "distrito_fiscal", "especialidad",
    "tipo_caso", "generico", "subgenerico", "articulo", "des_articulo", "cantidad",
    "ubigeo_pjfs", "dpto_pjfs", "prov_pjfs", "dist_pjfs", "fecha_corte",
)
MPFN_REQUIRED = ("anio_denuncia", "distrito_fiscal", "generico", "articulo", "cantidad")
# `generico` values that contain a comma; the real 2023 file writes them unquoted
# (reference-data/SOURCE.md). Matched first when repairing a line.
MPFN_COMMA_GENERICOS = [
    "LEY Nº 30096, LEY DE DELITOS INFORMATICOS",
    "LEY N° 30096, LEY DE DELITOS INFORMATICOS",
    "LEY N 30096, LEY DE DELITOS INFORMATICOS",
    "LEY 26859, LEY ORGANICA DE ELECCIONES",
]
MPFN_ARTICLE_PATTERN = r"S/Art|S/N|LEY ?[0-9]+|[0-9]+(?:-[A-ZÑ]+)?"
# Formats the MPFN files use for their dates; one is chosen per file (`_mpfn_date_format`).
MPFN_DATE_FORMATS = {"%d/%m/%Y": "dd/mm/yyyy", "%m/%d/%Y": "m/d/yyyy", "%Y-%m-%d": "yyyy-mm-dd"}


def _stage_repaired(con, fmt: FileFormat) -> None:
    """Repair pass for the real, unquoted MPFN file: the first 6 and last 6 fields are fixed,
    known comma-bearing `generico` values are matched first, and the rest is split on the
    article token (reference-data/SOURCE.md)."""
    try:
        ordered(con, sql("text_lines"), {"path": str(fmt.path), "line_delim": "\x01", "encoding": fmt.encoding,
                                         "compression": "gzip" if fmt.compressed else "none"})
    except duckdb.Error as exc:
        raise unreadable(fmt, exc, "cannot be read as text") from None
    run(con, "mpfn_split_lines", {"known": MPFN_COMMA_GENERICOS, "art": MPFN_ARTICLE_PATTERN})
    run(con, "mpfn_repaired_lines")


def _mpfn_date_format(con, file_name: str) -> str | None:
    """The one date format of this file's `fecha_corte` / `fecha_descarga`, decided per file
    from every value in it, never per row: the format that reads all of them and puts no date
    before the year it reports. None when the file has no dates. A file whose dates fit two
    formats with different results, or no single format, is rejected."""
    rows = con.execute(sql("mpfn_date_texts")).fetchall()
    if not rows:
        return None
    values, years = [r[0] for r in rows], [r[1] for r in rows]
    fits = {}
    for fmt in MPFN_DATE_FORMATS:
        dates, ok = run(con, "mpfn_date_fit", {"fmt": fmt, "values": values, "years": years}).fetchone()
        if ok:
            fits[fmt] = dates
    if len(fits) == 1:
        return next(iter(fits))
    if not fits:
        first = con.execute(sql("mpfn_first_bad_date")).fetchone()
        if first is None:
            raise FileRejected(file_name, "cannot read the dates unambiguously: the file mixes dd/mm/yyyy and "
                               "m/d/yyyy dates (or a date falls before the year it reports); expected every "
                               "date of the file in one format", None, "fecha_corte")
        raise FileRejected(file_name, f"not a date: {first[2]!r}; expected dd/mm/yyyy or m/d/yyyy, one format "
                           "for the whole file", first[0], first[1])
    results = list(fits.values())
    if all(r == results[0] for r in results):
        return next(iter(fits))
    names = " or as ".join(MPFN_DATE_FORMATS[f] for f in fits)
    raise FileRejected(file_name, f"cannot read the dates unambiguously: every date ({', '.join(values[:3])}) "
                       f"reads as {names}, with different results; expected a file whose dates fit one "
                       "format only (e.g. a day above 12)", None, "fecha_corte")


def load_mpfn(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
    """Counts per period x prosecutor's office x article. The region is the office's own
    department (`ubigeo_pjfs`, else `dpto_pjfs`; the fiscal district's department only for
    files with neither); the fiscal district is kept as a second geography; the period and
    its last day come from `periodo_denuncia`; the cut date from `fecha_corte`."""
    wanted = {c: (c,) for c in MPFN_COLUMNS}
    pos = column_positions(fmt, wanted, MPFN_REQUIRED)
    standard_order = [fmt.header.index(c) if c in fmt.header else None for c in MPFN_COLUMNS]
    repaired = False
    stage_lines(con, fmt, len(fmt.header), progress)
    bad_shape = count(con, "select count(*) from scratch.malformed_lines")
    if bad_shape and fmt.delimiter == "," and standard_order == list(range(16)):
        # Unquoted commas inside fields (the real 2023 national file): repair line by line.
        _stage_repaired(con, fmt)
        pos = {c: i for i, c in enumerate(MPFN_COLUMNS)}
        repaired = True
    run(con, "mpfn_fields", fields=projection(pos, MPFN_COLUMNS, trim=True))
    date_format = _mpfn_date_format(con, file_name)
    rows_read = count(con, "select count(*) from scratch.mpfn_fields") + count(
        con, "select count(distinct line_number) from scratch.malformed_lines")
    run(con, "mpfn_scoped", {"fmt": date_format or "%d/%m/%Y"})
    run(con, "count_rejections", rule_rejections=rules.rejections(rules.MPFN_RULES, "scratch.mpfn_scoped"))
    broken = rules.broken(rules.MPFN_RULES)
    out_of_scope = count(con, f"select count(*) from scratch.mpfn_scoped where crime_code is null "
                              f"and not is_ley_30096 and not {broken}")
    run(con, "mpfn_accepted_counts", {"source": source, "file": file_name}, broken=broken)
    notes = ["unquoted commas repaired (fixed leading/trailing fields)"] if repaired else []
    by_district = count(con, "select count(*) from scratch.mpfn_scoped where ubigeo_raw is null and dpto_raw is null")
    if by_district:
        notes.append(f"{by_district} rows without the office's ubigeo or department: region taken from the fiscal district")
    if date_format and date_format != "%d/%m/%Y":
        notes.append(f"dates read as {MPFN_DATE_FORMATS[date_format]}")
    as_of = con.execute("select max(data_as_of) from scratch.accepted_counts").fetchone()[0]
    return AdapterResult("fact_count", rows_read, out_of_scope, notes, data_as_of=as_of)
