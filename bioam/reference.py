"""
An independent NumPy integrator of Eq. (1), the oracle the Brian2 model is tested against.

It shares no code with the Brian2 builder except the NumPy form of the
activation: the same ODE, the same ``dt``, vectorised over a batch of cues
with matrix products. Two integrators are offered:

- ``'euler'``: forward Euler on (v, h);
- ``'exact'`` (step activation only): while s is constant Eq. (1) is linear
  with constant input, so each time step is solved in closed form; s is
  re-evaluated at the start of every step ("pieces solved exactly, flips
  detected at step ends"), which makes the flip times, and only they, first
  order in ``dt``.

`lowrank_recall` runs the same ``'exact'`` integrator on the hidden input
I = (N_h^(1/2) / N_v) xi^T v and h only (N_h numbers per cue); v is rebuilt at
the end from the times of the flips.
"""

import numpy as np

from .pieces import get_piece
from .validation import (BioamError, _as_float_array, check_cues, check_theta, check_time,
                         check_timing, check_weights)

__all__ = ["reference_recall", "lowrank_recall", "fixed_point_hidden_state", "number_of_steps"]

INTEGRATORS = ("euler", "exact")

#: Relative difference below which tau_v and tau_h are treated as equal.
_EQUAL_TAU_RTOL = 1e-12


def number_of_steps(duration, dt):
    """
    Time steps in ``duration`` (seconds): ``duration / dt`` rounded to the
    nearest integer when within 1e-4 of it, else rounded up (Brian2's clock rule).
    """
    nearest = round(duration / dt)
    if abs(nearest * dt - duration) / dt <= 1e-4:
        return int(nearest)
    return int(np.ceil(duration / dt))


def _check_exact_timing(tau_v, tau_h, dt, duration):
    """
    The checks of `check_timing` less its Euler stability limit (dt < tau_h).

    The exact pieces are stable for any ``dt``; only the flip times get coarser.
    """
    for name, value in (("tau_v", tau_v), ("tau_h", tau_h), ("dt", dt), ("duration", duration)):
        check_time(name, value)
    if duration < dt:
        raise BioamError(
            f"duration ({duration}) is shorter than one time step dt ({dt}); "
            "give a longer duration"
        )


def _exact_factors(dt, tau_v, tau_h):
    """
    The coefficients of one exact step of Eq. (1) with s held constant.

    Over a time ``dt`` with constant K = J s (and u = N_h^(-1/2) xi_back^T s)::

        I <- K + (I - K) a_v
        h <- K + (h - K) a_h + (I - K) g

    with a_v = exp(-dt / tau_v), a_h = exp(-dt / tau_h) and
    g = tau_v (a_v - a_h) / (tau_v - tau_h). ``g`` is computed as
    a_v (dt / tau_h) (1 - exp(-x)) / x with x = dt (1/tau_h - 1/tau_v), through
    `numpy.expm1`, so it stays accurate when the two time constants are close,
    and becomes a (dt / tau) when they are equal (relative difference
    <= 1e-12).

    Parameters
    ----------
    dt, tau_v, tau_h : float
        Seconds.

    Returns
    -------
    a_v, a_h, g : float

    Examples
    --------
    >>> a_v, a_h, g = _exact_factors(1e-4, 20e-3, 1e-3)
    >>> bool(np.isclose(g, 20 * (a_v - a_h) / 19, rtol=1e-12))
    True
    >>> a_v, a_h, g = _exact_factors(1e-4, 1e-3, 1e-3)
    >>> bool(np.isclose(g, 0.1 * np.exp(-0.1), rtol=1e-15))
    True
    """
    a_v = np.exp(-dt / tau_v)
    a_h = np.exp(-dt / tau_h)
    if abs(tau_v - tau_h) <= _EQUAL_TAU_RTOL * max(tau_v, tau_h):
        return a_v, a_h, a_v * (dt / tau_h)
    x = dt * (tau_v - tau_h) / (tau_v * tau_h)  # dt (1/tau_h - 1/tau_v), no cancellation
    return a_v, a_h, a_v * (dt / tau_h) * (-np.expm1(-x) / x)


