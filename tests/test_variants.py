"""Biological variants: constraints hold in the built objects, and neutral settings reduce exactly."""

import numpy as np
import pytest
from brian2 import Network, StateMonitor, ms

from bioam import BioamError, build_network, recall, reference_recall
from bioam.variants import asymmetric_backward_weights, heterogeneous_thresholds

TIMING = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=30 * ms)


@pytest.fixture
def problem():
    rng = np.random.default_rng(21)
    xi = rng.standard_normal((120, 5))
    targets = rng.integers(0, 2, (6, 5))
    cues = targets @ xi.T / np.sqrt(5) + 0.5 * rng.standard_normal((6, 120))
    return xi, cues, targets


def test_asymmetric_weights_have_the_requested_correlation_and_reduce_at_rho_1(problem):
    xi = np.random.default_rng(0).standard_normal((2000, 10))
    for rho in (0.0, 0.5, 0.9):
        back = asymmetric_backward_weights(xi, rho, seed=1)
        assert np.corrcoef(back.ravel(), xi.T.ravel())[0, 1] == pytest.approx(rho, abs=0.02)
        assert np.std(back) == pytest.approx(1.0, abs=0.02)
    np.testing.assert_array_equal(asymmetric_backward_weights(xi, 1.0), xi.T)
    with pytest.raises(BioamError, match="rho"):
        asymmetric_backward_weights(xi, 1.5)


def test_heterogeneous_thresholds_are_as_given_and_reduce_at_zero_spread(problem):
    xi, cues, _ = problem
    theta = heterogeneous_thresholds(5, mean=0.5, spread=0.1, seed=3)
    assert theta.shape == (5,) and np.std(theta) > 0
    memory = build_network(xi, theta=theta, n_copies=2)
    np.testing.assert_array_equal(memory.hidden.theta[:], np.tile(theta, 2))
    np.testing.assert_array_equal(heterogeneous_thresholds(5, 0.5, 0.0), np.full(5, 0.5))


def test_sparse_connectivity_density_and_reference(problem):
    xi, cues, _ = problem
    memory = build_network(xi, connection_probability=0.3, connectivity_seed=4, n_copies=3)
    density_forward = len(memory.visible_to_hidden) / (3 * xi.size)
    density_backward = len(memory.hidden_to_visible) / (3 * xi.size)
    assert density_forward == pytest.approx(0.3, abs=0.05)
    assert density_backward == pytest.approx(0.3, abs=0.05)
    # present weights are scaled by 1/p: the expected input is unchanged
    present = memory.forward_weights[memory.forward_weights != 0]
    assert np.mean(np.abs(present)) == pytest.approx(np.mean(np.abs(xi)) / 0.3, rel=0.15)
    # independent directions: the backward mask is not the forward one transposed
    assert not np.array_equal(memory.backward_weights != 0, (memory.forward_weights != 0).T)
    shared = build_network(xi, connection_probability=0.3, shared_connectivity=True)
    np.testing.assert_array_equal(shared.backward_weights != 0, (shared.forward_weights != 0).T)
    # the sparse Brian2 network is the reference model with the effective weights
    result = recall(xi, cues, backend="numpy", connection_probability=0.3,
                    connectivity_seed=4, **TIMING)
    expected = reference_recall(memory.forward_weights, cues,
                                xi_back=memory.backward_weights, integrator="exact", **TIMING)
    assert np.max(np.abs(result.visible - expected["visible"])) < 1e-9
    assert np.max(np.abs(result.h - expected["h"])) < 1e-9


def test_sparse_at_p_1_is_the_dense_model(problem):
    xi, cues, _ = problem
    dense = recall(xi, cues, backend="numpy", **TIMING)
    same = recall(xi, cues, backend="numpy", connection_probability=1.0, **TIMING)
    np.testing.assert_array_equal(dense.visible, same.visible)


