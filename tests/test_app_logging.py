"""The app logs what fails: a chart builder that raises (with its traceback) and a database that
cannot be opened (with its cause); dashboard.py sets the level from CYBERTRENDS_LOG."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import date

import pytest

from cybertrends import cached, charts, paths
from cybertrends.filters import Filters


def test_a_failing_chart_is_logged_with_its_traceback(monkeypatch, caplog):
    def broken(ctx):
        raise ZeroDivisionError("no reports")

    charts._load_all()
    monkeypatch.setitem(charts.REGISTRY, "test_broken", broken)
    f = Filters(source="synthetic", period_from=date(2024, 1, 1), period_to=date(2024, 12, 1), grain="month")
    with caplog.at_level(logging.ERROR, logger="cybertrends"), pytest.raises(ZeroDivisionError):
        charts.build("test_broken", None, f)
    [record] = [r for r in caplog.records if r.name == "cybertrends.charts"]
    assert "test_broken" in record.getMessage() and "synthetic" in record.getMessage()
    assert record.exc_info and record.exc_info[0] is ZeroDivisionError


def test_a_database_that_cannot_be_opened_is_logged(tmp_path, monkeypatch, caplog):
    bad = tmp_path / "not_a_database.duckdb"
    bad.write_bytes(b"this is not a DuckDB file" * 100)
    monkeypatch.setenv("CYBERTRENDS_DB", str(bad))
    with caplog.at_level(logging.ERROR, logger="cybertrends"), pytest.raises(cached.DatabaseUnavailable) as err:
        cached.cursor()
    assert err.value.kind == "unreadable"
    [record] = [r for r in caplog.records if r.name == "cybertrends.cached"]
    assert str(bad) in record.getMessage()


@pytest.mark.parametrize(("value", "level"), [("DEBUG", logging.DEBUG), ("error", logging.ERROR),
                                              ("nonsense", logging.WARNING), (None, logging.WARNING)])
def test_the_log_level_comes_from_the_environment(value, level):
    # dashboard.py calls ui.configure_logging once per process: run it in a fresh interpreter.
    code = ("import logging, ui\nui.configure_logging()\nui.configure_logging()\n"
            "print(logging.getLogger('cybertrends').level, logging.getLogger('ui').level,"
            " len(logging.getLogger('cybertrends').handlers))")
    env = {"PATH": "/usr/bin:/bin"} | ({"CYBERTRENDS_LOG": value} if value else {})
    out = subprocess.run([sys.executable, "-c", code], cwd=paths.ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(level), str(level), "1"]  # one handler, however often it runs
