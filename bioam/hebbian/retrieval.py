"""
Retrieval in Hebbian associative memories: the NumPy reference.

Weights have rows = postsynaptic units, so the field of unit i in state x
is h_i = sum_j W[i, j] x_j + b_i. Every update is synchronous: all units
are updated at once from the same state (the single-pass recall of paper 003,
Eq. 7, and of paper 004, Eq. 3).

* `sign_update`: +-1 units, x_i <- sgn(h_i) (003 Eq. 6-7). sgn(0) is defined
  here as "keep the previous state": a unit whose field is exactly zero does
  not change. This keeps the update symmetric under x -> -x (with no bias a
  stored pattern and its negative behave alike), which sgn(0) = +1 would break;
  ties occur with integer weights (activity product rule with eta = 1).
* `threshold_update`: 0/1 units on iff h_i reaches a threshold; the default
  ``'active'`` is Willshaw's: the number of active units other than i
  itself (with no self-connections, a unit of the stored pattern that is in
  the cue receives one input less than one that is not).
* `k_winners_update`: the k units with the largest fields are on; units tied
  with the k-th largest field are on too (so ties can give more than k).
* `hypercolumn_update`: BCPNN's winner-take-all per hypercolumn; the D units
  are H hypercolumns of M = ``hypercolumn_size`` units, hypercolumn h being
  units h*M .. h*M + M - 1; the unit with the largest support in each is on,
  ties going to the lowest index.
* `iterate`: any of these repeated to a fixed point or a two-cycle (with
  symmetric weights synchronous dynamics end in one of the two: Goles-Chacc,
  Fogelman-Soulie & Pellegrin 1985), or until ``max_steps``.
* `rate_dynamics`: tau dx/dt = -x + g(W x + b), forward Euler, for the
  comparison with Brian2 rate neurons.

Examples
--------
>>> import numpy as np
>>> from bioam.hebbian.rules import offline_weights, activity_product
>>> pattern = np.array([[1, -1, 1, -1, 1, 1]])
>>> W = offline_weights(pattern, activity_product())
>>> iterate(W, [1, 1, 1, -1, 1, -1]).state
array([[ 1., -1.,  1., -1.,  1.,  1.]])
"""

from dataclasses import dataclass

import numpy as np
from brian2.units.fundamentalunits import Quantity

from ..validation import BioamError, check_time
from .rules import _check_hypercolumn_size, _check_weight_matrix

__all__ = ["IterationResult", "sign_update", "threshold_update", "k_winners_update",
           "hypercolumn_update", "iterate", "rate_dynamics", "check_square_weights",
           "check_states", "check_bias"]

_UPDATES = ("sign", "threshold", "k_winners", "hypercolumn")


def check_square_weights(W):
    """Validate a square weight matrix; returns a float64 array."""
    W = _check_weight_matrix(W)
    if W.shape[0] != W.shape[1] or W.shape[0] < 2:
        raise BioamError(f"W must be a square (D, D) matrix with D >= 2, got shape {W.shape}")
    return W


def check_states(x, units, values, name="x"):
    """
    Validate states: shape (D,) or (B, D), every value in ``values``.

    Returns
    -------
    ndarray, shape (B, D), float64 (a copy)
    """
    array = np.asarray(x)
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise BioamError(f"{name} must be a numeric array, got dtype {array.dtype}")
    array = np.array(array, dtype=np.float64, ndmin=2)
    if array.ndim != 2 or array.shape[1] != units or array.shape[0] < 1:
        raise BioamError(f"{name} must have shape ({units},) or (B, {units}) to match W, got "
                         f"shape {np.shape(x)}")
    if not np.all(np.isfinite(array)):
        raise BioamError(f"{name} contains NaN or infinite values; give finite states")
    if values is not None and not np.all(np.isin(array, values)):
        code = "+-1" if -1 in values else "0/1"
        raise BioamError(f"{name} must hold only {code} values for this update; map the "
                         f"states to {code}")
    return array


def check_bias(bias, units):
    """Validate a bias: None (zero), a scalar or one value per unit; returns shape (D,)."""
    if bias is None:
        return np.zeros(units)
    array = np.asarray(bias, dtype=np.float64)
    if array.ndim == 0:
        array = np.full(units, float(array))
    if array.shape != (units,) or not np.all(np.isfinite(array)):
        raise BioamError(f"bias must be a finite scalar or have shape ({units},), got "
                         f"shape {np.shape(bias)}")
    return array


