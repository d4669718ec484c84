"""Per-chart exports for briefing staff: PNG, SVG, standalone HTML, CSV and XLSX from a `ChartSpec`.

Every export is built from the same `ChartSpec` the page renders, so a briefing shows exactly
what the dashboard showed. Images carry the finding (title), period and filters (subtitle),
caveats (notes), the source line and, for synthetic data, a visible "datos sintéticos /
synthetic data" mark. Tables carry the data behind the chart as published (record-level counts
through the cell-key method, cybertrends/disclosure.py).

One module per concept:
- `browser`: finding Chrome/Chromium, and the errors image export raises;
- `engine`: the Kaleido browser shared by every image export (one lock), PNG/SVG/PDF;
- `layout`: the figure laid out for export (template, title block, caveats, source, mark);
- `html_page`: standalone HTML that works from disk without network;
- `tables`: CSV and XLSX, and `neutralise` against spreadsheet formula injection;
- `names`: download file names.

`from cybertrends import export; export.to_png(spec)` etc.: every public name is re-exported here.
"""

from __future__ import annotations

from cybertrends.export.browser import (
    UNAVAILABLE_MESSAGE,
    ExportError,
    ExportUnavailable,
    chromium_available,
    find_browser,
)
from cybertrends.export.engine import IMAGE_FORMATS, figure_to_image, shutdown, to_image, to_png, to_svg
from cybertrends.export.html_page import to_html
from cybertrends.export.layout import EXPORT_TEMPLATE_NAME, export_figure, export_template
from cybertrends.export.names import filename
from cybertrends.export.tables import neutralise, neutralise_table, provenance_columns, to_csv, to_xlsx

__all__ = [
    "EXPORT_TEMPLATE_NAME",
    "IMAGE_FORMATS",
    "UNAVAILABLE_MESSAGE",
    "ExportError",
    "ExportUnavailable",
    "chromium_available",
    "export_figure",
    "export_template",
    "figure_to_image",
    "filename",
    "find_browser",
    "neutralise",
    "neutralise_table",
    "provenance_columns",
    "shutdown",
    "to_csv",
    "to_html",
    "to_image",
    "to_png",
    "to_svg",
    "to_xlsx",
]