def test_dale_signs_rates_and_exact_reduction(problem):
    xi, cues, _ = problem
    baseline = float(-cues.min()) + 0.1
    memory = build_network(xi, dale=True, baseline=baseline, n_copies=len(cues), dt=0.1 * ms)
    # every presynaptic neuron's outgoing weights have one sign
    for pre_group in (memory.visible, memory.hidden, *memory.inhibitory):
        signs = {}
        for synapses in memory.objects:
            if getattr(synapses, "source", None) is not pre_group or not hasattr(synapses, "w"):
                continue
            for i, w in zip(synapses.i[:], synapses.w[:]):
                if w != 0:
                    signs.setdefault(int(i), set()).add(bool(w > 0))
        assert signs, pre_group.name
        assert all(len(s) == 1 for s in signs.values()), pre_group.name
    assert all(w >= 0 for w in memory.visible_to_hidden.w[:])
    assert all(w <= 0 for pool_syn in memory.inhibitory_synapses[1::2] for w in pool_syn.w[:])
    # rates stay >= 0 throughout the recall
    memory.set_cues(cues)
    monitors = [StateMonitor(memory.visible, "v", record=True),
                StateMonitor(memory.hidden, "s", record=True),
                StateMonitor(memory.inhibitory[1], "r", record=True)]
    Network(memory.objects, *monitors).run(TIMING["duration"])
    assert all(np.min(m.get_states([m.record_variables[0]])[m.record_variables[0]]) >= 0
               for m in monitors)
    # with instantaneous interneurons it is the unconstrained model exactly
    visible, h = memory.unconstrained_state(memory.visible.v[:], memory.hidden.h[:])
    expected = reference_recall(xi, cues, **TIMING)
    assert np.max(np.abs(visible - expected["visible"])) < 1e-9
    assert np.max(np.abs(h - expected["h"])) < 1e-9


@pytest.mark.parametrize("backend", ["numpy", "cpp_standalone"])
def test_dale_recall_matches_rate_model_on_every_backend(problem, backend):
    xi, cues, targets = problem
    # instantaneous inhibition is exact in both formulations: compare like with like
    for formulation in ("event", "dense"):
        rate = recall(xi, cues, backend="numpy", formulation=formulation, **TIMING)
        dale = recall(xi, cues, backend=backend, dale=True, formulation=formulation,
                      baseline=float(-cues.min()) + 0.1, **TIMING)
        np.testing.assert_array_equal(dale.hidden, rate.hidden)
        assert np.max(np.abs(dale.visible - rate.visible)) < 1e-9, formulation
        assert np.max(np.abs(dale.h - rate.h)) < 1e-9, formulation
    # slow interneurons are no longer exact, but recall the same memories here
    slow = recall(xi, cues, backend="numpy", dale=True, baseline=float(-cues.min()) + 0.1,
                  tau_inhibitory=0.5 * ms, **TIMING)
    assert np.mean(np.all(slow.hidden == rate.hidden, axis=1)) >= 0.8


def test_dale_rejects_negative_rates(problem):
    xi, cues, _ = problem
    memory = build_network(xi, dale=True, baseline=0.0, n_copies=len(cues))
    with pytest.raises(BioamError, match="baseline"):
        memory.set_cues(cues)


def _spiking_problem():
    """A random N_v = 600, N_h = 6 network, noisy cues of 24 targets, and the rate model's recall."""
    rng = np.random.default_rng(8)
    xi = rng.standard_normal((600, 6))
    targets = rng.integers(0, 2, (24, 6)).astype(float)
    cues = targets @ xi.T / np.sqrt(6) + rng.standard_normal((24, 600))
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=80 * ms)
    return xi, targets, cues, timing, recall(xi, cues, backend="numpy", **timing)


def test_spiking_hidden_layer_recalls_like_the_rate_model():
    from bioam.network import SpikingHidden

    xi, targets, cues, timing, rate = _spiking_problem()
    spiking = recall(xi, cues, backend="numpy", spiking=SpikingHidden(), **timing)
    assert np.mean(np.all(spiking.hidden == rate.hidden, axis=1)) >= 0.9
    assert np.mean(np.all(rate.hidden == targets, axis=1)) >= 0.9
    # firing realises Theta(h - theta): silent neurons are those below threshold
    assert np.mean((spiking.h > 0.5) == (spiking.hidden > 0)) >= 0.98
    with pytest.raises(BioamError, match="read-out window has no start"):
        build_network(xi, spiking=True)
    memory = build_network(xi, spiking=SpikingHidden(readout_start=60 * ms))
    assert memory.hidden.events["spike"] == "u > 1"
    # spikes count only from the start of the read-out window
    assert float(memory.hidden.namespace["readout_start"]) == pytest.approx(0.060)
    assert "I_v_post += w" in memory.equations["hidden_to_visible"]
    with pytest.raises(BioamError, match="Dale"):
        build_network(xi, spiking=True, dale=True)
    # the membrane's Euler step is refused where it would overshoot (dt > tau_m)
    with pytest.raises(BioamError, match="dt <= tau_m"):
        build_network(xi, spiking=SpikingHidden(readout_start=60 * ms), dt=0.2 * ms)


