"""The plotting helpers draw the data they are given, into the caller's axes or a new figure."""

import os
import runpy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from brian2 import Network, SpikeMonitor, mV, ms, prefs, second  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bioam import BioamError, RecallResult, build_network, recall  # noqa: E402
from bioam.pieces.lif import SpikingHidden  # noqa: E402
from bioam.plotting import (plot_basic_memories, plot_basic_memory, plot_hidden_ring,  # noqa: E402
                            plot_recall_examples, plot_recall_trace, plot_spike_raster)

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TARGETS = np.array([[1, 0, 1], [0, 1, 0]])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def xi():
    return np.random.default_rng(3).standard_normal((40, 3))


@pytest.fixture(scope="module")
def recorded(xi):
    """Two recalls of a small network, v and h recorded every ms for 20 ms."""
    cues = TARGETS @ xi.T / np.sqrt(3)  # the visible states of the targets, Eq. 12
    result = recall(xi, cues, theta=0.5, backend="numpy", dt=0.1 * ms, duration=20 * ms,
                    record_dt=1 * ms)
    assert np.array_equal(result.states, TARGETS)
    return result


@pytest.fixture(scope="module")
def spike_monitor(xi):
    """The spiking variant recalling (1, 0, 1): a SpikeMonitor on its hidden neurons."""
    previous = prefs["codegen.target"]
    prefs["codegen.target"] = "numpy"  # no compilation in this quick test
    try:
        memory = build_network(xi, spiking=SpikingHidden(readout_start=10 * ms), dt=0.05 * ms)
        memory.set_cues(xi @ TARGETS[0] / np.sqrt(3))
        monitor = SpikeMonitor(memory.hidden)
        Network(memory.objects, monitor).run(20 * ms)
    finally:
        prefs["codegen.target"] = previous
    assert set(np.unique(monitor.i[:])) == {0, 2}  # the active neurons fire, the other not
    return monitor


def _is_png(path):
    with open(path, "rb") as stream:
        return stream.read(8) == PNG_SIGNATURE


# --- what is drawn is the data -------------------------------------------------------------

def test_recall_trace_draws_the_recorded_hidden_potentials_in_ms(recorded):
    traces = recorded.traces
    fig = plot_recall_trace(recorded, index=1, theta=0.5)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 4  # h_0, h_1, h_2, then the threshold
    for mu in range(3):
        expected = np.column_stack([traces["t"] * 1e3, traces["h"][1, mu]])
        np.testing.assert_allclose(ax.lines[mu].get_xydata(), expected)
    # the time axis is in ms: 20 samples, 0 to 19 ms
    np.testing.assert_allclose(ax.lines[0].get_xdata(), np.arange(20.0))
    assert ax.get_xlabel() == "time (ms)"
    threshold = ax.lines[3]
    assert threshold.get_linestyle() == "--"
    np.testing.assert_allclose(threshold.get_ydata(), [0.5, 0.5])
    # recall 1 recalled (0, 1, 0): only h_1 ends above theta
    assert [line.get_ydata()[-1] > 0.5 for line in ax.lines[:3]] == [False, True, False]


def test_recall_trace_draws_chosen_visible_neurons_and_per_neuron_thresholds(recorded):
    traces = recorded.traces
    ax = plot_recall_trace(recorded, layer="visible", neurons=[5, 7]).axes[0]
    assert len(ax.lines) == 2 and ax.get_ylabel() == "visible state v"
    for line, i in zip(ax.lines, (5, 7)):
        np.testing.assert_allclose(line.get_xydata(),
                                   np.column_stack([traces["t"] * 1e3, traces["visible"][0, i]]))
    assert len(plot_recall_trace(recorded, layer="visible").axes[0].lines) == 10  # first 10
    # one threshold per neuron: a dashed line each, in the neuron's colour
    ax = plot_recall_trace(recorded, neurons=[2, 0], theta=[0.4, 0.5, 0.6]).axes[0]
    traces_drawn, thresholds = ax.lines[:2], ax.lines[2:]
    np.testing.assert_allclose(traces_drawn[0].get_ydata(), traces["h"][0, 2])
    assert [line.get_ydata()[0] for line in thresholds] == [0.6, 0.4]
    assert [line.get_color() for line in thresholds] == [line.get_color()
                                                         for line in traces_drawn]


