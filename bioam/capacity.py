"""
The capacity experiment of Section 2 (Figure 1): how many binary hidden patterns are recalled.

For each N_h, random Gaussian weights (Eq. 3) with N_v = ratio * N_h; every
binary hidden pattern s (or a stated random sample of them when 2^N_h is
large) is a target; the cue is the target's visible state plus noise,
v(0) = N_h^(-1/2) xi s + eps, h(0) = 0 (Eq. 12, 13); a pattern counts as
recalled when the final hidden state Theta(h - theta) equals s exactly. The
network is built (and, on standalone targets, compiled) once per N_h and
re-run for every threshold and noise level.
"""

import itertools
import time

import numpy as np

from .io import write_csv_atomic
from .progress import progress_reporter
from .recall import DEFAULTS, RecallSession
from .reference import fixed_point_hidden_state
from .theory import no_bit_flip_bound, no_bit_flip_probability
from .validation import BioamError, check_memory, check_positive, check_seed, check_timing

__all__ = ["binary_patterns", "capacity_experiment", "capacity_for_hidden_size",
           "write_capacity_csv", "CSV_COLUMNS"]

CSV_COLUMNS = ["nh", "nv", "theta", "noise", "noise_variance", "n_patterns",
               "n_recalled", "fraction_recalled", "n_fixed_points", "bound_eq40",
               "probability_eq38",
               "backend", "seed", "seconds"]


def binary_patterns(n_hidden, max_patterns=None, rng=None):
    """
    All 2^N_h binary patterns, or ``max_patterns`` distinct ones drawn at random.

    Returns
    -------
    ndarray, shape (n_patterns, N_h), values 0/1
    """
    total = 2**n_hidden
    if max_patterns is None or max_patterns >= total:
        return np.array(list(itertools.product((0.0, 1.0), repeat=n_hidden)))
    if n_hidden > 62:  # codes beyond int64: draw bit vectors, keep the first distinct ones
        drawn = np.empty((0, n_hidden))
        while len(drawn) < max_patterns:
            drawn = np.vstack([drawn, rng.integers(0, 2, (max_patterns, n_hidden))])
            _, first = np.unique(drawn, axis=0, return_index=True)
            drawn = drawn[np.sort(first)]
        return drawn[:max_patterns].astype(float)
    codes = rng.choice(total, size=max_patterns, replace=False)
    bits = (codes[:, None] >> np.arange(n_hidden - 1, -1, -1)) & 1
    return bits.astype(float)


def capacity_experiment(n_hidden_values, *, ratio=100, thetas=(0.5,), noises=(0.0,),
                        backend=DEFAULTS["backend"], tau_v=DEFAULTS["tau_v"],
                        tau_h=DEFAULTS["tau_h"], dt=DEFAULTS["dt"],
                        duration=DEFAULTS["duration"], activation="step", steepness=20.0,
                        max_patterns=None, seed=0, max_synapses=2**24, progress=True,
                        formulation=DEFAULTS["formulation"], n_workers=None, scheduler=None,
                        cache=None):
    """
    Count recalled binary patterns for every (N_h, theta, noise) setting.

    Parameters
    ----------
    n_hidden_values : sequence of int
    ratio : float
        N_v = round(ratio * N_h); the paper uses 100.
    thetas : sequence of float
    noises : sequence of float
        Standard deviations sigma_v of the cue noise (Eq. 13).
    backend : str
    tau_v, tau_h, dt, duration : Quantity
    activation, steepness
        As in `bioam.build_network`.
    max_patterns : int, optional
        Use a random sample of this many patterns when 2^N_h is larger.
    seed : int
        Seed of the weights, the pattern sample and the noise.
    max_synapses : int
        Memory bound of one simulation (see `RecallSession`).
    progress : bool or callable
        A line per N_h, threshold and noise level: True writes them to
        standard error, a function is called with each (see `bioam.progress`).
    formulation : {'auto', 'event', 'dense'}
        See `bioam.RecallSession`.
    n_workers : int, optional
        With one N_h (or ``scheduler='inline'``): compiled binaries run at once
        (default: one per core). With several: workers of the local Dask cluster,
        each running one binary at a time.
    scheduler : None, 'local', 'inline', str or distributed.Client
        Where the N_h values run, one task each (`bioam.sweeps.run_sweep`); a
        single N_h runs here, reporting each threshold and noise level.
    cache : str, optional
        Folder of finished N_h values that a rerun skips.

    Returns
    -------
    list of dict
        One row per setting, keys `CSV_COLUMNS`.
    """
    if not n_hidden_values:
        raise BioamError("give at least one N_h (--nh)")
    for n_hidden in n_hidden_values:
        if int(n_hidden) != n_hidden or n_hidden < 1:
            raise BioamError(f"N_h must be a positive integer, got {n_hidden}")
        if max_patterns is None and n_hidden > 16:
            raise BioamError(
                f"N_h = {n_hidden} has 2^{n_hidden} patterns; give --max-patterns "
                "to use a random sample"
            )
    check_positive("ratio", ratio)
    check_seed(seed)
    if max_patterns is not None and (int(max_patterns) != max_patterns or max_patterns < 1):
        raise BioamError(f"max_patterns must be a positive integer, got {max_patterns}")
    for theta in thetas:
        if not np.isfinite(theta):
            raise BioamError(f"theta must be a finite number, got {theta}")
    check_timing(tau_v, tau_h, dt, duration)
    check_positive("steepness", steepness)
    for n_hidden in n_hidden_values:
        n_visible = ratio * n_hidden
        n_patterns = min(2.0**n_hidden, max_patterns or np.inf)
        check_memory(f"the capacity of N_h = {n_hidden}, N_v = {n_visible:.0f} "
                     f"({n_patterns:.0f} patterns)",
                     8.0 * n_visible * (3 * n_hidden + 3 * n_patterns),
                     "give a smaller --ratio, N_h or --max-patterns")
    report = progress_reporter(progress if len(n_hidden_values) > 1 and scheduler != "inline"
                               else False, __name__)
    for noise in noises:
        if not np.isfinite(noise) or noise < 0:
            raise BioamError(f"noise must be a standard deviation >= 0, got {noise}")
    from .sweeps import run_sweep

    for n_hidden in n_hidden_values:
        if int(round(ratio * n_hidden)) < 1:
            raise BioamError(f"ratio {ratio} gives N_v = 0 for N_h = {n_hidden}")
    common = dict(ratio=ratio, thetas=[float(theta) for theta in thetas],
                  noises=[float(noise) for noise in noises], backend=backend, tau_v=tau_v,
                  tau_h=tau_h, dt=dt, duration=duration, activation=activation,
                  steepness=steepness, max_patterns=max_patterns, seed=seed,
                  max_synapses=max_synapses, formulation=formulation)
    inline = scheduler == "inline" or len(n_hidden_values) == 1
    # in a cluster each worker runs one compiled binary at a time: the workers fill the cores
    common["n_workers"] = n_workers if inline else 1
    common["progress"] = progress if inline else False  # a worker's lines would be lost
    settings = [dict(common, n_hidden=int(n_hidden)) for n_hidden in n_hidden_values]

    def describe(setting, rows):
        return (f"N_h = {setting['n_hidden']}: "
                + ", ".join(f"theta {row['theta']:g} sigma_v {row['noise']:g}: "
                            f"{row['n_recalled']}/{row['n_patterns']}" for row in rows))

    per_nh = run_sweep(capacity_for_hidden_size, settings, scheduler=scheduler,
                       n_workers=None if inline else n_workers, cache=cache,
                       progress=report, label="bioam capacity", describe=describe)
    return [row for rows in per_nh for row in rows]


