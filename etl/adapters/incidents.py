"""The canonical incidents format (also the synthetic sample): one row per report.

Built to load ten million rows at close to DuckDB's own read speed. Writing a big table
(even to memory) costs more than parsing the CSV, so the file is never staged.

One pass where it pays (`_one_pass`): when the file's first lines are clean, the file is parsed
once, straight into the narrow fact table (`fact_report_one_pass.sql`): each row's texts are found
in the combinations of the values seen in those first lines and of the texts valid values usually
take (`known_values.sql`, `known_combinations.sql`: three joins a row; a file with too many
distinct texts to cross loads the two-pass way), every rule is checked on the row itself, and a
row that is not settled keeps a NULL record_key. When the first lines write every date in one
format, the reader parses the dates as DATE in that format (no lookup). If every row settled, no id repeats and no line
was malformed, the load is done (BENCHMARKS: about 40% less CPU than two passes). Otherwise
the file's rows are taken back out and it is loaded the two-pass way, which names every bad row:
1. Profile pass (`value_profile.sql`; parallel, only aggregates are kept): the distinct
   combinations of the columns with few values (the two dates; ubigeo and crime code; age, sex,
   victim type, modality and channel) with their row counts, a hash of every report_id (an id
   seen twice, or already loaded from another file, makes a candidate), whether a row breaks a
   row-level rule, and DuckDB's rejects (wrong-shaped lines). Every distinct value is then
   parsed once into small lookups (`*_values.sql`) and every rule of `rules.INCIDENT_RULES`
   checked once per distinct combination (`date_pairs`, `place_pairs`, `person_profiles`).
2. Only if some value breaks a rule or some id is a candidate: an attention pass reads the file
   in order and keeps those rows (usually few) with their line numbers; the rejections (the same
   rules, and the exact duplicate checks) are generated over them.
3. The insert (`fact_report.sql`, run by load.py): the file once more, joined to the three
   lookups, every row that breaks no rule and is no candidate, plus the attention rows that
   turned out fine.
"""

from __future__ import annotations

import os

import duckdb
import numpy as np

import etl.adapters as package  # `package._stage_rejects`: tests substitute it to fault a load
from etl.adapters import rules
from etl.adapters.reader import (
    AdapterResult,
    FileFormat,
    bind_used,
    column_positions,
    count,
    drop_rejects,
    ordered,
    projection,
    read_params,
    run,
    sql,
    unreadable,
)

# Canonical name -> accepted (normalised) header names.
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


def record_key_sql(source: str) -> str:
    """The record key of the cell-key method (cybertrends/disclosure.py): 0-255, a function of the
    record's source (`source`: an SQL expression) and report_id only, so it is stable across reloads."""
    return f"(hash({source} || chr(31) || report_id) % 256)::utinyint"


RECORD_KEY_SQL = record_key_sql("source")
CANDIDATES = "(select id_hash from scratch.value_profile where grouping_set = 'id')"
# Try the one-pass load first (CYBERTRENDS_ETL_TWO_PASS=1 forces two passes, to compare).
ONE_PASS = os.environ.get("CYBERTRENDS_ETL_TWO_PASS") != "1"
LOOKUPS = ("date_values", "ubigeo_values", "crime_values", "person_values")
# The most rows a table of known_combinations.sql may have (the synthetic files: 67,000); a file
# whose first lines carry more distinct texts than that loads the two-pass way.
KNOWN_COMBINATIONS_MAX = 2_000_000


# The one-pass load's lookups with their verdicts (rules.per_value): name -> (lookup, table,
# the rules' column names -> the table's columns, plus what the insert reads as computed once).
# known_combinations.sql crosses them into the three tables the insert joins.
VALUE_LOOKUPS = {
    "report_date": ("report_date", "scratch.date_values", {"report_date_raw": "t", "report_date": "d"}),
    "incident_date": ("incident_date", "scratch.date_values", {"incident_date_raw": "t", "incident_date": "d"}),
    "ubigeo": ("ubigeo", "scratch.ubigeo_values",
               {"ubigeo_raw": "t", "ubigeo": "ubigeo", "ubigeo_known": "known", "ubigeo_number": "ubigeo::integer"}),
    "crime": ("crime", "scratch.crime_values", {"crime_raw": "t", "crime_code": "crime_code"}),
    "age": ("age", "scratch.age_values", {"age_raw": "t", "age_value": "age"}),
    "sex": ("sex", "scratch.sex_values", {"sex_raw": "t", "sex_value": "victim_sex"}),
    "type": ("type", "scratch.victim_type_values",
             {"type_raw": "t", "victim_type": "victim_type", "company": "victim_type in ('company', 'state')"}),
}


