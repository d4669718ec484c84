"""Per-chart exports: PNG/SVG through one locked Kaleido server, HTML, CSV and XLSX.

Streamlit is imported first on purpose: it switches Plotly's default template to "streamlit"
(placeholder colours), and the exports must still come out right.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
from datetime import date

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import streamlit  # noqa: F401 - sets pio.templates.default = "streamlit" (the black-export trap)
from openpyxl import load_workbook
from PIL import Image

from cybertrends import export
from cybertrends.chartspec import ChartSpec
from tests.conftest import ROOT

MARK = "datos sintéticos / synthetic data"
INJECTIONS = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tTab", "-3.5%"]


# ------------------------------------------------------------------------------------------
# Specs built by hand
# ------------------------------------------------------------------------------------------


def line_spec(synthetic: bool = True) -> ChartSpec:
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    data = pd.DataFrame({"Mes": months, "Denuncias": [100 + 10 * i for i in range(12)]})
    # No template given: go.Figure picks up pio.templates.default, which is "streamlit" here.
    figure = go.Figure(go.Scatter(x=data["Mes"], y=data["Denuncias"], mode="lines", line=dict(width=4)))
    return ChartSpec(
        chart_id="overview_trend",
        kind="line",
        title="El fraude informático creció 38 % en 2025",
        subtitle="Denuncias mensuales, enero a diciembre de 2024, todas las regiones",
        source_line="Fuente: MPFN y SIDPOL, datos al 30-11-2026",
        figure=figure,
        data=data,
        x="Mes",
        y="Denuncias",
        synthetic=synthetic,
        notes=["Las cifras de diciembre son preliminares."],
    )


def table_spec() -> ChartSpec:
    """A bar chart whose data holds formula-like text, a suppressed count and a negative float."""
    data = pd.DataFrame(
        {
            "Modalidad": ["Fraude", "Extorsión", "Suplantación", "Acoso", "Phishing", "Otros"],
            "@nota": INJECTIONS,
            "Denuncias": [120.0, 80.0, float("nan"), 45.0, 33.0, 7.0],
            "Texto": ["120", "80", "<5", "45", "33", "7"],
            "Variación": [12.5, -3.5, 0.0, 1.0, -0.25, 4.0],
        }
    )
    figure = go.Figure(go.Bar(x=data["Modalidad"], y=data["Denuncias"]))
    return ChartSpec(
        chart_id="Modalidades (región) / 2025",
        kind="bar",
        title="El fraude lidera las denuncias",
        subtitle="Denuncias 2025 por modalidad",
        source_line="Fuente: MPFN, datos al 30-11-2026",
        figure=figure,
        data=data,
        x="Modalidad",
        y="Denuncias",
        display_column="Texto",
        notes=["Valores menores a 5 suprimidos."],
    )


def bar_spec(word: str, bars: int) -> ChartSpec:
    labels = [f"{word}-{i}" for i in range(bars)]
    data = pd.DataFrame({"Categoría": labels, "Denuncias": [10 * (i + 1) for i in range(bars)]})
    figure = go.Figure(go.Bar(x=labels, y=data["Denuncias"]))
    return ChartSpec(
        chart_id=f"bar_{word}",
        kind="bar",
        title=f"Título único {word}",
        subtitle=f"Subtítulo {word}",
        source_line=f"Fuente {word}",
        figure=figure,
        data=data,
        x="Categoría",
        y="Denuncias",
        synthetic=True,
    )


def flat(image: Image.Image) -> tuple:
    """Pixels as (r, g, b) tuples (Pillow 13 deprecates getdata)."""
    getter = getattr(image, "get_flattened_data", None) or image.getdata
    return tuple(getter())


def svg_text(svg: bytes) -> str:
    return svg.decode("utf-8")


# ------------------------------------------------------------------------------------------
# The export figure (no browser needed)
# ------------------------------------------------------------------------------------------


def test_streamlit_template_trap_is_active():
    assert pio.templates.default == "streamlit"  # otherwise the PNG test proves nothing


def test_export_figure_is_explicit_white_and_does_not_mutate():
    spec = line_spec()
    before = spec.figure.to_json()
    fig = export.export_figure(spec)
    assert spec.figure.to_json() == before
    layout = fig.to_dict()["layout"]
    assert layout["paper_bgcolor"] == "white" and layout["plot_bgcolor"] == "white"
    assert layout["template"]["layout"]["colorway"][0] == pio.templates["plotly_white"].layout.colorway[0]
    assert spec.title in layout["title"]["text"] and "<b>" in layout["title"]["text"]
    assert spec.subtitle in layout["title"]["subtitle"]["text"]
    texts = {a.get("name"): a["text"] for a in layout["annotations"]}
    assert MARK in texts["synthetic_mark"]
    assert spec.source_line in texts["source_line"] and MARK in texts["source_line"]
    assert spec.notes[0] in texts["notes"]
    assert not re.search(r"#0000(0[1-9]|[1-3][0-9]|40)\b", fig.to_json())

    plain = export.export_figure(line_spec(synthetic=False)).to_dict()["layout"]
    assert all(MARK not in a["text"] for a in plain["annotations"])


def test_express_placeholder_colours_are_replaced():
    # plotly.express copies the default ("streamlit") template's colorway into each trace.
    frame = pd.DataFrame({"x": [1, 2, 1, 2], "y": [3, 4, 5, 6], "s": ["a", "a", "b", "b"]})
    figure = px.line(frame, x="x", y="y", color="s")
    assert figure.data[0].line.color == "#000001"
    spec = ChartSpec("px", "line", "T", "S", "Fuente", figure, frame, "x", "y", series="s")
    colours = [trace.line.color for trace in export.export_figure(spec).data]
    assert colours == list(pio.templates["plotly_white"].layout.colorway[:2])


def test_filename_and_neutralise():
    spec = table_spec()
    # Without provenance (a spec built by hand): the chart and the day of the export.
    assert export.filename(spec, "png", when=date(2026, 11, 29)) == "modalidades-region-2025_2026-11-29.png"
    assert export.filename(line_spec(), ".xlsx", when=date(2026, 11, 29)) == "tendencia_2026-11-29.xlsx"
    assert export.filename(spec, "csv").endswith(f"_{date.today().isoformat()}.csv")
    assert export.neutralise("=1+1") == "'=1+1"
    assert export.neutralise("-3.5%") == "'-3.5%"
    assert export.neutralise("\rx") == "'\rx"
    assert export.neutralise(-3.5) == -3.5
    assert export.neutralise("Lima") == "Lima"
    assert export.neutralise(None) is None


# ------------------------------------------------------------------------------------------
# Images (browser)
# ------------------------------------------------------------------------------------------


def test_png_is_1600x900_coloured_not_black(tmp_path):
    from tests.conftest import require_chromium

    require_chromium()  # skips locally without chromium, fails under CI=true
    png = export.to_png(line_spec())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (1600, 900)
    (tmp_path / "chart.png").write_bytes(png)

    pixels = flat(image)
    near_black = sum(1 for r, g, b in pixels if r < 40 and g < 40 and b < 40)
    white = sum(1 for p in pixels if p == (255, 255, 255))
    assert near_black < 0.03 * len(pixels), "export came out dark: template placeholders leaked"
    assert white > 0.6 * len(pixels)
    assert len(set(pixels)) > 200

    # the line, drawn in the template's first colour (#636efa), crosses the plot area
    plot = image.crop((200, 150, 1400, 700))
    blue = sum(1 for r, g, b in flat(plot) if abs(r - 0x63) < 40 and abs(g - 0x6E) < 40 and b > 200)
    assert blue > 1500, blue
    # the synthetic mark: red text at the top right
    corner = image.crop((1100, 0, 1600, 100))
    red = sum(1 for r, g, b in flat(corner) if r > 150 and g < 110 and b < 110)
    assert red > 200, red
    # dark title text at the top left
    title = image.crop((0, 0, 800, 70))
    assert sum(1 for r, g, b in flat(title) if r < 80 and g < 80 and b < 100) > 500


def test_svg_has_title_subtitle_source_and_mark():
    from tests.conftest import require_chromium

    require_chromium()
    text = svg_text(export.to_svg(line_spec()))
    assert text.lstrip().startswith("<svg")
    for expected in (
        "El fraude informático creció 38 % en 2025",
        "Denuncias mensuales, enero a diciembre de 2024, todas las regiones",
        "Fuente: MPFN y SIDPOL, datos al 30-11-2026",
        "Las cifras de diciembre son preliminares.",
        MARK,
    ):
        assert expected in text, expected
    assert 'width="1600"' in text and 'height="900"' in text

    plain = svg_text(export.to_svg(line_spec(synthetic=False)))
    assert "El fraude informático creció" in plain and MARK not in plain

    suppressed = svg_text(export.to_svg(table_spec()))
    assert "Valores menores a 5 suprimidos." in suppressed


def test_concurrent_exports_each_get_their_own_chart():
    from tests.conftest import require_chromium

    require_chromium()
    words = ["alfa", "bravo", "charlie", "delta", "echo", "foxtrot"]
    specs = {word: bar_spec(word, bars=i + 2) for i, word in enumerate(words)}
    export.to_svg(specs["alfa"])  # warm the server so the threads really overlap
    results: dict[str, list[str]] = {word: [] for word in words}
    errors: list[BaseException] = []
    start = threading.Barrier(len(words))

    def work(word: str) -> None:
        try:
            start.wait()
            for _ in range(5):
                results[word].append(svg_text(export.to_svg(specs[word])))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(word,)) for word in words]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    for i, word in enumerate(words):
        assert len(results[word]) == 5
        for svg in results[word]:
            assert f"Título único {word}" in svg
            assert all(f"Título único {other}" not in svg for other in words if other != word)
            assert svg.count('class="point"') == i + 2


# ------------------------------------------------------------------------------------------
# Without a browser
# ------------------------------------------------------------------------------------------


@pytest.fixture
def no_browser(tmp_path, monkeypatch):
    fake = tmp_path / "notabrowser.sh"
    fake.write_text(f"#!/bin/sh\ntouch {tmp_path / 'ran'}\nsleep 600\n")  # a non-browser hangs Kaleido
    fake.chmod(0o755)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    monkeypatch.setenv("PATH", str(empty_bin))
    monkeypatch.setattr(export.browser, "SYSTEM_CANDIDATES", ())
    return fake


def test_no_browser_raises_with_install_hint_without_starting_anything(no_browser):
    assert export.find_browser() is None
    assert not export.chromium_available()
    starts = export.engine.ENGINE.starts
    for spec, lang in ((line_spec(), "es"), (replace_lang(line_spec(), "en"), "en")):
        with pytest.raises(export.ExportUnavailable) as caught:
            export.to_png(spec)
        message = str(caught.value)
        assert "apt-get install chromium" in message
        assert "BROWSER_PATH" in message and str(no_browser) in message
        assert message.startswith(export.UNAVAILABLE_MESSAGE[lang])
        assert isinstance(caught.value, RuntimeError)
    with pytest.raises(export.ExportUnavailable):
        export.to_svg(line_spec())
    assert not (no_browser.parent / "ran").exists()  # the non-browser was never run (it would hang)
    assert export.engine.ENGINE.starts == starts
    assert export.UNAVAILABLE_MESSAGE["en"].startswith("Image export needs Chromium. Install it with: sudo apt-get")


def test_detection_rechecks_the_environment(tmp_path, monkeypatch):
    monkeypatch.setattr(export.browser, "SYSTEM_CANDIDATES", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert export.find_browser() is None
    named = tmp_path / "chromium"
    named.write_text("#!/bin/sh\nexit 0\n")
    named.chmod(0o644)  # not executable: rejected
    assert export.find_browser() is None
    named.chmod(0o755)
    assert export.find_browser() == str(named)  # found on PATH, no cache to reset
    other = tmp_path / "google-chrome-stable"
    other.write_text("#!/bin/sh\nexit 0\n")
    other.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(other))
    assert export.find_browser() == str(other)
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "missing-chrome"))
    assert export.find_browser() == str(named)


def test_a_browser_that_dies_at_start_fails_instead_of_hanging(tmp_path):
    """A browser that exits at start ends the export in ExportError at once (tests/test_export_engine.py
    covers one that hangs)."""
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    script = (
        "import sys, time\n"
        "from cybertrends import export\n"
        "from tests.test_export import line_spec\n"
        "started = time.perf_counter()\n"
        "try:\n"
        "    export.to_png(line_spec())\n"
        "except export.ExportError as error:\n"
        "    print('ExportError', type(error).__name__, round(time.perf_counter() - started, 1))\n"
        "    sys.exit(0)\n"
        "sys.exit('no error raised')\n"
    )
    env = {**os.environ, "BROWSER_PATH": str(fake)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=90
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ExportError" in done.stdout


def replace_lang(spec: ChartSpec, lang: str) -> ChartSpec:
    spec.lang = lang
    return spec


# ------------------------------------------------------------------------------------------
# HTML (no browser needed)
# ------------------------------------------------------------------------------------------


def test_html_is_standalone_with_title_source_and_mark(no_browser):
    spec = line_spec()
    spec.title = "Fraude & extorsión: <5 casos en Tumbes"
    page = export.to_html(spec).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="es">' in page
    assert "<title>Fraude &amp; extorsión: &lt;5 casos en Tumbes</title>" in page
    assert spec.source_line in page and MARK in page  # static fallback text
    # ... and inside the interactive figure (Plotly's JSON escaping)
    encoded = lambda text: pio.json.to_json_plotly(text)[1:-1]  # noqa: E731
    for text in ("Fraude &amp; extorsión: &lt;5 casos en Tumbes", spec.source_line, MARK, spec.subtitle):
        assert encoded(text) in page, text
    assert "Plotly.newPlot" in page and "cdn.plot.ly/plotly" not in page  # plotly.js inlined
    assert len(page) > 3_000_000

    english = export.to_html(replace_lang(line_spec(synthetic=False), "en")).decode("utf-8")
    assert '<html lang="en">' in english and MARK not in english


# ------------------------------------------------------------------------------------------
# CSV and XLSX
# ------------------------------------------------------------------------------------------


def test_csv_round_trips_clean_table_with_neutralised_text():
    spec = table_spec()
    raw = export.to_csv(spec)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    # header first, no metadata lines; the provenance travels as columns of every row
    assert text.splitlines()[0] == "Modalidad,'@nota,Denuncias,Variación,source,data_as_of,build_id,synthetic"
    table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(table.columns) == ["Modalidad", "'@nota", "Denuncias", "Variación", "source", "data_as_of",
                                   "build_id", "synthetic"]
    assert table["Modalidad"].tolist() == ["Fraude", "Extorsión", "Suplantación", "Acoso", "Phishing", "Otros"]
    assert table["Denuncias"].tolist() == ["120", "80", "<5", "45", "33", "7"]
    assert table["Variación"].tolist() == ["12.5", "-3.5", "0", "1", "-0.25", "4"]
    assert table["'@nota"].tolist() == ["'" + value for value in INJECTIONS]
    numbers = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert numbers["Variación"].tolist() == [12.5, -3.5, 0.0, 1.0, -0.25, 4.0]
    assert MARK not in text and spec.title not in text


def test_xlsx_table_numbers_neutralised_text_and_metadata(tmp_path):
    spec = table_spec()
    path = tmp_path / export.filename(spec, "xlsx")
    path.write_bytes(export.to_xlsx(spec))
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Datos", "Metadatos"]
    sheet = workbook["Datos"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Modalidad", "'@nota", "Denuncias", "Variación")
    assert all(cell.font.bold for cell in sheet[1])
    assert [row[0] for row in rows[1:]] == ["Fraude", "Extorsión", "Suplantación", "Acoso", "Phishing", "Otros"]
    assert [row[1] for row in rows[1:]] == ["'" + value for value in INJECTIONS]
    assert [row[2] for row in rows[1:]] == [120, 80, "<5", 45, 33, 7]
    assert all(isinstance(row[2], int) for row in rows[1:] if row[2] != "<5")
    assert [row[3] for row in rows[1:]] == [12.5, -3.5, 0, 1, -0.25, 4]

    for worksheet in workbook.worksheets:
        for row in worksheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (worksheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value

    meta = dict(list(workbook["Metadatos"].iter_rows(values_only=True))[1:])
    assert meta["Título"] == spec.title
    assert meta["Subtítulo"] == spec.subtitle
    assert meta["Fuente"] == spec.source_line
    assert meta["Datos sintéticos"] == "No"
    assert meta["Nota"] == spec.notes[0]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", meta["Exportado"])

    synthetic = load_workbook(io.BytesIO(export.to_xlsx(replace_lang(line_spec(), "en"))))
    assert synthetic.sheetnames == ["Synthetic data", "Metadata"]
    info = dict(list(synthetic["Metadata"].iter_rows(values_only=True))[1:])
    assert info["Synthetic data"] == MARK and info["Title"] == line_spec().title
    dates = [row[0] for row in synthetic["Synthetic data"].iter_rows(min_row=2, values_only=True)]
    assert dates[0].year == 2024 and dates[0].month == 1 and len(dates) == 12


def test_formula_text_is_never_a_formula_even_in_raw_xml(tmp_path):
    import zipfile

    raw = export.to_xlsx(table_spec())
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            assert "<f>" not in archive.read(name).decode("utf-8"), name


def test_json_of_exported_figure_has_no_streamlit_template():
    layout = json.loads(export.export_figure(table_spec()).to_json())["layout"]
    assert "#000001" not in json.dumps(layout["template"])
