"""
An independent NumPy integrator of Eq. (1), the oracle the Brian2 model is tested against.

It shares no code with the Brian2 builder except the NumPy form of the
activation: the same ODE, the same forward Euler step and the same ``dt``,
vectorised over a batch of cues with matrix products.
"""

import numpy as np

from .activations import get_activation
from .validation import check_cues, check_theta, check_timing, check_weights

__all__ = ["reference_recall", "fixed_point_hidden_state", "number_of_steps"]


def number_of_steps(duration, dt):
    """
    Time steps in ``duration`` (seconds): ``duration / dt`` rounded to the
    nearest integer when within 1e-4 of it, else rounded up (Brian2's clock rule).
    """
    nearest = round(duration / dt)
    if abs(nearest * dt - duration) / dt <= 1e-4:
        return int(nearest)
    return int(np.ceil(duration / dt))


def reference_recall(xi, cues, *, xi_back=None, theta=0.5, tau_v, tau_h, dt, duration,
                     activation="step", steepness=20.0, initial_hidden=None,
                     record_every=None):
    """
    Integrate Eq. (1) with forward Euler for a batch of cues.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    cues : array-like, shape (B, N_v)
        Initial visible states; hidden states start at 0 (Eq. 12b) unless
        ``initial_hidden`` is given.
    xi_back : array-like, shape (N_h, N_v), optional
    theta : float or array-like, shape (N_h,)
    tau_v, tau_h, dt, duration : Quantity
    activation : {'step', 'sigmoid'}
    steepness : float
    initial_hidden : array-like, shape (B, N_h), optional
    record_every : int, optional
        Keep the state every ``record_every`` steps (and at t = 0).

    Returns
    -------
    dict
        ``visible`` (B, N_v), ``h`` (B, N_h), ``hidden`` = s(h) (B, N_h) and, with
        ``record_every``, ``visible_trace`` and ``h_trace`` of shape (B, N, T).
    """
    xi, xi_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    cues = check_cues(cues, n_visible)
    theta = check_theta(theta, n_hidden)
    check_timing(tau_v, tau_h, dt, duration)
    act = get_activation(activation)

    dt_s, tau_v_s, tau_h_s = float(dt), float(tau_v), float(tau_h)
    n_steps = number_of_steps(float(duration), dt_s)
    forward = xi * (np.sqrt(n_hidden) / n_visible)  # Eq. 1b scaling
    backward = xi_back / np.sqrt(n_hidden)  # Eq. 1a scaling
    v = cues.copy()
    h = np.zeros((cues.shape[0], n_hidden)) if initial_hidden is None else np.array(initial_hidden, dtype=float)
    traces_v, traces_h = [], []
    for step in range(n_steps):
        if record_every and step % record_every == 0:
            traces_v.append(v.copy())
            traces_h.append(h.copy())
        s = act.numpy(h, theta, steepness)
        dv = (-v + s @ backward) * (dt_s / tau_v_s)
        dh = (-h + v @ forward) * (dt_s / tau_h_s)
        v += dv
        h += dh
    result = {"visible": v, "h": h, "hidden": act.numpy(h, theta, steepness)}
    if record_every:
        result["visible_trace"] = np.stack(traces_v, axis=-1)
        result["h_trace"] = np.stack(traces_h, axis=-1)
    return result


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
        The smallest |h - theta| over hidden neurons at the fixed point.
    """
    xi, xi_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    theta = check_theta(theta, n_hidden)
    s = np.asarray(hidden_state, dtype=float)
    coupling = xi.T @ xi_back.T / n_visible  # J_{mu nu}, Eq. 6
    h = s @ coupling.T
    is_fixed = np.all((h > theta) == (s > 0.5), axis=1)
    margin = np.min(np.abs(h - theta), axis=1)
    return is_fixed, margin
