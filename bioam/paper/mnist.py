"""
The MNIST figures of paper 001: Figures 2, 3a/b/c, 7 and 9 (left), learned weights.

Each ``figureN_data`` function recalls images with the Brian2 model
(`bioam.recall.RecallSession`, the evaluate defaults: event formulation, dt =
0.025 ms, 200 ms per cue, tau_v = 20 tau_h) and returns a dict:

- ``rows``: the measurements, one dict per example or model (a CSV);
- ``summary``: the figure's key numbers (a JSON object);
- ``examples``: the arrays the figure draws (cues, recalled visible states,
  binarised hidden states),

beside a ``plot_figureN`` function that draws it (``path=None`` returns the
matplotlib Figure, like `bioam.plotting`):

- Figure 2: training images of one digit recalled by the paper's network
  (N_h = 50, symmetric, one threshold), the hidden state on a ring, and the
  Hamming distances between the examples' hidden states ("unique but
  overlapping hidden representations"), with statistics over every training
  image of that digit;
- Figure 3a/b: the basic memories (Eq. 16: the columns of xi, or the rows of
  the decoder xi_back of an asymmetric network) on one grey scale, and their
  correlation matrix, beside what independent random vectors give (Eq. 7a);
- Figure 3c: unseen cues, the 10,000 test images, recalled to fixed points;
- Figure 7: an "insufficient number of hidden neurons", N_h = 16: basic
  memories, examples, and the distinct fixed points over the training images
  beside the N_h = 50 network's;
- Figure 9 (left): the asymmetric network with one threshold per neuron.

`FIGURES` holds each figure's defaults (the scripts' defaults), ``FIGURE7_TRAINING``
the ``bioam train`` options of the N_h = 16 network.

Examples
--------
Pairwise Hamming distances of binary hidden states, and the statistics of a
set of nearly orthogonal vectors:

>>> hamming_distances([[1, 0, 1], [1, 1, 0], [1, 0, 1]])
array([[0, 2, 0],
       [2, 0, 2],
       [0, 2, 0]])
>>> stats = correlation_statistics(np.eye(4))
>>> round(stats["max_abs_offdiagonal_cosine"], 6)
0.0
"""

import os
import time

import numpy as np

from ..evaluation import count_unique, summarise_final_states
from ..models import load_model, model_theta
from ..progress import progress_reporter
from ..provenance import portable_path
from ..recall import DEFAULTS, RecallSession
from ..reference import fixed_point_hidden_state
from ..validation import BioamError
from .outputs import write_tables

__all__ = ["FIGURES", "FIGURE7_TRAINING", "basic_memories", "correlation_statistics",
           "hamming_distances", "pairwise_statistics", "pick_examples", "recall_images",
           "example_rows", "figure2_data", "figure3ab_data", "figure3c_data", "figure7_data",
           "figure9_data", "plot_recall_ring", "plot_figure2", "plot_figure3ab",
           "plot_figure3c", "plot_figure7", "plot_figure9", "write_tables"]

#: Each figure's defaults: the model, the data split and the examples drawn.
FIGURES = {
    "2": {"model": os.path.join("models", "mnist_nh50_global.npz"), "split": "train",
          "digit": 6, "n_examples": 6},
    "3": {"model": os.path.join("models", "mnist_nh50_global.npz"), "split": "test",
          "n_shown": 25, "example_digits": (6, 6, 0, 2, 3, 7)},
    "7": {"model": os.path.join("models", "mnist_nh16.npz"),
          "compare_model": os.path.join("models", "mnist_nh50_global.npz"), "split": "train",
          "example_digits": tuple(range(10))},
    "9": {"model": os.path.join("models", "mnist_nh50_asymmetric_fp.npz"), "split": "train",
          "n_shown": 25, "example_digits": tuple(range(10))},
}

#: ``bioam train`` options of the N_h = 16 network of Figure 7: the paper's training of
#: Section 3.2 (Eq. 17, sigmoid surrogate, symmetric weights, one global threshold,
#: Xavier initialisation, seed 0), learning rate 3e-3 -> 3e-5 and steepness 10 -> 100
#: as for models/mnist_nh50_global_base.npz, 200 epochs (157 s on one core of a busy
#: 2-core machine, one BLAS thread).
FIGURE7_TRAINING = ["--nh", "16", "--theta-mode", "global", "--epochs", "200", "--lr", "3e-3",
                    "--lr-end", "3e-5", "--steepness", "10", "--steepness-end", "100",
                    "--seed", "0"]


# --- measurements --------------------------------------------------------------------------


def _model(model):
    """A model dict (`bioam.models.load_model`) from a dict or a path; the path is kept."""
    if isinstance(model, dict):
        return model
    loaded = load_model(model)
    loaded["path"] = os.fspath(model)
    return loaded


def _name(model):
    path = model.get("path")
    return portable_path(path) if path else "(in memory)"


