"""Run every benchmark (``make bench``), each in its own process; go on past failures.

Usage::

    .venv/bin/python benchmarks/run_all.py            # default sizes (load: 20,000 per database)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a few minutes
    .venv/bin/python benchmarks/run_all.py --only load,submit

Each benchmark writes its own results under ``benchmarks/results/``; this script prints one
line per benchmark (exit code and duration) and exits 1 when any failed or is missing. The
PostgreSQL parts use the server in ``KLANKBORD_BENCH_PG`` (default
postgresql://postgres@127.0.0.1:5432/postgres) and create and drop their own databases.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: name → (arguments for the default run, arguments for --quick).
BENCHMARKS: dict[str, tuple[list[str], list[str]]] = {
    "cluster": (["--embeddings"], ["--quick"]),
    "embeddings": ([], ["--seeds", "1"]),
    "report": ([], ["--responses", "10000", "--texts", "2000", "--runs", "2"]),
    "meetings_live": ([], ["--phones", "10", "--rounds", "3"]),
    "submit": ([], ["--quick"]),
    "load": ([], ["--quick"]),
    "scrub": ([], ["--rounds", "5"]),
    "storage_order": (["--scale", "100000"], ["--submissions", "300"]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--only", help="comma-separated names: " + ",".join(BENCHMARKS))
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    outcomes: list[tuple[str, str, float]] = []
    for name in names:
        script = HERE / f"{name}.py"
        if name not in BENCHMARKS or not script.exists():
            outcomes.append((name, "missing", 0.0))
            continue
        default, quick = BENCHMARKS[name]
        command = [sys.executable, str(script), *(quick if args.quick else default)]
        print(f"== {name}: {' '.join(command[1:])}", flush=True)
        started = time.monotonic()
        try:
            code = subprocess.run(command, cwd=HERE.parent).returncode
            outcome = "ok" if code == 0 else f"failed (exit {code})"
        except KeyboardInterrupt:
            outcome = "interrupted"
        except OSError as error:
            outcome = f"failed ({error})"
        outcomes.append((name, outcome, time.monotonic() - started))
        if outcome == "interrupted":
            break
    print("\nSummary")
    for name, outcome, seconds in outcomes:
        print(f"  {name:<14} {outcome:<20} {seconds:7.1f} s")
    return 0 if all(outcome == "ok" for _, outcome, _ in outcomes) else 1


if __name__ == "__main__":
    raise SystemExit(main())