def _value_verdicts(con, params: dict) -> dict[str, str]:
    """The fragments of known_combinations.sql and of the dates in fact_report_one_pass.sql: each
    lookup with `bad` (`<name>_lookup`) and the verdict on a missing value (`<name>_null`), a
    constant: computed here once and written as the literal `true` or `false` (as a subquery,
    DuckDB would join it to every row)."""
    out = {}
    for name, (lookup, table, names) in VALUE_LOOKUPS.items():
        out[f"{name}_lookup"] = rules.per_value(rules.INCIDENT_RULES, lookup, names, table)
        null_sql = "select " + rules.per_value_null(rules.INCIDENT_RULES, lookup, names)
        out[f"{name}_null"] = "true" if con.execute(null_sql, bind_used(null_sql, params)).fetchone()[0] else "false"
    return out


# The date columns: the rules' names for them (VALUE_LOOKUPS) and the alias of their lookup.
DATE_COLUMNS = {"report_date": "a", "incident_date": "b"}
# How incident_rows.sql reads a row's amount: from its text, trimmed, blank as missing, NULL when
# it is not a number (a rule names it); or, in the one pass, as the reader's DECIMAL(14, 2). For
# every text the reader accepts, its value is the cast's (rounded alike; spaces, signs, exponents);
# it refuses every text the cast refuses, and a few the cast would read (a blank of spaces, a
# non-breaking space): a rejected line, and the file loads the two-pass way. Checked on 87 such
# texts (BENCHMARKS.md); tests/test_etl_one_pass.py keeps 18 of them.
AMOUNT_FROM_TEXT = {"amount_raw": "nullif(trim(r.amount_lost_pen_text), '')",
                    "amount_value": "try_cast(nullif(trim(r.amount_lost_pen_text), '') as decimal(14, 2))"}
AMOUNT_TYPED = {"amount_raw": "r.amount_lost_pen_text", "amount_value": "r.amount_lost_pen_text"}
AMOUNT_TYPE = "DECIMAL(14, 2)"


def _date_fragments(verdicts: dict[str, str], rows: str, typed: bool) -> dict[str, str]:
    """The date pieces of fact_report_one_pass.sql. `typed`: the reader gives the dates as DATE (a
    text it cannot read in the file's format is a rejected line), so the rows themselves carry the
    names the date rules read (`<date>_raw` is NULL exactly when the date is missing) and those
    rules are checked on the row; else each date is joined to its lookup of texts (`verdicts`)."""
    if typed:
        names = "".join(f", {c}_text::date as {c}_raw, {c}_text::date as {c}" for c in DATE_COLUMNS)
        checked = [r for r in rules.INCIDENT_RULES if r.lookup in DATE_COLUMNS]
        return {"rows": f"(select *{names} from {rows})", "date_joins": "", "dates_found": "true",
                "dates_bad": rules.broken(checked),
                **{c: f"r.{c}" for c in DATE_COLUMNS}}
    return {
        "rows": rows,
        "date_joins": "\n    ".join(f"left join {verdicts[f'{c}_lookup']} {a} on {a}.v = r.{c}_text"
                                      for c, a in DATE_COLUMNS.items()),
        "dates_found": " and ".join(f"(r.{c}_text is null or {a}.v is not null)" for c, a in DATE_COLUMNS.items()),
        "dates_bad": " or ".join(f"coalesce({a}.bad, {verdicts[f'{c}_null']})" for c, a in DATE_COLUMNS.items()),
        **{c: f"{a}.{c}" for c, a in DATE_COLUMNS.items()},
    }


