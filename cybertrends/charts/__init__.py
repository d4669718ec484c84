"""Chart registry: every chart the product shows has an id and a builder.

A builder takes a `Context` (connection + filters + options) and returns a `ChartSpec`, or
None when the filters leave no data. Pages, exports and the briefing command line all build
charts through `build()`, so they show the same numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cache

import duckdb

from cybertrends.charts.base import Context
from cybertrends.chartspec import ChartSpec
from cybertrends.filters import Filters

Builder = Callable[[Context], "ChartSpec | None"]
REGISTRY: dict[str, Builder] = {}
log = logging.getLogger(__name__)


def chart(chart_id: str):
    """Register a builder under `chart_id`."""

    def register(fn: Builder) -> Builder:
        if chart_id in REGISTRY:
            raise ValueError(f"chart id {chart_id!r} registered twice")
        REGISTRY[chart_id] = fn
        return fn

    return register


def build(chart_id: str, con: duckdb.DuckDBPyConnection, f: Filters, shared: dict | None = None,
          **options) -> ChartSpec | None:
    """Build chart `chart_id`; `shared` (one dict per database build) lets charts reuse lookups."""
    _load_all()
    try:
        builder = REGISTRY[chart_id]
    except KeyError:
        raise KeyError(f"unknown chart {chart_id!r}; known: {sorted(REGISTRY)}") from None
    ctx = Context(con, f, dict(options), {} if shared is None else shared)
    try:
        spec = builder(ctx)
    except Exception:
        log.exception("chart %s failed (source %s, options %s)", chart_id, f.source, options)
        raise
    if spec is not None:
        spec.filters, spec.options = f, dict(options)
        spec.provenance = ctx.provenance(chart_id)
    return spec


@cache
def _load_all() -> None:
    """Import every chart module so its builders register (once)."""
    import importlib
    import pkgutil

    import cybertrends.charts as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in ("answers", "base"):
            importlib.import_module(f"cybertrends.charts.{info.name}")
