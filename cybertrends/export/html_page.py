"""Standalone interactive HTML export: plotly.js inlined, maps as SVG with an inlined topology.

The page opens from disk with no network: tile maps become SVG choropleths and plotly.js gets
an empty world topology instead of fetching one from its CDN (cybertrends/maps.py). A <noscript> block repeats the
title, subtitle, synthetic mark, caveats, source and provenance as plain text.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from cybertrends import i18n, maps
from cybertrends.chartspec import ChartSpec
from cybertrends.export.layout import SYNTHETIC_COLOUR, export_figure
from cybertrends.export.names import filename

__all__ = ["to_html"]


def _esc(text: str | None) -> str:
    return html.escape(str(text or ""), quote=True)


def _noscript(spec: ChartSpec) -> str:
    """The chart's texts as plain HTML, for readers without JavaScript."""
    fallback = [f"<h1>{_esc(spec.title)}</h1>"]
    if spec.subtitle:
        fallback.append(f"<p>{_esc(spec.subtitle)}</p>")
    if spec.synthetic:
        fallback.append(f'<p><strong style="color:{SYNTHETIC_COLOUR}">{_esc(spec.synthetic_mark)}</strong></p>')
    fallback.extend(f"<p><small>{_esc(note)}</small></p>" for note in spec.notes)
    if spec.source_line:
        fallback.append(f"<p><small>{_esc(spec.source_line)}</small></p>")
    if spec.stamp:
        fallback.append(f"<p><small>{_esc(spec.stamp)}</small></p>")
    return f"<noscript>{''.join(fallback)}</noscript>\n"


def to_html(spec: ChartSpec, width: int = 1600, height: int = 900) -> bytes:
    """Interactive standalone HTML (plotly.js inlined, works offline); no browser needed to build."""
    fig = go.Figure(maps.svg_maps(export_figure(spec, width=width, height=height).to_dict()))
    lang = i18n.lang_or_default(spec.lang)
    div = fig.to_html(
        include_plotlyjs=True,
        full_html=False,
        default_width="100%",
        default_height=f"{height}px",
        config={
            "displaylogo": False,
            "responsive": True,
            "toImageButtonOptions": {
                "format": "png",
                "filename": filename(spec, "png").rsplit(".", 1)[0],
                "width": width,
                "height": height,
            },
        },
    )
    synthetic_meta = (f'<meta name="robots" content="noindex">\n'
                      f'<meta name="data-status" content="{_esc(spec.synthetic_mark)}">\n') if spec.synthetic else ""
    document = (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(spec.title)}</title>\n"
        f'<meta name="description" content="{_esc(spec.subtitle)}">\n'
        + synthetic_meta
        + "<style>html,body{margin:0;background:#fff;font-family:Arial,sans-serif}</style>\n"
        "</head>\n<body>\n"
        + (maps.offline_geo_script() if any(t.type == "choropleth" for t in fig.data) else "")
        + _noscript(spec)
        + f"{div}\n</body>\n</html>\n"
    )
    return document.encode("utf-8")
