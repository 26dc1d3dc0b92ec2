"""
Hebbian rules against the threshold network of paper 001, storing the same given patterns.

Two kinds of given patterns (``patterns``):

* ``'random'``: for D units, random +-1 patterns;
* ``'mnist'``: the MNIST training images binarised to +-1 (pixel > 0.5: +1,
  as ``bioam hebbian --patterns mnist``), D = 784. Draw d stores the first P
  images of a random permutation of the 60,000 (seed ``[seed, d]``), exactly
  as `bioam.hebbian.capacity.capacity` draws from its ``pool``: for the same
  seed both networks are given the same images.

The Hebbian capacity is the largest P whose patterns are all fixed points of
the sign dynamics (`bioam.hebbian.capacity`, delta = 0), for every rule that
takes +-1 patterns (`PM1_RULES`; the covariance rules use the known mean
activity: 0 for random patterns, under which they equal the activity
product rule, and the images' mean pixel value for MNIST, as
`bioam.hebbian.experiment` does). The threshold network gets the same
patterns as its visible targets: it is trained by Eq. (17)
(`bioam.training.train`, symmetric weights, one global threshold) with
``n_hidden`` hidden neurons, then every pattern is given as the cue v(0) and
recalled to convergence (`bioam.reference.lowrank_recall`, the exact
integrator of the recall engine, tau_v = 20 tau_h); the pattern is stored
when the final hidden state s is a fixed point of Eq. (5) and the sign of its
memory, v* = N_h^(-1/2) xi s (Eq. 16), equals the pattern in every unit. One
criterion for both networks: the pattern itself returned exactly, no wrong
unit allowed. The capacity is found as for the Hebbian rules: doubling, then
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

__all__ = ["TRAINING", "RECALL", "PATTERN_KINDS", "PM1_RULES", "MNIST_UNITS",
           "COMPARISON_COLUMNS", "mnist_patterns", "draw_patterns", "threshold_network_stores",
           "threshold_network_capacity", "comparison_table"]

logger = get_logger(__name__)

#: Eq. (17) training of the threshold network on given +-1 patterns: long enough that
#: the loss reaches ~1e-12 where the patterns fit (measured at D = 100, P = 25). Used for
#: MNIST as well (one training for both kinds of patterns).
TRAINING = {"epochs": 3000, "batch_size": 64, "learning_rate": 3e-2, "learning_rate_end": 1e-3,
            "surrogate": "straight_through", "margin": 0.1}

#: Recall of the trained network (the recall engine's time constants, to convergence).
RECALL = {"tau_v": 20 * ms, "tau_h": 1 * ms, "dt": 0.25 * ms, "duration": 200 * ms}

#: The kinds of given patterns.
PATTERN_KINDS = ("random", "mnist")

#: The Hebbian rules that take +-1 patterns (the presets of `bioam.hebbian.rules.RULES`).
PM1_RULES = ("hebb", "covariance", "presynaptic_covariance")

#: Units of the MNIST patterns (28 x 28 pixels).
MNIST_UNITS = 784

COMPARISON_COLUMNS = ["network", "patterns", "units", "n_hidden", "synapses", "weights", "neurons",
                      "mean_activity", "capacity", "capacity_per_synapse", "capacity_per_neuron",
                      "n_draws", "seconds"]


def mnist_patterns(data_dir=None):
    """
    The 60,000 MNIST training images as +-1 patterns (pixel > 0.5: +1), as ``bioam hebbian``.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder of ``mnist.npz`` (default `bioam.datasets.data_directory`).

    Returns
    -------
    ndarray, shape (60000, 784)
    """
    from ..datasets import load_dataset

    images, _, _ = load_dataset("mnist", split="train", data_dir=data_dir)
    return np.where(images > 0.5, 1.0, -1.0)


def _check_kind(patterns):
    if patterns not in PATTERN_KINDS:
        raise BioamError(f"patterns must be one of {PATTERN_KINDS}, got {patterns!r} (sparse 0/1 "
                         "patterns are not given to the threshold network)")


def _check_pool(pool):
    pool = np.asarray(pool, dtype=np.float64)
    if pool.ndim != 2 or len(pool) < 1 or not np.all(np.isin(pool, (-1.0, 1.0))):
        raise BioamError("the MNIST pool must be a (n, D) array of +-1 values, as "
                         "mnist_patterns() returns")
    return pool


def draw_patterns(n_patterns, draw, units=None, seed=0, patterns="random", pool=None):
    """
    The patterns that draw ``draw`` of `threshold_network_capacity` stores at P = ``n_patterns``.

    Random: ``random_patterns(n_patterns, units, seed=[seed, draw, n_patterns])``.
    MNIST: the first ``n_patterns`` of a permutation of ``pool`` (default
    `mnist_patterns`) with seed ``[seed, draw]``, the images that
    `bioam.hebbian.capacity.capacity` stores for the same seed, draw and P.

    Returns
    -------
    ndarray, shape (n_patterns, D)
    """
    _check_kind(patterns)
    if patterns == "random":
        return random_patterns(n_patterns, units, seed=[seed, draw, n_patterns])
    pool = mnist_patterns() if pool is None else _check_pool(pool)
    if not 1 <= n_patterns <= len(pool):
        raise BioamError(f"n_patterns must be in [1, {len(pool)}], got {n_patterns!r}")
    order = np.random.default_rng([seed, draw]).permutation(len(pool))
    return pool[order[:n_patterns]]


def threshold_network_stores(patterns, n_hidden, seed=0, training=None, details=False):
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
    details : bool
        Return also the trained model and the final hidden states.

    Returns
    -------
    stored : ndarray of bool, shape (P,)
    model : TrainedModel
        Only with ``details``.
    hidden : ndarray, shape (P, N_h)
        The final hidden states of the recalls (0/1), only with ``details``.
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
    stored = fixed & np.all(np.sign(memory) == patterns, axis=1)
    logger.debug(f"threshold network, P = {len(patterns)}, D = {patterns.shape[1]}, N_h = "
                 f"{n_hidden}: final training loss {model.history[-1]['loss']:.3g}, "
                 f"{int(stored.sum())} stored")
    return (stored, model, hidden) if details else stored


def threshold_network_capacity(units=None, n_hidden=None, n_draws=5, seed=0, max_patterns=None,
                               training=None, patterns="random", pool=None):
    """
    The largest number of given +-1 patterns the trained threshold network stores.

    Parameters
    ----------
    units : int
        D, the visible neurons (random patterns). MNIST has D = 784: leave it out.
    n_hidden : int, optional
        Hidden neurons (default D / 2: as many synapses as the Hebbian network).
    n_draws : int
        Pattern sets (and trainings) per tested number; a number passes when
        a majority of them store every pattern.
    seed : int
    max_patterns : int, optional
        Upper end of the search (default 2 D, for MNIST at most the pool's size).
    training : dict, optional
    patterns : {'random', 'mnist'}
        Random +-1 patterns, or subsets of the binarised MNIST training images
        drawn as `bioam.hebbian.capacity.capacity` draws them (`draw_patterns`).
    pool : ndarray, shape (n, 784), optional
        The binarised images (default `mnist_patterns`); MNIST only.

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
    _check_kind(patterns)
    if patterns == "random":
        if pool is not None:
            raise BioamError("pool is the MNIST images; give it with patterns='mnist' only")
        if units is None:
            raise BioamError("random patterns need units (D)")
    else:
        pool = mnist_patterns() if pool is None else _check_pool(pool)
        if units is not None and units != pool.shape[1]:
            raise BioamError(f"MNIST patterns have D = {pool.shape[1]} units (28 x 28 pixels), "
                             f"got units = {units!r}; leave units out")
        units = pool.shape[1]
    units = int(units)
    n_hidden = units // 2 if n_hidden is None else int(n_hidden)
    if units < 2 or n_hidden < 1 or n_draws < 1:
        raise BioamError(f"need units >= 2, n_hidden >= 1, n_draws >= 1; got {units}, "
                         f"{n_hidden}, {n_draws}")
    max_patterns = 2 * units if max_patterns is None else int(max_patterns)
    if pool is not None:
        max_patterns = min(max_patterns, len(pool))
    needed = n_draws // 2 + 1
    tested = {}

    def passes(n_patterns):
        passed = run = 0
        for draw in range(n_draws):
            given = draw_patterns(n_patterns, draw, units, seed, patterns, pool)
            run += 1
            passed += bool(np.all(threshold_network_stores(given, n_hidden, seed=draw,
                                                           training=training)))
            if passed >= needed or passed + n_draws - run < needed:
                break
        tested[n_patterns] = (passed, run)
        logger.debug(f"threshold network, {patterns}, D = {units}, N_h = {n_hidden}: "
                     f"P = {n_patterns} passed {passed} of {run}")
        return passed >= needed

    largest, _ = largest_passing(passes, max_patterns)
    return largest, dict(sorted(tested.items()))


def comparison_table(units=(50, 100, 200), n_draws=5, seed=0, progress=None, patterns="random",
                     rules=PM1_RULES, hebbian_draws=21, training=None, pool=None):
    """
    Every +-1 Hebbian rule and the threshold network (N_h = D / 2) at every D.

    Parameters
    ----------
    units : sequence of int
        D (random patterns); MNIST has D = 784: give None (or ``[784]``).
    n_draws : int
        Trainings of the threshold network per tested number.
    seed : int
    progress : callable, optional
        Called with one line of text after every row.
    patterns : {'random', 'mnist'}
    rules : sequence of str
        Hebbian rules, of `PM1_RULES`.
    hebbian_draws : int
        Draws per tested number for the Hebbian rules.
    training : dict, optional
        Training of the threshold network (default `TRAINING`).
    pool : ndarray, optional
        The binarised MNIST images (default `mnist_patterns`).

    Returns
    -------
    list of dict
        Keys `COMPARISON_COLUMNS`; ``mean_activity`` is the known mean of the
        covariance rules (empty for the other networks).
    """
    from .capacity import capacity
    from .rules import get_rule

    _check_kind(patterns)
    unknown = [name for name in rules if name not in PM1_RULES]
    if unknown:
        raise BioamError(f"rule {unknown[0]!r} does not take +-1 patterns or is unknown; choose "
                         f"from {', '.join(PM1_RULES)}")
    if patterns == "mnist":
        if units is not None and list(units) != [MNIST_UNITS]:
            raise BioamError(f"MNIST patterns have D = {MNIST_UNITS} units (28 x 28 pixels), got "
                             f"units = {list(units)}; leave units out")
        pool = mnist_patterns() if pool is None else _check_pool(pool)
        units = [pool.shape[1]]
    elif pool is not None:
        raise BioamError("pool is the MNIST images; give it with patterns='mnist' only")
    elif units is None:
        raise BioamError("random patterns need units (the numbers D)")
    rows = []
    for size in units:
        for network in (*rules, "threshold_eq17"):
            started = time.perf_counter()
            mean_activity = ""
            if network != "threshold_eq17":
                if network in ("covariance", "presynaptic_covariance"):
                    # the known mean activity: 0 for random patterns, the images' mean pixel
                    mean_activity = 0.0 if pool is None else float(np.mean(pool))
                    rule = get_rule(network, mean_activity=mean_activity)
                else:
                    rule = get_rule(network)
                stored = capacity(rule, size, n_draws=hebbian_draws, seed=seed, pool=pool).capacity
                n_hidden, draws = 0, hebbian_draws
                synapses, weights, neurons = size * (size - 1), size * (size - 1) // 2, size
            else:
                n_hidden, draws = size // 2, n_draws
                stored, tested = threshold_network_capacity(
                    None if pool is not None else size, n_hidden, n_draws=n_draws, seed=seed,
                    training=training, patterns=patterns, pool=pool)
                logger.debug(f"threshold network, {patterns}, D = {size}: tested {tested}")
                synapses, weights, neurons = 2 * size * n_hidden, size * n_hidden, size + n_hidden
            seconds = time.perf_counter() - started
            rows.append({"network": network, "patterns": patterns, "units": size,
                         "n_hidden": n_hidden, "synapses": synapses, "weights": weights,
                         "neurons": neurons, "mean_activity": mean_activity, "capacity": stored,
                         "capacity_per_synapse": stored / synapses,
                         "capacity_per_neuron": stored / neurons, "n_draws": draws,
                         "seconds": round(seconds, 1)})
            if progress is not None:
                progress(f"{network}, {patterns}, D = {size}: capacity {stored} "
                         f"({seconds:.0f} s)")
    return rows