def reference_recall(xi, cues, *, xi_back=None, theta=0.5, tau_v, tau_h, dt, duration,
                     activation="step", steepness=20.0, visible_nonlinearity="identity",
                     initial_hidden=None,
                     record_every=None, integrator="euler"):
    """
    Integrate Eq. (1) for a batch of cues, with forward Euler or exact pieces.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    cues : array-like, shape (B, N_v)
        Initial visible states; hidden states start at 0 (Eq. 12b) unless
        ``initial_hidden`` is given.
    xi_back : array-like, shape (N_h, N_v), optional
    theta : float or array-like, shape (N_h,)
    tau_v, tau_h, dt, duration : Quantity
    activation : str or piece
        The hidden nonlinearity f (`bioam.pieces`), applied with its NumPy twin.
    steepness : float
        Slope of the sigmoid, unless ``activation`` sets it.
    visible_nonlinearity : str or piece
        What the hidden neurons sum, g(v) (Eq. 32b); 'identity' in Eq. 1b.
    initial_hidden : array-like, shape (B, N_h), optional
    record_every : int, optional
        Keep the state every ``record_every`` steps (and at t = 0).
    integrator : {'euler', 'exact'}
        ``'euler'``: forward Euler on (v, h), which needs ``dt < tau_h``.
        ``'exact'`` (step activation only): at the start of each step
        s = Theta(h - theta) is evaluated, then (v, h) are advanced over ``dt``
        by the closed-form solution of Eq. (1) with that s held constant. The
        hidden input I = (N_h^(1/2) / N_v) xi^T v is computed from v at every
        step (J is never used). There is no stability limit on ``dt``.

    Returns
    -------
    dict
        ``visible`` (B, N_v), ``h`` (B, N_h), ``hidden`` = s(h) (B, N_h) and, with
        ``record_every``, ``visible_trace`` and ``h_trace`` of shape (B, N, T).

    Raises
    ------
    BioamError
        On bad weights, cues, theta or times, an unknown ``integrator``, or
        ``integrator='exact'`` with an activation other than ``'step'``.

    Examples
    --------
    >>> from brian2 import ms
    >>> xi = np.array([[1.0], [1.0]])
    >>> kwds = dict(theta=0.5, tau_v=20 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=10 * ms)
    >>> euler = reference_recall(xi, [[1.0, 1.0]], **kwds)
    >>> exact = reference_recall(xi, [[1.0, 1.0]], integrator="exact", **kwds)
    >>> exact["hidden"].tolist() == euler["hidden"].tolist() == [[1.0]]
    True
    """
    if integrator not in INTEGRATORS:
        raise BioamError(
            f"integrator must be one of {list(INTEGRATORS)}, got {integrator!r}; "
            "use integrator='euler' or 'exact'"
        )
    act = get_piece("hidden", activation, steepness=steepness)
    visible_output = get_piece("visible", visible_nonlinearity)
    if integrator == "exact" and (act.name != "step" or visible_output.name != "identity"):
        raise BioamError(
            f"integrator='exact' needs activation='step' and visible_nonlinearity="
            f"'identity' (s piecewise constant, linear dynamics), got {act.spec()!r} and "
            f"{visible_output.spec()!r}; use integrator='euler' for these pieces"
        )
    xi, xi_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    cues = check_cues(cues, n_visible)
    theta = check_theta(theta, n_hidden)
    if integrator == "exact":
        _check_exact_timing(tau_v, tau_h, dt, duration)
    else:
        check_timing(tau_v, tau_h, dt, duration)

    dt_s, tau_v_s, tau_h_s = float(dt), float(tau_v), float(tau_h)
    n_steps = number_of_steps(float(duration), dt_s)
    forward = xi * (np.sqrt(n_hidden) / n_visible)  # Eq. 1b scaling
    backward = xi_back / np.sqrt(n_hidden)  # Eq. 1a scaling
    v = cues.copy()
    h = _initial_hidden(initial_hidden, cues.shape[0], n_hidden)
    if integrator == "exact":
        a_v, a_h, g = _exact_factors(dt_s, tau_v_s, tau_h_s)
    traces_v, traces_h = [], []
    for step in range(n_steps):
        if record_every and step % record_every == 0:
            traces_v.append(v.copy())
            traces_h.append(h.copy())
        s = act.numpy(h, theta)
        if integrator == "exact":
            u = s @ backward  # visible fixed point for this s
            drive = v @ forward  # hidden input I at the start of the step
            target = u @ forward  # K = J s, through the visible layer
            v = u + (v - u) * a_v
            h = target + (h - target) * a_h + (drive - target) * g
        else:
            dv = (-v + s @ backward) * (dt_s / tau_v_s)
            dh = (-h + visible_output.numpy(v) @ forward) * (dt_s / tau_h_s)
            v += dv
            h += dh
    result = {"visible": v, "h": h, "hidden": act.numpy(h, theta)}
    if record_every:
        result["visible_trace"] = np.stack(traces_v, axis=-1)
        result["h_trace"] = np.stack(traces_h, axis=-1)
    return result


