"""
Capacity with random weights (Eq. 3): the paper's Figures 1a/b, 6, 10 and 11.

Every figure is a grid of `bioam.capacity.capacity_for_hidden_size` tasks (one
compiled network per N_h, re-run for each threshold and noise level) run on
Dask through `bioam.sweeps.run_sweep`, repeated over seeds so the figures carry
error bars, and drawn beside the paper's theory where it applies:

- Figure 1a: capacity versus N_h for several thresholds theta (N_v = 100 N_h,
  tau_v = 20 tau_h); the no-bit-flip bound (Eq. 10) holds for theta = 1/2 only;
- Figure 1b: capacity versus N_h for several cue-noise variances sigma_v^2
  (Eq. 12a, 13), beside Eq. 38 and the bound of Eq. 40;
- Figure 6: capacity versus N_v / N_h at N_h = 10, beside Eq. 38 and Eq. 40 with
  sigma_v = 0, and the number of target patterns that are fixed points of Eq. 5;
- Figure 10: (a) the sigmoid f(x) = 1 / (1 + exp(-k (x - 1/2))) for two
  steepnesses k and its three intersections with the identity line (Eq. 8);
  (b) capacity versus N_h with the sigmoid as the hidden nonlinearity, counted
  on binarised hidden states;
- Figure 11: capacity versus tau_v / tau_h at N_h = 10, N_v = 100 N_h.

`FIGURES` holds each figure's settings (the scripts' defaults).

Examples
--------
A small Figure 6 on Brian2's numpy target (a few seconds):

>>> rows = figure6_rows(ratios=(2, 100), seeds=(0,), n_hidden=3, backend="numpy",
...                     scheduler="inline", progress=False)
>>> [(row["ratio"], row["n_recalled"], row["n_fixed_points"]) for row in rows]
[(2.0, 6, 6), (100.0, 8, 8)]
"""

import numpy as np
from brian2 import ms
from scipy.optimize import brentq
from scipy.special import expit

from ..capacity import capacity_for_hidden_size
from ..progress import progress_reporter
from ..recall import DEFAULTS
from ..sweeps import run_sweep
from ..validation import BioamError

__all__ = ["FIGURES", "capacity_rows", "summarise", "figure1_rows", "figure6_rows",
           "figure10_rows", "figure11_rows", "sigmoid_fixed_points", "plot_figure1",
           "plot_figure6", "plot_figure10", "plot_figure11"]

#: The settings of each figure: the paper's captions where they give them
#: (N_v = 100 N_h, tau_v = 20 tau_h, N_h = 10 for Figures 6 and 11), our choice
#: of values and seeds where they do not. Every setting of weights is a compiled
#: project of its own (the weights are the project's static arrays, about 30 s
#: of compilation each), which bounds the number of seeds.
FIGURES = {
    "1": {"n_hidden": tuple(range(2, 11)), "ratio": 100, "thetas": (0.1, 0.3, 0.5, 0.7, 0.9),
          "noise_variances": (0.0, 1.0, 4.0, 9.0, 16.0), "seeds": tuple(range(5))},
    "6": {"n_hidden": 10, "ratios": (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 100),
          "noise_variances": (0.0,), "seeds": tuple(range(3))},
    # the sigmoid runs on the dense formulation, O(N_v N_h) per step and cue: N_h = 10
    # takes 4 minutes per recall of its 1,024 patterns on one core, so the figure stops at 8
    "10": {"n_hidden": tuple(range(2, 9)), "ratio": 100, "steepnesses": (8.0, 20.0),
           "noise_variances": (0.0, 9.0), "seeds": tuple(range(3))},
    "11": {"n_hidden": 10, "ratio": 100, "tau_ratios": (1, 1.5, 2, 3, 4, 5, 6, 8, 10, 20),
           "noise_variances": (0.0, 9.0), "seeds": tuple(range(3))},
}

