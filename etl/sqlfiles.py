"""The ETL's SQL lives in `etl/sql/*.sql` (`paths.ETL_SQL_DIR`), one file per thing it builds,
each starting with a comment that states its grain. This module reads and assembles them.

A file may name a fragment as `{{name}}`: another file `etl/sql/name.sql` (a SELECT used as a
subquery) or a piece of SQL the caller passes, always generated from fixed declarations
(internal column names, the validation rules of `etl/adapters/rules.py`), never from data.
Values from users (paths, file names, sources) are bound parameters (`$name`) only.
"""

from __future__ import annotations

import re
from functools import lru_cache

from cybertrends import paths

_MARKER = re.compile(r"\{\{([a-z_]+)\}\}")


@lru_cache(maxsize=None)
def _text(name: str) -> str:
    return (paths.ETL_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def sql(name: str, **fragments: str) -> str:
    """The text of `etl/sql/<name>.sql` with every `{{marker}}` filled: from `fragments` when given,
    else with the file of that name (filled likewise). An unknown marker is an error."""

    def fill(match: re.Match) -> str:
        key = match.group(1)
        if key in fragments:
            return fragments[key]
        if (paths.ETL_SQL_DIR / f"{key}.sql").exists():
            return "(" + sql(key, **fragments) + ")"
        raise KeyError(f"etl/sql/{name}.sql: no fragment or file for {{{{{key}}}}}")

    return _MARKER.sub(fill, _text(name))


def bind_used(text: str, params: dict) -> dict:
    """Only the parameters `text` uses (DuckDB rejects unused named parameters)."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}


def run(con, name: str, params: dict | None = None, **fragments: str):
    """Execute `etl/sql/<name>.sql` (filled as `sql` does) with the parameters it uses."""
    text = sql(name, **fragments)
    return con.execute(text, bind_used(text, params or {}))
