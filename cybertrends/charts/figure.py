"""Figures as plain Plotly dicts, built without Plotly's per-property validation.

`plotly.graph_objects.Figure` validates every property on every `add_*` / `update_*` call, and on a
page of six charts that was a third of the server time of a filter change (bench.pages). `Figure`
here offers the calls the charts make (`add_bar`, `add_scatter`, `add_choroplethmap`,
`add_waterfall`, `add_shape`, `add_annotation`, `update_layout`, `update_xaxes`, `update_yaxes`,
`update_traces`) with Plotly's meaning — "magic underscores" (`marker_color` is `marker.color`) and
updates that merge into what is already set — and keeps the result as the dict
`go.Figure.to_dict()` would give. Plotly validates it once, where a `plotly.graph_objects.Figure` is
needed (`ChartSpec.figure`: exports, the briefing pack) and when Streamlit draws it;
`tests/test_chart_figure.py` checks that both ways give the same figure for every chart.

Figures with subplots (`make_subplots`) stay Plotly figures.
"""

from __future__ import annotations

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


class Figure:
    """A one-plot figure as a plain dict: `data` (trace dicts) and `layout`."""

    def __init__(self) -> None:
        self.data: list[dict] = []
        self.layout: dict[str, Any] = {}

    def add_trace(self, trace_type: str, **props) -> Figure:
        """Add a trace of `trace_type` ('bar', 'scatter', ...) with `props`."""
        self.data.append({"type": trace_type, **_expand(props)})
        return self

    def add_bar(self, **props) -> Figure:
        """As `go.Figure.add_bar`."""
        return self.add_trace("bar", **props)

    def add_scatter(self, **props) -> Figure:
        """As `go.Figure.add_scatter`."""
        return self.add_trace("scatter", **props)

    def add_choroplethmap(self, **props) -> Figure:
        """As `go.Figure.add_choroplethmap`."""
        return self.add_trace("choroplethmap", **props)

    def add_waterfall(self, **props) -> Figure:
        """As `go.Figure.add_waterfall`."""
        return self.add_trace("waterfall", **props)

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

    def update_xaxes(self, **props) -> Figure:
        """As `go.Figure.update_xaxes` on a one-plot figure (its one x axis)."""
        _merge(self.layout, {"xaxis": _expand(props)})
        return self

    def update_yaxes(self, **props) -> Figure:
        """As `go.Figure.update_yaxes` on a one-plot figure (its one y axis)."""
        _merge(self.layout, {"yaxis": _expand(props)})
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
