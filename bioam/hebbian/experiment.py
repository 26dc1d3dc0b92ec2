"""
The capacity experiment of the Hebbian rules: a table beside theory, a figure, and a Brian2 check.

`capacity_table` measures, for every rule and number of units D, the capacity
of paper 003 (Definition 1.1.2, `bioam.hebbian.capacity.capacity`) with the
NumPy reference, and puts beside it the signal-to-noise prediction of paper
004's approach (`bioam.hebbian.theory.snr_capacity`; for sparse patterns recalled
by k winners, the field distribution from the counts of
`bioam.hebbian.kwinners_theory`) and, for the activity
product rule, the classical results (the finite-D exact-retrieval prediction,
D / (4 ln D) of McEliece et al. 1987, 0.138 D of Amit, Gutfreund & Sompolinsky
1985). With ``backend`` set, the stored patterns at the measured capacity are
also recalled by the Brian2 network (`bioam.hebbian.network`) on that target,
and the row records whether its final states equal the reference's.
`plot_capacity_table` draws the table.
"""

import time
from functools import lru_cache

import numpy as np
from brian2.utils.logger import get_logger

from ..io import _write_atomic, write_csv_atomic
from ..validation import BioamError
from .capacity import (_check_delta, _check_epsilon, _check_probability, _resolve_rule, capacity,
                       random_patterns)
from .retrieval import _stepper
from .rules import RULES, get_rule, offline_weights
from .kwinners_theory import kwinners_capacity
from .theory import (critical_capacity, hebb_exact_retrieval_capacity, mceliece_capacity,
                     snr_capacity)

__all__ = ["CAPACITY_COLUMNS", "DEFAULTS", "capacity_table", "rules_for", "write_capacity_csv",
           "plot_capacity_table", "THEORY_CHECK_COLUMNS", "kwinners_theory_check"]

logger = get_logger(__name__)

#: The columns of ``capacity.csv``.
CAPACITY_COLUMNS = ["rule", "units", "patterns", "delta", "epsilon", "criterion", "capacity",
                    "capacity_per_unit", "theory", "theory_name", "classical", "classical_name", "n_draws",
                    "seconds", "brian2_backend", "brian2_agrees"]

#: Defaults of the experiment (and of ``bioam hebbian``).
DEFAULTS = {"units": (100, 200, 400, 1000), "delta": 0.0, "epsilon": 0.05, "patterns": "random",
            "criterion": "exact", "max_bit_error": 0.015, "n_draws": 21, "activity": 0.05,
            "seed": 0, "brian2_cues": 4}

#: Rules that need 0/1 patterns.
_BINARY_ONLY = ("willshaw", "bcpnn")


def rules_for(patterns):
    """The presets that apply to ``patterns`` ('random' +-1 or 'sparse' 0/1)."""
    return [name for name in RULES if patterns == "sparse" or name not in _BINARY_ONLY]


def _classical(rule_name, units, patterns, criterion):
    """The classical result for the activity product rule on +-1 patterns, or (nan, '')."""
    if rule_name != "hebb" or patterns != "random":
        return float("nan"), ""
    if criterion == "bit_error":
        return float(critical_capacity(units)), "0.138 D (Amit et al. 1985)"
    return (float(hebb_exact_retrieval_capacity(units)),
            "finite-D exact retrieval (D / 4 ln D asymptote)")


def _theory(rule, units, patterns, criterion, delta, max_bit_error, activity, pool):
    """The prediction for one row and its name, or (nan, '') where none applies."""
    if delta != 0 or pool is not None:
        return float("nan"), ""
    if patterns == "sparse":
        if criterion != "exact":
            return float("nan"), ""
        return (kwinners_capacity(rule, units, activity=activity, epsilon=0.5),
                "k-winners field distribution from the counts")
    if rule.kind != "linear" or rule.upper_bound is not None:
        return float("nan"), ""
    return (snr_capacity(rule, units, criterion, epsilon=0.5, max_bit_error=max_bit_error,
                         patterns=patterns, activity=activity),
            "signal-to-noise, Gaussian field (paper 004)")