#: Columns of the per-seed rows (`capacity_rows`).
ROW_COLUMNS = ["figure", "nh", "nv", "ratio", "tau_v_ms", "tau_h_ms", "tau_ratio",
               "activation", "steepness", "theta", "noise", "noise_variance", "seed",
               "n_patterns", "n_recalled", "fraction_recalled", "n_fixed_points",
               "bound_eq40", "probability_eq38", "backend", "seconds"]


def capacity_rows(settings, *, figure, backend=DEFAULTS["backend"], scheduler=None,
                  n_workers=None, cache=None, progress=True):
    """
    Run a grid of capacity settings on Dask and return one row per measurement.

    Parameters
    ----------
    settings : list of dict
        Each with ``n_hidden``, ``seed`` and any of ``ratio``, ``thetas``,
        ``noises`` (standard deviations), ``tau_v``, ``tau_h``, ``duration``,
        ``activation``, ``steepness``, ``max_patterns`` (the rest: the engine's
        `bioam.DEFAULTS`).
    figure : str
        Written in the rows' ``figure`` column.
    backend : str
        Brian2 target.
    scheduler, n_workers, cache
        As in `bioam.sweeps.run_sweep` (default: a local Dask cluster).
    progress : bool or callable

    Returns
    -------
    list of dict
        Keys `ROW_COLUMNS`.
    """
    base = {"ratio": 100, "thetas": [0.5], "noises": [0.0], "backend": backend,
            "tau_v": DEFAULTS["tau_v"], "tau_h": DEFAULTS["tau_h"], "dt": DEFAULTS["dt"],
            "duration": DEFAULTS["duration"], "activation": "step",
            "steepness": DEFAULTS["steepness"], "max_patterns": None,
            "max_synapses": 2**24, "formulation": DEFAULTS["formulation"], "n_workers": 1,
            "progress": False}
    tasks = []
    for setting in settings:
        task = dict(base, **setting)
        task["thetas"] = [float(theta) for theta in task["thetas"]]
        task["noises"] = [float(noise) for noise in task["noises"]]
        tasks.append(task)
    report = progress_reporter(progress, __name__)

    def describe(setting, rows):
        return (f"N_h {setting['n_hidden']}, N_v/N_h {setting['ratio']:g}, tau_v "
                f"{setting['tau_v']}, {setting['activation']}, seed {setting['seed']}: "
                + ", ".join(f"{row['n_recalled']}/{row['n_patterns']}" for row in rows))

    per_task = run_sweep(capacity_for_hidden_size, tasks, scheduler=scheduler,
                         n_workers=n_workers, cache=cache,
                         progress=report, label=f"Figure {figure}", describe=describe)
    rows = []
    for task, task_rows in zip(tasks, per_task):
        tau_v, tau_h = float(task["tau_v"] / ms), float(task["tau_h"] / ms)
        for row in task_rows:
            rows.append({
                "figure": figure, "nh": row["nh"], "nv": row["nv"], "ratio": float(task["ratio"]),
                "tau_v_ms": tau_v, "tau_h_ms": tau_h, "tau_ratio": tau_v / tau_h,
                "activation": task["activation"],
                "steepness": float(task["steepness"]) if task["activation"] == "sigmoid" else "",
                "theta": row["theta"], "noise": row["noise"],
                "noise_variance": row["noise_variance"], "seed": task["seed"],
                "n_patterns": row["n_patterns"], "n_recalled": row["n_recalled"],
                "fraction_recalled": row["fraction_recalled"],
                "n_fixed_points": row["n_fixed_points"], "bound_eq40": row["bound_eq40"],
                "probability_eq38": row["probability_eq38"], "backend": row["backend"],
                "seconds": row["seconds"]})
    return rows


