"""Overview (the minister's page): headline figures, key findings, the national trend, and
what drives the change (each crime type's or region's contribution).

Which periods are complete, missing or comparable is decided in one place (measures.Periods,
through Context: ctx.span(), ctx.complete_years(), ctx.periods, ctx.period_name()). Growth
compares equal spans only; a partial year is compared with an earlier full year only in words
("ya más que todo 2023"), never as a growth rate; a missing year is a gap, never a zero.

Victim protection is not done here: every count comes from `queries`, which publishes it through
the cell-key method (cybertrends/disclosure.py) for record-level sources. A total is a cell of
its own (queried with fewer dimensions), never the sum of published parts; shares, rates and
growth are computed from published counts.
"""

from cybertrends.charts.overview import trend  # noqa: F401  (registers the chart)
from cybertrends.charts.overview.contributions import contributions
from cybertrends.charts.overview.headlines import headlines, summary
from cybertrends.charts.overview.periods import headline_span

__all__ = ["contributions", "headline_span", "headlines", "summary"]
