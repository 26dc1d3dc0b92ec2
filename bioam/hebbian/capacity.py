"""
(delta, epsilon)-retrievability and capacity of Hebbian associative memories.

Paper 003, Definition 1.1.2 (after Bao et al. 2022): a set of stored
patterns is (delta, epsilon)-retrievable if for every pattern xi the recall T
of a delta-perturbed cue fails with probability below epsilon,
P(T(cue) != xi) < epsilon (003 Eq. 1); the capacity is the largest number of
patterns that are all retrievable.

* `retrievable` estimates the failure probability of every stored pattern
  from ``n_trials`` cues. A cue is the pattern with exactly round(delta D)
  distinct bits flipped (``flips='exact'``, Hamming distance delta D), or
  with every bit flipped with probability delta (``flips='bernoulli'``, the
  wording of Definition 1.1.2). T is the iterated synchronous dynamics of
  `bioam.hebbian.retrieval.iterate`; a recall succeeds when it ends in a
  fixed point equal to the pattern. The decision uses the estimate
  (failures / n_trials < epsilon, as 003 Eq. 1); the one-sided
  Clopper-Pearson upper bound on each failure probability at the stated
  confidence is reported as well (zero failures in n trials bound it by
  1 - (1 - confidence)^(1/n), about 3/n at 95 %), and ``confident`` says
  whether every bound is below epsilon. With delta D < 1/2 no bit is flipped
  and the dynamics are deterministic: one trial decides exactly.
* `capacity` draws random pattern sets and finds the largest number P that
  passes by bisection over P. Decision rule: a number P passes when at least
  ``min_passing_draws`` of ``n_draws`` independent draws pass (default a
  strict majority, so the result estimates the median capacity, the P at
  which a random set passes with probability 1/2). Draw d uses the first P
  patterns of one fixed pool per draw (common random numbers across P). A
  draw passes under ``criterion='exact'`` when its set is (delta,
  epsilon)-retrievable, and under ``criterion='bit_error'`` when the
  iterated dynamics started at the patterns (or at delta-perturbed cues)
  end with a mean fraction of wrong bits at most ``max_bit_error``: the
  criterion behind the classical 0.138 D (Amit, Gutfreund & Sompolinsky
  1985, whose retrieval state at the critical load has 1.5 % wrong bits).

Examples
--------
>>> from bioam.hebbian.rules import activity_product, offline_weights
>>> patterns = random_patterns(1, 64, seed=1)
>>> W = offline_weights(patterns, activity_product())
>>> retrievable(W, patterns, delta=0.25, epsilon=0.05, n_trials=10).retrievable
True
"""

import time
from dataclasses import dataclass, field

import numpy as np
from brian2.utils.logger import get_logger

from ..validation import BioamError
from .retrieval import (_check_max_steps, _check_threshold, _iterate, _stepper,
                        check_square_weights)
from .rules import HebbianRule, check_patterns, get_rule, offline_weights

__all__ = ["Retrievability", "CapacityResult", "random_patterns", "perturb", "retrievable",
           "capacity", "MAX_UNITS"]

logger = get_logger(__name__)

#: Largest network `capacity` accepts (a D x D float64 matrix of 3.2 GB).
MAX_UNITS = 20000

#: Cue elements processed at once (32 MB of float64).
_CHUNK_ELEMENTS = 2**22

_PATTERN_KINDS = ("random", "sparse")
_CRITERIA = ("exact", "bit_error")
_FLIPS = ("exact", "bernoulli")


def _check_probability(name, value, low_open, high_open, low=0.0, high=1.0, hint=""):
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool) \
        and np.isfinite(value) and (low < value if low_open else low <= value) \
        and (value < high if high_open else value <= high)
    if not ok:
        interval = ("(" if low_open else "[") + f"{low:g}, {high:g}" + (")" if high_open else "]")
        raise BioamError(f"{name} must be a number in {interval}, got {value!r}{hint}")
    return float(value)


def _check_delta(delta):
    return _check_probability("delta", delta, False, True, high=0.5,
                              hint=" (the fraction of cue bits flipped, below 1/2)")


def _check_epsilon(epsilon):
    return _check_probability("epsilon", epsilon, True, True,
                              hint=" (the allowed probability of a failed recall)")


