"""
Figure 7 of paper 001: an insufficient number of hidden neurons, N_h = 16 (MNIST).

Trains the N_h = 16 network with ``bioam train`` into --model-out (default
models/mnist_nh16.npz) unless that file exists or --model is given: the paper's
training (Eq. 17, sigmoid surrogate, symmetric weights, one global threshold, seed 0)
on all 60,000 training images, 200 epochs (`bioam.paper.mnist.FIGURE7_TRAINING`).
Then draws its 16 basic memories and recall examples (the first training image of each
digit; the N_h = 50 network's recall beside), and counts the distinct fixed points over
the training images (at most 2^16 = 65,536) and the reconstruction MSE for both
networks, with the Brian2 model (200 ms per cue).

    OPENBLAS_NUM_THREADS=1 python experiments/paper/fig7_nh16.py [--out DIR] [--model-out M.npz]

Writes DIR/fig7.png, DIR/fig7_basic_memories.png, DIR/fig7_models.csv (one row per
network), DIR/fig7_examples.csv, DIR/fig7.json, DIR/provenance.json and, when it
trained, DIR/training.json (the command and its wall time).
"""

import os
import time

from bioam.cli import main as bioam_main
from bioam.io import write_json_atomic
from bioam.paper.mnist import (FIGURE7_TRAINING, FIGURES, figure7_data, plot_figure3ab,
                               plot_figure7, script_argv, script_inputs, script_options,
                               script_parser, write_tables)
from bioam.provenance import provenance
from _common import run
from bioam.validation import BioamError


def train(args, argv):
    """Train the N_h = 16 network with ``bioam train``; returns the training record."""
    training = list(FIGURE7_TRAINING)
    training[training.index("--epochs") + 1] = str(args.epochs)
    checkpoint = os.path.join(args.out, os.path.basename(args.model_out) + ".ckpt.npz")
    command = ["train", "--dataset", args.dataset, *training, "--out", args.model_out,
               "--checkpoint", checkpoint]
    if args.limit is not None:
        command += ["--limit", str(args.limit)]
    if args.quiet:
        command.append("--quiet")
    os.makedirs(args.out, exist_ok=True)
    started = time.perf_counter()
    code = bioam_main(command)
    seconds = time.perf_counter() - started
    if code:
        raise BioamError(f"bioam {' '.join(command)} failed (exit code {code})")
    if os.path.exists(checkpoint):
        os.unlink(checkpoint)  # the model is written; the checkpoint is only for --resume
    record = {"command": "bioam " + " ".join(command), "seconds": round(seconds, 1),
              "epochs": args.epochs, "cpu_count": os.cpu_count(),
              "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
              "provenance": provenance(script_inputs(args), argv=script_argv(__file__, argv))}
    write_json_atomic(os.path.join(args.out, "training.json"), record)
    print(f"trained {args.model_out} in {seconds:.0f} s")
    return record


def main(argv=None):
    parser = script_parser(__doc__, "7")
    parser.set_defaults(model=None)
    parser.add_argument("--model-out", default=FIGURES["7"]["model"], metavar="M.npz",
                        help="where the N_h = 16 network is trained unless it exists "
                             "(default %(default)s)")
    parser.add_argument("--epochs", type=int,
                        default=int(FIGURE7_TRAINING[FIGURE7_TRAINING.index("--epochs") + 1]))
    parser.add_argument("--compare-model", default=FIGURES["7"]["compare_model"],
                        metavar="M.npz", help="the network beside it ('none': no comparison)")
    parser.add_argument("--example-digits", type=int, nargs="+",
                        default=list(FIGURES["7"]["example_digits"]))
    args = parser.parse_args(argv)
    options = script_options(args)
    compare = None if args.compare_model.lower() == "none" else args.compare_model
    training = None
    if args.model is None:
        if not os.path.exists(args.model_out):
            training = train(args, argv)
        args.model = args.model_out
    from bioam.datasets import load_dataset

    images, labels, _ = load_dataset(args.dataset, split=FIGURES["7"]["split"],
                                     limit=args.limit)
    data = figure7_data(args.model, images, labels, compare_model=compare,
                        example_digits=args.example_digits, **options)
    summary = dict(data["summary"], training=training)
    paths = write_tables(args.out, {"fig7_models.csv": data["rows"],
                                    "fig7_examples.csv": data["example_rows"]},
                         {"fig7.json": summary}, inputs=script_inputs(args, args.model, compare),
                         argv=script_argv(__file__, argv), settings=vars(args))
    paths.append(plot_figure7(data, os.path.join(args.out, "fig7.png")))
    paths.append(plot_figure3ab(data["memories"], os.path.join(args.out,
                                                               "fig7_basic_memories.png"),
                                n_shown=16))
    for row in data["rows"]:
        print(f"N_h = {row['n_hidden']}: {row['unique_fixed_point_minima']} distinct fixed "
              f"points ({row['unique_minima']} final states) for {row['n_memories']} images, "
              f"at most {row['max_states']}; MSE {row['reconstruction_mse']:.4f}")
    for path in paths:
        print("wrote", path)
    return data


if __name__ == "__main__":
    run(main, None)
