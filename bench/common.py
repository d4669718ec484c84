"""Shared by the benchmark scripts: the machine, its load, sample files, measured commands."""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"  # git-ignored: sample files, databases, results
PYTHON = sys.executable
SEED = 2026  # as bench/__main__.py
SIZES = {"1m": 1_000_000, "3m": 3_000_000, "10m": 10_000_000}


def loadavg() -> float:
    """1-minute load average (other processes on the machine slow every figure down)."""
    return round(os.getloadavg()[0], 2)


def mem_available_gib() -> float:
    """Memory available now, in GiB, from /proc/meminfo (infinity where it cannot be read)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("inf")


def sample_file(label: str) -> Path:
    """The canonical incidents file with SIZES[label] rows, generated once and reused (the same
    file and seed as `python -m bench`, so the figures of every benchmark share their input)."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"incidents_{label}.csv"
    if not path.exists():
        log(f"generating {path.name} ({SIZES[label]:,} rows, seed {SEED})")
        subprocess.run([PYTHON, "-m", "etl", "sample", "--rows", str(SIZES[label]), "--seed", str(SEED),
                        "--out", str(path)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return path


def measure(command: list[str], env: dict | None = None, timeout: float = 1800) -> dict:
    """Run `command` in its own measuring process: wall and CPU seconds, peak RSS, load."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    try:
        subprocess.run([PYTHON, "-m", "bench._measure", out, "--", *command], cwd=ROOT, timeout=timeout,
                       env={**os.environ, **(env or {})}, check=True)
        return json.loads(Path(out).read_text())
    finally:
        Path(out).unlink(missing_ok=True)


def growth_exponent(sizes: list[int], times: list[float]) -> float:
    """Slope of log(time) against log(size), least squares: 1.0 is linear, below is better."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs), 3)


def log(message: str) -> None:
    """Print `message` with the time and the current 1-minute load average."""
    print(f"[bench {time.strftime('%H:%M:%S')} load {loadavg():.1f}] {message}", flush=True)


def save(name: str, result: dict) -> Path:
    """Write `result` as JSON to bench/out/<name>.json and return that path."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path
