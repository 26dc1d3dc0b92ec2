"""brian2cuda: the project is generated and compiled with CUDA 13 (run only where a GPU is)."""

import os
import shutil

import numpy as np
import pytest
from brian2 import ms

from bioam import BioamError, RecallSession, reference_recall
from bioam.backends import gpu_available

pytestmark = [pytest.mark.slow, pytest.mark.cuda]


def test_cuda_project_compiles_and_runs_or_says_no_gpu(tmp_path, monkeypatch):
    """The event formulation (the default) as a brian2cuda project, compiled into the cache."""
    pytest.importorskip("brian2cuda", reason="install the 'cuda' extra")
    if shutil.which("nvcc") is None:
        pytest.skip("nvcc is not installed")
    monkeypatch.setenv("BIOAM_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(4)
    xi = rng.standard_normal((200, 4))
    xi_back = xi.T + 0.2 * rng.standard_normal((4, 200))
    theta = rng.uniform(0.3, 0.6, 4)
    cues = rng.standard_normal((6, 200))
    kwds = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=20 * ms)
    with RecallSession(xi, xi_back=xi_back, theta=theta, backend="cuda_standalone",
                       batch_size=3, n_workers=1, **kwds) as session:
        assert session.formulation == "event"
        project = session.project
        assert os.access(os.path.join(project, "main"), os.X_OK), "the CUDA binary was not built"
        with open(os.path.join(project, "makefile")) as stream:
            makefile = stream.read()
        assert "-std=c++17" in makefile and "-std=c++11" not in makefile
        if gpu_available():
            result = session.recall(cues)
            expected = reference_recall(xi, cues, xi_back=xi_back, theta=theta,
                                        integrator="exact", **kwds)
            assert np.max(np.abs(result.visible - expected["visible"])) < 1e-9
            assert np.max(np.abs(result.h - expected["h"])) < 1e-9
        else:
            with pytest.raises(BioamError, match="needs an NVIDIA GPU"):
                session.recall(cues)


@pytest.mark.parametrize("options", [
    dict(connection_probability=0.5), dict(dale=True, baseline=3.0), dict(spiking=True),
    dict(hidden_neuron="lif", visible_neuron="spiking:rate=2000"),
    # pooling neurons of non-local pieces (summed variables, linked variables, run_regularly)
    dict(activation="softmax:beta=2", visible_nonlinearity="normalised", theta=0.0),
    # event-driven inhibitory pools (a custom relay event in the same step as the flips)
    dict(dale=True, baseline=3.0, formulation="event"),
], ids=["sparse", "dale", "spiking", "spiking_visible", "pieces", "dale_event"])
def test_cuda_project_compiles_for_every_variant(tmp_path, monkeypatch, options):
    pytest.importorskip("brian2cuda", reason="install the 'cuda' extra")
    if shutil.which("nvcc") is None:
        pytest.skip("nvcc is not installed")
    xi = np.random.default_rng(5).standard_normal((100, 4))
    project = tmp_path / "cuda_variant"
    monkeypatch.setenv("BIOAM_CACHE_DIR", str(tmp_path / "cache"))
    options = {"formulation": "dense", **options}
    with RecallSession(xi, backend="cuda_standalone", batch_size=2, directory=str(project),
                       tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=30 * ms,
                       **options) as session:
        # cue sequences (event formulation) are compiled into the cache
        built = session.project if session.sequence else str(project)
        assert os.access(os.path.join(built, "main"), os.X_OK)
        if not gpu_available():
            with pytest.raises(BioamError, match="needs an NVIDIA GPU"):
                session.recall(np.zeros((2, 100)))
