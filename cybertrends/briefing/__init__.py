"""Briefing packs: the charts staff chose (or the standard pack) as a PowerPoint or a PDF.

Both outputs are built from `ChartSpec`s, so a pack shows exactly what the dashboard shows;
charts chosen on the page are rebuilt in the pack's language from `spec.filters` /
`spec.options`. One module per concern:

- `pack`: what goes in (`Pack`, `Skipped`, `collect`, `build_charts`, `rebuild`, `add`, `move`,
  `remove`), the numbers as text (`table_rows`, `notes_text`, `chart_series`), closing sections;
- `images`: chart pictures through `cybertrends.export` (Kaleido), rendered in the background;
- `pptx`: the 16:9 PowerPoint deck with native charts (`to_pptx`);
- `pdf`: the landscape A4 PDF laid out by reportlab Platypus (`to_pdf`);
- `output`: `render`, the page's download callable `session_pack`, `file_name`;
- `cli` (run by `__main__`): `python -m cybertrends.briefing ...`.

No Streamlit here. The PDF writer (reportlab) is imported on first use of `to_pdf`.
"""

from cybertrends.briefing.cli import ArgumentError, default_filters, default_source, main, parse_period, resolve_region
from cybertrends.briefing.images import Images
from cybertrends.briefing.output import FORMATS, MIME, file_name, render, render_counted, session_pack
from cybertrends.briefing.pack import (
    MARK,
    STANDARD_PACK,
    SYNTHETIC_RED,
    Pack,
    Skipped,
    add,
    build_charts,
    chart_series,
    collect,
    default_title,
    move,
    notes_text,
    rebuild,
    registered,
    remove,
    table_rows,
)
from cybertrends.briefing.pptx import to_pptx

__all__ = [
    "FORMATS",
    "MARK",
    "MIME",
    "STANDARD_PACK",
    "SYNTHETIC_RED",
    "ArgumentError",
    "Images",
    "Pack",
    "Skipped",
    "add",
    "build_charts",
    "chart_series",
    "collect",
    "default_filters",
    "default_source",
    "default_title",
    "file_name",
    "main",
    "move",
    "notes_text",
    "parse_period",
    "rebuild",
    "registered",
    "remove",
    "render",
    "render_counted",
    "resolve_region",
    "session_pack",
    "table_rows",
    "to_pdf",
    "to_pptx",
]


def __getattr__(name: str):
    """`to_pdf` and `build_pdf` on first use (they import reportlab)."""
    if name in ("to_pdf", "build_pdf"):
        from cybertrends.briefing import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
