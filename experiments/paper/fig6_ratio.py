"""
Figure 6 of paper 001: capacity versus the ratio N_v / N_h, for N_h = 10.

Random Gaussian weights (Eq. 3), theta = 1/2, tau_v = 20 tau_h, all 1,024 patterns,
clean cues; mean and spread over seeds, beside Eq. 38, the bound of Eq. 40, and the
number of target patterns that are fixed points of Eq. 5 (NumPy).

    python experiments/paper/fig6_ratio.py [--out DIR] [--ratios 1 2 5 10 100]

Writes DIR/fig6.csv, DIR/fig6_summary.csv, DIR/fig6.png and DIR/fig6_provenance.json.
"""

from _common import parser, run, sweep_options, write
from bioam.paper.capacity import FIGURES, figure6_rows, plot_figure6, summarise


def main(argv=None):
    parse = parser(__doc__, "6")
    parse.add_argument("--nh", type=int, default=FIGURES["6"]["n_hidden"])
    parse.add_argument("--ratios", type=float, nargs="+", default=list(FIGURES["6"]["ratios"]))
    parse.add_argument("--noise-variance", type=float, nargs="+",
                       default=list(FIGURES["6"]["noise_variances"]))
    args = parse.parse_args(argv)
    settings = dict(FIGURES["6"], n_hidden=args.nh, ratios=args.ratios,
                    noise_variances=args.noise_variance, **sweep_options(args))
    rows = figure6_rows(**settings)
    summary = summarise(rows, ["ratio", "noise_variance"])
    write(args, "fig6", rows, summary, lambda path: plot_figure6(rows, path), settings)


if __name__ == "__main__":
    run(main, None)
