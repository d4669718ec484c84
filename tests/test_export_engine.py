"""The image engine's lifecycle: one browser reused by every warm export, a dead or hung browser replaced,
and the Kaleido hook the engine relies on for speed still present. Timing lives in bench/exports.py;
the timeouts here only guard against a hang."""

from __future__ import annotations

import inspect
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from cybertrends import export, i18n
from cybertrends.export import engine
from tests.conftest import ROOT, require_chromium
from tests.test_export import line_spec


def _gone(pid: int) -> bool:
    """The process has exited (a zombie waiting for a reaper counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_warm_export_reuses_the_running_browser():
    require_chromium()
    export.to_png(line_spec())
    starts, pid = engine.ENGINE.starts, engine.ENGINE.browser_pid()
    assert pid is not None and not _gone(pid)
    for _ in range(3):
        assert export.to_png(line_spec())[:8] == b"\x89PNG\r\n\x1a\n"
    assert export.to_svg(line_spec()).lstrip().startswith(b"<svg")
    assert engine.ENGINE.starts == starts  # no new browser for a warm export
    assert engine.ENGINE.browser_pid() == pid


def test_a_browser_that_died_between_exports_is_replaced():
    require_chromium()
    export.to_png(line_spec())
    starts, pid = engine.ENGINE.starts, engine.ENGINE.browser_pid()
    os.killpg(pid, signal.SIGKILL)  # the wrapper and Chromium behind it
    png = export.to_png(line_spec())
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert engine.ENGINE.starts == starts + 1
    assert engine.ENGINE.browser_pid() != pid


def test_shutdown_stops_the_browser_and_the_next_export_starts_one():
    require_chromium()
    export.to_png(line_spec())
    pid = engine.ENGINE.browser_pid()
    export.shutdown()
    assert not engine.ENGINE.running and engine.ENGINE.browser_pid() is None
    deadline = time.monotonic() + 30
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(pid)
    export.shutdown()  # safe to repeat
    assert export.to_png(line_spec())[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_hung_browser_is_stopped_with_export_error_and_the_next_export_starts_afresh(tmp_path):
    """A "chromium" that starts and never answers: the export ends in ExportError (not a hang), the
    process is killed, and the next export (with the real browser) works."""
    require_chromium()
    pid_file = tmp_path / "pid"
    fake = tmp_path / "chromium"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec sleep 600\n")
    fake.chmod(0o755)
    script = (
        "import os\n"
        "from cybertrends import export\n"
        "from cybertrends.export import engine\n"
        "from tests.test_export import line_spec\n"
        "engine.START_TIMEOUT, start_timeout = 3, engine.START_TIMEOUT\n"
        "try:\n"
        "    export.to_png(line_spec())\n"
        "    print('no error')\n"
        "except export.ExportError as error:\n"
        "    print('ExportError:', error)\n"
        "print('running after the stall:', engine.ENGINE.running)\n"
        "os.environ.pop('BROWSER_PATH')\n"
        "engine.START_TIMEOUT = start_timeout\n"
        "png = export.to_png(line_spec())\n"
        "print('next export:', png[:4] == b'\\x89PNG', 'starts:', engine.ENGINE.starts)\n"
        "export.shutdown()\n"
    )
    env = {**os.environ, "BROWSER_PATH": str(fake), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"ExportError: {i18n.t('export_stalled', 'es')}", done.stdout + done.stderr
    assert lines[1] == "running after the stall: False"
    assert lines[2] == "next export: True starts: 2"
    pid = int(pid_file.read_text())
    assert _gone(pid), f"the hung browser {pid} is still running"


def test_the_engine_still_finds_the_kaleido_hook_it_overrides():
    """engine._ReusingKaleido overrides Kaleido's tab return (reuse the page, reload every RELOAD_EVERY).
    If a Kaleido release renames it, exports stay correct but slow: fail here so the override is updated."""
    import kaleido

    hook = vars(kaleido.Kaleido).get("_return_kaleido_tab")
    assert hook is not None and inspect.iscoroutinefunction(hook)
    assert list(inspect.signature(hook).parameters) == ["self", "tab"]
    assert "_return_kaleido_tab" in vars(engine._reusing_kaleido_class())


def test_a_reused_page_draws_each_figure_as_a_fresh_page_does():
    """No state carries over from one figure to the next on a reused page: the same chart gives the
    same pixels on a freshly loaded page and after other charts (a legend, categories, a map)."""
    require_chromium()
    from tests.test_export import bar_spec, table_spec

    export.shutdown()
    fresh = export.to_png(line_spec())  # the first render on a freshly loaded page
    others = [table_spec(), bar_spec("zulu", 40), _legend_spec()]
    for other in others:
        assert export.to_png(other) != fresh
    assert engine.ENGINE.starts and engine.ENGINE._kaleido.reloaded == 0  # the same page all along
    assert export.to_png(line_spec()) == fresh


def _legend_spec():
    import plotly.graph_objects as go

    from cybertrends.chartspec import ChartSpec

    data = pd.DataFrame({"Año": [2020, 2021, 2020, 2021], "Denuncias": [5, 9, 7, 3], "Grupo": ["a", "a", "b", "b"]})
    figure = go.Figure([go.Scatter(x=[2020, 2021], y=[5, 9], name="a"), go.Scatter(x=[2020, 2021], y=[7, 3], name="b")],
                       layout=dict(xaxis=dict(tickangle=30), yaxis=dict(type="log"), showlegend=True))
    return ChartSpec("legend", "line", "Leyenda", "Dos series", "Fuente", figure, data, "Año", "Denuncias",
                     series="Grupo")


def test_pages_are_reloaded_every_reload_every_renders(monkeypatch):
    require_chromium()
    monkeypatch.setattr(engine, "RELOAD_EVERY", 3)
    export.shutdown()
    export.to_png(line_spec())
    starts = engine.ENGINE.starts
    for _ in range(6):
        assert export.to_png(line_spec())[:8] == b"\x89PNG\r\n\x1a\n"
    k = engine.ENGINE._kaleido
    deadline = time.monotonic() + 60
    while k.reloads and time.monotonic() < deadline:
        time.sleep(0.05)
    assert k.reloaded == 2 and not k.reload_failed  # after the 3rd and the 6th render
    assert k.tabs_ready.qsize() == engine.TABS  # the tab is back after its reload
    assert engine.ENGINE.starts == starts  # reloaded, not restarted


@pytest.mark.parametrize("lang", ["es", "en"])
def test_messages_and_sheet_labels_come_from_the_catalogue(lang):
    assert export.UNAVAILABLE_MESSAGE[lang] == i18n.t("export_image_unavailable", lang)
    spec = line_spec(synthetic=False)
    spec.lang = lang
    book = load_workbook(io.BytesIO(export.to_xlsx(spec)))
    assert book.sheetnames == [i18n.t("xlsx_data_sheet", lang), i18n.t("xlsx_meta_sheet", lang)]
    meta = dict(list(book.worksheets[1].iter_rows(values_only=True))[1:])
    assert meta[i18n.t("xlsx_title", lang)] == spec.title


def test_neutralise_table_is_the_one_rule_for_dashboard_tables():
    frame = pd.DataFrame({"Archivo": ["=cmd()", "informe.csv", "-3.5%", None], "Denuncias": [-3, 4, 5, 6]})
    shown = export.neutralise_table(frame)
    assert shown["Archivo"].tolist()[:3] == ["'=cmd()", "informe.csv", "'-3.5%"]
    assert pd.isna(shown["Archivo"].tolist()[3])
    assert shown["Denuncias"].tolist() == [-3, 4, 5, 6]  # numbers stay numbers
    assert frame["Archivo"].tolist()[0] == "=cmd()"  # the input is not changed
    assert [export.neutralise(v) for v in frame["Archivo"].tolist()[:3]] == shown["Archivo"].tolist()[:3]