def _brian2_check(rule, units, n_patterns, settings, backend, n_cues, directory, pool=None):
    """Recall the first stored patterns in Brian2 and in NumPy; whether the states agree."""
    from .network import recall_hebbian

    if pool is None:  # the first draw's patterns, as capacity draws them (max_patterns = 2 D)
        patterns = random_patterns(2 * units, units, settings["patterns"], settings["activity"],
                                   seed=[settings["seed"], 0])[:n_patterns]
    else:  # the first draw's patterns, as capacity draws them
        order = np.random.default_rng([settings["seed"], 0]).permutation(len(pool))
        patterns = pool[order[:n_patterns]]
    weights, bias = offline_weights(patterns, rule, return_bias=True)
    update = "sign" if settings["patterns"] == "random" else "k_winners"
    k = None if update == "sign" else int(round(settings["activity"] * units))
    cues = patterns[:n_cues]
    steps = 10
    step, _ = _stepper(weights, update, bias, "active", k, None)
    expected = cues
    for _ in range(steps):
        expected = step(expected)
    result = recall_hebbian(weights, cues, bias=bias, update=update, k=k, steps=steps,
                            backend=backend, directory=directory)
    return bool(np.array_equal(result, expected))


def capacity_table(rules=None, units=DEFAULTS["units"], *, delta=DEFAULTS["delta"],
                   epsilon=DEFAULTS["epsilon"], patterns=DEFAULTS["patterns"],
                   criterion=DEFAULTS["criterion"], max_bit_error=DEFAULTS["max_bit_error"],
                   n_draws=DEFAULTS["n_draws"], activity=DEFAULTS["activity"],
                   seed=DEFAULTS["seed"], backend=None, brian2_cues=DEFAULTS["brian2_cues"],
                   directory=None, progress=None, pool=None, pool_name=None, scheduler=None,
                   n_workers=None, cache=None):
    """
    Capacity of every rule at every D, beside theory.

    Parameters
    ----------
    rules : list of str, optional
        Presets of `bioam.hebbian.rules.RULES` (default: those that apply to
        ``patterns``).
    units : sequence of int
        Numbers of units D.
    delta, epsilon, patterns, criterion, max_bit_error, n_draws, activity, seed
        As in `bioam.hebbian.capacity.capacity`.
    backend : str, optional
        A Brian2 target: recall ``brian2_cues`` stored patterns at the measured
        capacity in Brian2 too and record whether the states equal the reference's.
    brian2_cues : int
    directory : str, optional
        Standalone project folder for the Brian2 check.
    progress : callable, optional
        Called with one line of text after every row.
    pool : 'mnist' or ndarray, shape (n, D), optional
        Given patterns (see `bioam.hebbian.capacity.capacity`): ``'mnist'``,
        the binarised MNIST training images (loaded by each worker), or an
        array (the rows then run in this process); ``units`` must then be
        ``[D]``. The signal-to-noise prediction, which assumes independent
        random patterns, is not given for them.
    pool_name : str, optional
        What the ``patterns`` column says for an array pool (default 'given').
    scheduler, n_workers, cache
        Where the rows run, one task per rule and D (`bioam.sweeps.run_sweep`:
        a local Dask cluster by default, ``'inline'`` in this process), and the
        folder of finished rows that a rerun skips.

    Returns
    -------
    list of dict
        Keys `CAPACITY_COLUMNS`.

    Examples
    --------
    >>> rows = capacity_table(['hebb'], [64], n_draws=3, scheduler='inline')
    >>> rows[0]['capacity'], rows[0]['theory']
    (9, 8)
    """
    from ..sweeps import run_sweep

    rules = rules_for(patterns) if rules is None else list(rules)
    unknown = [name for name in rules if name not in RULES]
    if unknown:
        raise BioamError(f"unknown Hebbian rule {unknown[0]!r}; choose from {', '.join(RULES)}")
    if patterns == "random" and any(name in _BINARY_ONLY for name in rules):
        raise BioamError(f"{', '.join(n for n in rules if n in _BINARY_ONLY)} need 0/1 patterns; "
                         "use patterns 'sparse' or leave them out")
    # every row checks these too, in its worker: refuse them here, before the cluster starts
    _check_delta(delta)
    _check_epsilon(epsilon)
    _check_probability("activity", activity, True, True,
                       hint=" (fraction of active units of sparse patterns)")
    units = [int(value) for value in units]
    if not units or any(value < 2 for value in units):
        raise BioamError(f"units must be integers >= 2, got {units}")
    if backend is not None:
        from ..backends import check_backend
        check_backend(backend)
    if isinstance(pool, str) and pool not in _POOLS:
        raise BioamError(f"pool must be one of {sorted(_POOLS)} or an array, got {pool!r}")
    common = dict(delta=delta, epsilon=epsilon, patterns=patterns, criterion=criterion,
                  max_bit_error=max_bit_error, n_draws=n_draws, activity=activity, seed=seed,
                  backend=backend, brian2_cues=brian2_cues, directory=directory)
    if pool is not None and not isinstance(pool, str):
        # an array of given patterns is not shipped to workers: its rows run here
        scheduler, cache = "inline", None
        common.update(pool=pool, pool_name=pool_name)
    else:
        common.update(pool=pool)
    settings = [dict(common, rule=name, units=size) for name in rules for size in units]

    def describe(setting, row):
        return (f"{row['rule']}, D = {row['units']}: capacity {row['capacity']} "
                f"(theory {row['theory']:g}) in {row['seconds']:.1f} s"
                + (f", Brian2 {backend} agrees: {row['brian2_agrees']}" if backend else ""))

    rows = run_sweep(capacity_row, settings, scheduler=scheduler, n_workers=n_workers,
                     cache=cache, label="bioam hebbian", describe=describe,
                     progress=progress if progress is not None else False)
    return rows


