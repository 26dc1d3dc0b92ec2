"""
How many distinct memories a trained network holds, and how stable they are.

Section 3.2 of the paper counts the *unique minima*: the distinct binary
hidden states the network settles into when each stored image is given as a
cue. `evaluate_hidden_codes` runs the dynamics of Eq. (1) on every image
(by default with the NumPy reference integrator, in chunks to bound memory)
and reports that count, the fraction of final states that are fixed points
of Eq. (5), and the reconstruction error. For comparison it also counts the
codes the training objective assigns to the images, Theta(h(v_m) - theta) of
Eq. (17), which needs no simulation.
"""

import time

import numpy as np
from brian2 import ms

from .progress import progress_reporter
from .reference import fixed_point_hidden_state, reference_recall
from .validation import BioamError, check_cues, check_theta, check_weights

__all__ = [
    "RECALL_SETTINGS",
    "hidden_potential",
    "objective_codes",
    "count_unique",
    "evaluate_hidden_codes",
    "summarise_final_states",
]

#: Settings of the default recall (tau_v = 20 tau_h as in Figure 1; 5 tau_v).
RECALL_SETTINGS = {"tau_v": 20 * ms, "tau_h": 1 * ms, "dt": 0.1 * ms, "duration": 100 * ms}


def hidden_potential(xi, images):
    """
    The hidden potentials driven by the images held fixed on the visible layer.

    h_mu = N_h^(1/2) / N_v sum_i xi_imu v_i, the equilibrium of Eq. (1b) and
    the argument of Theta in Eq. (17).

    Parameters
    ----------
    xi : ndarray, shape (N_v, N_h)
    images : ndarray, shape (B, N_v)

    Returns
    -------
    ndarray, shape (B, N_h), in the floating type of the inputs
    """
    n_visible, n_hidden = xi.shape
    return (images @ xi) * float(np.sqrt(n_hidden) / n_visible)


def objective_codes(xi, theta, images, chunk_size=10000):
    """
    The binary hidden codes Theta(h(v_m) - theta) that Eq. (17) assigns.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    theta : float or array-like, shape (N_h,)
    images : array-like, shape (B, N_v)
    chunk_size : int
        Images per matrix product.

    Returns
    -------
    ndarray of bool, shape (B, N_h)
    """
    xi = np.asarray(xi)
    theta = np.asarray(theta, dtype=xi.dtype)
    images = np.asarray(images)
    codes = np.empty((images.shape[0], xi.shape[1]), dtype=bool)
    for start in range(0, images.shape[0], chunk_size):
        chunk = images[start:start + chunk_size].astype(xi.dtype, copy=False)
        codes[start:start + chunk_size] = hidden_potential(xi, chunk) > theta
    return codes


def count_unique(binary_states):
    """
    The number of distinct rows of a binary array.

    Parameters
    ----------
    binary_states : array-like, shape (B, N_h)
        Values 0/1 (or bool).

    Returns
    -------
    int
    """
    packed = np.packbits(np.asarray(binary_states) > 0.5, axis=1)
    return int(np.unique(packed, axis=0).shape[0])


def _default_recall(xi, cues, *, xi_back=None, theta=0.5):
    return reference_recall(xi, cues, xi_back=xi_back, theta=theta, activation="step",
                            **RECALL_SETTINGS)


def _final_states(result):
    """(visible, hidden) from a dict (reference_recall) or an object (RecallResult)."""
    if isinstance(result, dict):
        return np.asarray(result["visible"]), np.asarray(result["hidden"])
    return np.asarray(result.visible), np.asarray(result.hidden)


