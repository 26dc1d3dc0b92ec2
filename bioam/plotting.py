"""
Figures of bioam's experiments (matplotlib, no screen needed).
"""

import os

import numpy as np

__all__ = ["plot_capacity", "plot_compare", "plot_sweeps", "plot_recall_examples",
           "plot_basic_memories", "save_figure"]


def save_figure(fig, path, dpi=120):
    """
    Write a matplotlib figure to ``path`` atomically, then close it; with no path, return it.

    Every ``plot_*`` function of this module ends here: called with
    ``path=None`` it returns its `matplotlib.figure.Figure` for the caller to
    show, change or save.

    The image is written to a temporary file beside ``path`` and renamed over it,
    so an interrupted write leaves neither a partial image nor a temporary file
    (`bioam.io._write_atomic`). The format is taken from the extension (default
    matplotlib's ``savefig.format``, appended to ``path``).

    Returns
    -------
    str or Figure
        The path written, or the figure when ``path`` is None.
    """
    import matplotlib

    from .io import _write_atomic
    from .validation import BioamError

    if path is None:
        return fig
    try:
        path = os.fspath(path)
        extension = os.path.splitext(path)[1][1:].lower()
        if not extension:
            extension = matplotlib.rcParams["savefig.format"]
            path = f"{path}.{extension}"
        supported = fig.canvas.get_supported_filetypes()
        if extension not in supported:
            raise BioamError(f"cannot write the figure {path!r}: matplotlib does not write "
                             f"'.{extension}' files; use one of "
                             f"{', '.join('.' + name for name in sorted(supported))}")
        return _write_atomic(path, "." + extension,
                             lambda stream: fig.savefig(stream, format=extension, dpi=dpi))
    finally:
        _pyplot().close(fig)


def _pyplot():
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # files only; a user's own pyplot session keeps its backend
    import matplotlib.pyplot as plt

    return plt


def plot_capacity(rows, path=None):
    """
    Capacity versus N_h in the style of the paper's Figure 1a/1b.

    (a) one curve per threshold theta at the lowest noise; (b) one curve per
    noise level sigma_v at the threshold closest to 0.5, each beside the
    theoretical no-bit-flip bound 2^N_h * P (Eq. 10, 40; dashed) and the
    tighter Eq. (38) (dotted).

    Parameters
    ----------
    rows : list of dict
        Output of `bioam.capacity.capacity_experiment`.
    path : str
        Image file to write (format from its extension).
    """
    plt = _pyplot()
    thetas = sorted({row["theta"] for row in rows})
    noises = sorted({row["noise"] for row in rows})
    theta_b = min(thetas, key=lambda value: abs(value - 0.5))
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), sharey=True)

    def curve(selected):
        selected = sorted(selected, key=lambda row: row["nh"])
        return (np.array([r["nh"] for r in selected]),
                np.array([max(r["n_recalled"], 0.5) for r in selected]), selected)

    all_nh = sorted({row["nh"] for row in rows})
    for axis in axes:
        sampled = {row["nh"]: row["n_patterns"] for row in rows}
        axis.plot(all_nh, [sampled[n] for n in all_nh], color="0.6", lw=6, alpha=0.35,
                  label="patterns tested ($2^{N_h}$ or sample)")
        axis.set_yscale("log", base=2)
        axis.set_xlabel("number of hidden neurons $N_h$")
        axis.set_xticks(all_nh)
        axis.grid(alpha=0.3)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, theta in enumerate(thetas):
        nh, recalled, _ = curve([r for r in rows if r["theta"] == theta and r["noise"] == noises[0]])
        axes[0].plot(nh, recalled, "o-", color=colors[k % len(colors)], label=f"θ = {theta:g}")
    nh, _, selected = curve([r for r in rows if r["theta"] == theta_b and r["noise"] == noises[0]])
    axes[0].plot(nh, [r["n_patterns"] * r["bound_eq40"] for r in selected], "k--",
                 label="theory, θ = 1/2 (Eq. 10)")
    axes[0].set_title(f"(a) capacity vs threshold, σ_v = {noises[0]:g}")
    axes[0].set_ylabel("patterns recalled exactly (capacity)")
    for k, noise in enumerate(noises):
        color = colors[k % len(colors)]
        nh, recalled, selected = curve([r for r in rows if r["theta"] == theta_b and r["noise"] == noise])
        axes[1].plot(nh, recalled, "o-", color=color, label=f"σ_v² = {noise**2:g}")
        axes[1].plot(nh, [max(r["n_patterns"] * r["bound_eq40"], 0.5) for r in selected], "--",
                     color=color, alpha=0.8)
        axes[1].plot(nh, [max(r["n_patterns"] * r["probability_eq38"], 0.5) for r in selected], ":",
                     color=color, alpha=0.8)
    axes[1].plot([], [], "k--", label="bound, Eq. 40")
    axes[1].plot([], [], "k:", label="Eq. 38")
    axes[1].set_title(f"(b) capacity vs visible noise, θ = {theta_b:g}")
    nv_ratio = rows[0]["nv"] / rows[0]["nh"]
    fig.suptitle(f"Capacity of the threshold associative memory, N_v = {nv_ratio:g} N_h "
                 f"({rows[0]['backend']})")
    for axis in axes:
        axis.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return save_figure(fig, path, dpi=120)