#: Pools of given patterns by name: loaders of +-1 patterns.
_POOLS = {"mnist": "binarised MNIST training images"}


@lru_cache(maxsize=2)
def _named_pool(name):
    from .comparison import mnist_patterns

    return mnist_patterns()


def capacity_row(rule, units, *, delta, epsilon, patterns, criterion, max_bit_error, n_draws,
                 activity, seed, backend, brian2_cues, directory, pool=None, pool_name=None):
    """
    One row of `capacity_table`: the capacity of one rule at one D, beside theory.

    A task of the sweep (`bioam.sweeps.run_sweep`); the parameters are those
    of `capacity_table`, with one rule name and one D.

    Returns
    -------
    dict
        Keys `CAPACITY_COLUMNS`.
    """
    name, size = rule, int(units)
    if isinstance(pool, str):
        pool_name, pool = pool, _named_pool(pool)
    started = time.perf_counter()
    rule = _resolve_rule(name, patterns, activity)
    if pool is not None and name in ("covariance", "presynaptic_covariance"):
        # the known mean activity of the given patterns (one value, all units)
        rule = get_rule(name, mean_activity=float(np.mean(pool)))
    result = capacity(rule, size, delta=delta, epsilon=epsilon, patterns=patterns,
                      criterion=criterion, max_bit_error=max_bit_error,
                      n_draws=n_draws, seed=seed, activity=activity, pool=pool)
    seconds = time.perf_counter() - started
    theory, theory_name = _theory(rule, size, patterns, criterion, delta,
                                  max_bit_error, activity, pool)
    classical, classical_name = (_classical(name, size, patterns, criterion)
                                 if pool is None else (float("nan"), ""))
    agrees = ""
    if backend is not None and result.capacity > 0:
        settings = {"patterns": patterns, "activity": activity, "seed": seed}
        agrees = _brian2_check(rule, size, result.capacity, settings, backend,
                               min(brian2_cues, result.capacity), directory, pool)
    row = {
        "rule": name, "units": size,
        "patterns": patterns if pool is None else (pool_name or "given"), "delta": delta,
        "epsilon": epsilon, "criterion": criterion, "capacity": result.capacity,
        "capacity_per_unit": result.capacity / size, "theory": theory,
        "theory_name": theory_name,
        "classical": classical, "classical_name": classical_name, "n_draws": n_draws,
        "seconds": round(seconds, 2), "brian2_backend": backend or "",
        "brian2_agrees": agrees}
    logger.debug(f"{name}, D = {size}: capacity {result.capacity} in {seconds:.1f} s", "row")
    return row


#: The columns of `kwinners_theory_check`.
THEORY_CHECK_COLUMNS = ["rule", "units", "activity", "patterns", "theory_one", "simulated_one",
                        "theory_all", "simulated_all", "n_draws", "seed"]


