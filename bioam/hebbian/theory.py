r"""
Signal-to-noise capacity of Hebbian auto-associative networks (the approach of paper 004).

Setting. P patterns xi^1 .. xi^P with independent units, each taking value
x with probability p(x) (+-1 with 1/2 each: ``'random'``; 0/1 with
P(1) = a: ``'sparse'``). The weights are the sum over patterns of the
expanded rule (004, Def. 2), with i postsynaptic and j presynaptic,

    W_ij = sum_mu f(xi_i^mu, xi_j^mu),
    f(u, w) = c0 + c1_pre w + c1_post u + c2_pre w^2 + c2_post u^2 + c2_corr u w,

and W_ii = 0. A stored pattern xi^1 is stable when every unit's field
h_i = sum_{j != i} W_ij xi_j^1 lies on the right side of the threshold.

Field of a unit in a stored pattern. Fix unit i, its value y = xi_i^1 and
its values in the other patterns u_mu = xi_i^mu (mu >= 2). Then
h_i = sum_{j != i} T_j with

    T_j = xi_j^1 [ f(y, xi_j^1) + sum_{mu >= 2} f(u_mu, xi_j^mu) ],

and given (y, u) the D - 1 terms T_j are independent and identically
distributed. With the moments of one unit, m = E x, s = E x^2, v = s - m^2,
and of the rule,

    A = f(y, x),  a(y) = E[x A],  mu_f = E f(u, w),
    phi(u) = E_w f(u, w),  psi(u) = Var_w f(u, w),

the law of total variance gives exactly (for independent units)::

    E[h | y]   = (D - 1) [ a(y) + m (P - 1) mu_f ],
    Var[h | y] = (D - 1) [ E(x^2 A^2) - a(y)^2 + 2 (E(x^2 A) - m a(y)) (P - 1) mu_f
                           + s (P - 1) E psi + v ((P - 1) Var phi + (P - 1)^2 mu_f^2) ]
                 + (D - 1)^2 m^2 (P - 1) Var phi.

The first bracket holds the signal (a(y): the pattern's own contribution)
and the crosstalk of the other P - 1 patterns; the last term is the
crosstalk common to all terms of one unit through u. `field_statistics`
evaluates these by summing over the values of x.

Error probabilities and capacity. Treating the field as Gaussian, a unit
with value y errs with probability Phi((theta - E h)/sd h) (y the larger
value: h falls below the threshold theta) or Phi((E h - theta)/sd h) (y the
smaller value: h reaches theta); theta = 0 for +-1 units (`sign_update`),
and for 0/1 units by default the theta minimising the mean bit error. The
mean bit error q = sum_y p(y) err(y) gives the ``'bit_error'`` estimate
(largest P with q <= max_bit_error, after one update from the pattern);
treating the D P bits of the stored set as independent,

    P(no bit flips) = prod_y (1 - err(y))^(D P p(y)),

gives the ``'exact'`` estimate (largest P with P(no flips) >= 1 - epsilon).

Activity product rule. For +-1 patterns and f = u w the general result is
E h = (D - 1) y and Var h = (D - 1)(P - 1): the classical signal 1 and
Gaussian crosstalk of variance (P - 1)/D per unit (with D for D - 1; Hertz,
Krogh & Palmer 1991). `hebb_exact_retrieval_capacity` is the
largest P with (1 - Phi(-sqrt(D / (P - 1))))^(D P) >= 1 - epsilon. With
epsilon = 1/2 (half of the random pattern sets have every pattern as a
fixed point; the median that `bioam.hebbian.capacity.capacity` measures
with its majority rule) it gives 10, 17, 28 and 57 patterns at D = 100,
200, 400 and 1000; simulations give 10-11, 17-18, 28-29 and 56-59: the bit
flips are positively correlated (they share the pattern overlaps), so the
independent-bit product slightly underestimates P(no flips). The exact
moments above give (P - 1)/(D - 1) for the crosstalk variance, so
`snr_capacity` is one pattern lower in places (16 at D = 200). Asymptotically
the capacity for exact retrieval of all patterns is D / (4 ln D) (McEliece,
Posner, Rodemich & Venkatesh 1987), approached slowly from above; with a
small fraction of wrong bits allowed after the iterated dynamics the
critical load is 0.138 D (Amit, Gutfreund & Sompolinsky 1985), where the
retrieval state has about 1.5 % wrong bits; the one-update estimate of this
module (``criterion='bit_error'``) is larger (0.21 D at 1.5 %) because it
ignores how errors feed back through the iterations.

Sparse patterns. The moments are exact for independent units, but the
Gaussian, independent-bit step needs a D >> 1: the signal of an active unit
grows with the number of active units of its pattern, which fluctuates
from pattern to pattern and is shared by all its units, so the errors are
neither Gaussian nor independent. For the covariance rule at D = 200,
a = 0.05 and P = 12 (Bernoulli patterns, the best fixed threshold) the
estimate of P(no flips) is 0.55 where simulation gives 0.07. Recall by
k winners (as `bioam.hebbian.capacity.capacity` does for sparse patterns)
does not see that fluctuation and stores many more patterns; the estimate
here is for a fixed threshold.

Examples
--------
>>> hebb_exact_retrieval_capacity(1000)
57
>>> critical_capacity(1000)
138.0
"""

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from ..validation import BioamError
from .capacity import largest_passing
from .rules import HebbianRule, get_rule

