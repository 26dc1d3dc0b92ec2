"""
Figure 10 of paper 001: sigmoid activations of two steepnesses, (a) the curves and their intersections with the identity line, (b) capacity versus N_h.

Random Gaussian weights (Eq. 3), N_v = 100 N_h, theta = 1/2, tau_v = 20 tau_h; the
hidden nonlinearity is f(h) = 1 / (1 + exp(-k (h - theta))) (Appendix F), so the
dense formulation of Eq. 1 runs; a pattern counts as recalled when the binarised
final hidden state Theta(h - theta) equals it.

    python experiments/paper/fig10_sigmoid.py [--out DIR] [--steepness 8 20]

Writes DIR/fig10.csv, DIR/fig10_summary.csv, DIR/fig10_fixed_points.csv (the
intersections of Fig. 10a), DIR/fig10.png and DIR/fig10_provenance.json.
"""

import os

from _common import parser, run, sweep_options, write
from bioam.io import write_csv_atomic
from bioam.paper.capacity import (FIGURES, figure10_rows, plot_figure10, sigmoid_fixed_points,
                                  summarise)


def main(argv=None):
    parse = parser(__doc__, "10")
    parse.add_argument("--nh", type=int, nargs="+", default=list(FIGURES["10"]["n_hidden"]))
    parse.add_argument("--steepness", type=float, nargs="+",
                       default=list(FIGURES["10"]["steepnesses"]))
    parse.add_argument("--noise-variance", type=float, nargs="+",
                       default=list(FIGURES["10"]["noise_variances"]))
    args = parse.parse_args(argv)
    settings = dict(FIGURES["10"], n_hidden=args.nh, steepnesses=args.steepness,
                    noise_variances=args.noise_variance, **sweep_options(args))
    rows = figure10_rows(**settings)
    points = [point for k in args.steepness for point in sigmoid_fixed_points(k)]
    print("wrote", write_csv_atomic(os.path.join(args.out, "fig10_fixed_points.csv"), points,
                                    list(points[0])))
    summary = summarise(rows, ["steepness", "nh", "noise_variance"])
    write(args, "fig10", rows, summary, lambda path: plot_figure10(rows, path), settings)


if __name__ == "__main__":
    run(main, None)