def kwinners_theory_check(rules=None, units=(100, 400), activity=DEFAULTS["activity"],
                          n_draws=200, seed=1):
    """
    Where the k-winners prediction and the measurement part: one pattern and all patterns.

    For every rule and D, at the predicted capacity P, the predicted probability
    that one stored pattern is a fixed point of k-winners recall and that all P
    are (`bioam.hebbian.kwinners_theory.kwinners_fixed_point_probability`)
    beside the fractions measured over ``n_draws`` fresh pattern sets (NumPy
    reference: one k-winners update of every stored pattern).

    Returns
    -------
    list of dict
        Keys `THEORY_CHECK_COLUMNS`.

    Examples
    --------
    >>> row = kwinners_theory_check(['willshaw'], [100], n_draws=20)[0]
    >>> row['patterns'], round(row['theory_one'], 3), row['simulated_one'] >= row['theory_one']
    (27, 0.976, True)
    """
    from .kwinners_theory import kwinners_fixed_point_probability

    rules = rules_for("sparse") if rules is None else list(rules)
    rows = []
    for name in rules:
        for size in units:
            rule = _resolve_rule(name, "sparse", activity)
            n_patterns = kwinners_capacity(rule, size, activity=activity, epsilon=0.5)
            theory_one, theory_all = kwinners_fixed_point_probability(rule, size, n_patterns,
                                                                      activity)
            k = int(round(activity * size))
            fixed = np.empty((n_draws, n_patterns), dtype=bool)
            for draw in range(n_draws):
                X = random_patterns(n_patterns, size, "sparse", activity, seed=[seed, draw])
                W, bias = offline_weights(X, rule, return_bias=True)
                step, _ = _stepper(W, "k_winners", bias, None, k, None)
                fixed[draw] = np.all(step(X) == X, axis=1)
            rows.append({"rule": name, "units": size, "activity": activity,
                         "patterns": n_patterns, "theory_one": theory_one,
                         "simulated_one": float(fixed.mean()), "theory_all": theory_all,
                         "simulated_all": float(fixed.all(axis=1).mean()), "n_draws": n_draws,
                         "seed": seed})
    return rows


def write_capacity_csv(path, rows):
    """Write the rows of `capacity_table` to ``path`` (atomically)."""
    return write_csv_atomic(path, rows, CAPACITY_COLUMNS)


def plot_capacity_table(rows, path):
    """
    Capacity against D per rule (points), its prediction (lines) and the classical results.

    Parameters
    ----------
    rows : list of dict
        Output of `capacity_table`.
    path : str
        Image file (written atomically).
    """
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axis = plt.subplots(figsize=(6.4, 4.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, name in enumerate(dict.fromkeys(row["rule"] for row in rows)):
        mine = sorted((row for row in rows if row["rule"] == name), key=lambda row: row["units"])
        d = np.array([row["units"] for row in mine])
        color = colors[index % len(colors)]
        # rules that coincide (the covariance rules at mean 0 are Hebb's) stay visible:
        # open markers of decreasing size
        axis.plot(d, [row["capacity"] for row in mine], "osD^v"[index % 5], color=color,
                  markersize=10 - 1.5 * index, markerfacecolor="none", markeredgewidth=1.5,
                  label=f"{name} (measured)")
        theory = np.array([row["theory"] for row in mine], dtype=float)
        if np.any(np.isfinite(theory)):
            short = ("k-winners prediction" if mine[0]["theory_name"].startswith("k-winners")
                     else "signal-to-noise")
            axis.plot(d, theory, "-", color=color, alpha=0.7, label=f"{name}: {short}")
        classical = np.array([row["classical"] for row in mine], dtype=float)
        if np.any(np.isfinite(classical)):
            axis.plot(d, classical, ":", color="k", label=mine[0]["classical_name"])
            if mine[0]["criterion"] == "exact":
                dense = np.unique(np.linspace(d.min(), d.max(), 100).astype(int))
                axis.plot(dense, [mceliece_capacity(int(value)) for value in dense], "--",
                          color="0.5", label="D / (4 ln D) (McEliece et al. 1987)")
    first = rows[0]
    axis.set_xlabel("units D")
    axis.set_ylabel("capacity (patterns)")
    axis.set_title(f"{first['patterns']} patterns, criterion {first['criterion']}, "
                   f"delta = {first['delta']:g}", fontsize=10)
    axis.legend(fontsize=7)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=str(path).rsplit(".", 1)[-1], dpi=120)
    plt.close(fig)
    return _write_atomic(path, "." + str(path).rsplit(".", 1)[-1],
                         lambda stream: stream.write(buffer.getvalue()))