def test_recall_trace_without_traces_says_to_record_them(xi, recorded):
    unrecorded = RecallResult(visible=recorded.visible, h=recorded.h, hidden=recorded.hidden)
    with pytest.raises(BioamError, match=r"no traces.*record_dt=") as error:
        plot_recall_trace(unrecorded)
    assert isinstance(error.value, ValueError)
    with pytest.raises(BioamError, match="RecallResult"):
        plot_recall_trace(recorded.traces)
    with pytest.raises(BioamError, match="layer must be 'hidden' or 'visible'"):
        plot_recall_trace(recorded, layer="h")
    with pytest.raises(BioamError, match="index must be a recall of the batch, an integer "
                                         "from 0 to 1, got 2"):
        plot_recall_trace(recorded, index=2)
    with pytest.raises(BioamError, match="neurons must be hidden neurons"):
        plot_recall_trace(recorded, neurons=[3])
    with pytest.raises(BioamError, match="layer='hidden' only"):
        plot_recall_trace(recorded, layer="visible", theta=0.5)
    with pytest.raises(BioamError, match="theta"):
        plot_recall_trace(recorded, theta=[0.5, 0.5])


def test_spike_raster_marks_every_spike_of_the_monitor_in_ms(spike_monitor):
    expected = np.column_stack([spike_monitor.t / ms, spike_monitor.i[:]])
    assert len(expected) == spike_monitor.num_spikes > 10
    ax = plot_spike_raster(spike_monitor).axes[0]
    np.testing.assert_allclose(np.asarray(ax.collections[0].get_offsets()), expected)
    assert ax.get_ylim() == (-0.5, 2.5)  # all three neurons, neuron 1 silent
    assert ax.get_xlabel() == "time (ms)"
    assert ax.get_title() == f"{spike_monitor.source.name}: {spike_monitor.num_spikes} spikes"
    # a pair (indices, times): times as a Quantity or in seconds
    indices, times = np.asarray(spike_monitor.i[:]), spike_monitor.t[:]
    for pair in ((indices, times), (indices, np.asarray(times / second))):
        ax = plot_spike_raster(pair, n_neurons=3).axes[0]
        np.testing.assert_allclose(np.asarray(ax.collections[0].get_offsets()), expected)
        assert ax.get_ylim() == (-0.5, 2.5)


def test_spike_raster_refuses_what_is_not_spikes():
    with pytest.raises(BioamError, match="SpikeMonitor or a pair"):
        plot_spike_raster(np.zeros(3))
    with pytest.raises(BioamError, match="units of"):
        plot_spike_raster(([0, 1], [1, 2] * mV))
    with pytest.raises(BioamError, match="one length"):
        plot_spike_raster(([0, 1, 2], [0.001, 0.002]))
    with pytest.raises(BioamError, match="integers >= 0"):
        plot_spike_raster(([0.5], [0.001]))
    with pytest.raises(BioamError, match="not one of the n_neurons = 2"):
        plot_spike_raster(([0, 2], [0.001, 0.002]), n_neurons=2)
    # no spikes at all is an empty raster, not an error
    assert len(plot_spike_raster(([], []), n_neurons=4).axes[0].collections[0].get_offsets()) == 0


def test_hidden_ring_is_black_where_active():
    state = np.array([1, 0, 1, 1, 0])
    ax = plot_hidden_ring(state).axes[0]
    ring = ax.collections[0]
    colours = ring.get_facecolors()
    np.testing.assert_array_equal(colours[:, :3], 1 - state[:, None] * np.ones(3))
    # neuron mu at angle 2 pi mu / N_h
    angles = 2 * np.pi * np.arange(5) / 5
    np.testing.assert_allclose(np.asarray(ring.get_offsets()),
                               np.column_stack([np.cos(angles), np.sin(angles)]))
    assert ax.get_title() == "hidden state: 3 of 5 neurons active"
    # a graded activation is grey
    grey = plot_hidden_ring([0.5, 1.0]).axes[0].collections[0].get_facecolors()[0, :3]
    assert len(plot_hidden_ring([1]).axes[0].collections[0].get_offsets()) == 1  # one neuron
    assert np.all((grey > 0.4) & (grey < 0.6))
    with pytest.raises(BioamError, match=r"shape \(N_h,\).*result.states\[k\]"):
        plot_hidden_ring(np.ones((2, 5)))


def test_recall_examples_draw_their_rings_with_plot_hidden_ring():
    rng = np.random.default_rng(1)
    hidden = (rng.random((3, 8)) > 0.5).astype(float)
    fig = plot_recall_examples(rng.random((3, 49)), rng.random((3, 49)), hidden)
    assert len(fig.axes) == 9
    for row in range(3):
        ring = fig.axes[3 * row + 2]
        np.testing.assert_array_equal(ring.collections[0].get_facecolors()[:, 0], 1 - hidden[row])
        assert ring.get_title() == ("hidden (8 neurons)" if row == 0 else "")