def _initial_hidden(initial_hidden, n_cues, n_hidden):
    """h(0), shape (B, N_h): zeros (Eq. 12b) or ``initial_hidden`` broadcast, as float64."""
    if initial_hidden is None:
        return np.zeros((n_cues, n_hidden))
    h = np.asarray(initial_hidden, dtype=np.float64)
    try:
        h = np.broadcast_to(h, (n_cues, n_hidden)).copy()
    except ValueError:
        raise BioamError(
            f"initial_hidden must have shape (B, N_h) = ({n_cues}, {n_hidden}), one row "
            f"per cue, got shape {h.shape}"
        ) from None
    if not np.all(np.isfinite(h)):
        raise BioamError("initial_hidden contains NaN or infinite values; give finite numbers")
    return h


def lowrank_recall(xi, cues, *, xi_back=None, theta=0.5, tau_v, tau_h, dt, duration,
                   initial_hidden=None):
    """
    Recall with the exact-pieces integrator run on the hidden input and h only.

    The same iterates as ``reference_recall(..., integrator='exact')`` (to
    rounding), computed in the low-rank form of Eq. (1)::

        tau_v dI/dt = -I + J s,   J = xi^T xi_back^T / N_v
        tau_h dh/dt = -h + I,     I(0) = (N_h^(1/2) / N_v) xi^T v(0)

    The cues are projected once; each step then costs O(B N_h): s is
    evaluated from h at the start of the step and, with K = J s held constant,
    I and h are advanced in closed form. Only the cues whose hidden state
    flipped in a step get more work, O(N_h) per flip: K changes by the flipped
    units' columns of J. v is never stepped: because u = N_h^(-1/2) xi_back^T s
    is constant between flips, v(T) = v(0) e^(-T/tau_v) + sum over flips f of
    (1 - e^(-(T - t_f)/tau_v)) N_h^(-1/2) xi_back^T delta_s_f, whose
    coefficients are summed per hidden unit during the run and multiplied by
    xi_back once at the end. Cues are integrated in blocks of 2,048.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    cues : array-like, shape (B, N_v)
        Initial visible states; hidden states start at 0 (Eq. 12b) unless
        ``initial_hidden`` is given.
    xi_back : array-like, shape (N_h, N_v), optional
        Backward weights; ``xi.T`` when not given.
    theta : float or array-like, shape (N_h,)
    tau_v, tau_h, dt, duration : Quantity
        The number of steps is ``number_of_steps(duration, dt)``. There is no
        stability limit on ``dt``.
    initial_hidden : array-like, shape (B, N_h), optional

    Returns
    -------
    dict
        ``visible`` (B, N_v), ``h`` (B, N_h), ``hidden`` = Theta(h - theta)
        (B, N_h) as floats 0/1, and ``n_flips`` (B,) int: the number of unit
        flips per cue, counted from s = 0 before the first step (a unit with
        h(0) > theta counts as one flip at step 0).

    Examples
    --------
    >>> from brian2 import ms
    >>> rng = np.random.default_rng(0)
    >>> xi, cues = rng.uniform(0, 1, (30, 3)), rng.uniform(0, 1, (4, 30))
    >>> kwds = dict(theta=0.5, tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=20 * ms)
    >>> fast = lowrank_recall(xi, cues, **kwds)
    >>> dense = reference_recall(xi, cues, integrator="exact", **kwds)
    >>> bool(np.allclose(fast["h"], dense["h"], rtol=0, atol=1e-12))
    True
    >>> bool(np.array_equal(fast["hidden"], dense["hidden"]))
    True
    """
    xi, xi_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    cues = check_cues(cues, n_visible)
    theta = check_theta(theta, n_hidden)
    _check_exact_timing(tau_v, tau_h, dt, duration)

    dt_s, tau_v_s, tau_h_s = float(dt), float(tau_v), float(tau_h)
    n_steps = number_of_steps(float(duration), dt_s)
    a_v, a_h, g = _exact_factors(dt_s, tau_v_s, tau_h_s)
    forward = xi * (np.sqrt(n_hidden) / n_visible)  # Eq. 1b scaling
    backward = xi_back / np.sqrt(n_hidden)  # Eq. 1a scaling, row mu = unit mu's input to v
    coupling_t = backward @ forward  # J^T = xi_back xi / N_v, so that K = s @ J^T
    h0 = _initial_hidden(initial_hidden, cues.shape[0], n_hidden)
    parts = [
        _lowrank_block(cues[first:first + _BLOCK_ROWS], h0[first:first + _BLOCK_ROWS], theta,
                       forward, backward, coupling_t, n_steps, dt_s, tau_v_s, a_v, a_h, g)
        for first in range(0, cues.shape[0], _BLOCK_ROWS)
    ]
    v, h, n_flips = (np.concatenate(arrays) for arrays in zip(*parts))
    return {"visible": v, "h": h, "hidden": (h > theta).astype(np.float64), "n_flips": n_flips}