def capacity_for_hidden_size(n_hidden, *, ratio, thetas, noises, backend, tau_v, tau_h, dt,
                             duration, activation, steepness, max_patterns, seed, max_synapses,
                             formulation, n_workers=None, progress=False):
    """
    The rows of `capacity_experiment` for one N_h (a task of its sweep).

    The network is built (and compiled) once and re-run for every threshold and
    noise level; the parameters are those of `capacity_experiment`.

    Returns
    -------
    list of dict
        Keys `CSV_COLUMNS`.
    """
    report = progress_reporter(progress, __name__)
    n_visible = int(round(ratio * n_hidden))
    rng = np.random.default_rng([seed, n_hidden])
    xi = rng.standard_normal((n_visible, n_hidden))  # Eq. 3
    patterns = binary_patterns(n_hidden, max_patterns, rng)
    clean_cues = patterns @ xi.T / np.sqrt(n_hidden)  # Eq. 12a without noise
    n_patterns = len(patterns)
    per_copy = 2 * n_visible * n_hidden
    n_chunks = -(-n_patterns * per_copy // max_synapses)
    batch_size = -(-n_patterns // n_chunks)
    rows = []
    started = time.perf_counter()
    with RecallSession(xi, tau_v=tau_v, tau_h=tau_h, dt=dt, duration=duration,
                       activation=activation, steepness=steepness, backend=backend,
                       batch_size=batch_size, formulation=formulation,
                       n_workers=n_workers, max_synapses=max_synapses) as session:
        report(f"bioam capacity: N_h = {n_hidden}, N_v = {n_visible}, "
               f"{n_patterns} patterns, built on {backend} in "
               f"{session.build_seconds:.1f} s")
        for noise in noises:
            noise_rng = np.random.default_rng([seed, n_hidden, int(round(noise * 1e6))])
            cues = clean_cues + noise * noise_rng.standard_normal(clean_cues.shape)  # Eq. 13
            for theta in thetas:
                start = time.perf_counter()
                result = session.recall(cues, theta=theta)
                recalled = int(np.all(result.states == patterns, axis=1).sum())
                # the targets that are fixed points of Eq. 5 (NumPy, from the same weights)
                is_fixed, _ = fixed_point_hidden_state(xi, patterns, theta=theta)
                row = {
                    "nh": n_hidden, "nv": n_visible, "theta": float(theta),
                    "noise": float(noise), "noise_variance": float(noise) ** 2,
                    "n_patterns": n_patterns, "n_recalled": recalled,
                    "fraction_recalled": recalled / n_patterns,
                    "n_fixed_points": int(is_fixed.sum()),
                    "bound_eq40": float(no_bit_flip_bound(n_hidden, n_visible, noise)),
                    "probability_eq38": float(no_bit_flip_probability(n_hidden, n_visible,
                                                                      noise)),
                    "backend": backend, "seed": seed,
                    "seconds": round(time.perf_counter() - start, 3),
                }
                rows.append(row)
                report(f"  theta = {theta:g}, noise sigma_v = {noise:g}: "
                       f"{recalled}/{n_patterns} recalled ({row['seconds']:.1f} s)")
    report(f"  N_h = {n_hidden} done in {time.perf_counter() - started:.1f} s")
    return rows


def write_capacity_csv(rows, path):
    """Write the rows of `capacity_experiment` to ``path`` (atomically, CRLF line ends)."""
    return write_csv_atomic(path, rows, CSV_COLUMNS, lineterminator="\r\n")
