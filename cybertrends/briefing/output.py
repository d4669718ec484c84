"""A pack as a file: `render` (PPTX or PDF bytes), `session_pack` (the page's download
callable) and `file_name` (a safe download name)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from cybertrends import i18n
from cybertrends.briefing.images import Images
from cybertrends.briefing.pack import Pack, default_title, rebuild
from cybertrends.db import open_read_only

if TYPE_CHECKING:  # pragma: no cover
    from cybertrends.chartspec import ChartSpec

FORMATS = ("pptx", "pdf")
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


def render_counted(pack: Pack, fmt: str, images: Images | None = None) -> tuple[bytes, int]:
    """The pack as PPTX or PDF bytes (`fmt`) and its slide or page count; ValueError for any
    other format. A PDF can have more pages than `pack.count` (long tables continue)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    if fmt == "pptx":  # the writers import python-pptx / reportlab: only the one asked for
        from cybertrends.briefing.pptx import to_pptx

        return to_pptx(pack, images), pack.count
    from cybertrends.briefing.pdf import build_pdf

    return build_pdf(pack, images)


def render(pack: Pack, fmt: str, images: Images | None = None) -> bytes:
    """The pack as PPTX or PDF bytes (`fmt`); ValueError for any other format."""
    return render_counted(pack, fmt, images)[0]


def session_pack(specs: Sequence[ChartSpec], title: str, lang: str, fmt: str, db: str | Path | None = None) -> bytes:
    """A pack from the charts chosen on the page, rebuilt in `lang` (the download callable).

    Runs outside Streamlit's script context: opens its own read-only connection.
    """
    lang = i18n.lang_or_default(lang)
    images = Images("map" if fmt == "pptx" else "all")
    con = open_read_only(db)
    try:
        built, skipped = rebuild(list(specs), con, lang, on_spec=images.prefetch)
        pack = Pack((title or "").strip() or default_title(lang), lang, built, skipped)
        return render(pack, fmt, images)
    finally:
        images.close()
        con.close()


def file_name(title: str, fmt: str, when: date | None = None) -> str:
    """A safe download name, e.g. "ciberdelincuencia_en_el_peru_informe_de_evidencia_2026-12-05.pptx"."""
    ascii_text = unicodedata.normalize("NFKD", str(title or "")).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:60].strip("_") or "informe"
    return f"{stem}_{(when or date.today()).isoformat()}.{fmt}"
