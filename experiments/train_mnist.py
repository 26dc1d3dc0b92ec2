"""
Train the network of Section 3.2 on the 60,000 MNIST training images and save it.

A thin wrapper over ``bioam train --dataset mnist`` (every option of that
command is accepted); with ``--evaluate`` it then counts the unique hidden
codes with the training objective and with the recall dynamics of Eq. (1)
(`bioam.evaluation.evaluate_hidden_codes`, NumPy reference) and stores them
in the model's metadata. The committed ``models/mnist_nh50.npz`` came from::

    OPENBLAS_NUM_THREADS=1 python experiments/train_mnist.py --epochs 300 \\
        --lr 3e-3 --lr-end 3e-5 --steepness 10 --steepness-end 100 \\
        --theta-mode per_neuron --seed 0 --out models/mnist_nh50.npz --evaluate

and the committed ``models/mnist_nh50_asymmetric.npz`` (separate decoder,
per-neuron thresholds, Appendix E) from::

    OPENBLAS_NUM_THREADS=1 python experiments/train_mnist.py --epochs 100 \\
        --lr 3e-3 --lr-end 3e-5 --steepness 10 --steepness-end 100 \\
        --theta-mode per_neuron --asymmetric --surrogate straight_through \\
        --seed 0 --out models/mnist_nh50_asymmetric.npz

(about 0.6 s per epoch on one core with OPENBLAS_NUM_THREADS=1, 197 s for 300
epochs; the evaluation with the reference dynamics takes 7 to 8 minutes more).
The Brian2 count of unique minima is ``experiments/count_unique_minima.py``.
"""

import json
import sys

from bioam.cli import main as bioam_main
from bioam.datasets import load_dataset
from bioam.evaluation import count_unique, evaluate_hidden_codes, objective_codes
from bioam.models import load_model, save_model


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    evaluate = "--evaluate" in argv
    argv = [arg for arg in argv if arg != "--evaluate"]
    if "--out" not in argv:
        argv += ["--out", "models/mnist_nh50.npz"]
    out = argv[argv.index("--out") + 1]
    code = bioam_main(["train", "--dataset", "mnist"] + argv)
    if code or not evaluate:
        return code
    model = load_model(out)
    images, _, _ = load_dataset("mnist", split="train")
    metadata = dict(model["metadata"])
    metadata["unique_codes_objective"] = count_unique(objective_codes(model["xi"], model["theta"], images))
    metadata["evaluation"] = evaluate_hidden_codes(model["xi"], model["theta"], images,
                                                   xi_back=model["xi_back"], progress=True)
    save_model(out, model["xi"], model["theta"], xi_back=model["xi_back"], metadata=metadata)
    print(json.dumps(metadata["evaluation"], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
