"""A new load shows in a running app without a restart: queries are keyed by the database
version, and the app reconnects to the swapped file."""

from __future__ import annotations

from etl import load
from tests.apptest_helpers import run_app
from tests.conftest import CANONICAL_HEADER, query, write
from tests.published import total

Q1_2024 = "report_date between date '2024-01-01' and date '2024-03-31'"


def _rows(prefix: str, n: int, day: str) -> str:
    return "\n".join(f"{prefix}{i},{day},,150101,8,,,40,F,persona natural," for i in range(n))


def test_a_swapped_database_shows_without_restart(tmp_path):
    db = tmp_path / "live.duckdb"
    first = write(tmp_path, "synthetic_a.csv", CANONICAL_HEADER + "\n" + _rows("A", 30, "2024-03-31") + "\n" + _rows("P", 10, "2023-03-10") + "\n")
    assert load.load_files([first], db=db).published
    at = run_app(db, params={"lang": "en"})
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reports, Jan 2024–Mar 2024"] == str(total(db, "synthetic", Q1_2024)), metrics

    second = write(tmp_path, "synthetic_b.csv", CANONICAL_HEADER + "\n" + _rows("B", 12, "2024-02-10") + "\n")
    assert load.load_files([second], db=db).published  # swapped in while the app holds the old file open
    at.run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    expected = total(db, "synthetic", Q1_2024)  # the published count of the 42 records now loaded
    assert query(db, f"select count(*) from fact_incident where {Q1_2024}") == [(42,)]
    assert metrics["Reports, Jan 2024–Mar 2024"] == str(expected)
