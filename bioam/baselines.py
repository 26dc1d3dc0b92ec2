"""
Table 4 of paper 001: recall performance of Krotov & Hopfield's models and of the threshold network.

Paper 001 (Appendix C, Table 4) stores 50 MNIST images in Krotov & Hopfield's
two-layer memories (Eq. 32; Models A(i), A(ii), B, C, one image per hidden
neuron, ``w_mu`` = the image) and compares the fraction of recalled digits a
classifier assigns to the right class with the threshold network that stores
all 60,000 training images in 50 hidden neurons. The paper leaves the
protocol open; the one used here is `PROTOCOL` (docs/results.md, "Table 4",
gives the measurements behind each choice):

* memories: ``n_memories`` training images drawn at random (one seed per
  draw), each with its own mean pixel value subtracted and scaled to unit
  length (`normalise`): with raw [0, 1] pixels every memory overlaps every
  other strongly and Models A and C fall into a few blended states;
* cues: the stored images with their bottom 25% (7 of 28 rows) set to the
  background (`occlude`), normalised the same way for Models A-C; the
  threshold network gets the occluded image in [0, 1], as it was trained;
* dynamics: Eq. (32) with tau_v = 20 tau_h (the paper's Figure 1 setting),
  v(0) = cue, h(0) = 0, forward Euler on Brian2, run until the final states
  no longer change (`PROTOCOL['duration']`, Model C relaxes slowly);
  Model B's softmax has inverse temperature beta = 100: on unit-length
  memories h_mu is an overlap in [-1, 1], and beta = 100 matches Eq. (32)'s
  exp(h) on raw mean-subtracted MNIST vectors, whose squared length is 73
  on average;
* read-out: the final v (not g(v)), shown as a person sees it on screen,
  scaled to [0, 1] per image (`readout`; a recalled ``c w_mu`` with c > 0
  reads as the stored image itself), classified by the paper's MLP (Table 3)
  trained on the original MNIST training images.

The performance of each model is the mean over draws of the fraction of the
``n_memories`` cues whose read-out the classifier assigns to the cue's label;
with 50 cues one draw has a standard error of 5-7 points, so several draws
are run and their spread reported.
"""

import os
import time

import numpy as np
from brian2 import ms
from brian2.utils.logger import get_logger

from .krotov_hopfield import MODELS, krotov_hopfield_weights
from .recall import DEFAULTS, RecallSession, recall
from .validation import BioamError

__all__ = ["PROTOCOL", "PAPER_TABLE4", "TABLE4_COLUMNS", "DRAW_COLUMNS", "draw_memories",
           "normalise", "occlude", "readout", "make_cues", "recall_baseline",
           "train_classifier", "table4", "write_table4", "plot_table4"]

logger = get_logger(__name__)

#: The protocol of Table 4 (the paper leaves it open; see the module's docstring).
PROTOCOL = {
    "n_memories": 50,            # hidden neurons = stored images of Models A-C (the paper's)
    "n_draws": 4,                # random draws of the stored images
    "seed": 0,                   # draw d uses seed + d
    "cues": ("clean", "occluded"),  # the stored image itself, and with its bottom rows hidden
    "occluded_rows": 7,          # bottom 7 of 28 rows (25% of the image) set to 0
    "tau_v": 20 * ms,            # tau_v = 20 tau_h, as in Figure 1
    "tau_h": 1 * ms,
    "dt": 0.25 * ms,             # Euler step of Models A-C (dt / tau_h = 0.25)
    "duration": {                # simulated time per cue: long enough that the final
        "A(i)": 200 * ms,        # states equal those of a 5x longer run (A, B) or
        "A(ii)": 200 * ms,       # a 2x longer one (C, which relaxes over ~40 tau_v)
        "B": 200 * ms,
        "C": 1000 * ms,
    },
    "beta": 100.0,               # Model B's inverse temperature
    "classifier_epochs": 10,     # the MLP of Table 3 on all original training images
    "classifier_seed": 0,
    "threshold_model": os.path.join("models", "mnist_nh50.npz"),
}

