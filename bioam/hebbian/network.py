"""
Hebbian associative memories as Brian2 objects: D units with full lateral connections.

`build_hebbian_network` assembles a registered update piece (kind
``'lateral_update'``, `bioam.hebbian.updates`) and knows none by name. It
returns ordinary Brian2 objects: a `NeuronGroup` of
units and one lateral `Synapses` object (no self-connections; with
hypercolumns, no connections within a hypercolumn) whose summed variable is
each unit's input ``I_i = sum_j W_ij x_j``; the field is ``h = I + b``. Every
update is synchronous, as in the NumPy reference (`bioam.hebbian.retrieval`):
the summed variables are computed from the state at the start of a step (the
``groups`` slot) and the units take their new state at its end, so one time
step is one update of paper 003's Eq. (7):

* ``'sign'``: +-1 units, ``x = sgn(h)`` with sgn(0) = keep the state;
* ``'threshold'``: 0/1 units on iff ``h >= threshold`` (a number per unit, or
  Willshaw's ``'active'``: the number of active units other than the unit
  itself, summed by a pool neuron per copy);
* ``'k_winners'`` / ``'hypercolumn'``: 0/1 units, the k largest fields of a
  copy (ties with the k-th on) or the largest of each hypercolumn (ties to the
  lowest index). The ranking is exact Brian2 code: competition synapses
  between the units of a group count, for each unit, the units with a larger
  field (a summed variable of a rank group that runs after the inputs);
* ``'rate'``: continuous units, ``tau dx/dt = -x + g(h)`` (g = tanh), forward
  Euler.

Learning online (`learn_online`): the patterns are presented one after
another, one per time step, and the lateral synapses execute the rule's
update (paper 004, Def. 2) as synaptic code, on every target:
``w += c0 + c1_pre x_j + c1_post x_i + c2_pre x_j^2 + c2_post x_i^2 + c2_corr
x_i x_j``, clipped at the rule's upper bound (Willshaw). BCPNN counts
co-activations in the synapses and activations in the units, and its weights
and biases are the logarithms of the regularised probability estimates
(`bioam.hebbian.rules.bcpnn_from_counts`), as Brian2 subexpressions.
"""

import tempfile

import numpy as np
from brian2 import Network, NeuronGroup, Synapses, TimedArray, ms
from brian2.devices.device import get_device
from brian2.utils.logger import get_logger

from .. import backends
from ..pieces.base import get_piece
from ..validation import BioamError, check_time
from .retrieval import check_bias, check_square_weights, check_states
from .updates import _blocks
from .rules import HebbianRule, _check_hypercolumn_size, _check_trace_settings, check_patterns

__all__ = ["UPDATE_NAMES", "HebbianNetwork", "build_hebbian_network", "learn_online",
           "learn_online_bcpnn_traces", "recall_hebbian"]

logger = get_logger(__name__)

#: The update names of the registry (kind 'lateral_update', `bioam.hebbian.updates`).
UPDATE_NAMES = ("sign", "threshold", "k_winners", "hypercolumn", "rate")

#: The lateral projection: W_ij from presynaptic j to postsynaptic i.
LATERAL_MODEL = """
w : 1  # W_ij
I_post = w * x_pre : 1 (summed)
"""

#: A linear rule's update of a synapse per presented pattern (004, Def. 2).
LINEAR_UPDATE = ("c0 + c1_pre * x_pre + c1_post * x_post + c2_pre * x_pre**2 "
                 "+ c2_post * x_post**2 + c2_corr * x_pre * x_post")

#: BCPNN: co-activation counts in the synapses, unit counts in the units, and the
#: weights and biases from the regularised probability estimates (bcpnn_from_counts),
#: recomputed after every presentation (plain variables: standalone runs read them back).
BCPNN_SYNAPSE_MODEL = """
count : 1  # c_ij: presentations with both units active
w : 1  # W_ij = log p_ij / (p_i p_j)
"""
BCPNN_WEIGHT = ("w = log(clip(count / n_presented, epsilon**2, inf) / "
                "(clip(count_unit_pre / n_presented, epsilon, inf) "
                "* clip(count_unit_post / n_presented, epsilon, inf)))")
