"""The event-driven formulation against the independent NumPy reference (exact pieces)."""

import os

import numpy as np
import pytest
from brian2 import Network, StateMonitor, ms

from bioam import BioamError, RecallSession, build_network, recall, reference_recall
from bioam.recall import choose_formulation

BACKENDS = ["numpy", "cython", "cpp_standalone"]


def random_problem(seed, n_visible=60, n_hidden=5, n_cues=7):
    rng = np.random.default_rng(seed)
    theta = rng.uniform(0.2, 0.7, n_hidden)
    theta[0] = -0.05  # a neuron that is on from the first step (a flip at t = 0)
    return {
        "xi": rng.standard_normal((n_visible, n_hidden)),
        "xi_back": rng.standard_normal((n_hidden, n_visible)),
        "theta": theta,
        "cues": rng.standard_normal((n_cues, n_visible)) * rng.uniform(0.8, 2.0),
    }


VARIANTS = {
    "symmetric": lambda p: dict(theta=0.5),
    "asymmetric_per_neuron_theta": lambda p: dict(xi_back=p["xi_back"], theta=p["theta"]),
    "sparse": lambda p: dict(theta=p["theta"], connection_probability=0.6),
    "sparse_shared": lambda p: dict(theta=0.4, connection_probability=0.5,
                                    shared_connectivity=True),
    # instantaneous inhibitory pools; rates are v + baseline >= 0 for these cues
    "dale": lambda p: dict(xi_back=p["xi_back"], theta=p["theta"], dale=True, baseline=7.0),
    "asymmetric_heterogeneous_sparse": lambda p: dict(xi_back=p["xi_back"], theta=p["theta"],
                                                      connection_probability=0.6),
}


#: A problem per variant in which some hidden neuron flips on.
SEEDS = {"asymmetric_per_neuron_theta": 200, "sparse": 201, "sparse_shared": 202,
         "symmetric": 203, "dale": 204, "asymmetric_heterogeneous_sparse": 205}


def expected_for(problem, kwds, timing):
    """The reference on the effective (masked, rescaled) weights of the variant."""
    network_kwds = {k: v for k, v in kwds.items() if k in ("connection_probability",
                                                           "shared_connectivity")}
    memory = build_network(problem["xi"], xi_back=kwds.get("xi_back"), formulation="dense",
                           **network_kwds)
    return reference_recall(memory.forward_weights, problem["cues"],
                            xi_back=memory.backward_weights, theta=kwds["theta"],
                            integrator="exact", **timing)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_event_formulation_matches_exact_reference(backend, variant):
    problem = random_problem(seed=SEEDS[variant])
    kwds = VARIANTS[variant](problem)
    timing = dict(tau_v=15 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=25 * ms)
    expected = expected_for(problem, kwds, timing)
    result = recall(problem["xi"], problem["cues"], backend=backend, formulation="event",
                    batch_size=3, n_workers=2, **timing, **kwds)
    assert np.max(np.abs(result.visible - expected["visible"])) < 1e-9
    assert np.max(np.abs(result.h - expected["h"])) < 1e-9
    np.testing.assert_array_equal(result.hidden, expected["hidden"])
    # the dynamics moved and some hidden neuron flipped on
    assert np.max(np.abs(result.visible - problem["cues"])) > 0.1
    assert result.hidden.sum() > 0


@pytest.mark.parametrize("backend", ["numpy", "cpp_standalone"])
def test_equal_time_constants(backend):
    """tau_v = tau_h: the closed form has the t exp(-t/tau) limit, not a division by zero."""
    problem = random_problem(seed=5, n_cues=3)
    timing = dict(tau_v=2 * ms, tau_h=2 * ms, dt=0.05 * ms, duration=10 * ms)
    expected = reference_recall(problem["xi"], problem["cues"], theta=0.3,
                                integrator="exact", **timing)
    result = recall(problem["xi"], problem["cues"], theta=0.3, backend=backend,
                    formulation="event", **timing)
    assert np.all(np.isfinite(result.h))
    assert np.max(np.abs(result.h - expected["h"])) < 1e-9
    assert np.max(np.abs(result.visible - expected["visible"])) < 1e-9


def test_monitors_record_the_exact_state_in_a_users_network():
    from brian2 import prefs

    target = prefs.codegen.target
    prefs.codegen.target = "numpy"  # what is checked is the user's network, not a compiler
    try:
        _monitors_record_the_exact_state()
    finally:
        prefs.codegen.target = target