def basic_memories(xi, xi_back=None):
    """
    The basic memories of a network: the visible pattern of each hidden neuron alone.

    By Eq. (16) the fixed point with only hidden neuron mu active is
    v = N_h^(-1/2) xi_back[mu]: the mu-th column of xi for symmetric weights
    (xi_back = xi^T), the mu-th row of the decoder of an asymmetric network.
    The weights are returned without the common factor N_h^(-1/2).

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    xi_back : array-like, shape (N_h, N_v), optional

    Returns
    -------
    ndarray, shape (N_h, N_v)

    Examples
    --------
    >>> xi = np.arange(6.0).reshape(3, 2)
    >>> basic_memories(xi)
    array([[0., 2., 4.],
           [1., 3., 5.]])
    >>> basic_memories(xi, xi_back=-xi.T)[0]
    array([-0., -2., -4.])
    """
    xi = np.asarray(xi, dtype=float)
    if xi.ndim != 2:
        raise BioamError(f"xi must have shape (N_v, N_h), got {xi.shape}")
    if xi_back is None:
        return xi.T.copy()
    xi_back = np.asarray(xi_back, dtype=float)
    if xi_back.shape != xi.T.shape:
        raise BioamError(f"xi_back must have shape {xi.T.shape} (N_h, N_v), got {xi_back.shape}")
    return xi_back.copy()


def _offdiagonal(matrix):
    return matrix[~np.eye(len(matrix), dtype=bool)]


def correlation_statistics(memories, seed=0):
    """
    How close to orthogonal a set of basic memories is (Figure 3b, Eq. 7a).

    Two statistics of the off-diagonal pairs: the Pearson correlation (what
    Figure 3b draws) and the cosine of the angle (orthogonality proper, the
    normalised J_{mu nu} of Eq. 6), each beside independent Gaussian vectors of
    the same size: their correlations have standard deviation ~ 1/sqrt(N_v) and
    mean absolute value ~ sqrt(2 / (pi N_v)); the same statistics of one draw of
    such vectors (seed ``seed``) are given too.

    Parameters
    ----------
    memories : array-like, shape (N_h, N_v)
        One basic memory per row (`basic_memories`).
    seed : int
        Seed of the random vectors drawn for comparison.

    Returns
    -------
    dict
        ``n_memories``, ``n_visible``; ``mean_abs_offdiagonal_correlation``,
        ``max_abs_offdiagonal_correlation``, ``rms_offdiagonal_correlation``;
        ``mean_abs_offdiagonal_cosine``, ``max_abs_offdiagonal_cosine``;
        ``random_expected_rms`` (1/sqrt(N_v)), ``random_expected_mean_abs``
        (sqrt(2 / (pi N_v))); ``random_draw_mean_abs_correlation``,
        ``random_draw_max_abs_correlation``; ``ratio_to_random`` (the mean
        absolute correlation over the expected one); ``verdict`` (a sentence).
    """
    memories = np.asarray(memories, dtype=float)
    if memories.ndim != 2 or memories.shape[0] < 2:
        raise BioamError(f"give two or more basic memories as rows, got shape {memories.shape}")
    n_memories, n_visible = memories.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation = _offdiagonal(np.corrcoef(memories))
    norms = np.linalg.norm(memories, axis=1)
    if np.any(norms == 0) or not np.all(np.isfinite(correlation)):
        raise BioamError("a basic memory is constant; its correlation is undefined")
    cosine = _offdiagonal((memories @ memories.T) / np.outer(norms, norms))
    random = np.random.default_rng(seed).standard_normal(memories.shape)
    random_correlation = np.abs(_offdiagonal(np.corrcoef(random)))
    expected_rms = 1 / np.sqrt(n_visible)
    expected_mean_abs = np.sqrt(2 / (np.pi * n_visible))
    mean_abs = float(np.mean(np.abs(correlation)))
    ratio = mean_abs / expected_mean_abs
    verdict = (f"mean |off-diagonal correlation| {mean_abs:.3f} (max "
               f"{np.max(np.abs(correlation)):.3f}) is {ratio:.1f} times the "
               f"{expected_mean_abs:.3f} of independent random vectors of N_v = {n_visible} "
               f"(~1/sqrt(N_v) = {expected_rms:.3f}): ")
    if ratio <= 1.5:
        verdict += "as orthogonal as random vectors, consistent with Eq. 7a"
    elif mean_abs < 0.2:
        verdict += ("nearly orthogonal (small correlations), but more correlated than random "
                    "vectors, so J departs from the identity by more than Eq. 7a's 1/sqrt(N_v)")
    else:
        verdict += "clearly correlated, not orthogonal in the sense of Eq. 7a"
    return {
        "n_memories": int(n_memories),
        "n_visible": int(n_visible),
        "mean_abs_offdiagonal_correlation": mean_abs,
        "max_abs_offdiagonal_correlation": float(np.max(np.abs(correlation))),
        "rms_offdiagonal_correlation": float(np.sqrt(np.mean(correlation**2))),
        "mean_abs_offdiagonal_cosine": float(np.mean(np.abs(cosine))),
        "max_abs_offdiagonal_cosine": float(np.max(np.abs(cosine))),
        "random_expected_rms": float(expected_rms),
        "random_expected_mean_abs": float(expected_mean_abs),
        "random_draw_mean_abs_correlation": float(np.mean(random_correlation)),
        "random_draw_max_abs_correlation": float(np.max(random_correlation)),
        "ratio_to_random": float(ratio),
        "verdict": verdict,
    }


