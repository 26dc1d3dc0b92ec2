"""
Figure 1 of paper 001: capacity versus N_h, (a) for several thresholds, (b) for several cue-noise variances.

Random Gaussian weights (Eq. 3), N_v = 100 N_h, tau_v = 20 tau_h; every one of the
2^N_h binary hidden patterns is a target (Eq. 12), recalled by the Brian2 model;
mean and spread over seeds, beside Eq. 10 (theta = 1/2 only), Eq. 38 and Eq. 40.

    python experiments/paper/fig1_capacity.py [--out DIR] [--seeds 0 1 2 3 4]

Writes DIR/fig1.csv (one row per N_h, theta, noise and seed), DIR/fig1_summary.csv
(means over seeds), DIR/fig1.png and DIR/fig1_provenance.json.
"""

from _common import parser, run, sweep_options, write
from bioam.paper.capacity import FIGURES, figure1_rows, plot_figure1, summarise


def main(argv=None):
    parse = parser(__doc__, "1")
    parse.add_argument("--nh", type=int, nargs="+", default=list(FIGURES["1"]["n_hidden"]))
    parse.add_argument("--theta", type=float, nargs="+", default=list(FIGURES["1"]["thetas"]))
    parse.add_argument("--noise-variance", type=float, nargs="+",
                       default=list(FIGURES["1"]["noise_variances"]))
    args = parse.parse_args(argv)
    settings = dict(FIGURES["1"], n_hidden=args.nh, thetas=args.theta,
                    noise_variances=args.noise_variance, **sweep_options(args))
    rows = figure1_rows(**{key: value for key, value in settings.items() if key != "ratio"})
    summary = summarise(rows, ["nh", "theta", "noise_variance"])
    write(args, "fig1", rows, summary, lambda path: plot_figure1(rows, path), settings)


if __name__ == "__main__":
    run(main, None)