BCPNN_UNIT_EQUATIONS = """
count_unit : 1  # c_i: presentations with the unit active
b_learned : 1  # b_i = log p_i
"""
BCPNN_BIAS = "b_learned = log(clip(count_unit / n_presented, epsilon, inf))"


class HebbianNetwork:
    """
    The Brian2 objects of a Hebbian network (see `build_hebbian_network`).

    Attributes
    ----------
    units : NeuronGroup
        ``n_copies * D`` units, state ``x``, field ``h``.
    lateral : Synapses
        The lateral weights ``w`` (pre j -> post i within each copy).
    helpers : list
        Pools and rank groups of the non-local updates, with their synapses.
    n_units, n_copies : int
    update : LateralUpdate
        The update piece (`bioam.hebbian.updates`).
    """

    def __init__(self, units, lateral, helpers, n_units, n_copies, update):
        self.units = units
        self.lateral = lateral
        self.helpers = list(helpers)
        self.n_units = n_units
        self.n_copies = n_copies
        self.update = update

    @property
    def objects(self):
        """All Brian2 objects, to pass to `Network`."""
        return [self.units, self.lateral] + self.helpers

    def set_states(self, states):
        """Set every copy's state, ``states`` of shape (n_copies, D)."""
        states = np.asarray(states, dtype=np.float64)
        if states.shape != (self.n_copies, self.n_units):
            raise BioamError(f"states must have shape (n_copies, D) = ({self.n_copies}, "
                             f"{self.n_units}), got {states.shape}")
        self.units.x = states.ravel()

    def states(self):
        """The current states, shape (n_copies, D)."""
        return np.array(self.units.x[:]).reshape(self.n_copies, self.n_units)


def _lateral_mask(n_units, hypercolumn_size, self_connections=False):
    """Which lateral synapses exist: no self-connections (none within a hypercolumn)."""
    if self_connections:
        return np.ones((n_units, n_units), bool)
    unit = np.arange(n_units)
    group = unit if hypercolumn_size is None else unit // hypercolumn_size
    return group[:, None] != group[None, :]


def _update_piece(update, threshold, k, hypercolumn_size, tau, dt, n_units):
    """The registered update piece that ``update`` names, checked for ``n_units`` units."""
    piece = get_piece("lateral_update", update, threshold=threshold, k=k, size=hypercolumn_size,
                      tau=tau, dt=dt)
    piece.check(n_units)
    return piece


