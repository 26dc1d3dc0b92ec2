"""
The ``bioam`` command-line interface.

Every subcommand validates its input where it enters and reports a problem
as one line, ``bioam: error: ...``, with exit status 2.
"""

import argparse
import os
import sys

from . import __version__
from .backends import BACKENDS
from .pieces import REGISTRY
from .recall import DEFAULTS
from .variants import VARIANTS
from .validation import BioamError, check_memory, check_positive, check_seed, parse_time

__all__ = ["main", "build_parser"]

EPILOG = """examples:
  bioam capacity --nh 2 3 4 5 6 7 8 9 10 --ratio 100 --theta 0.2 0.5 0.8 --noise 0 3 --out output/capacity
  bioam recall --weights W.npz --cues C.npz --out R.npz --backend cpp_standalone --duration 100ms
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (and a hint to use --help)."""

    def error(self, message):
        self.exit(2, f"bioam: error: {message} (see '{self.prog} --help')\n")


def _time_argument(name):
    def parse(text):
        try:
            return parse_time(name, text)
        except BioamError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    parse.__name__ = name
    return parse


def _add_simulation_options(parser, duration_default):
    parser.add_argument("--backend", default=DEFAULTS["backend"], metavar="B",
                        help=f"Brian2 target: {', '.join(BACKENDS)} "
                             f"(default: {DEFAULTS['backend']})")
    parser.add_argument("--dt", type=_time_argument("dt"), default=None,
                        help="time step, e.g. 0.025ms (default 0.025ms)")
    parser.add_argument("--duration", type=_time_argument("duration"), default=None,
                        help=f"simulated time per cue, e.g. 100ms (default {duration_default})")
    parser.add_argument("--tau-v", type=_time_argument("tau_v"), default=None,
                        help="visible time constant (default 20ms)")
    parser.add_argument("--tau-h", type=_time_argument("tau_h"), default=None,
                        help="hidden time constant (default 1ms)")
    parser.add_argument("--activation", default=None, metavar="F",
                        help="hidden nonlinearity f, a piece: "
                             f"{'|'.join(sorted(REGISTRY['hidden']))}, with parameters as "
                             "NAME:KEY=VALUE (e.g. power:n=5, softmax:beta=100); default step "
                             "(Eq. 2)")
    parser.add_argument("--steepness", type=float, default=None,
                        help="slope of the sigmoid activation (default 20)")
    parser.add_argument("--formulation", default=None, metavar="auto|event|dense",
                        help="auto (default): the exact event-driven formulation wherever the "
                             "activation is a step, else the dense Eq. 1")
    parser.add_argument("--workers", type=int, default=None, metavar="N",
                        help="compiled binaries run at once (default: one per core, one on a GPU)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def build_parser():
    """The argument parser of ``bioam`` and its subcommands."""
    parser = _Parser(
        prog="bioam",
        description="Biologically plausible dense associative memories (Kafraj, Krotov & "
                    "Latham 2026) simulated with Brian2.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"bioam {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    recall = commands.add_parser(
        "recall", help="recall a batch of cues with given weights",
        description="Recall cues (v(0) = cue, h(0) = 0, Eq. 12) with the weights of W.npz "
                    "(xi: N_v x N_h, optional xi_back: N_h x N_v, optional theta: scalar "
                    "or N_h). Writes visible (B x N_v), hidden (B x N_h, 0/1 for the step "
                    "activation) and h (B x N_h) to the output .npz. Options given here "
                    "override parameters stored in W.npz.")
    recall.add_argument("--weights", required=True, metavar="W.npz")
    recall.add_argument("--cues", required=True, metavar="C.npz", help="holds cues (B x N_v)")
    recall.add_argument("--out", required=True, metavar="R.npz")
    recall.add_argument("--theta", type=float, default=None,
                        help="threshold for every hidden neuron (default: W.npz's, else 0.5)")
    recall.add_argument("--batch-size", type=int, default=None,
                        help="cues simulated together (default: bounded by memory)")
    _add_simulation_options(recall, "50ms")
    recall.add_argument("--visible-nonlinearity", default=None, metavar="G",
                        help="what the hidden neurons sum, g(v), a piece: "
                             f"{'|'.join(sorted(REGISTRY['visible']))} (default identity, Eq. 1b; "
                             "Eq. 32b for Krotov & Hopfield's models)")
    recall.add_argument("--hidden-neuron", default=None, metavar="MODEL",
                        help="neuron model of the hidden layer, a piece: "
                             f"{'|'.join(sorted(REGISTRY['hidden_neuron']))} (default rate; "
                             "parameters as 'lif:tau_m=0.1ms')")
    recall.add_argument("--visible-neuron", default=None, metavar="MODEL",
                        help="neuron model of the visible layer, a piece: "
                             f"{'|'.join(sorted(REGISTRY['visible_neuron']))} (default rate; "
                             "parameters as 'spiking:rate=2000')")
    recall.add_argument("--constraint", action="append", default=[], metavar="C",
                        help="connectivity constraint, a piece (repeatable): "
                             f"{'|'.join(sorted(REGISTRY['constraint']))}, with parameters as "
                             "'sparse:p=0.5' or 'dale:tau_inhibitory=0.5ms'")
    recall.set_defaults(handler=_run_recall)

    capacity = commands.add_parser(
        "capacity", help="capacity experiment with random weights (Figure 1)",
        description="Random Gaussian weights (Eq. 3) with N_v = ratio * N_h; every binary "
                    "hidden pattern (or --max-patterns of them) is a target (Eq. 12); counts "
                    "patterns recalled exactly for every N_h, theta and noise level, and "
                    "writes DIR/capacity.csv and DIR/capacity.png beside the no-bit-flip "
                    "bound of Eq. 10/40.")
    capacity.add_argument("--nh", type=int, nargs="+", default=list(range(2, 11)),
                          help="numbers of hidden neurons (default 2 .. 10)")
    capacity.add_argument("--ratio", type=float, default=100.0, help="N_v / N_h (default 100)")
    capacity.add_argument("--theta", type=float, nargs="+", default=[0.2, 0.5, 0.8],
                          help="thresholds (default 0.2 0.5 0.8)")
    capacity.add_argument("--noise", type=float, nargs="+", default=[0.0, 3.0],
                          help="cue noise standard deviations sigma_v, Eq. 13 (default 0 3)")
    capacity.add_argument("--max-patterns", type=int, default=None,
                          help="random sample of patterns when 2^N_h is larger")
    capacity.add_argument("--seed", type=int, default=0, help="seed of weights and noise")
    capacity.add_argument("--out", default=os.path.join("output", "capacity"), metavar="DIR")
    _add_simulation_options(capacity, "50ms")
    _add_sweep_options(capacity, workers=False)
    capacity.set_defaults(handler=_run_capacity)

    compare = commands.add_parser(
        "compare", help="recall the same cues under biological variants",
        description="Recall the same cues with the unconstrained rate model and each variant "
                    f"({', '.join(name for name in VARIANTS if name != 'rate')}; parameters as "
                    "name:key=value,key=value; combinations joined by '+', as "
                    "asymmetric:rho=0.9+sparse:p=0.8). Writes DIR/compare.csv (variant, "
                    "recalled_target, matches_rate_model, reconstruction_mse, mean_rate_hz, "
                    "seconds) and DIR/compare.png (cue and recall per variant).")
    source = compare.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", metavar="M.npz", help="trained model file")
    source.add_argument("--random", action="store_true", help="random Gaussian weights (Eq. 3)")
    compare.add_argument("--nh", type=int, default=8, help="N_h with --random (default 8)")
    compare.add_argument("--ratio", type=float, default=100.0, help="N_v / N_h with --random")
    compare.add_argument("--dataset", default=None,
                         help="with --model: data set of the cues (default: the model's)")
    compare.add_argument("--variants", nargs="+", metavar="VARIANT",
                         default=[name for name in VARIANTS if name != "rate"],
                         help="variants of bioam.variants.VARIANTS (default: every one)")
    compare.add_argument("--n", type=int, default=100, help="number of cues (default 100)")
    compare.add_argument("--noise", type=float, default=0.0,
                         help="cue noise standard deviation sigma_v (default 0)")
    compare.add_argument("--seed", type=int, default=0)
    compare.add_argument("--out", default=os.path.join("output", "compare"), metavar="DIR")
    _add_simulation_options(compare, "50ms")
    compare.add_argument("--scheduler", default="local", metavar="local|inline|ADDRESS",
                         help="where the variants run, one task each: 'local' starts a Dask "
                              "cluster on this machine (default), 'inline' runs them here one "
                              "by one, an address such as tcp://host:8786 uses a running "
                              "Dask cluster")
    compare.set_defaults(handler=_run_compare)

    train = commands.add_parser(
        "train", help="learn weights for a data set (Eq. 17)",
        description="Minimise Eq. 17 by minibatch Adam with a steep sigmoid in place of "
                    "Theta (NumPy, float32). Checkpoints every epoch (atomically) to "
                    "--checkpoint (default OUT.ckpt.npz); --resume continues a killed run and "
                    "ends at the same weights. Writes the model file OUT with its metadata.")
    train.add_argument("--dataset", required=True, metavar="mnist|cifar10|PATH.npz")
    train.add_argument("--nh", type=int, default=50)
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--batch-size", type=int, default=128)
    train.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    train.add_argument("--lr-end", type=float, default=None,
                       help="decay the learning rate geometrically to this value")
    train.add_argument("--steepness", type=float, default=20.0,
                       help="slope of the sigmoid replacing Theta (first epoch)")
    train.add_argument("--steepness-end", type=float, default=None,
                       help="anneal the slope geometrically to this value")
    train.add_argument("--theta-mode", default="global", metavar="global|per_neuron")
    train.add_argument("--asymmetric", action="store_true",
                       help="learn a separate decoder xi_back (Appendix E)")
    train.add_argument("--match-encoder-scale", action="store_true",
                       help="with --asymmetric: keep each encoder column's norm equal to its "
                            "decoder row's")
    train.add_argument("--surrogate", choices=("sigmoid", "straight_through"), default="sigmoid",
                       help="sigmoid: the sigmoid replaces Theta in Eq. 17 (the paper); "
                            "straight_through: Theta in the loss, the sigmoid's slope as its "
                            "derivative (keeps the codes binary; needed with --asymmetric)")
    train.add_argument("--init", metavar="MODEL.npz", default=None,
                       help="start from this model's weights and thresholds instead of Xavier "
                            "weights (e.g. a symmetric model, to learn a separate decoder)")
    train.add_argument("--margin", type=float, default=0.0,
                       help="keep |h - theta| >= margin at the stored images (0: off)")
    train.add_argument("--margin-weight", type=float, default=1.0,
                       help="weight of the margin term per image")
    train.add_argument("--margin-off", type=float, default=None,
                       help="margin for the neurons below threshold (default: --margin)")
    train.add_argument("--fixed-point-margin", type=float, default=0.0,
                       help="make each image's code a fixed point (Eq. 5) with this margin "
                            "(0: off)")
    train.add_argument("--fixed-point-weight", type=float, default=1.0,
                       help="weight of the fixed-point term per image")
    train.add_argument("--collision-boost", type=float, default=1.0,
                       help="after every epoch multiply the loss weight of each image whose "
                            "code collides with another image's by this factor (1: off)")
    train.add_argument("--collision-weight-cap", type=float, default=20.0,
                       help="largest per-image loss weight")
    train.add_argument("--limit", type=int, default=None, help="use the first LIMIT images")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", required=True, metavar="models/NAME.npz")
    train.add_argument("--checkpoint", default=None, metavar="PATH")
    train.add_argument("--resume", action="store_true")
    train.add_argument("--quiet", action="store_true")
    train.set_defaults(handler=_run_train)

    evaluate = commands.add_parser(
        "evaluate", help="recall a data set with a model and count unique minima",
        description="Recall every image of a split (cue = image, h(0) = 0, tau_v = 20 tau_h) "
                    "with the Brian2 model and report unique minima (distinct final hidden "
                    "states), the fraction of final states that are fixed points, and the "
                    "reconstruction error; writes figures of recalls and of the basic "
                    "memories to --figures DIR.")
    _add_model_options(evaluate)
    evaluate.add_argument("--split", default="train", metavar="train|test")
    evaluate.add_argument("--limit", type=int, default=None, help="first LIMIT images only")
    evaluate.add_argument("--json", default=None, metavar="FILE")
    evaluate.add_argument("--figures", default=os.path.join("output", "evaluate"),
                          metavar="DIR")
    _add_simulation_options(evaluate, "200ms, long enough for the recalls to converge")
    evaluate.set_defaults(handler=_run_evaluate)

    from .classify import CLASSIFIER

    classify = commands.add_parser(
        "classify", help="Table 1: classifiers on recalled hidden and visible states",
        description="Recall the training and test images of a data set with a model and "
                    "train the MLP of the paper's Table 3 (d -> 256 -> 128, ReLU; "
                    "scikit-learn) on the recalled hidden states, the recalled visible states "
                    "and the original images; writes DIR/table1.csv with the test accuracy "
                    "of each beside the paper's.")
    _add_model_options(classify)
    classify.add_argument("--out", required=True, metavar="DIR")
    classify.add_argument("--limit-train", type=int, default=None, metavar="N",
                          help="first N training images only (default: all)")
    classify.add_argument("--limit-test", type=int, default=None, metavar="N",
                          help="first N test images only (default: all)")
    classify.add_argument("--epochs", type=int, default=CLASSIFIER["epochs"],
                          help=f"training epochs of each MLP (default {CLASSIFIER['epochs']})")
    classify.add_argument("--seed", type=int, default=0, help="seed of the classifiers")
    _add_simulation_options(classify, "200ms, long enough for the recalls to converge")
    classify.set_defaults(handler=_run_classify)

    from .baselines import PROTOCOL

    baselines = commands.add_parser(
        "baselines", help="Table 4: Krotov & Hopfield's models A, B, C beside the threshold network",
        description="Store --n-memories MNIST training images (one per hidden neuron, each "
                    "image minus its mean pixel value, unit length) in Krotov & Hopfield's "
                    "Models A(i), A(ii), B and C (Eq. 32), recall them from clean and 25%% "
                    "occluded cues on Brian2, and classify the final v in pixel space with the "
                    "MLP of Table 3 trained on the original training images; the threshold "
                    "network (--model, all 60,000 images stored) recalls the same cues. "
                    "Repeats over --n-draws draws of the stored images; writes DIR/table4.csv "
                    "(mean and spread over draws beside the paper's), DIR/table4_draws.csv "
                    "and DIR/table4.png. Protocol: bioam.baselines.PROTOCOL, docs/results.md.")
    baselines.add_argument("--dataset", default="mnist", help="mnist|PATH.npz with 28 x 28 "
                           "images (default mnist)")
    baselines.add_argument("--n-memories", type=int, default=PROTOCOL["n_memories"],
                           metavar="N", help="stored images = hidden neurons of Models A-C "
                           f"(default {PROTOCOL['n_memories']}, the paper's)")
    baselines.add_argument("--n-draws", type=int, default=PROTOCOL["n_draws"], metavar="D",
                           help=f"random draws of the stored images (default "
                                f"{PROTOCOL['n_draws']})")
    baselines.add_argument("--seed", type=int, default=PROTOCOL["seed"],
                           help="draw d uses seed + d (default 0)")
    baselines.add_argument("--cues", nargs="+", default=list(PROTOCOL["cues"]),
                           choices=("clean", "occluded"), help="cue kinds (default both)")
    baselines.add_argument("--beta", type=float, default=PROTOCOL["beta"],
                           help=f"Model B's inverse temperature (default {PROTOCOL['beta']:g})")
    baselines.add_argument("--model", default=PROTOCOL["threshold_model"], metavar="M.npz",
                           help="the threshold network's model file (default "
                                f"{PROTOCOL['threshold_model']})")
    baselines.add_argument("--epochs", type=int, default=PROTOCOL["classifier_epochs"],
                           help="training epochs of the classifier (default "
                                f"{PROTOCOL['classifier_epochs']})")
    baselines.add_argument("--backend", default=DEFAULTS["backend"], metavar="B",
                           help=f"Brian2 target: {', '.join(BACKENDS)} "
                                f"(default {DEFAULTS['backend']})")
    baselines.add_argument("--out", required=True, metavar="DIR")
    baselines.add_argument("--quiet", action="store_true", help="no progress lines")
    baselines.set_defaults(handler=_run_baselines)

    from .hebbian.experiment import DEFAULTS as HEBBIAN
    from .hebbian.rules import RULES as HEBBIAN_RULES

    hebbian = commands.add_parser(
        "hebbian", help="capacity of Hebbian rules (papers 003, 004) beside theory",
        description="Measure the capacity of each Hebbian rule (paper 003, Definition 1.1.2: "
                    "the largest number of patterns that are all (delta, epsilon)-retrievable, "
                    "by bisection over the number of stored patterns, a number passing when "
                    "most of --n-draws random pattern sets pass) at every --units, beside the "
                    "signal-to-noise prediction (paper 004) and, for hebb, the classical "
                    "results. The NumPy reference measures; --backend recalls stored patterns "
                    "at the measured capacity in Brian2 as well and records whether the states "
                    "agree. Writes DIR/capacity.csv and DIR/capacity.png.")
    hebbian.add_argument("--rules", nargs="+", default=None, metavar="RULE",
                         help=f"{'|'.join(HEBBIAN_RULES)} (default: every rule that applies to "
                              "--patterns; willshaw and bcpnn need sparse patterns)")
    hebbian.add_argument("--units", type=int, nargs="+", default=None,
                         metavar="D", help="numbers of units (default "
                         f"{' '.join(map(str, HEBBIAN['units']))}; 784 for mnist)")
    hebbian.add_argument("--delta", type=float, default=HEBBIAN["delta"],
                         help="fraction of cue bits flipped, in [0, 0.5) (default 0: every "
                              "stored pattern a fixed point)")
    hebbian.add_argument("--epsilon", type=float, default=HEBBIAN["epsilon"],
                         help="allowed failure probability per pattern (default 0.05)")
    hebbian.add_argument("--patterns", choices=("random", "sparse", "mnist"),
                         default=HEBBIAN["patterns"],
                         help="random +-1 patterns, sparse 0/1 ones, or the MNIST training "
                              "images binarised at 0.5 to +-1 (a correlated set; draws are "
                              "random subsets) (default random)")
    hebbian.add_argument("--activity", type=float, default=HEBBIAN["activity"],
                         help="fraction of active units of sparse patterns (default "
                              f"{HEBBIAN['activity']})")
    hebbian.add_argument("--criterion", choices=("exact", "bit_error"),
                         default=HEBBIAN["criterion"],
                         help="exact: (delta, epsilon)-retrievable; bit_error: the iterated "
                              "dynamics from the pattern end with at most --max-bit-error wrong "
                              "bits on average (the criterion of 0.138 D)")
    hebbian.add_argument("--max-bit-error", type=float, default=HEBBIAN["max_bit_error"])
    hebbian.add_argument("--n-draws", type=int, default=HEBBIAN["n_draws"],
                         help=f"random pattern sets per number (default {HEBBIAN['n_draws']})")
    hebbian.add_argument("--seed", type=int, default=HEBBIAN["seed"])
    hebbian.add_argument("--backend", default="numpy", metavar="|".join(BACKENDS) + "|none",
                         help="Brian2 target of the check at the measured capacity (default "
                              "numpy; none skips it)")
    hebbian.add_argument("--out", default=os.path.join("output", "hebbian"), metavar="DIR")
    _add_sweep_options(hebbian)
    hebbian.add_argument("--quiet", action="store_true", help="no progress lines")
    hebbian.set_defaults(handler=_run_hebbian)
    return parser


def _add_model_options(parser):
    parser.add_argument("--model", required=True, metavar="models/NAME.npz")
    parser.add_argument("--dataset", default=None,
                        help="mnist|cifar10|PATH.npz (default: the model's)")


def _simulation_kwds(args, stored=None, duration_default="duration"):
    """
    Simulation parameters: command line first, then the weights file, then defaults.

    ``duration_default`` names the entry of `bioam.DEFAULTS` that gives the
    duration when neither the command line nor the file does.
    """
    from .recall import DEFAULTS

    stored = stored or {}
    kwds = {}
    for key in ("dt", "duration", "tau_v", "tau_h"):
        value = getattr(args, key)
        if value is None and key in stored:
            value = parse_time(f"{key} stored in the weights file", stored[key])
        default = DEFAULTS[duration_default if key == "duration" else key]
        kwds[key] = default if value is None else value
    for key in ("activation", "steepness"):
        value = getattr(args, key)
        if value is None:  # a model file may store None (a setting it did not use)
            value = stored.get(key)
        kwds[key] = DEFAULTS[key] if value is None else value
    check_positive("--steepness", kwds["steepness"])
    from .pieces.assembly import assemble

    assemble(kwds["activation"], steepness=kwds["steepness"])  # refuses an unknown activation
    kwds["formulation"] = args.formulation or DEFAULTS["formulation"]
    if args.workers is not None:
        if args.workers < 1:
            raise BioamError(f"--workers must be at least 1, got {args.workers}")
        kwds["n_workers"] = args.workers
    return kwds


def _progress(args):
    """The ``progress`` argument of the library: None with --quiet, else a printer to stderr."""
    return None if getattr(args, "quiet", False) else _print_progress


def _print_progress(line):
    print(line, file=sys.stderr, flush=True)


def _dataset_inputs(dataset, label="--dataset"):
    """The files a data set name or path stands for, as inputs of `_check_paths`."""
    from .datasets import dataset_files

    return [(label, path) for path in dataset_files(dataset)] if dataset else []


def _in_folder(args, option, name):
    """The file ``name`` in the output folder of ``--option``; an empty folder is refused."""
    folder = getattr(args, option)
    if not str(folder).strip():
        raise BioamError(f"--{option} is empty; give an output folder (e.g. output/{args.command})")
    return os.path.join(folder, name)


def _check_paths(args, outputs, inputs=()):
    """
    Refuse bad output paths before any work (`bioam.io.check_output_paths`).

    The outputs are kept on ``args`` so that `_model_dataset` can check them
    against a data set named only in the model file.
    """
    from .io import check_output_paths
    from .locks import OutputLocks

    args.output_paths = list(outputs)
    check_output_paths(args.output_paths, inputs)
    # held until the command ends (`main`): a second command writing one of these
    # files is refused instead of both succeeding and one result being lost
    args.locks = OutputLocks(path for _, path in args.output_paths).acquire()


def _run_recall(args):
    from .backends import check_runnable
    from .io import load_cues, load_weights, save_result
    from .recall import recall

    _check_paths(args, [("--out", args.out)],
                 [("--weights", args.weights), ("--cues", args.cues)])
    check_runnable(args.backend)
    weights = load_weights(args.weights)
    cues = load_cues(args.cues, weights["xi"].shape[0])
    kwds = _simulation_kwds(args, weights["metadata"])
    theta = args.theta if args.theta is not None else (
        weights["theta"] if weights["theta"] is not None else 0.5)
    if args.batch_size is not None:
        kwds["batch_size"] = args.batch_size
    for option in ("visible_nonlinearity", "hidden_neuron", "visible_neuron"):
        if getattr(args, option) is not None:
            kwds[option] = getattr(args, option)
    kwds["constraints"] = args.constraint
    result = recall(weights["xi"], cues, xi_back=weights["xi_back"], theta=theta,
                    backend=args.backend, progress=_progress(args), **kwds)
    save_result(args.out, result)
    print(f"recalled {len(cues)} cues on {args.backend} in {result.seconds:.1f} s; "
          f"{len({tuple(row) for row in result.hidden})} distinct hidden states; "
          f"wrote {args.out}")


def _run_capacity(args):
    from .backends import check_runnable
    from .capacity import capacity_experiment, write_capacity_csv
    from .plotting import plot_capacity

    csv_path = _in_folder(args, "out", "capacity.csv")
    figure_path = _in_folder(args, "out", "capacity.png")
    _check_paths(args, [("--out", csv_path), ("--out", figure_path)])
    check_runnable(args.backend)
    kwds = _simulation_kwds(args)
    rows = capacity_experiment(args.nh, ratio=args.ratio, thetas=args.theta, noises=args.noise,
                               backend=args.backend, max_patterns=args.max_patterns,
                               seed=args.seed, progress=_progress(args), **kwds,
                               **_sweep_arguments(args, workers=False))
    write_capacity_csv(rows, csv_path)
    plot_capacity(rows, figure_path)
    print(f"{'N_h':>4} {'N_v':>5} {'theta':>6} {'sigma_v':>7} {'recalled':>15} {'Eq.40 bound':>11}")
    for row in rows:
        print(f"{row['nh']:>4} {row['nv']:>5} {row['theta']:>6g} {row['noise']:>7g} "
              f"{row['n_recalled']:>7}/{row['n_patterns']:<7} {row['bound_eq40']:>11.4f}")
    print(f"wrote {csv_path} and {figure_path}")


def _run_compare(args):
    import numpy as np

    from .backends import check_runnable
    from .compare import COMPARE_COLUMNS, compare_variants, parse_combination
    from .io import write_csv_atomic
    from .plotting import plot_compare

    csv_path = _in_folder(args, "out", "compare.csv")
    figure_path = _in_folder(args, "out", "compare.png")
    _check_paths(args, [("--out", csv_path), ("--out", figure_path)],
                 [("--model", args.model)] + _dataset_inputs(args.dataset))
    check_runnable(args.backend)
    for spec in args.variants:
        parse_combination(spec)
    if args.n < 1:
        raise BioamError(f"--n must be at least 1, got {args.n}")
    if not 0 <= args.noise < float("inf"):
        raise BioamError(f"--noise must be a finite number >= 0, got {args.noise}")
    kwds = _simulation_kwds(args)
    timing = {key: kwds[key] for key in ("tau_v", "tau_h", "dt", "duration", "formulation",
                                         "activation", "steepness")
              if key in kwds}
    rng = np.random.default_rng(args.seed)
    target_hidden = None
    if args.random:
        if args.nh < 1:
            raise BioamError(f"--nh must be at least 1, got {args.nh}")
        check_positive("--ratio", args.ratio)
        n_visible = int(round(args.ratio * args.nh))
        check_memory(f"{args.n} cues and weights of N_v = {n_visible}, N_h = {args.nh}",
                     8.0 * n_visible * (4 * args.n + 3 * args.nh),
                     "give a smaller --nh, --ratio or --n")
        xi = rng.standard_normal((n_visible, args.nh))
        xi_back, theta = None, 0.5
        target_hidden = rng.integers(0, 2, (args.n, args.nh)).astype(float)
        memories = target_hidden @ xi.T / np.sqrt(args.nh)
    else:
        from .datasets import load_dataset
        from .io import load_weights
        from .models import model_theta

        model = load_weights(args.model)
        xi, xi_back = model["xi"], model["xi_back"]
        theta = model_theta(model)
        dataset = _model_dataset(args, model)
        images, _, _ = load_dataset(dataset, split="train")
        if images.shape[1] != xi.shape[0]:
            raise BioamError(f"data set {dataset!r} has {images.shape[1]} pixels but the model "
                             f"has N_v = {xi.shape[0]}")
        if args.n > len(images):
            raise BioamError(f"--n {args.n} is more than the {len(images)} training images of "
                             f"{dataset!r}; give --n {len(images)} or fewer")
        chosen = np.sort(rng.choice(len(images), size=args.n, replace=False))
        memories = images[chosen].astype(np.float64)
    cues = memories + args.noise * rng.standard_normal(memories.shape)
    if not args.random and args.noise > 0:
        from .recall import recall as rate_recall

        clean = rate_recall(xi, memories, xi_back=xi_back, theta=theta, backend=args.backend,
                            **timing)
        target_hidden = clean.hidden
    rows, results = compare_variants(
        xi, cues, args.variants, xi_back=xi_back, theta=theta, target_hidden=target_hidden,
        clean_visible=memories, backend=args.backend, seed=args.seed, timing=timing,
        progress=_progress(args), scheduler=args.scheduler)
    write_csv_atomic(csv_path, rows, COMPARE_COLUMNS, lineterminator="\r\n")
    plot_compare(cues, results, figure_path)
    print(f"{'variant':<28}{'recalled':>9}{'= rate':>8}{'MSE':>10}{'rate Hz':>9}{'s':>8}")
    for row in rows:
        print(f"{row['variant']:<28}{row['recalled_target']:>9.3f}{row['matches_rate_model']:>8.3f}"
              f"{row['reconstruction_mse']:>10.4f}{row['mean_rate_hz']:>9.1f}{row['seconds']:>8.1f}")
    print(f"wrote {csv_path} and {figure_path}")


def _run_train(args):
    from .datasets import load_dataset
    from .models import save_model
    from .training import TrainingConfig, check_checkpoint_path, matched_encoder_scale, train

    if args.checkpoint is not None and not args.checkpoint.strip():
        raise BioamError("--checkpoint is empty; give a file name, or leave it out for "
                         f"{args.out}.ckpt.npz")
    checkpoint = args.checkpoint or args.out + ".ckpt.npz"
    inputs = _dataset_inputs(args.dataset) + [("--init", args.init)]
    _check_paths(args, [("--out", args.out), ("--checkpoint", checkpoint)], inputs)
    check_checkpoint_path(checkpoint, resume=args.resume, inputs=inputs, label="--checkpoint")
    config = TrainingConfig(
        n_hidden=args.nh, epochs=args.epochs, batch_size=args.batch_size,
        learning_rate=args.lr, learning_rate_end=args.lr_end, steepness=args.steepness,
        steepness_end=args.steepness_end,
        theta_mode=args.theta_mode, asymmetric=args.asymmetric, margin=args.margin,
        margin_weight=args.margin_weight,
        margin_off=args.margin_off, fixed_point_margin=args.fixed_point_margin,
        fixed_point_weight=args.fixed_point_weight, collision_boost=args.collision_boost,
        collision_weight_cap=args.collision_weight_cap,
        surrogate=args.surrogate, init_from=args.init, seed=args.seed,
        constraints=(matched_encoder_scale,) if args.match_encoder_scale else ())
    images, _, info = load_dataset(args.dataset, split="train", limit=args.limit)
    model = train(images, config, checkpoint_path=checkpoint, resume=args.resume,
                  progress=_progress(args))
    metadata = model.metadata(dataset=str(args.dataset))
    metadata["images"] = int(len(images))
    save_model(args.out, model.xi, model.theta, xi_back=model.xi_back, metadata=metadata)
    last = model.history[-1] if model.history else {}
    print(f"trained N_h = {args.nh} on {len(images)} images of {args.dataset}; final loss "
          f"{last.get('loss', float('nan')):.4f}, unique codes {last.get('unique_codes')} of "
          f"{last.get('monitor_size')}; wrote {args.out}")


def _run_evaluate(args):
    import numpy as np

    from .backends import check_runnable
    from .datasets import load_dataset
    from .evaluation import evaluate_hidden_codes
    from .io import write_json_atomic
    from .models import load_model, model_theta
    from .plotting import plot_basic_memories, plot_recall_examples
    from .recall import RecallSession

    examples_path = _in_folder(args, "figures", "recall_examples.png")
    memories_path = _in_folder(args, "figures", "basic_memories.png")
    _check_paths(args, [("--json", args.json), ("--figures", examples_path),
                        ("--figures", memories_path)],
                 [("--model", args.model)] + _dataset_inputs(args.dataset))
    check_runnable(args.backend)
    if args.split not in ("train", "test"):
        raise BioamError(f"--split must be train or test, got {args.split!r}")
    model = load_model(args.model)
    dataset = _model_dataset(args, model)
    images, _, _ = load_dataset(dataset, split=args.split, limit=args.limit)
    _check_pixels(dataset, images, model)
    xi, xi_back = model["xi"], model["xi_back"]
    theta = model_theta(model)
    kwds = _simulation_kwds(args, model["metadata"], duration_default="evaluate_duration")
    with RecallSession(xi, xi_back=xi_back, theta=theta, backend=args.backend,
                       progress=_progress(args), **kwds) as session:
        kept = {}

        def recall_fn(xi_, cues, xi_back=None, theta=None):
            result = session.recall(cues)
            if "cues" not in kept:
                kept.update(cues=cues[:6], visible=result.visible[:6], hidden=result.hidden[:6])
            return result

        # one call: the session splits the images into runs of its compiled binary and
        # shows one progress bar for all of them
        report = evaluate_hidden_codes(xi, theta, images, xi_back=xi_back, recall_fn=recall_fn,
                                       chunk_size=len(images))
    report.update(model=args.model, dataset=str(dataset), split=args.split,
                  backend=args.backend, theta_mean=float(np.mean(theta)),
                  formulation=session.formulation, workers=session.n_workers,
                  build_seconds=round(session.build_seconds, 1),
                  **{key: str(kwds[key]) for key in ("tau_v", "tau_h", "dt", "duration")})
    from .provenance import provenance
    report["provenance"] = provenance(
        [args.model] + [path for _, path in _dataset_inputs(str(dataset))],
        argv=["bioam"] + args.argv)
    plot_recall_examples(kept["cues"], kept["visible"], kept["hidden"], examples_path)
    plot_basic_memories(xi, memories_path, xi_back=xi_back)
    if args.json:
        write_json_atomic(args.json, report)
    for key in ("n_memories", "unique_minima", "unique_fixed_point_minima",
                "fixed_point_fraction", "reconstruction_mse",
                "unique_codes_objective", "code_agreement", "seconds"):
        print(f"{key:>24}: {report[key]}")
    not_fixed = int(round((1 - report["fixed_point_fraction"]) * report["n_memories"]))
    if not_fixed:
        print(f"note: {not_fixed} of {report['n_memories']} final states are not fixed points "
              f"after {kwds['duration']}; a longer --duration lets them converge")
    print(f"figures in {args.figures}")


def _run_classify(args):
    from .backends import check_runnable
    from .classify import TABLE1_COLUMNS, table1
    from .datasets import load_dataset
    from .io import write_csv_atomic
    from .models import load_model, model_theta

    check_runnable(args.backend)
    for name in ("limit_train", "limit_test", "epochs"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise BioamError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    out = _in_folder(args, "out", "table1.csv")
    record = _in_folder(args, "out", "table1_provenance.json")
    _check_paths(args, [("--out", out), ("--out", record)],
                 [("--model", args.model)] + _dataset_inputs(args.dataset))
    model = load_model(args.model)
    dataset = _model_dataset(args, model)
    train_images, train_labels, _ = load_dataset(dataset, split="train", limit=args.limit_train)
    test_images, test_labels, _ = load_dataset(dataset, split="test", limit=args.limit_test)
    _check_pixels(dataset, train_images, model)
    kwds = _simulation_kwds(args, model["metadata"], duration_default="evaluate_duration")
    rows = table1(model["xi"], (train_images, train_labels), (test_images, test_labels),
                  xi_back=model["xi_back"], theta=model_theta(model), backend=args.backend,
                  seed=args.seed, epochs=args.epochs, progress=_progress(args), **kwds)
    for row in rows:
        row.update(model=args.model, dataset=str(dataset), epochs=args.epochs, seed=args.seed)
    write_csv_atomic(out, rows, TABLE1_COLUMNS + ("model", "dataset", "epochs", "seed"))
    _write_provenance(record, args, [args.model] + [path for _, path in
                                                    _dataset_inputs(str(dataset))])
    for row in rows:
        print(f"{row['representation']:>9}: {row['accuracy']:.4f} (paper "
              f"{row['paper_accuracy']:.2f}, {row['paper_classifier']})")
    print(f"wrote {out}")


def _run_baselines(args):
    from .backends import check_runnable
    from .baselines import table4, train_classifier, write_table4
    from .datasets import load_dataset
    from .models import load_model

    check_runnable(args.backend)
    for name in ("n_memories", "n_draws", "epochs"):
        value = getattr(args, name)
        if value < 1:
            raise BioamError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
    check_positive("--beta", args.beta)
    _check_paths(args, [("--out", _in_folder(args, "out", name))
                        for name in ("table4.csv", "table4_draws.csv", "table4.png",
                                     "table4_provenance.json")],
                 [("--model", args.model)] + _dataset_inputs(args.dataset))
    train_images, train_labels, _ = load_dataset(args.dataset, split="train")
    if args.n_memories > len(train_images):
        raise BioamError(f"--n-memories ({args.n_memories}) exceeds the {len(train_images)} "
                         f"training images of {args.dataset!r}")
    model = load_model(args.model)
    _check_pixels(args.dataset, train_images, model)
    test_images, test_labels, _ = load_dataset(args.dataset, split="test")
    classifier = train_classifier(train_images, train_labels, epochs=args.epochs)
    accuracy = float(classifier.score(test_images, test_labels))
    rows, draw_rows, examples = table4(
        train_images, train_labels, classifier, threshold_model=model,
        threshold_n_memories=len(train_images), n_memories=args.n_memories,
        n_draws=args.n_draws, seed=args.seed, cues=args.cues, beta=args.beta,
        backend=args.backend, classifier_test_accuracy=accuracy, progress=_progress(args))
    paths = write_table4(args.out, rows, draw_rows, examples)
    paths.append(_write_provenance(_in_folder(args, "out", "table4_provenance.json"), args,
                                   [args.model] + [path for _, path in
                                                   _dataset_inputs(args.dataset)]))
    print(f"classifier test accuracy on original images: {accuracy:.4f}")
    for row in rows:
        print(f"{row['model']:>9} {row['cue']:>8}: {row['recall_performance']:.3f} +- "
              f"{row['recall_performance_std']:.3f} over {row['n_draws']} draws (paper "
              f"{row['paper_recall_performance']:.2f})")
    print(f"wrote {', '.join(paths)}")


def _write_provenance(path, args, inputs):
    """Write the provenance record of a command's results (`bioam.provenance`) to ``path``."""
    from .io import write_json_atomic
    from .provenance import provenance

    return write_json_atomic(path, provenance(inputs, argv=["bioam"] + args.argv))


def _add_sweep_options(parser, workers=True):
    """--scheduler, --workers and --cache of a command whose settings run on Dask."""
    parser.add_argument("--scheduler", default="local", metavar="local|inline|ADDRESS",
                        help="where the settings run: 'local' starts a Dask cluster on this "
                             "machine (default), 'inline' runs them here one by one, an "
                             "address such as tcp://host:8786 uses a running Dask cluster")
    if workers:  # (commands with simulation options have --workers already)
        parser.add_argument("--workers", type=int, default=None,
                            help="workers of the local cluster (default: one per core)")
    parser.add_argument("--cache", default=None, metavar="DIR",
                        help="keep each finished setting in DIR; a rerun skips those "
                             "(resumes an interrupted sweep)")


def _sweep_arguments(args, workers=True):
    if args.workers is not None and args.workers < 1:
        raise BioamError(f"--workers must be at least 1, got {args.workers}")
    return dict({"scheduler": args.scheduler, "cache": args.cache},
                **({"n_workers": args.workers} if workers else {}))


def _run_hebbian(args):
    from .hebbian.capacity import MAX_UNITS
    from .hebbian.experiment import DEFAULTS as HEBBIAN
    from .hebbian.experiment import capacity_table, plot_capacity_table, write_capacity_csv

    backend = None if args.backend == "none" else args.backend
    if backend is not None:
        from .backends import check_runnable
        check_runnable(backend)
    if not 0 <= args.delta < 0.5:
        raise BioamError(f"--delta must be in [0, 0.5), got {args.delta}")
    if not 0 < args.epsilon < 1:
        raise BioamError(f"--epsilon must be in (0, 1), got {args.epsilon}")
    if args.n_draws < 1:
        raise BioamError(f"--n-draws must be at least 1, got {args.n_draws}")
    pool = None
    units = args.units or list(HEBBIAN["units"])
    if args.patterns == "mnist":
        if args.units not in (None, [784]):
            raise BioamError("--patterns mnist has 784 units (28 x 28 pixels); leave --units out")
        units = [784]
    for size in units:
        if not 2 <= size <= MAX_UNITS:
            raise BioamError(f"--units must be in [2, {MAX_UNITS}], got {size}")
    csv_path = _in_folder(args, "out", "capacity.csv")
    figure_path = _in_folder(args, "out", "capacity.png")
    _check_paths(args, [("--out", csv_path), ("--out", figure_path)],
                 _dataset_inputs("mnist" if args.patterns == "mnist" else None))
    if args.patterns == "mnist":
        from .datasets import dataset_files

        missing = [path for path in dataset_files("mnist") if not os.path.isfile(path)]
        if missing:  # stop here, not in every worker
            raise BioamError(f"no MNIST file {missing[0]}; put mnist.npz in the data directory "
                             "($BIOAM_DATA_DIR)")
        pool = "mnist"  # each worker loads the images
    rows = capacity_table(args.rules, units, delta=args.delta, epsilon=args.epsilon,
                          patterns="random" if args.patterns == "mnist" else args.patterns,
                          pool=pool, criterion=args.criterion,
                          max_bit_error=args.max_bit_error, n_draws=args.n_draws,
                          activity=args.activity, seed=args.seed, backend=backend,
                          progress=_progress(args), **_sweep_arguments(args))
    csv_path = write_capacity_csv(csv_path, rows)
    figure = plot_capacity_table(rows, figure_path)
    print(f"wrote {csv_path} and {figure}")


def _model_dataset(args, model):
    """The data set of ``--dataset``, else the one the model was trained on."""
    metadata = model["metadata"] if isinstance(model["metadata"], dict) else {}
    dataset = args.dataset or metadata.get("dataset")
    if not dataset:
        raise BioamError(f"{args.model} names no data set; give --dataset")
    if not isinstance(dataset, str):
        raise BioamError(f"{args.model}: its metadata names the data set {dataset!r}, not a "
                         "name or path; give --dataset")
    if not args.dataset and getattr(args, "output_paths", None):
        # the outputs were checked against --model; check them against its data set too
        from .io import check_output_paths

        check_output_paths(args.output_paths, _dataset_inputs(dataset, "the model's data set"))
    return dataset


def _check_pixels(dataset, images, model):
    if images.shape[1] != model["xi"].shape[0]:
        raise BioamError(f"{dataset!r} images have {images.shape[1]} pixels but the model has "
                         f"N_v = {model['xi'].shape[0]}")


def main(argv=None):
    """Entry point of the ``bioam`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # for provenance records
    if args.command is None:
        parser.print_help()
        return 0
    from brian2 import BrianLogger

    BrianLogger.log_level_warn()
    try:
        if getattr(args, "seed", None) is not None:
            check_seed(args.seed, "--seed")
        args.handler(args)
    except BioamError as error:
        print(f"bioam: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bioam: interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug: its traceback, without Brian2's "report a Brian2 bug" banner
        import traceback

        traceback.print_exc()
        print(f"bioam: internal error in bioam {__version__} (not a problem with your input); "
              "please report it with the traceback above", file=sys.stderr)
        return 1
    finally:
        if getattr(args, "locks", None) is not None:
            args.locks.release()
    return 0


if __name__ == "__main__":
    sys.exit(main())
