"""
The Hebbian rules against the threshold network of paper 001, storing the same given +-1 patterns.

Every Hebbian rule that takes +-1 patterns (activity product, covariance,
presynaptic covariance; D units, D (D - 1) synapses) and the threshold
network trained by Eq. (17) (D visible and N_h = D / 2 hidden neurons,
2 D N_h = D^2 synapses) are given the same kind of patterns: random +-1
patterns of D units (``--patterns random``, at every ``--units``), or random
subsets of the MNIST training images binarised to +-1 (``--patterns mnist``,
D = 784, each draw the same images for both networks). The capacity of each is
the largest number of patterns that are all retrieved from themselves, exactly
(`bioam.hebbian.comparison`), a number passing when a majority of draws pass.
Writes ``OUT/comparison.csv`` and ``OUT/comparison.png``.

    python experiments/hebbian_vs_threshold.py [--patterns random|mnist] [--units 50 100 200]
        [--draws 5] [--out DIR]
"""

import argparse
import os
import sys

from brian2 import BrianLogger

from bioam.hebbian.comparison import (COMPARISON_COLUMNS, MNIST_UNITS, PM1_RULES, TRAINING,
                                      comparison_table)
from bioam.io import write_csv_atomic
from bioam.validation import BioamError

LABELS = {"hebb": "Hebbian: activity product", "covariance": "Hebbian: covariance",
          "presynaptic_covariance": "Hebbian: presynaptic covariance",
          "threshold_eq17": "threshold network, Eq. 17"}


def _save(fig, path):
    import io

    import matplotlib.pyplot as plt

    from bioam.io import _write_atomic

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    _write_atomic(path, ".png", lambda stream: stream.write(buffer.getvalue()))


def plot(rows, path):
    """Capacity and capacity per 1,000 synapses against D, one line per network."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    networks = list(dict.fromkeys(row["network"] for row in rows))
    for index, network in enumerate(networks):
        mine = [row for row in rows if row["network"] == network]
        d = [row["units"] for row in mine]
        neurons = "1.5 D" if network == "threshold_eq17" else "D"
        # the covariance rules at mean activity 0 are the activity product rule: open
        # markers of decreasing size keep coinciding lines visible
        style = dict(marker="osD^"[index % 4], markersize=9 - 1.5 * index,
                     markerfacecolor="none", markeredgewidth=1.5,
                     label=f"{LABELS.get(network, network)}, N = {neurons}")
        axes[0].plot(d, [row["capacity"] for row in mine], "-", **style)
        axes[1].plot(d, [row["capacity_per_synapse"] * 1000 for row in mine], "-", **style)
    axes[0].set_ylabel("stored random +-1 patterns")
    axes[1].set_ylabel("stored patterns per 1,000 synapses")
    for axis in axes:
        axis.set_xlabel("units D (visible)")
        axis.legend(fontsize=8)
    fig.suptitle("the same given patterns, equal numbers of synapses (D^2); covariance rules "
                 "at mean 0 = activity product", fontsize=10)
    fig.tight_layout()
    _save(fig, path)


def plot_bars(rows, path):
    """MNIST (one D): capacity and capacity per 1,000 synapses, one bar per network."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    names = [LABELS.get(row["network"], row["network"]).replace(": ", ":\n").replace(", ", ",\n")
             for row in rows]
    colors = ["C0" if row["network"] != "threshold_eq17" else "C3" for row in rows]
    for axis, key, scale, label in ((axes[0], "capacity", 1, "stored MNIST images"),
                                    (axes[1], "capacity_per_synapse", 1000,
                                     "stored images per 1,000 synapses")):
        values = [row[key] * scale for row in rows]
        bars = axis.bar(range(len(rows)), values, color=colors)
        axis.bar_label(bars, labels=[f"{value:.3g}" for value in values], fontsize=8)
        axis.set_xticks(range(len(rows)), names, fontsize=7)
        axis.set_ylabel(label)
    first = rows[0]
    fig.suptitle(f"binarised MNIST images, D = {first['units']}, each returned exactly from "
                 f"itself; Hebbian N = D, threshold network N = D + {rows[-1]['n_hidden']}",
                 fontsize=10)
    fig.tight_layout()
    _save(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--patterns", choices=("random", "mnist"), default="random",
                        help="random +-1 patterns, or binarised MNIST training images (D = 784)")
    parser.add_argument("--units", type=int, nargs="+", default=None,
                        help="D for random patterns (default 50 100 200); MNIST has 784")
    parser.add_argument("--rules", nargs="+", choices=PM1_RULES, default=list(PM1_RULES))
    parser.add_argument("--draws", type=int, default=5,
                        help="trainings of the threshold network per tested number")
    parser.add_argument("--hebbian-draws", type=int, default=21)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", action="store_true",
                        help="log every tested number and training loss to stderr")
    parser.add_argument("--out", default=None,
                        help="output folder (default output/hebbian_comparison, "
                             "output/hebbian_comparison_mnist for --patterns mnist)")
    args = parser.parse_args()
    if args.patterns == "mnist" and args.units not in (None, [MNIST_UNITS]):
        parser.error(f"--patterns mnist has {MNIST_UNITS} units (28 x 28 pixels); "
                     "leave --units out")
    units = None if args.patterns == "mnist" else (args.units or [50, 100, 200])
    out = args.out or os.path.join("output", "hebbian_comparison"
                                   + ("_mnist" if args.patterns == "mnist" else ""))
    BrianLogger.log_level_warn()
    if args.verbose:
        import logging

        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.DEBUG)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        logging.getLogger("brian2.bioam.hebbian").addHandler(handler)
    os.makedirs(out, exist_ok=True)
    try:
        rows = comparison_table(units, n_draws=args.draws, seed=args.seed,
                                patterns=args.patterns, rules=args.rules,
                                hebbian_draws=args.hebbian_draws,
                                progress=lambda line: print(line, file=sys.stderr, flush=True))
    except BioamError as error:
        sys.exit(f"error: {error}")
    write_csv_atomic(os.path.join(out, "comparison.csv"), rows, COMPARISON_COLUMNS)
    (plot_bars if args.patterns == "mnist" else plot)(rows, os.path.join(out, "comparison.png"))
    print(f"training: {TRAINING}")
    print(f"wrote {out}/comparison.csv and comparison.png")


if __name__ == "__main__":
    main()
