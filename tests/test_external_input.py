"""The external input of each layer (``build_network(external_input=...)``), driven by a
user's own Brian2 objects: summed variables, spikes through on_pre, a TimedArray."""

import logging
import os
import runpy
from pathlib import Path

import numpy as np
import pytest
from brian2 import (Network, NeuronGroup, PoissonGroup, StateMonitor, Synapses, TimedArray, Hz,
                    ms, prefs, run, seed)

from bioam import BioamError, build_network
from bioam.network import EventMemory

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "example_poisson_input.py"
DT, TAU_V, TAU_H, THETA = 0.1 * ms, 20 * ms, 1 * ms, 0.5


@pytest.fixture(autouse=True)
def numpy_target():
    saved, prefs.codegen.target = prefs.codegen.target, "numpy"
    yield
    prefs.codegen.target = saved


def euler(xi, cue, steps, visible_input, hidden_input):
    """Forward Euler of Eq. 1 with the external terms: v and h at the start of every step.

    ``visible_input(n)`` and ``hidden_input(n)`` are the external inputs of step n."""
    n_visible, n_hidden = xi.shape
    dt, tau_v, tau_h = float(DT), float(TAU_V), float(TAU_H)
    v, h = np.array(cue, dtype=float), np.zeros(n_hidden)
    vs, hs = [], []
    for n in range(steps):
        vs.append(v)
        hs.append(h)
        s = (h > THETA).astype(float)
        v, h = (v + dt / tau_v * (-v + xi @ s / np.sqrt(n_hidden) + visible_input(n)),
                h + dt / tau_h * (-h + np.sqrt(n_hidden) / n_visible * xi.T @ v
                                  + hidden_input(n)))
    return np.array(vs).T, np.array(hs).T


def problem(seed_=0, n_visible=40, n_hidden=4):
    rng = np.random.default_rng(seed_)
    xi = rng.standard_normal((n_visible, n_hidden))
    target = np.array([1, 0, 1, 0])[:n_hidden]
    cue = xi @ target / np.sqrt(n_hidden) + 2.0 * rng.standard_normal(n_visible)
    return rng, xi, cue


def test_constant_input_through_a_users_summed_variable_matches_numpy_euler():
    rng, xi, cue = problem()
    n_visible, n_hidden = xi.shape
    memory = build_network(xi, theta=THETA, tau_v=TAU_V, tau_h=TAU_H, dt=DT,
                           external_input=True)
    assert memory.external_input == ("visible", "hidden")
    # the user's own circuit: three rate neurons and two summed-variable projections
    rates = np.array([0.5, -1.0, 2.0])
    weights = {"visible": 0.5 * rng.standard_normal((3, n_visible)),
               "hidden": 0.4 * rng.standard_normal((3, n_hidden))}
    source = NeuronGroup(3, "rate : 1", dt=DT)
    source.rate = rates
    projections = []
    for layer, group in (("visible", memory.visible), ("hidden", memory.hidden)):
        synapses = Synapses(source, group, "w : 1\nI_ext_post = w * rate_pre : 1 (summed)",
                            dt=DT)
        pre, post = np.nonzero(np.ones_like(weights[layer], dtype=bool))
        synapses.connect(i=pre, j=post)
        synapses.w = weights[layer][pre, post]
        projections.append(synapses)
    memory.set_cues(cue)
    visible = StateMonitor(memory.visible, "v", record=True, dt=DT)
    hidden = StateMonitor(memory.hidden, "h", record=True, dt=DT)
    Network(memory, source, projections, visible, hidden).run(30 * ms)

    steps = len(visible.t)
    v, h = euler(xi, cue, steps, lambda n: rates @ weights["visible"],
                 lambda n: rates @ weights["hidden"])
    assert np.max(np.abs(visible.v[:] - v)) < 1e-9
    assert np.max(np.abs(hidden.h[:] - h)) < 1e-9
    # the input matters: without it the trajectory is another one
    v_free, h_free = euler(xi, cue, steps, lambda n: 0, lambda n: 0)
    assert np.max(np.abs(h - h_free)) > 0.1 and np.max(np.abs(v - v_free)) > 0.1
    # and some hidden neuron flipped on the way (the comparison covers the step function)
    assert (h > THETA).any(axis=1).sum() >= 1 and (h[:, -1] > THETA).any()


def test_a_timed_array_through_run_regularly_matches_numpy_euler():
    rng, xi, cue = problem(1, n_visible=30, n_hidden=3)
    n_visible, n_hidden = xi.shape
    # hidden neuron 2 is pushed over threshold from 5 ms to 10 ms, the visible layer all along
    values = np.zeros((3, n_hidden))
    values[1, 2] = 3.0
    hidden_stimulus = TimedArray(values, dt=5 * ms)
    visible_values = 0.3 * rng.standard_normal(n_visible)
    memory = build_network(xi, theta=THETA, tau_v=TAU_V, tau_h=TAU_H, dt=DT,
                           external_input=("hidden", "visible"))
    # the memory's groups have their own namespace: the user's TimedArray goes into it
    memory.hidden.namespace["hidden_stimulus"] = hidden_stimulus
    memory.hidden.run_regularly("I_ext = hidden_stimulus(t, i)", dt=DT)
    memory.visible.I_ext = visible_values
    memory.set_cues(cue)
    visible = StateMonitor(memory.visible, "v", record=True, dt=DT)
    hidden = StateMonitor(memory.hidden, "h", record=True, dt=DT)
    Network(memory, visible, hidden).run(15 * ms)

    v, h = euler(xi, cue, len(visible.t), lambda n: visible_values,
                 lambda n: values[min(int(n * float(DT) / 5e-3 + 1e-9), 2)])
    assert np.max(np.abs(visible.v[:] - v)) < 1e-9
    assert np.max(np.abs(hidden.h[:] - h)) < 1e-9
    assert h[2].max() > 1.0