__all__ = ["FieldStatistics", "pattern_distribution", "field_statistics",
           "bit_error_probability", "no_flip_probability", "snr_capacity",
           "hebb_no_flip_probability", "hebb_exact_retrieval_capacity", "mceliece_capacity",
           "critical_capacity"]

_PATTERN_KINDS = ("random", "sparse")
_CRITERIA = ("exact", "bit_error")


def _check_units(units):
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 2:
        raise BioamError(f"units must be an integer >= 2, got {units!r}")
    return int(units)


def _check_n_patterns(n_patterns):
    array = np.asarray(n_patterns)
    if not np.issubdtype(array.dtype, np.integer) or np.any(array < 1):
        raise BioamError(f"n_patterns must be integers >= 1, got {n_patterns!r}")
    return array.astype(float)


def _check_epsilon(epsilon):
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.number)) \
            or not 0 < epsilon < 1:
        raise BioamError(f"epsilon must be a number in (0, 1) (the allowed probability that "
                         f"some bit flips), got {epsilon!r}")
    return float(epsilon)


def pattern_distribution(patterns="random", activity=0.1):
    """
    The values of one unit and their probabilities.

    Examples
    --------
    >>> pattern_distribution('sparse', 0.25)
    (array([0., 1.]), array([0.75, 0.25]))
    """
    if patterns == "random":
        return np.array([-1.0, 1.0]), np.array([0.5, 0.5])
    if patterns == "sparse":
        if isinstance(activity, bool) or not isinstance(activity, (int, float, np.number)) \
                or not 0 < activity < 1:
            raise BioamError(f"activity must be in (0, 1), got {activity!r}")
        return np.array([0.0, 1.0]), np.array([1.0 - activity, float(activity)])
    raise BioamError(f"patterns must be one of {_PATTERN_KINDS}, got {patterns!r}")


def _linear_rule(rule, patterns, activity):
    if isinstance(rule, str):
        if rule in ("covariance", "presynaptic_covariance"):
            rule = get_rule(rule, mean_activity=0.0 if patterns == "random" else activity)
        else:
            rule = get_rule(rule)
    if not isinstance(rule, HebbianRule):
        raise BioamError(f"rule must be a HebbianRule or a preset name, got {rule!r}")
    if rule.kind != "linear" or rule.upper_bound is not None:
        raise BioamError(f"the signal-to-noise theory covers the linear expanded rule without a "
                         f"bound; rule {rule.name!r} is not one (measure it with capacity())")
    return rule


