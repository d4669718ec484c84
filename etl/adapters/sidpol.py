"""Police SIDPOL "denuncias policiales": counts per month x district x broad modality."""

from __future__ import annotations

from etl.adapters import rules
from etl.adapters.reader import AdapterResult, FileFormat, column_positions, count, projection, run, stage_lines

SIDPOL_COLUMNS = (
    "anio", "mes", "dpto_hecho_new", "prov_hecho", "dist_hecho", "ubigeo_hecho", "p_modalidades", "cantidad",
)
SIDPOL_REQUIRED = ("anio", "mes", "ubigeo_hecho", "p_modalidades", "cantidad")


def load_sidpol(con, fmt: FileFormat, file_name: str, source: str, progress=None) -> AdapterResult:
    """Police (SIDPOL) counts per month x district x modality: only 'Estafa' is kept (Penal Code art. 196,
    a context series); the region is the district's department, Lima split into metro and rest."""
    wanted = {c: (c,) for c in SIDPOL_COLUMNS}
    pos = column_positions(fmt, wanted, SIDPOL_REQUIRED)
    stage_lines(con, fmt, len(fmt.header), progress)
    run(con, "sidpol_fields", fields=projection(pos, SIDPOL_COLUMNS, trim=True))
    rows_read = count(con, "select count(*) from scratch.sidpol_fields") + count(
        con, "select count(distinct line_number) from scratch.malformed_lines")
    run(con, "count_rejections", rule_rejections=rules.rejections(rules.SIDPOL_RULES, "scratch.sidpol_fields"))
    broken = rules.broken(rules.SIDPOL_RULES)
    out_of_scope = count(con, f"select count(*) from scratch.sidpol_fields where modality_key <> 'estafa' "
                              f"and not {broken}")
    run(con, "sidpol_accepted_counts", {"source": source, "file": file_name}, broken=broken)
    notes = ["only the 'Estafa' modality is loaded (Penal Code art. 196, any channel; context series)"]
    return AdapterResult("fact_count", rows_read, out_of_scope, notes)
