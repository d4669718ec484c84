"""Disclosure control for record-level sources: the cell-key method (ABS TableBuilder, ONS
Census 2021 flexible tables), with a perturbation table of our own.

How it works:
- every record of a record-level source (`incidents`, `synthetic`) carries a record key
  0-255 set at load from its source and `report_id` (etl/adapters/incidents.py `RECORD_KEY_SQL`), so it
  is the same on every reload of the same file;
- a cell's key is the sum of its records' keys modulo 256; the aggregate tables carry the sum
  (`key_sum`), so a key survives any further summing;
- every count shown or exported is looked up in the perturbation table by (count, cell key):
  `shown = count + noise`. Counts above 750 use the rows 501-750 (row = 501 + (count - 501) %
  250), as the ONS `cell-key-perturbation` package does.

The table (`perturbation_table()`, generated here, deterministic):
- zero stays zero (a cell with no records has no row and is never perturbed);
- no value from 1 to 4 is ever produced: counts 1-4 become 0, 5 or 6;
- every row has mean noise exactly 0 over the 256 keys (unbiased for every count);
- counts of 8 or more get noise -3..+3 (256 keys: 6, 24, 50, 96, 50, 24, 6), counts 5-7 the
  same distribution with the changes that would land on 1-4 removed (so never below 5);
  counts 1-4 move at most to 0 or 6, i.e. by at most 5 (`MAX_NOISE_SMALL`).
Totals are cells of their own (their own key), so a total minus its shown parts yields noise,
not a hidden count. The database itself stays exact: it is the analysts' restricted tier.

`python -m cybertrends.disclosure --out FILE.csv` writes the table and prints its summary.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

KEY_RANGE = 256
THRESHOLD = 5  # no perturbed count from 1 to THRESHOLD - 1
TABLE_ROWS = 750  # counts with a row of their own
FOLD_FROM = 501  # counts above TABLE_ROWS reuse rows FOLD_FROM..TABLE_ROWS
MAX_NOISE = 3  # largest change of a count of 5 or more
MAX_NOISE_SMALL = 5  # largest change of a count of 1-4 (to 0 or to 6)
SEED = 30096
# Noise -> number of the 256 keys that get it, for counts of 8 or more (symmetric: mean 0).
TEMPLATE = {-3: 6, -2: 24, -1: 50, 0: 96, 1: 50, 2: 24, 3: 6}
RECORD_LEVEL_SOURCES = ("incidents", "synthetic")


def _row_noise(count: int) -> dict[int, int]:
    """Noise -> number of keys for one count (the keys add up to 256, the noise to 0)."""
    if count >= THRESHOLD:
        out = {0: 0}
        for d, n in TEMPLATE.items():
            if d < 0 and 0 < count + d < THRESHOLD:  # would land on 1-4: drop the pair (+d, -d)
                out[0] += n
            elif d > 0 and 0 < count - d < THRESHOLD:
                out[0] += n
            else:
                out[d] = out.get(d, 0) + n
        return out
    # 1-4: only 0, 5 and 6 are allowed; the fewest 6s that make the mean exactly `count`.
    for n6 in range(KEY_RANGE + 1):
        rest = KEY_RANGE * count - 6 * n6
        if rest >= 0 and rest % 5 == 0 and rest // 5 + n6 <= KEY_RANGE:
            n5 = rest // 5
            return {-count: KEY_RANGE - n5 - n6, 5 - count: n5, 6 - count: n6}
    raise AssertionError(f"no unbiased row for count {count}")  # pragma: no cover


@cache
def perturbation_noise() -> tuple[int, ...]:
    """The noise of every (count_row 1..750, cell_key 0..255), row by row and key by key."""
    noise: list[int] = []
    for count in range(1, TABLE_ROWS + 1):
        noises = [d for d, n in sorted(_row_noise(count).items()) for _ in range(n)]
        random.Random(SEED * 1000 + count).shuffle(noises)  # which key gets which noise
        noise += noises
    return tuple(noise)


@cache
def perturbation_csv() -> str:
    """The perturbation table as CSV text, the form the ETL loads it in (pure Python: the ETL
    computes it on a thread of its own while DuckDB reads the files)."""
    keys = ((row, key) for row in range(1, TABLE_ROWS + 1) for key in range(KEY_RANGE))
    return "count_row,cell_key,noise\n" + "".join(f"{r},{k},{n}\n" for (r, k), n in zip(keys, perturbation_noise()))


@cache
def perturbation_table() -> pd.DataFrame:
    """One row per (count_row 1..750, cell_key 0..255): the noise to add to the count. (NumPy and
    pandas are imported here, for the app and the tests: the ETL does not import them.)"""
    import numpy as np
    import pandas as pd

    return pd.DataFrame({  # built by column
        "count_row": np.repeat(np.arange(1, TABLE_ROWS + 1, dtype="int16"), KEY_RANGE),
        "cell_key": np.tile(np.arange(KEY_RANGE, dtype="uint8"), TABLE_ROWS),
        "noise": np.array(perturbation_noise(), dtype="int16")})


def count_row(count: int) -> int:
    """The table row used for a count (counts above 750 are folded onto 501-750)."""
    return count if count <= TABLE_ROWS else FOLD_FROM + (count - FOLD_FROM) % (TABLE_ROWS - FOLD_FROM + 1)


def perturb(count: int, key_sum: int | None) -> int:
    """The published value of a cell of `count` records whose keys add up to `key_sum`
    (a plain-Python lookup, for tests and exports that work outside SQL)."""
    if not count or key_sum is None:
        return int(count or 0)
    return int(count) + _noise()[(count_row(int(count)), int(key_sum) % KEY_RANGE)]


@cache
def _noise() -> dict[tuple[int, int], int]:
    return {(int(r), int(k)): int(n) for r, k, n in perturbation_table().itertuples(index=False)}


# SQL: `cells` must be a relation with the count `n` and `key_sum`; the result adds `shown`.
ROW_SQL = f"(case when {{n}} <= {TABLE_ROWS} then {{n}} else {FOLD_FROM} + ({{n}} - {FOLD_FROM}) % {TABLE_ROWS - FOLD_FROM + 1} end)"


def perturbed_sql(n: str, key_sum: str, table: str = "p") -> tuple[str, str]:
    """(join condition, shown value) for a LEFT JOIN ref_perturbation `table` on the cell
    whose count is the SQL expression `n` and key sum `key_sum`. Cells without keys (published
    aggregates) are shown as they are."""
    row = ROW_SQL.format(n=n)
    join = f"{table}.count_row = {row} and {table}.cell_key = ({key_sum}) % {KEY_RANGE}"
    shown = f"(case when {key_sum} is null or {n} = 0 then {n} else {n} + coalesce({table}.noise, 0) end)"
    return join, shown


def load_table(con) -> None:
    """Create `ref_perturbation` in the database being built: DuckDB's CSV reader on the table's
    CSV text (`perturbation_csv`), in a temporary file, with the column types of `perturbation_table`.
    The ETL does not import pandas for it (about 0.5 s of its start)."""
    with tempfile.TemporaryDirectory(prefix="cybertrends-") as tmp:
        path = Path(tmp) / "ref_perturbation.csv"
        path.write_text(perturbation_csv(), encoding="ascii")
        con.execute(
            "create or replace table ref_perturbation as select * from read_csv($path, header = true, "
            "columns = {'count_row': 'SMALLINT', 'cell_key': 'UTINYINT', 'noise': 'SMALLINT'}) order by all",
            {"path": str(path)})


def summary() -> pd.DataFrame:
    """Per count 1..20 and for the folded rows: mean noise, largest change, values shown."""
    df = perturbation_table()
    df = df.assign(shown=df["count_row"] + df["noise"])
    out = df.groupby("count_row").agg(mean_noise=("noise", "mean"), max_abs_noise=("noise", lambda s: s.abs().max()),
                                      min_shown=("shown", "min"), max_shown=("shown", "max"))
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: print a summary of the perturbation table (noise by count) and, with `--out`, write
    the table as CSV; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="write the table as CSV to this file")
    args = parser.parse_args(argv)
    if args.out:
        perturbation_table().to_csv(args.out, index=False)
    s = summary()
    print(s.head(12).to_string())
    print(f"... rows 1-{TABLE_ROWS}: mean noise max |{s['mean_noise'].abs().max():.3g}|, "
          f"largest change {s['max_abs_noise'].max()}, shown values in 1-4: "
          f"{int(((perturbation_table()['count_row'] + perturbation_table()['noise']).between(1, THRESHOLD - 1)).sum())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
