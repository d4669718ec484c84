"""Download file names: what the file holds (source, crime scope, chart, options, regions) and its cut date."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from cybertrends import i18n
from cybertrends.chartspec import ChartSpec

__all__ = ["filename"]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")


def filename(spec: ChartSpec, ext: str, when: date | None = None) -> str:
    """A download name that says what the file holds and how fresh it is: source, crime scope,
    the chart (and its options), and the source's cut date, e.g.
    "mpfn_ley30096_regiones-mapa-tasa_corte-2025-12-17.csv". Without a cut date, the day of
    the export ("..._2026-11-30.png")."""
    extension = _slug(ext.lstrip(".")).replace("_", "") or "bin"
    lang = i18n.lang_or_default(spec.lang)
    p = spec.provenance or {}
    key = f"file_{spec.chart_id}"
    chart = i18n.t(key, lang) if key in i18n.catalog() else spec.chart_id
    parts = [p.get("source", ""), p.get("crime_scope", ""), chart,
             *(str(v) for _, v in sorted((spec.options or {}).items()))]
    if spec.filters is not None and spec.filters.regions:
        parts.append("r" + "-".join(spec.filters.regions[:4]) + ("-etc" if len(spec.filters.regions) > 4 else ""))
    stem = "_".join(_slug(part).replace("_", "-") for part in parts if part).strip("_")[:120] or "chart"
    as_of = p.get("data_as_of")
    day = (f"{i18n.t('file_cut', lang)}-{as_of.isoformat()}" if isinstance(as_of, date)
           else (when or date.today()).isoformat())
    return f"{stem}_{day}.{extension}"