def _field(W, x, bias):
    return x @ W.T + bias


def _sign_step(W, x, bias):
    field = _field(W, x, bias)
    # sgn(0) := keep the previous state (module docstring)
    return np.where(field > 0, 1.0, np.where(field < 0, -1.0, x))


def _threshold_step(W, x, bias, threshold):
    field = _field(W, x, bias)
    if isinstance(threshold, str):
        # Willshaw: h_i >= number of active units other than i
        theta = x.sum(axis=1, keepdims=True) - x
    else:
        theta = threshold
    return (field >= theta).astype(np.float64)


def _k_winners_step(W, x, bias, k):
    field = _field(W, x, bias)
    kth = -np.partition(-field, k - 1, axis=1)[:, k - 1:k]
    return (field >= kth).astype(np.float64)


def _hypercolumn_step(W, x, bias, size):
    field = _field(W, x, bias)
    batch, units = field.shape
    winners = field.reshape(batch, units // size, size).argmax(axis=2)
    state = np.zeros((batch, units // size, size))
    np.put_along_axis(state, winners[:, :, None], 1.0, axis=2)
    return state.reshape(batch, units)


def _check_threshold(threshold, units):
    if isinstance(threshold, str):
        if threshold != "active":
            raise BioamError(f"threshold must be a number, one value per unit, or 'active', got "
                             f"{threshold!r}")
        return threshold
    array = np.asarray(threshold, dtype=np.float64)
    if array.ndim == 0:
        array = np.full(units, float(array))
    if array.shape != (units,) or not np.all(np.isfinite(array)):
        raise BioamError(f"threshold must be a finite scalar, shape ({units},) or 'active', got "
                         f"{threshold!r}")
    return array


def _check_k(k, units):
    if k is None or isinstance(k, bool) or int(k) != k or not 1 <= k <= units:
        raise BioamError(f"k (the number of winners) must be an integer in [1, {units}], "
                         f"got {k!r}")
    return int(k)


def _output(state, x):
    return state[0] if np.ndim(x) == 1 else state


def sign_update(W, x, bias=None):
    """
    One synchronous update of +-1 units, x_i <- sgn(sum_j W_ij x_j + b_i) (003 Eq. 7).

    A unit with zero field keeps its state (sgn(0) := previous state).

    Parameters
    ----------
    W : array-like, shape (D, D)
    x : array-like, shape (D,) or (B, D), +-1
    bias : float or array-like, shape (D,), optional

    Returns
    -------
    ndarray, the shape of ``x``

    Examples
    --------
    >>> W = np.array([[0, 1, -1], [1, 0, 0], [-1, 0, 0]])
    >>> sign_update(W, [-1, 1, 1])   # unit 0 has field 0: it stays at -1
    array([-1., -1.,  1.])
    """
    W = check_square_weights(W)
    states = check_states(x, W.shape[0], (-1.0, 1.0))
    return _output(_sign_step(W, states, check_bias(bias, W.shape[0])), x)


def threshold_update(W, x, threshold="active", bias=None):
    """
    One synchronous update of 0/1 units: x_i <- 1 if h_i >= threshold_i else 0.

    Parameters
    ----------
    W : array-like, shape (D, D)
    x : array-like, shape (D,) or (B, D), 0/1
    threshold : float, array-like of shape (D,), or 'active'
        ``'active'``: Willshaw retrieval, unit i is on iff h_i >= (number of
        active units of x) - x_i, that is iff it is connected (weight 1) to
        every active unit other than itself.
    bias : float or array-like, optional

    Returns
    -------
    ndarray, the shape of ``x``

    Examples
    --------
    >>> W = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 0]])
    >>> threshold_update(W, [1, 1, 0, 0])
    array([1., 1., 1., 0.])
    """
    W = check_square_weights(W)
    states = check_states(x, W.shape[0], (0.0, 1.0))
    theta = _check_threshold(threshold, W.shape[0])
    return _output(_threshold_step(W, states, check_bias(bias, W.shape[0]), theta), x)


def k_winners_update(W, x, k, bias=None):
    """
    One synchronous k-winners-take-all update: units whose field is at least the
    k-th largest field are on (ties at the boundary all on), the rest off.

    Examples
    --------
    >>> W = np.array([[0, 2, 1], [2, 0, 1], [1, 1, 0]])
    >>> k_winners_update(W, [1, 1, 1], k=1)   # fields 3, 3, 2: a tie at the top
    array([1., 1., 0.])
    """
    W = check_square_weights(W)
    states = check_states(x, W.shape[0], None)
    k = _check_k(k, W.shape[0])
    return _output(_k_winners_step(W, states, check_bias(bias, W.shape[0]), k), x)


def hypercolumn_update(W, x, hypercolumn_size, bias=None):
    """
    One synchronous winner-take-all update per hypercolumn (BCPNN retrieval).

    Units h*M .. h*M + M - 1 form hypercolumn h (M = ``hypercolumn_size``);
    in each the unit with the largest support h_i = b_i + sum_j W_ij x_j is on,
    ties going to the lowest index.

    Examples
    --------
    >>> W = np.zeros((4, 4)); W[1, 3] = W[3, 1] = 1.0
    >>> hypercolumn_update(W, [1, 0, 0, 1], hypercolumn_size=2)   # supports 0, 1 | 0, 0
    array([0., 1., 1., 0.])
    """
    W = check_square_weights(W)
    states = check_states(x, W.shape[0], None)
    size = _check_hypercolumn_size(hypercolumn_size, W.shape[0])
    return _output(_hypercolumn_step(W, states, check_bias(bias, W.shape[0]), size), x)


@dataclass(frozen=True)
class IterationResult:
    """
    The end of iterated synchronous dynamics, one entry per cue.

    Attributes
    ----------
    state : ndarray, shape (B, D)
        The last state (for a two-cycle, the state after the last update).
    steps : ndarray of int, shape (B,)
        Updates that changed the state (0: the cue was already a fixed point).
    fixed_point : ndarray of bool, shape (B,)
    cycle : ndarray of bool, shape (B,)
        Ended in a two-cycle. Cues with neither flag set reached ``max_steps``.
    """

    state: np.ndarray
    steps: np.ndarray
    fixed_point: np.ndarray
    cycle: np.ndarray


def _stepper(W, update, bias, threshold, k, hypercolumn_size):
    """The validated update function x -> x' and the values states must take."""
    units = W.shape[0]
    bias = check_bias(bias, units)
    if update == "sign":
        return (lambda x: _sign_step(W, x, bias)), (-1.0, 1.0)
    if update == "threshold":
        theta = _check_threshold(threshold, units)
        return (lambda x: _threshold_step(W, x, bias, theta)), (0.0, 1.0)
    if update == "k_winners":
        k = _check_k(k, units)
        return (lambda x: _k_winners_step(W, x, bias, k)), (0.0, 1.0)
    if update == "hypercolumn":
        if hypercolumn_size is None:
            raise BioamError("update='hypercolumn' needs hypercolumn_size (units per hypercolumn)")
        size = _check_hypercolumn_size(hypercolumn_size, units)
        return (lambda x: _hypercolumn_step(W, x, bias, size)), (0.0, 1.0)
    raise BioamError(f"update must be one of {_UPDATES}, got {update!r}")


def _check_max_steps(max_steps):
    if isinstance(max_steps, bool) or int(max_steps) != max_steps or max_steps < 1:
        raise BioamError(f"max_steps must be an integer >= 1, got {max_steps!r}")
    return int(max_steps)


def _iterate(step, states, max_steps):
    """Iterate ``step`` on the rows of ``states`` (no validation)."""
    batch = states.shape[0]
    state = states.copy()
    previous = np.full_like(state, np.nan)
    steps = np.zeros(batch, dtype=int)
    fixed_point = np.zeros(batch, dtype=bool)
    cycle = np.zeros(batch, dtype=bool)
    running = np.arange(batch)
    for _ in range(max_steps):
        current = state[running]
        new = step(current)
        unchanged = np.all(new == current, axis=1)
        returned = np.all(new == previous[running], axis=1) & ~unchanged
        fixed_point[running[unchanged]] = True
        cycle[running[returned]] = True
        steps[running[~unchanged]] += 1
        previous[running] = current
        state[running] = new
        running = running[~(unchanged | returned)]
        if running.size == 0:
            break
    return IterationResult(state, steps, fixed_point, cycle)


def iterate(W, x, max_steps=100, update="sign", bias=None, threshold="active", k=None,
            hypercolumn_size=None):
    """
    Iterated synchronous dynamics until a fixed point, a two-cycle or ``max_steps``.

    Parameters
    ----------
    W : array-like, shape (D, D)
    x : array-like, shape (D,) or (B, D)
        Cues: +-1 for ``'sign'``, 0/1 otherwise.
    max_steps : int
        Most synchronous updates per cue.
    update : {'sign', 'threshold', 'k_winners', 'hypercolumn'}
        `sign_update`, `threshold_update` (with ``threshold``),
        `k_winners_update` (with ``k``), `hypercolumn_update` (with
        ``hypercolumn_size``).
    bias : float or array-like, optional

    Returns
    -------
    IterationResult
        Arrays with one row or entry per cue (a 1-D cue gives B = 1).

    Examples
    --------
    >>> W = np.array([[0.0, -1.0], [-1.0, 0.0]])
    >>> result = iterate(W, [1, 1])    # (1, 1) -> (-1, -1) -> (1, 1)
    >>> bool(result.cycle[0]), bool(result.fixed_point[0]), int(result.steps[0])
    (True, False, 2)
    """
    W = check_square_weights(W)
    max_steps = _check_max_steps(max_steps)
    step, values = _stepper(W, update, bias, threshold, k, hypercolumn_size)
    states = check_states(x, W.shape[0], values)
    return _iterate(step, states, max_steps)


def _seconds(name, value):
    if isinstance(value, Quantity):
        return float(check_time(name, value))
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) \
            or not np.isfinite(value) or value <= 0:
        raise BioamError(f"{name} must be a positive time (a number in seconds or a Brian2 "
                         f"quantity such as 10*ms), got {value!r}")
    return float(value)


def rate_dynamics(W, x0, tau, dt, duration, g=np.tanh, bias=None, return_trajectory=False):
    """
    Continuous rate dynamics tau dx/dt = -x + g(W x + b), integrated by forward Euler.

    x(t + dt) = x(t) + dt / tau (-x(t) + g(W x(t) + b)), for round(duration /
    dt) steps from x(0) = x0 (Hopfield 1984 in the activity variable).

    Parameters
    ----------
    W : array-like, shape (D, D)
    x0 : array-like, shape (D,) or (B, D)
    tau, dt, duration : float (seconds) or Brian2 time quantity
        ``dt < tau`` for a stable Euler step.
    g : callable
        The rate function, applied elementwise.
    bias : float or array-like, optional
    return_trajectory : bool
        Also return the times and the state after every step.

    Returns
    -------
    x : ndarray, the shape of ``x0``
        The final state.
    (times, trajectory) : ndarray, ndarray
        Only with ``return_trajectory``: shapes (n + 1,) and (n + 1,) + x0.shape.

    Examples
    --------
    >>> x = rate_dynamics(np.zeros((2, 2)), [1.0, -1.0], tau=0.01, dt=0.001, duration=0.002)
    >>> x    # decays by (1 - dt/tau)^2 = 0.81
    array([ 0.81, -0.81])
    """
    W = check_square_weights(W)
    states = check_states(x0, W.shape[0], None, name="x0")
    bias = check_bias(bias, W.shape[0])
    tau = _seconds("tau", tau)
    dt = _seconds("dt", dt)
    duration = _seconds("duration", duration)
    if not dt < tau:
        raise BioamError(f"dt ({dt:g} s) must be smaller than tau ({tau:g} s) for a stable Euler "
                         "step; use e.g. dt = tau / 10")
    n_steps = int(round(duration / dt))
    if n_steps < 1:
        raise BioamError(f"duration ({duration:g} s) is shorter than one time step dt ({dt:g} s)")
    if not callable(g):
        raise BioamError(f"g must be a callable rate function such as np.tanh, got {g!r}")
    x = states
    trajectory = [x.copy()] if return_trajectory else None
    ratio = dt / tau
    for _ in range(n_steps):
        x = x + ratio * (-x + g(_field(W, x, bias)))
        if return_trajectory:
            trajectory.append(x.copy())
    final = _output(x, x0)
    if not return_trajectory:
        return final
    path = np.stack(trajectory)
    if np.ndim(x0) == 1:
        path = path[:, 0]
    return final, (np.arange(n_steps + 1) * dt, path)
