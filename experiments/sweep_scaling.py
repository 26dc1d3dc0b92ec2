"""
How a sweep scales with Dask workers on this machine: the sparse-pattern Hebbian capacity table.

Runs the same sweep (`bioam hebbian --patterns sparse`: five rules at
D = 200, 400 and 700, 15 tasks of 1 to 20 s) inline and on a local Dask
cluster of 1 and of 2 workers, one after another, and writes the wall-clock
times (cluster start included) and whether every run gave the same rows to
``OUT/scaling.csv``.

    python experiments/sweep_scaling.py [--workers 1 2] [--units 200 400 700] [--out DIR]
"""

import argparse
import json
import os
import time

from brian2 import BrianLogger

from bioam.hebbian.experiment import capacity_table
from bioam.io import write_csv_atomic

COLUMNS = ["scheduler", "workers", "tasks", "seconds", "speed_up_vs_inline", "same_rows",
           "cpu_count"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--units", type=int, nargs="+", default=[200, 400, 700])
    parser.add_argument("--out", default=os.path.join("output", "sweeps"))
    args = parser.parse_args()
    BrianLogger.log_level_warn()
    os.makedirs(args.out, exist_ok=True)

    def run(**options):
        started = time.perf_counter()
        rows = capacity_table(patterns="sparse", units=args.units, **options)
        return rows, time.perf_counter() - started

    def text(rows):
        return [json.dumps({k: v for k, v in row.items() if k != "seconds"}, sort_keys=True)
                for row in rows]

    inline_rows, inline_seconds = run(scheduler="inline")
    results = [{"scheduler": "inline", "workers": 1, "tasks": len(inline_rows),
                "seconds": round(inline_seconds, 1), "speed_up_vs_inline": 1.0,
                "same_rows": True, "cpu_count": os.cpu_count()}]
    for workers in args.workers:
        rows, seconds = run(scheduler="local", n_workers=workers)
        results.append({"scheduler": "local", "workers": workers, "tasks": len(rows),
                        "seconds": round(seconds, 1),
                        "speed_up_vs_inline": round(inline_seconds / seconds, 2),
                        "same_rows": text(rows) == text(inline_rows),
                        "cpu_count": os.cpu_count()})
    for row in results:
        print(f"{row['scheduler']:>7} {row['workers']} worker(s): {row['seconds']:7.1f} s, "
              f"x{row['speed_up_vs_inline']:.2f}, same rows: {row['same_rows']}")
    path = write_csv_atomic(os.path.join(args.out, "scaling.csv"), results, COLUMNS)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