def _monitors_record_the_exact_state():
    problem = random_problem(seed=9, n_cues=1)
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=20 * ms)
    memory = build_network(problem["xi"], theta=problem["theta"], tau_v=timing["tau_v"],
                           tau_h=timing["tau_h"], dt=timing["dt"], formulation="event")
    memory.set_cues(problem["cues"][0])
    v_monitor = StateMonitor(memory.visible, "v", record=True, dt=1 * ms)
    h_monitor = StateMonitor(memory.hidden, ["h", "I"], record=True, dt=1 * ms)
    net = Network(memory.objects, v_monitor, h_monitor)
    net.run(timing["duration"])
    expected = reference_recall(problem["xi"], problem["cues"][:1], theta=problem["theta"],
                                integrator="exact", record_every=10, **timing)
    np.testing.assert_allclose(v_monitor.v, expected["visible_trace"][0], atol=1e-9)
    np.testing.assert_allclose(h_monitor.h, expected["h_trace"][0], atol=1e-9)
    # I is the projection of v: N_h^(1/2)/N_v xi^T v
    n_visible, n_hidden = problem["xi"].shape
    projected = problem["xi"].T @ expected["visible_trace"][0] * np.sqrt(n_hidden) / n_visible
    np.testing.assert_allclose(h_monitor.I, projected, atol=1e-9)
    # a new cue after a run starts a new recall from t_cue = t
    memory.set_cues(problem["cues"][1 % len(problem["cues"])] + 1.0)
    np.testing.assert_allclose(memory.visible.v[:], problem["cues"][0] + 1.0, atol=1e-12)
    net.run(timing["duration"])
    again = reference_recall(problem["xi"], problem["cues"][:1] + 1.0, theta=problem["theta"],
                             integrator="exact", **timing)
    np.testing.assert_allclose(memory.hidden.h[:], again["h"][0], atol=1e-9)
    assert "exact between flips" in memory.equations["visible"]


def test_cue_sequence_results_and_cache(tmp_path, monkeypatch):
    """Lanes x periods in one binary, compiled once into the cache; runs leave nothing behind."""
    monkeypatch.setenv("BIOAM_CACHE_DIR", str(tmp_path))
    problem = random_problem(seed=13, n_cues=11)
    timing = dict(tau_v=10 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=15 * ms)
    expected = reference_recall(problem["xi"], problem["cues"], theta=problem["theta"],
                                integrator="exact", **timing)
    results, cached = [], []
    for _ in range(2):
        with RecallSession(problem["xi"], theta=problem["theta"], backend="cpp_standalone",
                           max_synapses=3 * (60 * 5 + 5 * 5), n_workers=2, **timing) as session:
            results.append(session.recall(problem["cues"]))
            cached.append(session.from_cache)
            assert session.lanes == 3 and session.lanes * session.periods >= 6
            project = session.project
    assert cached == [False, True]
    # other weights of the same shape are another project (the weights are hashed too) that
    # reuses the compiled binary (the same code)
    with RecallSession(2 * problem["xi"], theta=problem["theta"], backend="cpp_standalone",
                       max_synapses=3 * (60 * 5 + 5 * 5), n_workers=2, **timing) as session:
        other = session.recall(problem["cues"])
        assert session.from_cache and session.project != project
    doubled = reference_recall(2 * problem["xi"], problem["cues"], theta=problem["theta"],
                               integrator="exact", **timing)
    assert np.max(np.abs(other.h - doubled["h"])) < 1e-9
    for result in results:
        assert np.max(np.abs(result.h - expected["h"])) < 1e-9
        np.testing.assert_array_equal(result.hidden, expected["hidden"])
    # no run folders or run_args value files are left in the cached project
    assert os.listdir(os.path.join(project, "results")) == []
    assert not [name for name in os.listdir(os.path.join(project, "static_arrays"))
                if name.startswith("init_")]


def test_dale_event_network_has_sign_constrained_pathways_and_pools(monkeypatch):
    """Dale's law on the event path: excitatory synapses >= 0, pools that inhibit, true pool rates."""
    from brian2 import prefs

    # the structure and the dynamics are checked here (on every target in
    # test_event_formulation_matches_exact_reference[dale-*]), not a compiler
    monkeypatch.setitem(prefs, "codegen.target", "numpy")
    problem = random_problem(seed=31, n_cues=4)
    cues = problem["cues"]
    memory = build_network(problem["xi"], xi_back=problem["xi_back"], theta=problem["theta"],
                           n_copies=len(cues), dt=0.05 * ms, formulation="event", dale=True,
                           baseline=7.0)
    assert len(memory.inhibitory) == 2
    assert np.min(memory.hidden_to_visible.w[:]) >= 0
    excitatory_forward = memory.forward_weights + memory.parameters["c_forward"]
    assert excitatory_forward.min() >= 0 and memory.parameters["c_forward"] > 0
    prefix = memory.visible.name[:-len("visible")]  # 'bioam_', or 'bioam_1_', ... (unique)
    inhibitory = [s for s in memory.inhibitory_synapses if s.name.startswith(prefix + "pool_")]
    assert len(inhibitory) == 2
    assert all(np.max(s.w[:]) < 0 for s in inhibitory)
    memory.set_cues(cues)
    Network(memory.objects).run(25 * ms, namespace={})
    s = np.asarray(memory.hidden.s[:]).reshape(len(cues), -1)
    assert s.sum() > 0
    hidden_pool, visible_pool = memory.inhibitory
    # the pool of the hidden layer holds the number of active hidden neurons of its copy
    np.testing.assert_allclose(hidden_pool.r[:], s.sum(axis=1), atol=1e-12)
    # the pool of the visible layer holds the summed rates that the visible neurons relax to
    targets = np.asarray(memory.visible.u[:]).reshape(len(cues), -1) + memory.baseline
    np.testing.assert_allclose(visible_pool.r[:], targets.sum(axis=1), rtol=1e-12)
    rates = np.asarray(memory.visible.v[:])
    assert rates.min() >= 0


