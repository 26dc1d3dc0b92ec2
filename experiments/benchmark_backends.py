"""
Recall throughput of every backend and formulation on one workload, measured side by side in one run.

Workload (default): the committed symmetric MNIST model ``models/mnist_nh50.npz``
(N_v = 784, N_h = 50, one threshold per hidden neuron), the first 2,000 MNIST
training images as cues, and the engine's defaults (`bioam.DEFAULTS`: tau_v =
20 ms, tau_h = 1 ms, dt = 0.025 ms, 50 ms per cue). Beside the Brian2 runs it
times two plain NumPy loops of the same equations on all cues:

* the dense forward-Euler loop of Eq. 1 (`bioam.reference_recall`), and
* the low-rank loop over (I, h) with the exact pieces of the event formulation
  (`bioam.reference.lowrank_recall`), the best a plain implementation can do.

Throughput is in cues per second of recall (the one-off build and compile time
is reported separately); ratios are against the two NumPy loops. Slow
combinations (the dense formulation, Brian2's numpy target) run on the first
``--dense-cues`` cues only, and their cues per second are comparable all the
same. Each Brian2 result is checked against the NumPy loop with the same
integrator (largest |difference| of the final h, fraction of equal hidden
states).

    python experiments/benchmark_backends.py [--cues 2000] [--workers 2]
"""

import argparse
import os
import time

import numpy as np
from brian2 import BrianLogger

from bioam import DEFAULTS, RecallSession, reference_recall
from bioam.backends import gpu_available
from bioam.datasets import load_dataset
from bioam.models import load_model, model_theta
from bioam.reference import lowrank_recall

TIMING = {key: DEFAULTS[key] for key in ("tau_v", "tau_h", "dt", "duration")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--model", default=os.path.join("models", "mnist_nh50.npz"))
    parser.add_argument("--cues", type=int, default=2000)
    parser.add_argument("--dense-cues", type=int, default=100,
                        help="cues for the slow combinations (default 100)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backends", nargs="+",
                        default=["numpy", "cython", "cpp_standalone", "cuda_standalone"])
    args = parser.parse_args()
    BrianLogger.log_level_warn()

    model = load_model(args.model)
    xi, xi_back, theta = model["xi"], model["xi_back"], model_theta(model)
    images, _, _ = load_dataset(model["metadata"].get("dataset", "mnist"), split="train",
                                limit=args.cues)
    cues = images.astype(np.float64)
    rows = []

    start = time.perf_counter()
    euler = reference_recall(xi, cues, xi_back=xi_back, theta=theta, **TIMING)
    euler_rate = len(cues) / (time.perf_counter() - start)
    start = time.perf_counter()
    exact = lowrank_recall(xi, cues, xi_back=xi_back, theta=theta, **TIMING)
    lowrank_rate = len(cues) / (time.perf_counter() - start)
    # the two loops are the references; their agreement with each other is tested in
    # tests/test_reference_exact.py
    rows.append(("NumPy dense loop", "euler", len(cues), 0.0, euler_rate, np.nan, np.nan))
    rows.append(("NumPy low-rank loop", "exact", len(cues), 0.0, lowrank_rate, np.nan, np.nan))

    for backend in args.backends:
        if backend == "cuda_standalone" and not gpu_available():
            print(f"skipping {backend}: no GPU on this machine")
            continue
        for formulation in ("event", "dense"):
            slow = formulation == "dense" or backend == "numpy"
            n = min(len(cues), args.dense_cues) if slow else len(cues)
            expected = exact if formulation == "event" else euler
            session = RecallSession(xi, xi_back=xi_back, theta=theta, backend=backend,
                                    formulation=formulation, n_workers=args.workers,
                                    use_cache=False, **TIMING)
            try:
                result = session.recall(cues[:n])
            finally:
                session.close()
            error = float(np.max(np.abs(result.h - expected["h"][:n])))
            agreement = float(np.mean(np.all(result.hidden == expected["hidden"][:n], axis=1)))
            rows.append((backend, formulation, n, session.build_seconds, n / result.seconds,
                         error, agreement))

    print(f"\nworkload: {args.model}, first {len(cues)} MNIST training images, tau_v = "
          f"{TIMING['tau_v']}, tau_h = {TIMING['tau_h']}, dt = {TIMING['dt']}, "
          f"{TIMING['duration']} per cue, {args.workers} workers")
    print(f"{'backend':<22}{'formulation':<12}{'cues':>6}{'build s':>9}{'cues/s':>10}"
          f"{'vs dense':>10}{'vs low-rank':>13}{'max |dh|':>11}{'same s':>8}")
    for name, formulation, n, build, rate, error, agreement in rows:
        print(f"{name:<22}{formulation:<12}{n:>6}{build:>9.1f}{rate:>10.1f}"
              f"{rate / euler_rate:>9.2f}x{rate / lowrank_rate:>12.2f}x{error:>11.1e}"
              f"{agreement:>8.3f}")


if __name__ == "__main__":
    main()
