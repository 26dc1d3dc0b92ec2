"""
Figure 3 of paper 001: (a) basic memories, (b) their correlations, (c) unseen cues.

(a) 25 of the 50 basic memories of the paper's network (models/mnist_nh50_global.npz;
the columns of xi, or the decoder's rows for an asymmetric model, Eq. 16) on one shared
grey scale; (b) their correlation matrix, with the mean and largest off-diagonal
correlation beside what independent random vectors give (~1/sqrt(N_v), Eq. 7a);
(c) the 10,000 MNIST test images, never stored, recalled with the Brian2 model (200 ms
per cue): distinct final states, fraction of fixed points, reconstruction MSE, and
examples (two unseen 6s first, as in the paper's text).

    python experiments/paper/fig3_basic_memories.py [--out DIR] [--limit N]

Writes DIR/fig3ab.png, DIR/fig3ab.json (correlation statistics), DIR/fig3ab_pairs.csv
(every pair's correlation and cosine), DIR/fig3c.png, DIR/fig3c.json (the counts over
the test images), DIR/fig3c_examples.csv and DIR/provenance.json.
"""

import os

from bioam.datasets import load_dataset
from bioam.paper.mnist import (FIGURES, figure3ab_data, figure3c_data, plot_figure3ab,
                               plot_figure3c, script_argv, script_inputs, script_options,
                               script_parser, write_tables)
from _common import run


def main(argv=None):
    parser = script_parser(__doc__, "3")
    parser.add_argument("--shown", type=int, default=FIGURES["3"]["n_shown"],
                        help="basic memories drawn in (a)")
    parser.add_argument("--example-digits", type=int, nargs="+",
                        default=list(FIGURES["3"]["example_digits"]),
                        help="the test images drawn in (c): the next one of each digit")
    args = parser.parse_args(argv)
    options = script_options(args)
    memories = figure3ab_data(args.model)
    images, labels, _ = load_dataset(args.dataset, split=FIGURES["3"]["split"],
                                     limit=args.limit)
    unseen = figure3c_data(args.model, images, labels, example_digits=args.example_digits,
                           **options)
    paths = write_tables(args.out, {"fig3ab_pairs.csv": memories["rows"],
                                    "fig3c_examples.csv": unseen["rows"]},
                         {"fig3ab.json": memories["summary"], "fig3c.json": unseen["summary"]},
                         inputs=script_inputs(args, args.model), argv=script_argv(__file__, argv),
                         settings=vars(args))
    paths.append(plot_figure3ab(memories, os.path.join(args.out, "fig3ab.png"),
                                n_shown=args.shown))
    paths.append(plot_figure3c(unseen, os.path.join(args.out, "fig3c.png")))
    print(memories["summary"]["verdict"])
    summary = unseen["summary"]
    print(f"unseen: {summary['n_memories']} test images -> {summary['unique_minima']} distinct "
          f"final states ({summary['unique_fixed_point_minima']} fixed points), "
          f"{100 * summary['fixed_point_fraction']:.3f}% fixed points, MSE "
          f"{summary['reconstruction_mse']:.4f}")
    for path in paths:
        print("wrote", path)
    return memories, unseen


if __name__ == "__main__":
    run(main, None)