def _all_settled(con, file_key: int) -> bool:
    """Whether the one-pass load of file `file_key` is done: every row settled, no report_id hash
    occurs twice in the file, and none is already loaded for the source from another file. The
    hashes are sorted with numpy and neighbours compared: at 10 million rows that takes a third of
    the time of DuckDB's hash aggregate (GROUP BY or COUNT DISTINCT), whose table of 10 million
    groups is the cost."""
    rows = con.execute(sql("one_pass_rows"), {"file_key": file_key}).fetchnumpy()
    if rows["unsettled"].any():
        return False
    hashes = rows["id_hash"]
    hashes.sort()
    if (hashes[1:] == hashes[:-1]).any():
        return False
    elsewhere = con.execute("select id_hash from scratch.ids_elsewhere").fetchnumpy()["id_hash"]
    if not hashes.size or not elsewhere.size:
        return True
    at = np.minimum(np.searchsorted(hashes, elsewhere), hashes.size - 1)
    return not (hashes[at] == elsewhere).any()


def _one_pass(con, fmt: FileFormat, progress, params: dict, file_columns: str, row_broken: str,
              pos: dict[str, int]) -> int | None:
    """Load the file in one parse when its first lines are clean; returns the rows loaded, or None
    (nothing loaded) when the file needs the two-pass load. `pos`: our columns' positions in the file."""
    head = {"file_columns": file_columns, "row_broken": row_broken, "rid": "cast(null as bigint)", **AMOUNT_FROM_TEXT}
    try:
        ordered(con, sql("head_lines"), params)  # the first lines, in file order
    except duckdb.Error:
        return None  # the two-pass load says what is wrong with the file
    run(con, "value_profile", params, read_file="scratch.head_lines", **head)
    for name in LOOKUPS:
        run(con, name)
    for name, group in (("date_pairs", "dates"), ("place_pairs", "place"), ("person_profiles", "person")):
        run(con, name, params, broken=rules.broken(rules.INCIDENT_RULES, group))
    if count(con, sql("head_problems")):
        return None
    date_format = con.execute(sql("one_pass_date_format")).fetchone()[0]
    run(con, "known_values")
    for name in LOOKUPS:
        run(con, name)
    drop_rejects(con)
    typed = {f"c{pos['amount_lost_pen']}": AMOUNT_TYPE} if "amount_lost_pen" in pos else {}
    if date_format is not None:  # read both date columns as DATE, in the first lines' format
        typed |= {f"c{pos[c]}": "DATE" for c in DATE_COLUMNS if c in pos}
        params = {**params, "dateformat": date_format}
    params = {**params, "columns": {c: typed.get(c, t) for c, t in params["columns"].items()}}
    if count(con, sql("known_combinations_size")) > KNOWN_COMBINATIONS_MAX:
        return None
    verdicts = _value_verdicts(con, params)
    run(con, "known_combinations", params, **verdicts)
    amount = AMOUNT_TYPED if "amount_lost_pen" in pos else AMOUNT_FROM_TEXT
    rows = "(" + sql("incident_rows", **{**head, **amount}, read_file=f"({sql('read_csv')})") + ")"
    text = sql("fact_report_one_pass", **verdicts, **_date_fragments(verdicts, rows, date_format is not None),
               row_rules=rules.per_row(rules.INCIDENT_RULES), record_key=record_key_sql("$source"))
    try:
        (progress or (lambda c, s, p: c.execute(s, p)))(con, text, bind_used(text, params))
    except duckdb.Error as exc:
        raise unreadable(fmt, exc) from None
    try:
        package._stage_rejects(con)
        settled = count(con, "select count(*) from scratch.malformed_lines") == 0 and _all_settled(
            con, params["file_key"])
    except BaseException:
        con.execute("delete from fact_report where file_key = $k", {"k": params["file_key"]})
        raise
    if not settled:
        con.execute("delete from fact_report where file_key = $k", {"k": params["file_key"]})
        return None
    con.execute("create or replace table scratch.rejections as select * from scratch.malformed_lines")
    return count(con, "select count(*) from fact_report where file_key = $k", {"k": params["file_key"]})


