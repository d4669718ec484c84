"""ETL benchmark: `python -m etl load` of a canonical incidents file against DuckDB's own limit
(a bare `CREATE TABLE AS SELECT * FROM read_csv`) and against what an analyst would otherwise
write (pandas read_csv + the same checks + insert into DuckDB).

    python -m bench.etl [--sizes 1m,3m,10m] [--repeats N] [--no-analyst] [--out DIR]   # `make bench`

`--out DIR` puts the databases it builds and etl.json in DIR instead of bench/out (the sample
files are still read from bench/out).

Every figure is a whole process (`bench._measure`): wall and CPU seconds and peak resident
memory. The bare read and the ETL run alternately, `repeats` times each (5: on the shared 2-core
machine one pair's ratio varies by about 15%); the ratio is the median of the ratios of
neighbouring runs, because other processes on the machine slow both alike. The bare read uses the ETL's DuckDB settings (memory limit, threads, no insertion
order); a run with DuckDB's defaults is reported too. The load average before each run is
recorded next to it.
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

from bench.common import OUT, PYTHON, SIZES, growth_exponent, log, measure, mem_available_gib, sample_file, save

TARGET_RATIO_BARE = 1.5  # at most 1.5x the bare read
TARGET_RSS_MB = 1024  # peak memory at most 1 GB
TARGET_SPEEDUP_ANALYST = 4.0  # at least 4x faster than the pandas pipeline
WORK = {"dir": OUT}  # where the databases (and etl.json) go: bench/out unless --out
# The pandas pipeline holds every field as a string column: ~0.8 GB per million rows here.
ANALYST_GIB_PER_MILLION = 1.0


def _clean(db: Path) -> None:
    for p in (db, Path(f"{db}.wal"), Path(f"{db}.lock")):
        p.unlink(missing_ok=True)


def _etl(path: Path, db: Path) -> dict:
    _clean(db)  # a first load: validation, aggregation and publishing, nothing to compare with
    run = measure([PYTHON, "-m", "etl", "load", str(path), "--db", str(db)])
    if run["returncode"] != 0:
        raise RuntimeError(f"ETL failed: {run['stdout_tail']}{run['stderr_tail']}")
    return run


def _bare(path: Path, defaults: bool = False) -> dict:
    db = WORK["dir"] / "bench_bare.duckdb"
    run = measure([PYTHON, "-m", "bench.bare", str(path), str(db), *(["--defaults"] if defaults else [])])
    _clean(db)
    if run["returncode"] != 0:
        raise RuntimeError(f"bare read failed: {run['stderr_tail']}")
    return run


def _analyst(path: Path, rows: int) -> dict | None:
    need = rows / 1e6 * ANALYST_GIB_PER_MILLION + 2
    if mem_available_gib() < need:
        log(f"skipping the pandas reference at {rows:,} rows: needs ~{need:.0f} GiB free, "
            f"{mem_available_gib():.0f} GiB available")
        return None
    db = WORK["dir"] / "bench_analyst.duckdb"
    run = measure([PYTHON, "-m", "bench.analyst", str(path), str(db)])
    _clean(db)
    if run["returncode"] != 0:
        raise RuntimeError(f"pandas reference failed: {run['stderr_tail']}")
    return run


def _brief(run: dict) -> dict:
    return {k: run[k] for k in ("wall_s", "cpu_s", "max_rss_mb")} | {"load": run["loadavg_before"][0]}


def _rows(path: Path) -> int:
    for label, rows in SIZES.items():
        if path.name.endswith(f"_{label}.csv"):
            return rows
    with open(path, "rb") as fh:
        return sum(1 for _ in fh) - 1


def run(path: Path, repeats: int = 5, analyst: bool = True) -> dict:
    """Benchmark loading `path` (the databases it builds are removed afterwards)."""
    path = Path(path)
    rows = _rows(path)
    db = WORK["dir"] / f"etl_{path.stem}.duckdb"
    etl_runs, bare_runs = [], []
    for i in range(repeats):
        log(f"{path.name}: bare read {i + 1}/{repeats}")
        bare_runs.append(_bare(path))
        log(f"{path.name}: ETL load {i + 1}/{repeats}")
        etl_runs.append(_etl(path, db))
    _clean(db)
    log(f"{path.name}: bare read with DuckDB's default settings")
    bare_default = _bare(path, defaults=True)
    ratios = [e["wall_s"] / b["wall_s"] for e, b in zip(etl_runs, bare_runs)]
    etl_s = statistics.median(r["wall_s"] for r in etl_runs)
    out = {
        "file": path.name,
        "rows": rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "etl_runs": [_brief(r) for r in etl_runs],
        "bare_runs": [_brief(r) for r in bare_runs],
        "bare_default": _brief(bare_default),
        "etl_s": round(etl_s, 3),
        "etl_s_min": round(min(r["wall_s"] for r in etl_runs), 3),
        "etl_cpu_s": round(statistics.median(r["cpu_s"] for r in etl_runs), 3),
        "bare_s": round(statistics.median(r["wall_s"] for r in bare_runs), 3),
        "bare_s_min": round(min(r["wall_s"] for r in bare_runs), 3),
        "bare_cpu_s": round(statistics.median(r["cpu_s"] for r in bare_runs), 3),
        "ratio_bare": round(statistics.median(ratios), 3),
        "ratio_bare_cpu": round(statistics.median(r["cpu_s"] for r in etl_runs)
                                / statistics.median(r["cpu_s"] for r in bare_runs), 2),
        "ratio_bare_default": round(etl_s / bare_default["wall_s"], 2),
        "etl_max_rss_mb": max(r["max_rss_mb"] for r in etl_runs),
        "bare_max_rss_mb": max(r["max_rss_mb"] for r in bare_runs),
        "load": [r["loadavg_before"][0] for r in etl_runs],
        "etl_output": etl_runs[-1]["stdout_tail"][-700:],
        "targets": {"ratio_bare": TARGET_RATIO_BARE, "rss_mb": TARGET_RSS_MB,
                    "speedup_analyst": TARGET_SPEEDUP_ANALYST},
    }
    out["pass_ratio_bare"] = statistics.median(ratios) <= TARGET_RATIO_BARE  # not the rounded figure
    out["pass_rss"] = out["etl_max_rss_mb"] < TARGET_RSS_MB
    if analyst:
        log(f"{path.name}: pandas reference (read_csv + the same checks + insert into DuckDB)")
        ref = _analyst(path, rows)
        if ref is not None:
            out["analyst"] = _brief(ref)
            out["speedup_analyst"] = round(ref["wall_s"] / etl_s, 2)
            out["pass_speedup_analyst"] = out["speedup_analyst"] >= TARGET_SPEEDUP_ANALYST
    log(f"{path.name}: ETL {out['etl_s']:.1f} s vs bare {out['bare_s']:.1f} s (x{out['ratio_bare']}), "
        f"peak {out['etl_max_rss_mb']:.0f} MB" + (
            f"; pandas {out['analyst']['wall_s']:.1f} s (ETL {out['speedup_analyst']}x faster)" if "analyst" in out else ""))
    return out


def growth(by_size: dict[str, dict]) -> dict:
    """How cost grows with rows: log-log slopes (1.0 = linear) of the ETL, bare and pandas times."""
    measured = sorted(by_size.values(), key=lambda m: m["rows"])
    if len(measured) < 2:
        return {}
    rows = [m["rows"] for m in measured]
    out = {"rows": rows, "etl_exponent": growth_exponent(rows, [m["etl_s"] for m in measured]),
           "bare_exponent": growth_exponent(rows, [m["bare_s"] for m in measured]),
           "etl_s_per_million": [round(m["etl_s"] / (m["rows"] / 1e6), 3) for m in measured]}
    with_ref = [m for m in measured if "analyst" in m]
    if len(with_ref) >= 2:
        out["analyst_exponent"] = growth_exponent([m["rows"] for m in with_ref],
                                                  [m["analyst"]["wall_s"] for m in with_ref])
    return out


def main(argv: list[str]) -> int:
    """Command line: benchmark the ETL at each size (`--sizes`, `--repeats`), saving bench/out/etl.json
    after every size."""
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return 0
    sizes = argv[argv.index("--sizes") + 1].split(",") if "--sizes" in argv else list(SIZES)
    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 5
    if "--out" in argv:
        WORK["dir"] = Path(argv[argv.index("--out") + 1])
        WORK["dir"].mkdir(parents=True, exist_ok=True)

    def write(result: dict) -> None:
        if WORK["dir"] == OUT:
            save("etl", result)
        else:
            (WORK["dir"] / "etl.json").write_text(json.dumps(result, indent=2, default=str))

    result: dict = {"sizes": {}}
    for label in sizes:
        result["sizes"][label] = run(sample_file(label), repeats, analyst="--no-analyst" not in argv)
        write(result)
    result["growth"] = growth(result["sizes"])
    write(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