def hamming_distances(states):
    """
    The number of hidden neurons in which each pair of binary states differs.

    Parameters
    ----------
    states : array-like, shape (B, N_h)
        0/1 (values above 1/2 count as active).

    Returns
    -------
    ndarray of int, shape (B, B)
    """
    active = np.asarray(states) > 0.5
    if active.ndim != 2:
        raise BioamError(f"states must have shape (B, N_h), got {active.shape}")
    return np.count_nonzero(active[:, None, :] != active[None, :, :], axis=2)


def pairwise_statistics(states):
    """
    Means over all pairs of distinct images of a set of binary hidden states.

    Computed from the number of images in which each neuron is active, so exact
    for any number of images without a B x B matrix.

    Returns
    -------
    dict
        ``n_images``, ``distinct_states``, ``mean_active`` (active neurons per
        image), ``mean_pairwise_hamming`` and ``mean_pairwise_shared_active``
        (neurons active in both images of a pair), ``active_in_all`` and
        ``active_in_half`` (neurons active in every image, in at least half).
    """
    active = np.asarray(states) > 0.5
    n = len(active)
    counts = active.sum(axis=0).astype(float)
    pairs = n * (n - 1)
    return {
        "n_images": int(n),
        "distinct_states": count_unique(active),
        "mean_active": float(active.sum(axis=1).mean()),
        "mean_pairwise_hamming": float(np.sum(2 * counts * (n - counts)) / pairs) if pairs else 0.0,
        "mean_pairwise_shared_active": (float(np.sum(counts * (counts - 1)) / pairs)
                                        if pairs else 0.0),
        "active_in_all": int(np.count_nonzero(counts == n)),
        "active_in_half": int(np.count_nonzero(counts >= n / 2)),
    }


def pick_examples(labels, digits):
    """
    Image indices for a list of digits: for each, the first image of that label not yet taken.

    Examples
    --------
    >>> pick_examples(np.array([6, 1, 6, 0, 6]), (6, 6, 0))
    array([0, 2, 3])
    """
    labels = np.asarray(labels)
    taken, picked = set(), []
    for digit in digits:
        free = [int(k) for k in np.flatnonzero(labels == digit) if int(k) not in taken]
        if not free:
            raise BioamError(f"no (more) images of digit {digit} among the {len(labels)} images")
        picked.append(free[0])
        taken.add(free[0])
    return np.array(picked, dtype=int)


def recall_images(model, images, *, keep=(), backend=DEFAULTS["backend"], duration=None,
                  chunk_size=10000, progress=False, **kwds):
    """
    Recall every image as a cue (v(0) = image, h(0) = 0) and keep what the figures need.

    Parameters
    ----------
    model : dict or str
        A model (`bioam.models.load_model`) or its file; recalled with its own
        threshold(s) and decoder.
    images : ndarray, shape (B, N_v)
    keep : sequence of int
        Positions (in ``images``) whose final visible states are kept.
    backend : str
        Brian2 target.
    duration : Quantity, optional
        Per cue (default `bioam.DEFAULTS['evaluate_duration']`, 200 ms: run to
        convergence).
    chunk_size : int
        Cues per call of the session (bounds the memory of the results).
    progress : bool or callable
    **kwds
        Other arguments of `bioam.recall.RecallSession` (``dt``, ``tau_v``,
        ``n_workers``, ...).

    Returns
    -------
    dict
        ``states`` (B, N_h) bool, the binarised final hidden states;
        ``mse`` (B,), the mean squared difference between final visible state
        and cue; ``visible`` (len(keep), N_v); ``is_fixed`` (B,) and
        ``margin`` (B,) (`bioam.reference.fixed_point_hidden_state`);
        ``seconds`` (recall), ``build_seconds``, ``formulation``, ``duration``.
    """
    model = _model(model)
    images = np.asarray(images)
    if images.ndim != 2 or images.shape[1] != model["xi"].shape[0] or not len(images):
        raise BioamError(f"images must have shape (B, {model['xi'].shape[0]}) with B >= 1, got "
                         f"{images.shape}")
    duration = DEFAULTS["evaluate_duration"] if duration is None else duration
    keep = np.asarray(keep, dtype=int)
    theta = model_theta(model)
    report = progress_reporter(progress, __name__)
    states = np.empty((len(images), model["xi"].shape[1]), dtype=bool)
    mse = np.empty(len(images))
    kept = np.empty((len(keep), images.shape[1]))
    started = time.perf_counter()
    with RecallSession(model["xi"], xi_back=model["xi_back"], theta=theta, backend=backend,
                       duration=duration, progress=progress, **kwds) as session:
        for first in range(0, len(images), chunk_size):
            cues = images[first:first + chunk_size]
            result = session.recall(cues)
            states[first:first + len(cues)] = result.states > 0.5
            mse[first:first + len(cues)] = np.mean((result.visible - cues) ** 2, axis=1)
            inside = (keep >= first) & (keep < first + len(cues))
            kept[inside] = result.visible[keep[inside] - first]
            report(f"{_name(model)}: recalled {first + len(cues)}/{len(images)} images "
                   f"({time.perf_counter() - started:.0f} s)")
        build_seconds, formulation = session.build_seconds, session.formulation
    is_fixed, margin = fixed_point_hidden_state(model["xi"], states, xi_back=model["xi_back"],
                                                theta=theta)
    return {"states": states, "mse": mse, "visible": kept, "is_fixed": is_fixed,
            "margin": margin, "seconds": time.perf_counter() - started,
            "build_seconds": float(build_seconds), "formulation": formulation,
            "duration": duration}


