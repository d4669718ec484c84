"""The standard briefing pack rendered by LibreOffice, as briefing staff open it: every region
named on the ranking, the partial year labelled, a clean title slide. Skipped without
LibreOffice locally; under CI=true it must run (.ci/run installs libreoffice-impress)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT, query

pytestmark = pytest.mark.office


def _soffice() -> str:
    path = shutil.which("soffice")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but LibreOffice is missing: .ci/run must install libreoffice-impress")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-impress); rendering test skipped")
    return path


def _pages(pdf) -> list[str]:
    from pypdf import PdfReader

    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages]


def test_the_standard_pack_renders_with_every_label(sample_db, tmp_path):
    soffice = _soffice()
    deck = tmp_path / "informe.pptx"
    made = subprocess.run([sys.executable, "-m", "cybertrends.briefing", "--db", str(sample_db), "--lang", "es",
                           "--format", "pptx", "--out", str(deck)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert made.returncode == 0, made.stderr
    converted = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(deck)],
                               capture_output=True, text=True, timeout=300,
                               env={**os.environ, "HOME": str(tmp_path)})
    assert converted.returncode == 0, converted.stderr
    pages = _pages(tmp_path / "informe.pdf")
    title = pages[0]
    assert "Fuentes:" in title and "Fuentes: Fuente" not in title and "• Fuente:" not in title
    regions = [name for (name,) in query(sample_db, "select region_name from ref_region")]
    ranking = next(p for p in pages if "regiones superan la tasa nacional" in p)
    missing = [name for name in regions if name not in ranking]
    assert missing == [], missing  # LibreOffice shows every region's name
    trend = pages[1]
    assert "2025 (ene–nov)" in trend and "2024" in trend