def _as_image(vector):
    """A visible state as an image: 28 x 28 (MNIST), 32 x 32 x 3 (CIFAR-10, channel-major), or a strip."""
    n = vector.size
    side = int(round(np.sqrt(n)))
    if side * side == n:
        return vector.reshape(side, side), "gray_r"
    if n == 3072:
        image = vector.reshape(3, 32, 32).transpose(1, 2, 0)
        return np.clip(image, 0, 1), None
    return vector[None, :], "RdBu_r"


def plot_compare(cues, results, path=None, n_examples=4):
    """
    Cue and recall under every variant, one row per example (like Figure 9).

    Parameters
    ----------
    cues : ndarray, shape (B, N_v)
    results : dict
        `RecallResult` per variant specification (from `bioam.compare.compare_variants`).
    path : str
    n_examples : int
    """
    plt = _pyplot()
    n_examples = min(n_examples, len(cues))
    columns = ["cue"] + list(results)
    fig, axes = plt.subplots(n_examples, len(columns), squeeze=False,
                             figsize=(1.6 * len(columns) + 0.5, 1.7 * n_examples + 0.4))
    for row in range(n_examples):
        for col, name in enumerate(columns):
            vector = cues[row] if name == "cue" else results[name].visible[row]
            image, cmap = _as_image(np.asarray(vector, dtype=float))
            axis = axes[row, col]
            axis.imshow(image, cmap=cmap, aspect="auto" if image.shape[0] == 1 else "equal")
            axis.set_xticks([])
            axis.set_yticks([])
            if row == 0:
                axis.set_title(name, fontsize=7)
    fig.suptitle("cue and recalled visible state under each variant", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, dpi=120)


def plot_sweeps(rows, path=None):
    """Fraction of patterns recalled versus rho, threshold spread and p (one panel each)."""
    plt = _pyplot()
    kinds = [kind for kind in ("rho", "spread", "p") if any(r["kind"] == kind for r in rows)]
    labels = {"rho": "correlation ρ of backward and forward weights",
              "spread": "threshold spread (std of θ)",
              "p": "connection probability p"}
    fig, axes = plt.subplots(1, len(kinds), figsize=(4.2 * len(kinds), 3.6), squeeze=False)
    for axis, kind in zip(axes[0], kinds):
        selected = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["value"])
        axis.plot([r["value"] for r in selected], [r["fraction_recalled"] for r in selected], "o-")
        axis.set_xlabel(labels[kind])
        axis.set_ylim(-0.03, 1.03)
        axis.grid(alpha=0.3)
        axis.set_title(f"N_h = {selected[0]['nh']}, N_v = {selected[0]['nv']}", fontsize=9)
    axes[0, 0].set_ylabel("fraction of patterns recalled")
    fig.tight_layout()
    return save_figure(fig, path, dpi=120)