def example_rows(indices, labels, recalled, positions, hamming=True):
    """
    One row per example: its image, its hidden state and, optionally, its distances to the others.

    Parameters
    ----------
    indices : sequence of int
        The examples' image indices (in the data set).
    labels : sequence of int
        Their labels.
    recalled : dict
        From `recall_images`.
    positions : sequence of int
        The examples' positions in the recalled images.
    hamming : bool
        Add ``hamming_to_image_<index>`` for every other example, and the
        smallest and mean of these.

    Returns
    -------
    list of dict
    """
    positions = np.asarray(positions, dtype=int)
    states = recalled["states"][positions]
    distances = hamming_distances(states)
    rows = []
    for k, (index, label) in enumerate(zip(indices, labels)):
        row = {"example": k, "image_index": int(index), "label": int(label),
               "n_active": int(states[k].sum()),
               "active_neurons": " ".join(str(mu) for mu in np.flatnonzero(states[k]))}
        if hamming:
            others = [j for j in range(len(indices)) if j != k]
            for j in range(len(indices)):
                row[f"hamming_to_image_{int(indices[j])}"] = (int(distances[k, j]) if j != k
                                                              else "")
            row["min_hamming_to_others"] = (int(distances[k, others].min()) if others else "")
            row["mean_hamming_to_others"] = (float(distances[k, others].mean()) if others
                                             else "")
            row["shared_active_with_all_others"] = int(np.count_nonzero(np.all(states, axis=0)))
        row.update(is_fixed_point=bool(recalled["is_fixed"][positions[k]]),
                   fixed_point_margin=float(recalled["margin"][positions[k]]),
                   recall_mse=float(recalled["mse"][positions[k]]))
        rows.append(row)
    return rows


def _examples(images, recalled, positions):
    """The arrays a recall figure draws (the recall kept the visible states of ``positions``)."""
    return {"cues": np.asarray(images)[positions], "visible": recalled["visible"],
            "states": recalled["states"][positions].astype(float)}


def _settings(model, recalled, backend):
    theta = np.atleast_1d(model_theta(model))
    return {"model": _name(model), "n_visible": int(model["xi"].shape[0]),
            "n_hidden": int(model["xi"].shape[1]),
            "symmetric": model["xi_back"] is None,
            "theta": float(theta[0]) if np.all(theta == theta[0]) else "per neuron",
            "theta_mean": float(np.mean(theta)),
            "backend": backend, "formulation": recalled["formulation"],
            "duration": str(recalled["duration"]),
            "recall_seconds": round(recalled["seconds"], 1),
            "build_seconds": round(recalled["build_seconds"], 1)}


def _final_state_summary(model, images, recalled):
    """`bioam.evaluation.summarise_final_states` plus the largest possible count, 2^N_h."""
    summary = summarise_final_states(model["xi"], model_theta(model), images,
                                     recalled["states"], float(np.mean(recalled["mse"])),
                                     xi_back=model["xi_back"])
    summary["max_states"] = 2 ** int(model["xi"].shape[1])
    return summary