def _check_count(name, value, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise BioamError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _active_units(units, activity):
    activity = _check_probability("activity", activity, True, True,
                                  hint=" (fraction of active units of sparse patterns)")
    active = int(round(activity * units))
    if not 1 <= active < units:
        raise BioamError(f"activity {activity:g} gives {active} active units of {units}; choose "
                         "an activity with at least one active and one silent unit")
    return active


def random_patterns(n_patterns, units, patterns="random", activity=0.1, seed=0):
    """
    Random patterns: +-1 with probability 1/2 each (``'random'``), or 0/1 with
    exactly round(activity * units) active units each (``'sparse'``).

    Parameters
    ----------
    n_patterns, units : int
    patterns : {'random', 'sparse'}
    activity : float
        Fraction of active units of sparse patterns.
    seed : int or sequence of int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    ndarray, shape (n_patterns, units)

    Examples
    --------
    >>> random_patterns(2, 10, 'sparse', activity=0.3, seed=0).sum(axis=1)
    array([3., 3.])
    """
    n_patterns = _check_count("n_patterns", n_patterns)
    units = _check_count("units", units, 2)
    if patterns not in _PATTERN_KINDS:
        raise BioamError(f"patterns must be one of {_PATTERN_KINDS}, got {patterns!r}")
    rng = np.random.default_rng(seed)
    if patterns == "random":
        return 2.0 * rng.integers(0, 2, size=(n_patterns, units)) - 1.0
    active = _active_units(units, activity)
    chosen = np.argpartition(rng.random((n_patterns, units)), active - 1, axis=1)[:, :active]
    result = np.zeros((n_patterns, units))
    np.put_along_axis(result, chosen, 1.0, axis=1)
    return result


def _flip(values, kind):
    return -values if kind == "bipolar" else 1.0 - values


def _perturb(X, kind, delta, n_trials, rng, flips):
    """Cues of shape (n_trials, P, D) (no validation)."""
    shape = (n_trials,) + X.shape
    cues = np.broadcast_to(X, shape).copy()
    if flips == "bernoulli":
        mask = rng.random(shape) < delta
    else:
        n_flip = int(round(delta * X.shape[1]))
        mask = np.zeros(shape, dtype=bool)
        if n_flip:
            chosen = np.argpartition(rng.random(shape), n_flip - 1, axis=2)[..., :n_flip]
            np.put_along_axis(mask, chosen, True, axis=2)
    cues[mask] = _flip(cues[mask], kind)
    return cues


def perturb(patterns, delta, n_trials=1, seed=0, flips="exact"):
    """
    delta-perturbed cues of every pattern (003, Definition 1.1.2).

    Parameters
    ----------
    patterns : array-like, shape (P, D), +-1 or 0/1
    delta : float in [0, 0.5)
    n_trials : int
        Cues per pattern.
    seed : int or sequence of int
    flips : {'exact', 'bernoulli'}
        ``'exact'``: round(delta D) distinct bits flipped (Hamming distance
        delta D); ``'bernoulli'``: every bit flipped with probability delta.
        A flip maps x to -x (+-1) or to 1 - x (0/1).

    Returns
    -------
    ndarray, shape (n_trials, P, D)

    Examples
    --------
    >>> pattern = np.array([[1, -1] * 10])
    >>> cues = perturb(pattern, delta=0.1, n_trials=3, seed=0)
    >>> (cues != pattern).sum(axis=2).ravel()
    array([2, 2, 2])
    """
    X, kind = check_patterns(patterns)
    delta = _check_delta(delta)
    n_trials = _check_count("n_trials", n_trials)
    if flips not in _FLIPS:
        raise BioamError(f"flips must be one of {_FLIPS}, got {flips!r}")
    return _perturb(X, kind, delta, n_trials, np.random.default_rng(seed), flips)


@dataclass(frozen=True)
class Retrievability:
    """
    The outcome of `retrievable`.

    Attributes
    ----------
    retrievable : bool
        Every pattern's estimated failure probability is below epsilon (003 Eq. 1).
    failure_fraction : ndarray, shape (P,)
        Failed recalls / trials, per pattern.
    upper_bound : ndarray, shape (P,)
        One-sided Clopper-Pearson upper bound on each failure probability at
        ``confidence`` (exact when the recall is deterministic).
    confident : bool
        Every upper bound is below epsilon.
    n_trials : int
        Trials per pattern actually run (1 when no bit is flipped).
    delta, epsilon, confidence : float
    flipped_bits : int or None
        Bits flipped per cue (None for Bernoulli flips).
    """

    retrievable: bool
    failure_fraction: np.ndarray
    upper_bound: np.ndarray
    confident: bool
    n_trials: int
    delta: float
    epsilon: float
    confidence: float
    flipped_bits: int | None


def _default_update(kind, X, update, k):
    """The update a pattern kind calls for, and its k for k-winners."""
    if update is None:
        update = "sign" if kind == "bipolar" else "k_winners"
    if update == "sign" and kind != "bipolar":
        raise BioamError("update='sign' needs +-1 patterns; use 'k_winners' or 'threshold' for "
                         "0/1 patterns")
    if update != "sign" and kind == "bipolar":
        raise BioamError(f"update={update!r} needs 0/1 patterns; use 'sign' for +-1 patterns")
    if update == "k_winners" and k is None:
        active = np.unique(X.sum(axis=1))
        if active.size != 1:
            raise BioamError("the patterns differ in their number of active units; give k "
                             "(the number of winners) for update='k_winners'")
        k = int(active[0])
    return update, k


def _upper_bound(failures, trials, confidence):
    from scipy.stats import beta  # here: scipy.stats takes a second to import (the CLI's start)

    # one-sided Clopper-Pearson: the p with P(Binomial(n, p) <= failures) = 1 - confidence
    bound = beta.ppf(confidence, failures + 1, np.maximum(trials - failures, 1))
    return np.where(failures >= trials, 1.0, bound)


def retrievable(W, patterns, delta, epsilon, n_trials=20, seed=0, bias=None, update=None,
                threshold="active", k=None, hypercolumn_size=None, max_steps=100,
                flips="exact", confidence=0.95):
    """
    Whether every stored pattern is (delta, epsilon)-retrievable (003, Def. 1.1.2).

    For every pattern, ``n_trials`` delta-perturbed cues are recalled by the
    iterated synchronous dynamics (`bioam.hebbian.retrieval.iterate`); a
    recall succeeds when it ends in a fixed point equal to the pattern. The
    set is retrievable when every pattern's failure fraction is below
    epsilon; see the module docstring for the confidence statement.

    Parameters
    ----------
    W : array-like, shape (D, D)
    patterns : array-like, shape (P, D)
        The stored patterns, +-1 or 0/1.
    delta : float in [0, 0.5)
    epsilon : float in (0, 1)
    n_trials : int
        Cues per pattern (one when no bit is flipped: the recall is deterministic).
    seed : int or sequence of int
    bias : float or array-like, optional
    update : {'sign', 'threshold', 'k_winners', 'hypercolumn'}, optional
        Default: 'sign' for +-1 patterns, 'k_winners' with k = the patterns'
        number of active units for 0/1 patterns.
    threshold, k, hypercolumn_size
        Parameters of the update (see `bioam.hebbian.retrieval.iterate`).
    max_steps : int
    flips : {'exact', 'bernoulli'}
        How cues are perturbed (see `perturb`).
    confidence : float in (0, 1)
        Level of the reported upper bounds.

    Returns
    -------
    Retrievability

    Examples
    --------
    >>> from bioam.hebbian.rules import activity_product, offline_weights
    >>> patterns = random_patterns(40, 40, seed=0)
    >>> W = offline_weights(patterns, activity_product())
    >>> result = retrievable(W, patterns, delta=0.0, epsilon=0.05)
    >>> result.retrievable, result.n_trials
    (False, 1)
    """
    W = check_square_weights(W)
    X, kind = check_patterns(patterns)
    if X.shape[1] != W.shape[0]:
        raise BioamError(f"patterns have {X.shape[1]} units but W is {W.shape}; store and "
                         "recall with the same network")
    delta = _check_delta(delta)
    epsilon = _check_epsilon(epsilon)
    n_trials = _check_count("n_trials", n_trials)
    confidence = _check_probability("confidence", confidence, True, True)
    max_steps = _check_max_steps(max_steps)
    if flips not in _FLIPS:
        raise BioamError(f"flips must be one of {_FLIPS}, got {flips!r}")
    update, k = _default_update(kind, X, update, k)
    step, _ = _stepper(W, update, bias, threshold, k, hypercolumn_size)
    n_patterns, units = X.shape
    flipped_bits = int(round(delta * units)) if flips == "exact" else None
    deterministic = delta == 0 or flipped_bits == 0
    trials = 1 if deterministic else n_trials
    rng = np.random.default_rng(seed)
    failures = np.zeros(n_patterns, dtype=int)
    if deterministic:
        # cue = pattern: the dynamics end in the fixed point xi iff xi is a
        # fixed point (a state that leaves xi can never settle in xi)
        failures += ~np.all(step(X) == X, axis=1)
        trials = 0
    chunk = max(1, _CHUNK_ELEMENTS // (n_patterns * units))
    for start in range(0, trials, chunk):
        count = min(chunk, trials - start)
        cues = _perturb(X, kind, delta, count, rng, flips)
        result = _iterate(step, cues.reshape(-1, units), max_steps)
        state = result.state.reshape(count, n_patterns, units)
        success = result.fixed_point.reshape(count, n_patterns) & np.all(state == X, axis=2)
        failures += (~success).sum(axis=0)
    if deterministic:
        fraction = failures.astype(float)
        upper = fraction.copy()
        trials = 1
    else:
        fraction = failures / trials
        upper = _upper_bound(failures, trials, confidence)
    return Retrievability(bool(np.all(fraction < epsilon)), fraction, upper,
                          bool(np.all(upper < epsilon)), trials, delta, epsilon, confidence,
                          flipped_bits)


def largest_passing(passes, max_patterns):
    """
    The largest P in [1, max_patterns] with ``passes(P)``, for a ``passes`` that holds up to a point.

    An exponential search (1, 2, 4, ...) finds the first failing number, then
    bisection the boundary; ``passes`` is called O(log P) times.

    Returns
    -------
    largest : int
        0 when even one pattern fails.
    capped : bool
        Even ``max_patterns`` passed.

    Examples
    --------
    >>> largest_passing(lambda n: n <= 37, 100)
    (37, False)
    """
    low, high, capped = 0, None, False
    while high is None:
        probe = min(2 * low if low else 1, max_patterns)
        if passes(probe):
            low = probe
            capped = probe == max_patterns
            if capped:
                high = probe
        else:
            high = probe
    while high - low > 1:
        middle = (low + high) // 2
        if passes(middle):
            low = middle
        else:
            high = middle
    return low, capped


@dataclass(frozen=True)
class CapacityResult:
    """
    The outcome of `capacity`.

    Attributes
    ----------
    capacity : int
        The largest number of patterns that passed (a lower bound when ``capped``).
    capped : bool
        Even ``max_patterns`` passed; search a larger range.
    tested : dict
        Number of patterns -> (draws that passed, draws run).
    settings : dict
        Every setting of the search, the decision rule included.
    seconds : float
    """

    capacity: int
    capped: bool
    tested: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    seconds: float = 0.0


def _resolve_rule(rule, patterns, activity):
    if isinstance(rule, HebbianRule):
        return rule
    if not isinstance(rule, str):
        raise BioamError(f"rule must be a HebbianRule or a preset name, got {rule!r}")
    if rule in ("covariance", "presynaptic_covariance"):
        return get_rule(rule, mean_activity=0.0 if patterns == "random" else activity)
    return get_rule(rule)


def capacity(rule, units, delta=0.0, epsilon=0.05, patterns="random", criterion="exact",
             max_bit_error=0.015, n_draws=5, seed=0, activity=0.1, n_trials=10,
             max_patterns=None, min_passing_draws=None, update=None, threshold="active",
             max_steps=100, flips="exact", max_memory_gib=4.0, pool=None):
    """
    The largest number of random patterns a rule stores, by bisection.

    Parameters
    ----------
    rule : HebbianRule or str
        A rule, or a preset name of `bioam.hebbian.rules.RULES` (the
        covariance rules then use the known mean activity: 0 for random
        +-1 patterns, ``activity`` for sparse ones).
    units : int
        D, at most 20000.
    delta : float in [0, 0.5)
        Fraction of cue bits flipped (0: recall from the pattern itself).
    epsilon : float in (0, 1)
        Allowed failure probability per pattern (``criterion='exact'``).
    patterns : {'random', 'sparse'}
        +-1 patterns, or 0/1 patterns with round(activity D) active units.
    criterion : {'exact', 'bit_error'}
        ``'exact'``: a draw passes when its set is (delta, epsilon)-retrievable
        (`retrievable`). ``'bit_error'``: when the mean fraction of wrong bits
        after the iterated dynamics is at most ``max_bit_error``.
    max_bit_error : float in (0, 0.5)
    n_draws : int
        Random pattern sets per tested number.
    seed : int
    activity : float
        Fraction of active units of sparse patterns.
    n_trials : int
        Cues per pattern when bits are flipped.
    max_patterns : int, optional
        Upper end of the search (default 2 D).
    min_passing_draws : int, optional
        A number passes when at least this many draws pass (default a strict
        majority, n_draws // 2 + 1).
    update : str, optional
        Retrieval update (default: 'sign' for random, 'k_winners' with k =
        round(activity D) for sparse).
    threshold : float or 'active'
        Threshold of ``update='threshold'`` (see `bioam.hebbian.retrieval.threshold_update`).
    max_steps : int
    flips : {'exact', 'bernoulli'}
    max_memory_gib : float
        Refuse settings whose estimated memory exceeds this.
    pool : array-like, shape (n, units), optional
        Given patterns instead of random ones (for example binarised images, a
        correlated set): +-1 values with ``patterns='random'``, 0/1 values with
        ``patterns='sparse'``. Draw d stores the first P of a random
        permutation of the pool (seed ``[seed, draw]``); ``max_patterns`` is at
        most the pool's size.

    Returns
    -------
    CapacityResult

    Examples
    --------
    >>> result = capacity('hebb', 32, n_draws=3, seed=0)
    >>> result.capacity, result.settings['decision']
    (5, 'P passes when at least 2 of 3 draws pass')
    >>> result.tested[6]    # (draws passed, draws run): decided after 3 draws
    (1, 3)
    """
    started = time.perf_counter()
    if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or units < 2:
        raise BioamError(f"units must be an integer >= 2, got {units!r}")
    if units > MAX_UNITS:
        raise BioamError(f"units = {units} is too large: at most {MAX_UNITS} (the weight matrix "
                         "alone needs 8 D^2 bytes)")
    units = int(units)
    if patterns not in _PATTERN_KINDS:
        raise BioamError(f"patterns must be one of {_PATTERN_KINDS}, got {patterns!r}")
    if criterion not in _CRITERIA:
        raise BioamError(f"criterion must be one of {_CRITERIA}, got {criterion!r}")
    delta = _check_delta(delta)
    epsilon = _check_epsilon(epsilon)
    max_bit_error = _check_probability("max_bit_error", max_bit_error, True, True, high=0.5)
    n_draws = _check_count("n_draws", n_draws)
    n_trials = _check_count("n_trials", n_trials)
    max_steps = _check_max_steps(max_steps)
    if flips not in _FLIPS:
        raise BioamError(f"flips must be one of {_FLIPS}, got {flips!r}")
    if pool is not None:
        pool, kind = check_patterns(pool, "pool")
        if pool.shape[1] != units:
            raise BioamError(f"the pool's patterns have {pool.shape[1]} units, not units = "
                             f"{units}; give units = {pool.shape[1]}")
        if kind != ("bipolar" if patterns == "random" else "binary"):
            raise BioamError(f"a pool of {kind} patterns does not fit patterns={patterns!r}; use "
                             f"patterns={'random' if kind == 'bipolar' else 'sparse'!r}")
        if patterns == "sparse":  # k-winners with the pool's mean number of active units
            activity = float(pool.sum(axis=1).mean() / units)
    if patterns == "sparse":
        k_active = _active_units(units, activity)
    max_patterns = 2 * units if max_patterns is None else _check_count("max_patterns",
                                                                       max_patterns)
    if pool is not None:
        max_patterns = min(max_patterns, len(pool))
    min_passing_draws = n_draws // 2 + 1 if min_passing_draws is None else min_passing_draws
    if isinstance(min_passing_draws, bool) or not isinstance(min_passing_draws, (int, np.integer)) \
            or not 1 <= min_passing_draws <= n_draws:
        raise BioamError(f"min_passing_draws must be an integer in [1, n_draws = {n_draws}], got "
                         f"{min_passing_draws!r}")
    rule = _resolve_rule(rule, patterns, activity)
    if patterns == "random" and (rule.kind == "bcpnn" or rule.upper_bound is not None):
        raise BioamError(f"rule {rule.name!r} needs 0/1 patterns; use patterns='sparse'")
    if update is None:
        update = "sign" if patterns == "random" else "k_winners"
    if update not in ("sign", "threshold", "k_winners", "hypercolumn"):
        raise BioamError(f"update must be 'sign', 'threshold' or 'k_winners', got {update!r}")
    if (update == "sign") != (patterns == "random"):
        raise BioamError(f"update={update!r} does not fit {patterns} patterns; use 'sign' for "
                         "random +-1 patterns and 'k_winners' or 'threshold' for sparse ones")
    if update == "threshold":
        _check_threshold(threshold, units)
    if update == "hypercolumn":
        raise BioamError("capacity draws non-modular patterns; use 'k_winners' or 'threshold' "
                         "(hypercolumn recall: call retrievable on modular patterns)")
    trials = 1 if delta == 0 or (flips == "exact" and round(delta * units) == 0) else n_trials
    cue_elements = min(_CHUNK_ELEMENTS, trials * max_patterns * units)
    memory = 8 * (3 * units**2 + 2 * max_patterns * units + 6 * cue_elements)
    if memory > max_memory_gib * 2**30:
        raise BioamError(f"the estimated memory of {memory / 2**30:.1f} GiB exceeds "
                         f"max_memory_gib = {max_memory_gib:g}; lower units or max_patterns")

    k = k_active if update == "k_winners" else None
    tested = {}

    def draw_patterns(n_patterns, draw):
        if pool is None:
            return random_patterns(max_patterns, units, patterns, activity,
                                   seed=[seed, draw])[:n_patterns]
        order = np.random.default_rng([seed, draw]).permutation(len(pool))[:max_patterns]
        return pool[order[:n_patterns]]

    def draw_passes(n_patterns, draw):
        X = draw_patterns(n_patterns, draw)
        W, bias = offline_weights(X, rule, return_bias=True)
        if criterion == "exact":
            return retrievable(W, X, delta, epsilon, n_trials=trials,
                               seed=[seed, draw, n_patterns], bias=bias, update=update,
                               threshold=threshold, k=k, max_steps=max_steps,
                               flips=flips).retrievable
        step, _ = _stepper(W, update, bias, threshold, k, None)
        kind = "bipolar" if patterns == "random" else "binary"
        cues = _perturb(X, kind, delta, trials, np.random.default_rng([seed, draw, n_patterns]),
                        flips)
        result = _iterate(step, cues.reshape(-1, units), max_steps)
        wrong = np.mean(result.state.reshape(cues.shape) != X)
        return wrong <= max_bit_error

    def passes(n_patterns):
        passed = run = 0
        for draw in range(n_draws):
            run += 1
            passed += bool(draw_passes(n_patterns, draw))
            if passed >= min_passing_draws or passed + n_draws - run < min_passing_draws:
                break
        tested[n_patterns] = (passed, run)
        logger.debug(f"{rule.name}, D = {units}: P = {n_patterns} passed {passed} of {run} draws")
        return passed >= min_passing_draws

    low, capped = largest_passing(passes, max_patterns)
    settings = dict(rule=rule.name, units=units, delta=delta, epsilon=epsilon, patterns=patterns,
                    pool=None if pool is None else f"{len(pool)} given patterns",
                    activity=activity if patterns == "sparse" else None, criterion=criterion,
                    max_bit_error=max_bit_error if criterion == "bit_error" else None,
                    n_draws=n_draws, n_trials=trials, seed=seed, max_patterns=max_patterns,
                    update=update, k=k,
                    threshold=threshold if update == "threshold" else None,
                    max_steps=max_steps, flips=flips,
                    decision=f"P passes when at least {min_passing_draws} of {n_draws} draws pass")
    return CapacityResult(low, capped, dict(sorted(tested.items())), settings,
                          time.perf_counter() - started)