def test_spiking_visible_neurons_fire_at_their_rate_and_recall_like_the_rate_model():
    from brian2 import Network, SpikeMonitor

    from bioam.network import SpikingHidden

    xi, _, cues, timing, rate = _spiking_problem()
    spiking = recall(xi, cues, backend="numpy", spiking=SpikingHidden(visible_rate=200.0),
                     **timing)
    assert np.mean(np.all(spiking.hidden == rate.hidden, axis=1)) >= 0.9
    assert np.mean(np.abs(spiking.visible - rate.visible)) < 0.05
    # with the cue held, each visible neuron fires at visible_rate * |v|, whatever v's sign
    memory = build_network(xi, spiking=SpikingHidden(readout_start=40 * ms, cue_hold=60 * ms,
                                                     visible_rate=200.0), dt=0.05 * ms)
    memory.set_cues(cues[0])
    monitor = SpikeMonitor(memory.visible)
    Network(memory.objects, monitor).run(50 * ms)
    expected = 200.0 * np.abs(cues[0]) * 0.050
    assert np.max(np.abs(np.asarray(monitor.count) - expected)) <= 1.0
    assert "I_h_post += w * sign(v_pre)" in memory.equations["visible_to_hidden"]
    with pytest.raises(BioamError, match="visible_rate"):
        build_network(xi, spiking=SpikingHidden(readout_start=40 * ms, visible_rate=-1.0))


def test_sweeps_lose_patterns_away_from_the_neutral_setting():
    from bioam.compare import variant_sweep

    kwds = dict(n_hidden=4, ratio=100, n_patterns=16, backend="numpy",
                timing=dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=40 * ms))
    for kind, neutral, extreme in (("rho", 1.0, -0.5), ("p", 1.0, 0.01),
                                   ("spread", 0.0, 1.0)):
        # one sweep on a local Dask cluster (the default), the others here
        rows = variant_sweep(kind, [neutral, extreme], **kwds,
                             scheduler=None if kind == "rho" else "inline")
        assert rows[0]["fraction_recalled"] == 1.0, kind
        assert rows[1]["fraction_recalled"] < 0.7, (kind, rows[1])


VARIANT_OPTIONS = {
    "sparse": dict(connection_probability=0.5, connectivity_seed=2),
    "dale": dict(dale=True, baseline=3.0),
    # filtered interneurons (dense formulation): each chunk's pools start from its cues
    "dale_filtered": dict(dale=True, baseline=3.0, tau_inhibitory=0.5 * ms),
    "spiking": dict(spiking=True),
    # spiking neurons in both layers, given as pieces (spike generators' phases start at the cue)
    "spiking_visible": dict(hidden_neuron="lif", visible_neuron="spiking:rate=2000"),
}


@pytest.mark.parametrize("backend", ["cpp_standalone",
                                     pytest.param("cython", marks=pytest.mark.slow)])
@pytest.mark.parametrize("variant", sorted(VARIANT_OPTIONS))
def test_variants_agree_across_backends(problem, backend, variant):
    xi, cues, _ = problem
    timing = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms, duration=40 * ms)
    expected = recall(xi, cues, backend="numpy", **timing, **VARIANT_OPTIONS[variant])
    result = recall(xi, cues, backend=backend, **timing, **VARIANT_OPTIONS[variant])
    np.testing.assert_array_equal(result.hidden, expected.hidden)
    assert np.max(np.abs(result.visible - expected.visible)) < 1e-9


def test_spiking_parameter_table_in_docs_matches_the_defaults():
    import dataclasses
    from pathlib import Path

    from bioam.network import SpikingHidden

    text = (Path(__file__).resolve().parents[1] / "docs" / "constraints.md").read_text()
    rows = {line.split("|")[1].strip().strip("`"): line.split("|")[2].strip()
            for line in text.splitlines() if line.startswith("| `")}
    defaults = SpikingHidden()
    documented = 0
    for field in dataclasses.fields(SpikingHidden):
        if field.name == "readout_start":
            continue
        value = getattr(defaults, field.name)
        expected = f"{float(value / ms):g} ms" if hasattr(value, "dim") else f"{value:g}"
        assert rows.get(field.name) == expected, (field.name, rows.get(field.name), expected)
        documented += 1
    assert documented == 11
    assert 1 / float(defaults.on_rate) == pytest.approx(0.002, rel=0.01)  # r_on ~ 500 Hz