def summarise(rows, by):
    """
    Mean and standard deviation over seeds of the counts, per group of ``by`` columns.

    Returns
    -------
    list of dict
        The ``by`` columns, ``n_seeds``, ``n_patterns``, ``recalled_mean``,
        ``recalled_std`` (over seeds, ddof 0), ``recalled_min``, ``recalled_max``,
        ``fixed_points_mean``, ``bound_eq40`` and ``probability_eq38`` (times
        the number of patterns: expected counts).
    """
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[key] for key in by), []).append(row)
    summary = []
    for key, members in sorted(groups.items(), key=lambda item: tuple(map(str, item[0]))):
        recalled = np.array([row["n_recalled"] for row in members], dtype=float)
        n_patterns = members[0]["n_patterns"]
        summary.append(dict(zip(by, key), n_seeds=len(members), n_patterns=n_patterns,
                            recalled_mean=float(recalled.mean()),
                            recalled_std=float(recalled.std()),
                            recalled_min=int(recalled.min()), recalled_max=int(recalled.max()),
                            fixed_points_mean=float(np.mean([row["n_fixed_points"]
                                                             for row in members])),
                            bound_eq40=n_patterns * members[0]["bound_eq40"],
                            probability_eq38=n_patterns * members[0]["probability_eq38"]))
    for row in summary:
        row["fraction_mean"] = row["recalled_mean"] / row["n_patterns"]
    return sorted(summary, key=lambda row: tuple(row[key] for key in by))


def _noises(noise_variances):
    for variance in noise_variances:
        if not np.isfinite(variance) or variance < 0:
            raise BioamError(f"noise variances must be >= 0, got {variance}")
    return [float(np.sqrt(variance)) for variance in noise_variances]


def _seeds(seeds):
    seeds = [int(seed) for seed in seeds]
    if not seeds or min(seeds) < 0:
        raise BioamError(f"give one or more seeds >= 0, got {seeds}")
    return seeds


def figure1_rows(*, n_hidden=FIGURES["1"]["n_hidden"], ratio=FIGURES["1"]["ratio"],
                 thetas=FIGURES["1"]["thetas"], noise_variances=FIGURES["1"]["noise_variances"],
                 seeds=FIGURES["1"]["seeds"], **kwds):
    """
    Figure 1: capacity versus N_h for every threshold and cue-noise variance.

    One task per (N_h, seed) measures every (theta, sigma_v^2); Figure 1a
    uses the rows without noise, Figure 1b those with theta = 1/2.
    Other keywords: `capacity_rows`.
    """
    settings = [{"n_hidden": int(nh), "seed": seed, "ratio": ratio, "thetas": thetas,
                 "noises": _noises(noise_variances)}
                for nh in n_hidden for seed in _seeds(seeds)]
    return capacity_rows(settings, figure="1", **kwds)


def figure6_rows(*, n_hidden=FIGURES["6"]["n_hidden"], ratios=FIGURES["6"]["ratios"],
                 noise_variances=FIGURES["6"]["noise_variances"], seeds=FIGURES["6"]["seeds"],
                 **kwds):
    """Figure 6: capacity versus N_v / N_h at one N_h (theta = 1/2). Keywords: `capacity_rows`."""
    for ratio in ratios:
        if not np.isfinite(ratio) or round(ratio * n_hidden) < 1:
            raise BioamError(f"ratio {ratio} gives no visible neuron at N_h = {n_hidden}")
    settings = [{"n_hidden": int(n_hidden), "seed": seed, "ratio": float(ratio),
                 "noises": _noises(noise_variances)}
                for ratio in ratios for seed in _seeds(seeds)]
    return capacity_rows(settings, figure="6", **kwds)


def figure10_rows(*, n_hidden=FIGURES["10"]["n_hidden"], ratio=FIGURES["10"]["ratio"],
                  steepnesses=FIGURES["10"]["steepnesses"],
                  noise_variances=FIGURES["10"]["noise_variances"], seeds=FIGURES["10"]["seeds"],
                  **kwds):
    """
    Figure 10b: capacity versus N_h with a sigmoid of each steepness (theta = 1/2).

    The sigmoid runs on the dense formulation of Eq. 1; a pattern counts as
    recalled when the binarised final hidden state, Theta(h - theta), equals it.
    Keywords: `capacity_rows`.
    """
    for steepness in steepnesses:
        if not steepness > 4:
            raise BioamError(f"a steepness of {steepness} gives one intersection with the "
                             "identity line; Figure 10 needs three (steepness > 4)")
    settings = [{"n_hidden": int(nh), "seed": seed, "ratio": ratio, "activation": "sigmoid",
                 "steepness": float(steepness), "noises": _noises(noise_variances)}
                for steepness in steepnesses for nh in n_hidden for seed in _seeds(seeds)]
    return capacity_rows(settings, figure="10", **kwds)


