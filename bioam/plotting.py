"""
Figures of bioam's experiments (matplotlib, no screen needed).

The figures of the experiments (`plot_capacity`, `plot_compare`, `plot_sweeps`,
`plot_recall_examples`, `plot_basic_memories`) each make a figure of their own.
The helpers for one recall or one network (`plot_recall_trace`,
`plot_spike_raster`, `plot_hidden_ring`, `plot_basic_memory`) draw into an
``ax`` of the caller's figure, or into a new one when ``ax`` is None, so that
they compose as subplots of one figure. All return the figure, or write it
(atomically, `save_figure`) when given a ``path`` and return the path.
"""

import os

import numpy as np

__all__ = ["plot_capacity", "plot_compare", "disagreements", "plot_sweeps",
           "plot_recall_examples", "plot_basic_memories", "plot_basic_memory", "plot_recall_trace",
           "plot_spike_raster", "plot_hidden_ring", "save_figure"]


def save_figure(fig, path, dpi=120, *, close=True):
    """
    Write a matplotlib figure to ``path`` atomically, then close it; with no path, return it.

    Every ``plot_*`` function of this module ends here: called with
    ``path=None`` it returns its `matplotlib.figure.Figure` for the caller to
    show, change or save.

    The image is written to a temporary file beside ``path`` and renamed over it,
    so an interrupted write leaves neither a partial image nor a temporary file
    (`bioam.io._write_atomic`). The format is taken from the extension (default
    matplotlib's ``savefig.format``, appended to ``path``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike, optional
    dpi : float
    close : bool
        Close the figure once written (default). The helpers that drew into a
        caller's ``ax`` pass False: the figure is the caller's, and stays open.

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
        if close:
            _pyplot().close(fig)


def _pyplot():
    import sys

    import matplotlib

    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # files only; a user's own pyplot session keeps its backend
    import matplotlib.pyplot as plt

    return plt


def _axes(ax, figsize):
    """
    The figure and axes to draw into: ``ax``'s, or a new pyplot figure's.

    Returns ``(figure, axes, own)``; ``own`` is True for a new figure. The
    figure is ``ax``'s root figure (the one that is saved), also when ``ax`` is
    in a `matplotlib.figure.SubFigure`.
    """
    if ax is None:
        fig, ax = _pyplot().subplots(figsize=figsize)
        return fig, ax, True
    from matplotlib.axes import Axes

    from .validation import BioamError

    if not isinstance(ax, Axes):
        raise BioamError(f"ax must be a matplotlib Axes (or None for a new figure), got "
                         f"{type(ax).__name__}")
    return ax.get_figure(root=True), ax, False


def _finish(fig, path, own, dpi=120):
    """
    `save_figure`, leaving open a figure that the caller owns (they passed its ``ax``).

    A figure made here is closed once written, like those of the experiments'
    functions; the caller's is written as a whole (with whatever else they drew
    on it) and stays theirs.
    """
    if own:
        fig.tight_layout()  # a figure made here; the caller lays out their own
    return save_figure(fig, path, dpi=dpi, close=own)


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


def disagreements(results, reference=None):
    """
    How each cue's recalled hidden state differs between variants.

    Parameters
    ----------
    results : dict
        `RecallResult` per variant (from `bioam.compare.compare_variants`), all
        for the same cues.
    reference : str, optional
        The variant the others are compared with; default 'rate' when it is
        there, else the first.

    Returns
    -------
    reference : str
    hamming : dict
        Per variant, an int array (B,): the hidden neurons in which its binary
        state (`RecallResult.states`) differs from the reference's.

    Examples
    --------
    >>> import numpy as np
    >>> from bioam.recall import RecallResult
    >>> state = lambda rows: RecallResult(visible=np.zeros((2, 4)), h=np.zeros((2, 2)),
    ...                                   hidden=np.array(rows, dtype=float))
    >>> disagreements({'rate': state([[1, 0], [0, 1]]), 'sparse': state([[1, 0], [1, 0]])})[1]
    {'rate': array([0, 0]), 'sparse': array([0, 2])}
    """
    from .validation import BioamError

    if not results:
        raise BioamError("no variants to compare; give at least one result")
    if reference is None:
        reference = "rate" if "rate" in results else next(iter(results))
    if reference not in results:
        raise BioamError(f"reference variant {reference!r} is not among {sorted(results)}")
    base = results[reference].states
    hamming = {}
    for name, result in results.items():
        if result.states.shape != base.shape:
            raise BioamError(f"variant {name!r} recalled {result.states.shape[0]} cues of "
                             f"{result.states.shape[1]} hidden neurons; {reference!r} "
                             f"{base.shape[0]} of {base.shape[1]}")
        hamming[name] = np.sum(result.states != base, axis=1).astype(int)
    return reference, hamming


def plot_compare(cues, results, path=None, n_examples=4, *, reference=None):
    """
    Cue and recall under every variant, for the cues where the variants disagree (like Figure 9).

    The rows are the cues whose recalled hidden states differ from the
    reference variant's in the most variants (ties: the larger total Hamming
    distance first, then cue order); each panel says whether its hidden state
    equals the reference's (green "= rate") or in how many hidden neurons it
    differs (red "Δs = 3"). When no variant disagrees on any cue, the first
    cues are shown and the title says so.

    Parameters
    ----------
    cues : ndarray, shape (B, N_v)
    results : dict
        `RecallResult` per variant specification (from `bioam.compare.compare_variants`).
    path : str, optional
        Image file to write; without it the Figure is returned.
    n_examples : int
        Rows (cues) drawn.
    reference : str, optional
        The variant the others are compared with (`disagreements`).

    Returns
    -------
    Figure or str
    """
    plt = _pyplot()
    reference, hamming = disagreements(results, reference)
    n_cues = len(cues)
    n_examples = min(n_examples, n_cues)
    n_disagreeing = sum((distance > 0).astype(int) for distance in hamming.values())
    total = sum(hamming.values())
    order = sorted(range(n_cues), key=lambda k: (-n_disagreeing[k], -total[k], k))
    shown = order[:n_examples]
    columns = ["cue"] + list(results)
    fig, axes = plt.subplots(n_examples, len(columns), squeeze=False,
                             figsize=(1.6 * len(columns) + 0.9, 1.8 * n_examples + 0.6))
    for row, cue in enumerate(shown):
        for col, name in enumerate(columns):
            vector = cues[cue] if name == "cue" else results[name].visible[cue]
            image, cmap = _as_image(np.asarray(vector, dtype=float))
            axis = axes[row, col]
            axis.imshow(image, cmap=cmap, aspect="auto" if image.shape[0] == 1 else "equal")
            axis.set_xticks([])
            axis.set_yticks([])
            if name == "cue":
                axis.set_ylabel(f"cue {cue}\n{n_disagreeing[cue]} of {len(results) - 1} "
                                "differ", fontsize=7)
            elif name != reference:
                distance = int(hamming[name][cue])
                axis.set_xlabel(f"= {reference}" if distance == 0 else f"Δs = {distance}",
                                fontsize=7, color="tab:green" if distance == 0 else "tab:red")
            if row == 0:
                axis.set_title(name, fontsize=7)
    differing = int(np.count_nonzero(n_disagreeing))
    if differing:
        title = (f"the {len(shown)} of {n_cues} cues where the variants disagree most "
                 f"({differing} cues have a variant whose hidden state differs from "
                 f"{reference!r})")
    else:
        title = f"every variant recalls the hidden state of {reference!r} on all {n_cues} cues"
    fig.suptitle(title, fontsize=8)
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
    for row in range(n_examples):
        for col, (vector, title) in enumerate(((cues[row], "cue"), (visible[row], "recalled"))):
            image, cmap = _as_image(np.asarray(vector, dtype=float))
            axes[row, col].imshow(image, cmap=cmap)
            axes[row, col].set_title(title if row == 0 else "", fontsize=8)
            axes[row, col].axis("off")
        plot_hidden_ring(hidden[row], ax=axes[row, 2],
                         title=f"hidden ({n_hidden} neurons)" if row == 0 else "")
    fig.tight_layout()
    return save_figure(fig, path, dpi=110)


def plot_hidden_ring(hidden_state, ax=None, *, title=None, path=None):
    """
    One hidden state on a ring, black for active neurons (the paper's Figures 2 and 4).

    Hidden neuron mu sits at angle 2 pi mu / N_h, counter-clockwise from the
    right; a graded activation (sigmoid) is drawn in grey, from white (0) to
    black (1). `plot_recall_examples` draws its rings with this function.

    Parameters
    ----------
    hidden_state : array-like, shape (N_h,)
        One hidden state: 0/1, or activations in [0, 1] (clipped), e.g. a row
        of `RecallResult.states <bioam.recall.RecallResult.states>`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; without it a new figure is made.
    title : str, optional
        Default: the numbers of neurons and of active ones (above 1/2); ''
        for none.
    path : str or os.PathLike, optional
        Image file to write (`save_figure`). A figure made here is closed once
        written; the figure of a given ``ax`` is written whole and left open.

    Returns
    -------
    Figure or str
        The figure ``ax`` belongs to (a new one without ``ax``), or the path
        written when ``path`` is given.

    Examples
    --------
    >>> from bioam.plotting import plot_hidden_ring
    >>> fig = plot_hidden_ring([1, 0, 0, 1, 0, 1])
    >>> fig.axes[0].get_title()
    'hidden state: 3 of 6 neurons active'
    >>> fig.axes[0].collections[0].get_facecolors()[:2]  # neuron 0 active, 1 silent
    array([[0., 0., 0., 1.],
           [1., 1., 1., 1.]])
    """
    import matplotlib

    from .validation import BioamError

    try:
        state = np.asarray(hidden_state, dtype=float)
    except (TypeError, ValueError) as error:
        raise BioamError(f"hidden_state must be an array of numbers, shape (N_h,): {error}") \
            from error
    if state.ndim != 1 or state.size == 0 or not np.all(np.isfinite(state)):
        raise BioamError(f"hidden_state must be one hidden state of finite numbers, shape "
                         f"(N_h,), got shape {state.shape}; for recall k of a batch pass "
                         f"result.states[k]")
    fig, ax, own = _axes(ax, figsize=(3.2, 3.4))
    n_hidden = state.size
    angles = 2 * np.pi * np.arange(n_hidden) / n_hidden
    # the grey scale spelled out (not c= and a colormap), so the colours are set when drawn
    colors = matplotlib.colormaps["gray"](1 - np.clip(state, 0, 1))
    ax.scatter(np.cos(angles), np.sin(angles), c=colors, s=max(6, 1200 / n_hidden),
               edgecolors="0.5", linewidths=0.3)
    ax.set(xlim=(-1.15, 1.15), ylim=(-1.15, 1.15), aspect="equal")  # also for 1 or 2 neurons
    ax.axis("off")
    if title is None:
        title = f"hidden state: {int(np.sum(state > 0.5))} of {n_hidden} neurons active"
    ax.set_title(title, fontsize=8)
    return _finish(fig, path, own, dpi=110)


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
        shown = _draw_basic_memory(axis, memories[k], limit if shared_scale else None)
        if shared_scale:
            axis.set_title(f"μ = {k}", fontsize=6, pad=1)
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


def _draw_basic_memory(ax, memory, limit=None):
    """Draw one basic memory into ``ax`` (see `plot_basic_memory`); return its image."""
    memory = np.asarray(memory, dtype=float)
    if limit is not None:
        image, cmap = _as_image(memory)
        if cmap is None:  # colour: the shared scale mapped onto [0, 1] per channel
            image, _ = _as_image((memory / limit + 1) / 2)
        shown = ax.imshow(image, cmap=cmap, vmin=-limit, vmax=limit,
                          aspect="auto" if image.shape[0] == 1 else "equal")
    else:
        image, cmap = _as_image((memory - memory.min()) / (np.ptp(memory) + 1e-12))
        shown = ax.imshow(image, cmap=cmap, aspect="auto" if image.shape[0] == 1 else "equal")
    ax.axis("off")
    return shown


# One basic memory per Axes, which the grid of `plot_basic_memories` draws too (rather than a
# ``fig=`` for the grid): an Axes is what every helper of this module draws into, so one basic
# memory composes with a trace or a ring in the caller's own subplots, while the grid keeps its
# layout (memories, colourbar, correlation matrix) to itself. A user who wants some memories in
# a larger figure of their own draws them with this function.
def plot_basic_memory(xi, mu, ax=None, *, xi_back=None, limit=None, title=None, path=None):
    """
    One basic memory: the visible state with hidden neuron ``mu`` alone active (Eq. 16).

    v = xi_mu / sqrt(N_h): column ``mu`` of ``xi`` of a symmetric network, row
    ``mu`` of the decoder ``xi_back`` of an asymmetric one, drawn as an image
    (28 x 28 for MNIST, 32 x 32 x 3 for CIFAR-10, a strip otherwise).
    `plot_basic_memories` draws its grid with this function.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    mu : int
        The hidden neuron, 0 <= mu < N_h.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; without it a new figure is made.
    xi_back : array-like, shape (N_h, N_v), optional
        The decoder of an asymmetric network; its rows are the basic memories.
    limit : float, optional
        Draw on the grey scale symmetric about zero, from -limit to limit
        (mid-grey is 0; beyond, clipped), to compare memories on one scale;
        by default the memory is stretched to its own range.
    title : str, optional
        Default ``'basic memory μ = <mu>'``; '' for none.
    path : str or os.PathLike, optional
        Image file to write (`save_figure`). A figure made here is closed once
        written; the figure of a given ``ax`` is written whole and left open.

    Returns
    -------
    Figure or str
        The figure ``ax`` belongs to (a new one without ``ax``), or the path
        written when ``path`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from bioam.plotting import plot_basic_memory
    >>> xi = np.random.default_rng(0).standard_normal((784, 10))
    >>> fig = plot_basic_memory(xi, 3)
    >>> fig.axes[0].images[0].get_array().shape  # an MNIST-sized memory as a 28 x 28 image
    (28, 28)
    """
    from .validation import BioamError, check_weights

    _, memories = check_weights(xi, xi_back)  # the rows of xi_back, or of xi.T
    mu = _index("mu", mu, memories.shape[0], "a hidden neuron")
    if limit is not None and not (np.isfinite(limit) and limit > 0):
        raise BioamError(f"limit must be a positive number (the grey scale's end), got {limit}")
    fig, ax, own = _axes(ax, figsize=(3.2, 3.4))
    _draw_basic_memory(ax, memories[mu], limit)
    ax.set_title(f"basic memory μ = {mu}" if title is None else title, fontsize=8)
    return _finish(fig, path, own, dpi=110)


def _index(name, value, size, what):
    """An integer index 0 <= value < size, or a `BioamError` naming ``what`` it indexes."""
    from .validation import BioamError

    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
            or not 0 <= value < size:
        raise BioamError(f"{name} must be {what}, an integer from 0 to {size - 1}, got {value!r}")
    return int(value)


def plot_recall_trace(result, ax=None, *, layer="hidden", index=0, neurons=None, theta=None,
                      path=None):
    """
    The time course of one recall: the hidden potentials h, or the visible state v.

    One line per neuron, against time in ms; with ``theta``, the threshold of
    the hidden neurons as a dashed line (a hidden neuron is active while its h
    is above it, Eq. 2).

    Parameters
    ----------
    result : RecallResult
        A recall recorded with ``record_dt`` (`bioam.recall`,
        `bioam.RecallSession`): its ``traces`` hold ``t`` (T,) in seconds,
        ``visible`` (B, N_v, T) and ``h`` (B, N_h, T).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; without it a new figure is made.
    layer : {'hidden', 'visible'}
        The hidden potentials h (default) or the visible state v.
    index : int
        The recall of the batch (cue ``index``) to draw.
    neurons : sequence of int, optional
        The neurons of the layer to draw (default: every hidden neuron; the
        first 10 visible ones). A legend names them when there are 10 or fewer.
    theta : float or array-like of shape (N_h,), optional
        Hidden layer only: the threshold(s) of the recall, one dashed line
        (black) when they are all equal, else one per neuron drawn, in its
        colour.
    path : str or os.PathLike, optional
        Image file to write (`save_figure`). A figure made here is closed once
        written; the figure of a given ``ax`` is written whole and left open.

    Returns
    -------
    Figure or str
        The figure ``ax`` belongs to (a new one without ``ax``), or the path
        written when ``path`` is given. The neurons' lines come first in
        ``ax.lines``, in the order of ``neurons``, then the threshold(s).

    Raises
    ------
    BioamError
        When ``result`` has no traces (recall with ``record_dt``), or
        ``layer``, ``index``, ``neurons`` or ``theta`` do not fit it.

    Examples
    --------
    >>> import numpy as np
    >>> from brian2 import ms
    >>> from bioam import recall
    >>> from bioam.plotting import plot_recall_trace
    >>> xi = np.random.default_rng(0).standard_normal((100, 3))
    >>> cue = xi @ [1, 0, 1] / np.sqrt(3)  # the visible state of s = (1, 0, 1), Eq. 12
    >>> result = recall(xi, cue[None], theta=0.5, backend='numpy', dt=0.1*ms,
    ...                 duration=20*ms, record_dt=1*ms)
    >>> fig = plot_recall_trace(result, theta=0.5)
    >>> [line.get_label() for line in fig.axes[0].lines]
    ['h_0', 'h_1', 'h_2', 'θ = 0.5']
    """
    from .validation import BioamError, check_theta

    traces = getattr(result, "traces", None)
    if not isinstance(traces, dict):
        raise BioamError(f"result must be a RecallResult (from bioam.recall or "
                         f"RecallSession.recall), got {type(result).__name__}")
    if not traces:
        raise BioamError("this recall has no traces to plot: recall with record_dt=... to "
                         "record them, e.g. bioam.recall(xi, cues, record_dt=0.1*ms)")
    keys = {"hidden": "h", "visible": "visible"}
    if layer not in keys:
        raise BioamError(f"layer must be 'hidden' or 'visible', got {layer!r}")
    data = np.asarray(traces[keys[layer]])
    index = _index("index", index, data.shape[0], "a recall of the batch")
    n_neurons = data.shape[1]
    if neurons is None:
        neurons = range(n_neurons if layer == "hidden" else min(n_neurons, 10))
    neurons = [_index("neurons", n, n_neurons, f"{layer} neurons") for n in np.ravel(neurons)]
    if theta is not None:
        if layer != "hidden":
            raise BioamError("theta is the threshold of the hidden neurons: give it with "
                             "layer='hidden' only")
        theta = check_theta(theta, n_neurons)[neurons]
    fig, ax, own = _axes(ax, figsize=(6.4, 3.6))
    t_ms = np.asarray(traces["t"], dtype=float) * 1e3
    symbol = "h" if layer == "hidden" else "v"
    lines = [ax.plot(t_ms, data[index, n], lw=1.2, label=f"{symbol}_{n}")[0] for n in neurons]
    if theta is not None and theta.size:
        if np.all(theta == theta[0]):
            ax.axhline(theta[0], color="k", ls="--", lw=0.9, label=f"θ = {theta[0]:g}")
        else:
            for line, n, value in zip(lines, neurons, theta):
                ax.axhline(value, color=line.get_color(), ls="--", lw=0.9,
                           label=f"θ_{n} = {value:g}")
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("hidden potential h" if layer == "hidden" else "visible state v")
    ax.set_title(f"recall {index}: {layer} layer", fontsize=9)
    if 0 < len(neurons) <= 10:
        ax.legend(fontsize=7, ncol=2)
    return _finish(fig, path, own)


def _spike_arrays(spikes):
    """Indices, times in seconds and, for a monitor, its group's size, from ``spikes``."""
    from brian2 import second
    from brian2.units.fundamentalunits import DIMENSIONLESS, Quantity, get_dimensions

    from .validation import BioamError

    size = None
    if all(hasattr(spikes, name) for name in ("i", "t", "source")):  # a SpikeMonitor
        indices, times = np.asarray(spikes.i[:]), spikes.t[:]
        size = getattr(spikes.source, "N", None)
    elif isinstance(spikes, (tuple, list)) and len(spikes) == 2:
        indices, times = spikes
    else:
        raise BioamError(f"spikes must be a Brian2 SpikeMonitor or a pair (indices, times), "
                         f"got {type(spikes).__name__}")
    if isinstance(times, Quantity) and get_dimensions(times) is not DIMENSIONLESS:
        if get_dimensions(times) is not get_dimensions(second):
            raise BioamError(f"spike times must be times (a Quantity such as t*ms) or numbers "
                             f"in seconds, got units of {get_dimensions(times)}")
        times = times / second
    try:
        times = np.asarray(times, dtype=float)
        indices = np.asarray(indices, dtype=float)
    except (TypeError, ValueError) as error:
        raise BioamError(f"spike indices and times must be arrays of numbers: {error}") from error
    if indices.ndim != 1 or times.shape != indices.shape:
        raise BioamError(f"spike indices and times must be two 1-D arrays of one length, got "
                         f"shapes {indices.shape} and {times.shape}")
    if not np.all(np.isfinite(times)):
        raise BioamError("spike times must be finite")
    if np.any(indices < 0) or np.any(indices != np.round(indices)):
        raise BioamError("spike indices must be neuron indices, integers >= 0")
    return indices.astype(np.int64), times, size


def plot_spike_raster(spikes, ax=None, *, n_neurons=None, size=None, color="black",
                      title=None, path=None):
    """
    A spike raster: one mark per spike, neuron index against time in ms.

    For the spiking variant (``spiking=`` of `bioam.build_network`,
    `bioam.pieces.lif.SpikingHidden`), or any Brian2 group's spikes.

    Parameters
    ----------
    spikes : SpikeMonitor or (indices, times)
        A Brian2 `SpikeMonitor` (its ``i`` and ``t``), or a pair of arrays: the
        neuron indices and the spike times, a Brian2 Quantity (``t * ms``) or
        numbers in seconds.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; without it a new figure is made.
    n_neurons : int, optional
        The neurons on the y axis, 0 to n_neurons - 1 (default: the monitored
        group's size, else up to the largest index), so that silent neurons
        show as empty rows.
    size : float, optional
        Marker size, points squared as in `matplotlib.axes.Axes.scatter`
        (default: from 64 for a few neurons down to 4 for a thousand).
    color : color
    title : str, optional
        Default: the monitored group's name and the number of spikes.
    path : str or os.PathLike, optional
        Image file to write (`save_figure`). A figure made here is closed once
        written; the figure of a given ``ax`` is written whole and left open.

    Returns
    -------
    Figure or str
        The figure ``ax`` belongs to (a new one without ``ax``), or the path
        written when ``path`` is given. The spikes are ``ax.collections[0]``,
        offsets (t in ms, i).

    Examples
    --------
    The hidden neurons of the spiking variant, recalling the stored state
    s = (1, 0, 1): neurons 0 and 2 fire, neuron 1 is silent.

    >>> import numpy as np
    >>> from brian2 import Network, SpikeMonitor, ms
    >>> from bioam import build_network
    >>> from bioam.pieces.lif import SpikingHidden
    >>> from bioam.plotting import plot_spike_raster
    >>> xi = np.random.default_rng(0).standard_normal((100, 3))
    >>> memory = build_network(xi, spiking=SpikingHidden(readout_start=10*ms), dt=0.05*ms)
    >>> memory.set_cues(xi @ [1, 0, 1] / np.sqrt(3))  # Eq. 12
    >>> monitor = SpikeMonitor(memory.hidden)
    >>> Network(memory.objects, monitor).run(20*ms)
    >>> fig = plot_spike_raster(monitor)
    >>> offsets = np.asarray(fig.axes[0].collections[0].get_offsets())  # (t in ms, i)
    >>> np.unique(offsets[:, 1])  # the neurons that fired
    array([0., 2.])
    """
    from matplotlib.ticker import MaxNLocator

    from .validation import BioamError

    indices, times, group_size = _spike_arrays(spikes)
    if n_neurons is None:
        n_neurons = group_size if group_size is not None else int(indices.max(initial=-1)) + 1
    elif isinstance(n_neurons, bool) or not isinstance(n_neurons, (int, np.integer)) \
            or n_neurons < 1:
        raise BioamError(f"n_neurons must be a positive integer, got {n_neurons!r}")
    if indices.size and indices.max() >= n_neurons:
        raise BioamError(f"spike index {indices.max()} is not one of the n_neurons = "
                         f"{n_neurons} neurons")
    if size is None:
        size = float(np.clip(4000 / max(n_neurons, 1), 4, 64))
    fig, ax, own = _axes(ax, figsize=(6.4, 3.2))
    ax.scatter(times * 1e3, indices, s=size, marker="|", color=color, linewidths=1.0)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron index")
    if n_neurons:
        ax.set_ylim(-0.5, n_neurons - 0.5)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if title is None:
        source = getattr(getattr(spikes, "source", None), "name", None)
        title = f"{source + ': ' if source else ''}{indices.size} spikes"
    ax.set_title(title, fontsize=9)
    return _finish(fig, path, own)
