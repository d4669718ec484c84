"""Validation rules as data: one declaration per rule, from which both the ok-flag of a row
(`broken`) and its rejections (`rejections`: one `scratch.rejections` row per broken rule, with
line, column, reason and value; load.py copies them into `rejected_rows`) are generated.

A rule's `bad` is an SQL predicate over the staged values of one row (or one distinct value
combination), written with the column names of the relation it is evaluated on (below, per
source); NULL counts as "not broken". `reason` and `fix` are our own fixed texts: the message
is "reason; fix" (or the reason alone). `group` says which lookup of distinct values can
evaluate the rule (incidents check distinct values once, `etl/adapters/incidents.py`), and
`lookup` which single column's lookup can, when the rule reads that column alone (the one-pass
load decides those rules once per distinct value: `per_value`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FIRST_VALID_DATE = date(1990, 1, 1)  # bound as $first_valid_date (etl/adapters/incidents.py)
DATE_FORMATS = "expected YYYY-MM-DD or DD/MM/YYYY"


@dataclass(frozen=True)
class Rule:
    """One validation rule: the column it names, when a row breaks it (SQL predicate), why, what to fix,
    the value to report (SQL expression), and the group of values that decides it."""

    column: str
    bad: str
    reason: str
    fix: str | None = None
    value: str = "null"
    group: str = "row"
    lookup: str | None = None

    @property
    def message(self) -> str:
        """The reason as stored in `rejected_rows.reason`."""
        return f"{self.reason}; {self.fix}" if self.fix else self.reason


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def broken(rules: list[Rule], group: str | None = None) -> str:
    """SQL: true when the row breaks any of `rules` (of `group`, if given); never NULL."""
    chosen = [r for r in rules if group is None or r.group == group]
    return "(" + " or ".join(f"coalesce({r.bad}, false)" for r in chosen) + ")" if chosen else "false"


def per_value(rules: list[Rule], lookup: str, names: dict[str, str], table: str) -> str:
    """SQL: the lookup of distinct values `table` (a fixed internal name) with `bad`: the value breaks
    one of `rules` whose `lookup` is `lookup`. `names` maps the rules' column names to the lookup's
    (e.g. {"report_date_raw": "t", "report_date": "d"}). A NULL text never joins a lookup row:
    `per_value_null` gives the verdict on it."""
    # Every piece is a fixed declaration (incidents.VALUE_LOOKUPS and the rules), never data.
    chosen = [r for r in rules if r.lookup == lookup]
    columns = "".join(f", {source} as {name}" for name, source in names.items() if name != source)
    return f"(select *, {broken(chosen)} as bad from (select *{columns} from {table}))"


def per_value_null(rules: list[Rule], lookup: str, names: dict[str, str]) -> str:
    """SQL: the verdict of `per_value`'s rules on a NULL (missing) text, a constant."""
    chosen = [r for r in rules if r.lookup == lookup]
    columns = ", ".join(f"null as {name}" for name in names)
    return f"(select {broken(chosen)} from (select {columns}))"


def per_row(rules: list[Rule]) -> str:
    """SQL: true when the row breaks one of `rules` that no single lookup decides (`lookup` None)."""
    return broken([r for r in rules if r.lookup is None])


def rejections(rules: list[Rule], relation: str) -> str:
    """SQL: one row (line_number, column_name, reason, value) per rule each row of `relation` (a
    fixed internal table name) breaks."""
    return "\nunion all\n".join(
        f"select line_number, {_literal(r.column)} as column_name, {_literal(r.message)} as reason, "
        f"cast({r.value} as varchar) as value from {relation} where {r.bad}"
        for r in rules
    )