def figure11_rows(*, n_hidden=FIGURES["11"]["n_hidden"], ratio=FIGURES["11"]["ratio"],
                  tau_ratios=FIGURES["11"]["tau_ratios"],
                  noise_variances=FIGURES["11"]["noise_variances"], seeds=FIGURES["11"]["seeds"],
                  tau_h=DEFAULTS["tau_h"], **kwds):
    """
    Figure 11: capacity versus tau_v / tau_h (tau_h fixed, theta = 1/2).

    The duration is the engine's default or 2.5 tau_v, whichever is longer, so
    slow visible layers have time to settle. Keywords: `capacity_rows`.
    """
    for tau_ratio in tau_ratios:
        if not np.isfinite(tau_ratio) or tau_ratio <= 0:
            raise BioamError(f"tau_v / tau_h must be > 0, got {tau_ratio}")
    settings = [{"n_hidden": int(n_hidden), "seed": seed, "ratio": ratio,
                 "tau_v": float(tau_ratio) * tau_h, "tau_h": tau_h,
                 "duration": max(DEFAULTS["duration"], 2.5 * float(tau_ratio) * tau_h),
                 "noises": _noises(noise_variances)}
                for tau_ratio in tau_ratios for seed in _seeds(seeds)]
    return capacity_rows(settings, figure="11", **kwds)


def sigmoid_fixed_points(steepness, theta=0.5):
    """
    The intersections of f(x) = 1 / (1 + exp(-k (x - theta))) with the identity line.

    With k > 4 (and theta = 1/2) there are three: two stable ones near 0 and 1 and
    the unstable theta itself (Eq. 8, Appendix F).

    Returns
    -------
    list of dict
        ``x`` and ``stable`` (``|f'(x)| < 1``) of each intersection, in increasing x.

    Examples
    --------
    >>> [round(point["x"], 4) for point in sigmoid_fixed_points(8.0)]
    [0.0212, 0.5, 0.9788]
    """
    def gap(x):
        return expit(steepness * (x - theta)) - x

    grid = np.linspace(-0.5, 1.5, 20001)
    values = gap(grid)
    points = []
    for k in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) <= 0):
        if values[k] == 0:
            x = grid[k]
        elif values[k + 1] == 0:
            continue
        else:
            x = brentq(gap, grid[k], grid[k + 1], xtol=1e-14)
        f = expit(steepness * (x - theta))
        points.append({"steepness": float(steepness), "x": float(x),
                       "slope": float(steepness * f * (1 - f)),
                       "stable": bool(steepness * f * (1 - f) < 1)})
    return points


# --- figures -------------------------------------------------------------------------------


def _pyplot():
    from ..plotting import _pyplot as pyplot

    return pyplot()


def _errorbar(axis, x, summary, label, color, marker="o"):
    mean = np.array([row["recalled_mean"] for row in summary])
    low = mean - np.array([row["recalled_min"] for row in summary])
    high = np.array([row["recalled_max"] for row in summary]) - mean
    std = np.array([row["recalled_std"] for row in summary])
    line = axis.errorbar(x, np.maximum(mean, 0.5), yerr=std, fmt=marker + "-", color=color,
                         capsize=3, ms=4, label=label)
    axis.fill_between(x, np.maximum(mean - low, 0.5), np.maximum(mean + high, 0.5), color=color,
                      alpha=0.12, lw=0)
    return line


def _drawn(values):
    """Theory curves on a log axis: counts below one pattern are left out, not clipped."""
    values = np.asarray(values, dtype=float)
    return np.where(values >= 1, values, np.nan)