#: Table 4 of paper 001: f, g and the reported recall performance of each row.
PAPER_TABLE4 = {
    "A(i)": ("h^5", "sign(v)", 0.12),
    "A(ii)": ("h^10", "sign(v)", 0.84),
    "B": ("softmax(beta h)", "v", 0.90),
    "C": ("h^5", "v / |v|", 0.02),
    "threshold": ("Theta(h - theta)", "v", 0.98),
}

#: Columns of ``table4.csv`` (one row per model, mean over draws).
TABLE4_COLUMNS = ("model", "f", "g", "n_hidden", "n_memories", "recall_performance",
                  "recall_performance_std", "recall_performance_min",
                  "recall_performance_max", "paper_recall_performance", "n_draws",
                  "cues_per_draw", "cue", "cue_performance", "distinct_recalls",
                  "classifier_test_accuracy", "backend", "dt_ms", "duration_ms", "seconds")

#: Columns of ``table4_draws.csv`` (one row per model and draw).
DRAW_COLUMNS = ("model", "cue", "draw", "seed", "recall_performance", "cue_performance",
                "distinct_recalls", "seconds")

_SIDE = 28  # MNIST images are 28 x 28


def draw_memories(n_images, n_memories, seed):
    """
    Indices of the images stored in one draw: ``n_memories`` distinct ones, at random.

    Parameters
    ----------
    n_images : int
        Images to draw from.
    n_memories : int
    seed : int

    Returns
    -------
    ndarray of int, shape (n_memories,)
        Sorted indices.

    Examples
    --------
    >>> draw_memories(10, 3, seed=0).tolist() == draw_memories(10, 3, seed=0).tolist()
    True
    """
    if int(n_memories) != n_memories or not 1 <= n_memories <= n_images:
        raise BioamError(f"n_memories must be an integer between 1 and the {n_images} "
                         f"training images, got {n_memories}")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_images, size=int(n_memories), replace=False))


def normalise(images):
    """
    Each image with its own mean pixel value subtracted and scaled to unit length.

    Parameters
    ----------
    images : array-like, shape (B, N_v)

    Returns
    -------
    unit : ndarray, shape (B, N_v)
    mean : ndarray, shape (B, 1)
    norm : ndarray, shape (B, 1)
        ``images = unit * norm + mean``.

    Examples
    --------
    >>> unit, mean, norm = normalise([[0.0, 1.0, 1.0, 0.0]])
    >>> unit.tolist(), float(mean[0, 0]), float(norm[0, 0])
    ([[-0.5, 0.5, 0.5, -0.5]], 0.5, 1.0)
    """
    images = np.asarray(images, dtype=np.float64)
    mean = images.mean(axis=1, keepdims=True)
    centred = images - mean
    norm = np.linalg.norm(centred, axis=1, keepdims=True)
    if np.any(norm == 0):
        raise BioamError("an image has the same value in every pixel; it cannot be "
                         "normalised to unit length")
    return centred / norm, mean, norm


def occlude(images, rows=PROTOCOL["occluded_rows"], side=_SIDE):
    """
    The images with their bottom ``rows`` rows set to the background (0).

    Parameters
    ----------
    images : array-like, shape (B, side * side)
    rows : int
    side : int

    Returns
    -------
    ndarray, shape (B, side * side)
    """
    images = np.array(images, dtype=np.float64)
    if images.shape[1] != side * side:
        raise BioamError(f"occlusion needs {side} x {side} images ({side * side} pixels), "
                         f"got {images.shape[1]} pixels")
    if rows:
        images[:, (side - int(rows)) * side:] = 0.0
    return images


