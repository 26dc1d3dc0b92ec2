r"""
Capacity of sparse 0/1 patterns recalled by k winners: the field's distribution from the counts.

Setting. P patterns of D units, each with exactly k = round(a D) active
units chosen at random, stored by any preset (the linear expanded rule of
paper 004, Def. 2, with or without an upper bound, or BCPNN), recalled by
k-winners-take-all (`bioam.hebbian.retrieval.k_winners_update`: the units
whose field is at least the k-th largest are on). A stored pattern is a
fixed point exactly when every inactive unit's field lies strictly below
the smallest field of its k active units.

Why not the Gaussian signal-to-noise estimate. `bioam.hebbian.theory`
compares a Gaussian field with a fixed threshold. k winners compare the
fields of one state with each other, so what matters is the far tail of the
largest of D - k inactive fields against the smallest of k active ones;
with aD = 5 to 50 active units the field is a sum of a few skewed, discrete
terms (Willshaw's are 0 or 1), far from Gaussian in that tail, and with
integer weights ties decide. So this module computes the field's whole
distribution.

The field from the counts. For 0/1 patterns every preset's weight W_ij
(i postsynaptic, j presynaptic) is a function of the pair's counts over the
P patterns: n11 (both active), n10 (i only), n01 (j only), n00:

* linear rule: W = n11 f(1,1) + n10 f(1,0) + n01 f(0,1) + n00 f(0,0), with
  f the per-pattern change; with an upper bound, min(W, bound) (exact for
  non-negative changes, as Willshaw's);
* BCPNN: W = log(max(n11/P, e^2) / (max(n_i/P, e) max(n_j/P, e))) with
  n_i = n11 + n10, n_j = n11 + n01, e the regulariser (1/(P+1) by default),
  and bias b_i = log max(n_i/P, e).

Fix a stored pattern and a unit i with value y in it, and let r be the
number of the other Q = P - 1 patterns in which i is active, r ~ Bin(Q, a).
The field h_i = b_i + sum_j W_ij over the K = k - y other active units j of
the pattern. Given r, each such j is active in m11 ~ Bin(r, (k-1)/(D-1)) of
the r patterns where i is, and in m01 ~ Bin(Q - r, k/(D-1)) of the others;
the pattern itself adds one to n11 (y = 1) or to n01 (y = 0). Treating the
K terms as independent given r (they are, up to the without-replacement
draw of each pattern's active set), h_i given r is the K-fold convolution of
one term's distribution, computed exactly on a grid (by FFT), and the
field's distribution for each y is the mixture over r. Weights that are
integers (activity product, Willshaw) are convolved on the integer lattice,
so ties are exact; other rules on a fine grid, a tie counting one half.

Fixed point and capacity. With M the smallest of the k active fields and
the D - k inactive fields independent,

    P(fixed) = sum_x P(M = x) P(h_0 < x)^(D - k),
    P(M = x) = P(h_1 >= x)^k - P(h_1 > x)^k,

and, the P patterns independent, P(all fixed) = P(fixed)^P. The capacity is
the largest P with P(all fixed) >= 1 - epsilon; epsilon = 1/2 matches the
majority rule of `bioam.hebbian.capacity.capacity`.

What it leaves out. The units' fields are not independent: all units of a
state see the same overlaps of the other patterns with its active set. And
a unit's count r is shared by its K terms only through the mixture. Both
are small for sparse patterns; docs/hebbian.md compares the prediction with
the measurement for every rule.

Examples
--------
>>> kwinners_capacity('willshaw', 100, activity=0.05)
27
"""

from fractions import Fraction
from math import gcd

import numpy as np
from scipy.stats import binom

from ..validation import BioamError
from .capacity import largest_passing
from .rules import HebbianRule, get_rule

__all__ = ["field_distribution", "kwinners_fixed_point_probability", "kwinners_capacity"]

#: Probability below which binomial tails are dropped.
_TAIL = 1e-15
#: Bins of the fine grid for rules whose weights are not integers.
_FINE_BINS = 1 << 12
#: Largest field lattice convolved point by point.
_LATTICE_BINS = 1 << 18


def _check_setting(units, activity):
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 3:
        raise BioamError(f"units must be an integer >= 3, got {units!r}")
    if isinstance(activity, bool) or not isinstance(activity, (int, float, np.number)) \
            or not 0 < activity < 1:
        raise BioamError(f"activity must be in (0, 1), got {activity!r}")
    active = int(round(activity * units))
    if not 1 <= active < units:
        raise BioamError(f"activity {activity} gives {active} active units of {units}; "
                         f"choose an activity that gives 1 to {units - 1}")
    return int(units), active


