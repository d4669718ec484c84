"""Maps drawn as SVG (cybertrends/maps.py): the app and the HTML export draw the region map as a
geo choropleth, which a browser without a GPU draws about ten times faster than MapLibre, with
the empty world base map served by the app itself: nothing is fetched from another host (the
page icon is a file of ours too, not a material icon from fonts.gstatic.com)."""

from __future__ import annotations

import copy
import json
import tomllib
from datetime import date

import pytest
from plotly.utils import PlotlyJSONEncoder

import ui
from cybertrends import charts, maps, paths, queries
from cybertrends.filters import Filters
from tests.browser_helpers import chromium, error_texts, streamlit_server, wait_until_rendered
from tests.conftest import require_chromium


@pytest.fixture(scope="module")
def map_spec(con):
    crimes = tuple(queries.crimes_with_data(con, "synthetic"))
    f = Filters("synthetic", date(2019, 1, 1), date(2025, 12, 1), "year", crimes=crimes, lang="es")
    return charts.build("rg_map", con, f, metric="rate")


def _json(value) -> str:
    return json.dumps(value, cls=PlotlyJSONEncoder, sort_keys=True)


def test_the_map_is_drawn_as_svg_and_the_shared_figure_stays_a_tile_map(map_spec):
    shared = map_spec.plotly_dict()
    before = copy.deepcopy(shared)
    drawn = ui.figure_to_draw(map_spec, height=400)
    assert _json(shared) == _json(before)  # the cached figure other sessions draw is untouched
    assert [t["type"] for t in before["data"]] == ["choroplethmap"] * len(before["data"])
    assert [t["type"] for t in drawn["data"]] == ["choropleth"] * len(before["data"])
    assert "map" not in drawn["layout"] and drawn["layout"]["geo"] == maps.GEO
    assert drawn["layout"]["height"] == 400
    for svg, tile in zip(drawn["data"], before["data"]):  # the same shapes, values and texts
        assert _json({k: v for k, v in svg.items() if k != "type"}) == _json(
            {k: v for k, v in tile.items() if k not in ("type", "below", "subplot", "cluster")})


def test_other_figures_are_drawn_as_built(con):
    crimes = tuple(queries.crimes_with_data(con, "synthetic"))
    spec = charts.build("rg_rank", con, Filters("synthetic", date(2019, 1, 1), date(2025, 12, 1), "year",
                                                crimes=crimes), metric="rate")
    assert _json(ui.figure_to_draw(spec)) == _json(spec.plotly_dict())


def test_the_app_serves_the_empty_world_base_map():
    assert json.loads(maps.STATIC_WORLD.read_text()) == maps.EMPTY_WORLD
    config = tomllib.loads((paths.ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True
    assert ui.PLOTLY_CONFIG["topojsonURL"] == maps.TOPOJSON_URL


@pytest.mark.browser
def test_the_regions_map_draws_every_region_with_nothing_from_another_host(sample_db):
    with streamlit_server(sample_db) as url, chromium(require_chromium()) as browser:
        page = browser.new_page(viewport={"width": 1024, "height": 900})
        requested: list[str] = []
        page.on("request", lambda r: requested.append(r.url))
        page.goto(f"{url}/regions?lang=en")
        wait_until_rendered(page)
        page.wait_for_function("document.querySelectorAll('.choroplethlocation').length >= 25", timeout=30_000)
        shapes = page.evaluate("document.querySelectorAll('.choroplethlocation').length")
        assert error_texts(page) == []
        page.close()
    assert shapes == 25
    assert [u for u in requested if not u.startswith(url)] == []  # no CDN: not plot.ly, not fonts.gstatic.com
    assert f"{url}/app/static/world_110m.json" in requested  # the base map came from the app
