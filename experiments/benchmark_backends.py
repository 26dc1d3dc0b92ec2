"""
Throughput of every backend on one workload, measured side by side in one run.

Workload (default): N_h = 10, N_v = 1000, 1024 cues (binary targets plus
noise, Eq. 12), tau_v = 20 ms, tau_h = 1 ms, dt = 0.1 ms, 20 ms simulated.
Throughput is counted in synapse updates per second: 2 N_v N_h synapses per
cue per time step, divided by the simulation's wall-clock time (the one-off
build/compile time is reported separately). Each backend's final states are
checked against the NumPy reference.

    python experiments/benchmark_backends.py [--backends numpy cython cpp_standalone]
"""

import argparse
import time

import numpy as np
from brian2 import BrianLogger, ms

from bioam import RecallSession, reference_recall
from bioam.backends import gpu_available
from bioam.capacity import binary_patterns
from bioam.reference import number_of_steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--nh", type=int, default=10)
    parser.add_argument("--nv", type=int, default=1000)
    parser.add_argument("--cues", type=int, default=1024)
    parser.add_argument("--duration-ms", type=float, default=20.0)
    parser.add_argument("--backends", nargs="+",
                        default=["numpy", "cython", "cpp_standalone", "cuda_standalone"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    BrianLogger.log_level_warn()

    rng = np.random.default_rng(args.seed)
    xi = rng.standard_normal((args.nv, args.nh))
    targets = binary_patterns(args.nh, min(args.cues, 2**args.nh), rng)
    targets = targets[rng.integers(0, len(targets), args.cues)]
    cues = targets @ xi.T / np.sqrt(args.nh) + rng.standard_normal((args.cues, args.nv))
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=args.duration_ms * ms)
    steps = number_of_steps(args.duration_ms * 1e-3, 1e-4)
    updates = 2 * args.nv * args.nh * args.cues * steps

    start = time.perf_counter()
    expected = reference_recall(xi, cues, **timing)
    reference_seconds = time.perf_counter() - start
    rows = [("reference (NumPy BLAS)", 0.0, reference_seconds, 0.0)]
    for backend in args.backends:
        if backend == "cuda_standalone" and not gpu_available():
            print(f"skipping {backend}: no GPU on this machine")
            continue
        session = RecallSession(xi, backend=backend, **timing)
        try:
            result = session.recall(cues)
        finally:
            session.close()
        error = max(np.max(np.abs(result.visible - expected["visible"])),
                    np.max(np.abs(result.h - expected["h"])))
        rows.append((backend, session.build_seconds, result.seconds, error))

    print(f"\nworkload: N_h = {args.nh}, N_v = {args.nv}, {args.cues} cues, {steps} steps "
          f"({updates:.3g} synapse updates)")
    print(f"{'backend':<24}{'build s':>9}{'run s':>9}{'updates/s':>12}{'vs reference':>14}"
          f"{'max |diff|':>12}")
    for name, build, seconds, error in rows:
        print(f"{name:<24}{build:>9.1f}{seconds:>9.2f}{updates / seconds:>12.3g}"
              f"{reference_seconds / seconds:>13.3f}x{error:>12.1e}")


if __name__ == "__main__":
    main()
