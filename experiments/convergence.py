"""
How the final hidden states of the exact-pieces recall converge as dt shrinks.

For each (dt, duration) setting, `bioam.reference.lowrank_recall` recalls the
first ``--n`` images of a data set (cue = the image, h(0) = 0) and the final
hidden states are compared with the same duration at dt / 4 and with the
finest run. One CSV row per run (the dt / 4 references included), written
atomically::

    OPENBLAS_NUM_THREADS=1 python experiments/convergence.py --model models/mnist_nh50.npz \\
        --n 2000 --out output/convergence_nh50.csv

Columns: dt_ms, duration_ms, role (setting, quarter or finest), same_as_quarter_dt (fraction of
final states identical to dt / 4, same duration), same_as_finest, fixed_point_fraction,
unique_states, mean_flips, max_flips, seconds, seconds_per_1000_cues.
"""

import argparse
import csv
import os
import tempfile
import time

import numpy as np
from brian2 import ms

from bioam.datasets import load_dataset
from bioam.evaluation import count_unique
from bioam.models import load_model, model_theta
from bioam.reference import fixed_point_hidden_state, lowrank_recall

COLUMNS = ["dt_ms", "duration_ms", "role", "same_as_quarter_dt", "same_as_finest",
           "fixed_point_fraction", "unique_states", "mean_flips", "max_flips", "seconds",
           "seconds_per_1000_cues"]


def key(dt_ms, duration_ms):
    """A run's identity, robust to 0.1 / 4 != 0.025 in floating point."""
    return round(dt_ms, 9), round(duration_ms, 9)


def write_csv_atomic(path, rows):
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".convergence-", suffix=".csv")
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600 would survive the rename
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--model", default="models/mnist_nh50.npz")
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--split", default="train")
    parser.add_argument("--n", type=int, default=2000, help="the first N images")
    parser.add_argument("--tau-v-ms", type=float, default=20.0)
    parser.add_argument("--tau-h-ms", type=float, default=1.0)
    parser.add_argument("--dt-ms", type=float, nargs="+", default=[0.1, 0.05, 0.025, 0.02, 0.01])
    parser.add_argument("--duration-ms", type=float, nargs="+", default=[30.0, 50.0])
    parser.add_argument("--finest-dt-ms", type=float, default=0.0025)
    parser.add_argument("--finest-duration-ms", type=float, default=50.0)
    parser.add_argument("--out", default="output/convergence.csv")
    args = parser.parse_args()

    model = load_model(args.model)
    xi, xi_back, theta = model["xi"], model["xi_back"], model_theta(model)
    images, _, _ = load_dataset(args.dataset, split=args.split, limit=args.n)
    cues = images.astype(np.float64)  # pixels in [0, 1]

    settings = [key(dt, duration) for duration in args.duration_ms for dt in args.dt_ms]
    quarters = [key(dt / 4, duration) for dt, duration in settings]
    finest = key(args.finest_dt_ms, args.finest_duration_ms)
    roles = {run_key: "quarter" for run_key in quarters}
    roles[finest] = "finest"
    roles.update((run_key, "setting") for run_key in settings)  # a setting stays a setting

    runs = {}
    for dt_ms, duration_ms in sorted(roles, key=lambda k: (k[1], -k[0])):
        start = time.perf_counter()
        result = lowrank_recall(xi, cues, xi_back=xi_back, theta=theta,
                                tau_v=args.tau_v_ms * ms, tau_h=args.tau_h_ms * ms,
                                dt=dt_ms * ms, duration=duration_ms * ms)
        seconds = time.perf_counter() - start
        runs[(dt_ms, duration_ms)] = (result["hidden"] > 0.5, result["n_flips"], seconds)
        print(f"ran dt {dt_ms:g} ms, {duration_ms:g} ms in {seconds:.1f} s", flush=True)

    rows = []
    for run_key in sorted(roles, key=lambda k: (k[1], -k[0])):
        hidden, n_flips, seconds = runs[run_key]
        quarter = key(run_key[0] / 4, run_key[1])
        is_fixed, _ = fixed_point_hidden_state(xi, hidden, xi_back=xi_back, theta=theta)
        rows.append({
            "dt_ms": f"{run_key[0]:g}",
            "duration_ms": f"{run_key[1]:g}",
            "role": roles[run_key],
            "same_as_quarter_dt": (f"{np.mean(np.all(hidden == runs[quarter][0], axis=1)):.4f}"
                                   if quarter in runs else ""),
            "same_as_finest": f"{np.mean(np.all(hidden == runs[finest][0], axis=1)):.4f}",
            "fixed_point_fraction": f"{np.mean(is_fixed):.4f}",
            "unique_states": count_unique(hidden),
            "mean_flips": f"{np.mean(n_flips):.2f}",
            "max_flips": int(np.max(n_flips)),
            "seconds": f"{seconds:.2f}",
            "seconds_per_1000_cues": f"{seconds * 1000 / len(cues):.3f}",
        })
    write_csv_atomic(args.out, rows)

    print(f"\n{args.model}: first {len(cues)} images of {args.dataset} {args.split}, "
          f"tau_v {args.tau_v_ms:g} ms, tau_h {args.tau_h_ms:g} ms; finest dt "
          f"{finest[0]:g} ms at {finest[1]:g} ms")
    widths = [max(len(column), *(len(str(row[column])) for row in rows)) for column in COLUMNS]
    print("  ".join(column.rjust(width) for column, width in zip(COLUMNS, widths)))
    for row in rows:
        print("  ".join(str(row[column]).rjust(width) for column, width in zip(COLUMNS, widths)))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