def _save(fig, path):
    from ..plotting import save_figure

    fig.tight_layout()
    return save_figure(fig, path, dpi=120)


def plot_figure1(rows, path=None):
    """Figure 1a (thresholds) and 1b (noise variances) from `figure1_rows`; returns the Figure."""
    plt = _pyplot()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)
    clean = [row for row in rows if row["noise"] == 0]
    thetas = sorted({row["theta"] for row in clean})
    for k, theta in enumerate(thetas):
        summary = summarise([row for row in clean if row["theta"] == theta], ["nh"])
        _errorbar(axes[0], [row["nh"] for row in summary], summary, f"θ = {theta:g}",
                  colors[k % len(colors)])
    nh = sorted({row["nh"] for row in rows})
    for axis in axes:
        axis.plot(nh, [2.0**n for n in nh], color="0.6", lw=6, alpha=0.35,
                  label="$2^{N_h}$ (all patterns)")
    at_half = [row for row in rows if row["theta"] == 0.5]
    if at_half:
        summary = summarise([row for row in at_half if row["noise"] == 0], ["nh"])
        axes[0].plot(nh, [row["bound_eq40"] for row in summary], "k--",
                     label="Eq. 10 bound (θ = 1/2 only)")
        variances = sorted({row["noise_variance"] for row in at_half})
        for k, variance in enumerate(variances):
            color = colors[k % len(colors)]
            summary = summarise([row for row in at_half if row["noise_variance"] == variance],
                                ["nh"])
            x = [row["nh"] for row in summary]
            _errorbar(axes[1], x, summary, f"σ_v² = {variance:g}", color)
            if variance > 0:
                axes[1].plot(x, _drawn([row["probability_eq38"] for row in summary]), ":",
                             color=color)
                axes[1].plot(x, _drawn([row["bound_eq40"] for row in summary]), "--",
                             color=color, alpha=0.7)
        axes[1].plot([], [], "k:", label="Eq. 38")
        axes[1].plot([], [], "k--", alpha=0.7, label="bound, Eq. 40")
    n_seeds = len({row["seed"] for row in rows})
    axes[0].set_title("(a) thresholds, no cue noise")
    axes[1].set_title("(b) cue-noise variance, θ = 1/2")
    axes[0].set_ylabel("capacity (patterns recalled exactly)")
    for axis in axes:
        axis.set_yscale("log", base=2)
        axis.set_xlabel("hidden neurons $N_h$")
        axis.set_xticks(nh)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7, loc="upper left")
    fig.suptitle(f"Capacity, N_v = {rows[0]['ratio']:g} N_h, τ_v = {rows[0]['tau_ratio']:g} τ_h "
                 f"(mean ± s.d. over {n_seeds} seeds, band: min–max)", fontsize=10)
    return _save(fig, path)


def _plot_versus(rows, key, xlabel, title, path, theory=False, log_x=False):
    plt = _pyplot()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, axis = plt.subplots(figsize=(6.2, 4.4))
    variances = sorted({row["noise_variance"] for row in rows})
    for k, variance in enumerate(variances):
        color = colors[k % len(colors)]
        summary = summarise([row for row in rows if row["noise_variance"] == variance], [key])
        x = [row[key] for row in summary]
        _errorbar(axis, x, summary, f"recalled, σ_v² = {variance:g}", color)
        if theory:
            axis.plot(x, _drawn([row["probability_eq38"] for row in summary]), ":",
                      color=color, label=f"Eq. 38, σ_v² = {variance:g}")
            axis.plot(x, _drawn([row["bound_eq40"] for row in summary]), "--", color=color,
                      alpha=0.7, label=f"bound, Eq. 40, σ_v² = {variance:g}")
            axis.plot(x, _drawn([row["fixed_points_mean"] for row in summary]), "s",
                      mfc="none", color=color, ms=7,
                      label="targets that are fixed points (Eq. 5)")
    n_patterns = rows[0]["n_patterns"]
    axis.axhline(n_patterns, color="0.6", lw=6, alpha=0.35, label=f"all {n_patterns} patterns")
    axis.set_yscale("log", base=2)
    if log_x:
        axis.set_xscale("log")
    axis.set_xlabel(xlabel)
    axis.set_ylabel("capacity (patterns recalled exactly)")
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, loc="lower right")
    n_seeds = len({row["seed"] for row in rows})
    axis.set_title(f"{title}\n(mean ± s.d. over {n_seeds} seeds, band: min–max)", fontsize=9)
    return _save(fig, path)