def figure2_data(model, images, labels, *, digit=FIGURES["2"]["digit"],
                 n_examples=FIGURES["2"]["n_examples"], backend=DEFAULTS["backend"], duration=None,
                 progress=False, **kwds):
    """
    Figure 2: stored images of one digit recalled, their hidden states on the ring.

    Every image of ``digit`` is recalled; the first ``n_examples`` are drawn and
    compared pairwise (Hamming distances, neurons active in all of them), and the
    whole class gives the statistics of its hidden states (distinct states, mean
    pairwise Hamming distance and shared active neurons).

    Parameters
    ----------
    model : dict or str
        Default of the script: ``models/mnist_nh50_global.npz``, the paper's network.
    images : ndarray, shape (M, N_v)
        The stored images (MNIST training images).
    labels : ndarray, shape (M,)
    digit : int
    n_examples : int
    backend, duration, progress, **kwds
        As in `recall_images`.

    Returns
    -------
    dict
        ``rows`` (`example_rows`, with Hamming distances), ``summary``,
        ``distances`` (n_examples x n_examples) and ``examples``.
    """
    model = _model(model)
    labels = np.asarray(labels)
    members = np.flatnonzero(labels == digit)
    if len(members) < 1 or n_examples < 1:
        raise BioamError(f"no image of digit {digit} among the {len(labels)} images"
                         if not len(members) else f"n_examples must be >= 1, got {n_examples}")
    n_examples = min(n_examples, len(members))
    positions = np.arange(n_examples)  # the first images of the digit, in data-set order
    recalled = recall_images(model, np.asarray(images)[members], keep=positions,
                             backend=backend, duration=duration, progress=progress, **kwds)
    indices = members[positions]
    rows = example_rows(indices, labels[indices], recalled, positions)
    distances = hamming_distances(recalled["states"][positions])
    upper = distances[np.triu_indices(n_examples, 1)]
    examples_stats = pairwise_statistics(recalled["states"][positions])
    class_stats = pairwise_statistics(recalled["states"])
    summary = dict(
        _settings(model, recalled, backend), figure="2", digit=int(digit),
        example_indices=[int(k) for k in indices],
        examples_distinct=bool(examples_stats["distinct_states"] == n_examples),
        examples_min_hamming=int(upper.min()) if upper.size else None,
        examples_mean_hamming=float(upper.mean()) if upper.size else None,
        examples_mean_shared_active=examples_stats["mean_pairwise_shared_active"],
        examples_active_in_all=examples_stats["active_in_all"],
        examples_fixed_points=int(sum(row["is_fixed_point"] for row in rows)),
        class_images=class_stats["n_images"],
        class_distinct_states=class_stats["distinct_states"],
        class_distinct_fixed_points=count_unique(recalled["states"][recalled["is_fixed"]]),
        class_fixed_point_fraction=float(np.mean(recalled["is_fixed"])),
        class_mean_active=class_stats["mean_active"],
        class_mean_pairwise_hamming=class_stats["mean_pairwise_hamming"],
        class_mean_pairwise_shared_active=class_stats["mean_pairwise_shared_active"],
        class_active_in_half=class_stats["active_in_half"],
        class_reconstruction_mse=float(np.mean(recalled["mse"])))
    examples = _examples(np.asarray(images)[members], recalled, positions)
    examples["titles"] = [f"#{k}" for k in indices]
    return {"rows": rows, "summary": summary, "distances": distances, "examples": examples}


def figure3ab_data(model, seed=0):
    """
    Figures 3a/b: the basic memories (`basic_memories`) and how orthogonal they are.

    Returns
    -------
    dict
        ``memories`` (N_h, N_v), ``correlation`` (N_h, N_h), ``summary``
        (`correlation_statistics`, the model and where the memories come from),
        ``rows`` (one per pair of basic memories: ``mu``, ``nu``,
        ``correlation``, ``cosine``), ``xi`` and ``xi_back``.
    """
    model = _model(model)
    memories = basic_memories(model["xi"], model["xi_back"])
    correlation = np.corrcoef(memories)
    norms = np.linalg.norm(memories, axis=1)
    cosine = memories @ memories.T / np.outer(norms, norms)
    summary = {"figure": "3ab", "model": _name(model), "n_visible": int(model["xi"].shape[0]),
               "n_hidden": int(model["xi"].shape[1]),
               "basic_memories": ("columns of xi (symmetric weights)" if model["xi_back"] is None
                                  else "rows of the decoder xi_back (Eq. 16)")}
    summary.update(correlation_statistics(memories, seed=seed))
    if model["xi_back"] is not None:  # how far the encoder is from the decoder
        encoder = model["xi"].T
        summary["encoder_decoder_cosine_mean"] = float(np.mean(
            np.sum(encoder * memories, axis=1)
            / (np.linalg.norm(encoder, axis=1) * norms)))
    rows = [{"mu": mu, "nu": nu, "correlation": float(correlation[mu, nu]),
             "cosine": float(cosine[mu, nu])}
            for mu in range(len(memories)) for nu in range(mu + 1, len(memories))]
    return {"memories": memories, "correlation": correlation, "summary": summary, "rows": rows,
            "xi": model["xi"], "xi_back": model["xi_back"]}


def _recall_examples(model, images, labels, example_digits, *, backend, duration,
                     progress, recall_all=True, **kwds):
    """Recall (all or only the example) images; the example rows and arrays."""
    labels = np.asarray(labels)
    indices = pick_examples(labels, example_digits)
    selected = np.asarray(images) if recall_all else np.asarray(images)[indices]
    positions = indices if recall_all else np.arange(len(indices))
    recalled = recall_images(model, selected, keep=positions, backend=backend, duration=duration,
                             progress=progress, **kwds)
    rows = example_rows(indices, labels[indices], recalled, positions)
    examples = _examples(selected, recalled, positions)
    examples["titles"] = [f"#{k} ({labels[k]})" for k in indices]
    return recalled, selected, rows, examples