def _resolve(rule, activity):
    if isinstance(rule, str):
        if rule in ("covariance", "presynaptic_covariance"):
            return get_rule(rule, mean_activity=activity)
        return get_rule(rule)
    if not isinstance(rule, HebbianRule):
        raise BioamError(f"rule must be a HebbianRule or a preset name, got {rule!r}")
    return rule


class _Weights:
    """W(n11, n10, n01, n00) and b(n_i) of one rule after P patterns (module docstring)."""

    def __init__(self, rule, n_patterns):
        self.rule = rule
        self.n_patterns = n_patterns
        if rule.kind == "bcpnn":
            self.floor = (1.0 / (n_patterns + 1) if rule.regulariser is None
                          else float(rule.regulariser))
            self.integer = False
            self.lattice = None
        else:
            self.f = {(u, w): float(rule.increment(u, w)) for u in (0, 1) for w in (0, 1)}
            if rule.upper_bound is not None and min(self.f.values()) < 0:
                raise BioamError(f"rule {rule.name!r}: the count formula takes a bounded rule "
                                 f"with non-negative changes only (measure it with capacity())")
            self.integer = all(float(v).is_integer() for v in self.f.values()) and (
                rule.upper_bound is None or float(rule.upper_bound).is_integer())
            self.lattice = _lattice_step(list(self.f.values())
                                         + ([] if rule.upper_bound is None
                                            else [rule.upper_bound]))

    def weight(self, n11, n10, n01, n00):
        if self.rule.kind == "bcpnn":
            P, e = self.n_patterns, self.floor
            p_i = np.maximum((n11 + n10) / P, e)
            p_j = np.maximum((n11 + n01) / P, e)
            return np.log(np.maximum(n11 / P, e * e) / (p_i * p_j))
        f = self.f
        W = n11 * f[1, 1] + n10 * f[1, 0] + n01 * f[0, 1] + n00 * f[0, 0]
        if self.rule.upper_bound is not None:
            W = np.minimum(W, self.rule.upper_bound)
        return W

    def bias(self, n_i):
        if self.rule.kind == "bcpnn":
            return float(np.log(max(n_i / self.n_patterns, self.floor)))
        return 0.0


def _lattice_step(coefficients):
    """The step of the lattice spanned by rational coefficients (small denominators), or None."""
    step = None
    for value in coefficients:
        fraction = Fraction(float(value)).limit_denominator(10_000)
        if abs(float(fraction) - float(value)) > 1e-12 * max(1.0, abs(float(value))):
            return None
        if fraction != 0:
            step = abs(fraction) if step is None else Fraction(
                gcd(step.numerator * fraction.denominator, fraction.numerator * step.denominator),
                step.denominator * fraction.denominator)
    return None if step is None else float(step)


def _binomial(n, p):
    """Support and probabilities of Bin(n, p), tails below _TAIL dropped."""
    if n == 0:
        return np.zeros(1, dtype=int), np.ones(1)
    low = int(binom.ppf(_TAIL, n, p))
    high = int(binom.isf(_TAIL, n, p))
    support = np.arange(max(low - 1, 0), min(high + 1, n) + 1)
    return support, binom.pmf(support, n, p)


def _terms(weights, units, active, y, r):
    """Values and probabilities of one term W_ij given the unit's value y and count r."""
    Q = weights.n_patterns - 1
    m11, p11 = _binomial(r, (active - 1) / (units - 1))
    m01, p01 = _binomial(Q - r, active / (units - 1))
    m11 = m11[:, None]
    m01 = m01[None, :]
    n11 = m11 + y
    n10 = r - m11
    n01 = m01 + (1 - y)
    n00 = Q - r - m01
    values = weights.weight(n11, n10, n01, n00)
    return values.ravel(), np.outer(p11, p01).ravel()


def _convolve_power(pmf, times):
    """The pmf of the sum of ``times`` independent draws of a lattice pmf (FFT)."""
    if times == 0:
        return np.ones(1)
    length = times * (len(pmf) - 1) + 1
    size = 1 << int(np.ceil(np.log2(length)))
    result = np.fft.irfft(np.fft.rfft(pmf, size) ** times, size)[:length]
    return np.maximum(result, 0.0)


