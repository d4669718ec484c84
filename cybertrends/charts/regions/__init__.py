"""Regions page: a map and a ranking of the 25 regions (count, rate per 100,000 inhabitants or
growth), one region's own trend, Lima Metropolitana against the rest of Lima region, and, for the
Ministerio Público (MPFN), the same ranking and trend by **fiscal district**, the unit the
prosecutor's office itself reports by.

Choices (stated on the charts too):
- **Periods added up** (count and rate): the *complete* periods of the selection (Context /
  measures.Periods decide which). A part-year (MPFN Jan–Nov 2025) is never added to full years;
  a period with no file is a gap, not a zero. When the selection holds no complete period, the
  latest part-period is shown on its own and said to be partial.
- **Rate**: reports per 100,000 inhabitants (2020 population, MINSA) over those periods. Several
  years (or more than 12 months) show the *annual average* (the count divided by the number of
  complete years, gaps not counted); up to 12 months, the rate of that span, not annualised.
  With a victim-group filter (sources that record age) the population is that of the chosen
  groups. There is no rate by fiscal district: no population is published for them.
- **Growth**: `Context.span()`: the latest complete span in the selection against the same span
  a year earlier (2023 vs 2022 for MPFN, whose 2024 has no file and 2025 is partial; Jan–Jun
  2025 vs Jan–Jun 2024 for monthly data). Units with fewer than `MIN_BASE` reports in the earlier
  span get no growth figure (grey on the map).
- **Regions filter**: only the chosen regions are coloured and ranked; the others stay on the
  map in light grey. The national value (whole country) is the reference. By fiscal district,
  the filter keeps the offices located in the chosen regions.
- **Protecting victims**: every count comes from the query layer, already published (record-level
  sources through the cell-key method, DESIGN.md §5); rates, shares and growth are computed from
  those counts. A count over several periods, the national reference and any other total shown
  beside its parts is queried as a cell of its own, never added up from the parts shown.
"""

from cybertrends.charts.regions import lima, ranking, trends  # noqa: F401  (registers the charts)
from cybertrends.charts.regions.basis import (
    FD_METRICS,
    MIN_BASE,
    RateBasis,
    basis_text,
    fiscal_district_name,
    geojson,
    growth_span,
    growth_unavailable,
    no_data_message,
    populations,
    rate_basis,
)
from cybertrends.charts.regions.lima import lima_status, lima_totals
from cybertrends.charts.regions.trends import default_fiscal_district, fiscal_district_options
from cybertrends.charts.regions.values import has_fiscal_districts

__all__ = [
    "FD_METRICS", "MIN_BASE", "RateBasis", "basis_text", "default_fiscal_district", "fiscal_district_name",
    "fiscal_district_options", "geojson", "growth_span", "growth_unavailable", "has_fiscal_districts", "lima_status", "lima_totals",
    "no_data_message", "populations", "rate_basis",
]