def figure3c_data(model, images, labels, *, example_digits=FIGURES["3"]["example_digits"],
                  backend=DEFAULTS["backend"], duration=None, progress=False, **kwds):
    """
    Figure 3c: unseen cues (test images, never stored) recalled to fixed points.

    Parameters
    ----------
    model : dict or str
    images, labels : ndarray
        The unseen images (the 10,000 MNIST test images) and their labels.
    example_digits : sequence of int
        The examples drawn: for each digit the next test image of that label
        (the default starts with two 6s, as the paper's text).
    backend, duration, progress, **kwds
        As in `recall_images`.

    Returns
    -------
    dict
        ``rows`` (one per example, with Hamming distances), ``summary`` (over
        all images: ``n_memories``, ``unique_minima`` (distinct final states),
        ``unique_fixed_point_minima``, ``fixed_point_fraction``,
        ``reconstruction_mse``, ... of `bioam.evaluation.summarise_final_states`)
        and ``examples``.
    """
    model = _model(model)
    recalled, selected, rows, examples = _recall_examples(
        model, images, labels, example_digits, backend=backend, duration=duration,
        progress=progress, **kwds)
    summary = dict(_settings(model, recalled, backend), figure="3c",
                   **_final_state_summary(model, selected, recalled))
    summary["example_indices"] = [row["image_index"] for row in rows]
    return {"rows": rows, "summary": summary, "examples": examples}


def figure7_data(model, images, labels, *, compare_model=None,
                 example_digits=FIGURES["7"]["example_digits"], backend=DEFAULTS["backend"],
                 duration=None, progress=False, **kwds):
    """
    Figure 7: a network with too few hidden neurons (N_h = 16) beside the N_h = 50 one.

    Every image is recalled by each model; the count of distinct fixed points
    is bounded by 2^N_h (65,536 for N_h = 16).

    Parameters
    ----------
    model : dict or str
        The N_h = 16 network (``models/mnist_nh16.npz``).
    images, labels : ndarray
        The stored images (all 60,000 training images).
    compare_model : dict or str, optional
        The network to compare with (``models/mnist_nh50_global.npz``).
    example_digits : sequence of int
    backend, duration, progress, **kwds
        As in `recall_images`.

    Returns
    -------
    dict
        ``rows`` (one per model: `bioam.evaluation.summarise_final_states`,
        ``max_states`` = 2^N_h, the settings), ``example_rows``, ``memories``
        (`figure3ab_data` of the model), ``summary`` and ``examples`` (with the
        comparison model's recalled states as ``compare_visible``).
    """
    model = _model(model)
    recalled, selected, example_rows_, examples = _recall_examples(
        model, images, labels, example_digits, backend=backend, duration=duration,
        progress=progress, **kwds)
    rows = [dict(_settings(model, recalled, backend),
                 **_final_state_summary(model, selected, recalled))]
    if compare_model is not None:
        compare_model = _model(compare_model)
        positions = pick_examples(labels, example_digits)
        other = recall_images(compare_model, selected, keep=positions, backend=backend,
                              duration=duration, progress=progress, **kwds)
        rows.append(dict(_settings(compare_model, other, backend),
                         **_final_state_summary(compare_model, selected, other)))
        examples["compare_visible"] = other["visible"]
        examples["compare_n_hidden"] = int(compare_model["xi"].shape[1])
    memories = figure3ab_data(model)
    summary = {"figure": "7", "models": rows, "basic_memories": memories["summary"],
               "example_indices": [row["image_index"] for row in example_rows_]}
    return {"rows": rows, "example_rows": example_rows_, "memories": memories,
            "summary": summary, "examples": examples}


def figure9_data(model, images, labels, *, example_digits=FIGURES["9"]["example_digits"],
                 backend=DEFAULTS["backend"], duration=None, progress=False, **kwds):
    """
    Figure 9 (left): the asymmetric network with one threshold per neuron recalls stored images.

    Only the examples are recalled. The basic memories are the decoder's rows
    (`figure3ab_data`).

    Returns
    -------
    dict
        ``rows`` (one per example), ``memories`` (`figure3ab_data`), ``summary``
        and ``examples``.
    """
    model = _model(model)
    recalled, _, rows, examples = _recall_examples(
        model, images, labels, example_digits, backend=backend, duration=duration,
        progress=progress, recall_all=False, **kwds)
    memories = figure3ab_data(model)
    theta = np.atleast_1d(model_theta(model))
    summary = dict(_settings(model, recalled, backend), figure="9",
                   theta_min=float(theta.min()), theta_max=float(theta.max()),
                   examples_fixed_points=int(sum(row["is_fixed_point"] for row in rows)),
                   examples_distinct=count_unique(examples["states"]),
                   examples_mean_mse=float(np.mean([row["recall_mse"] for row in rows])),
                   example_indices=[row["image_index"] for row in rows],
                   basic_memories=memories["summary"])
    return {"rows": rows, "memories": memories, "summary": summary, "examples": examples}


# --- writing -------------------------------------------------------------------------------


def _pyplot():
    from ..plotting import _pyplot as pyplot

    return pyplot()