def build_hebbian_network(weights, *, bias=None, update="sign", threshold="active", k=None,
                          hypercolumn_size=None, n_copies=1, dt=1 * ms, tau=10 * ms,
                          name="hebbian", self_connections=False):
    """
    A Hebbian network with given weights as Brian2 objects.

    Parameters
    ----------
    weights : array-like, shape (D, D)
        W[i, j] from presynaptic j to postsynaptic i; the diagonal (and, with
        ``hypercolumn_size``, the within-hypercolumn blocks) is not connected.
    bias : float or array-like of shape (D,), optional
    update : str or LateralUpdate
        A registered update (`bioam.hebbian.updates`): 'sign', 'threshold',
        'k_winners', 'hypercolumn', 'rate', or a specification such as
        'k_winners:k=5'.
    threshold : float, array-like of shape (D,), or 'active'
        For ``update='threshold'``.
    k : int
        For ``update='k_winners'``.
    hypercolumn_size : int, optional
    n_copies : int
        Independent copies (one per cue), block-diagonal connectivity.
    dt : Quantity
        The time step: one synchronous update per step.
    tau : Quantity
        Time constant of ``update='rate'``.
    name : str
    self_connections : bool
        Connect every unit to itself too, with the diagonal of ``weights``:
        the correlation-matrix memory of paper 003 (Example 1.1.1, Eq. 2),
        T(x) = sgn(Xi^T Xi x), whose single pass is Eq. (7). Default False: the
        classical Hopfield network.

    Returns
    -------
    HebbianNetwork

    Examples
    --------
    >>> import numpy as np
    >>> from brian2 import Network, ms
    >>> pattern = np.array([1, -1, 1, -1, 1, 1])
    >>> memory = build_hebbian_network(np.outer(pattern, pattern))
    >>> memory.set_states([[1, 1, 1, -1, 1, -1]])
    >>> Network(memory.objects).run(3 * ms)
    >>> memory.states()
    array([[ 1., -1.,  1., -1.,  1.,  1.]])
    """
    weights = check_square_weights(weights)
    n_units = weights.shape[0]
    bias = check_bias(bias, n_units)
    check_time("dt", dt)
    piece = _update_piece(update, threshold, k, hypercolumn_size, tau, dt, n_units)
    if int(n_copies) != n_copies or n_copies < 1:
        raise BioamError(f"n_copies must be a positive integer, got {n_copies}")
    n_copies = int(n_copies)
    if self_connections and hypercolumn_size is not None:
        raise BioamError("self_connections and hypercolumn_size exclude each other: hypercolumns "
                         "have no connections within; give one of them")
    units = NeuronGroup(n_copies * n_units, piece.unit_equations(), method="euler",
                        namespace=piece.namespace(), dt=dt, name=f"{name}_units")
    units.b = np.tile(bias, n_copies)
    piece.set_up(units, n_copies)
    lateral = Synapses(units, units, LATERAL_MODEL, dt=dt, name=f"{name}_lateral")
    mask = _lateral_mask(n_units, hypercolumn_size, self_connections)
    pre, post = _blocks(n_units, n_copies, mask.T)
    lateral.connect(i=pre, j=post)
    lateral.w = np.tile(weights.T[mask.T], n_copies)
    helpers = piece.helpers(units, n_units, n_copies, dt, name)
    if piece.code is not None:
        units.run_regularly(piece.code, when="end", name=f"{name}_update")
    return HebbianNetwork(units, lateral, helpers, n_units, n_copies, piece)


def _run(backend, objects, duration, directory):
    """Run ``objects`` for ``duration`` on ``backend`` (building a standalone project)."""
    network = Network(objects)
    network.run(duration, namespace={})
    if backend in backends.STANDALONE_BACKENDS:
        get_device().build(directory=directory, compile=True, run=True, with_output=False)


def _on_backend(backend, build, directory=None):
    """Call ``build()`` with ``backend`` active; return its result; restore the runtime device."""
    backends.check_backend(backend)
    own = directory is None and backend in backends.STANDALONE_BACKENDS
    if own:
        directory = tempfile.mkdtemp(prefix="bioam_hebbian_")
    backends.activate(backend, build_directory=directory)
    try:
        return build(directory)
    finally:
        backends.deactivate()
        if own:
            import shutil
            shutil.rmtree(directory, ignore_errors=True)


