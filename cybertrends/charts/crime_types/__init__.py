"""Crime types page: growth by crime type (index, year-on-year change, compound annual growth),
share of total, and the modality / channel breakdown of record-level sources.

Growth always compares equal spans, as Context decides them (measures.Periods): complete years
only for the index and the compound growth (a year with no file is a gap, a part-year such as
MPFN's Jan-Nov 2025 is left out); for the year-on-year change, ctx.span(): the latest complete
year against the year before, or (monthly sources) the same months a year earlier.

Classification caveat: before 2021 most Ley 30096 reports carry no article ("S/Art"). Every
article-level chart (index, change, compound growth, share) computes that share for the periods
it uses (`unspecified_shares`) and, where it reaches UNSPECIFIED_HIGH, says so in its subtitle
and notes (the index also marks the years on the figure).

Victim protection is not done here: every count comes from `queries`, which publishes each cell
(crime type × year, modality, …) through the cell-key method for record-level sources
(cybertrends/disclosure.py). Each figure shown is a cell queried at its own level: a total is
queried with fewer dimensions and the "other types" line with the crimes filter set to those
types, never added up from (or subtracted from) published parts. Index, growth and shares are
computed from these published counts.
"""

from cybertrends.charts.crime_types import growth, shares  # noqa: F401  (registers the charts)
from cybertrends.charts.crime_types.common import short_crime, unspecified_shares
from cybertrends.charts.crime_types.growth import ct_index
from cybertrends.charts.crime_types.page import notices

__all__ = ["ct_index", "notices", "short_crime", "unspecified_shares"]