def readout(visible, mean=None, norm=None):
    """
    Final visible states in pixel space, as a person sees them: clipped to [0, 1].

    For Models A-C (``mean`` and ``norm`` given) v lives in the normalised
    space of `normalise` with an arbitrary scale (h^n grows large), so it is
    scaled to unit length and the normalisation is undone with the cue's own
    mean pixel value and length: a recall ``c w_mu`` with c > 0 reads as the
    stored image ``mu`` (brightness and contrast of the cue), one with c < 0 as
    its negative. The threshold network's v is already in pixel space.
    Either way the result is clipped to the display range [0, 1].

    Parameters
    ----------
    visible : array-like, shape (B, N_v)
    mean, norm : array-like, shape (B, 1), optional
        The cues' mean pixel values and lengths (`normalise`).

    Returns
    -------
    ndarray, shape (B, N_v)

    Examples
    --------
    >>> unit, mean, norm = normalise([[0.0, 1.0, 1.0, 0.0]])
    >>> readout(7.0 * unit, mean, norm).tolist()
    [[0.0, 1.0, 1.0, 0.0]]
    >>> readout([[-0.5, 0.5, 1.5]]).tolist()
    [[0.0, 0.5, 1.0]]
    """
    visible = np.asarray(visible, dtype=np.float64)
    if mean is not None:
        length = np.linalg.norm(visible, axis=1, keepdims=True)
        unit = np.divide(visible, length, out=np.zeros_like(visible), where=length > 0)
        visible = unit * np.asarray(norm) + np.asarray(mean)
    return np.clip(visible, 0.0, 1.0)


def make_cues(images, cue="occluded", rows=PROTOCOL["occluded_rows"]):
    """
    The cues of the stored images in pixel space ([0, 1]): occluded or clean.

    Parameters
    ----------
    images : array-like, shape (B, 784)
    cue : {'occluded', 'clean'}
    rows : int
        Occluded rows.

    Returns
    -------
    ndarray, shape (B, 784)
    """
    if cue == "occluded":
        return occlude(images, rows)
    if cue == "clean":
        return np.array(images, dtype=np.float64)
    raise BioamError(f"unknown cue {cue!r}; choose occluded or clean")


def recall_baseline(model, memories, cues, *, backend=DEFAULTS["backend"], beta=PROTOCOL["beta"],
                    tau_v=PROTOCOL["tau_v"], tau_h=PROTOCOL["tau_h"], dt=PROTOCOL["dt"],
                    duration=None, progress=False):
    """
    Recall cues with one of Krotov & Hopfield's models (Eq. 32) storing ``memories``, on Brian2.

    Parameters
    ----------
    model : str
        A key of `bioam.krotov_hopfield.MODELS`.
    memories : array-like, shape (N_h, N_v)
        One memory per hidden neuron (already normalised).
    cues : array-like, shape (B, N_v)
        v(0), normalised like the memories; h(0) = 0.
    backend : str
    beta : float
        Model B's inverse temperature.
    tau_v, tau_h, dt : Quantity
    duration : Quantity, optional
        Default ``PROTOCOL['duration'][model]``.
    progress : bool or callable
        See `bioam.progress`.

    Returns
    -------
    RecallResult
    """
    if model not in MODELS:
        raise BioamError(f"unknown model {model!r}; choose {', '.join(MODELS)}")
    xi, xi_back = krotov_hopfield_weights(memories)
    duration = PROTOCOL["duration"][model] if duration is None else duration
    cues = np.asarray(cues, dtype=np.float64)
    return recall(xi, cues, xi_back=xi_back, theta=0.0, backend=backend, tau_v=tau_v,
                  tau_h=tau_h, dt=dt, duration=duration, batch_size=len(cues),
                  progress=progress, **MODELS[model].options(beta=beta))