# Canonical incidents (and the synthetic sample). Evaluated on `scratch.attention_rows` and, per
# group, on the lookups of distinct values (`date_pairs`, `place_pairs`, `person_profiles`) or
# per row (`row`): *_raw is the trimmed text (NULL when blank), the other names the parsed values.
INCIDENT_RULES: list[Rule] = [
    Rule("report_id", "report_id is null", "missing report_id", "expected a text identifier"),
    Rule("report_date", "report_date_raw is null", "missing report_date", DATE_FORMATS,
         "report_date_raw", "dates", "report_date"),
    Rule("report_date", "report_date_raw is not null and report_date is null", "not a valid date", DATE_FORMATS,
         "report_date_raw", "dates", "report_date"),
    Rule("report_date", "report_date < $first_valid_date or report_date > current_date", "date out of range",
         f"expected between {FIRST_VALID_DATE.isoformat()} and today", "report_date_raw", "dates", "report_date"),
    Rule("incident_date", "incident_date_raw is not null and incident_date is null", "not a valid date",
         DATE_FORMATS, "incident_date_raw", "dates", "incident_date"),
    Rule("incident_date", "incident_date > report_date", "incident_date is after report_date", None,
         "incident_date_raw", "dates"),
    Rule("ubigeo", "ubigeo_raw is null", "missing ubigeo", "expected a 6-digit INEI district code",
         "ubigeo_raw", "place", "ubigeo"),
    Rule("ubigeo", "ubigeo_raw is not null and ubigeo is null", "not a district code", "expected 6 digits",
         "ubigeo_raw", "place", "ubigeo"),
    Rule("ubigeo", "ubigeo is not null and not ubigeo_known", "unknown district code (not an INEI ubigeo)", None,
         "ubigeo_raw", "place", "ubigeo"),
    Rule("crime_code", "crime_raw is null", "missing crime_code", None, "crime_raw", "place", "crime"),
    Rule("crime_code",
         "crime_raw is not null and not (crime_code = 'S/Art' or regexp_full_match(crime_code, '[0-9]{1,3}(-[A-Z]{1,2})?'))",
         "unknown crime code",
         "expected a Ley 30096 article (2-11, 12-A, S/Art) or a Penal Code article such as 196-A",
         "crime_raw", "place", "crime"),
    Rule("victim_age", "age_raw is not null and (age_value is null or age_value < 0 or age_value > 120)",
         "not a valid age", "expected whole years 0-120", "age_raw", "person", "age"),
    Rule("victim_sex", "sex_raw is not null and sex_value is null", "unknown sex",
         "expected F, M, Femenino, Masculino, Mujer, Hombre or blank", "sex_raw", "person", "sex"),
    Rule("victim_type", "type_raw is not null and victim_type is null", "unknown victim type",
         "expected persona natural, persona jurídica or Estado", "type_raw", "person", "type"),
    Rule("amount_lost_pen", "amount_raw is not null and amount_lost_pen is null", "not a number",
         "expected soles with . as decimal mark", "amount_raw"),
    Rule("amount_lost_pen", "amount_lost_pen < 0", "negative amount", "expected 0 or more", "amount_raw"),
]

# Ministerio Público "delitos" counts, evaluated on `scratch.mpfn_scoped` (etl/sql/mpfn_scoped.sql).
MPFN_RULES: list[Rule] = [
    Rule("anio_denuncia", "year is null or year < 1990 or year > 2100", "not a valid year",
         "expected 4 digits (1990-2100)", "year_raw"),
    Rule("periodo_denuncia", "month_from is null or month_to is null or month_from > month_to",
         "not a valid period", "expected Spanish month names such as 'ENERO - DICIEMBRE'", "periodo_raw"),
    Rule("ubigeo_pjfs", "ubigeo_raw is not null and ubigeo_region is null", "not a known office ubigeo",
         "expected a 6-digit code starting 01-25", "ubigeo_raw"),
    Rule("dpto_pjfs", "ubigeo_raw is null and dpto_raw is not null and region_code is null", "unknown department",
         "expected one of the 24 departments or Callao", "dpto_raw"),
    Rule("distrito_fiscal", "district_region is null", "unknown fiscal district",
         "expected one of the 34 MPFN fiscal districts", "district_raw"),
    Rule("cantidad", "report_count is null or report_count < 0", "not a valid count",
         "expected a whole number 0 or more", "count_raw"),
    Rule("articulo", "is_ley_30096 and not ley_article_known", "unknown Ley 30096 article",
         "expected 2-11, 12-A or S/Art", "article_raw"),
]

# Police SIDPOL counts, evaluated on `scratch.sidpol_fields` (etl/sql/sidpol_fields.sql).
SIDPOL_RULES: list[Rule] = [
    Rule("ANIO", "year is null or year < 1990 or year > 2100", "not a valid year", "expected 4 digits (1990-2100)",
         "year_raw"),
    Rule("MES", "month is null or month < 1 or month > 12", "not a valid month", "expected 1-12", "month_raw"),
    Rule("UBIGEO_HECHO", "ubigeo is null", "not a district code", "expected 5 or 6 digits", "ubigeo_raw"),
    Rule("UBIGEO_HECHO", "ubigeo is not null and not region_known", "unknown region in ubigeo",
         "expected a code starting 01-25", "ubigeo_raw"),
    Rule("cantidad", "report_count is null or report_count < 0", "not a valid count",
         "expected a whole number 0 or more", "count_raw"),
]
