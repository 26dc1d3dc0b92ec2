"""
Use bioam's associative memory inside your own Brian2 network
=============================================================

Builds the network of Eq. (1) for random weights, adds the user's own
StateMonitors to a Network, recalls a noisy cue and plots the traces. Run it with::

    python docs/examples/example_user_network.py

It writes example_user_network.png next to where it is run.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Network, StateMonitor, ms

from bioam import build_network

rng = np.random.default_rng(0)
n_visible, n_hidden = 500, 5
xi = rng.standard_normal((n_visible, n_hidden))  # Eq. 3
memory = build_network(xi, theta=0.5, tau_v=20 * ms, tau_h=1 * ms, dt=0.1 * ms)
for name, equations in memory.equations.items():
    print(f"--- {name}\n{equations}")

target = np.array([1, 0, 1, 1, 0])
cue = xi @ target / np.sqrt(n_hidden) + 1.0 * rng.standard_normal(n_visible)  # Eq. 12, sigma_v = 1
memory.set_cues(cue)

hidden_monitor = StateMonitor(memory.hidden, ["h", "s"], record=True)
visible_monitor = StateMonitor(memory.visible, "v", record=[0, 1, 2])
network = Network(memory.objects, hidden_monitor, visible_monitor)
network.run(100 * ms)

print("target      ", target)
print("recalled s  ", memory.hidden.s[:])
assert np.array_equal(memory.hidden.s[:], target), "recall failed"

fig, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
for mu in range(n_hidden):
    axes[0].plot(hidden_monitor.t / ms, hidden_monitor.h[mu], label=f"h_{mu}")
axes[0].axhline(0.5, color="k", ls="--", lw=0.8, label="theta")
axes[0].set_ylabel("hidden h")
axes[0].legend(fontsize=7, ncol=3)
for k in range(3):
    axes[1].plot(visible_monitor.t / ms, visible_monitor.v[k])
axes[1].set_ylabel("visible v (3 neurons)")
axes[1].set_xlabel("time (ms)")
fig.tight_layout()
fig.savefig("example_user_network.png", dpi=110)
print("wrote example_user_network.png")
