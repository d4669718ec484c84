"""ui.figure_to_draw: what st.plotly_chart receives never aliases the cached, shared figure."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go

import ui
from cybertrends import charts, queries
from cybertrends.filters import Filters


def test_each_draw_gets_its_own_trace_dicts(con):
    crimes = tuple(queries.crimes_with_data(con, "synthetic"))
    f = Filters("synthetic", date(2024, 1, 1), date(2025, 6, 1), "month", crimes=crimes, lang="es")
    spec = charts.build("ct_channel", con, f)
    shared = spec.plotly_dict()
    drawn = ui.figure_to_draw(spec, height=420)
    assert drawn["data"] == shared["data"] and drawn["layout"]["height"] == 420
    assert all(a is not b for a, b in zip(drawn["data"], shared["data"]))
    assert shared["layout"].get("height") != 420  # the cached layout is not changed either
    # Plotly's validation pops "type" from the dict it is given while it builds the figure: a
    # concurrent draw of the shared dict must never see a trace without its type.
    types = [trace["type"] for trace in shared["data"]]
    for trace in drawn["data"]:
        trace.pop("type")
    assert [trace["type"] for trace in shared["data"]] == types
    go.Figure(**ui.figure_to_draw(spec))  # still a valid figure
