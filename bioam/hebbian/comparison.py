"""
Hebbian rules against the threshold network of paper 001, storing the same given patterns.

For D units and random +-1 patterns, the Hebbian capacity is the largest P
whose patterns are all fixed points of the sign dynamics (`bioam.hebbian.capacity`,
delta = 0). The threshold network gets the same patterns as its visible
targets: it is trained by Eq. (17) (`bioam.training.train`, symmetric weights,
one global threshold) with ``n_hidden`` hidden neurons, then every pattern is
given as the cue v(0) and recalled to convergence (`bioam.reference.lowrank_recall`,
the exact integrator of the recall engine, tau_v = 20 tau_h); the pattern is
stored when the final hidden state s is a fixed point of Eq. (5) and the sign
of its memory, v* = N_h^(-1/2) xi s (Eq. 16), equals the pattern in every
unit. The capacity is found as for the Hebbian rules: doubling, then
bisection, a P passing when a majority of draws pass, each draw its own
patterns and its own training.

The default ``n_hidden = D / 2`` gives the threshold network 2 D N_h = D^2
synapses (two projections) and D N_h = D^2 / 2 weights (one symmetric matrix),
as many as the Hebbian network's D (D - 1) synapses and D (D - 1) / 2 weights
(its rules are symmetric): capacity per synapse is like for like; the
threshold network has D + N_h = 1.5 D neurons against D.
"""

import time

import numpy as np
from brian2 import ms
from brian2.utils.logger import get_logger

from ..reference import fixed_point_hidden_state, lowrank_recall
from ..validation import BioamError
from .capacity import largest_passing, random_patterns

__all__ = ["TRAINING", "COMPARISON_COLUMNS", "threshold_network_stores",
           "threshold_network_capacity", "comparison_table"]

logger = get_logger(__name__)

#: Eq. (17) training of the threshold network on given +-1 patterns: long enough that
#: the loss reaches ~1e-12 where the patterns fit (measured at D = 100, P = 25).
TRAINING = {"epochs": 3000, "batch_size": 64, "learning_rate": 3e-2, "learning_rate_end": 1e-3,
            "surrogate": "straight_through", "margin": 0.1}

#: Recall of the trained network (the recall engine's time constants, to convergence).
RECALL = {"tau_v": 20 * ms, "tau_h": 1 * ms, "dt": 0.25 * ms, "duration": 200 * ms}

COMPARISON_COLUMNS = ["network", "units", "n_hidden", "synapses", "weights", "neurons", "capacity",
                      "capacity_per_synapse", "capacity_per_neuron", "n_draws", "seconds"]


def threshold_network_stores(patterns, n_hidden, seed=0, training=None):
    """
    Train the threshold network on ``patterns`` and say which of them it stores.

    Parameters
    ----------
    patterns : ndarray, shape (P, D), +-1
    n_hidden : int
    seed : int
        Seed of the training (initial weights, minibatch order).
    training : dict, optional
        `bioam.training.TrainingConfig` settings (default `TRAINING`).

    Returns
    -------
    ndarray of bool, shape (P,)
    """
    from ..training import TrainingConfig, train

    patterns = np.asarray(patterns, dtype=np.float64)
    if patterns.ndim != 2 or not np.all(np.isin(patterns, (-1.0, 1.0))):
        raise BioamError("patterns must be a (P, D) array of +-1 values")
    settings = dict(TRAINING if training is None else training)
    settings["batch_size"] = min(settings["batch_size"], len(patterns))
    model = train(patterns, TrainingConfig(n_hidden=int(n_hidden), seed=int(seed), **settings),
                  progress=False)
    recalled = lowrank_recall(model.xi, patterns, theta=model.theta, **RECALL)
    hidden = (recalled["h"] > model.theta).astype(np.float64)
    fixed, _ = fixed_point_hidden_state(model.xi, hidden, theta=model.theta)
    memory = hidden @ model.xi.T / np.sqrt(n_hidden)  # Eq. 16
    return fixed & np.all(np.sign(memory) == patterns, axis=1)


def threshold_network_capacity(units, n_hidden=None, n_draws=5, seed=0, max_patterns=None,
                               training=None):
    """
    The largest number of random +-1 patterns the trained threshold network stores.

    Parameters
    ----------
    units : int
        D, the visible neurons.
    n_hidden : int, optional
        Hidden neurons (default D / 2: as many synapses as the Hebbian network).
    n_draws : int
        Pattern sets (and trainings) per tested number; a number passes when
        a majority of them store every pattern.
    seed : int
    max_patterns : int, optional
        Upper end of the search (default 2 D).
    training : dict, optional

    Returns
    -------
    capacity : int
    tested : dict
        Number of patterns -> (draws that passed, draws run).

    Examples
    --------
    >>> capacity, tested = threshold_network_capacity(16, n_draws=1, max_patterns=4)
    >>> capacity
    4
    """
    units = int(units)
    n_hidden = units // 2 if n_hidden is None else int(n_hidden)
    if units < 2 or n_hidden < 1 or n_draws < 1:
        raise BioamError(f"need units >= 2, n_hidden >= 1, n_draws >= 1; got {units}, "
                         f"{n_hidden}, {n_draws}")
    max_patterns = 2 * units if max_patterns is None else int(max_patterns)
    needed = n_draws // 2 + 1
    tested = {}

    def passes(n_patterns):
        passed = run = 0
        for draw in range(n_draws):
            patterns = random_patterns(n_patterns, units, seed=[seed, draw, n_patterns])
            run += 1
            passed += bool(np.all(threshold_network_stores(patterns, n_hidden, seed=draw,
                                                           training=training)))
            if passed >= needed or passed + n_draws - run < needed:
                break
        tested[n_patterns] = (passed, run)
        logger.debug(f"threshold network, D = {units}, N_h = {n_hidden}: P = {n_patterns} "
                     f"passed {passed} of {run}")
        return passed >= needed

    largest, _ = largest_passing(passes, max_patterns)
    return largest, dict(sorted(tested.items()))


def comparison_table(units=(50, 100, 200), n_draws=5, seed=0, progress=None):
    """
    The activity product rule and the threshold network (N_h = D / 2) at every D.

    Returns
    -------
    list of dict
        Keys `COMPARISON_COLUMNS`.
    """
    from .capacity import capacity

    rows = []
    for size in units:
        for network in ("hebb", "threshold_eq17"):
            started = time.perf_counter()
            if network == "hebb":
                stored = capacity("hebb", size, n_draws=21, seed=seed).capacity
                n_hidden, draws = 0, 21
                synapses, weights, neurons = size * (size - 1), size * (size - 1) // 2, size
            else:
                n_hidden, draws = size // 2, n_draws
                stored, _ = threshold_network_capacity(size, n_hidden, n_draws=n_draws, seed=seed)
                synapses, weights, neurons = 2 * size * n_hidden, size * n_hidden, size + n_hidden
            seconds = time.perf_counter() - started
            rows.append({"network": network, "units": size, "n_hidden": n_hidden,
                         "synapses": synapses, "weights": weights, "neurons": neurons,
                         "capacity": stored,
                         "capacity_per_synapse": stored / synapses,
                         "capacity_per_neuron": stored / neurons, "n_draws": draws,
                         "seconds": round(seconds, 1)})
            if progress is not None:
                progress(f"{network}, D = {size}: capacity {stored} ({seconds:.0f} s)")
    return rows
