"""Extract and validate, per source format. All row work is DuckDB SQL over staged tables.

Every adapter fills, in the scratch schema:
- `stg_errors(line_number, column_name, reason, value)`: one row per broken rule;
- `stg_ok`: the in-scope rows that broke no rule, already mapped to the fact table's columns;
and returns an `AdapterResult` with the counts the load log needs.
User-supplied paths and values are always bound as parameters.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

import duckdb

from etl.detect import FileFormat, FileRejected

SCRATCH = "scratch"


@dataclass
class AdapterResult:
    """What an adapter staged from one file: the fact table to fill, rows read and out of scope, notes for
    the load log, the source's cut date, and the SELECT (with parameters) of the rows to insert."""

    fact_table: str  # fact_incident | fact_count
    rows_read: int
    rows_out_of_scope: int
    notes: list[str]
    data_as_of: date | None = None  # the source's own cut date, if the file states one
    # The rows to insert into `fact_table`: a SELECT over the staged tables, and its parameters.
    ok_sql: str = "select * from scratch.stg_ok"
    ok_params: dict = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Column maps: canonical name -> accepted (normalised) header names. One place per source.

INCIDENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "report_id": ("report_id", "id_denuncia"),
    "report_date": ("report_date", "fecha_denuncia"),
    "incident_date": ("incident_date", "fecha_hecho"),
    "ubigeo": ("ubigeo", "ubigeo_hecho"),
    "crime_code": ("crime_code", "articulo"),
    "modality": ("modality", "modalidad"),
    "channel": ("channel", "medio"),
    "victim_age": ("victim_age", "edad_victima"),
    "victim_sex": ("victim_sex", "sexo_victima"),
    "victim_type": ("victim_type", "tipo_victima"),
    "amount_lost_pen": ("amount_lost_pen", "monto_perjuicio"),
}
INCIDENT_REQUIRED = ("report_id", "report_date", "ubigeo", "crime_code")

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

SIDPOL_COLUMNS = (
    "anio", "mes", "dpto_hecho_new", "prov_hecho", "dist_hecho", "ubigeo_hecho", "p_modalidades", "cantidad",
)
SIDPOL_REQUIRED = ("anio", "mes", "ubigeo_hecho", "p_modalidades", "cantidad")

FIRST_VALID_DATE = date(1990, 1, 1)
# The record key of the cell-key method (cybertrends/disclosure.py): 0-255, a function of the
# record's source and report_id only, so it is stable across reloads of the same file.
RECORD_KEY_SQL = "(hash(source || chr(31) || report_id) % 256)::utinyint"


def detect_source(fmt: FileFormat) -> str | None:
    """Pick the adapter from the header, or None when nothing fits."""
    cols = set(fmt.header)
    if {"distrito_fiscal", "generico", "articulo", "cantidad"} <= cols:
        return "mpfn"
    if {"p_modalidades", "ubigeo_hecho", "cantidad"} <= cols:
        return "sidpol"
    if cols & {"report_id", "id_denuncia"}:
        return "incidents"
    return None


def _column_positions(fmt: FileFormat, wanted: dict[str, tuple[str, ...]], required) -> dict[str, int]:
    positions: dict[str, int] = {}
    for canonical, names in wanted.items():
        found = [i for i, h in enumerate(fmt.header) if h in names]
        if len(found) > 1:
            dup = ", ".join(f"'{fmt.raw_header[i]}'" for i in found)
            raise FileRejected(fmt.original.name, f"column given twice ({dup}); expected one of {list(names)}", 1, canonical)
        if found:
            positions[canonical] = found[0]
    for canonical in required:
        if canonical not in positions:
            names = wanted[canonical]
            raise FileRejected(
                fmt.original.name,
                f"required column missing; expected a header named {' or '.join(repr(n) for n in names)}",
                1,
                canonical,
            )
    return positions


# --------------------------------------------------------------------------------------
# Reading: every field as text, with the file's line number, and DuckDB's own rejects.

def _read_csv_params(fmt: FileFormat, n_columns: int) -> dict:
    return {
        "path": str(fmt.path),
        "delim": fmt.delimiter,
        "encoding": fmt.encoding,
        "compression": "gzip" if fmt.compressed else "none",
        "columns": {f"c{i}": "VARCHAR" for i in range(n_columns)},
    }


READ_CSV = """
    read_csv($path, delim = $delim, header = true, auto_detect = false, columns = $columns,
             quote = '"', escape = '"', encoding = $encoding, compression = $compression,
             ignore_errors = true, store_rejects = true,
             rejects_table = 'csv_rejects', rejects_scan = 'csv_reject_scans')
"""


def _ordered(con: duckdb.DuckDBPyConnection, sql: str, params: dict, progress=None) -> None:
    """Run one statement with `preserve_insertion_order` on: the only statements that need it
    are the reads whose rowids stand for file order (line numbers). Everything else runs
    without it, which lets DuckDB parallelise freely."""
    con.execute("set preserve_insertion_order = true")
    try:
        if progress is not None:
            progress(con, sql, params)
        else:
            con.execute(sql, params)
    finally:
        con.execute("set preserve_insertion_order = false")


def read_text(con: duckdb.DuckDBPyConnection, fmt: FileFormat, n_columns: int, table: str,
              select: str = "*", progress=None) -> bool:
    """Read the file as text columns c0..cN into `scratch.<table>` (file order: rowid r is the
    r-th well-formed record); wrong-shaped lines go to `scratch.raw_errors` with their line
    numbers (DuckDB's rejects), and `scratch.reject_shift` tells how to turn a rowid into a
    line number (`line_of`). `select` may project the columns to keep. Returns whether any
    line was rejected."""
    con.execute("drop table if exists csv_rejects")
    con.execute("drop table if exists csv_reject_scans")
    con.execute(f"drop table if exists {SCRATCH}.{table}")
    sql = f"create table {SCRATCH}.{table} as select {select} from {READ_CSV}"
    try:
        _ordered(con, sql, _read_csv_params(fmt, n_columns), progress)
    except duckdb.Error as exc:
        raise _unreadable(fmt, exc) from None
    return _stage_rejects(con)