def learn_online(patterns, rule, *, backend="numpy", hypercolumn_size=None, directory=None):
    """
    Learn the weights in Brian2: the patterns presented one per step, the rule as synaptic code.

    Parameters
    ----------
    patterns : array-like, shape (P, D)
        +-1 or 0/1 patterns (Willshaw and BCPNN need 0/1).
    rule : HebbianRule
        A preset of `bioam.hebbian.rules.RULES` or one's own.
    backend : str
        A Brian2 target of `bioam.backends.BACKENDS`.
    hypercolumn_size : int, optional
        No synapses within a hypercolumn (BCPNN's layout).
    directory : str, optional
        Standalone project folder (default: a temporary one).

    Returns
    -------
    weights : ndarray, shape (D, D)
        W[i, j], zero where no synapse exists.
    bias : ndarray, shape (D,)
        BCPNN's log p_i, zeros for the other rules.

    Examples
    --------
    >>> import numpy as np
    >>> from bioam.hebbian.rules import activity_product
    >>> patterns = np.array([[1, -1, 1], [1, 1, -1]])
    >>> learn_online(patterns, activity_product())[0]
    array([[ 0.,  0.,  0.],
           [ 0.,  0., -2.],
           [ 0., -2.,  0.]])
    """
    if not isinstance(rule, HebbianRule):
        raise BioamError(f"rule must be a HebbianRule (see bioam.hebbian.RULES), got {rule!r}")
    X, kind = check_patterns(patterns)
    n_patterns, n_units = X.shape
    if rule.kind == "bcpnn" and kind != "binary":
        raise BioamError("the BCPNN rule needs 0/1 patterns; map -1 to 0")
    if hypercolumn_size is not None:
        _check_hypercolumn_size(hypercolumn_size, n_units)
    step = 1 * ms

    def build(project):
        shown = TimedArray(X, dt=step, name="hebbian_patterns")
        epsilon = 1.0 / (n_patterns + 1) if rule.regulariser is None else rule.regulariser
        namespace = {**rule.coefficients(), "hebbian_patterns": shown,
                     "n_presented": float(n_patterns), "epsilon": float(epsilon),
                     "upper_bound": rule.upper_bound if rule.upper_bound is not None else np.inf}
        bcpnn = rule.kind == "bcpnn"
        unit_model = "x : 1  # the presented pattern\n" + (BCPNN_UNIT_EQUATIONS if bcpnn else "")
        units = NeuronGroup(n_units, unit_model, namespace=namespace, dt=step,
                            name="hebbian_learning_units")
        # each step: show pattern t (start of the step), then every synapse updates (end)
        units.run_regularly("x = hebbian_patterns(t, i)", when="start",
                            name="hebbian_show_pattern")
        if bcpnn:
            units.run_regularly("count_unit += x", when="end", name="hebbian_count_units")
            units.run_regularly(BCPNN_BIAS, when="end", order=1, name="hebbian_bias")
            model, code = BCPNN_SYNAPSE_MODEL, "count += x_pre * x_post"
        else:
            model = "w : 1  # W_ij"
            code = (f"w = clip(w + {LINEAR_UPDATE}, -inf, upper_bound)"
                    if rule.upper_bound is not None else f"w += {LINEAR_UPDATE}")
        synapses = Synapses(units, units, model, namespace=namespace, dt=step,
                            name="hebbian_learning_synapses")
        mask = _lateral_mask(n_units, hypercolumn_size)
        pre, post = np.nonzero(mask.T)
        synapses.connect(i=pre, j=post)
        synapses.run_regularly(code, when="end", name="hebbian_learn")
        if bcpnn:  # the weights from the counts, after the counts of this step
            synapses.run_regularly(BCPNN_WEIGHT, when="end", order=1, name="hebbian_weights")
        _run(backend, [units, synapses], n_patterns * step, project)
        weights = np.zeros((n_units, n_units))
        weights[np.asarray(synapses.j[:]), np.asarray(synapses.i[:])] = np.asarray(synapses.w[:])
        bias = np.asarray(units.b_learned[:]) if bcpnn else np.zeros(n_units)
        return weights, bias

    return _on_backend(backend, build, directory)


#: Trace-based BCPNN: unit and pair traces move towards each presented pattern.
TRACE_UNIT_EQUATIONS = """
x : 1  # the presented pattern
p : 1  # p_i, the unit's probability trace
b_learned : 1  # b_i = log max(p_i, eps)
"""
TRACE_SYNAPSE_MODEL = """
p_pair : 1  # p_ij, the pair's probability trace
w : 1  # W_ij = log max(p_ij, eps^2) / (max(p_i, eps) max(p_j, eps))
"""