def train_classifier(images, labels, *, seed=PROTOCOL["classifier_seed"],
                     epochs=PROTOCOL["classifier_epochs"]):
    """
    The paper's MLP (Table 3, `bioam.classify.mlp_classifier`) trained on original images.

    Parameters
    ----------
    images : array-like, shape (n, N_v)
        Pixels in [0, 1].
    labels : array-like, shape (n,)
    seed, epochs : int

    Returns
    -------
    sklearn.neural_network.MLPClassifier
    """
    from .classify import fit_mlp

    if int(epochs) != epochs or epochs < 1:
        raise BioamError(f"epochs must be a positive integer, got {epochs}")
    if len(np.unique(labels)) < 2:
        raise BioamError("the training images have a single class; a classifier needs two "
                         "or more")
    return fit_mlp(np.asarray(images, dtype=np.float64), labels, seed, int(epochs))


def _distinct(visible):
    """Distinct final states v / |v| (equal to 2 decimals): how many states the recalls ended in."""
    length = np.linalg.norm(visible, axis=1, keepdims=True)
    unit = np.divide(visible, length, out=np.zeros_like(visible), where=length > 0)
    return len(np.unique(np.round(unit, 2), axis=0))


def _score(classifier, seen, labels):
    predicted = classifier.predict(seen)
    return float(np.mean(predicted == labels)), predicted


