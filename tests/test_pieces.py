"""The registered pieces and Krotov & Hopfield's models (Eq. 32) against NumPy, on every target."""

import numpy as np
import pytest
from brian2 import ms

from bioam import BioamError, build_network, recall, reference_recall
from bioam.krotov_hopfield import MODELS, krotov_hopfield_weights
from bioam.pieces import REGISTRY, get_piece
from bioam.recall import choose_formulation

TIMING = dict(tau_v=20 * ms, tau_h=1 * ms, dt=0.05 * ms, duration=15 * ms)


def memories_and_cues(seed=0, n_visible=60, n_hidden=5):
    rng = np.random.default_rng(seed)
    memories = rng.standard_normal((n_hidden, n_visible))
    memories /= np.linalg.norm(memories, axis=1, keepdims=True)
    cues = memories[[0, 1, 2, 3]] + 0.1 * rng.standard_normal((4, n_visible))
    return memories, cues


def eq32_euler(memories, cues, f, g, *, tau_v, tau_h, dt, duration):
    """Eq. (32) as written in the paper, forward Euler, in plain NumPy (no bioam code)."""
    v, h = cues.copy(), np.zeros((len(cues), memories.shape[0]))
    a_v, a_h = float(dt / tau_v), float(dt / tau_h)
    for _ in range(int(round(float(duration / dt)))):
        s = f(h)
        v, h = v + a_v * (-v + s @ memories), h + a_h * (-h + g(v) @ memories.T)
    return v, h


def relative_difference(a, b):
    return np.max(np.abs(a - b)) / np.max(np.abs(b))


