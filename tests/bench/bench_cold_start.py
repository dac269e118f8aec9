"""Benchmarks printed as figures, never asserted: `make bench`.

1. Import time of each handler module in a fresh interpreter (a cold-start proxy): median of N runs.
2. Wall time of the happy-path `ffo run events/text-compliant.json`: median of M runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMPORT_RUNS = int(os.environ.get("BENCH_IMPORT_RUNS", "7"))
RUN_RUNS = int(os.environ.get("BENCH_RUN_RUNS", "3"))

_PROBE = """
import importlib.util, sys, time
started = time.perf_counter()
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - started)
"""


def import_seconds(app: Path) -> float:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "bench",
        "ASSETS_BUCKET": "bench",
        "POWERTOOLS_SERVICE_NAME": "flashfusion",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    out = subprocess.run([sys.executable, "-c", _PROBE, str(app)], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    print(f"handler import time, fresh interpreter, median of {IMPORT_RUNS} runs (cold-start proxy)")
    for app in sorted((ROOT / "functions").glob("*/app.py")):
        samples = [import_seconds(app) for _ in range(IMPORT_RUNS)]
        print(
            f"  {app.parent.name:<10} {statistics.median(samples) * 1000:7.1f} ms"
            f"  (min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f})"
        )

    ffo = Path(sys.executable).with_name("ffo")
    walls = []
    for _ in range(RUN_RUNS):
        started = time.perf_counter()
        subprocess.run(
            [str(ffo), "run", "events/text-compliant.json", "--out", str(ROOT / "out" / "bench")],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        walls.append(time.perf_counter() - started)
    print(
        f"happy-path `ffo run events/text-compliant.json` wall time, median of {RUN_RUNS}: "
        f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f})"
    )


if __name__ == "__main__":
    main()