def test_formulation_choice():
    assert choose_formulation("auto") == "event"
    assert choose_formulation("auto", activation="sigmoid") == "dense"
    assert choose_formulation("auto", dale=True) == "event"
    assert choose_formulation("auto", dale=True, tau_inhibitory=0.5 * ms) == "dense"
    assert choose_formulation("dense") == "dense"
    with pytest.raises(BioamError, match="sigmoid"):
        choose_formulation("event", activation="sigmoid")
    with pytest.raises(BioamError, match="formulation"):
        choose_formulation("lazy")
    with pytest.raises(BioamError, match="dense"):
        build_network(np.ones((10, 2)), formulation="event", dale=True,
                      tau_inhibitory=0.5 * ms)
    with pytest.raises(BioamError, match="cue_period"):
        build_network(np.ones((10, 2)), cue_period=10 * ms)


def test_brian2_event_formulation_against_solve_ivp():
    """Brian2 against an integrator that shares no code or derivation with it or the reference."""
    from test_reference_exact import solve_ivp_recall, small_problem

    xi, xi_back, theta, cues = small_problem("asymmetric")
    cues = cues[:4]
    answers = [solve_ivp_recall(xi, xi_back, theta, cue, 20.0, 1.0, 10.0) for cue in cues]
    result = recall(xi, cues, xi_back=xi_back, theta=theta, backend="cython",
                    formulation="event", tau_v=20 * ms, tau_h=1 * ms, dt=0.001 * ms,
                    duration=10 * ms)
    np.testing.assert_array_equal(result.hidden, np.array([answer[2] for answer in answers]))
    assert np.max(np.abs(result.h - np.array([answer[1] for answer in answers]))) < 1e-3
    assert np.max(np.abs(result.visible - np.array([answer[0] for answer in answers]))) < 1e-3
    assert all(len(answer[3]) >= 1 for answer in answers)  # every cue flipped a unit


def test_long_runs_stay_finite_and_exact():
    """800 tau_v in one run (exp(800) overflows): the reference time of v is moved forward (rebased) on the way."""
    problem = random_problem(seed=17, n_cues=2)
    timing = dict(tau_v=0.5 * ms, tau_h=0.05 * ms, dt=0.01 * ms, duration=400 * ms)
    expected = reference_recall(problem["xi"], problem["cues"], theta=problem["theta"],
                                integrator="exact", **timing)
    result = recall(problem["xi"], problem["cues"], theta=problem["theta"], backend="cython",
                    formulation="event", **timing)
    assert np.all(np.isfinite(result.visible))
    assert np.max(np.abs(result.visible - expected["visible"])) < 1e-9
    assert np.max(np.abs(result.h - expected["h"])) < 1e-9


@pytest.mark.parametrize("dale", [False, True], ids=["rate", "dale"])
def test_recorded_standalone_recall_matches_reference(dale):
    """Traces on cpp_standalone: the event project gets its cues through run_args of a and I."""
    problem = random_problem(seed=41, n_cues=5)
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=10 * ms)
    expected = reference_recall(problem["xi"], problem["cues"], theta=problem["theta"],
                                integrator="exact", **timing)
    with RecallSession(problem["xi"], theta=problem["theta"], backend="cpp_standalone",
                       record_dt=1 * ms, batch_size=2, dale=dale,
                       baseline=7.0 if dale else None, **timing) as session:
        assert session.formulation == "event"
        result = session.recall(problem["cues"])
    assert np.max(np.abs(result.visible - expected["visible"])) < 1e-9
    assert np.max(np.abs(result.h - expected["h"])) < 1e-9
    # the first recorded sample is the cue itself (v(0) = cue), for every chunk
    np.testing.assert_allclose(result.traces["visible"][..., 0], problem["cues"], atol=1e-12)


def test_event_network_refuses_a_users_input_into_v():
    """The low-rank shortcut needs v driven by the hidden layer alone: writing v is refused."""
    from brian2 import NeuronGroup, Synapses

    memory = build_network(np.random.default_rng(0).standard_normal((20, 2)),
                           formulation="event", dt=0.1 * ms)
    source = NeuronGroup(1, "", threshold="True", dt=0.1 * ms)
    user_input = Synapses(source, memory.visible, on_pre="v_post += 1", dt=0.1 * ms)
    user_input.connect()
    memory.set_cues(np.zeros(20))
    with pytest.raises(Exception) as error:
        Network(memory.objects, source, user_input).run(1 * ms, namespace={})
    chain, cause = [], error.value
    while cause is not None:
        chain.append(str(cause))
        cause = cause.__cause__ or cause.__context__
    assert any("Cannot write to subexpression 'v_post'" in message for message in chain)