def table4(train_images, train_labels, classifier, *, threshold_model=None,
           threshold_n_memories=60000, n_memories=PROTOCOL["n_memories"],
           n_draws=PROTOCOL["n_draws"], seed=PROTOCOL["seed"], cues=PROTOCOL["cues"],
           beta=PROTOCOL["beta"], backend=DEFAULTS["backend"], models=tuple(MODELS),
           durations=None, dt=PROTOCOL["dt"], classifier_test_accuracy=float("nan"),
           progress=False):
    """
    Recall performance of Models A(i), A(ii), B, C and the threshold network (Table 4).

    Parameters
    ----------
    train_images : array-like, shape (n, 784)
        MNIST training images in [0, 1]; the stored images are drawn from them.
    train_labels : array-like, shape (n,)
    classifier : object with ``predict``
        Trained on the original training images (`train_classifier`).
    threshold_model : dict, optional
        A loaded model (`bioam.models.load_model`) for the threshold-network
        row, recalled with the engine's defaults (`bioam.recall.DEFAULTS`);
        None leaves the row out.
    threshold_n_memories : int
        Images the threshold model stored (reported; all 60,000 for
        ``models/mnist_nh50.npz``).
    n_memories, n_draws, seed, beta
        See `PROTOCOL`.
    cues : sequence of {'clean', 'occluded'}
        Cue kinds; each is recalled for every draw (in one simulation).
    backend : str
        Brian2 target of every recall.
    models : sequence of str
        Krotov & Hopfield models to run.
    durations : dict, optional
        Simulated time per model (default ``PROTOCOL['duration']``).
    dt : Quantity
        Time step of Models A-C.
    classifier_test_accuracy : float
        Reported in every row.
    progress : bool or callable
        Progress bars of the recalls (see `bioam.progress`).

    Returns
    -------
    rows : list of dict
        One per model and cue kind, keys `TABLE4_COLUMNS`.
    draw_rows : list of dict
        One per model, cue kind and draw, keys `DRAW_COLUMNS`.
    examples : dict
        Draw 0, last cue kind: ``images``, ``cues`` (pixel space), ``labels``,
        ``recalls`` (read-outs per model) and ``predictions`` per model, for
        `plot_table4`.
    """
    from .models import model_theta

    train_images = np.asarray(train_images, dtype=np.float64)
    train_labels = np.asarray(train_labels)
    if int(n_draws) != n_draws or n_draws < 1:
        raise BioamError(f"n_draws must be a positive integer, got {n_draws}")
    if train_images.ndim != 2 or train_images.shape[1] != _SIDE * _SIDE:
        raise BioamError(f"Table 4 needs MNIST-sized 28 x 28 images (784 pixels), got shape "
                         f"{train_images.shape}")
    cues = list(cues)
    if not cues:
        raise BioamError("give at least one cue kind (clean, occluded)")
    for kind in cues:
        make_cues(train_images[:1], kind)  # refuses an unknown kind before any work
    durations = dict(PROTOCOL["duration"], **(durations or {}))
    unknown = [name for name in models if name not in MODELS]
    if unknown:
        raise BioamError(f"unknown model {unknown[0]!r}; choose {', '.join(MODELS)}")
    if threshold_model is not None and threshold_model["xi"].shape[0] != train_images.shape[1]:
        raise BioamError(f"the threshold model has N_v = {threshold_model['xi'].shape[0]} but "
                         f"the images have {train_images.shape[1]} pixels")
    n = int(n_memories)
    draws = [draw_memories(len(train_images), n, seed + draw) for draw in range(n_draws)]
    draw_rows, examples = [], {"recalls": {}, "predictions": {}}
    cue_scores = {}

    def record(name, draw, kind, visible, seen, labels, seconds):
        score, predicted = _score(classifier, seen, labels)
        draw_rows.append({"model": name, "cue": kind, "draw": draw, "seed": seed + draw,
                          "recall_performance": score,
                          "cue_performance": cue_scores[draw, kind],
                          "distinct_recalls": _distinct(visible), "seconds": round(seconds, 1)})
        if draw == 0 and kind == cues[-1]:
            examples["recalls"][name] = seen
            examples["predictions"][name] = predicted
        logger.info(f"draw {draw}, {kind} cues, model {name}: {score:.2f} of {len(labels)} "
                    "recalls classified as the cue's label", "table4")

    pixel_cues = {}
    for draw, indices in enumerate(draws):
        images, labels = train_images[indices], train_labels[indices]
        for kind in cues:
            pixel_cues[draw, kind] = make_cues(images, kind)
            cue_scores[draw, kind] = _score(classifier, pixel_cues[draw, kind], labels)[0]
        if draw == 0:
            examples.update(cues=pixel_cues[0, cues[-1]], cue=cues[-1], labels=labels,
                            images=images)
        memories = normalise(images)[0]
        unit, mean, norm = normalise(np.concatenate([pixel_cues[draw, kind] for kind in cues]))
        for name in models:
            start = time.perf_counter()
            result = recall_baseline(name, memories, unit, backend=backend, beta=beta,
                                     dt=dt, duration=durations[name], progress=progress)
            seen = readout(result.visible, mean, norm)
            seconds = (time.perf_counter() - start) / len(cues)
            for k, kind in enumerate(cues):
                part = slice(k * n, (k + 1) * n)
                record(name, draw, kind, result.visible[part], seen[part], labels, seconds)
    if threshold_model is not None:
        start = time.perf_counter()
        order = [(draw, kind) for draw in range(n_draws) for kind in cues]
        with RecallSession(threshold_model["xi"], xi_back=threshold_model["xi_back"],
                           theta=model_theta(threshold_model), backend=backend,
                           progress=progress) as session:
            result = session.recall(np.concatenate([pixel_cues[key] for key in order]))
        seconds = (time.perf_counter() - start) / len(order)
        seen = readout(result.visible)
        for k, (draw, kind) in enumerate(order):
            part = slice(k * n, (k + 1) * n)
            record("threshold", draw, kind, result.visible[part], seen[part],
                   train_labels[draws[draw]], seconds)
    rows = []
    names = list(models) + (["threshold"] if threshold_model is not None else [])
    for kind in cues:
        for name in names:
            mine = [row for row in draw_rows if row["model"] == name and row["cue"] == kind]
            scores = np.array([row["recall_performance"] for row in mine])
            f, g, paper = PAPER_TABLE4[name]
            if name == "threshold":
                n_hidden, stored = threshold_model["xi"].shape[1], int(threshold_n_memories)
                duration, step = DEFAULTS["duration"], DEFAULTS["dt"]
            else:
                n_hidden = stored = n
                duration, step = durations[name], dt
                if name == "B":
                    f = f"softmax({beta:g} h)"
            rows.append({
                "model": name, "f": f, "g": g, "n_hidden": n_hidden, "n_memories": stored,
                "recall_performance": round(float(scores.mean()), 4),
                "recall_performance_std": (round(float(scores.std(ddof=1)), 4)
                                           if len(scores) > 1 else 0.0),
                "recall_performance_min": float(scores.min()),
                "recall_performance_max": float(scores.max()),
                "paper_recall_performance": paper, "n_draws": int(n_draws),
                "cues_per_draw": n, "cue": kind,
                "cue_performance": round(float(np.mean([cue_scores[d, kind]
                                                        for d in range(n_draws)])), 4),
                "distinct_recalls": round(float(np.mean([row["distinct_recalls"]
                                                         for row in mine])), 1),
                "classifier_test_accuracy": round(float(classifier_test_accuracy), 4),
                "backend": backend, "dt_ms": round(float(step / ms), 6),
                "duration_ms": round(float(duration / ms), 6),
                "seconds": round(sum(row["seconds"] for row in mine), 1),
            })
            logger.info(f"{name}, {kind} cues: {scores.mean():.3f} +- "
                        f"{rows[-1]['recall_performance_std']:.3f} (paper {paper:.2f})", "table4")
    return rows, draw_rows, examples


