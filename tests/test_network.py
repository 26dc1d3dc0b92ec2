"""The Brian2 model against the independent NumPy reference, on every runtime/C++ target."""

import numpy as np
import pytest
from brian2 import Network, StateMonitor, ms

from bioam import BioamError, RecallSession, build_network, recall, reference_recall

BACKENDS = ["numpy", "cython", "cpp_standalone"]


def random_problem(seed, n_visible=60, n_hidden=5, n_cues=6):
    rng = np.random.default_rng(seed)
    return {
        "xi": rng.standard_normal((n_visible, n_hidden)),
        "xi_back": rng.standard_normal((n_hidden, n_visible)),
        "theta": rng.uniform(0.2, 0.7, n_hidden),
        "cues": rng.standard_normal((n_cues, n_visible)) * rng.uniform(0.5, 2.0),
        "tau_h": rng.uniform(0.5, 2.0) * ms,
        "ratio": rng.uniform(4, 25),
        "steepness": rng.uniform(4, 30),
    }


VARIANTS = {
    "symmetric_step": lambda p: dict(theta=0.5),
    "asymmetric_heterogeneous": lambda p: dict(xi_back=p["xi_back"], theta=p["theta"]),
    "sigmoid_heterogeneous": lambda p: dict(theta=p["theta"], activation="sigmoid",
                                            steepness=p["steepness"]),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_brian2_matches_reference(backend, variant):
    problem = random_problem(seed=sorted(VARIANTS).index(variant) + 100)
    kwds = VARIANTS[variant](problem)
    tau_h = problem["tau_h"]
    tau_v = problem["ratio"] * tau_h
    dt = tau_h / 10
    duration = 3 * tau_v
    expected = reference_recall(problem["xi"], problem["cues"], tau_v=tau_v, tau_h=tau_h,
                                dt=dt, duration=duration, **kwds)
    result = recall(problem["xi"], problem["cues"], tau_v=tau_v, tau_h=tau_h, dt=dt,
                    duration=duration, backend=backend, batch_size=4, formulation="dense",
                    **kwds)
    assert result.visible.shape == problem["cues"].shape
    assert np.max(np.abs(result.visible - expected["visible"])) < 1e-6
    assert np.max(np.abs(result.h - expected["h"])) < 1e-6
    assert np.max(np.abs(result.hidden - expected["hidden"])) < 1e-6
    # the dynamics moved: a comparison of two unchanged states would prove nothing
    assert np.max(np.abs(result.visible - problem["cues"])) > 0.1


def test_traces_match_reference():
    problem = random_problem(seed=3, n_cues=3)
    kwds = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=10 * ms)
    expected = reference_recall(problem["xi"], problem["cues"], record_every=10, **kwds)
    result = recall(problem["xi"], problem["cues"], backend="numpy", record_dt=1 * ms,
                    formulation="dense", **kwds)
    assert result.traces["visible"].shape == expected["visible_trace"].shape
    assert np.max(np.abs(result.traces["visible"] - expected["visible_trace"])) < 1e-9
    assert np.max(np.abs(result.traces["h"] - expected["h_trace"])) < 1e-9
    np.testing.assert_allclose(result.traces["t"], np.arange(10) * 1e-3, atol=1e-12)


@pytest.mark.parametrize("backend", ["numpy", "cpp_standalone"])
def test_session_reuses_build_for_new_cues_and_thresholds(backend):
    problem = random_problem(seed=7, n_cues=7)
    kwds = dict(tau_v=10 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=15 * ms)
    with RecallSession(problem["xi"], backend=backend, batch_size=3, formulation="dense",
                       **kwds) as session:
        for theta in (0.5, problem["theta"]):
            result = session.recall(problem["cues"], theta=theta)
            expected = reference_recall(problem["xi"], problem["cues"], theta=theta, **kwds)
            assert np.max(np.abs(result.visible - expected["visible"])) < 1e-6
            assert np.max(np.abs(result.h - expected["h"])) < 1e-6


