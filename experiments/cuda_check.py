"""
The event formulation on a GPU (cuda_standalone): agreement with the NumPy reference, and throughput.

For each committed MNIST model, the first ``--check`` training images are
recalled with brian2cuda (at the session's defaults for a GPU: thousands of
network copies, "lanes", in one binary) and compared with the
NumPy low-rank loop with the same integrator, dt and duration (largest
|difference| of final h and v, fraction of equal hidden states). Then the
first ``--bench`` images of the symmetric model are recalled on the GPU, on
cpp_standalone with ``--workers`` processes, and by the NumPy loop, side by
side, as cues per second. Writes the table to ``--out`` (CSV).

    python experiments/cuda_check.py --out output/cuda_check.csv
"""

import argparse
import csv
import os
import time

import numpy as np
from brian2 import BrianLogger

from bioam import DEFAULTS, RecallSession
from bioam.datasets import load_dataset
from bioam.models import load_model, model_theta
from bioam.reference import lowrank_recall

TIMING = {key: DEFAULTS[key] for key in ("tau_v", "tau_h", "dt", "duration")}


def timed_recall(model, cues, backend, **kwds):
    with RecallSession(model["xi"], xi_back=model["xi_back"], theta=model_theta(model),
                       backend=backend, **TIMING, **kwds) as session:
        result = session.recall(cues)
    return result, session.build_seconds, session.lanes, session.from_cache


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--check", type=int, default=2000)
    parser.add_argument("--bench", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--out", default=os.path.join("output", "cuda_check.csv"))
    args = parser.parse_args()
    BrianLogger.log_level_warn()
    rows = []
    images, _, _ = load_dataset("mnist", split="train", limit=max(args.check, args.bench))
    images = images.astype(np.float64)
    for path in ("models/mnist_nh50.npz", "models/mnist_nh50_asymmetric.npz"):
        model = load_model(path)
        cues = images[:args.check] if "asymmetric" in path else images[:args.bench]
        start = time.perf_counter()
        expected = lowrank_recall(model["xi"], cues, xi_back=model["xi_back"],
                                  theta=model_theta(model), **TIMING)
        numpy_seconds = time.perf_counter() - start
        runs = [("cuda_standalone", {})]
        if "asymmetric" not in path:
            runs.append(("cpp_standalone", {"n_workers": args.workers}))
        for backend, kwds in runs:
            result, build, lanes, from_cache = timed_recall(model, cues, backend, **kwds)
            row = {
                "model": path, "backend": backend, "cues": len(cues), "lanes": lanes,
                "build_s": round(build, 1), "from_cache": from_cache, "recall_s": round(result.seconds, 2),
                "cues_per_s": round(len(cues) / result.seconds, 1),
                "numpy_lowrank_cues_per_s": round(len(cues) / numpy_seconds, 1),
                "max_abs_dh": float(np.max(np.abs(result.h - expected["h"]))),
                "max_abs_dv": float(np.max(np.abs(result.visible - expected["visible"]))),
                "same_hidden": float(np.mean(np.all(result.hidden == expected["hidden"],
                                                    axis=1))),
            }
            rows.append(row)
            print(row, flush=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".tmp", "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
