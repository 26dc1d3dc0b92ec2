"""
Capacity of random networks (N_v = 100 N_h) versus asymmetry, threshold spread and sparsity.

For each value, 256 random binary hidden patterns of N_h = 8 are targets
(Eq. 12) and the fraction recalled exactly by the Brian2 model is counted:

* rho: correlation of backward and forward weights (1 = symmetric);
* spread: standard deviation of per-neuron thresholds around 0.5;
* p: connection probability (weights scaled by 1/p).

    python experiments/sweep_variants.py --out output/sweeps [--backend cython] [--noise 1]

Writes sweeps.csv and sweeps.png.
"""

import argparse
import os

from brian2 import BrianLogger, ms

from bioam.compare import variant_sweep
from bioam.io import write_csv_atomic
from bioam.plotting import plot_sweeps

VALUES = {
    "rho": [1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.3, 0.0],
    "spread": [0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4],
    "p": [1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1, 0.05],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--nh", type=int, default=8)
    parser.add_argument("--ratio", type=float, default=100)
    parser.add_argument("--patterns", type=int, default=256)
    parser.add_argument("--noise", type=float, default=0.0)
    parser.add_argument("--backend", default="cython")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("output", "sweeps"))
    args = parser.parse_args()
    BrianLogger.log_level_warn()
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=60 * ms)
    rows = []
    for kind, values in VALUES.items():
        rows += variant_sweep(kind, values, n_hidden=args.nh, ratio=args.ratio,
                              n_patterns=args.patterns, noise=args.noise,
                              backend=args.backend, seed=args.seed, timing=timing)
        for row in rows[-len(values):]:
            print(f"{kind:>7} = {row['value']:<5g} recalled {row['n_recalled']:>4}/"
                  f"{row['n_patterns']} ({row['fraction_recalled']:.3f})", flush=True)
    print("wrote", write_csv_atomic(os.path.join(args.out, "sweeps.csv"), rows, list(rows[0])))
    print("wrote", plot_sweeps(rows, os.path.join(args.out, "sweeps.png")))


if __name__ == "__main__":
    main()
