"""Maps drawn as SVG where MapLibre is slow or cannot run.

The region map is built as a MapLibre `choroplethmap` on a blank style (its image exports use
it as is). Drawn by a browser, MapLibre needs WebGL: measured in Chromium without a GPU it takes
about 0.4 s per draw, against 0.03 s for the same shapes as an SVG `choropleth` on a geo subplot
fitted to them (BENCHMARKS.md, issue 12), and a file opened from disk cannot start its web
workers at all. So the app and the HTML export draw maps as SVG (`svg_maps`).

plotly.js loads its world base map (a topojson) for every geo subplot, even with the base layers
hidden: from cdn.plot.ly unless told otherwise. Our maps draw only their own GeoJSON, so it gets
an empty world topology (`EMPTY_WORLD`): the app serves it as `static/world_110m.json` (Streamlit
static serving; `TOPOJSON_URL` is the plotly.js config that points there) and the HTML export
inlines it. Nothing is fetched from the network.
"""

from __future__ import annotations

import json

from cybertrends import paths

_MAP_ONLY_KEYS = ("below", "subplot", "cluster")
_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
# The world base map plotly.js asks for (world_110m), with every layer empty.
EMPTY_WORLD = {"type": "Topology", "arcs": [],
               "objects": {layer: {"type": "GeometryCollection", "geometries": []} for layer in _LAYERS}}
# Where the app serves it: relative to the page, so it also works under a base URL path.
TOPOJSON_URL = "app/static/"
STATIC_WORLD = paths.ROOT / "static" / "world_110m.json"
GEO = {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}}


def svg_maps(fig_dict: dict) -> dict:
    """`fig_dict` with its tile maps (`choroplethmap`) as SVG maps (`choropleth` on a geo subplot
    fitted to the shapes, base layers hidden). A new dict: the traces and layout it changes are
    copies, so a figure shared between sessions is never altered."""
    data = fig_dict.get("data") or []
    if not any(t.get("type") == "choroplethmap" for t in data):
        return fig_dict
    traces = []
    for trace in data:
        if trace.get("type") == "choroplethmap":
            trace = {k: v for k, v in trace.items() if k not in _MAP_ONLY_KEYS} | {"type": "choropleth"}
        traces.append(trace)
    layout = {k: v for k, v in (fig_dict.get("layout") or {}).items() if k != "map"} | {"geo": dict(GEO)}
    return {**fig_dict, "data": traces, "layout": layout}


def offline_geo_script() -> str:
    """A <script> giving plotly.js the empty world topology (HTML pages opened from disk)."""
    return f"<script>window.PlotlyGeoAssets = {{topojson: {{world_110m: {json.dumps(EMPTY_WORLD)}}}}};</script>\n"