def test_zero_input_gives_the_memory_without_the_option():
    _, xi, cue = problem(2)
    plain = build_network(xi, theta=THETA, tau_v=TAU_V, tau_h=TAU_H, dt=DT, name="plain")
    assert plain.external_input == ()
    assert "I_ext" not in plain.visible.variables and "I_syn" not in plain.hidden.variables
    assert all("I_ext" not in text and "I_syn" not in text for text in plain.equations.values())
    fed = build_network(xi, theta=THETA, tau_v=TAU_V, tau_h=TAU_H, dt=DT, name="fed",
                        external_input=True)
    results = []
    for memory in (plain, fed):
        memory.set_cues(cue)
        visible = StateMonitor(memory.visible, "v", record=True, dt=DT)
        hidden = StateMonitor(memory.hidden, "h", record=True, dt=DT)
        Network(memory, visible, hidden).run(20 * ms)
        results.append((visible.v[:], hidden.h[:]))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_a_users_poisson_group_drives_the_visible_layer_with_plain_run():
    seed(3)
    rng = np.random.default_rng(3)
    n_visible, n_hidden = 200, 4
    xi = rng.standard_normal((n_visible, n_hidden))
    target = np.array([0, 1, 1, 0])
    pattern = xi @ target / np.sqrt(n_hidden)          # the visible state of target (Eq. 12)
    tau_external, rate_per_unit = 5 * ms, 400 * Hz
    memory = build_network(xi, theta=THETA, tau_v=TAU_V, tau_h=TAU_H, dt=DT,
                           external_input="visible", tau_external=tau_external)
    memory.set_cues(np.zeros(n_visible))               # v = 0, h = 0: nothing recalled yet
    # ON/OFF input: rate proportional to |pattern|, spikes signed; mean I_syn = pattern
    poisson = PoissonGroup(n_visible, rates=rate_per_unit * np.abs(pattern), dt=DT)
    synapses = Synapses(poisson, memory.visible, "w : 1", on_pre="I_syn_post += w", dt=DT)
    synapses.connect(j="i")
    synapses.w = np.sign(pattern) / float(rate_per_unit * tau_external)
    monitor = StateMonitor(memory.hidden, "s", record=True, dt=DT)
    run(60 * ms)                                       # Brian2's magic network collects all
    v = memory.visible.v[:]
    assert memory.visible.I_syn[:] @ pattern > 0       # the input points to the pattern
    assert np.corrcoef(v, pattern)[0, 1] > 0.9 and v @ pattern > 0.5 * pattern @ pattern
    np.testing.assert_array_equal(memory.hidden.s[:], target)
    assert monitor.s[:, 0].sum() == 0                  # it started from nothing


def bioam_records(caplog):
    return [(record.levelname, record.name, record.getMessage()) for record in caplog.records
            if record.name.startswith("bioam")]


def test_the_event_formulation_is_refused_and_auto_chooses_dense(caplog):
    _, xi, _ = problem(4)
    for layers in ("visible", "hidden", True):
        with pytest.raises(BioamError) as error:
            build_network(xi, formulation="event", external_input=layers)
        message = str(error.value)
        assert "\n" not in message
        assert "cannot take external input" in message and "formulation='dense'" in message
    with pytest.raises(BioamError, match="low-rank state"):
        build_network(xi, formulation="event", external_input="visible")
    with pytest.raises(BioamError, match="closed form"):
        build_network(xi, formulation="event", external_input="hidden")
    with pytest.raises(BioamError, match="external_input takes"):
        build_network(xi, external_input="output")
    caplog.set_level(logging.INFO, logger="bioam")
    memory = build_network(xi, formulation="auto", external_input="visible")
    assert not isinstance(memory, EventMemory)
    assert memory.parameters["formulation"] == "dense" and "I_ext" in memory.visible.variables
    assert bioam_records(caplog) == [
        ("INFO", "bioam.network.formulation",
         "using the dense formulation: external input to the visible layer moves v outside "
         "the low-rank state I = N_h^(1/2)/N_v xi^T v that the event formulation integrates")]
    # without external input 'auto' is the event formulation, silently
    caplog.clear()
    memory = build_network(xi, formulation="auto")
    assert isinstance(memory, EventMemory) and bioam_records(caplog) == []


def test_example_poisson_input_recalls_the_pattern(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "recalled s   [1 0 1 1 0]" in out
    assert os.path.getsize(tmp_path / "poisson_input_example.png") > 10_000