def _stage_rejects(con: duckdb.DuckDBPyConnection) -> bool:
    """From DuckDB's rejects of the last read: `scratch.raw_errors` (one row per wrong-shaped
    line) and `scratch.reject_shift` (see `line_of`). Returns whether any line was rejected."""
    if _count(con, "select count(*) from csv_rejects where error_type = 'INVALID UNICODE'"):
        raise _InvalidUnicode()
    con.execute(f"drop table if exists {SCRATCH}.raw_errors")
    con.execute(
        f"""create table {SCRATCH}.raw_errors as
        select line as line_number, '*' as column_name,
               case first(error_type order by column_idx)
                   when 'TOO MANY COLUMNS' then 'too many fields: '
                   when 'MISSING COLUMNS' then 'too few fields: '
                   else lower(first(error_type order by column_idx)) || ': ' end
                   || first(error_message order by column_idx) as reason,
               left(first(csv_line), 200) as value
        from csv_rejects
        group by line"""
    )
    # Good records keep file order, so rowid r is the r-th good record; its line is r + 2
    # (header, 0-based) plus the rejected lines before it. The i-th rejected line (0-based) at
    # line L comes after t = L - 2 - i good records: it precedes record r when t <= r.
    con.execute(
        f"""create or replace table {SCRATCH}.reject_shift as
        select t, max(k) as k from (
            select line - 2 - (row_number() over (order by line) - 1) as t,
                   row_number() over (order by line) as k
            from (select distinct line from csv_rejects))
        group by t"""
    )
    return _count(con, f"select count(*) from {SCRATCH}.reject_shift") > 0


def line_of(rowid: str, shifted: bool) -> str:
    """SQL for the line number of good record `rowid` (an expression over a small relation)."""
    if not shifted:
        return f"({rowid} + 2)"
    return (f"({rowid} + 2 + coalesce((select max(s.k) from {SCRATCH}.reject_shift s "
            f"where s.t <= {rowid}), 0))")


def stage_raw(con: duckdb.DuckDBPyConnection, fmt: FileFormat, n_columns: int, progress=None) -> None:
    """Stage the file as text columns c0..cN plus `line_number` in `scratch.raw`; wrong-shaped
    lines go to `scratch.raw_errors` with their line numbers (DuckDB's rejects)."""
    shifted = read_text(con, fmt, n_columns, "raw_unnumbered", progress=progress)
    con.execute(f"drop table if exists {SCRATCH}.raw")
    if shifted:
        con.execute(
            f"""create table {SCRATCH}.raw as
            select r.*, r.rowid + 2 + coalesce(s.k, 0) as line_number
            from {SCRATCH}.raw_unnumbered as r
            asof left join {SCRATCH}.reject_shift as s on r.rowid >= s.t"""
        )
    else:
        con.execute(
            f"create table {SCRATCH}.raw as select *, rowid + 2 as line_number from {SCRATCH}.raw_unnumbered"
        )
    con.execute(f"drop table {SCRATCH}.raw_unnumbered")


class _InvalidUnicode(Exception):
    pass


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300]


def _unreadable(fmt: FileFormat, exc: duckdb.Error, what: str = "cannot be read as CSV") -> FileRejected:
    """The rejection for a failed read. Running out of memory is not the file's fault: say so,
    and what to change."""
    if isinstance(exc, duckdb.OutOfMemoryException):
        limit = os.environ.get("CYBERTRENDS_ETL_MEMORY_LIMIT", "1GB")
        return FileRejected(fmt.original.name, f"the load ran out of memory (DuckDB memory limit {limit}); "
                            "set CYBERTRENDS_ETL_MEMORY_LIMIT higher (e.g. 2GB) and load again")
    return FileRejected(fmt.original.name, f"{what}: {_first_line(exc)}")


def _count(con, sql: str, params=None) -> int:
    return int(con.execute(sql, params or {}).fetchone()[0])


def bind_used(sql: str, params: dict) -> dict:
    """Only the parameters `sql` uses (DuckDB rejects unused named parameters)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


# Shared SQL expressions ------------------------------------------------------------------

def _txt(col: str) -> str:
    """Trimmed text of a staged column, NULL when blank."""
    return f"nullif(trim({col}), '')"


def _norm(col: str) -> str:
    """Comparable key of a label: lower case, no accents, words split by single spaces."""
    return f"trim(regexp_replace(strip_accents(lower(trim({col}))), '[^a-z0-9]+', ' ', 'g'))"


def _date(expr: str) -> str:
    return (
        f"coalesce(try_strptime({expr}, '%Y-%m-%d'), try_strptime({expr}, '%d/%m/%Y'))::date"
    )


# --------------------------------------------------------------------------------------
# Canonical incidents (also the synthetic sample)
#
# Built to load ten million rows at close to DuckDB's own read speed. Writing a big table
# (even to memory) costs more than parsing the CSV, so the file is never staged: it is parsed
# twice and only the fact table is written.
# 1. Profile pass (parallel; only aggregates are kept): the distinct combinations of the
#    columns with few values (the two dates; ubigeo and crime code; age, sex, victim type,
#    modality and channel) with their row counts, a hash of every report_id (an id seen twice,
#    or already loaded from another file, makes a candidate), and DuckDB's rejects
#    (wrong-shaped lines). Every distinct value is then parsed and checked once, with the
#    expressions a row-by-row check would use, into small lookup tables.
# 2. Only if some value breaks a rule or some id is a candidate: an attention pass reads the
#    file in order, numbers the records, and keeps those rows (usually few) with their line
#    numbers; the detailed reasons and the exact duplicate checks run over them.
# 3. The insert (run by load.py): the file once more, joined to three lookups (hash probes, not
#    a regex or strptime per row): every row that breaks no rule and is no candidate, plus
#    the attention rows that turned out fine.

READ_CSV_AGAIN = """
    read_csv($path, delim = $delim, header = true, auto_detect = false, columns = $columns,
             quote = '"', escape = '"', encoding = $encoding, compression = $compression,
             ignore_errors = true)