def test_builder_objects_in_a_users_network():
    rng = np.random.default_rng(0)
    xi = rng.standard_normal((300, 3))
    memory = build_network(xi, tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms)
    target = np.array([1.0, 0.0, 1.0])
    memory.set_cues(xi @ target / np.sqrt(3) + 0.5 * rng.standard_normal(300))
    monitor = StateMonitor(memory.hidden, "h", record=True, dt=1 * ms)
    net = Network(memory.objects, monitor)
    net.run(60 * ms)
    np.testing.assert_array_equal(memory.hidden.s[:], target)
    assert monitor.h.shape == (3, 60)
    assert "Eq. 1a" in memory.equations["visible"] and "Eq. 1b" in memory.equations["hidden"]
    assert "I_v_post = w * s_pre" in memory.equations["hidden_to_visible"]
    # the final visible state is the stored memory N_h^-1/2 xi s (Eq. 16)
    np.testing.assert_allclose(memory.visible.v[:], xi @ target / np.sqrt(3), atol=0.1)


def test_replicated_copies_are_independent():
    problem = random_problem(seed=11, n_cues=5)
    kwds = dict(tau_v=10 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=10 * ms)
    together = recall(problem["xi"], problem["cues"], backend="numpy", batch_size=5, **kwds)
    alone = recall(problem["xi"], problem["cues"][2:3], backend="numpy", **kwds)
    np.testing.assert_allclose(together.visible[2], alone.visible[0], atol=1e-12)


def test_builder_rejects_bad_input():
    xi = np.ones((10, 2))
    with pytest.raises(BioamError, match="shape"):
        build_network(xi, xi_back=np.ones((10, 2)))
    with pytest.raises(BioamError, match="theta"):
        build_network(xi, theta=[0.5, 0.5, 0.5])
    with pytest.raises(BioamError, match="activation"):
        build_network(xi, activation="relu")
    with pytest.raises(BioamError, match="NaN"):
        build_network(np.full((10, 2), np.nan))
    with pytest.raises(BioamError, match="tau_h"):
        recall(xi, np.ones((1, 10)), tau_h=0.05 * ms, dt=0.1 * ms, backend="numpy")
    with pytest.raises(BioamError, match="backend"):
        recall(xi, np.ones((1, 10)), backend="gpu")


@pytest.mark.parametrize("formulation", ["dense", "event"])
def test_brian2_run_and_network_take_the_memory_itself(formulation):
    """Brian2's plain run() collects a memory from the caller's namespace, like any group."""
    from brian2 import prefs

    saved, prefs.codegen.target = prefs.codegen.target, "numpy"
    try:
        _run_magic_and_network(formulation)
    finally:
        prefs.codegen.target = saved


def _run_magic_and_network(formulation):
    from brian2 import run

    rng = np.random.default_rng(11)
    xi = rng.standard_normal((150, 3))
    cues = np.array([[1, 0, 1]]) @ xi.T / np.sqrt(3) + 0.3 * rng.standard_normal((1, 150))
    timing = dict(tau_v=20 * ms, tau_h=1 * ms)
    expected = reference_recall(xi, cues, dt=0.1 * ms, duration=30 * ms,
                                integrator="exact" if formulation == "event" else "euler",
                                **timing)
    memory = build_network(xi, dt=0.1 * ms, formulation=formulation, name="magic", **timing)
    memory.set_cues(cues)
    run(30 * ms)
    assert np.max(np.abs(memory.hidden.h[:] - expected["h"][0])) < 1e-9
    assert float(memory.visible.t / ms) == pytest.approx(30)
    other = build_network(xi, dt=0.1 * ms, formulation=formulation, name="explicit", **timing)
    other.set_cues(cues)
    Network(other).run(30 * ms)
    assert np.max(np.abs(other.hidden.h[:] - expected["h"][0])) < 1e-9
