"""A chart as the product shows and exports it: finding, context, data and figure together.

Pages render a `ChartSpec`; exports (PNG/SVG/HTML/CSV/XLSX, PowerPoint, PDF) read the same
object, so what staff put in a briefing is exactly what the page showed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import plotly.graph_objects as go

# Kinds a native PowerPoint chart can reproduce; "map" goes into slides as an image.
KINDS = ("line", "bar", "hbar", "stacked_bar", "map")


@dataclass
class ChartSpec:
    """Everything about one chart.

    `data` is the table behind the chart exactly as shown: same filters, counts as published
    (record-level sources through the cell-key method). Its columns are display-ready and in the chosen language. `x`, `y` and
    `series` name columns of `data` for native (PowerPoint) charts: one category axis `x`,
    numeric values `y`, and an optional `series` column for one line/bar per value.
    Where a value has no number, `y` holds NaN and `display_column` (if set) its text.
    """

    chart_id: str
    kind: str
    title: str  # the finding, e.g. "Computer fraud grew 38 % in 2025"
    subtitle: str  # period and filters
    source_line: str  # source and data-as-of date
    # built with an explicit template (see charts.TEMPLATE): a Plotly figure, or a figure built as a plain dict
    # (charts.figure.Figure), validated into a Plotly figure the first time `figure` is read
    figure: go.Figure
    data: pd.DataFrame
    x: str
    y: str
    series: str | None = None
    lang: str = "es"
    synthetic: bool = False
    display_column: str | None = None  # text version of y, used where y has no number
    notes: list[str] = field(default_factory=list)  # caveats shown under the chart and in exports
    y_format: str = "count"  # count | percent | rate | index
    muted: tuple[str, ...] = ()  # categories (values of `x`) drawn muted: incomplete periods
    overlay: tuple[str, ...] = ()  # further numeric columns drawn as series beside `y` (e.g. a 12-month mean)
    # Set by charts.build(): how to rebuild this chart (e.g. in another language for a briefing).
    filters: Any = None  # cybertrends.filters.Filters
    options: dict = field(default_factory=dict)
    # Set by charts.build(): where the numbers come from, for the stamp on every export —
    # source id and name, data_as_of (the cut date of the periods in view), build_id of the
    # database, filters (in words) and link (the share link that reopens the view).
    provenance: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown chart kind {self.kind!r}; expected one of {KINDS}")
        for column in (self.x, self.y, self.series, self.display_column, *self.overlay):
            if column is not None and column not in self.data.columns:
                raise ValueError(f"{self.chart_id}: column {column!r} not in data {list(self.data.columns)}")

    def plotly_dict(self) -> dict:
        """The figure as Plotly's dict (`figure.to_dict()`), made once: a page rerun draws a cached chart
        without copying its figure again. Treat it, like the whole spec, as read-only."""
        if self._plotly is None:
            self._plotly = self._figure.to_dict()
        return self._plotly

    @property
    def synthetic_mark(self) -> str:
        """The mark exports print on synthetic data ('datos sintéticos / synthetic data'), else ''."""
        return "datos sintéticos / synthetic data" if self.synthetic else ""

    @property
    def stamp(self) -> str:
        """One line for export footers: database build and the link that reopens the view."""
        p = self.provenance
        if not p:
            return ""
        words = {"es": ("Base de datos", "Vista"), "en": ("Database build", "View")}[self.lang if self.lang in ("es", "en") else "es"]
        return f"{words[0]} {p['build_id'][:12]} · {words[1]}: {p['link']}"

    def export_table(self) -> pd.DataFrame:
        """The data as exported: `display_column` text where `y` has no number."""
        table = self.data.copy()
        if self.display_column is not None:
            table[self.y] = table[self.display_column]
            table = table.drop(columns=[self.display_column])
        return table


def _get_figure(spec: ChartSpec) -> go.Figure:
    if spec._figure is None and spec._plotly is not None:  # built as a dict: Plotly validates it once, here
        fig = spec._plotly
        # validation takes each trace's "type" out of the dict it is given: copies, as ui.figure_to_draw
        spec._figure = go.Figure({"data": [dict(trace) for trace in fig["data"]], "layout": fig["layout"]})
    return spec._figure


def _set_figure(spec: ChartSpec, figure) -> None:
    if isinstance(figure, go.Figure) or not hasattr(figure, "to_dict"):
        spec._figure, spec._plotly = figure, None
    else:  # charts.figure.Figure: its dict is what the page draws; the Plotly figure is made when asked for
        spec._figure, spec._plotly = None, figure.to_dict()


# `figure` stays an ordinary init argument and field of the dataclass, read and set through these.
ChartSpec.figure = property(_get_figure, _set_figure, doc="The figure as a Plotly figure (read-only).")