def evaluate_hidden_codes(xi, theta, images, xi_back=None, recall_fn=None, chunk_size=1000,
                          progress=False):
    """
    Recall every image and count the distinct final hidden states.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    theta : float or array-like, shape (N_h,)
    images : array-like, shape (M, N_v)
        The stored memories, used as cues.
    xi_back : array-like, shape (N_h, N_v), optional
        Separate backward weights of an asymmetric network.
    recall_fn : callable, optional
        ``recall_fn(xi, cues, xi_back=..., theta=...)`` returning final states
        as a dict with ``visible`` and ``hidden`` (like `reference_recall`) or an
        object with those attributes (like `bioam.recall`). Default: the
        NumPy reference with step activation, tau_v = 20 ms, tau_h = 1 ms,
        dt = 0.1 ms for 100 ms (`RECALL_SETTINGS`).
    chunk_size : int
        Cues per call of ``recall_fn``; bounds the memory used.
    progress : bool or callable
        One line per chunk: True writes them to standard error, a function is
        called with each (see `bioam.progress`).

    Returns
    -------
    dict
        ``n_memories``; ``unique_minima``, the number of distinct final binary
        hidden states; ``fixed_point_fraction``, the fraction of final states
        that are fixed points of Eq. (5) (`fixed_point_hidden_state`);
        ``reconstruction_mse``, the mean over images of the mean squared
        difference between final visible state and image;
        ``unique_codes_objective``, the number of distinct codes of Eq. (17)
        (`objective_codes`); ``code_agreement``, the fraction of images whose
        final hidden state equals that code; ``seconds`` of recall.
    """
    xi, checked_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    theta = check_theta(theta, n_hidden)
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != n_visible or images.shape[0] == 0:
        raise BioamError(
            f"images must have shape (M, N_v) with N_v = {n_visible}, got {images.shape}"
        )
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) \
            or chunk_size < 1:
        raise BioamError(f"chunk_size must be a positive whole number, got {chunk_size!r}")
    recall_fn = _default_recall if recall_fn is None else recall_fn
    report = progress_reporter(progress, __name__)
    back = None if xi_back is None else checked_back

    n_memories = images.shape[0]
    final_hidden = np.empty((n_memories, n_hidden), dtype=bool)
    squared_error = 0.0
    start_time = time.perf_counter()
    for start in range(0, n_memories, chunk_size):
        cues = check_cues(images[start:start + chunk_size], n_visible)
        visible, hidden = _final_states(recall_fn(xi, cues, xi_back=back, theta=theta))
        final_hidden[start:start + len(cues)] = hidden > 0.5
        squared_error += float(np.sum(np.mean((visible - cues) ** 2, axis=1)))
        report(f"recalled {start + len(cues)}/{n_memories} images "
               f"({time.perf_counter() - start_time:.0f} s)")
    seconds = time.perf_counter() - start_time
    report = summarise_final_states(xi, theta, images, final_hidden,
                                    squared_error / n_memories, xi_back=back)
    report["seconds"] = seconds
    return report


def summarise_final_states(xi, theta, images, final_hidden, reconstruction_mse, xi_back=None):
    """
    The figures of a recall of stored images from their final hidden states.

    Parameters
    ----------
    xi : ndarray, shape (N_v, N_h)
    theta : float or ndarray, shape (N_h,)
    images : ndarray, shape (M, N_v)
        The cues (the stored images).
    final_hidden : ndarray of bool, shape (M, N_h)
        Final binary hidden state of each recall.
    reconstruction_mse : float
        Mean over images of the mean squared visible error.
    xi_back : ndarray, shape (N_h, N_v), optional

    Returns
    -------
    dict
        ``n_memories``, ``unique_minima`` (distinct final states),
        ``unique_fixed_point_minima`` (distinct final states that are fixed
        points of Eq. 5: the minima proper), ``fixed_point_fraction``,
        ``median_fixed_point_margin`` (median over memories of the smallest
        ``|h - theta|`` at the final state), ``reconstruction_mse``,
        ``unique_codes_objective`` and ``code_agreement`` (see
        `evaluate_hidden_codes`).
    """
    is_fixed, margin = fixed_point_hidden_state(xi, final_hidden, xi_back=xi_back, theta=theta)
    codes = objective_codes(xi, theta, images)
    return {
        "n_memories": int(len(final_hidden)),
        "unique_minima": count_unique(final_hidden),
        "unique_fixed_point_minima": count_unique(final_hidden[is_fixed]),
        "fixed_point_fraction": float(np.mean(is_fixed)),
        "median_fixed_point_margin": float(np.median(margin)),
        "reconstruction_mse": float(reconstruction_mse),
        "unique_codes_objective": count_unique(codes),
        "code_agreement": float(np.mean(np.all(codes == final_hidden, axis=1))),
    }