@dataclass(frozen=True)
class FieldStatistics:
    """
    Mean and standard deviation of a unit's field in a stored pattern.

    Attributes
    ----------
    values, probabilities : ndarray, shape (V,)
        The unit's own value y and its probability.
    mean, std : ndarray, shape (V,) + shape of n_patterns
    """

    values: np.ndarray
    probabilities: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def field_statistics(rule, units, n_patterns, patterns="random", activity=0.1):
    """
    E[h | y] and sd[h | y] of a unit's field in a stored pattern (module docstring).

    Parameters
    ----------
    rule : HebbianRule or str
        A linear rule without bound (str: a preset, covariance rules with the
        pattern's mean activity).
    units : int
    n_patterns : int or array of int
    patterns : {'random', 'sparse'}
    activity : float

    Returns
    -------
    FieldStatistics

    Examples
    --------
    >>> stats = field_statistics('hebb', 101, 26)
    >>> stats.mean, stats.std     # (D - 1) y and sqrt((D - 1)(P - 1))
    (array([-100.,  100.]), array([50., 50.]))
    """
    units = _check_units(units)
    P = _check_n_patterns(n_patterns)
    values, probabilities = pattern_distribution(patterns, activity)
    rule = _linear_rule(rule, patterns, activity)

    def expect(array):
        return np.sum(probabilities * array, axis=-1)

    x = values
    m, s = expect(x), expect(x**2)
    f = rule.increment(x[:, None], x[None, :])          # f[u, w]
    mu_f = expect(expect(f))
    phi = expect(f)                                      # phi(u)
    psi = expect(f**2) - phi**2                          # psi(u)
    var_phi = expect(phi**2) - expect(phi)**2
    mean_psi = expect(psi)
    A = f                                                # A[y, x] = f(y, x)
    a = expect(x * A)
    x2A = expect(x**2 * A)
    x2A2 = expect(x**2 * A**2)
    n = units - 1.0
    others = P - 1.0
    mean = n * (a[:, None] + m * others * mu_f)
    variance = (n * (x2A2[:, None] - a[:, None]**2
                     + 2 * (x2A[:, None] - m * a[:, None]) * others * mu_f
                     + s * others * mean_psi
                     + (s - m**2) * (others * var_phi + others**2 * mu_f**2))
                + n**2 * m**2 * others * var_phi)
    shape = (len(values),) + np.shape(n_patterns)
    return FieldStatistics(values, probabilities, mean.reshape(shape),
                           np.sqrt(np.maximum(variance, 0.0)).reshape(shape))


def _errors(mean_low, sd_low, mean_high, sd_high, theta):
    """Error probability of a unit with the smaller and with the larger value."""
    with np.errstate(divide="ignore", invalid="ignore"):
        high = np.where(sd_high > 0, ndtr((theta - mean_high) / sd_high), mean_high < theta)
        low = np.where(sd_low > 0, ndtr((mean_low - theta) / sd_low), mean_low > theta)
    return low.astype(float), high.astype(float)


def _best_threshold(mean_low, sd_low, mean_high, sd_high, p_low, p_high):
    if mean_high <= mean_low:
        return 0.5 * (mean_low + mean_high)

    def mean_error(theta):
        low, high = _errors(mean_low, sd_low, mean_high, sd_high, theta)
        return p_low * low + p_high * high

    from scipy.optimize import minimize_scalar  # here: keeps the CLI's start fast

    return minimize_scalar(mean_error, bounds=(mean_low, mean_high), method="bounded",
                           options={"xatol": 1e-9 * (mean_high - mean_low)}).x


def _unit_errors(rule, units, n_patterns, patterns, activity, threshold):
    stats = field_statistics(rule, units, n_patterns, patterns, activity)
    p_low, p_high = stats.probabilities
    means = stats.mean.reshape(2, -1)
    sds = stats.std.reshape(2, -1)
    low = np.empty(means.shape[1])
    high = np.empty(means.shape[1])
    for index in range(means.shape[1]):
        if threshold is not None:
            theta = threshold
        elif patterns == "random":
            theta = 0.0
        else:
            theta = _best_threshold(means[0, index], sds[0, index], means[1, index],
                                    sds[1, index], p_low, p_high)
        low[index], high[index] = _errors(means[0, index], sds[0, index], means[1, index],
                                          sds[1, index], theta)
    shape = np.shape(n_patterns)
    return low.reshape(shape), high.reshape(shape), p_low, p_high


def bit_error_probability(rule, units, n_patterns, patterns="random", activity=0.1,
                          threshold=None):
    """
    Mean probability that one update from a stored pattern flips a bit (Gaussian field).

    Parameters
    ----------
    threshold : float, optional
        The field threshold; default 0 for random +-1 patterns, the value
        minimising the mean bit error for sparse 0/1 patterns.

    Examples
    --------
    >>> round(float(bit_error_probability('hebb', 101, 26)), 5)    # Phi(-2)
    0.02275
    """
    low, high, p_low, p_high = _unit_errors(rule, units, n_patterns, patterns, activity, threshold)
    return p_low * low + p_high * high


