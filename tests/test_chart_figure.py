"""charts.figure.Figure (figures built as plain dicts) gives the figure Plotly builds from the same calls."""

from __future__ import annotations

import json
import math
import re
import sys
from datetime import date

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from plotly.subplots import make_subplots

import ui
from cybertrends import charts, queries
from cybertrends.charts import figure
from cybertrends.charts.base import TEMPLATE_DICT, style, vline_note, vrect
from cybertrends.filters import Filters
from tests.apptest_helpers import decode

charts._load_all()
PLAIN = figure.Figure

# Options the pages pass (pages/*.py); every other chart is built with none.
OPTIONS = {
    "overview_contrib": [{"by": "crime"}, {"by": "region"}],
    "ct_modality": [{}, {"by_year": 1}],
    "ct_channel": [{}, {"by_year": 1}],
    "rg_map": [{"metric": m} for m in ("rate", "count", "growth")],
    "rg_rank": [{"metric": m} for m in ("rate", "count", "growth")],
    "rg_fd_rank": [{"metric": m} for m in ("count", "growth")],
    "rg_trend": [{"region": "15"}],
    "gr_rates": [{}, {"group": "older"}],
    "gr_top_crimes": [{"group": "older"}],
    "gr_minor_rate": [{"years": "latest"}, {"years": "all"}],
}


PLOTLY_BUILT: set[str] = set()  # charts still built as Plotly figures


class PlotlyFigure(go.Figure):
    """Plotly's own figure, with `Figure.stacked` as the `make_subplots` call it stands for."""

    @classmethod
    def stacked(cls, titles, vertical_spacing):
        return make_subplots(rows=len(titles), cols=1, shared_xaxes=True, vertical_spacing=vertical_spacing,
                             subplot_titles=titles)


def as_json(fig) -> dict:
    """The figure as Plotly validates and serialises it (what Streamlit sends to the browser)."""
    return json.loads(pio.to_json(fig if isinstance(fig, go.Figure) else go.Figure(fig)))