COMBINATIONS = {  # the rows of the combination table in docs/constraints.md
    "asymmetric + heterogeneous + sparse": dict(asymmetric=True, heterogeneous=True,
                                                connection_probability=0.5),
    "Dale + asymmetric + heterogeneous": dict(asymmetric=True, heterogeneous=True, dale=True),
    "Dale (tau_inhibitory > 0) + asymmetric + heterogeneous": dict(
        asymmetric=True, heterogeneous=True, dale=True, tau_inhibitory=0.5 * ms),
    "Dale + sparse": dict(dale=True, connection_probability=0.5),
    "Dale + spiking": dict(dale=True, spiking=True),
    "Dale + visible g other than identity": dict(dale=True, visible_nonlinearity="sign"),
    "spiking + asymmetric + heterogeneous + sparse": dict(
        spiking=True, asymmetric=True, heterogeneous=True, connection_probability=0.5),
    "spiking + hidden f other than step": dict(spiking=True, activation="sigmoid"),
    "hidden f other than step, or visible g other than identity": dict(
        activation="power:n=3", visible_nonlinearity="normalised"),
}


def test_combination_table_in_docs_is_what_the_builder_does(monkeypatch):
    from pathlib import Path

    from brian2 import prefs

    # what is checked is what the builder builds, not a compiler: no Cython extensions
    monkeypatch.setitem(prefs, "codegen.target", "numpy")

    from bioam.network import SpikingHidden
    from bioam.recall import choose_formulation

    text = (Path(__file__).resolve().parents[1] / "docs" / "constraints.md").read_text()
    table = text.split("## Combinations")[1].split("\n## ")[0]
    rows = [line.split("|")[1:4] for line in table.splitlines()
            if line.startswith("| ") and not line.startswith("| combination")]
    rows = {label.strip(): (builds.strip(), formulation.strip().strip("`"))
            for label, builds, formulation in rows}
    assert set(rows) == set(COMBINATIONS)
    rng = np.random.default_rng(3)
    xi = rng.standard_normal((40, 4))
    for label, options in COMBINATIONS.items():
        options = dict(options)
        if options.pop("asymmetric", False):
            options["xi_back"] = asymmetric_backward_weights(xi, 0.5, seed=1)
        if options.pop("heterogeneous", False):
            options["theta"] = heterogeneous_thresholds(4, 0.5, 0.1, seed=1)
        if options.get("spiking"):
            options["spiking"] = SpikingHidden(readout_start=30 * ms)
        builds, formulation = rows[label]
        if builds.startswith("refused"):
            with pytest.raises(BioamError):
                build_network(xi, **options)
            continue
        assert builds == "yes", label
        chosen = choose_formulation(
            "auto", **{key: value for key, value in options.items() if key not in ("xi_back", "theta")})
        assert chosen == formulation, label
        memory = build_network(xi, formulation=chosen, **options)
        assert memory.parameters["formulation"] == formulation


def test_compare_combines_variants_in_order(problem):
    """``a+b`` applies b to the model a made; at their neutral settings it is the rate model."""
    from bioam.compare import combination_options, compare_variants, parse_combination

    xi, cues, _ = problem
    rows, _ = compare_variants(
        xi, cues, ["asymmetric:rho=1+heterogeneous:spread=0+sparse:p=1", "dale+asymmetric:rho=0.5"],
        backend="numpy", timing=TIMING, progress=False, scheduler="inline")
    neutral = rows[1]
    assert neutral["variant"].startswith("asymmetric") and neutral["matches_rate_model"] == 1.0
    # Dale's baseline is set from the backward weights it is given: after 'asymmetric' those
    # are the asymmetric ones, so its options differ from Dale's alone
    parts = parse_combination("asymmetric:rho=0.5+dale")
    options = combination_options(parts, xi, None, 0.5, cues, seed=0)
    back = options["xi_back"]
    assert not np.allclose(back, xi.T)
    bound = max(0.0, float(-np.min(np.minimum(back, 0).sum(axis=0)) / np.sqrt(xi.shape[1])))
    assert options["constraints"][0].baseline == pytest.approx(max(bound, -cues.min()))
    with pytest.raises(BioamError, match="names a variant twice"):
        parse_combination("sparse+sparse:p=0.2")
    with pytest.raises(BioamError, match="unknown variant"):
        parse_combination("sparse+fast")
