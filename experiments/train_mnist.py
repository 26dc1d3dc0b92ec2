"""
Train the network of Section 3.2 on the 60,000 MNIST training images and save it.

The learning rule is Eq. (17) (`bioam.training`); the result is written as a
model file (`bioam.models.save_model`) and, with ``--evaluate``, the unique
hidden codes are counted with the training objective and with the recall
dynamics of Eq. (1) (`bioam.evaluation.evaluate_hidden_codes`)::

    OPENBLAS_NUM_THREADS=1 python experiments/train_mnist.py --epochs 300 \\
        --lr 3e-3 --lr-end 3e-5 --steepness 10 --steepness-end 100 \\
        --theta-mode per_neuron --checkpoint /tmp/mnist.ckpt.npz --evaluate

(about 0.6 s per epoch on one core with OPENBLAS_NUM_THREADS=1; the
evaluation with the reference dynamics takes 7 to 8 minutes more).
"""

import argparse
import json
import sys
import time

from bioam.datasets import load_dataset
from bioam.evaluation import count_unique, evaluate_hidden_codes, objective_codes
from bioam.models import save_model
from bioam.training import TrainingConfig, train
from bioam.validation import BioamError


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nh", type=int, default=50, help="hidden neurons N_h (50)")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    parser.add_argument("--lr-end", type=float, default=None,
                        help="decay the learning rate geometrically to this value")
    parser.add_argument("--steepness", type=float, default=20.0,
                        help="sigmoid slope replacing Theta in Eq. 17 (first epoch)")
    parser.add_argument("--steepness-end", type=float, default=None,
                        help="anneal the slope geometrically to this value")
    parser.add_argument("--theta-mode", choices=("global", "per_neuron"), default="global")
    parser.add_argument("--asymmetric", action="store_true",
                        help="train a separate hidden -> visible matrix xi_back")
    parser.add_argument("--margin", type=float, default=0.0,
                        help="kappa of the |h - theta| >= kappa hinge penalty (0: off)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None,
                        help="train on the first LIMIT images only (quick trials)")
    parser.add_argument("--out", default="models/mnist_nh50.npz")
    parser.add_argument("--checkpoint", default=None, help="checkpoint written every epoch")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument("--evaluate", action="store_true",
                        help="count unique minima with the reference dynamics (minutes)")
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    images, _, info = load_dataset("mnist", split="train", limit=arguments.limit)
    config = TrainingConfig(
        n_hidden=arguments.nh,
        epochs=arguments.epochs,
        batch_size=arguments.batch_size,
        learning_rate=arguments.lr,
        learning_rate_end=arguments.lr_end,
        steepness=arguments.steepness,
        steepness_end=arguments.steepness_end,
        theta_mode=arguments.theta_mode,
        asymmetric=arguments.asymmetric,
        margin=arguments.margin,
        seed=arguments.seed,
    )
    start = time.perf_counter()
    model = train(images, config, checkpoint_path=arguments.checkpoint, resume=arguments.resume)
    seconds = time.perf_counter() - start
    metadata = model.metadata(dataset=f"mnist-{info['split']}-{info['n_images']}")
    metadata["unique_codes_objective"] = count_unique(objective_codes(model.xi, model.theta, images))
    metadata["training_seconds"] = seconds
    if arguments.evaluate:
        evaluation = evaluate_hidden_codes(model.xi, model.theta, images, xi_back=model.xi_back,
                                           progress=True)
        metadata["evaluation"] = evaluation
    save_model(arguments.out, model.xi, model.theta, xi_back=model.xi_back, metadata=metadata)
    summary = {key: metadata[key] for key in ("final_loss", "unique_codes_objective",
                                              "training_seconds")}
    summary.update(metadata.get("evaluation", {}))
    print(json.dumps(summary, indent=1))
    print(f"saved {arguments.out}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except BioamError as error:
        sys.exit(f"error: {error}")
