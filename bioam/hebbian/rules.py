"""
Hebbian learning rules as the expanded rule of Gerstner & Kistler (2002).

Paper 004 (Definition 2) expands a local update of the weight from a
presynaptic unit j to a postsynaptic unit i to second order in the two
activities; read, as its Example 1 implies, as the weight *change* per
presented pattern:

    Delta W_ij = c0 + c1_pre x_j + c1_post x_i
                 + c2_pre x_j^2 + c2_post x_i^2 + c2_corr x_i x_j        (004, Def. 2)

Here every coefficient is a constant (no dependence on W); a rule may add an
upper bound on the weight (clipping after every update, Willshaw). Weight
matrices have rows = postsynaptic units, columns = presynaptic units, so the
field of unit i is ``h_i = sum_j W[i, j] x_j``; the auto-associative network
has no self-connections (zero diagonal, 004 Section 1).

The presets in `RULES` are the rules paper 003 (Section 1.4) takes from the
benchmark of Lansner et al. (2025):

==========================  ===============================================  ======================
preset                      Delta W_ij                                       coefficients set
==========================  ===============================================  ======================
``hebb``                    eta x_i x_j                                      c2_corr = eta
``covariance``              eta (x_i - a)(x_j - a)                           c0, c1_pre, c1_post,
                                                                             c2_corr
``presynaptic_covariance``  eta x_i (x_j - a)                                c1_post, c2_corr
``willshaw``                x_i x_j, then W = min(1, W)                      c2_corr = 1, bound 1
``bcpnn``                   counts c_ij += x_i x_j; W = log p_ij/(p_i p_j)   c2_corr = 1 on counts
==========================  ===============================================  ======================

The covariance rules use a *known, fixed* mean activity ``a`` (a parameter,
for example the activity of sparse patterns, 0 for unbiased +-1 patterns),
not a running estimate, so their weights do not depend on the order of
presentation.

Examples
--------
>>> import numpy as np
>>> patterns = np.array([[1, -1, 1], [1, 1, -1]])
>>> offline_weights(patterns, RULES['hebb']())
array([[ 0.,  0.,  0.],
       [ 0.,  0., -2.],
       [ 0., -2.,  0.]])
"""

from dataclasses import dataclass

import numpy as np

from ..validation import BioamError

__all__ = ["HebbianRule", "RULES", "activity_product", "covariance", "presynaptic_covariance",
           "willshaw", "bcpnn", "get_rule", "check_patterns", "weight_change",
           "offline_weights", "bcpnn_from_counts", "remove_self_connections",
           "bcpnn_trace_weights"]

_COEFFICIENTS = ("c0", "c1_pre", "c1_post", "c2_pre", "c2_post", "c2_corr")
_KINDS = ("linear", "bcpnn")