def plot_table4(examples, rows, path, n_examples=10):
    """
    Stored image, cue and each model's read-out for the first cues of draw 0 (atomic write).

    Parameters
    ----------
    examples : dict
        From `table4`.
    rows : list of dict
        From `table4` (titles: measured and paper's performance).
    path : str
        PNG file to write.
    n_examples : int
    """
    from .plotting import _pyplot, save_figure

    plt = _pyplot()
    n_examples = min(n_examples, len(examples["cues"]))
    names = list(examples["recalls"])
    by_name = {row["model"]: row for row in rows if row["cue"] == examples["cue"]}
    lines = [("stored", examples["images"], None),
             (f"{examples['cue']} cue", examples["cues"], None)]
    lines += [(name, examples["recalls"][name], examples["predictions"][name]) for name in names]
    fig, axes = plt.subplots(len(lines), n_examples, squeeze=False,
                             figsize=(1.0 * n_examples + 1.6, 1.1 * len(lines) + 0.6))
    for line, (name, images, predicted) in enumerate(lines):
        for k in range(n_examples):
            axis = axes[line, k]
            axis.imshow(np.asarray(images[k]).reshape(_SIDE, _SIDE), cmap="gray_r")
            axis.set_xticks([])
            axis.set_yticks([])
            if line == 0:
                axis.set_title(f"label {examples['labels'][k]}", fontsize=7)
            if predicted is not None:
                right = predicted[k] == examples["labels"][k]
                axis.set_xlabel(f"-> {predicted[k]}", fontsize=7,
                                color="black" if right else "red")
        label = name
        if name in by_name:
            row = by_name[name]
            label = (f"{name}\n{row['recall_performance']:.0%} ± "
                     f"{row['recall_performance_std']:.0%}\n(paper "
                     f"{row['paper_recall_performance']:.0%})")
        axes[line, 0].set_ylabel(label, fontsize=7, rotation=0, ha="right", va="center")
    fig.suptitle("Table 4: stored image, cue and recalled v in pixel space (as classified) "
                 "per model, draw 0; red: misclassified", fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path, dpi=100)


def write_table4(folder, rows, draw_rows, examples):
    """
    Write ``table4.csv``, ``table4_draws.csv`` and ``table4.png`` into ``folder`` (atomically).

    Returns
    -------
    list of str
        The paths written.
    """
    from .io import write_csv_atomic

    paths = [write_csv_atomic(os.path.join(folder, "table4.csv"), rows, TABLE4_COLUMNS),
             write_csv_atomic(os.path.join(folder, "table4_draws.csv"), draw_rows, DRAW_COLUMNS)]
    paths.append(plot_table4(examples, rows, os.path.join(folder, "table4.png")))
    return paths
