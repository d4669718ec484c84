"""Extract and validate, per source format. All row work is DuckDB SQL over staged tables.

Every adapter fills, in the scratch schema:
- `stg_errors(line_number, column_name, reason, value)`: one row per broken rule;
- `stg_ok`: the in-scope rows that broke no rule, already mapped to the fact table's columns;
and returns an `AdapterResult` with the counts the load log needs.
User-supplied paths and values are always bound as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from etl.detect import FileFormat, FileRejected

SCRATCH = "scratch"


@dataclass
class AdapterResult:
    fact_table: str  # fact_incident | fact_count
    rows_read: int
    rows_out_of_scope: int
    notes: list[str]


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


def stage_raw(con: duckdb.DuckDBPyConnection, fmt: FileFormat, n_columns: int, progress=None) -> None:
    """Stage the file as text columns c0..cN plus `line_number`; wrong-shaped lines go to
    `scratch.raw_errors` with their line numbers (DuckDB's rejects)."""
    con.execute("drop table if exists csv_rejects")
    con.execute("drop table if exists csv_reject_scans")
    con.execute(f"drop table if exists {SCRATCH}.raw_unnumbered")
    sql = f"create table {SCRATCH}.raw_unnumbered as select * from {READ_CSV}"
    params = _read_csv_params(fmt, n_columns)
    try:
        if progress is not None:
            progress(con, sql, params)
        else:
            con.execute(sql, params)
    except duckdb.Error as exc:
        raise FileRejected(fmt.original.name, f"cannot be read as CSV: {_first_line(exc)}") from None
    rejects = con.execute(
        "select line, error_type, error_message, csv_line from csv_rejects order by line"
    ).fetchall()
    if any(r[1] == "INVALID UNICODE" for r in rejects):
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
    # Good rows keep file order (preserve_insertion_order), so rowid r is the r-th good record;
    # its line is r + 2 (header, 0-based) plus the rejected lines before it.
    con.execute(f"drop table if exists {SCRATCH}.raw")
    if rejects:
        con.execute(
            f"""create table {SCRATCH}.raw as
            with rej as (
                select line, row_number() over (order by line) - 1 as i
                from (select distinct line from csv_rejects)
            ), th as (select line - 2 - i as t from rej)
            select r.*, r.rowid + 2 + (select count(*) from th where th.t <= r.rowid) as line_number
            from {SCRATCH}.raw_unnumbered as r"""
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


def _count(con, sql: str, params=None) -> int:
    return int(con.execute(sql, params or {}).fetchone()[0])


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

def load_incidents(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
    pos = _column_positions(fmt, INCIDENT_COLUMNS, INCIDENT_REQUIRED)
    stage_raw(con, fmt, len(fmt.header), progress)

    def col(name: str) -> str:
        return _txt(f"c{pos[name]}") if name in pos else "cast(null as varchar)"

    con.execute(
        f"""create or replace table {SCRATCH}.typed as
        select
            line_number,
            {col('report_id')} as report_id,
            {col('report_date')} as report_date_raw,
            {_date(col('report_date'))} as report_date,
            {col('incident_date')} as incident_date_raw,
            {_date(col('incident_date'))} as incident_date,
            {col('ubigeo')} as ubigeo_raw,
            case when regexp_full_match({col('ubigeo')}, '[0-9]{{5,6}}')
                 then lpad({col('ubigeo')}, 6, '0') end as ubigeo,
            {col('crime_code')} as crime_raw,
            regexp_replace(
                regexp_replace(upper({col('crime_code')}), '^ART(ICULO|ÍCULO)?\\.?\\s*', ''),
                '^S/ART$', 'S/Art') as crime_code,
            {col('modality')} as modality_raw,
            {_norm(col('modality'))} as modality_key,
            {col('channel')} as channel_raw,
            {_norm(col('channel'))} as channel_key,
            {col('victim_age')} as age_raw,
            case when regexp_full_match({col('victim_age')}, '-?[0-9]{{1,4}}')
                 then cast({col('victim_age')} as integer) end as victim_age,
            {col('victim_sex')} as sex_raw,
            case {_norm(col('victim_sex'))}
                when 'f' then 'female' when 'femenino' then 'female' when 'mujer' then 'female'
                when 'female' then 'female'
                when 'm' then 'male' when 'masculino' then 'male' when 'hombre' then 'male'
                when 'male' then 'male' when 'varon' then 'male'
            end as victim_sex,
            {col('victim_type')} as type_raw,
            case {_norm(col('victim_type'))}
                when 'persona natural' then 'person' when 'natural' then 'person' when 'person' then 'person'
                when 'persona juridica' then 'company' when 'juridica' then 'company' when 'company' then 'company'
                when 'estado' then 'state' when 'state' then 'state' when 'entidad publica' then 'state'
            end as victim_type,
            {col('amount_lost_pen')} as amount_raw,
            try_cast({col('amount_lost_pen')} as decimal(14, 2)) as amount_lost_pen
        from {SCRATCH}.raw"""
    )
    rows_read = _count(con, f"select count(*) from {SCRATCH}.typed") + _count(
        con, f"select count(distinct line_number) from {SCRATCH}.raw_errors"
    )
    params = {"first": FIRST_VALID_DATE, "source": source, "file": file_name}
    con.execute(
        f"""create or replace table {SCRATCH}.stg_errors as
        select * from {SCRATCH}.raw_errors
        union all
        select line_number, 'report_id', 'missing report_id; expected a text identifier', null
        from {SCRATCH}.typed where report_id is null
        union all
        select line_number, 'report_date',
               case when report_date_raw is null then 'missing report_date; expected YYYY-MM-DD or DD/MM/YYYY'
                    else 'not a valid date; expected YYYY-MM-DD or DD/MM/YYYY' end,
               report_date_raw
        from {SCRATCH}.typed where report_date is null
        union all
        select line_number, 'report_date', 'date out of range; expected between 1990-01-01 and today', report_date_raw
        from {SCRATCH}.typed where report_date < $first or report_date > current_date
        union all
        select line_number, 'incident_date', 'not a valid date; expected YYYY-MM-DD or DD/MM/YYYY', incident_date_raw
        from {SCRATCH}.typed where incident_date_raw is not null and incident_date is null
        union all
        select line_number, 'incident_date', 'incident_date is after report_date', incident_date_raw
        from {SCRATCH}.typed where incident_date > report_date
        union all
        select line_number, 'ubigeo',
               case when ubigeo_raw is null then 'missing ubigeo; expected a 6-digit INEI district code'
                    when ubigeo is null then 'not a district code; expected 6 digits'
                    else 'unknown district code (not an INEI ubigeo)' end,
               ubigeo_raw
        from {SCRATCH}.typed t
        where ubigeo is null or not exists (select 1 from ref_district d where d.ubigeo = t.ubigeo)
        union all
        select line_number, 'crime_code',
               case when crime_raw is null then 'missing crime_code'
                    else 'unknown crime code; expected a Ley 30096 article (2-11, 12-A, S/Art) or a Penal Code article such as 196-A' end,
               crime_raw
        from {SCRATCH}.typed
        where crime_code is null or not (crime_code = 'S/Art' or regexp_full_match(crime_code, '[0-9]{{1,3}}(-[A-Z]{{1,2}})?'))
        union all
        select line_number, 'victim_age', 'not a valid age; expected whole years 0-120', age_raw
        from {SCRATCH}.typed where age_raw is not null and (victim_age is null or victim_age < 0 or victim_age > 120)
        union all
        select line_number, 'victim_sex', 'unknown sex; expected F, M, Femenino, Masculino, Mujer, Hombre or blank', sex_raw
        from {SCRATCH}.typed where sex_raw is not null and victim_sex is null
        union all
        select line_number, 'victim_type', 'unknown victim type; expected persona natural, persona jurídica or Estado', type_raw
        from {SCRATCH}.typed where type_raw is not null and victim_type is null
        union all
        select line_number, 'amount_lost_pen',
               case when amount_lost_pen is null then 'not a number; expected soles with . as decimal mark'
                    else 'negative amount; expected 0 or more' end,
               amount_raw
        from {SCRATCH}.typed where amount_raw is not null and (amount_lost_pen is null or amount_lost_pen < 0)
        union all
        select t.line_number, 'report_id', 'duplicate report_id (first on line ' || f.first_line || ')', t.report_id
        from {SCRATCH}.typed t
        join (select report_id, min(line_number) as first_line from {SCRATCH}.typed
              where report_id is not null group by report_id having count(*) > 1) f
          on t.report_id = f.report_id and t.line_number > f.first_line
        union all
        select t.line_number, 'report_id', 'duplicate report_id (already loaded from ' || any_value(i.file_name) || ')', t.report_id
        from {SCRATCH}.typed t
        join fact_incident i on i.source = $source and i.report_id = t.report_id and i.file_name <> $file
        group by t.line_number, t.report_id""",
        params,
    )
    out_of_scope = _count(
        con,
        f"""select count(*) from {SCRATCH}.typed t
        where not exists (select 1 from ref_crime c where c.crime_code = t.crime_code)
          and not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
    )
    con.execute(
        f"""create or replace table {SCRATCH}.stg_ok as
        select
            $source as source, $file as file_name, t.report_id, t.report_date, t.incident_date,
            t.ubigeo, substr(t.ubigeo, 1, 2) as region_code,
            case when substr(t.ubigeo, 1, 2) = '15' then
                 case when substr(t.ubigeo, 1, 4) = '1501' then 'metro' else 'rest' end end as lima_area,
            t.crime_code,
            case when t.modality_key is null or t.modality_key = '' then null
                 else coalesce(ma.modality, 'other') end as modality,
            case when t.channel_key is null or t.channel_key = '' then null
                 else coalesce(ca.channel, 'other') end as channel,
            case when t.victim_type in ('company', 'state') then null else t.victim_age end as victim_age,
            case when t.victim_type in ('company', 'state') or t.victim_age is null then 'unknown'
                 else (select g.age_group from ref_age_group g
                       where t.victim_age between g.min_age and g.max_age) end as victim_age_group,
            case when t.victim_type in ('company', 'state') then 'unknown'
                 else coalesce(t.victim_sex, 'unknown') end as victim_sex,
            t.victim_type, t.amount_lost_pen
        from {SCRATCH}.typed t
        semi join ref_crime c on c.crime_code = t.crime_code
        left join ref_modality_alias ma on ma.alias = t.modality_key
        left join ref_channel_alias ca on ca.alias = t.channel_key
        where not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
        {"source": source, "file": file_name},
    )
    notes = []
    for what, raw, key, table in (
        ("modality", "modality_raw", "modality_key", "ref_modality_alias"),
        ("channel", "channel_raw", "channel_key", "ref_channel_alias"),
    ):
        unknown = con.execute(
            f"""select {raw}, count(*) as n from {SCRATCH}.typed t
            where {key} <> '' and not exists (select 1 from {table} a where a.alias = t.{key})
            group by all order by n desc, {raw} limit 5"""
        ).fetchall()
        if unknown:
            listed = ", ".join(f"'{v}' ({n})" for v, n in unknown)
            notes.append(f"unknown {what} values kept as 'other': {listed}")
    return AdapterResult("fact_incident", rows_read, out_of_scope, notes)


# --------------------------------------------------------------------------------------
# Ministerio Público (MPFN) "delitos": counts per year x fiscal district x article

def _stage_mpfn_repaired(con, fmt: FileFormat) -> None:
    """Repair pass for the real, unquoted MPFN file: the first 6 and last 6 fields are fixed,
    known comma-bearing `generico` values are matched first, and the rest is split on the
    article token (reference-data/SOURCE.md)."""
    con.execute(f"drop table if exists {SCRATCH}.raw_lines")
    con.execute(f"drop table if exists {SCRATCH}.raw_lines_unnumbered")
    try:
        con.execute(
            f"""create table {SCRATCH}.raw_lines_unnumbered as
            select line
            from read_csv($path, delim = '\x01', header = false, auto_detect = false, quote = '',
                          escape = '', columns = {{'line': 'VARCHAR'}}, encoding = $encoding,
                          compression = $compression)""",
            {"path": str(fmt.path), "encoding": fmt.encoding,
             "compression": "gzip" if fmt.compressed else "none"},
        )
    except duckdb.Error as exc:
        raise FileRejected(fmt.original.name, f"cannot be read as text: {_first_line(exc)}") from None
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


def load_mpfn(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
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
            {col('distrito_fiscal')} as district_raw,
            upper(strip_accents({col('distrito_fiscal')})) as district_key,
            {col('generico')} as generico,
            {col('articulo')} as article_raw,
            case when upper({col('articulo')}) in ('S/ART', 'S/N', 'S/A') then 'S/Art'
                 else upper({col('articulo')}) end as article,
            {col('cantidad')} as count_raw, try_cast({col('cantidad')} as bigint) as report_count,
            try_strptime({col('fecha_corte')}, '%d/%m/%Y')::date as data_as_of
        from {SCRATCH}.raw"""
    )
    rows_read = _count(con, f"select count(*) from {SCRATCH}.typed") + _count(
        con, f"select count(distinct line_number) from {SCRATCH}.raw_errors"
    )
    con.execute(
        f"""create or replace table {SCRATCH}.typed_scope as
        select t.*,
            case when t.generico like '%30096%' then t.article
                 when regexp_matches(upper(coalesce(t.generico, '')), '^(LEY|D\\.? ?LEG|DECRETO|DELITOS ADUANEROS|DELITOS TRIBUTARIOS)')
                     then null
                 when exists (select 1 from ref_crime c where c.law = 'Código Penal' and c.crime_code = t.article)
                     then t.article
            end as crime_code,
            t.generico like '%30096%' as is_ley_30096,
            fd.region_code
        from {SCRATCH}.typed t
        left join (select upper(strip_accents(fiscal_district)) as k, region_code from ref_fiscal_district) fd
          on fd.k = t.district_key"""
    )
    con.execute(
        f"""create or replace table {SCRATCH}.stg_errors as
        select * from {SCRATCH}.raw_errors
        union all
        select line_number, 'anio_denuncia', 'not a valid year; expected 4 digits (1990-2100)', year_raw
        from {SCRATCH}.typed_scope where year is null or year < 1990 or year > 2100
        union all
        select line_number, 'distrito_fiscal', 'unknown fiscal district; expected one of the 34 MPFN fiscal districts', district_raw
        from {SCRATCH}.typed_scope where region_code is null
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
        select $source as source, $file as file_name, make_date(year, 1, 1) as period_start,
               'year' as period_grain, region_code, cast(null as varchar) as lima_area,
               district_raw as geo_label, crime_code, report_count, data_as_of
        from {SCRATCH}.typed_scope t
        where crime_code is not null
          and not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
        {"source": source, "file": file_name},
    )
    notes = ["unquoted commas repaired (fixed leading/trailing fields)"] if repaired else []
    notes.append("fiscal districts mapped to departments; Lima Noroeste (which also serves part of Callao) counted under Lima")
    return AdapterResult("fact_count", rows_read, out_of_scope, notes)


# --------------------------------------------------------------------------------------
# Police SIDPOL "denuncias policiales": counts per month x district x broad modality

def load_sidpol(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
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
               cast(null as date) as data_as_of
        from {SCRATCH}.typed t
        where modality_key = 'estafa'
          and not exists (select 1 from {SCRATCH}.stg_errors e where e.line_number = t.line_number)""",
        {"source": source, "file": file_name},
    )
    notes = ["only the 'Estafa' modality is loaded (Penal Code art. 196, any channel; context series)"]
    return AdapterResult("fact_count", rows_read, out_of_scope, notes)


ADAPTERS = {"incidents": load_incidents, "synthetic": load_incidents, "mpfn": load_mpfn, "sidpol": load_sidpol}