def as_read(value):
    """Figure JSON as Plotly.js reads it: typed arrays ({dtype, bdata}) as lists, NaN as null, a time
    without its zero fraction ('2024-01-01T00:00:00.000000' is '2024-01-01T00:00:00'), and a property
    set to null left out (Plotly.js then uses its default, as when it is absent)."""
    if isinstance(value, dict) and "bdata" in value:
        return as_read(decode(value))
    if isinstance(value, dict):
        return {k: as_read(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [as_read(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return re.sub(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.0+$", r"\1", value)
    return value


def both(calls) -> tuple[dict, dict]:
    """`calls(fig)` on a Plotly figure and on a plain one, each as validated JSON."""
    plotly_fig, plain = go.Figure(), figure.Figure()
    calls(plotly_fig)
    calls(plain)
    return as_json(plotly_fig), as_json(plain.to_dict())


def test_calls_mean_what_plotly_makes_of_them():
    def calls(fig):
        fig.add_bar(x=["a", "b"], y=[1, 2], marker_color=["#000000", "#111111"], marker_line_width=0.5,
                    customdata=list(zip(["x", "y"], ["1", "2"])), hovertemplate="%{customdata[0]}")
        fig.add_scatter(x=[0, 1], y=[2, 3], mode="lines", line=dict(color="red", width=2), line_dash="dot")
        style(fig, y_title="Denuncias", x_title="Año", height=300)
        fig.update_layout(margin=dict(t=44), legend=dict(font=dict(size=12)), paper_bgcolor="white")
        fig.update_layout(margin=dict(r=5), legend_title_text="")
        fig.update_xaxes(type="category", title_font_size=11)
        fig.update_yaxes(range=[0, 5], tickfont=dict(size=12))
        fig.update_yaxes(range=[1, 4])
        fig.update_traces(cliponaxis=False)
        vrect(fig, 0.5, 1.5, fillcolor="#E4E7EB", opacity=0.5, line_width=0, layer="below")
        vline_note(fig, 1, "nacional", 12, line=dict(dash="dash", color="#3E4C59", width=1.2))
        fig.add_annotation(x=0, y=0, text="sin archivo", font_size=12, showarrow=False)

    plotly_json, plain_json = both(calls)
    assert plain_json == plotly_json


@pytest.mark.parametrize("rows", [1, 2, 3])
def test_a_column_of_plots_is_what_make_subplots_makes(rows):
    titles = [f"Panel {i} · denuncias" for i in range(rows)]
    plotly_fig, plain = PlotlyFigure.stacked(titles, 0.09), figure.Figure.stacked(titles, 0.09)
    for fig in (plotly_fig, plain):
        for row in range(1, rows + 1):
            fig.add_scatter(x=[1, 2], y=[row, 3], name=f"r{row}", line=dict(width=2), row=row, col=1)
        style(fig, height=540)
        fig.update_yaxes(automargin=True)
        fig.update_xaxes(type="category")
        fig.update_yaxes(title_text="Tasa", row=rows, col=1)
        fig.update_annotations(font_size=13, x=0, xanchor="left")
        fig.add_annotation(x=0, y=0, xref=f"x{rows}" if rows > 1 else "x", yref="y domain", text="sin archivo")
    assert as_json(plain.to_dict()) == as_json(plotly_fig)


def test_a_merge_never_changes_the_shared_template():
    before = json.dumps(TEMPLATE_DICT)
    fig = style(figure.Figure())
    fig.update_layout(template=dict(layout=dict(font=dict(size=99))))
    assert fig.layout["template"]["layout"]["font"]["size"] == 99
    assert json.dumps(TEMPLATE_DICT) == before


def _filter_sets(con) -> list[Filters]:
    ley = tuple(c for c, is_ley in queries.crimes(con)[["crime_code", "is_ley_30096"]].itertuples(index=False) if is_ley)
    synth = Filters("synthetic", date(2019, 1, 1), date(2025, 12, 1), "month", crimes=ley, lang="es")
    mpfn = Filters("mpfn", date(2019, 1, 1), date(2025, 1, 1), "year", crimes=ley, lang="en")
    return [synth, synth.with_(lang="en", regions=("15",), groups=("older",)), synth.with_(period_from=date(2024, 1, 1)),
            mpfn, mpfn.with_(lang="es", regions=("04", "15"))]


@pytest.mark.parametrize("chart_id", sorted(charts.REGISTRY))
def test_every_chart_is_the_plotly_figure(con, monkeypatch, chart_id):
    """Each chart built the fast way draws, and exports, exactly the figure that Plotly's own
    `go.Figure` calls give (every chart module's `Figure` swapped for `go.Figure`)."""
    shared, shared_plotly = {}, {}
    for f in _filter_sets(con):
        for options in OPTIONS.get(chart_id, [{}]):
            spec = charts.build(chart_id, con, f, shared=shared, **options)
            with monkeypatch.context() as m:
                for name, module in list(sys.modules.items()):
                    if name.startswith("cybertrends.charts.") and getattr(module, "Figure", None) is PLAIN:
                        m.setattr(module, "Figure", PlotlyFigure)
                reference = charts.build(chart_id, con, f, shared=shared_plotly, **options)
            if spec is None:
                assert reference is None
                continue
            assert spec._plotly is not None or chart_id in PLOTLY_BUILT, chart_id  # built the fast way
            assert reference._plotly is None  # built by Plotly
            assert as_json(spec.figure) == as_json(reference.figure), (chart_id, f, options)
            # what the page hands to st.plotly_chart (ui may rework a figure for drawing, the same for both)
            assert as_json(ui.figure_to_draw(spec)) == as_json(ui.figure_to_draw(reference)), (chart_id, f, options)
            # and it needs no validation to be that figure: the page hands it to Streamlit as it is (ui.Drawn),
            # which serialises it without validating it
            drawn = ui.Drawn(ui.figure_to_draw(spec)).to_dict()
            assert (as_read(json.loads(pio.to_json(drawn, validate=False)))
                    == as_read(as_json(ui.figure_to_draw(reference)))), (chart_id, f, options)
