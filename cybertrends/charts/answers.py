"""A read-only connection that answers a statement it has already run from memory.

The charts of a page ask for many of the same published cells (a total, the counts by year, the
unspecified-article shares): every chart builder queries what it shows, independently, so each stays
simple and correct on its own. This wrapper makes the repeats free: one DuckDB round trip per distinct
statement and parameters, for every chart of every page of one database version (the store lives in
`Context.shared`, one per published database; a new database gets a new, empty store).

The database is read-only and a version never changes, so an answer never goes stale. Answers are
returned as copies (a DataFrame as a shallow copy: pandas' copy-on-write keeps the stored one intact).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import duckdb
import pandas as pd

KEY = "answers"  # the store's key in Context.shared
MAX_ANSWERS = 2000  # aggregated results are small (cells of a page's grain): a few MB at most


class Answers:
    """Results by (statement, parameters, fetch method); least recently used dropped first; thread-safe."""

    def __init__(self, max_answers: int = MAX_ANSWERS):
        self._results: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.max_answers = max_answers
        self.executed = 0  # round trips to DuckDB (benchmarks count them)

    def get(self, con: duckdb.DuckDBPyConnection, sql: str, params, method: str):
        """The result of `con.execute(sql, params).<method>()`, run only the first time."""
        key = (sql, _frozen(params), method)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]
        result = getattr(con.execute(sql, params) if params is not None else con.execute(sql), method)()
        with self._lock:
            self.executed += 1
            self._results[key] = result
            while len(self._results) > self.max_answers:
                self._results.popitem(last=False)
        return result

    def has(self, sql: str, params, method: str) -> bool:
        """Whether the statement has been answered (and is still kept)."""
        with self._lock:
            return (sql, _frozen(params), method) in self._results

    def find(self, sql: str, method: str, match) -> object | None:
        """An answer to `sql` (fetched with `method`) whose parameters (a dict) satisfy `match`, or None."""
        with self._lock:
            candidates = [(dict(params), result) for (s, params, m), result in self._results.items()
                          if m == method and s == sql]
        return next((result for params, result in candidates if match(params)), None)

    def keep(self, sql: str, params, method: str, result) -> None:
        """Keep `result` as the answer to `sql` with `params` (one worked out from other answers)."""
        with self._lock:
            self._results[(sql, _frozen(params), method)] = result
            self._results.move_to_end((sql, _frozen(params), method))
            while len(self._results) > self.max_answers:
                self._results.popitem(last=False)

    def remember(self, key: tuple, compute):
        """`compute()` (a value worked out from answers, e.g. shares several charts of a page show) once per
        `key`, kept beside the answers and dropped with them."""
        full = ("remember", key, "value")
        with self._lock:
            if full in self._results:
                self._results.move_to_end(full)
                return self._results[full]
        value = compute()
        with self._lock:
            self._results[full] = value
            while len(self._results) > self.max_answers:
                self._results.popitem(last=False)
        return value

    def run_split(self, con: duckdb.DuckDBPyConnection, sql: str, params, split) -> None:
        """Run `sql` once (one round trip) and keep each `(statement, parameters, DataFrame)` that
        `split(df)` yields as the `.df()` answer of that statement: one statement that computes the
        cells of several statements at once (see queries.published_sets_sql)."""
        df = con.execute(sql, params).df()
        parts = list(split(df))
        with self._lock:
            self.executed += 1
            for part_sql, part_params, part in parts:
                self._results[(part_sql, _frozen(part_params), "df")] = part
                self._results.move_to_end((part_sql, _frozen(part_params), "df"))
            while len(self._results) > self.max_answers:
                self._results.popitem(last=False)


def _frozen(params):
    """Parameters as a hashable key (values are str, int, float, date, None or lists of them)."""
    if params is None:
        return None
    items = params.items() if isinstance(params, dict) else enumerate(params)
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in items)


class AnsweringConnection:
    """Stands in for a DuckDB connection in the chart code: `execute(sql, params)` then `.df()`,
    `.fetchone()` or `.fetchall()`, answered by `answers` when asked before."""

    def __init__(self, con: duckdb.DuckDBPyConnection, answers: Answers):
        self.con, self.answers = con, answers

    def execute(self, sql: str, params=None) -> _Pending:
        """A pending result: the statement runs (or is looked up) when fetched."""
        return _Pending(self, sql, params)

    def __getattr__(self, name):
        return getattr(self.con, name)


class _Pending:
    def __init__(self, owner: AnsweringConnection, sql: str, params):
        self.owner, self.sql, self.params = owner, sql, params

    def _get(self, method: str):
        return self.owner.answers.get(self.owner.con, self.sql, self.params, method)

    def df(self) -> pd.DataFrame:
        return self._get("df").copy(deep=False)

    def fetchone(self):
        return self._get("fetchone")

    def fetchall(self) -> list:
        return list(self._get("fetchall"))


def answering(con, shared: dict) -> AnsweringConnection:
    """`con` answering from the store of `shared` (created on first use); `con` itself if it already does."""
    if isinstance(con, AnsweringConnection) or con is None:
        return con
    answers = shared.get(KEY)
    if answers is None:
        answers = shared.setdefault(KEY, Answers())
    return AnsweringConnection(con, answers)