"""

# Lookup tables over combinations of columns (one join each) and their aliases.
_COMBOS = {
    "c_dates": ("cd", ("report_date", "incident_date")),
    "c_place": ("cp", ("ubigeo", "crime_code")),
    "c_person": ("cv", ("victim_age", "victim_sex", "victim_type", "modality", "channel")),
}


def _lookup_sql(name: str, values: str) -> str:
    """SQL of the lookup table `name` over `values` (a query giving distinct `v` and its row
    count `n`). Each row has `v` (the value as read), `t` (trimmed, NULL when blank) and its
    parsed and checked columns; the expressions are the row-level rules, unchanged."""
    base = f"select v, {_txt('v')} as t, n from ({values})"
    if name == "m_date":
        return f"""select *, d is not null and d between $first and current_date as ok_report,
                   t is null or d is not null as ok_incident
            from (select v, t, n, {_date('t')} as d from ({base}))"""
    if name == "m_ubigeo":
        return f"""select *, coalesce(ubigeo in (select ubigeo from ref_district), false) as ok,
                   substr(ubigeo, 1, 2) as region_code,
                   case when substr(ubigeo, 1, 2) = '15' then
                        case when substr(ubigeo, 1, 4) = '1501' then 'metro' else 'rest' end end as lima_area
            from (select v, t, n, case when regexp_full_match(t, '[0-9]{{5,6}}') then lpad(t, 6, '0') end as ubigeo
                  from ({base}))"""
    if name == "m_crime":
        return f"""select *, crime_code is not null
                       and (crime_code = 'S/Art' or regexp_full_match(crime_code, '[0-9]{{1,3}}(-[A-Z]{{1,2}})?')) as ok,
                   coalesce(crime_code in (select crime_code from ref_crime), false) as in_scope
            from (select v, t, n,
                         regexp_replace(regexp_replace(upper(t), '^ART(ICULO|ÍCULO)?\\.?\\s*', ''), '^S/ART$', 'S/Art')
                             as crime_code
                  from ({base}))"""
    if name in ("m_modality", "m_channel"):
        what = "modality" if name == "m_modality" else "channel"
        return f"""select *, code_known is not null as known,
                   case when k is null or k = '' then null else coalesce(code_known, 'other') end as code
            from (select *, (select min(a.{what}) from ref_{what}_alias a where a.alias = m.k) as code_known
                  from (select v, t, n, {_norm('t')} as k from ({base})) m)"""
    if name == "m_age":
        return f"""select *, t is null or (age is not null and age between 0 and 120) as ok,
                   (select min(g.age_group) from ref_age_group g where a.age between g.min_age and g.max_age)
                       as age_group
            from (select v, t, n, case when regexp_full_match(t, '-?[0-9]{{1,4}}') then cast(t as integer) end as age
                  from ({base})) a"""
    if name == "m_sex":
        return f"""select *, t is null or sex is not null as ok from (
            select v, t, n, case {_norm('t')}
                when 'f' then 'female' when 'femenino' then 'female' when 'mujer' then 'female'
                when 'female' then 'female'
                when 'm' then 'male' when 'masculino' then 'male' when 'hombre' then 'male'
                when 'male' then 'male' when 'varon' then 'male'
            end as sex from ({base}))"""
    if name == "m_type":
        return f"""select *, t is null or vtype is not null as ok from (
            select v, t, n, case {_norm('t')}
                when 'persona natural' then 'person' when 'natural' then 'person' when 'person' then 'person'
                when 'persona juridica' then 'company' when 'juridica' then 'company' when 'company' then 'company'
                when 'estado' then 'state' when 'state' then 'state' when 'entidad publica' then 'state'
            end as vtype from ({base}))"""
    raise KeyError(name)


def _combo_sql(name: str) -> str:
    """SQL of the lookup over the combinations `scratch.k_<name>`, joined to the single-value
    lookups: parsed values, the fact columns they give, and `bad` (some rule broken)."""
    k = f"{SCRATCH}.k_{name[2:]}"
    m = lambda table: f"{SCRATCH}.{table}"  # noqa: E731
    if name == "c_dates":
        return f"""select k.k1, k.k2, k.n, a.t as report_date_raw, a.d as report_date,
                b.t as incident_date_raw, b.d as incident_date,
                not (coalesce(a.ok_report, false) and coalesce(b.ok_incident, true)
                     and not coalesce(b.d > a.d, false)) as bad
            from {k} k left join {m('m_date')} a on a.v = k.k1 left join {m('m_date')} b on b.v = k.k2"""
    if name == "c_place":
        return f"""select k.k1, k.k2, k.n, u.t as ubigeo_raw, u.ubigeo, u.region_code, u.lima_area,
                coalesce(u.ok, false) as ubigeo_known, c.t as crime_raw, c.crime_code,
                coalesce(c.in_scope, false) as in_scope,
                not (coalesce(u.ok, false) and coalesce(c.ok, false)) as bad
            from {k} k left join {m('m_ubigeo')} u on u.v = k.k1 left join {m('m_crime')} c on c.v = k.k2"""
    if name == "c_person":
        return f"""select k.k1, k.k2, k.k3, k.k4, k.k5, k.n, a.t as age_raw, a.age as age_value, s.t as sex_raw,
                s.sex as sex_value, t.t as type_raw, t.vtype as victim_type,
                case when t.vtype in ('company', 'state') then null else a.age end as victim_age,
                case when t.vtype in ('company', 'state') then 'unknown'
                     else coalesce(a.age_group, 'unknown') end as victim_age_group,
                case when t.vtype in ('company', 'state') then 'unknown'
                     else coalesce(s.sex, 'unknown') end as victim_sex,
                mo.code as modality, ch.code as channel,
                not (coalesce(a.ok, true) and coalesce(s.ok, true) and coalesce(t.ok, true)) as bad
            from {k} k left join {m('m_age')} a on a.v = k.k1 left join {m('m_sex')} s on s.v = k.k2
            left join {m('m_type')} t on t.v = k.k3 left join {m('m_modality')} mo on mo.v = k.k4
            left join {m('m_channel')} ch on ch.v = k.k5"""
    raise KeyError(name)


def load_incidents(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
    """One row per report (canonical incidents or the synthetic sample): every rule is checked, the rows
    that break one go to `scratch.stg_errors` (duplicate ids included), and `ok_sql` reads the file
    again for the valid in-scope rows."""
    pos = _column_positions(fmt, INCIDENT_COLUMNS, INCIDENT_REQUIRED)
    read = _read_csv_params(fmt, len(fmt.header))
    # Only the columns we use are read (free-text columns a file may carry are never touched).
    src_cols = ", ".join(f"c{pos[c]} as {c}" if c in pos else f"cast(null as varchar) as {c}" for c in INCIDENT_COLUMNS)
    others = _count(
        con, "select count(*) from (select 1 from fact_incident where source = $source and file_name <> $file limit 1)",
        {"source": source, "file": file_name},
    ) > 0

    report_id = _txt("r.report_id")
    amount_raw = _txt("r.amount_lost_pen")
    amount = f"try_cast({amount_raw} as decimal(14, 2))"
    amount_bad = f"({amount_raw} is not null and coalesce({amount} < 0, true))"
    id_hash = f"case when {report_id} is not null then hash({report_id}) end"

    # 1. Profile pass ------------------------------------------------------------------------
    combo_cols = [c for _, cols in _COMBOS.values() for c in cols]
    group_cols = [*combo_cols, "h", "id_missing", "amount_bad"]
    sets = [f"({', '.join(cols)})" for _, cols in _COMBOS.values()] + ["(h)", "(id_missing, amount_bad)"]
    seen_elsewhere = (
        "or h in (select hash(report_id) from fact_incident where source = $source and file_name <> $file)"
        if others else ""
    )
    profile_sql = f"""
        create or replace table {SCRATCH}.inc_profile as
        select grouping_id({', '.join(group_cols)}) as gid, {', '.join(group_cols)}, count(*) as n
        from (
            select {', '.join(f'r.{c}' for c in combo_cols)},
                   {id_hash} as h, {report_id} is null as id_missing, {amount_bad} as amount_bad
            from (select {src_cols} from {READ_CSV}) r
        )
        group by grouping sets ({', '.join(sets)})
        having grouping(h) = 1 or (h is not null and (count(*) > 1 {seen_elsewhere}))"""
    con.execute("drop table if exists csv_rejects")
    con.execute("drop table if exists csv_reject_scans")
    try:
        run = progress or (lambda c, sql, p: c.execute(sql, p))
        run(con, profile_sql, {**read, **({"source": source, "file": file_name} if others else {})})
    except duckdb.Error as exc:
        raise _unreadable(fmt, exc) from None
    shifted = _stage_rejects(con)

    def profile_of(*cols: str) -> str:
        """The profile rows grouped by exactly `cols` (grouping_id bit is 0 for grouped columns)."""
        bits = sum(1 << (len(group_cols) - 1 - i) for i, c in enumerate(group_cols) if c not in cols)
        return f"select * from {SCRATCH}.inc_profile where gid = {bits}"

    for name, (_, cols) in _COMBOS.items():
        keys = ", ".join(f"{c} as k{i + 1}" for i, c in enumerate(cols))
        con.execute(f"create or replace table {SCRATCH}.k_{name[2:]} as select {keys}, n from ({profile_of(*cols)})")

    def values(combo: str, *keys: str) -> str:
        union = " union all ".join(f"select {k} as v, n from {SCRATCH}.k_{combo[2:]}" for k in keys)
        return f"select v, sum(n) as n from ({union}) group by v"

    for table, combo, keys in (
        ("m_date", "c_dates", ("k1", "k2")), ("m_ubigeo", "c_place", ("k1",)), ("m_crime", "c_place", ("k2",)),
        ("m_modality", "c_person", ("k4",)), ("m_channel", "c_person", ("k5",)), ("m_age", "c_person", ("k1",)),
        ("m_sex", "c_person", ("k2",)), ("m_type", "c_person", ("k3",)),
    ):
        sql = _lookup_sql(table, values(combo, *keys))
        con.execute(f"create or replace table {SCRATCH}.{table} as {sql}", bind_used(sql, {"first": FIRST_VALID_DATE}))
    for name in _COMBOS:
        con.execute(f"create or replace table {SCRATCH}.{name} as {_combo_sql(name)}")
    con.execute(f"create or replace table {SCRATCH}.inc_cand as select h from ({profile_of('h')})")
    rows_good_shape = _count(con, f"select coalesce(sum(n), 0) from ({profile_of('id_missing', 'amount_bad')})")
    rows_read = rows_good_shape + _count(con, f"select count(distinct line_number) from {SCRATCH}.raw_errors")

    joins = " ".join(
        f"left join {SCRATCH}.{name} {alias} on "
        + " and ".join(f"{alias}.k{i + 1} is not distinct from r.{c}" for i, c in enumerate(cols))
        for name, (alias, cols) in _COMBOS.items()
    )
    broken = f"cd.bad or cp.bad or cv.bad or {report_id} is null or {amount_bad}"
    fact_cols = f"""
            {report_id} as report_id, cd.report_date, cd.incident_date, cp.ubigeo, cp.region_code, cp.lima_area,
            cp.crime_code, cp.in_scope, cv.modality, cv.channel, cv.victim_age, cv.victim_age_group, cv.victim_sex,
            cv.victim_type, {amount} as amount_lost_pen"""

    # 2. Attention pass: only when some value breaks a rule or some id is a candidate -------
    checks = [f"select count(*) from {SCRATCH}.{name} where bad" for name in _COMBOS]
    checks += [f"select count(*) from {SCRATCH}.inc_cand",
               f"select coalesce(sum(n), 0) from ({profile_of('id_missing', 'amount_bad')}) where id_missing or amount_bad"]
    attention = any(_count(con, sql) for sql in checks)
    has_cand = _count(con, f"select count(*) from {SCRATCH}.inc_cand") > 0
    detail_cols = """cd.report_date_raw, cd.incident_date_raw, cp.ubigeo_raw, cp.ubigeo_known, cp.crime_raw,
                cv.age_raw, cv.age_value, cv.sex_raw, cv.sex_value, cv.type_raw"""
    if attention:
        _ordered(
            con,
            f"""create or replace table {SCRATCH}.inc_attn as
            select r.rn - 1 as rid, {fact_cols}, {detail_cols}, {amount_raw} as amount_raw
            from (select row_number() over () as rn, {src_cols} from {READ_CSV_AGAIN}) r {joins}
            where {broken} {f"or {id_hash} in (select h from {SCRATCH}.inc_cand)" if has_cand else ""}""",
            read,
        )
    else:
        _ordered(
            con,
            f"""create or replace table {SCRATCH}.inc_attn as
            select cast(null as bigint) as rid, {fact_cols}, {detail_cols}, {amount_raw} as amount_raw
            from (select {src_cols} from {READ_CSV_AGAIN}) r {joins} limit 0""",
            read,
        )
    con.execute(f"alter table {SCRATCH}.inc_attn add column line_number bigint")
    con.execute(f"update {SCRATCH}.inc_attn set line_number = {line_of('rid', shifted)}")
    con.execute(
        f"""create or replace table {SCRATCH}.inc_dups as
        select report_id, min(rid) as first_rid from {SCRATCH}.inc_attn
        where report_id is not null group by report_id having count(*) > 1"""
    )
    con.execute(
        f"""create or replace table {SCRATCH}.inc_xdups as
        select i.report_id, any_value(i.file_name) as other_file
        from fact_incident i
        where {'true' if others else 'false'} and i.source = $source and i.file_name <> $file
          and i.report_id in (select report_id from {SCRATCH}.inc_attn)
        group by i.report_id""",
        {"source": source, "file": file_name},
    )

    # The reasons, rule by rule, over the attention rows only -------------------------------
    a = f"{SCRATCH}.inc_attn"
    con.execute(
        f"""create or replace table {SCRATCH}.stg_errors as
        select * from {SCRATCH}.raw_errors
        union all
        select line_number, 'report_id', 'missing report_id; expected a text identifier', null
        from {a} where report_id is null
        union all
        select line_number, 'report_date',
               case when report_date_raw is null then 'missing report_date; expected YYYY-MM-DD or DD/MM/YYYY'
                    else 'not a valid date; expected YYYY-MM-DD or DD/MM/YYYY' end,
               report_date_raw
        from {a} where report_date is null
        union all
        select line_number, 'report_date', 'date out of range; expected between 1990-01-01 and today', report_date_raw
        from {a} where report_date < $first or report_date > current_date
        union all
        select line_number, 'incident_date', 'not a valid date; expected YYYY-MM-DD or DD/MM/YYYY', incident_date_raw
        from {a} where incident_date_raw is not null and incident_date is null
        union all
        select line_number, 'incident_date', 'incident_date is after report_date', incident_date_raw
        from {a} where incident_date > report_date
        union all
        select line_number, 'ubigeo',
               case when ubigeo_raw is null then 'missing ubigeo; expected a 6-digit INEI district code'
                    when ubigeo is null then 'not a district code; expected 6 digits'
                    else 'unknown district code (not an INEI ubigeo)' end,
               ubigeo_raw
        from {a} where not ubigeo_known
        union all
        select line_number, 'crime_code',
               case when crime_raw is null then 'missing crime_code'
                    else 'unknown crime code; expected a Ley 30096 article (2-11, 12-A, S/Art) or a Penal Code article such as 196-A' end,
               crime_raw
        from {a}
        where crime_code is null or not (crime_code = 'S/Art' or regexp_full_match(crime_code, '[0-9]{{1,3}}(-[A-Z]{{1,2}})?'))
        union all
        select line_number, 'victim_age', 'not a valid age; expected whole years 0-120', age_raw
        from {a} where age_raw is not null and (age_value is null or age_value < 0 or age_value > 120)
        union all
        select line_number, 'victim_sex', 'unknown sex; expected F, M, Femenino, Masculino, Mujer, Hombre or blank', sex_raw
        from {a} where sex_raw is not null and sex_value is null
        union all
        select line_number, 'victim_type', 'unknown victim type; expected persona natural, persona jurídica or Estado', type_raw
        from {a} where type_raw is not null and victim_type is null
        union all
        select line_number, 'amount_lost_pen',
               case when amount_lost_pen is null then 'not a number; expected soles with . as decimal mark'
                    else 'negative amount; expected 0 or more' end,
               amount_raw
        from {a} where amount_raw is not null and (amount_lost_pen is null or amount_lost_pen < 0)
        union all
        select b.line_number, 'report_id', 'duplicate report_id (first on line ' || {line_of('d.first_rid', shifted)} || ')',
               b.report_id
        from {a} b join {SCRATCH}.inc_dups d on d.report_id = b.report_id and b.rid > d.first_rid
        union all
        select b.line_number, 'report_id', 'duplicate report_id (already loaded from ' || x.other_file || ')', b.report_id
        from {a} b join {SCRATCH}.inc_xdups x on x.report_id = b.report_id""",
        {"first": FIRST_VALID_DATE},
    )
    con.execute(
        f"""create or replace table {SCRATCH}.inc_attn_ok as
        select * from {a} where line_number not in (select line_number from {SCRATCH}.stg_errors)"""
    )
    # In scope = a crime code of ours; rows that break a rule are rejected, not out of scope.
    out_of_scope = _count(
        con,
        f"""select coalesce((select sum(n) from {SCRATCH}.c_place where not in_scope), 0)
                 - (select count(*) from {a} where not in_scope)
                 + (select count(*) from {SCRATCH}.inc_attn_ok where not in_scope)""",
    )

    # 3. The insert (run by load.py after the --strict check) -------------------------------
    out_cols = ("report_id, report_date, incident_date, ubigeo, region_code, lima_area, crime_code, modality, "
                "channel, victim_age, victim_age_group, victim_sex, victim_type, amount_lost_pen")
    # Every row must find its combinations (a file that changed after the profile pass would
    # not: such rows are left out, and load.py rejects the changed file).
    exclude = ["cd.n is not null and cp.n is not null and cv.n is not null"]
    if attention:
        exclude.append(f"not ({broken})")
        if has_cand:
            exclude.append(f"{id_hash} not in (select h from {SCRATCH}.inc_cand)")
    ok_sql = f"""
        select *, {RECORD_KEY_SQL} as record_key from (
        select $source as source, $file as file_name, {out_cols} from (
            select {fact_cols}
            from (select {src_cols} from {READ_CSV_AGAIN}) r {joins}
            where cp.in_scope {''.join(' and ' + e for e in exclude)}
        )
        union all
        select $source, $file, {out_cols} from {SCRATCH}.inc_attn_ok where in_scope)"""

    notes = []
    for what, table in (("modality", "m_modality"), ("channel", "m_channel")):
        unknown = con.execute(
            f"""select t, sum(n)::bigint as n from {SCRATCH}.{table}
            where k <> '' and not known group by t order by n desc, t limit 5"""
        ).fetchall()
        if unknown:
            listed = ", ".join(f"'{v}' ({n})" for v, n in unknown)
            notes.append(f"unknown {what} values kept as 'other': {listed}")
    return AdapterResult("fact_incident", rows_read, out_of_scope, notes, ok_sql=ok_sql,
                         ok_params={**read, "source": source, "file": file_name})


# --------------------------------------------------------------------------------------
# Ministerio Público (MPFN) "delitos": counts per year x fiscal district x article

def _stage_mpfn_repaired(con, fmt: FileFormat) -> None:
    """Repair pass for the real, unquoted MPFN file: the first 6 and last 6 fields are fixed,
    known comma-bearing `generico` values are matched first, and the rest is split on the
    article token (reference-data/SOURCE.md)."""
    con.execute(f"drop table if exists {SCRATCH}.raw_lines")
    con.execute(f"drop table if exists {SCRATCH}.raw_lines_unnumbered")
    try:
        _ordered(
            con,
            f"""create table {SCRATCH}.raw_lines_unnumbered as
            select line
            from read_csv($path, delim = '\x01', header = false, auto_detect = false, quote = '',
                          escape = '', columns = {{'line': 'VARCHAR'}}, encoding = $encoding,
                          compression = $compression)""",
            {"path": str(fmt.path), "encoding": fmt.encoding,
             "compression": "gzip" if fmt.compressed else "none"},
        )
    except duckdb.Error as exc:
        raise _unreadable(fmt, exc, "cannot be read as text") from None
    con.execute(
        f"""create table {SCRATCH}.raw_lines as
        select line, rowid + 1 as line_number from {SCRATCH}.raw_lines_unnumbered"""
    )
    con.execute(f"drop table {SCRATCH}.raw_lines_unnumbered")
    con.execute(
        f"""create or replace table {SCRATCH}.mpfn_split as
        with l as (
            select line_number, line, string_split(line, ',') as f
            from {SCRATCH}.raw_lines where line_number > 1 and trim(line) <> ''
        ), m as (
            select line_number, line, f, len(f) as n, array_to_string(f[7:len(f) - 6], ',') as middle from l
        ), g as (
            select *,
                coalesce(
                    (select k from unnest($known) as u(k) where starts_with(m.middle, k || ',') limit 1),
                    split_part(m.middle, ',', 1)) as generico
            from m
        )
        select line_number, n, line,
            f[1] as c0, f[2] as c1, f[3] as c2, f[4] as c3, f[5] as c4, f[6] as c5,
            generico as c6,
            regexp_extract(substr(middle, length(generico) + 2),
                           '^(.*?),(' || $art || '),(.*)$', ['sub', 'art', 'des']) as rest,
            f[n - 5] as c10, f[n - 4] as c11, f[n - 3] as c12, f[n - 2] as c13, f[n - 1] as c14, f[n] as c15
        from g""",
        {"known": MPFN_COMMA_GENERICOS, "art": MPFN_ARTICLE_PATTERN},
    )
    con.execute(f"drop table if exists {SCRATCH}.raw_errors")
    con.execute(
        f"""create table {SCRATCH}.raw_errors as
        select line_number, '*' as column_name,
               'could not split the line into the 16 MPFN fields (' || n || ' comma-separated parts)' as reason,
               left(line, 200) as value
        from {SCRATCH}.mpfn_split where n < 16 or rest.art = ''"""
    )
    con.execute(f"drop table if exists {SCRATCH}.raw")
    con.execute(
        f"""create table {SCRATCH}.raw as
        select c0, c1, c2, c3, c4, c5, c6, rest.sub as c7, rest.art as c8, rest.des as c9,
               c10, c11, c12, c13, c14, c15, line_number
        from {SCRATCH}.mpfn_split where n >= 16 and rest.art <> ''"""
    )


# Spanish month names as `periodo_denuncia` writes them ("ENERO - NOVIEMBRE").
MPFN_MONTHS = {
    "ENERO": 1, "FEBRERO": 2, "MARZO": 3, "ABRIL": 4, "MAYO": 5, "JUNIO": 6, "JULIO": 7,
    "AGOSTO": 8, "SETIEMBRE": 9, "SEPTIEMBRE": 9, "OCTUBRE": 10, "NOVIEMBRE": 11, "DICIEMBRE": 12,
}
# Formats the MPFN files use for their dates; one is chosen per file (`_mpfn_date_format`).
MPFN_DATE_FORMATS = {"%d/%m/%Y": "dd/mm/yyyy", "%m/%d/%Y": "m/d/yyyy", "%Y-%m-%d": "yyyy-mm-dd"}


def _mpfn_date_format(con, file_name: str) -> str | None:
    """The one date format of this file's `fecha_corte` / `fecha_descarga`, decided per file
    from every value in it, never per row: the format that reads all of them and puts no date
    before the year it reports. None when the file has no dates. A file whose dates fit two
    formats with different results, or no single format, is rejected."""
    rows = con.execute(
        f"""select v, min(year) as year from (
                select fecha_corte_raw as v, year from {SCRATCH}.typed
                union all select fecha_descarga_raw, year from {SCRATCH}.typed)
            where v is not null group by v order by v"""
    ).fetchall()
    if not rows:
        return None
    values, years = [r[0] for r in rows], [r[1] for r in rows]
    fits = {}
    for fmt in MPFN_DATE_FORMATS:
        dates, ok = con.execute(
            """select list(try_strptime(v, $fmt)::date order by v),
                      bool_and(coalesce(year(try_strptime(v, $fmt)) >= coalesce(y, 0), false))
            from (select unnest($values) as v, unnest($years) as y)""",
            {"fmt": fmt, "values": values, "years": years},
        ).fetchone()
        if ok:
            fits[fmt] = dates
    if len(fits) == 1:
        return next(iter(fits))
    if not fits:
        first = con.execute(
            f"""select line_number, c, v from (
                    select line_number, 'fecha_corte' as c, fecha_corte_raw as v from {SCRATCH}.typed
                    union all select line_number, 'fecha_descarga', fecha_descarga_raw from {SCRATCH}.typed)
                where v is not null and try_strptime(v, '%d/%m/%Y') is null
                  and try_strptime(v, '%m/%d/%Y') is null and try_strptime(v, '%Y-%m-%d') is null
                order by line_number limit 1"""
        ).fetchone()
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
    pos = _column_positions(fmt, wanted, MPFN_REQUIRED)
    standard_order = [fmt.header.index(c) if c in fmt.header else None for c in MPFN_COLUMNS]
    repaired = False
    stage_raw(con, fmt, len(fmt.header), progress)
    bad_shape = _count(con, f"select count(*) from {SCRATCH}.raw_errors")
    if bad_shape and fmt.delimiter == "," and standard_order == list(range(16)):
        # Unquoted commas inside fields (the real 2023 national file): repair line by line.
        _stage_mpfn_repaired(con, fmt)
        pos = {c: i for i, c in enumerate(MPFN_COLUMNS)}
        repaired = True

    def col(name: str) -> str:
        return _txt(f"c{pos[name]}") if name in pos else "cast(null as varchar)"

    con.execute(
        f"""create or replace table {SCRATCH}.typed as
        select line_number,
            {col('anio_denuncia')} as year_raw, try_cast({col('anio_denuncia')} as integer) as year,
            {col('periodo_denuncia')} as periodo_raw,
            regexp_extract(upper(strip_accents(coalesce({col('periodo_denuncia')}, 'ENERO - DICIEMBRE'))),
                           '^([A-Z]+)(?:\\s*-\\s*([A-Z]+))?$', ['m1', 'm2']) as periodo,
            {col('distrito_fiscal')} as district_raw,
            upper(strip_accents({col('distrito_fiscal')})) as district_key,
            {col('ubigeo_pjfs')} as ubigeo_raw,
            case when regexp_full_match({col('ubigeo_pjfs')}, '[0-9]{{5,6}}')
                 then lpad({col('ubigeo_pjfs')}, 6, '0') end as ubigeo,
            {col('dpto_pjfs')} as dpto_raw,
            upper(strip_accents({col('prov_pjfs')})) as prov_key,
            {col('generico')} as generico,
            {col('articulo')} as article_raw,
            case when upper({col('articulo')}) in ('S/ART', 'S/N', 'S/A') then 'S/Art'
                 else upper({col('articulo')}) end as article,
            {col('cantidad')} as count_raw, try_cast({col('cantidad')} as bigint) as report_count,
            {col('fecha_corte')} as fecha_corte_raw,
            {col('fecha_descarga')} as fecha_descarga_raw
        from {SCRATCH}.raw"""
    )
    date_format = _mpfn_date_format(con, file_name)
    rows_read = _count(con, f"select count(*) from {SCRATCH}.typed") + _count(
        con, f"select count(distinct line_number) from {SCRATCH}.raw_errors"
    )
    months = ", ".join(f"('{k}', {v})" for k, v in MPFN_MONTHS.items())
    # Region: the office's ubigeo (leading zero restored), else its department's name, else
    # (files with neither) the fiscal district's department.
    con.execute(
        f"""create or replace table {SCRATCH}.typed_scope as
        with months as (select * from (values {months}) m(k, v)),
        dept as (select region_code, upper(strip_accents(region_name)) as k from ref_region
                 union select region_code, region_name_upper from ref_region)
        select t.*,
            case when t.generico like '%30096%' then t.article
                 when regexp_matches(upper(coalesce(t.generico, '')), '^(LEY|D\\.? ?LEG|DECRETO|DELITOS ADUANEROS|DELITOS TRIBUTARIOS)')
                     then null
                 when exists (select 1 from ref_crime c where c.law = 'Código Penal' and c.crime_code = t.article)
                     then t.article
            end as crime_code,
            t.generico like '%30096%' as is_ley_30096,
            m1.v as month_from, coalesce(m2.v, m1.v) as month_to,
            ru.region_code as ubigeo_region, fd.region_code as district_region,
            case when t.ubigeo_raw is not null then ru.region_code
                 when t.dpto_raw is not null then rd.region_code
                 else fd.region_code end as region_code,
            try_strptime(t.fecha_corte_raw, $fmt)::date as data_as_of
        from {SCRATCH}.typed t
        left join months m1 on m1.k = t.periodo.m1
        left join months m2 on m2.k = nullif(t.periodo.m2, '')
        left join ref_region ru on ru.region_code = substr(t.ubigeo, 1, 2)
        left join dept rd on rd.k = upper(strip_accents(t.dpto_raw))
        left join (select upper(strip_accents(fiscal_district)) as k, region_code from ref_fiscal_district) fd
          on fd.k = t.district_key""",
        {"fmt": date_format or "%d/%m/%Y"},
    )
    con.execute(
        f"""create or replace table {SCRATCH}.stg_errors as
        select * from {SCRATCH}.raw_errors
        union all
        select line_number, 'anio_denuncia', 'not a valid year; expected 4 digits (1990-2100)', year_raw
        from {SCRATCH}.typed_scope where year is null or year < 1990 or year > 2100
        union all
        select line_number, 'periodo_denuncia',
               'not a valid period; expected Spanish month names such as ''ENERO - DICIEMBRE''', periodo_raw
        from {SCRATCH}.typed_scope where month_from is null or month_to is null or month_from > month_to
        union all
        select line_number, 'ubigeo_pjfs', 'not a known office ubigeo; expected a 6-digit code starting 01-25', ubigeo_raw
        from {SCRATCH}.typed_scope where ubigeo_raw is not null and ubigeo_region is null
        union all
        select line_number, 'dpto_pjfs', 'unknown department; expected one of the 24 departments or Callao', dpto_raw
        from {SCRATCH}.typed_scope where ubigeo_raw is null and dpto_raw is not null and region_code is null
        union all
        select line_number, 'distrito_fiscal', 'unknown fiscal district; expected one of the 34 MPFN fiscal districts', district_raw
        from {SCRATCH}.typed_scope where district_region is null
        union all
        select line_number, 'cantidad', 'not a valid count; expected a whole number 0 or more', count_raw
        from {SCRATCH}.typed_scope where report_count is null or report_count < 0
        union all
        select line_number, 'articulo', 'unknown Ley 30096 article; expected 2-11, 12-A or S/Art', article_raw
        from {SCRATCH}.typed_scope t
        where is_ley_30096 and not exists (select 1 from ref_crime c where c.is_ley_30096 and c.crime_code = t.article)"""
    )
    out_of_scope = _count(
        con,
        f"""select count(*) from {SCRATCH}.typed_scope t where crime_code is null and not is_ley_30096
        and not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
    )
    con.execute(
        f"""create or replace table {SCRATCH}.stg_ok as
        select $source as source, $file as file_name, make_date(year, month_from, 1) as period_start,
               'year' as period_grain, region_code,
               case when region_code = '15' then
                   case when ubigeo like '1501%' or (ubigeo is null and prov_key = 'LIMA') then 'metro'
                        when ubigeo is not null or prov_key is not null then 'rest' end end as lima_area,
               district_raw as geo_label, crime_code, report_count, data_as_of,
               last_day(make_date(year, month_to, 1)) as period_end, district_raw as fiscal_district
        from {SCRATCH}.typed_scope t
        where crime_code is not null
          and not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
        {"source": source, "file": file_name},
    )
    notes = ["unquoted commas repaired (fixed leading/trailing fields)"] if repaired else []
    by_district = _count(con, f"select count(*) from {SCRATCH}.typed_scope where ubigeo_raw is null and dpto_raw is null")
    if by_district:
        notes.append(f"{by_district} rows without the office's ubigeo or department: region taken from the fiscal district")
    if date_format and date_format != "%d/%m/%Y":
        notes.append(f"dates read as {MPFN_DATE_FORMATS[date_format]}")
    as_of = con.execute(f"select max(data_as_of) from {SCRATCH}.stg_ok").fetchone()[0]
    return AdapterResult("fact_count", rows_read, out_of_scope, notes, data_as_of=as_of)


# --------------------------------------------------------------------------------------
# Police SIDPOL "denuncias policiales": counts per month x district x broad modality

def load_sidpol(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
    """Police (SIDPOL) counts per month x district x modality: only 'Estafa' is kept (Penal Code art. 196,
    a context series); the region is the district's department, Lima split into metro and rest."""
    wanted = {c: (c,) for c in SIDPOL_COLUMNS}
    pos = _column_positions(fmt, wanted, SIDPOL_REQUIRED)
    stage_raw(con, fmt, len(fmt.header), progress)

    def col(name: str) -> str:
        return _txt(f"c{pos[name]}") if name in pos else "cast(null as varchar)"

    con.execute(
        f"""create or replace table {SCRATCH}.typed as
        select line_number,
            {col('anio')} as year_raw, try_cast({col('anio')} as integer) as year,
            {col('mes')} as month_raw, try_cast({col('mes')} as integer) as month,
            {col('ubigeo_hecho')} as ubigeo_raw,
            case when regexp_full_match({col('ubigeo_hecho')}, '[0-9]{{5,6}}')
                 then lpad({col('ubigeo_hecho')}, 6, '0') end as ubigeo,
            upper(strip_accents({col('dpto_hecho_new')})) as region_label,
            {_norm(col('p_modalidades'))} as modality_key,
            {col('cantidad')} as count_raw, try_cast({col('cantidad')} as bigint) as report_count
        from {SCRATCH}.raw"""
    )
    rows_read = _count(con, f"select count(*) from {SCRATCH}.typed") + _count(
        con, f"select count(distinct line_number) from {SCRATCH}.raw_errors"
    )
    con.execute(
        f"""create or replace table {SCRATCH}.stg_errors as
        select * from {SCRATCH}.raw_errors
        union all
        select line_number, 'ANIO', 'not a valid year; expected 4 digits (1990-2100)', year_raw
        from {SCRATCH}.typed where year is null or year < 1990 or year > 2100
        union all
        select line_number, 'MES', 'not a valid month; expected 1-12', month_raw
        from {SCRATCH}.typed where month is null or month < 1 or month > 12
        union all
        select line_number, 'UBIGEO_HECHO',
               case when ubigeo is null then 'not a district code; expected 5 or 6 digits'
                    else 'unknown region in ubigeo; expected a code starting 01-25' end,
               ubigeo_raw
        from {SCRATCH}.typed t
        where ubigeo is null or not exists (select 1 from ref_region r where r.region_code = substr(t.ubigeo, 1, 2))
        union all
        select line_number, 'cantidad', 'not a valid count; expected a whole number 0 or more', count_raw
        from {SCRATCH}.typed where report_count is null or report_count < 0"""
    )
    out_of_scope = _count(
        con,
        f"""select count(*) from {SCRATCH}.typed t where modality_key <> 'estafa'
        and not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
    )
    con.execute(
        f"""create or replace table {SCRATCH}.stg_ok as
        select $source as source, $file as file_name, make_date(year, month, 1) as period_start,
               'month' as period_grain, substr(ubigeo, 1, 2) as region_code,
               case when substr(ubigeo, 1, 2) = '15' then
                   case when region_label = 'LIMA METROPOLITANA' then 'metro'
                        when region_label = 'REGION LIMA' then 'rest'
                        when substr(ubigeo, 1, 4) = '1501' then 'metro' else 'rest' end end as lima_area,
               region_label as geo_label, '196' as crime_code, report_count,
               cast(null as date) as data_as_of, last_day(make_date(year, month, 1)) as period_end,
               cast(null as varchar) as fiscal_district
        from {SCRATCH}.typed t
        where modality_key = 'estafa'
          and not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
        {"source": source, "file": file_name},
    )
    notes = ["only the 'Estafa' modality is loaded (Penal Code art. 196, any channel; context series)"]
    return AdapterResult("fact_count", rows_read, out_of_scope, notes)


ADAPTERS = {"incidents": load_incidents, "synthetic": load_incidents, "mpfn": load_mpfn, "sidpol": load_sidpol}