def no_flip_probability(rule, units, n_patterns, patterns="random", activity=0.1,
                        threshold=None):
    """
    P(no bit of the D P stored bits flips) = prod_y (1 - err(y))^(D P p(y)), bits independent.

    Examples
    --------
    >>> bool(no_flip_probability('hebb', 100, 5) > 0.9)
    True
    """
    low, high, p_low, p_high = _unit_errors(rule, units, n_patterns, patterns, activity, threshold)
    bits = units * np.asarray(n_patterns, dtype=float)
    with np.errstate(divide="ignore"):
        log_probability = bits * (p_low * np.log1p(-low) + p_high * np.log1p(-high))
    return np.exp(log_probability)


def snr_capacity(rule, units, criterion="exact", epsilon=0.5, max_bit_error=0.015,
                 patterns="random", activity=0.1, threshold=None, max_patterns=None):
    """
    The signal-to-noise capacity estimate of the expanded rule.

    Parameters
    ----------
    rule : HebbianRule or str
    units : int
    criterion : {'exact', 'bit_error'}
        ``'exact'``: largest P with `no_flip_probability` >= 1 - epsilon.
        ``'bit_error'``: largest P with `bit_error_probability` <= max_bit_error
        (one update from the pattern).
    epsilon : float in (0, 1)
        1/2 matches the majority decision rule of `bioam.hebbian.capacity.capacity`.
    max_bit_error : float
    patterns, activity, threshold
        As in `bit_error_probability`.
    max_patterns : int, optional
        Upper end of the search (default 100 D); returned when even it passes.

    Returns
    -------
    int

    Examples
    --------
    >>> snr_capacity('hebb', 1000), snr_capacity('hebb', 1000, 'bit_error')
    (57, 213)
    """
    units = _check_units(units)
    epsilon = _check_epsilon(epsilon)
    if criterion not in _CRITERIA:
        raise BioamError(f"criterion must be one of {_CRITERIA}, got {criterion!r}")
    if isinstance(max_bit_error, bool) or not 0 < max_bit_error < 0.5:
        raise BioamError(f"max_bit_error must be in (0, 0.5), got {max_bit_error!r}")
    rule = _linear_rule(rule, patterns, activity)
    max_patterns = 100 * units if max_patterns is None else int(max_patterns)
    if criterion == "exact":
        def passes(n):
            return no_flip_probability(rule, units, n, patterns, activity,
                                       threshold) >= 1 - epsilon
    else:
        def passes(n):
            return bit_error_probability(rule, units, n, patterns, activity,
                                         threshold) <= max_bit_error
    return largest_passing(passes, max_patterns)[0]


def hebb_no_flip_probability(units, n_patterns):
    """
    The classical P(no bit flips) for the activity product rule and +-1 patterns.

    (1 - Phi(-sqrt(D / (P - 1))))^(D P): signal 1, Gaussian crosstalk of
    variance (P - 1)/D per unit, the D P bits independent; 1 for P = 1.

    Examples
    --------
    >>> float(hebb_no_flip_probability(100, 1))
    1.0
    """
    units = _check_units(units)
    P = _check_n_patterns(n_patterns)
    with np.errstate(divide="ignore"):
        flip = ndtr(-np.sqrt(units / np.maximum(P - 1, 0)))
    return np.exp(units * P * np.log1p(-flip))


def hebb_exact_retrieval_capacity(units, epsilon=0.5):
    """
    Largest P with `hebb_no_flip_probability` >= 1 - epsilon (every pattern a fixed point).

    Examples
    --------
    >>> [hebb_exact_retrieval_capacity(d) for d in (100, 200, 400)]
    [10, 17, 28]
    """
    units = _check_units(units)
    epsilon = _check_epsilon(epsilon)
    return largest_passing(lambda n: hebb_no_flip_probability(units, n) >= 1 - epsilon, units)[0]


def mceliece_capacity(units):
    """
    D / (4 ln D): the asymptotic capacity for exact retrieval of every pattern
    (McEliece, Posner, Rodemich & Venkatesh 1987, IEEE Trans. Inf. Theory 33, 461).

    Examples
    --------
    >>> round(float(mceliece_capacity(1000)), 2)
    36.19
    """
    units = _check_units(units)
    return units / (4 * np.log(units))


def critical_capacity(units):
    """
    0.138 D: the critical load of the Hopfield network, beyond which the retrieval
    states vanish (Amit, Gutfreund & Sompolinsky 1985, Phys. Rev. Lett. 55, 1530).

    Examples
    --------
    >>> critical_capacity(500)
    69.0
    """
    units = _check_units(units)
    return 0.138 * units