def _save(fig, path):
    from ..plotting import save_figure

    return save_figure(fig, path, dpi=120)


def _image(vector):
    from ..plotting import _as_image

    return _as_image(np.asarray(vector, dtype=float))


def _draw_ring(axis, state, label_first=True):
    """One hidden state on a ring: black = active, white = inactive; neuron 0 at the top."""
    state = np.asarray(state) > 0.5
    n_hidden = len(state)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n_hidden) / n_hidden  # clockwise from the top
    size = float(np.clip(1500.0 / n_hidden, 8, 90))
    axis.scatter(np.cos(angles), np.sin(angles), s=size,
                 c=np.where(state, "black", "white"), edgecolors="0.45", linewidths=0.5)
    if label_first:
        axis.text(0, 1.32, "0", ha="center", va="center", fontsize=6, color="0.35")
    axis.text(0, 0, f"{int(state.sum())}\nactive", ha="center", va="center", fontsize=7)
    axis.set_xlim(-1.45, 1.45)
    axis.set_ylim(-1.45, 1.45)
    axis.set_aspect("equal")
    axis.axis("off")


def plot_recall_ring(cues, visible, states, path=None, *, titles=None, extra_rows=None,
                     distances=None, title=None):
    """
    Cue, recalled visible state and hidden state on a ring, one column per example.

    Images are drawn on one grey scale, 0 (white) to 1 (black), values outside
    clipped. On the ring black is an active hidden neuron, white an inactive
    one (the paper's Figures 2 and 4), neuron 0 at the top, clockwise; a legend
    says so.

    Parameters
    ----------
    cues, visible : ndarray, shape (B, N_v)
    states : ndarray, shape (B, N_h)
        Binary hidden states.
    path : str, optional
        Image file; without it the Figure is returned.
    titles : list of str, optional
        Above each column.
    extra_rows : dict, optional
        Row label -> visible states (B, N_v), drawn below the recalled states.
    distances : ndarray, shape (B, B), optional
        Hamming distances between the hidden states, drawn as a matrix on the right.
    title : str, optional
    """
    from matplotlib.lines import Line2D

    plt = _pyplot()
    n_examples = len(cues)
    rows = [("cue", cues), ("recalled", visible)] + list((extra_rows or {}).items())
    n_rows = len(rows) + 1
    width = n_examples + (3 if distances is not None else 0)
    fig = plt.figure(figsize=(1.35 * width + 0.8, 1.4 * n_rows + 1.0))
    grid = fig.add_gridspec(n_rows, width)
    for col in range(n_examples):
        for row, (label, arrays) in enumerate(rows):
            axis = fig.add_subplot(grid[row, col])
            image, cmap = _image(arrays[col])
            axis.imshow(image, cmap=cmap, vmin=0, vmax=1)
            axis.set_xticks([])
            axis.set_yticks([])
            if col == 0:
                axis.set_ylabel(label, fontsize=9)
            if row == 0 and titles is not None:
                axis.set_title(titles[col], fontsize=8)
        ring = fig.add_subplot(grid[n_rows - 1, col])
        _draw_ring(ring, states[col], label_first=col == 0)
        if col == 0:
            ring.text(-1.75, 0, "hidden", rotation=90, ha="center", va="center", fontsize=9)
    if distances is not None:
        axis = fig.add_subplot(grid[:, n_examples + 1:])
        shown = axis.imshow(distances, cmap="Greys", vmin=0)
        for (i, j), value in np.ndenumerate(distances):
            axis.text(j, i, str(int(value)), ha="center", va="center", fontsize=7,
                      color="white" if value > 0.6 * max(distances.max(), 1) else "black")
        labels = titles if titles is not None else [str(k) for k in range(n_examples)]
        axis.set_xticks(range(n_examples), labels, rotation=90, fontsize=7)
        axis.set_yticks(range(n_examples), labels, fontsize=7)
        axis.set_title("Hamming distance\nbetween hidden states", fontsize=9)
        fig.colorbar(shown, ax=axis, fraction=0.046, pad=0.04)
    handles = [Line2D([], [], ls="", marker="o", mfc="black", mec="0.45", label="active (s = 1)"),
               Line2D([], [], ls="", marker="o", mfc="white", mec="0.45",
                      label="inactive (s = 0)")]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False,
               title=f"hidden neurons on the ring ({len(states[0])}; neuron 0 at the top, "
                     "clockwise)", title_fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.08, 1, 0.95 if title else 1))
    return _save(fig, path)


def plot_figure2(data, path=None):
    """Figure 2 from `figure2_data`: examples of one digit, their rings and their distances."""
    summary = data["summary"]
    return plot_recall_ring(
        data["examples"]["cues"], data["examples"]["visible"], data["examples"]["states"], path,
        titles=data["examples"]["titles"], distances=data["distances"],
        title=(f"Figure 2: stored images of the digit {summary['digit']} recalled by N_h = "
               f"{summary['n_hidden']} ({summary['model']}); {summary['class_distinct_states']:,}"
               f" distinct hidden states for {summary['class_images']:,} images of the digit"))