def test_basic_memory_is_the_weights_of_one_hidden_neuron():
    rng = np.random.default_rng(2)
    xi, xi_back = rng.standard_normal((784, 6)), rng.standard_normal((6, 784))
    image = plot_basic_memory(xi, 4).axes[0].images[0]
    column = xi[:, 4]
    np.testing.assert_allclose(image.get_array(),
                               ((column - column.min()) / np.ptp(column)).reshape(28, 28))
    # the decoder's row of an asymmetric network; on one scale, [-limit, limit]
    image = plot_basic_memory(xi, 4, xi_back=xi_back, limit=2.0).axes[0].images[0]
    np.testing.assert_allclose(image.get_array(), xi_back[4].reshape(28, 28))
    assert image.get_clim() == (-2.0, 2.0)
    # the grid draws the same images
    grid = plot_basic_memories(xi, n_shown=6, xi_back=xi_back, shared_scale=True)
    limit = np.percentile(np.abs(xi_back), 99.5)
    for mu in range(6):
        alone = plot_basic_memory(xi, mu, xi_back=xi_back, limit=limit).axes[0].images[0]
        np.testing.assert_array_equal(grid.axes[mu].images[0].get_array(), alone.get_array())
        assert grid.axes[mu].images[0].get_clim() == alone.get_clim()
    with pytest.raises(BioamError, match="mu must be a hidden neuron, an integer from 0 to 5"):
        plot_basic_memory(xi, 6)
    with pytest.raises(BioamError, match="xi_back"):
        plot_basic_memory(xi, 0, xi_back=xi_back.T)


# --- the caller's axes and figure ----------------------------------------------------------

def _draw_each(recorded, spike_monitor, axes):
    """Every helper, each into one of ``axes``; what each returned."""
    return [plot_recall_trace(recorded, ax=axes[0], theta=0.5),
            plot_spike_raster(spike_monitor, ax=axes[1]),
            plot_hidden_ring(recorded.states[0], ax=axes[2]),
            plot_basic_memory(np.eye(4), 1, ax=axes[3])]


def test_helpers_draw_into_the_given_axes_and_return_its_open_figure(recorded, spike_monitor):
    fig, axes = plt.subplots(2, 3)
    chosen = [axes[0, 0], axes[0, 2], axes[1, 1], axes[1, 2]]
    returned = _draw_each(recorded, spike_monitor, chosen)
    assert all(value is fig for value in returned)
    assert plt.fignum_exists(fig.number) and len(fig.axes) == 6  # nothing added, nothing closed
    assert len(chosen[0].lines) == 4 and len(chosen[1].collections) == 1
    assert len(chosen[2].collections) == 1 and len(chosen[3].images) == 1
    for untouched in (axes[0, 1], axes[1, 0]):
        assert not (untouched.lines or untouched.collections or untouched.images)
    # an axes of a subfigure: the figure returned is the one that is saved (the root)
    root = plt.figure()
    sub_axes = root.subfigures(1, 2)[1].subplots()
    assert plot_hidden_ring([1, 0, 1], ax=sub_axes) is root
    with pytest.raises(BioamError, match="ax must be a matplotlib Axes"):
        plot_hidden_ring([1, 0], ax=fig)


def test_a_given_axes_with_a_path_writes_the_whole_figure_and_leaves_it_open(
        tmp_path, recorded, spike_monitor):
    fig, axes = plt.subplots(2, 2, figsize=(6, 5))
    names = ["trace.png", "raster.png", "ring.png", "memory.png"]
    written = [plot_recall_trace(recorded, ax=axes[0, 0], path=tmp_path / names[0]),
               plot_spike_raster(spike_monitor, ax=axes[0, 1], path=tmp_path / names[1]),
               plot_hidden_ring([1, 0, 1], ax=axes[1, 0], path=tmp_path / names[2]),
               plot_basic_memory(np.eye(4), 1, ax=axes[1, 1], path=tmp_path / names[3])]
    assert written == [str(tmp_path / name) for name in names]
    assert plt.fignum_exists(fig.number) and len(fig.axes) == 4
    assert sorted(os.listdir(tmp_path)) == sorted(names)  # no temporary file left
    assert all(_is_png(tmp_path / name) for name in names)
    # the whole figure, not the one axes: 6 x 5 inches at the trace's 120 dpi
    assert plt.imread(tmp_path / "trace.png").shape[:2] == (600, 720)
    # the caller can go on drawing and saving
    axes[1, 1].plot([0, 1])
    fig.savefig(tmp_path / "mine.png")
    # a Figure made without pyplot works the same
    figure = Figure()
    assert plot_hidden_ring([0, 1], ax=figure.add_subplot(), path=tmp_path / "plain.png") \
        == str(tmp_path / "plain.png")
    assert _is_png(tmp_path / "plain.png")


