"""Validation rules as data (etl/adapters/rules.py): the ok-flag and the rejections of a row
come from the same declarations, so a row is flagged exactly when it gets a rejection, for
every combination of the values the rules read (NULLs included)."""

from __future__ import annotations

import random
import re
from datetime import date

import duckdb
import pytest

from etl.adapters import rules

# Values to try for each name the rules read (typed as the relations the rules run on).
VALUES = {
    "report_id": ("varchar", ["R1", None]),
    "report_date_raw": ("varchar", ["2024-01-01", None]),
    "report_date": ("date", [date(2024, 1, 1), date(1980, 1, 1), None]),
    "incident_date_raw": ("varchar", ["x", None]),
    "incident_date": ("date", [date(2023, 1, 1), date(2025, 1, 1), None]),
    "ubigeo_raw": ("varchar", ["150101", None]),
    "ubigeo": ("varchar", ["150101", None]),
    "ubigeo_known": ("boolean", [True, False]),
    "crime_raw": ("varchar", ["8", None]),
    "crime_code": ("varchar", ["8", "S/Art", "12-A", "XX", None]),
    "age_raw": ("varchar", ["30", None]),
    "age_value": ("integer", [30, -1, 121, None]),
    "sex_raw": ("varchar", ["F", None]),
    "sex_value": ("varchar", ["female", None]),
    "type_raw": ("varchar", ["Estado", None]),
    "victim_type": ("varchar", ["state", None]),
    "amount_raw": ("varchar", ["1.5", None]),
    "amount_lost_pen": ("decimal(14, 2)", [1.5, -1, None]),
    "year": ("integer", [2024, 1800, None]), "year_raw": ("varchar", ["2024"]),
    "month": ("integer", [3, 13, None]), "month_raw": ("varchar", ["3"]),
    "month_from": ("integer", [1, 5, None]), "month_to": ("integer", [4, None]), "periodo_raw": ("varchar", ["x"]),
    "ubigeo_region": ("varchar", ["15", None]), "dpto_raw": ("varchar", ["LIMA", None]),
    "region_code": ("varchar", ["15", None]), "district_region": ("varchar", ["15", None]),
    "district_raw": ("varchar", ["LIMA"]), "report_count": ("bigint", [3, -3, None]), "count_raw": ("varchar", ["3"]),
    "is_ley_30096": ("boolean", [True, False, None]), "ley_article_known": ("boolean", [True, False]),
    "article_raw": ("varchar", ["8"]), "region_known": ("boolean", [True, False]),
}


def _names(rule_set):
    text = " ".join(r.bad + " " + r.value for r in rule_set)
    return sorted(n for n in VALUES if re.search(rf"\b{n}\b", text))


@pytest.mark.parametrize("rule_set", [rules.INCIDENT_RULES, rules.MPFN_RULES, rules.SIDPOL_RULES],
                         ids=["incidents", "mpfn", "sidpol"])
def test_a_row_is_flagged_exactly_when_it_gets_a_rejection(rule_set):
    names = _names(rule_set)
    con = duckdb.connect()
    columns = ", ".join(f"{n} {VALUES[n][0]}" for n in names)
    con.execute(f"create table checked (line_number bigint, {columns})")
    rng = random.Random(11)  # random combinations: the full product is millions of rows
    # The first value of each name is a valid one: mostly valid rows, each with a few bad values.
    combos = {tuple(VALUES[n][1][0] if rng.random() < 0.85 else rng.choice(VALUES[n][1]) for n in names)
              for _ in range(4000)}
    con.executemany(f"insert into checked values ({', '.join(['?'] * (len(names) + 1))})",
                    [(i, *c) for i, c in enumerate(sorted(combos, key=repr))])
    params = {"first_valid_date": rules.FIRST_VALID_DATE}
    flagged = {r[0] for r in con.execute(
        f"select line_number from checked where {rules.broken(rule_set)}",
        {k: v for k, v in params.items() if f"${k}" in rules.broken(rule_set)}).fetchall()}
    text = rules.rejections(rule_set, "checked")
    rejected = con.execute(f"select line_number, column_name, reason from ({text})",
                           {k: v for k, v in params.items() if f"${k}" in text}).fetchall()
    assert flagged == {r[0] for r in rejected}
    assert 0 < len(flagged) < len(combos)  # some rows pass, some do not: the check can fail
    assert {r[2] for r in rejected} == {r.message for r in rule_set}  # every rule fires somewhere


def test_messages_say_what_was_expected():
    for rule in rules.INCIDENT_RULES + rules.MPFN_RULES + rules.SIDPOL_RULES:
        assert rule.message.startswith(rule.reason)
        if rule.fix:
            assert rule.message == f"{rule.reason}; {rule.fix}"


def test_broken_of_no_rule_is_false():
    assert rules.broken(rules.INCIDENT_RULES, "no such group") == "false"


def test_a_rule_decided_per_value_reads_only_its_lookup():
    """The one-pass load decides a rule with a `lookup` once per distinct value of that lookup
    (incidents.VALUE_LOOKUPS): the rule may read no name the lookup does not carry."""
    from etl.adapters import incidents

    lookups = {lookup: set(names) for lookup, _, names in incidents.VALUE_LOOKUPS.values()}
    decided = [r for r in rules.INCIDENT_RULES if r.lookup]
    assert decided and {r.lookup for r in decided} == set(lookups)
    for rule in rules.INCIDENT_RULES:
        read = {n for n in VALUES if re.search(rf"\b{n}\b", rule.bad)}
        if rule.lookup:
            assert read <= lookups[rule.lookup], (rule.reason, read - lookups[rule.lookup])
        else:  # decided per row: reads values of more than one lookup, or of none
            assert not any(read <= names for names in lookups.values()) or read <= {
                "report_id", "amount_raw", "amount_lost_pen"}, rule.reason
