"""
Figure 2 of paper 001: stored MNIST images of one digit recalled, hidden states on a ring.

The paper's network (models/mnist_nh50_global.npz: N_h = 50, symmetric weights, one
global threshold, all 60,000 training images stored) recalls every training image of
--digit (default 6, as the paper) with the Brian2 model (200 ms per cue, to convergence);
the first --examples are drawn: cue, recalled visible state, hidden state on the ring
(black = active), and the Hamming distances between their hidden states ("unique but
overlapping hidden representations").

    python experiments/paper/fig2_recall_ring.py [--out DIR] [--digit 6] [--examples 6]

Writes DIR/fig2.png, DIR/fig2_examples.csv (per example: image index, label, active
hidden neurons, Hamming distance to every other example, fixed point or not, MSE),
DIR/fig2.json (the example and whole-digit statistics, with provenance) and
DIR/provenance.json.
"""

import os

from bioam.datasets import load_dataset
from bioam.paper.mnist import (FIGURES, figure2_data, plot_figure2, script_argv, script_inputs,
                               script_options, script_parser, write_tables)
from _common import run


def main(argv=None):
    parser = script_parser(__doc__, "2")
    parser.add_argument("--digit", type=int, default=FIGURES["2"]["digit"])
    parser.add_argument("--examples", type=int, default=FIGURES["2"]["n_examples"])
    args = parser.parse_args(argv)
    options = script_options(args)
    images, labels, _ = load_dataset(args.dataset, split=FIGURES["2"]["split"],
                                     limit=args.limit)
    data = figure2_data(args.model, images, labels, digit=args.digit,
                        n_examples=args.examples, **options)
    paths = write_tables(args.out, {"fig2_examples.csv": data["rows"]},
                         {"fig2.json": data["summary"]}, inputs=script_inputs(args, args.model),
                         argv=script_argv(__file__, argv), settings=vars(args))
    paths.append(plot_figure2(data, os.path.join(args.out, "fig2.png")))
    summary = data["summary"]
    print(f"digit {summary['digit']}: examples {summary['example_indices']}, all distinct: "
          f"{summary['examples_distinct']}, mean Hamming {summary['examples_mean_hamming']:.1f} "
          f"of {summary['n_hidden']}, {summary['examples_active_in_all']} neurons active in "
          f"all; the digit's {summary['class_images']} images: "
          f"{summary['class_distinct_states']} distinct states")
    for path in paths:
        print("wrote", path)
    return data


if __name__ == "__main__":
    run(main, None)
