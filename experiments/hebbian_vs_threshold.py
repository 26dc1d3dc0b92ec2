"""
The activity product rule against the threshold network of paper 001, storing the same random +-1 patterns.

For every D the Hebbian network (D units, D (D - 1) synapses) and the
threshold network trained by Eq. (17) (D visible and N_h = D / 2 hidden
neurons, 2 D N_h = D^2 synapses) are given the same kind of random +-1
patterns; the capacity of each is the largest number of patterns that are all
retrieved from themselves (`bioam.hebbian.comparison`), a number passing when a
majority of draws pass. Writes ``OUT/comparison.csv`` and ``OUT/comparison.png``.

    python experiments/hebbian_vs_threshold.py [--units 50 100 200] [--draws 5] [--out DIR]
"""

import argparse
import os
import sys

from brian2 import BrianLogger

from bioam.hebbian.comparison import COMPARISON_COLUMNS, TRAINING, comparison_table
from bioam.io import write_csv_atomic


def plot(rows, path):
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bioam.io import _write_atomic

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    labels = {"hebb": "Hebbian (activity product), N = D",
              "threshold_eq17": "threshold network, Eq. 17, N = 1.5 D"}
    for network, marker in (("hebb", "o"), ("threshold_eq17", "s")):
        mine = [row for row in rows if row["network"] == network]
        d = [row["units"] for row in mine]
        axes[0].plot(d, [row["capacity"] for row in mine], marker + "-", label=labels[network])
        axes[1].plot(d, [row["capacity_per_synapse"] * 1000 for row in mine], marker + "-",
                     label=labels[network])
    axes[0].set_ylabel("stored random +-1 patterns")
    axes[1].set_ylabel("stored patterns per 1,000 synapses")
    for axis in axes:
        axis.set_xlabel("units D (visible)")
        axis.legend(fontsize=8)
    fig.suptitle("the same given patterns, equal numbers of synapses (D^2)", fontsize=10)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    _write_atomic(path, ".png", lambda stream: stream.write(buffer.getvalue()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--units", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--draws", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=os.path.join("output", "hebbian_comparison"))
    args = parser.parse_args()
    BrianLogger.log_level_warn()
    os.makedirs(args.out, exist_ok=True)
    rows = comparison_table(args.units, n_draws=args.draws, seed=args.seed,
                            progress=lambda line: print(line, file=sys.stderr, flush=True))
    write_csv_atomic(os.path.join(args.out, "comparison.csv"), rows, COMPARISON_COLUMNS)
    plot(rows, os.path.join(args.out, "comparison.png"))
    print(f"training: {TRAINING}")
    print(f"wrote {args.out}/comparison.csv and comparison.png")


if __name__ == "__main__":
    main()
