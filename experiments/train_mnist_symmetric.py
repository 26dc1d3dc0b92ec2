"""
The paper's own network beyond the paper: N_h = 50, symmetric weights, one global threshold.

``--network global`` (the default, the paper's Section 3.2 network):

Two ``bioam train`` runs on all 60,000 MNIST training images (Eq. 17):

1. the paper's training: sigmoid surrogate, 150 epochs, learning rate
   3e-3 -> 3e-5, steepness 10 -> 100 (``models/mnist_nh50_global_base.npz``);
2. a fine-tune from it with the straight-through surrogate and three terms
   that make distinct images end in distinct fixed points
   (``models/mnist_nh50_global.npz``): one-sided margins on the potentials,
   a fixed-point margin on each image's code, and loss weights raised for
   the images whose codes collide (mostly thin 1s).

``--network per_neuron`` and ``--network asymmetric`` apply the same fine-tune
(step 2) to the committed ``models/mnist_nh50.npz`` (symmetric, one threshold
per neuron) and ``models/mnist_nh50_asymmetric.npz`` (a separate decoder),
writing ``models/mnist_nh50_fp.npz`` and ``models/mnist_nh50_asymmetric_fp.npz``.

Writes the models (with their metadata) and ``OUT/training.json`` with the
commands and their wall-clock times. Count the unique minima with::

    bioam evaluate --model models/mnist_nh50_global.npz --dataset mnist --split train \\
        --backend cpp_standalone --json OUT/evaluate_train.json

Run with OPENBLAS_NUM_THREADS=1 for bit-identical weights (the committed
models came from it).

    OPENBLAS_NUM_THREADS=1 python experiments/train_mnist_symmetric.py [--out DIR] [--models DIR]
"""

import argparse
import json
import os
import sys
import time

from bioam.cli import main as bioam_main
from bioam.io import write_json_atomic

BASE = ["--nh", "50", "--theta-mode", "global", "--epochs", "150", "--lr", "3e-3",
        "--lr-end", "3e-5", "--steepness", "10", "--steepness-end", "100", "--seed", "0"]
FINE_TUNE = ["--nh", "50", "--surrogate", "straight_through",
             "--epochs", "60", "--lr", "1e-3", "--lr-end", "1e-5", "--steepness", "100",
             "--margin", "0.02", "--margin-off", "0.005", "--margin-weight", "30000",
             "--fixed-point-margin", "0.03", "--fixed-point-weight", "100000",
             "--collision-boost", "1.5", "--collision-weight-cap", "1000", "--seed", "0"]


#: network -> (base model or None to train it, fine-tuned model, extra options)
NETWORKS = {
    "global": (None, os.path.join("models", "mnist_nh50_global.npz"),
               ["--theta-mode", "global"]),
    "per_neuron": (os.path.join("models", "mnist_nh50.npz"),
                   os.path.join("models", "mnist_nh50_fp.npz"), ["--theta-mode", "per_neuron"]),
    "asymmetric": (os.path.join("models", "mnist_nh50_asymmetric.npz"),
                   os.path.join("models", "mnist_nh50_asymmetric_fp.npz"),
                   ["--theta-mode", "per_neuron", "--asymmetric"]),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--network", choices=sorted(NETWORKS), default="global")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="folder of training.json (default output/mnist_nh50_NETWORK)")
    parser.add_argument("--models", default="models", metavar="DIR",
                        help="folder of the trained models (default models; a network's "
                             "starting model is read from there too, else from models)")
    args = parser.parse_args(argv)
    base, model, extra = NETWORKS[args.network]
    model = os.path.join(args.models, os.path.basename(model))
    if base is not None and os.path.exists(os.path.join(args.models, os.path.basename(base))):
        base = os.path.join(args.models, os.path.basename(base))
    out = args.out or os.path.join("output", f"mnist_nh50_{args.network}")
    os.makedirs(out, exist_ok=True)
    commands = []
    if base is None:
        base = os.path.join(args.models, "mnist_nh50_global_base.npz")
        commands.append(["train", "--dataset", "mnist", *BASE, "--out", base])
    commands.append(["train", "--dataset", "mnist", *FINE_TUNE, *extra, "--init", base,
                     "--out", model])
    runs = []
    for argv in commands:
        started = time.perf_counter()
        code = bioam_main(argv)
        if code:
            return code
        runs.append({"command": "bioam " + " ".join(argv),
                     "seconds": round(time.perf_counter() - started, 1)})
    report = {"network": args.network, "runs": runs,
              "total_seconds": round(sum(run["seconds"] for run in runs), 1),
              "cpu_count": os.cpu_count(),
              "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS")}
    path = write_json_atomic(os.path.join(out, "training.json"), report)
    print(json.dumps(report, indent=1))
    print(f"wrote {model} and {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