def plot_figure3ab(data, path=None, n_shown=FIGURES["3"]["n_shown"], title=None):
    """Figures 3a/b from `figure3ab_data`: basic memories on one grey scale, their correlations."""
    from ..plotting import plot_basic_memories

    summary = data["summary"]
    n_shown = min(n_shown, summary["n_hidden"])
    title = title or (f"(a) {n_shown} of {summary['n_hidden']} basic memories, "
                      f"{summary['basic_memories']}; (b) correlations: mean |off-diagonal| "
                      f"{summary['mean_abs_offdiagonal_correlation']:.3f}, random vectors "
                      f"{summary['random_expected_mean_abs']:.3f}")
    return plot_basic_memories(data["xi"], path, n_shown=n_shown, xi_back=data["xi_back"],
                               shared_scale=True, title=title)


def plot_figure3c(data, path=None):
    """Figure 3c from `figure3c_data`: unseen test images and their fixed points."""
    summary = data["summary"]
    return plot_recall_ring(
        data["examples"]["cues"], data["examples"]["visible"], data["examples"]["states"], path,
        titles=data["examples"]["titles"],
        title=(f"Figure 3c: unseen test images ({summary['n_memories']:,}): "
               f"{summary['unique_minima']:,} distinct final states, "
               f"{100 * summary['fixed_point_fraction']:.2f}% fixed points, MSE "
               f"{summary['reconstruction_mse']:.4f}"))


def plot_figure7(data, path=None):
    """Figure 7 recall examples from `figure7_data` (the basic memories: `plot_figure3ab`)."""
    examples = data["examples"]
    model = data["rows"][0]
    extra = ({f"recalled, N_h = {examples['compare_n_hidden']}": examples["compare_visible"]}
             if "compare_visible" in examples else None)
    return plot_recall_ring(
        examples["cues"], examples["visible"], examples["states"], path,
        titles=examples["titles"], extra_rows=extra,
        title=(f"Figure 7: N_h = {model['n_hidden']} hidden neurons: "
               f"{model['unique_fixed_point_minima']:,} distinct fixed points for "
               f"{model['n_memories']:,} images (at most {model['max_states']:,}), MSE "
               f"{model['reconstruction_mse']:.4f}"))


def plot_figure9(data, path=None):
    """Figure 9 (left) recall examples from `figure9_data`."""
    summary = data["summary"]
    return plot_recall_ring(
        data["examples"]["cues"], data["examples"]["visible"], data["examples"]["states"], path,
        titles=data["examples"]["titles"],
        title=(f"Figure 9 (left): asymmetric weights, one threshold per neuron "
               f"(θ {summary['theta_min']:.3f} to {summary['theta_max']:.3f}), N_h = "
               f"{summary['n_hidden']}; {summary['examples_fixed_points']}/{len(data['rows'])} "
               f"examples at fixed points"))


# --- the scripts of experiments/paper/ -----------------------------------------------------


def script_parser(doc, figure):
    """
    The options every MNIST figure script takes.

    ``--out`` (default ``output/reproduction/figN``), ``--model``, ``--dataset``,
    ``--limit`` (first images only), ``--backend``, ``--duration`` (per cue,
    default 200 ms), ``--workers`` and ``--quiet``.
    """
    import argparse

    lines = doc.strip().splitlines()
    parser = argparse.ArgumentParser(description=lines[0], epilog="\n".join(lines[1:]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join("output", "reproduction", f"fig{figure}"),
                        metavar="DIR", help="folder of the figures, CSVs, JSON and provenance")
    parser.add_argument("--model", default=FIGURES[figure]["model"], metavar="M.npz")
    parser.add_argument("--dataset", default="mnist", metavar="mnist|PATH.npz")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first LIMIT images of the split (default: all)")
    parser.add_argument("--backend", default=DEFAULTS["backend"])
    parser.add_argument("--duration", default=str(DEFAULTS["evaluate_duration"]),
                        help="recall time per cue (default: %(default)s, to convergence)")
    parser.add_argument("--workers", type=int, default=None,
                        help="compiled binaries run at once (default: one per core)")
    parser.add_argument("--quiet", action="store_true")
    return parser


def script_options(args):
    """The keywords of the ``figureN_data`` functions from a script's parsed options."""
    from ..backends import check_runnable
    from ..validation import parse_time

    check_runnable(args.backend)
    options = {"backend": args.backend, "duration": parse_time("--duration", args.duration),
               "progress": not args.quiet}
    if args.workers is not None:
        options["n_workers"] = args.workers
    return options


def script_inputs(args, *models):
    """The files a script reads (models and the data set), for its provenance."""
    from ..datasets import dataset_files

    return [path for path in models if path] + dataset_files(args.dataset)


def script_argv(script, argv):
    """The command of a script's provenance: ``sys.argv``, or the script and ``argv``."""
    import sys

    return list(sys.argv) if argv is None else [script] + list(argv)
