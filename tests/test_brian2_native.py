"""bioam inside a user's Brian2 script: the user's device and code generation target survive."""

import numpy as np
import pytest
from brian2 import get_device, prefs, set_device

import bioam


@pytest.fixture
def restore_brian2():
    target = prefs.codegen.target
    yield
    set_device("runtime")
    prefs.codegen.target = target


def test_recall_gives_back_the_users_target_and_device(restore_brian2, tmp_path):
    rng = np.random.default_rng(0)
    xi, cues = rng.standard_normal((40, 3)), rng.random((2, 40))
    prefs.codegen.target = "numpy"
    first = bioam.recall(xi, cues, backend="cython")
    assert prefs.codegen.target == "numpy"
    assert type(get_device()).__name__ == "RuntimeDevice"
    # a user's own standalone device, with build_on_run off, is the current device again
    set_device("cpp_standalone", build_on_run=False, directory=str(tmp_path / "mine"))
    mine = get_device()
    result = bioam.recall(xi, cues, backend="numpy")
    assert get_device() is mine and mine.build_on_run is False
    assert prefs.codegen.target == "numpy"
    np.testing.assert_array_equal(result.hidden, first.hidden)   # the recall itself unchanged


def test_a_cuda_run_without_a_gpu_is_refused_before_compiling(monkeypatch, capsys, tmp_path):
    import importlib

    from bioam import backends
    from bioam.cli import main
    from bioam.validation import BioamError

    recall_module = importlib.import_module("bioam.recall")
    monkeypatch.setattr(backends, "gpu_available", lambda: False)
    built = []
    monkeypatch.setattr(recall_module, "RecallSession", lambda *args, **kwargs: built.append(1))
    rng = np.random.default_rng(0)
    with pytest.raises(BioamError, match="needs an NVIDIA GPU"):
        bioam.recall(rng.standard_normal((40, 3)), rng.random((2, 40)),
                     backend="cuda_standalone")
    assert built == []                      # nothing was built or compiled
    assert main(["capacity", "--nh", "2", "--backend", "cuda_standalone", "--out",
                 str(tmp_path / "capacity"), "--quiet"]) == 2
    assert "needs an NVIDIA GPU" in capsys.readouterr().err


def test_plot_helpers_return_the_figure_without_a_path(tmp_path):
    from matplotlib.figure import Figure

    from bioam.plotting import plot_basic_memories, plot_recall_examples

    rng = np.random.default_rng(1)
    cues, visible = rng.random((4, 784)), rng.random((4, 784))
    hidden = (rng.random((4, 50)) > 0.5).astype(float)
    fig = plot_recall_examples(cues, visible, hidden, n_examples=4)
    assert isinstance(fig, Figure) and len(fig.axes) == 12   # cue, recall, ring per example
    fig.savefig(tmp_path / "mine.png")                        # the caller can still save it
    assert (tmp_path / "mine.png").stat().st_size > 1000
    written = plot_basic_memories(rng.standard_normal((784, 50)), tmp_path / "memories.png")
    assert written == str(tmp_path / "memories.png")


def test_two_memories_with_default_names_run_in_one_network(restore_brian2):
    """Default names are unique: two memories in one Network, each as the NumPy reference says."""
    from brian2 import Network, ms, start_scope

    start_scope()
    prefs.codegen.target = "numpy"
    rng = np.random.default_rng(4)
    memories, expected = [], []
    for _ in range(2):
        xi = rng.standard_normal((60, 3))
        cues = xi @ rng.integers(0, 2, (1, 3)).T.ravel() / np.sqrt(3) + rng.normal(0, .3, 60)
        memory = bioam.build_network(xi)
        memory.set_cues(cues)
        memories.append(memory)
        expected.append(bioam.reference_recall(xi, cues, tau_v=20 * ms, tau_h=1 * ms,
                                               dt=0.1 * ms, duration=30 * ms))
    assert memories[0].visible.name != memories[1].visible.name
    Network(*(memory.objects for memory in memories)).run(30 * ms)
    for memory, reference in zip(memories, expected):
        np.testing.assert_allclose(memory.visible.v[:], reference["visible"][0], atol=1e-9)
        np.testing.assert_array_equal(memory.hidden.s[:], reference["hidden"][0])
        assert np.ptp(reference["visible"][0]) > 0.1