#: Cues integrated together by `lowrank_recall`: small enough that the (B, N_h)
#: state stays in cache, large enough that NumPy's per-call overhead is small.
_BLOCK_ROWS = 2048


def _lowrank_block(cues, h0, theta, forward, backward, coupling_t, n_steps, dt_s, tau_v_s,
                   a_v, a_h, g):
    """The loop of `lowrank_recall` for one block of cues; returns (v, h, n_flips)."""
    n_cues, n_hidden = h0.shape
    # State relative to K = J s: x = I - K and y = h - K decay towards 0, and
    # the flip test h > theta is y > theta - K. theta - K changes only at flips.
    x = cues @ forward
    y = h0.copy()
    margin = np.broadcast_to(theta, (n_cues, n_hidden)).copy()  # theta - K
    s = np.zeros((n_cues, n_hidden), dtype=bool)
    # v(T) = v(0) e^(-T/tau_v) + sum over flips of (1 - e^(-(T - t_f)/tau_v)) delta_f @ backward;
    # the bracketed weights are summed per hidden unit, so a flip costs O(N_h).
    weight = np.zeros((n_cues, n_hidden))
    n_flips = np.zeros(n_cues, dtype=np.int64)
    above = np.empty((n_cues, n_hidden), dtype=bool)
    changed = np.empty((n_cues, n_hidden), dtype=bool)
    scratch = np.empty((n_cues, n_hidden))

    for step in range(n_steps):
        np.greater(y, margin, out=above)
        np.not_equal(above, s, out=changed)
        if changed.any():
            rows = np.flatnonzero(changed.any(axis=1))
            above_rows = above[rows]
            delta = above_rows.astype(np.float64) - s[rows]
            d_k = delta @ coupling_t
            x[rows] -= d_k
            y[rows] -= d_k
            margin[rows] -= d_k
            weight[rows] -= np.expm1(-((n_steps - step) * dt_s) / tau_v_s) * delta
            s[rows] = above_rows
            n_flips[rows] += np.count_nonzero(delta, axis=1)
        # one exact step with s constant: y <- a_h y + g x, x <- a_v x
        np.multiply(x, g, out=scratch)
        y *= a_h
        y += scratch
        x *= a_v

    v = cues * np.exp(-(n_steps * dt_s) / tau_v_s) + weight @ backward
    return v, (theta - margin) + y, n_flips


def fixed_point_hidden_state(xi, hidden_state, *, xi_back=None, theta=0.5):
    """
    Whether binary hidden states are fixed points of Eq. (5).

    At a fixed point of Eq. (1), v = N_h^(-1/2) xi_back^T s and
    h = J s with J = xi^T xi_back^T / N_v (Eq. 6, 11); the state is a fixed
    point when Theta(h - theta) reproduces s.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    hidden_state : array-like, shape (B, N_h), values 0/1
    xi_back : array-like, shape (N_h, N_v), optional
    theta : float or array-like, shape (N_h,)

    Returns
    -------
    is_fixed : ndarray of bool, shape (B,)
    margin : ndarray, shape (B,)
        The smallest ``|h - theta|`` over hidden neurons at the fixed point.
    """
    xi, xi_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    theta = check_theta(theta, n_hidden)
    s = np.atleast_2d(_as_float_array("hidden_state", hidden_state))
    if s.ndim != 2 or s.shape[1] != n_hidden:
        raise BioamError(f"hidden_state must have shape (B, N_h) with N_h = {n_hidden} (the "
                         f"second dimension of xi), got shape {np.shape(hidden_state)}")
    coupling = xi.T @ xi_back.T / n_visible  # J_{mu nu}, Eq. 6
    h = s @ coupling.T
    is_fixed = np.all((h > theta) == (s > 0.5), axis=1)
    margin = np.min(np.abs(h - theta), axis=1)
    return is_fixed, margin
