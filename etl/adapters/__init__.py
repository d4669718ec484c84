"""Extract and validate, per source format. All row work is DuckDB SQL (`etl/sql/`).

Every adapter fills, in the scratch schema:
- `rejections(line_number, column_name, reason, value)`: one row per broken rule (the rules are
  data: `rules.py`);
- the rows to insert: `AdapterResult.ok_sql` (a SELECT with its parameters), mapped to the fact
  table's columns;
and returns an `AdapterResult` with the counts the load log needs.

Modules: `reader` (the shared CSV reader), `rules` (validation rules as data), `incidents`
(canonical records and the synthetic sample), `mpfn`, `sidpol`.
"""

from __future__ import annotations

from etl.adapters.reader import AdapterResult, FileFormat, InvalidUnicode, bind_used, drop_rejects, stage_rejects
from etl.adapters.rules import FIRST_VALID_DATE

# Looked up here at call time (tests substitute it to fault a load between two passes).
_stage_rejects = stage_rejects
_InvalidUnicode = InvalidUnicode

from etl.adapters.incidents import INCIDENT_COLUMNS, INCIDENT_REQUIRED, RECORD_KEY_SQL, load_incidents  # noqa: E402
from etl.adapters.mpfn import MPFN_COLUMNS, load_mpfn  # noqa: E402
from etl.adapters.sidpol import SIDPOL_COLUMNS, load_sidpol  # noqa: E402

__all__ = [
    "ADAPTERS", "AdapterResult", "FIRST_VALID_DATE", "INCIDENT_COLUMNS", "INCIDENT_REQUIRED", "MPFN_COLUMNS",
    "RECORD_KEY_SQL", "SIDPOL_COLUMNS", "bind_used", "detect_source", "drop_rejects", "load_incidents", "load_mpfn", "load_sidpol",
]


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


ADAPTERS = {"incidents": load_incidents, "synthetic": load_incidents, "mpfn": load_mpfn, "sidpol": load_sidpol}
