"""
Figure 9 (left) of paper 001: recall by a network with asymmetric weights and one threshold per neuron.

models/mnist_nh50_asymmetric_fp.npz (N_h = 50, a decoder xi_back besides the encoder xi,
per-neuron thresholds, all 60,000 training images stored) recalls the first training
image of each digit with the Brian2 model (200 ms per cue); its basic memories are the
decoder's rows (Eq. 16), drawn on one grey scale with their correlations.

    python experiments/paper/fig9_asymmetric.py [--out DIR]

Writes DIR/fig9.png (cue, recall, hidden ring), DIR/fig9_basic_memories.png,
DIR/fig9_examples.csv, DIR/fig9.json (with provenance) and DIR/provenance.json.
"""

import os

from bioam.datasets import load_dataset
from bioam.paper.mnist import (FIGURES, figure9_data, plot_figure3ab, plot_figure9, script_argv,
                               script_inputs, script_options, script_parser, write_tables)
from _common import run


def main(argv=None):
    parser = script_parser(__doc__, "9")
    parser.add_argument("--example-digits", type=int, nargs="+",
                        default=list(FIGURES["9"]["example_digits"]))
    parser.add_argument("--shown", type=int, default=FIGURES["9"]["n_shown"],
                        help="basic memories drawn")
    args = parser.parse_args(argv)
    options = script_options(args)
    images, labels, _ = load_dataset(args.dataset, split=FIGURES["9"]["split"],
                                     limit=args.limit)
    data = figure9_data(args.model, images, labels, example_digits=args.example_digits,
                        **options)
    paths = write_tables(args.out, {"fig9_examples.csv": data["rows"]},
                         {"fig9.json": data["summary"]}, inputs=script_inputs(args, args.model),
                         argv=script_argv(__file__, argv), settings=vars(args))
    paths.append(plot_figure9(data, os.path.join(args.out, "fig9.png")))
    paths.append(plot_figure3ab(data["memories"], os.path.join(args.out,
                                                               "fig9_basic_memories.png"),
                                n_shown=args.shown))
    summary = data["summary"]
    print(f"{summary['examples_fixed_points']}/{len(data['rows'])} examples at fixed points, "
          f"{summary['examples_distinct']} distinct hidden states, mean MSE "
          f"{summary['examples_mean_mse']:.4f}")
    for path in paths:
        print("wrote", path)
    return data


if __name__ == "__main__":
    run(main, None)