PLAIN = {  # the nonlinearities of Table 4, written out
    "A(i)": (lambda h: h ** 5, np.sign),
    "A(ii)": (lambda h: h ** 10, np.sign),
    "B": (lambda h: np.exp(3 * h) / np.exp(3 * h).sum(axis=1, keepdims=True), lambda v: v),
    "C": (lambda h: h ** 5, lambda v: v / np.linalg.norm(v, axis=1, keepdims=True)),
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_reference_with_krotov_hopfield_weights_is_eq32(model):
    memories, cues = memories_and_cues()
    xi, xi_back = krotov_hopfield_weights(memories)
    expected_v, expected_h = eq32_euler(memories, cues, *PLAIN[model], **TIMING)
    result = reference_recall(xi, cues, xi_back=xi_back, theta=0.0,
                              **MODELS[model].options(beta=3.0), **TIMING)
    assert relative_difference(result["visible"], expected_v) < 1e-12
    assert relative_difference(result["h"], expected_h) < 1e-12
    assert np.max(np.abs(result["visible"] - cues)) > 0.05  # the dynamics moved


@pytest.mark.parametrize("backend", ["numpy", "cython", "cpp_standalone"])
@pytest.mark.parametrize("model", sorted(MODELS))
def test_krotov_hopfield_models_match_reference_on_every_target(model, backend):
    memories, cues = memories_and_cues(seed=1)
    xi, xi_back = krotov_hopfield_weights(memories)
    options = MODELS[model].options(beta=3.0)
    expected = reference_recall(xi, cues, xi_back=xi_back, theta=0.0, **options, **TIMING)
    result = recall(xi, cues, xi_back=xi_back, theta=0.0, backend=backend, batch_size=2,
                    **options, **TIMING)
    for key, value in (("visible", result.visible), ("h", result.h), ("hidden", result.hidden)):
        assert relative_difference(value, expected[key]) < 1e-6, key


def test_softmax_normaliser_does_not_overflow():
    """beta (h - theta) reaches 1000: exp would overflow without the pool's log Z."""
    memories, cues = memories_and_cues(seed=2)
    xi, xi_back = krotov_hopfield_weights(memories)
    options = MODELS["B"].options(beta=1000.0)
    expected = reference_recall(xi, cues, xi_back=xi_back, theta=0.0, **options, **TIMING)
    assert np.max(expected["h"]) * 1000 > 800
    result = recall(xi, cues, xi_back=xi_back, theta=0.0, backend="numpy", **options, **TIMING)
    assert np.all(np.isfinite(result.hidden))
    assert relative_difference(result.h, expected["h"]) < 1e-6
    np.testing.assert_allclose(result.hidden.sum(axis=1), 1.0, rtol=1e-12)


def test_pieces_from_specs_and_their_errors():
    assert get_piece("hidden", "power:n=10").n == 10
    assert get_piece("hidden", "sigmoid", steepness=5).steepness == 5
    assert get_piece("hidden", "sigmoid:steepness=7", steepness=5).steepness == 7
    assert get_piece("hidden", "softmax:beta=2").spec() == "softmax:beta=2"
    assert set(REGISTRY["hidden"]) == {"step", "sigmoid", "power", "softmax"}
    assert set(REGISTRY["visible"]) == {"identity", "sign", "normalised"}
    for kind, spec, message in [
            ("hidden", "cube", r"unknown activation \(hidden nonlinearity\) 'cube'"),
            ("hidden", "power:n=2.5", "must be an integer"),
            ("hidden", "power:m=2", "'power' takes n=VALUE"),
            ("hidden", "softmax:beta=-1", "beta"),
            ("hidden", "softmax:beta=x", "must be a number"),
            ("visible", "step", "unknown visible nonlinearity"),
            ("visible", get_piece("hidden", "step"), "is a hidden piece")]:
        with pytest.raises(BioamError, match=message):
            get_piece(kind, spec)


def test_neuron_models_and_constraints_from_specs_and_their_errors():
    from bioam.pieces.dale import Dale
    from bioam.pieces.sparse import Sparse

    assert set(REGISTRY["hidden_neuron"]) == {"rate", "lif"}
    assert set(REGISTRY["visible_neuron"]) == {"rate", "spiking"}
    assert set(REGISTRY["constraint"]) == {"sparse", "dale"}
    lif = get_piece("hidden_neuron", "lif:tau_m=1ms,gain=100")
    assert lif.tau_m == 1 * ms and lif.gain == 100
    assert get_piece("hidden_neuron", lif.spec()) == lif  # the spec string round-trips
    assert get_piece("constraint", "sparse:p=0.3,shared=1") == Sparse(0.3, True, 0)
    assert get_piece("constraint", "dale:tau_inhibitory=0.5ms") == Dale(None, 0.5 * ms)
    for kind, spec, message in [
            ("hidden_neuron", "izhikevich", "unknown hidden neuron model 'izhikevich'"),
            ("hidden_neuron", "lif:gain=-5", "gain must be a finite number > 0"),
            ("hidden_neuron", "lif:gain=inf", "gain must be a finite number > 0"),
            ("hidden_neuron", "lif:initial_membrane=nan", "initial_membrane must be finite"),
            ("hidden_neuron", "lif:tau_m=0ms", "tau_m must be positive"),
            ("hidden_neuron", "lif:tau_m=5", "cannot read '5' as a time"),
            ("visible_neuron", "spiking:rate=0", "rate must be > 0"),
            ("constraint", "sparse:shared=7", "shared must be 0 or 1"),
            ("constraint", "sparse:p=1.5", r"p must be a probability in \(0, 1\]"),
            ("constraint", "sparse:seed=1.5", "must be an integer"),
            ("constraint", "dale:baseline=-1", "baseline must be a rate >= 0")]:
        with pytest.raises(BioamError, match=message):
            get_piece(kind, spec)
    xi = np.random.default_rng(0).standard_normal((30, 3))
    with pytest.raises(BioamError, match="each constraint can be given once"):
        build_network(xi, constraints=["sparse:p=0.5", "sparse:p=0.4"])


def test_pieces_by_name_build_what_the_shorthands_build():
    """``constraints=`` / ``hidden_neuron=`` and ``dale=`` / ``spiking=`` are the same network."""
    from bioam.network import SpikingHidden

    xi = np.random.default_rng(0).standard_normal((30, 3))
    pairs = [(dict(dale=True, baseline=3.0, tau_inhibitory=0.5 * ms),
              dict(constraints=["dale:baseline=3,tau_inhibitory=0.5ms"])),
             (dict(connection_probability=0.5, connectivity_seed=2),
              dict(constraints=["sparse:p=0.5,seed=2"])),
             (dict(spiking=SpikingHidden(readout_start=30 * ms, visible_rate=500.0)),
              dict(hidden_neuron=f"lif:readout_start={30}ms", visible_neuron="spiking:rate=500"))]
    for shorthand, pieces in pairs:
        one, other = build_network(xi, **shorthand), build_network(xi, **pieces)
        assert one.equations == other.equations
        assert np.array_equal(one.forward_weights, other.forward_weights)
    with pytest.raises(BioamError, match="sparse connectivity is not supported"):
        build_network(xi, constraints=["dale", "sparse:p=0.5"])


def test_cli_recalls_with_neuron_models_and_constraints(tmp_path):
    """`bioam recall --constraint dale` is exact (instantaneous inhibition): the reference of Eq. 1."""
    from bioam.cli import main

    rng = np.random.default_rng(4)
    xi = rng.standard_normal((60, 4))
    cues = np.eye(4)[:3] @ xi.T / 2 + 0.1 * rng.standard_normal((3, 60))
    np.savez(tmp_path / "w.npz", xi=xi)
    np.savez(tmp_path / "c.npz", cues=cues)
    common = ["recall", "--weights", str(tmp_path / "w.npz"), "--cues", str(tmp_path / "c.npz"),
              "--backend", "numpy", "--dt", "0.05ms", "--duration", "15ms", "--quiet",
              "--formulation", "dense"]
    assert main(common + ["--out", str(tmp_path / "dale.npz"),
                          "--constraint", f"dale:baseline={-cues.min() + 1}"]) == 0
    expected = reference_recall(xi, cues, **TIMING)
    with np.load(tmp_path / "dale.npz") as saved:
        assert np.max(np.abs(saved["h"] - expected["h"])) < 1e-9
    # a spiking hidden layer through the CLI fires: its state is read from spike counts
    assert main(common + ["--out", str(tmp_path / "lif.npz"), "--hidden-neuron", "lif",
                          "--dt", "0.025ms", "--duration", "40ms"]) == 0
    with np.load(tmp_path / "lif.npz") as saved:
        assert np.mean(np.all(saved["hidden"] == (expected["h"] > 0.5), axis=1)) >= 2 / 3
    assert main(common + ["--out", str(tmp_path / "bad.npz"), "--constraint", "dale:x=1"]) != 0


def test_combinations_are_chosen_or_refused_with_a_reason():
    xi = np.random.default_rng(0).standard_normal((30, 3))
    assert choose_formulation("auto", activation="power:n=5") == "dense"
    assert choose_formulation("auto", visible_nonlinearity="sign") == "dense"
    with pytest.raises(BioamError, match="not linear"):
        build_network(xi, formulation="event", visible_nonlinearity="normalised")
    with pytest.raises(BioamError, match="visible_nonlinearity='identity' with dale"):
        build_network(xi, dale=True, visible_nonlinearity="sign")
    with pytest.raises(BioamError, match="spiking hidden neurons"):
        build_network(xi, spiking=True, activation="softmax")


def test_cli_recalls_with_pieces(tmp_path):
    """`bioam recall --activation power:n=10 --visible-nonlinearity sign` is Model A(ii)."""
    from bioam.cli import main

    memories, cues = memories_and_cues(seed=3)
    xi, xi_back = krotov_hopfield_weights(memories)
    np.savez(tmp_path / "w.npz", xi=xi, xi_back=xi_back)
    np.savez(tmp_path / "c.npz", cues=cues)
    code = main(["recall", "--weights", str(tmp_path / "w.npz"), "--cues", str(tmp_path / "c.npz"),
                 "--out", str(tmp_path / "r.npz"), "--theta", "0", "--backend", "numpy",
                 "--activation", "power:n=10", "--visible-nonlinearity", "sign",
                 "--dt", "0.05ms", "--duration", "15ms", "--quiet"])
    assert code == 0
    expected = reference_recall(xi, cues, xi_back=xi_back, theta=0.0,
                                **MODELS["A(ii)"].options(), **TIMING)
    with np.load(tmp_path / "r.npz") as saved:
        assert relative_difference(saved["h"], expected["h"]) < 1e-6