def load_incidents(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
    """One row per report (canonical incidents or the synthetic sample): every rule is checked, the rows
    that break one go to `scratch.rejections` (duplicate ids included), and `ok_sql` reads the file
    again for the valid in-scope rows, narrow (fact_report)."""
    pos = column_positions(fmt, INCIDENT_COLUMNS, INCIDENT_REQUIRED)
    read = read_params(fmt, len(fmt.header))
    ids = {"source": source, "file": file_name}
    params = {**read, **ids, "first_valid_date": rules.FIRST_VALID_DATE}
    # Only the columns we use are read (free-text columns a file may carry are never touched).
    file_columns = projection(pos, INCIDENT_COLUMNS, "_text")
    row_broken = rules.broken(rules.INCIDENT_RULES, "row")

    def rows(read_sql: str, numbered: bool = False) -> dict:
        return {"file_columns": file_columns, "read_file": f"({sql(read_sql)})", "row_broken": row_broken,
                "rid": "row_number() over () - 1" if numbered else "cast(null as bigint)", **AMOUNT_FROM_TEXT}

    run(con, "ids_elsewhere", ids)
    run(con, "dim_file", ids)
    source_key, file_key, unknown_age, unknown_sex = con.execute(
        "select code_key('source', $source), code_key('file', $file), code_key('age_group', 'unknown'), "
        "code_key('sex', 'unknown')", ids).fetchone()
    keys = {"source_key": source_key, "file_key": file_key,
            "unknown_age_group_key": unknown_age, "unknown_sex_key": unknown_sex}
    if ONE_PASS:
        loaded = _one_pass(con, fmt, progress, {**params, **keys}, file_columns, row_broken, pos)
        if loaded is not None:
            return AdapterResult("fact_report", loaded, 0, [], ok_sql=None, rows_loaded=loaded)

    # 1. Profile pass ------------------------------------------------------------------------
    drop_rejects(con)
    try:
        profile = sql("value_profile", **rows("read_csv"))
        (progress or (lambda c, s, p: c.execute(s, p)))(con, profile, read)
    except duckdb.Error as exc:
        raise unreadable(fmt, exc) from None
    package._stage_rejects(con)
    for name in ("date_values", "ubigeo_values", "crime_values", "person_values"):
        run(con, name)
    for name, group in (("date_pairs", "dates"), ("place_pairs", "place"), ("person_profiles", "person")):
        run(con, name, params, broken=rules.broken(rules.INCIDENT_RULES, group))
    rows_read = count(con, "select coalesce(sum(n), 0) from scratch.value_profile where grouping_set = 'row'") + count(
        con, "select count(distinct line_number) from scratch.malformed_lines")

    # 2. Attention pass: only when some value breaks a rule or some id is a candidate -------
    has_candidates = count(con, "select count(*) from scratch.value_profile where grouping_set = 'id'") > 0
    attention = has_candidates or count(con, """select (select count(*) from scratch.date_pairs where bad)
        + (select count(*) from scratch.place_pairs where bad) + (select count(*) from scratch.person_profiles where bad)
        + (select count(*) from scratch.value_profile where grouping_set = 'row' and row_bad)""") > 0
    again = rows("read_csv_again")
    con.execute("set preserve_insertion_order = true")
    try:
        run(con, "attention_rows", read, **rows("read_csv_again", numbered=True),
            attention=f"broken or id_hash in {CANDIDATES}" if attention else "false")
    finally:
        con.execute("set preserve_insertion_order = false")
    run(con, "attention_lines")
    run(con, "ids_loaded_elsewhere", ids)
    run(con, "incident_rejections", params,
        rule_rejections=rules.rejections(rules.INCIDENT_RULES, "scratch.attention_rows"))
    out_of_scope = count(con, sql("incident_out_of_scope"))

    # 3. The insert (run by load.py after the --strict check) -------------------------------
    keep = "true"
    if attention:
        keep = "not broken" + (f" and id_hash not in {CANDIDATES}" if has_candidates else "")
    ok_sql = sql("fact_report", **again, keep=keep, record_key=record_key_sql("$source"))
    unknown = con.execute(sql("unknown_labels")).fetchall()
    notes = []
    for what in ("modality", "channel"):
        listed = ", ".join(f"'{v}' ({n})" for w, v, n in unknown if w == what)
        if listed:
            notes.append(f"unknown {what} values kept as 'other': {listed}")
    return AdapterResult("fact_report", rows_read, out_of_scope, notes, ok_sql=ok_sql,
                         ok_params={**read, **ids, **keys})