def plot_recall_examples(cues, visible, hidden, path=None, n_examples=6):
    """
    Cue, recalled visible state and hidden state for sample images (Figures 2 and 4).

    The hidden state is drawn on a ring, black for active neurons, as in the paper.
    """
    plt = _pyplot()
    n_examples = min(n_examples, len(cues))
    fig, axes = plt.subplots(n_examples, 3, figsize=(6.0, 1.9 * n_examples), squeeze=False)
    n_hidden = hidden.shape[1]
    angles = 2 * np.pi * np.arange(n_hidden) / n_hidden
    for row in range(n_examples):
        for col, (vector, title) in enumerate(((cues[row], "cue"), (visible[row], "recalled"))):
            image, cmap = _as_image(np.asarray(vector, dtype=float))
            axes[row, col].imshow(image, cmap=cmap)
            axes[row, col].set_title(title if row == 0 else "", fontsize=8)
            axes[row, col].axis("off")
        ring = axes[row, 2]
        ring.scatter(np.cos(angles), np.sin(angles), c=1 - hidden[row], cmap="gray", vmin=0,
                     vmax=1, s=max(6, 1200 / n_hidden), edgecolors="0.5", linewidths=0.3)
        ring.set_aspect("equal")
        ring.axis("off")
        if row == 0:
            ring.set_title(f"hidden ({n_hidden} neurons)", fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def plot_basic_memories(xi, path=None, n_shown=25, *, xi_back=None, shared_scale=False,
                        title=None):
    """
    Learned basic memories and their correlation matrix (Figures 3, 5, 7 and 8).

    A basic memory is the visible state with one hidden neuron active, v = xi_mu /
    sqrt(N_h) by Eq. (16): the columns of ``xi`` of a symmetric network, the rows of
    the decoder ``xi_back`` of an asymmetric one.

    Parameters
    ----------
    xi : ndarray, shape (N_v, N_h)
    path : str, optional
        Image file to write; without it the Figure is returned.
    n_shown : int
        Basic memories drawn (the first ones); the correlation matrix has all N_h.
    xi_back : ndarray, shape (N_h, N_v), optional
        The decoder of an asymmetric network; its rows are the basic memories.
    shared_scale : bool
        Draw every basic memory on one grey scale, symmetric about zero (mid-grey),
        with a colourbar of the weights; by default each is stretched to its own
        range, without one.
    title : str, optional
        The figure's title (default: what is shown and where it comes from).
    """
    plt = _pyplot()
    memories = np.asarray(xi).T if xi_back is None else np.asarray(xi_back)
    n_hidden = memories.shape[0]
    n_shown = min(n_shown, n_hidden)
    columns = int(np.ceil(np.sqrt(n_shown)))
    rows = int(np.ceil(n_shown / columns))
    fig = plt.figure(figsize=(12, 5.2))
    outer = fig.add_gridspec(1, 2, width_ratios=(1.15, 1), wspace=0.3, left=0.02, right=0.92,
                             top=0.88, bottom=0.09)
    left = outer[0].subgridspec(rows, columns + 1, width_ratios=[1] * columns + [0.1],
                                wspace=0.08, hspace=0.25)
    # one scale for all: symmetric about 0, the 99.5th percentile of |weight| (beyond: clipped)
    limit = float(np.percentile(np.abs(memories[:n_shown]), 99.5)) or 1.0
    shown = None
    for k in range(n_shown):
        axis = fig.add_subplot(left[k // columns, k % columns])
        memory = memories[k]
        if shared_scale:
            image, cmap = _as_image(memory)
            if cmap is None:  # colour: the shared scale mapped onto [0, 1] per channel
                image, _ = _as_image((memory / limit + 1) / 2)
            shown = axis.imshow(image, cmap=cmap, vmin=-limit, vmax=limit)
            axis.set_title(f"μ = {k}", fontsize=6, pad=1)
        else:
            image, cmap = _as_image((memory - memory.min()) / (np.ptp(memory) + 1e-12))
            axis.imshow(image, cmap="gray_r" if cmap == "gray_r" else cmap)
        axis.axis("off")
    if shared_scale and shown is not None:
        bar = fig.colorbar(shown, cax=fig.add_subplot(left[:, columns]), extend="both")
        bar.set_label("weight (one scale for all; 0 = mid-grey)", fontsize=8)
        bar.ax.tick_params(labelsize=7)
    axis = fig.add_subplot(outer[1])
    correlation = np.corrcoef(memories)
    image = axis.imshow(correlation, cmap="RdBu_r", vmin=-1, vmax=1)
    fig.colorbar(image, ax=axis, fraction=0.046).set_label("correlation")
    axis.set_xlabel("hidden neuron ν")
    axis.set_ylabel("hidden neuron μ")
    axis.set_title("correlation of basic memories")
    source = "columns of xi" if xi_back is None else "rows of the decoder xi_back"
    fig.suptitle(title or f"{n_shown} of {n_hidden} basic memories ({source})", fontsize=10)
    return save_figure(fig, path, dpi=110)
