"""
Recall every image of a data set split with the Brian2 model and count the unique minima (Section 3.2).

A thin call of ``bioam evaluate``: cue = the stored image, h(0) = 0, tau_v =
20 tau_h, the engine's defaults (event formulation, dt 0.025 ms, 50 ms), the
compiled C++ binary run on every core. Writes the JSON report (unique minima,
fixed-point fraction, reconstruction error, seconds) to ``--out``::

    python experiments/count_unique_minima.py --model models/mnist_nh50.npz --split train \\
        --out output/mnist_train.json
"""

import argparse
import os
import sys

from bioam.cli import main as bioam_main


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--model", default=os.path.join("models", "mnist_nh50.npz"))
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--split", default="train")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--backend", default="cpp_standalone")
    parser.add_argument("--out", default=os.path.join("output", "mnist_train.json"))
    args, extra = parser.parse_known_args()
    argv = ["evaluate", "--model", args.model, "--dataset", args.dataset, "--split", args.split,
            "--backend", args.backend, "--json", args.out,
            "--figures", os.path.splitext(args.out)[0] + "_figures"]
    if args.limit is not None:
        argv += ["--limit", str(args.limit)]
    return bioam_main(argv + extra)  # e.g. --dt 0.01ms --workers 2


if __name__ == "__main__":
    sys.exit(main())
