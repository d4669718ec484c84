"""Helpers to drive the real app with `streamlit.testing.v1.AppTest` and read what it shows."""

from __future__ import annotations

import base64
import json
import os

import numpy as np
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from cybertrends import paths

DASHBOARD = str(paths.ROOT / "dashboard.py")

# A running server switches to st.navigation routing after the first script run
# (PagesManager.uses_pages_directory becomes False). AppTest resets that flag before every run,
# so a page in pages/ whose url_path equals its file name would be run on its own, without
# dashboard.py. Make AppTest route like the running server does.
_original_init = PagesManager.__init__


def _navigation_routing_init(self, *args, **kwargs):
    _original_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False


PagesManager.__init__ = _navigation_routing_init


def run_app(db, page: str | None = None, params: dict | None = None, timeout: int = 90) -> AppTest:
    """Run dashboard.py against `db` with URL query `params` (e.g. {"lang": "en",
    "source": ...}); then switch to `page` (e.g. "pages/regions.py") if given."""
    os.environ["CYBERTRENDS_DB"] = str(db)
    at = AppTest.from_file(DASHBOARD, default_timeout=timeout)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def widget(widgets, prefix: str):
    """The one widget of `widgets` (e.g. `at.sidebar.multiselect`) whose key is `prefix` or
    `prefix` + "_…": the app versions its keys (`f_regions_2`, `f_period_synthetic_1`,
    `p_metric_growth`), so tests find a control by what it is. Fails unless exactly one matches."""
    found = [w for w in widgets if w.key == prefix or str(w.key).startswith(prefix + "_")]
    if len(found) != 1:
        raise KeyError(f"{len(found)} widgets with key {prefix!r}_…: {[w.key for w in widgets]}")
    return found[0]


def sidebar_filters(at: AppTest) -> dict:
    """What the sidebar's filters show, as ids: source, period (first, last), crime group,
    crimes, regions and victim groups (None where the control is not drawn)."""
    def one(widgets, prefix):
        try:
            return widget(widgets, prefix).value
        except KeyError:
            return None

    source = widget(at.sidebar.selectbox, "f_source").value
    period = one(at.sidebar.select_slider, f"f_period_{source}")
    return {
        "source": source, "period": tuple(period) if period is not None else None,
        "crime_group": one(at.sidebar.segmented_control, f"f_crime_group_{source}"),
        "crimes": one(at.sidebar.multiselect, "f_crimes"), "regions": one(at.sidebar.multiselect, "f_regions"),
        "groups": one(at.sidebar.multiselect, "f_groups"),
    }


def link_warnings(at: AppTest) -> list[str]:
    """The notices naming values a link asked for that the app does not know."""
    from cybertrends import i18n

    starts = tuple(i18n.t("link_unknown_values", lang, values="").split(":")[0] for lang in i18n.LANGS)
    return [w.value for w in at.warning if str(w.value).startswith(starts)]


def decode(value):
    """Plotly JSON arrays may arrive as {"dtype", "bdata"} (base64)."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",")]
            arr = arr.reshape(dims)
        return arr.tolist()
    return value


def figures(at: AppTest) -> list[dict]:
    """Every Plotly figure on the page as a dict, numeric arrays decoded."""
    out = []
    for el in at.get("plotly_chart"):
        fig = json.loads(el.proto.spec)
        for trace in fig.get("data", []):
            for k in ("x", "y", "z", "customdata", "text", "locations"):
                if k in trace:
                    trace[k] = decode(trace[k])
        out.append(fig)
    return out


def texts(at: AppTest) -> str:
    """All visible text of markdown, captions, titles, metrics, info/warning boxes."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in at.get(kind)]
    parts += [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    return "\n".join(parts)