def field_distribution(rule, units, n_patterns, activity=0.05):
    """
    The distribution of a unit's field in a stored pattern, for both values of the unit.

    Parameters
    ----------
    rule : HebbianRule or str
        Any preset (covariance rules with mean activity = ``activity``).
    units : int
        D.
    n_patterns : int
        P, the stored patterns.
    activity : float
        a; each pattern has k = round(a D) active units.

    Returns
    -------
    grid : ndarray, shape (G,)
        Field values.
    inactive, active : ndarray, shape (G,)
        P(h = grid | y = 0) and P(h = grid | y = 1).
    exact_ties : bool
        True when the grid is the weights' integer lattice (ties exact).

    Examples
    --------
    >>> grid, inactive, active, exact = field_distribution('hebb', 100, 1, 0.05)
    >>> float(grid[active.argmax()]), float(grid[inactive.argmax()]), exact   # k - 1 and 0
    (4.0, 0.0, True)
    """
    units, active_units = _check_setting(units, activity)
    if isinstance(n_patterns, bool) or not isinstance(n_patterns, (int, np.integer)) \
            or n_patterns < 1:
        raise BioamError(f"n_patterns must be an integer >= 1, got {n_patterns!r}")
    n_patterns = int(n_patterns)
    weights = _Weights(_resolve(rule, activity), n_patterns)
    a = active_units / units
    counts, count_probabilities = _binomial(n_patterns - 1, a)
    parts = []  # (y, probability of r, term values, term probabilities, bias)
    for y in (0, 1):
        for r, weight_r in zip(counts, count_probabilities):
            values, probabilities = _terms(weights, units, active_units, y, int(r))
            keep = probabilities > _TAIL
            parts.append((y, weight_r, values[keep], probabilities[keep],
                          weights.bias(r + y)))
    low = min(part[2].min() for part in parts)
    high = max(part[2].max() for part in parts)
    span = max(high - low, 1e-12)
    step = weights.lattice
    if step is None or active_units * span / step > _LATTICE_BINS:
        step = span / _FINE_BINS * max(1, active_units // 8)   # a fine grid
    else:  # the weights' lattice: every field value on a grid point
        low, high = step * np.floor(low / step + 1e-9), step * np.ceil(high / step - 1e-9)
    term_bins = int(round((high - low) / step)) + 1
    field_low = min(part[4] for part in parts) + active_units * low - step
    placed = []  # (y, weight of r, first grid index, pmf of the field given r)
    for y, weight_r, values, probabilities, bias in parts:
        pmf = np.bincount(np.rint((values - low) / step).astype(int), probabilities,
                          minlength=term_bins)
        terms = active_units - y
        start = int(np.rint((bias + terms * low - field_low) / step))
        placed.append((y, weight_r, start, _convolve_power(pmf, terms)))
    grid_size = max(start + len(total) for _, _, start, total in placed) + 1
    grid = field_low + step * np.arange(grid_size)
    result = {0: np.zeros(grid_size), 1: np.zeros(grid_size)}
    for y, weight_r, start, total in placed:
        result[y][start:start + len(total)] += weight_r * total
    for y in (0, 1):
        result[y] /= result[y].sum()
    return grid, result[0], result[1], weights.integer


def kwinners_fixed_point_probability(rule, units, n_patterns, activity=0.05):
    """
    P(a stored pattern is a fixed point of k-winners recall) and P(all P of them are).

    Returns
    -------
    one, every : float

    Examples
    --------
    >>> one, every = kwinners_fixed_point_probability('willshaw', 100, 10)
    >>> round(one, 4), round(every, 3)
    (0.9978, 0.978)
    """
    grid, inactive, active, exact_ties = field_distribution(rule, units, n_patterns, activity)
    k = int(round(activity * units))
    at_least = np.cumsum(active[::-1])[::-1]            # P(h1 >= x)
    above = np.append(at_least[1:], 0.0)                # P(h1 > x)
    smallest = np.maximum(at_least ** k - above ** k, 0.0)  # P(M = x)
    below = np.cumsum(inactive) - inactive              # P(h0 < x)
    if not exact_ties:
        below = below + 0.5 * inactive
    with np.errstate(divide="ignore"):
        one = float(np.sum(smallest * np.exp((units - k) * np.log(np.minimum(below, 1.0)))))
    one = min(max(one, 0.0), 1.0)
    return one, one ** n_patterns


def kwinners_capacity(rule, units, activity=0.05, epsilon=0.5, max_patterns=None):
    """
    Largest P whose patterns are all fixed points with probability >= 1 - epsilon.

    Parameters
    ----------
    rule : HebbianRule or str
    units : int
    activity : float
    epsilon : float in (0, 1)
        1/2: the median, as `bioam.hebbian.capacity.capacity` measures it.
    max_patterns : int, optional
        Upper end of the search (default 2 D).

    Returns
    -------
    int

    Examples
    --------
    >>> kwinners_capacity('hebb', 1000)
    98
    """
    units, _ = _check_setting(units, activity)
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float, np.number)) \
            or not 0 < epsilon < 1:
        raise BioamError(f"epsilon must be in (0, 1), got {epsilon!r}")
    rule = _resolve(rule, activity)
    max_patterns = 2 * units if max_patterns is None else int(max_patterns)
    return largest_passing(
        lambda n: kwinners_fixed_point_probability(rule, units, n, activity)[1] >= 1 - epsilon,
        max_patterns)[0]
