"""Figures as plain Plotly dicts, built without Plotly's per-property validation.

`plotly.graph_objects.Figure` validates every property on every `add_*` / `update_*` call, and on a
page of six charts that was a third of the server time of a filter change (bench.pages). `Figure`
here offers the calls the charts make (`add_bar`, `add_scatter`, `add_choroplethmap`,
`add_waterfall`, `add_shape`, `add_annotation`, `update_layout`, `update_xaxes`, `update_yaxes`,
`update_traces`, `update_annotations`) with Plotly's meaning — "magic underscores" (`marker_color` is `marker.color`) and
updates that merge into what is already set — and keeps the result as the dict
`go.Figure.to_dict()` would give. Plotly validates it once, where a `plotly.graph_objects.Figure` is
needed (`ChartSpec.figure`: exports, the briefing pack) and when Streamlit draws it;
`tests/test_chart_figure.py` checks that both ways give the same figure for every chart.

One column of plots sharing the x axis (`Figure.stacked`, as `make_subplots(rows=n, cols=1,
shared_xaxes=True)`) takes `row` / `col` as Plotly does; other subplot grids stay Plotly figures.
"""

from __future__ import annotations

import copy
import re
from functools import cache
from typing import Any

# Plotly's own property names with an underscore (every other underscore is a magic one).
_NAMES_WITH_UNDERSCORE = frozenset({"paper_bgcolor", "plot_bgcolor", "error_x", "error_y", "error_z", "copy_ystyle",
                                    "copy_zstyle"})


def _expand(props: dict) -> dict:
    """`props` with magic underscores spelt out (`marker_line_color=c` → `{"marker": {"line": {"color": c}}}`),
    in nested dicts too; always new dicts (values given are never changed later)."""
    out: dict = {}
    for key, value in props.items():
        if isinstance(value, dict):
            value = _expand(value)
        path = [key] if key in _NAMES_WITH_UNDERSCORE or "_" not in key else key.split("_")
        target = out
        for part in path[:-1]:
            target = target.setdefault(part, {})
        last = path[-1]
        if isinstance(value, dict) and isinstance(target.get(last), dict):
            _merge(target, {last: value})
        else:
            target[last] = value
    return out


def _merge(target: dict, update: dict) -> None:
    """Plotly's `update`: a dict merges into the dict already set (as a copy: a dict may be shared, e.g. the
    template), anything else replaces."""
    for key, value in update.items():
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged = dict(current)
            _merge(merged, value)
            target[key] = merged
        else:
            target[key] = value


@cache
def _stacked_layout(rows: int, vertical_spacing: float) -> dict:
    """The layout `make_subplots` gives a column of `rows` plots sharing the x axis, titles 'row 1', ...
    (worked out by Plotly once)."""
    from plotly.subplots import make_subplots

    layout = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=vertical_spacing,
                           subplot_titles=[f"row {i}" for i in range(1, rows + 1)]).to_dict()["layout"]
    layout.pop("template", None)
    return layout


def _axis(letter: str, row: int) -> str:
    """The axis id of `row` in a single column of plots: 'x', 'x2', ..."""
    return letter if row == 1 else f"{letter}{row}"


class Figure:
    """A figure as a plain dict: `data` (trace dicts) and `layout`; one plot, or a column of plots
    (`Figure.stacked`)."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict[str, Any] = {}

    @classmethod
    def stacked(cls, titles: list[str], vertical_spacing: float) -> Figure:
        """One plot per title, in a column, sharing the x axis: as
        `make_subplots(rows=len(titles), cols=1, shared_xaxes=True, vertical_spacing=..., subplot_titles=titles)`."""
        fig = cls()
        fig.layout = copy.deepcopy(_stacked_layout(len(titles), vertical_spacing))
        for note, title in zip(fig.layout["annotations"], titles, strict=True):
            note["text"] = title
        return fig

    def add_trace(self, trace_type: str, row: int | None = None, col: int | None = None, **props) -> Figure:
        """Add a trace of `trace_type` ('bar', 'scatter', ...) with `props`, in plot `row` of a column
        of plots (`col` is 1)."""
        trace = {"type": trace_type, **_expand(props)}
        if row is not None:
            if col != 1:
                raise ValueError("plots are in one column: col must be 1")
            trace.update(xaxis=_axis("x", row), yaxis=_axis("y", row))
        self.data.append(trace)
        return self

    def add_bar(self, row: int | None = None, col: int | None = None, **props) -> Figure:
        """As `go.Figure.add_bar`."""
        return self.add_trace("bar", row, col, **props)

    def add_scatter(self, row: int | None = None, col: int | None = None, **props) -> Figure:
        """As `go.Figure.add_scatter`."""
        return self.add_trace("scatter", row, col, **props)

    def add_choroplethmap(self, row: int | None = None, col: int | None = None, **props) -> Figure:
        """As `go.Figure.add_choroplethmap`."""
        return self.add_trace("choroplethmap", row, col, **props)

    def add_waterfall(self, row: int | None = None, col: int | None = None, **props) -> Figure:
        """As `go.Figure.add_waterfall`."""
        return self.add_trace("waterfall", row, col, **props)

    def add_shape(self, **props) -> Figure:
        """As `go.Figure.add_shape` (no row or column: one plot)."""
        self.layout.setdefault("shapes", []).append(_expand(props))
        return self

    def add_annotation(self, **props) -> Figure:
        """As `go.Figure.add_annotation` (no row or column: one plot)."""
        self.layout.setdefault("annotations", []).append(_expand(props))
        return self

    def update_layout(self, **props) -> Figure:
        """As `go.Figure.update_layout`: dicts merge into what is set, other values replace."""
        _merge(self.layout, _expand(props))
        return self

    def _update_axes(self, letter: str, props: dict, row: int | None) -> Figure:
        if row is not None:
            keys = [_axis(f"{letter}axis", row)]
        else:  # every axis of the figure, as Plotly: the one plot's, or each of a column's
            keys = [k for k in self.layout if re.fullmatch(f"{letter}axis[0-9]*", k)] or [f"{letter}axis"]
        update = _expand(props)
        for key in keys:
            _merge(self.layout, {key: update})
        return self

    def update_xaxes(self, row: int | None = None, col: int | None = None, **props) -> Figure:
        """As `go.Figure.update_xaxes`: every x axis, or that of plot `row`."""
        return self._update_axes("x", props, row)

    def update_yaxes(self, row: int | None = None, col: int | None = None, **props) -> Figure:
        """As `go.Figure.update_yaxes`: every y axis, or that of plot `row`."""
        return self._update_axes("y", props, row)

    def update_annotations(self, **props) -> Figure:
        """As `go.Figure.update_annotations` without a selector: every annotation."""
        update = _expand(props)
        notes = []
        for note in self.layout.get("annotations", []):
            merged = dict(note)
            _merge(merged, update)
            notes.append(merged)
        if notes:
            self.layout["annotations"] = notes
        return self

    def update_traces(self, **props) -> Figure:
        """As `go.Figure.update_traces` without a selector: every trace."""
        update = _expand(props)
        for i, trace in enumerate(self.data):
            merged = dict(trace)
            _merge(merged, update)
            self.data[i] = merged
        return self

    def to_dict(self) -> dict:
        """The figure as Plotly's dict (`{"data": [...], "layout": {...}}`); shared, not copied: read-only."""
        return {"data": self.data, "layout": self.layout}