def learn_online_bcpnn_traces(patterns, *, trace_rate=0.05, initial_probability=0.05,
                              regulariser=1e-4, backend="numpy", hypercolumn_size=None,
                              directory=None):
    """
    Trace-based BCPNN learned in Brian2 (the mode of `bioam.hebbian.rules.bcpnn_trace_weights`).

    The patterns are presented one per step; each step the units' and the
    synapses' traces move ``trace_rate`` of the way towards the pattern (Brian2
    code in the units and in the synapses), then the weights and biases are
    recomputed from the traces.

    Returns
    -------
    weights : ndarray, shape (D, D)
    bias : ndarray, shape (D,)

    Examples
    --------
    >>> import numpy as np
    >>> W, bias = learn_online_bcpnn_traces(np.array([[1, 0], [1, 0]]), trace_rate=0.5,
    ...                                     initial_probability=0.5)
    >>> np.round(np.exp(bias), 3)
    array([0.875, 0.125])
    """
    X, kind = check_patterns(patterns)
    if kind != "binary":
        raise BioamError("BCPNN needs 0/1 patterns; map -1 to 0")
    _check_trace_settings(trace_rate, initial_probability, regulariser)
    n_patterns, n_units = X.shape
    if hypercolumn_size is not None:
        _check_hypercolumn_size(hypercolumn_size, n_units)
    step = 1 * ms

    def build(project):
        shown = TimedArray(X, dt=step, name="hebbian_patterns")
        namespace = {"hebbian_patterns": shown, "alpha": float(trace_rate),
                     "epsilon": float(regulariser)}
        units = NeuronGroup(n_units, TRACE_UNIT_EQUATIONS, namespace=namespace, dt=step,
                            name="hebbian_learning_units")
        units.p = float(initial_probability)
        units.run_regularly("x = hebbian_patterns(t, i)", when="start",
                            name="hebbian_show_pattern")
        units.run_regularly("p += alpha * (x - p)", when="end", name="hebbian_unit_trace")
        units.run_regularly("b_learned = log(clip(p, epsilon, inf))", when="end", order=1,
                            name="hebbian_bias")
        synapses = Synapses(units, units, TRACE_SYNAPSE_MODEL, namespace=namespace, dt=step,
                            name="hebbian_learning_synapses")
        pre, post = np.nonzero(_lateral_mask(n_units, hypercolumn_size).T)
        synapses.connect(i=pre, j=post)
        synapses.p_pair = float(initial_probability) ** 2
        synapses.run_regularly("p_pair += alpha * (x_pre * x_post - p_pair)", when="end",
                               name="hebbian_pair_trace")
        synapses.run_regularly(
            "w = log(clip(p_pair, epsilon**2, inf) / (clip(p_pre, epsilon, inf) "
            "* clip(p_post, epsilon, inf)))", when="end", order=1, name="hebbian_weights")
        _run(backend, [units, synapses], n_patterns * step, project)
        weights = np.zeros((n_units, n_units))
        weights[np.asarray(synapses.j[:]), np.asarray(synapses.i[:])] = np.asarray(synapses.w[:])
        return weights, np.asarray(units.b_learned[:])

    return _on_backend(backend, build, directory)


def recall_hebbian(weights, cues, *, bias=None, update="sign", steps=20, threshold="active",
                   k=None, hypercolumn_size=None, tau=10 * ms, dt=1 * ms, backend="numpy",
                   directory=None, self_connections=False):
    """
    Recall ``cues`` in Brian2: ``steps`` synchronous updates of every copy.

    Parameters
    ----------
    weights : array-like, shape (D, D)
    cues : array-like, shape (B, D)
        +-1 states (``'sign'``, ``'rate'``) or 0/1 states (the others).
    bias, update, threshold, k, hypercolumn_size, tau, dt, self_connections
        As in `build_hebbian_network` (``dt`` is the rate units' step).
    steps : int
        Number of updates (steps of ``dt``).
    backend : str
    directory : str, optional

    Returns
    -------
    ndarray, shape (B, D)
        The states after ``steps`` updates.
    """
    weights = check_square_weights(weights)
    piece = _update_piece(update, threshold, k, hypercolumn_size, tau, dt, weights.shape[0])
    cues = check_states(cues, weights.shape[0], piece.states, name="cues")
    if not np.all(np.isfinite(cues)):
        raise BioamError("cues contain NaN or infinite values; give finite states")
    if int(steps) != steps or steps < 1:
        raise BioamError(f"steps must be a positive integer, got {steps}")

    def build(project):
        memory = build_hebbian_network(weights, bias=bias, update=piece,
                                       hypercolumn_size=hypercolumn_size,
                                       n_copies=len(cues), dt=dt, tau=tau,
                                       self_connections=self_connections)
        memory.set_states(cues)
        _run(backend, memory.objects, int(steps) * dt, project)
        return memory.states()

    return _on_backend(backend, build, directory)
