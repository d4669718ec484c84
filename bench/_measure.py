"""Run one command as a child and report its wall time, CPU time and peak memory as JSON.

    python -m bench._measure OUT.json -- COMMAND [ARGS...]

A fresh process per measurement, so `getrusage(RUSAGE_CHILDREN)` sees exactly one child (and
its own children): `ru_maxrss` is the peak resident memory of the measured command.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    out, sep, *command = argv
    assert sep == "--", "usage: python -m bench._measure OUT.json -- COMMAND..."
    load_before = os.getloadavg()
    started = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = {
        "command": command,
        "returncode": proc.returncode,
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "stdout_tail": proc.stdout[-2000:],
        "stderr_tail": proc.stderr[-2000:],
    }
    with open(out, "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
