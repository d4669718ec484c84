"""The shared filter state every page reads, and its translation to query parameters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date


@dataclass(frozen=True)
class Filters:
    """What the user selected. Empty tuples mean "all"; `crimes` is always explicit.

    `period_from` and `period_to` are the first days of the first and last periods included
    (months or years, following `grain`, the source's grain)."""

    source: str
    period_from: date
    period_to: date
    grain: str = "month"
    regions: tuple[str, ...] = ()
    crimes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    lang: str = "es"

    def __post_init__(self) -> None:
        if self.grain not in ("month", "year"):
            raise ValueError(f"grain must be 'month' or 'year', not {self.grain!r}")
        if self.period_from > self.period_to:
            raise ValueError(f"period_from {self.period_from} is after period_to {self.period_to}")

    @property
    def period_end(self) -> date:
        """The last day covered by the filter."""
        if self.grain == "year":
            return date(self.period_to.year, 12, 31)
        nxt = date(self.period_to.year + (self.period_to.month == 12), self.period_to.month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)

    def with_(self, **changes) -> Filters:
        """A copy of these filters with `changes` applied (validated again)."""
        return replace(self, **changes)

    def params(self) -> dict:
        """Bound parameters for the queries in `queries.py` (never formatted into SQL)."""
        return {
            "source": self.source,
            "date_from": self.period_from,
            "date_to": self.period_end,
            "regions": list(self.regions),
            "crimes": list(self.crimes),
            "groups": list(self.groups),
        }