def plot_figure6(rows, path=None):
    """Figure 6 from `figure6_rows`, beside Eqs. 38 and 40; returns the Figure."""
    return _plot_versus(rows, "ratio", "$N_v / N_h$",
                        f"Capacity versus N_v / N_h, N_h = {rows[0]['nh']}", path, theory=True,
                        log_x=True)


def plot_figure11(rows, path=None):
    """Figure 11 from `figure11_rows`; returns the Figure."""
    return _plot_versus(rows, "tau_ratio", "$\\tau_v / \\tau_h$",
                        f"Capacity versus τ_v / τ_h, N_h = {rows[0]['nh']}, "
                        f"N_v = {rows[0]['nv']}, τ_h = {rows[0]['tau_h_ms']:g} ms", path,
                        log_x=True)


def plot_figure10(rows, path=None):
    """Figure 10a (sigmoids, identity line, intersections) and 10b (capacity); returns the Figure."""
    plt = _pyplot()
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    steepnesses = sorted({row["steepness"] for row in rows})
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4))
    x = np.linspace(0, 1, 401)
    axes[0].plot(x, x, color="k", lw=1, label="identity")
    for k, steepness in enumerate(steepnesses):
        color = colors[k % len(colors)]
        axes[0].plot(x, expit(steepness * (x - 0.5)), color=color, label=f"k = {steepness:g}")
        for point in sigmoid_fixed_points(steepness):
            axes[0].plot(point["x"], point["x"], "o", color=color,
                         mfc=color if point["stable"] else "white", ms=6)
    axes[0].plot([], [], "ko", label="stable intersection")
    axes[0].plot([], [], "ko", mfc="white", label="unstable intersection")
    axes[0].set_xlabel("x")
    axes[0].set_ylabel("f(x) = 1 / (1 + exp(-k (x - 1/2)))")
    axes[0].set_title("(a) sigmoid nonlinearities")
    axes[0].legend(fontsize=7)
    axes[0].grid(alpha=0.3)
    nh = sorted({row["nh"] for row in rows})
    axes[1].plot(nh, [2.0**n for n in nh], color="0.6", lw=6, alpha=0.35,
                 label="$2^{N_h}$ (all patterns)")
    styles = ["o", "s", "^", "v"]
    variances = sorted({row["noise_variance"] for row in rows})
    for k, steepness in enumerate(steepnesses):
        for j, variance in enumerate(variances):
            selected = [row for row in rows if row["steepness"] == steepness
                        and row["noise_variance"] == variance]
            summary = summarise(selected, ["nh"])
            _errorbar(axes[1], [row["nh"] for row in summary], summary,
                      f"k = {steepness:g}, σ_v² = {variance:g}", colors[k % len(colors)],
                      marker=styles[j % len(styles)])
    axes[1].set_yscale("log", base=2)
    axes[1].set_xticks(nh)
    axes[1].set_xlabel("hidden neurons $N_h$")
    axes[1].set_ylabel("capacity (binarised hidden states)")
    axes[1].set_title("(b) capacity with sigmoid hidden neurons")
    axes[1].legend(fontsize=7, loc="upper left")
    axes[1].grid(alpha=0.3)
    n_seeds = len({row["seed"] for row in rows})
    fig.suptitle(f"Sigmoid activations, N_v = {rows[0]['ratio']:g} N_h (mean ± s.d. over "
                 f"{n_seeds} seeds)", fontsize=10)
    return _save(fig, path)
