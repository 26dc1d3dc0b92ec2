"""
Figure 11 of paper 001: capacity versus tau_v / tau_h, for N_h = 10 and N_v = 100 N_h.

Random Gaussian weights (Eq. 3), theta = 1/2, tau_h = 1 ms, all 1,024 patterns;
clean cues and cue noise sigma_v^2 = 9; each recall lasts 50 ms or 2.5 tau_v,
whichever is longer; mean and spread over seeds.

    python experiments/paper/fig11_time_constants.py [--out DIR] [--tau-ratios 1 2 4 20]

Writes DIR/fig11.csv, DIR/fig11_summary.csv, DIR/fig11.png and DIR/fig11_provenance.json.
"""

from _common import parser, run, sweep_options, write
from bioam.paper.capacity import FIGURES, figure11_rows, plot_figure11, summarise


def main(argv=None):
    parse = parser(__doc__, "11")
    parse.add_argument("--nh", type=int, default=FIGURES["11"]["n_hidden"])
    parse.add_argument("--tau-ratios", type=float, nargs="+",
                       default=list(FIGURES["11"]["tau_ratios"]))
    parse.add_argument("--noise-variance", type=float, nargs="+",
                       default=list(FIGURES["11"]["noise_variances"]))
    args = parse.parse_args(argv)
    settings = dict(FIGURES["11"], n_hidden=args.nh, tau_ratios=args.tau_ratios,
                    noise_variances=args.noise_variance, **sweep_options(args))
    rows = figure11_rows(**settings)
    summary = summarise(rows, ["tau_ratio", "noise_variance"])
    write(args, "fig11", rows, summary, lambda path: plot_figure11(rows, path), settings)


if __name__ == "__main__":
    run(main, None)