def test_without_axes_a_path_is_written_atomically_and_the_new_figure_closed(
        tmp_path, recorded, spike_monitor):
    plt.close("all")
    paths = [tmp_path / name for name in ("trace.png", "raster.png", "ring", "memory.png")]
    written = [plot_recall_trace(recorded, path=paths[0]),
               plot_spike_raster(spike_monitor, path=paths[1]),
               plot_hidden_ring([1, 0, 1], path=paths[2]),
               plot_basic_memory(np.eye(4), 1, path=paths[3])]
    # the default format's extension is added to a path without one
    assert written == [str(paths[0]), str(paths[1]), str(paths[2]) + ".png", str(paths[3])]
    assert plt.get_fignums() == []  # the figures made here are closed once written
    assert sorted(os.listdir(tmp_path)) == ["memory.png", "raster.png", "ring.png", "trace.png"]
    assert all(_is_png(path) for path in written)
    with pytest.raises(BioamError, match="does not write '.xyz' files"):
        plot_hidden_ring([1, 0, 1], path=tmp_path / "ring.xyz")
    assert not (tmp_path / "ring.xyz").exists() and plt.get_fignums() == []


def test_plotting_gallery_example_runs(tmp_path, monkeypatch, capsys):
    """docs/examples/example_plotting.py: one recall's panels as subplots of one figure."""
    monkeypatch.setitem(prefs, "codegen.target", "numpy")  # its Network.run, uncompiled
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(EXAMPLES / "example_plotting.py"), run_name="__main__")
    out = capsys.readouterr().out
    assert "recalled [1 0 1 1 0 0]" in out and "spiking  [1 0 1 1 0 0]" in out
    assert _is_png(tmp_path / "plotting_example.png")
    assert os.path.getsize(tmp_path / "plotting_example.png") > 20_000


def test_usage_plotting_example_runs(tmp_path, monkeypatch):
    """The Python block of docs/usage.md's plotting section."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "usage.md").read_text()
    block = text.split("## Plotting")[1].split("```python")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    namespace = {}
    exec(compile(block, "usage.md", "exec"), namespace)
    assert np.array_equal(namespace["result"].states[0], [1, 0, 1, 0])
    assert len(namespace["fig"].axes[0].lines) == 5  # h_0 .. h_3 and theta
    assert _is_png(tmp_path / "recall.png")


def _result(hidden, visible):
    from bioam.recall import RecallResult

    hidden = np.asarray(hidden, dtype=float)
    return RecallResult(visible=np.asarray(visible, dtype=float), h=hidden - 0.5, hidden=hidden)


def test_compare_figure_shows_the_cues_where_variants_disagree_and_marks_them():
    from bioam.plotting import disagreements, plot_compare

    rng = np.random.default_rng(5)
    cues = rng.random((6, 16))
    rate = rng.integers(0, 2, (6, 3))
    sparse, dale = rate.copy(), rate.copy()
    sparse[4] = 1 - sparse[4]        # cue 4: sparse differs in 3 neurons
    dale[4, 0] = 1 - dale[4, 0]      # ... and Dale in 1: two variants disagree
    dale[1, 2] = 1 - dale[1, 2]      # cue 1: only Dale, in 1 neuron
    results = {name: _result(states, rng.random((6, 16)))
               for name, states in (("rate", rate), ("sparse", sparse), ("dale", dale))}
    reference, hamming = disagreements(results)
    assert reference == "rate"
    np.testing.assert_array_equal(hamming["sparse"], [0, 0, 0, 0, 3, 0])
    np.testing.assert_array_equal(hamming["dale"], [0, 1, 0, 0, 1, 0])
    fig = plot_compare(cues, results, n_examples=3)
    rows = [fig.axes[4 * row] for row in range(3)]  # columns: cue, rate, sparse, dale
    # the cues with most disagreeing variants first, then cue order among the agreeing ones
    assert [axis.get_ylabel().split("\n")[0] for axis in rows] == ["cue 4", "cue 1", "cue 0"]
    assert rows[0].get_ylabel().endswith("2 of 2 differ")
    labels = [[fig.axes[4 * row + col].get_xlabel() for col in (2, 3)] for row in range(3)]
    assert labels == [["Δs = 3", "Δs = 1"], ["= rate", "Δs = 1"], ["= rate", "= rate"]]
    # the recalled visible states drawn are those of the cue named in the row
    drawn = fig.axes[2].images[0].get_array()
    np.testing.assert_allclose(np.ravel(drawn), results["sparse"].visible[4])
    assert "2 cues have a variant" in fig._suptitle.get_text()
    # nobody disagrees: the first cues, and the title says so
    agreeing = {name: results["rate"] for name in ("rate", "copy")}
    fig = plot_compare(cues, agreeing, n_examples=2)
    assert [fig.axes[3 * row].get_ylabel().split("\n")[0] for row in range(2)] == ["cue 0",
                                                                                  "cue 1"]
    assert fig._suptitle.get_text().startswith("every variant recalls")
    with pytest.raises(BioamError, match="reference variant"):
        disagreements(results, reference="spiking")