@dataclass(frozen=True)
class HebbianRule:
    """
    One Hebbian rule: the six coefficients of the expanded rule (004, Def. 2).

    Attributes
    ----------
    name : str
    c0, c1_pre, c1_post, c2_pre, c2_post, c2_corr : float
        Delta W_ij = c0 + c1_pre x_j + c1_post x_i + c2_pre x_j^2
        + c2_post x_i^2 + c2_corr x_i x_j  (i postsynaptic, j presynaptic).
    upper_bound : float or None
        If set, the weight is clipped to at most this value after every
        update (Willshaw's clipped binary synapses).
    kind : {'linear', 'bcpnn'}
        ``'linear'``: the updates act on the weights. ``'bcpnn'``: they act on
        the co-activation counts, and the weights and biases are derived from
        the counts by `bcpnn_from_counts`.
    regulariser : float or None
        BCPNN only: the floor epsilon of the probability estimates (see
        `bcpnn_from_counts`); None means 1 / (n_patterns + 1).
    description, citation : str

    Examples
    --------
    >>> rule = covariance(mean_activity=0.5)
    >>> rule.coefficients()
    {'c0': 0.25, 'c1_pre': -0.5, 'c1_post': -0.5, 'c2_pre': 0.0, 'c2_post': 0.0, 'c2_corr': 1.0}
    """

    name: str
    c0: float = 0.0
    c1_pre: float = 0.0
    c1_post: float = 0.0
    c2_pre: float = 0.0
    c2_post: float = 0.0
    c2_corr: float = 0.0
    upper_bound: float | None = None
    kind: str = "linear"
    regulariser: float | None = None
    description: str = ""
    citation: str = ""

    def __post_init__(self):
        for name in _COEFFICIENTS:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
                    or not np.isfinite(value):
                raise BioamError(f"rule {self.name!r}: coefficient {name} must be a finite "
                                 f"number, got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.kind not in _KINDS:
            raise BioamError(f"rule {self.name!r}: kind must be one of {_KINDS}, got {self.kind!r}")
        if self.upper_bound is not None:
            if not np.isfinite(self.upper_bound):
                raise BioamError(f"rule {self.name!r}: upper_bound must be a finite number or "
                                 f"None, got {self.upper_bound!r}")
            object.__setattr__(self, "upper_bound", float(self.upper_bound))
        if self.regulariser is not None:
            if self.kind != "bcpnn":
                raise BioamError(f"rule {self.name!r}: regulariser is for kind 'bcpnn' only; "
                                 "leave it None")
            if not 0 < self.regulariser < 1:
                raise BioamError(f"rule {self.name!r}: regulariser must be in (0, 1), got "
                                 f"{self.regulariser!r}")
        if self.kind == "bcpnn" and (self.upper_bound is not None
                                     or self.coefficients() != _BCPNN_COUNTS):
            raise BioamError(f"rule {self.name!r}: a 'bcpnn' rule counts co-activations "
                             "(c2_corr = 1, no other coefficient, no bound); use bcpnn()")

    def coefficients(self):
        """The six coefficients as a dict, in the order of 004, Def. 2."""
        return {name: getattr(self, name) for name in _COEFFICIENTS}

    def increment(self, post, pre):
        """
        Delta W for postsynaptic activity ``post`` and presynaptic ``pre`` (broadcast).

        The unclipped change of 004, Def. 2; `weight_change` adds the bound.
        """
        post = np.asarray(post, dtype=float)
        pre = np.asarray(pre, dtype=float)
        return (self.c0 + self.c1_pre * pre + self.c1_post * post + self.c2_pre * pre**2
                + self.c2_post * post**2 + self.c2_corr * post * pre)


_BCPNN_COUNTS = {"c0": 0.0, "c1_pre": 0.0, "c1_post": 0.0, "c2_pre": 0.0, "c2_post": 0.0,
                 "c2_corr": 1.0}

_LANSNER = ("Lansner, Ravichandran & Herman (2025), Benchmarking Hebbian learning rules for "
            "associative memory, arXiv:2401.00335 (the comparison named in paper 003, Sec. 1.4)")


def _check_rate(rate):
    if isinstance(rate, bool) or not isinstance(rate, (int, float, np.number)) \
            or not np.isfinite(rate) or rate <= 0:
        raise BioamError(f"rate (learning rate eta) must be a positive number, got {rate!r}")
    return float(rate)


def _check_mean_activity(mean_activity):
    if isinstance(mean_activity, bool) or not isinstance(mean_activity, (int, float, np.number)) \
            or not -1 <= mean_activity <= 1:
        raise BioamError(
            f"mean_activity must be a number in [-1, 1] (the known mean of x: the activity a "
            f"of 0/1 patterns, 0 for unbiased +-1 patterns), got {mean_activity!r}")
    return float(mean_activity)


def activity_product(rate=1.0):
    """
    The activity product (Hebb) rule, Delta W_ij = eta x_i x_j (004 Eq. 4, Example 1).

    Sets c2_corr = eta, every other coefficient 0. Sources: Hebb (1949); the
    Hopfield (1982) network; Haykin (2009) for the name; Lansner et al. (2025).

    Examples
    --------
    >>> activity_product(rate=0.5).c2_corr
    0.5
    """
    rate = _check_rate(rate)
    return HebbianRule("hebb", c2_corr=rate,
                       description=f"activity product rule, Delta W_ij = {rate:g} x_i x_j",
                       citation="Hebb (1949); Hopfield (1982); Haykin (2009), Neural networks "
                                "and learning machines (papers 003, 004); " + _LANSNER)


def covariance(mean_activity, rate=1.0):
    """
    The covariance rule, Delta W_ij = eta (x_i - a)(x_j - a), with a known, fixed mean a.

    Expanded: eta x_i x_j - eta a x_i - eta a x_j + eta a^2, so c0 = eta a^2,
    c1_pre = c1_post = -eta a, c2_corr = eta. Source named in paper 003:
    Lansner et al. (2025); the rule goes back to Sejnowski (1977), Storing
    covariance with nonlinearly interacting neurons, J. Math. Biol. 4, 303.

    Examples
    --------
    >>> rule = covariance(0.5)
    >>> float(rule.increment(1, 0)), float(rule.increment(1, 1))
    (-0.25, 0.25)
    """
    a = _check_mean_activity(mean_activity)
    rate = _check_rate(rate)
    return HebbianRule("covariance", c0=rate * a * a, c1_pre=-rate * a, c1_post=-rate * a,
                       c2_corr=rate,
                       description=f"covariance rule, Delta W_ij = {rate:g} (x_i - {a:g})"
                                   f"(x_j - {a:g}), fixed mean activity",
                       citation=_LANSNER + "; Sejnowski (1977), J. Math. Biol. 4, 303")


def presynaptic_covariance(mean_activity, rate=1.0):
    """
    The presynaptic covariance rule, Delta W_ij = eta x_i (x_j - a), with a fixed mean a.

    The presynaptic activity is taken relative to its mean, the postsynaptic
    one is not: c1_post = -eta a, c2_corr = eta. (The mirror rule, centred on
    the postsynaptic side, is c1_pre = -eta a, c2_corr = eta.) Source named in
    paper 003: Lansner et al. (2025), whose text is not among the papers: which
    side is centred is our reading of the name.

    Examples
    --------
    >>> rule = presynaptic_covariance(0.25)
    >>> float(rule.increment(1, 0)), float(rule.increment(0, 1))
    (-0.25, 0.0)
    """
    a = _check_mean_activity(mean_activity)
    rate = _check_rate(rate)
    return HebbianRule("presynaptic_covariance", c1_post=-rate * a, c2_corr=rate,
                       description=f"presynaptic covariance rule, Delta W_ij = {rate:g} x_i "
                                   f"(x_j - {a:g}), fixed mean activity",
                       citation=_LANSNER)


def willshaw():
    """
    The Willshaw rule: clipped binary synapses, W_ij = min(1, sum_mu x_i^mu x_j^mu).

    For 0/1 patterns: c2_corr = 1 with an upper bound 1 (the synapse is
    switched on by the first co-activation and stays on). Sources: Willshaw,
    Buneman & Longuet-Higgins (1969), Non-holographic associative memory,
    Nature 222, 960; Lansner et al. (2025).

    Examples
    --------
    >>> willshaw().upper_bound
    1.0
    """
    return HebbianRule("willshaw", c2_corr=1.0, upper_bound=1.0,
                       description="Willshaw rule, clipped binary W_ij = min(1, sum x_i x_j)",
                       citation="Willshaw, Buneman & Longuet-Higgins (1969), Nature 222, 960; "
                                + _LANSNER)


def bcpnn(regulariser=None):
    """
    The Bayesian Confidence Propagation (BCPNN) rule, from cumulative counts.

    Every presented pattern adds x_i x_j to the co-activation count c_ij
    (c2_corr = 1 on the counts; for 0/1 patterns the diagonal c_ii is the
    unit count c_i); the weights are W_ij = log(p_ij / (p_i p_j)) and the
    biases b_i = log(p_i), see `bcpnn_from_counts`. Sources: Lansner &
    Ekeberg (1989), A one-layer feedback artificial neural network with a
    Bayesian learning rule, Int. J. Neural Syst. 1, 77; Lansner et al. (2025).

    Parameters
    ----------
    regulariser : float, optional
        The probability floor epsilon; None: 1 / (n_patterns + 1).

    Examples
    --------
    >>> bcpnn().kind
    'bcpnn'
    """
    rule = HebbianRule("bcpnn", c2_corr=1.0, kind="bcpnn", regulariser=regulariser,
                       description="BCPNN, W_ij = log p_ij / (p_i p_j), b_i = log p_i from "
                                   "co-activation counts",
                       citation="Lansner & Ekeberg (1989), Int. J. Neural Syst. 1, 77; " + _LANSNER)
    return rule


#: The named presets: name -> function returning the `HebbianRule` (see `get_rule`).
RULES = {"hebb": activity_product, "covariance": covariance,
         "presynaptic_covariance": presynaptic_covariance, "willshaw": willshaw, "bcpnn": bcpnn}


def get_rule(name, **parameters):
    """
    The preset ``name`` of `RULES` with its parameters.

    Examples
    --------
    >>> get_rule('covariance', mean_activity=0.0).c2_corr
    1.0
    """
    if isinstance(name, HebbianRule):
        return name
    if name not in RULES:
        raise BioamError(f"unknown Hebbian rule {name!r}; choose one of {sorted(RULES)}")
    try:
        return RULES[name](**parameters)
    except TypeError as error:
        raise BioamError(f"rule {name!r} does not take the parameters {sorted(parameters)}: "
                         f"{error}") from None


def check_patterns(patterns, name="patterns"):
    """
    Validate a pattern matrix: one pattern per row, all +-1 (dense) or all 0/1 (sparse).

    Returns
    -------
    patterns : ndarray, shape (P, D), float64
    kind : {'bipolar', 'binary'}
        'binary' when every value is 0 or 1, 'bipolar' when every value is -1 or 1
        (a matrix of 1s only is taken as 0/1).

    Examples
    --------
    >>> check_patterns([[1, 0, 1]])[1]
    'binary'
    """
    array = np.asarray(patterns)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise BioamError(f"{name} must be a numeric array of +-1 or 0/1 values, got dtype "
                         f"{array.dtype}")
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[0] < 1 or array.shape[1] < 2:
        raise BioamError(f"{name} must have shape (n_patterns, units) with units >= 2, got "
                         f"shape {np.shape(patterns)}")
    if np.all((array == 0) | (array == 1)):
        return array, "binary"
    if np.all((array == -1) | (array == 1)):
        return array, "bipolar"
    bad = array[~np.isin(array, (-1.0, 0.0, 1.0))]
    raise BioamError(f"{name} must hold only -1/+1 (dense) or only 0/1 (sparse) values; found "
                     f"{bad[0] if bad.size else 'a mix of -1 and 0'}: map them to one of the two "
                     "codes")


def _check_weight_matrix(weights, name="W"):
    array = np.asarray(weights)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise BioamError(f"{name} must be a numeric 2-D array, got dtype {array.dtype}")
    array = np.asarray(array, dtype=np.float64)
    if array.ndim != 2:
        raise BioamError(f"{name} must be a 2-D array (post x pre), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise BioamError(f"{name} contains NaN or infinite values; give finite weights")
    return array


def weight_change(W, pre, post, rule):
    """
    The change one presented pattern makes to the weights (004, Def. 2).

    This is the update the synapses execute: ``W + weight_change(W, pre,
    post, rule)`` are the weights after the presentation. With an upper
    bound the change is ``min(bound, W + Delta W) - W``. For a ``'bcpnn'``
    rule ``W`` is the matrix of co-activation counts (see `bcpnn_from_counts`).
    The change is computed for every pair, the diagonal included: an
    auto-associative network discards it (`remove_self_connections`).

    Parameters
    ----------
    W : array-like, shape (n_post, n_pre)
    pre : array-like, shape (n_pre,)
    post : array-like, shape (n_post,)
    rule : HebbianRule

    Returns
    -------
    ndarray, shape (n_post, n_pre)

    Examples
    --------
    >>> x = np.array([1.0, 0.0, 1.0])
    >>> weight_change(np.ones((3, 3)), x, x, willshaw())[0]
    array([0., 0., 0.])
    >>> weight_change(np.zeros((3, 3)), x, x, willshaw())[0]
    array([1., 0., 1.])
    """
    if not isinstance(rule, HebbianRule):
        raise BioamError(f"rule must be a HebbianRule (see bioam.hebbian.RULES), got {rule!r}")
    W = _check_weight_matrix(W)
    pre = np.asarray(pre, dtype=np.float64)
    post = np.asarray(post, dtype=np.float64)
    if pre.shape != (W.shape[1],) or post.shape != (W.shape[0],):
        raise BioamError(f"pre and post must have shapes ({W.shape[1]},) and ({W.shape[0]},) "
                         f"to match W {W.shape}, got {pre.shape} and {post.shape}")
    if not (np.all(np.isfinite(pre)) and np.all(np.isfinite(post))):
        raise BioamError("pre and post contain NaN or infinite values; give finite activities")
    change = rule.increment(post[:, None], pre[None, :])
    if rule.upper_bound is not None:
        change = np.minimum(rule.upper_bound, W + change) - W
    return change


def remove_self_connections(W, hypercolumn_size=None):
    """
    Zero the diagonal of a square matrix (in place), or with ``hypercolumn_size``
    the within-hypercolumn blocks (units h*M .. h*M + M - 1 form hypercolumn h).

    Examples
    --------
    >>> remove_self_connections(np.ones((4, 4)), hypercolumn_size=2)[0]
    array([0., 0., 1., 1.])
    """
    units = W.shape[0]
    if hypercolumn_size is None:
        np.fill_diagonal(W, 0.0)
        return W
    size = _check_hypercolumn_size(hypercolumn_size, units)
    for start in range(0, units, size):
        W[start:start + size, start:start + size] = 0.0
    return W


def _check_hypercolumn_size(hypercolumn_size, units):
    if isinstance(hypercolumn_size, bool) or int(hypercolumn_size) != hypercolumn_size \
            or hypercolumn_size < 2 or units % int(hypercolumn_size):
        raise BioamError(f"hypercolumn_size must be an integer >= 2 that divides the number of "
                         f"units ({units}), got {hypercolumn_size!r}")
    return int(hypercolumn_size)


def _bcpnn_weights(p_unit, p_pair, epsilon, hypercolumn_size):
    """W_ij = log(max(p_ij, eps^2) / (max(p_i, eps) max(p_j, eps))) and b_i = log max(p_i, eps)."""
    p_unit = np.maximum(p_unit, epsilon)
    W = np.log(np.maximum(p_pair, epsilon**2) / np.outer(p_unit, p_unit))
    return remove_self_connections(W, hypercolumn_size), np.log(p_unit)


def bcpnn_from_counts(counts, n_patterns, regulariser=None, hypercolumn_size=None):
    """
    BCPNN weights and biases from cumulative co-activation counts.

    With c_ij the counts (diagonal c_ii = c_i, the unit counts, for 0/1
    patterns) after n patterns, the probability estimates are floored by the
    regulariser epsilon,

        p_i = max(c_i / n, epsilon),   p_ij = max(c_ij / n, epsilon^2),

    and W_ij = log(p_ij / (p_i p_j)), b_i = log(p_i) (Lansner & Ekeberg 1989).
    The floor keeps the logarithm finite for units that were never
    (co-)active; the default epsilon = 1 / (n + 1), below any estimate of a
    unit that was active once, follows the ptBCPNN code of Lansner et al.
    Self-connections are removed (the diagonal, or the within-hypercolumn
    blocks).

    Parameters
    ----------
    counts : array-like, shape (D, D)
    n_patterns : int
    regulariser : float, optional
    hypercolumn_size : int, optional

    Returns
    -------
    W : ndarray, shape (D, D)
    bias : ndarray, shape (D,)

    Examples
    --------
    >>> x = np.array([[1, 0, 1], [1, 1, 0]])
    >>> W, bias = bcpnn_from_counts(x.T @ x, 2)
    >>> np.round(W[0], 6), np.round(bias, 4)
    (array([0., 0., 0.]), array([ 0.    , -0.6931, -0.6931]))
    """
    counts = _check_weight_matrix(counts, "counts")
    if counts.shape[0] != counts.shape[1]:
        raise BioamError(f"counts must be square (D, D), got shape {counts.shape}")
    if isinstance(n_patterns, bool) or int(n_patterns) != n_patterns or n_patterns < 1:
        raise BioamError(f"n_patterns must be an integer >= 1, got {n_patterns!r}")
    if np.any(counts < 0) or np.any(counts > n_patterns):
        raise BioamError(f"counts must lie in [0, n_patterns = {n_patterns}]: BCPNN needs 0/1 "
                         "patterns")
    epsilon = 1.0 / (n_patterns + 1) if regulariser is None else regulariser
    if not 0 < epsilon < 1:
        raise BioamError(f"regulariser must be in (0, 1), got {regulariser!r}")
    return _bcpnn_weights(np.diag(counts) / n_patterns, counts / n_patterns, epsilon,
                          hypercolumn_size)


def offline_weights(patterns, rule, hypercolumn_size=None, return_bias=False):
    """
    The weights after presenting every pattern once, computed in one pass.

    For a linear rule the sum over patterns of 004, Def. 2:

        W_ij = P c0 + c1_pre S_j + c1_post S_i + c2_pre Q_j + c2_post Q_i + c2_corr C_ij,

    S = sum_mu x^mu, Q = sum_mu (x^mu)^2, C = sum_mu x^mu (x^mu)^T; with an
    upper bound, min(bound, W), which equals the sequential clipping when no
    increment is negative (checked). BCPNN: `bcpnn_from_counts` of C. The
    diagonal (or the within-hypercolumn blocks) is zero.

    Parameters
    ----------
    patterns : array-like, shape (P, D)
        +-1 or 0/1 values; Willshaw and BCPNN need 0/1.
    rule : HebbianRule
    hypercolumn_size : int, optional
        Remove the within-hypercolumn blocks instead of only the diagonal.
    return_bias : bool
        Also return the biases (log p_i for BCPNN, zeros otherwise).

    Returns
    -------
    W : ndarray, shape (D, D)
    bias : ndarray, shape (D,)
        Only with ``return_bias``.

    Examples
    --------
    >>> x = np.array([[1, 1, 0, 0], [0, 1, 1, 0]])
    >>> offline_weights(x, willshaw())
    array([[0., 1., 0., 0.],
           [1., 0., 1., 0.],
           [0., 1., 0., 0.],
           [0., 0., 0., 0.]])
    """
    if not isinstance(rule, HebbianRule):
        raise BioamError(f"rule must be a HebbianRule (see bioam.hebbian.RULES), got {rule!r}")
    X, kind = check_patterns(patterns)
    n_patterns, units = X.shape
    if hypercolumn_size is not None:
        _check_hypercolumn_size(hypercolumn_size, units)
    if rule.kind == "bcpnn":
        if kind != "binary":
            raise BioamError("the BCPNN rule needs 0/1 patterns; map -1 to 0")
        W, bias = bcpnn_from_counts(X.T @ X, n_patterns, rule.regulariser, hypercolumn_size)
        return (W, bias) if return_bias else W
    if rule.upper_bound is not None:
        values = (0.0, 1.0) if kind == "binary" else (-1.0, 1.0)
        smallest = min(float(rule.increment(u, v)) for u in values for v in values)
        if smallest < 0:
            raise BioamError(
                f"rule {rule.name!r} with an upper bound needs increments >= 0 to be independent "
                f"of the order of presentation; with {kind} patterns an increment is {smallest:g}"
                + (" (Willshaw needs 0/1 patterns: map -1 to 0)" if rule.name == "willshaw"
                   else "; fold weight_change over the patterns instead"))
    sums = X.sum(axis=0)
    squares = (X**2).sum(axis=0)
    W = (n_patterns * rule.c0 + rule.c1_pre * sums[None, :] + rule.c1_post * sums[:, None]
         + rule.c2_pre * squares[None, :] + rule.c2_post * squares[:, None]
         + rule.c2_corr * (X.T @ X))
    if rule.upper_bound is not None:
        W = np.minimum(rule.upper_bound, W)
    remove_self_connections(W, hypercolumn_size)
    return (W, np.zeros(units)) if return_bias else W


def _check_trace_settings(trace_rate, initial_probability, regulariser):
    if isinstance(trace_rate, bool) or not 0 < trace_rate <= 1:
        raise BioamError(f"trace_rate must be in (0, 1] (the fraction of a trace replaced per "
                         f"presented pattern), got {trace_rate!r}")
    if isinstance(initial_probability, bool) or not 0 < initial_probability < 1:
        raise BioamError(f"initial_probability must be in (0, 1), got {initial_probability!r}")
    if isinstance(regulariser, bool) or not 0 < regulariser < 1:
        raise BioamError(f"regulariser must be in (0, 1), got {regulariser!r}")


def bcpnn_trace_weights(patterns, trace_rate=0.05, initial_probability=0.05, regulariser=1e-4,
                        hypercolumn_size=None):
    """
    BCPNN with decaying traces: running probability estimates, in the order of presentation.

    The separate, order-dependent mode of BCPNN (Lansner et al. 2025; Sandberg
    et al. 2002): after every presented pattern x each unit's trace and each
    pair's trace move a fraction ``alpha = trace_rate`` towards the pattern,

        p_i  <- p_i  + alpha (x_i - p_i),
        p_ij <- p_ij + alpha (x_i x_j - p_ij),

    from p_i = p0 and p_ij = p0^2 (``initial_probability``), so recent patterns
    weigh more and old ones are forgotten (a palimpsest). Weights and biases are
    those of `bcpnn_from_counts` with the traces in place of the count
    estimates: W_ij = log(max(p_ij, eps^2) / (max(p_i, eps) max(p_j, eps))),
    b_i = log(max(p_i, eps)). `bioam.hebbian.network.learn_online_bcpnn_traces`
    runs the same updates as Brian2 code.

    Parameters
    ----------
    patterns : array-like, shape (P, D), 0/1
    trace_rate : float in (0, 1]
    initial_probability : float in (0, 1)
    regulariser : float in (0, 1)
        The floor eps.
    hypercolumn_size : int, optional

    Returns
    -------
    W : ndarray, shape (D, D)
    bias : ndarray, shape (D,)

    Examples
    --------
    >>> W, bias = bcpnn_trace_weights(np.array([[1, 0], [1, 0]]), trace_rate=0.5,
    ...                               initial_probability=0.5)
    >>> np.round(np.exp(bias), 3)    # p_1 = 0.5 -> 0.75 -> 0.875; p_2 -> 0.25 -> 0.125
    array([0.875, 0.125])
    """
    X, kind = check_patterns(patterns)
    if kind != "binary":
        raise BioamError("BCPNN needs 0/1 patterns; map -1 to 0")
    _check_trace_settings(trace_rate, initial_probability, regulariser)
    units = X.shape[1]
    if hypercolumn_size is not None:
        _check_hypercolumn_size(hypercolumn_size, units)
    p_unit = np.full(units, float(initial_probability))
    p_pair = np.full((units, units), float(initial_probability) ** 2)
    for x in X:
        p_unit += trace_rate * (x - p_unit)
        p_pair += trace_rate * (np.outer(x, x) - p_pair)
    return _bcpnn_weights(p_unit, p_pair, float(regulariser), hypercolumn_size)
