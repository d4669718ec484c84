"""At-risk groups (children 0–11, adolescents 12–17, young people 18–29, older adults 60+):
counts, rates per 100,000 people of the age group, growth, crime profile and sex split; and, for
sources that do not record the victim's age (the Ministerio Público's published series), the
legally defined proxy for minors: Ley 30096 art. 5 (sexual solicitation of children and
adolescents by technological means), its trend by year and its rate per 100,000 people aged
0–17 by region (Código Penal art. 183-B, the same conduct by any means, is not a cybercrime
proxy: the charts say so and leave it to the Crime types page).

Periods: every builder works per calendar year; which years are complete, partial or missing
comes from `ctx.periods` / `ctx.complete_years()` / `ctx.span()` (one place per concept). A
missing year is a gap (NaN, "sin archivo"), a partial year is labelled ("2025 (ene–nov)") and
never compared with a full one.

Victim protection (DESIGN.md §5) is not done here: every count this module receives from
`queries` is already the published value of its cell (the cell-key method for record-level
sources, `incidents` and `synthetic`; published aggregates, MPFN and SIDPOL, as released). So
every figure is derived from published counts only, and every total shown beside its parts (a
group's reports under its top crimes or its sex split, the national or selected-regions rate
line) is queried as a cell of its own, never added up from the published parts. Each cell is
queried at the grain it is shown at (years as year cells, a multi-year span as one cell).
"""

from cybertrends.charts.groups import counts, crimes, minors, rates  # noqa: F401  (registers the charts)
from cybertrends.charts.groups.common import GROUP_ORDER, KNOWN_GROUPS
from cybertrends.charts.groups.page import definitions, page_info

__all__ = ["GROUP_ORDER", "KNOWN_GROUPS", "definitions", "page_info"]
