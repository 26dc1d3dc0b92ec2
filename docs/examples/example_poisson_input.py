"""
Drive the associative memory from your own Brian2 PoissonGroup
==============================================================

Builds the memory of Eq. (1) with an external input on the visible layer
(``external_input='visible'``: Eq. 1a gains ``+ I_ext + I_syn``) and drives it
from the user's own `PoissonGroup`: every visible neuron i receives Poisson
spikes at a rate proportional to ``|x_i|`` whose synapses add ``sign(x_i) w``
to its ``I_syn`` (decaying with ``tau_external``), so the mean input is the
visible pattern ``x = xi t / sqrt(N_h)`` of a stored hidden state t (Eq. 12).
Starting from rest (v = 0, h = 0, nothing recalled), Brian2's plain ``run()``
(the memory is collected like any group) recalls t; the input is then switched
off and the memory holds its state. Run it with::

    python docs/examples/example_poisson_input.py

It writes poisson_input_example.png next to where it is run.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, PoissonGroup, StateMonitor, Synapses, ms, run, seed

from bioam import build_network

seed(1)  # Brian2's random numbers (the Poisson spikes)
rng = np.random.default_rng(1)
n_visible, n_hidden = 500, 5
xi = rng.standard_normal((n_visible, n_hidden))  # Eq. 3
target = np.array([1, 0, 1, 1, 0])
pattern = xi @ target / np.sqrt(n_hidden)  # the visible state of the target (Eq. 12)

tau_external = 5 * ms
memory = build_network(xi, theta=0.5, tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms,
                       external_input="visible", tau_external=tau_external)
print(memory.equations["visible"])
memory.set_cues(np.zeros(n_visible))  # at rest: v = 0, h = 0, s = 0

# The user's own input: an ON/OFF Poisson population, one generator per visible neuron.
# A spike adds w to I_syn, which decays with tau_external: the mean input is
# w * rate * tau_external = sign(x_i) * |x_i| = x_i.
rate_per_unit = 400 * Hz
poisson = PoissonGroup(n_visible, rates=rate_per_unit * np.abs(pattern), dt=0.1 * ms)
drive = Synapses(poisson, memory.visible, "w : 1", on_pre="I_syn_post += w", dt=0.1 * ms)
drive.connect(j="i")
drive.w = np.sign(pattern) / float(rate_per_unit * tau_external)

hidden_monitor = StateMonitor(memory.hidden, "h", record=True, dt=0.1 * ms)
visible_monitor = StateMonitor(memory.visible, ["v", "I_syn"], record=[0, 1, 2], dt=0.1 * ms)

run(60 * ms)  # Brian2's magic network: the memory, the Poisson input and the monitors
print("recalled with the input   ", memory.hidden.s[:])
poisson.rates = 0 * Hz  # the input stops; the memory holds what it recalled
run(60 * ms)

print("target      ", target)
print("recalled s  ", memory.hidden.s[:])
assert np.array_equal(memory.hidden.s[:], target), "recall failed"

fig, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
for mu in range(n_hidden):
    axes[0].plot(hidden_monitor.t / ms, hidden_monitor.h[mu], label=f"h_{mu} (t={target[mu]})")
axes[0].axhline(0.5, color="k", ls="--", lw=0.8, label="theta")
axes[0].set_ylabel("hidden h")
axes[0].legend(fontsize=7, ncol=3)
for k, color in zip(range(3), ("C0", "C1", "C2")):
    axes[1].plot(visible_monitor.t / ms, visible_monitor.I_syn[k], color=color, lw=0.5, alpha=0.4)
    axes[1].plot(visible_monitor.t / ms, visible_monitor.v[k], color=color, label=f"v_{k}")
    axes[1].axhline(pattern[k], color=color, ls=":", lw=0.8,
                    label="pattern x_i (dotted)" if k == 0 else None)
axes[1].set_ylabel("visible v, input I_syn (faint)")
axes[1].set_xlabel("time (ms)")
axes[1].legend(fontsize=7)
for ax in axes:
    ax.axvspan(0, 60, color="0.9", zorder=-1)  # the Poisson input is on
fig.tight_layout()
fig.savefig("poisson_input_example.png", dpi=110)
print("wrote poisson_input_example.png")
