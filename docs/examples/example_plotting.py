"""
Plot one recall: traces, hidden-state ring, spike raster and a basic memory
===========================================================================

The plotting helpers of `bioam.plotting` each draw into an ``ax=`` of your own
figure and return that figure, so one recall's panels compose as subplots:

- `~bioam.plotting.plot_recall_trace`: the hidden potentials h(t) of a recall
  recorded with ``record_dt``, beside the threshold theta (a neuron is active
  while its h is above theta, Eq. 2), and the visible state v(t);
- `~bioam.plotting.plot_hidden_ring`: the recalled hidden state on a ring,
  black for active neurons, as in the paper's Figures 2 and 4;
- `~bioam.plotting.plot_spike_raster`: the spikes of the spiking variant's
  hidden neurons (a Brian2 `SpikeMonitor` on ``memory.hidden``);
- `~bioam.plotting.plot_basic_memory`: the visible state of one hidden neuron
  alone (Eq. 16).

Run it with::

    python docs/examples/example_plotting.py

It writes plotting_example.png next to where it is run.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Network, SpikeMonitor, ms

from bioam import build_network, recall
from bioam.pieces.lif import SpikingHidden
from bioam.plotting import (plot_basic_memory, plot_hidden_ring, plot_recall_trace,
                            plot_spike_raster)

rng = np.random.default_rng(0)
n_visible, n_hidden, threshold = 196, 6, 0.5  # a 14 x 14 visible layer
xi = rng.standard_normal((n_visible, n_hidden))  # Eq. 3
target = np.array([1, 0, 1, 1, 0, 0])
cue = xi @ target / np.sqrt(n_hidden) + 0.5 * rng.standard_normal(n_visible)  # Eq. 12, noisy

# %%
# A recall of the rate model, recorded every 0.2 ms (``record_dt``) on the numpy target.
result = recall(xi, cue[None], theta=threshold, backend="numpy", dt=0.05 * ms, duration=30 * ms,
                record_dt=0.2 * ms)
print("target  ", target)
print("recalled", result.states[0].astype(int))

# %%
# The same cue recalled by the spiking variant's network, built with `build_network`:
# its hidden neurons are integrate-and-fire neurons (`SpikingHidden`) whose spikes a
# `SpikeMonitor` records; the read-out counts the spikes of the last 10 ms.
memory = build_network(xi, theta=threshold, spiking=SpikingHidden(readout_start=20 * ms),
                       dt=0.05 * ms)
memory.set_cues(cue)
spikes = SpikeMonitor(memory.hidden)
Network(memory.objects, spikes).run(30 * ms)
print("spiking ", memory.hidden.s[:])

# %%
# Every panel drawn into an axes of one figure.
fig, axes = plt.subplot_mosaic([["trace", "trace", "ring"], ["visible", "visible", "memory"],
                                ["raster", "raster", "."]], figsize=(9, 8.5))
plot_recall_trace(result, ax=axes["trace"], theta=threshold)
plot_recall_trace(result, ax=axes["visible"], layer="visible", neurons=[0, 1, 2, 3])
plot_hidden_ring(result.states[0], ax=axes["ring"])
plot_basic_memory(xi, 0, ax=axes["memory"])
returned = plot_spike_raster(spikes, ax=axes["raster"])
assert returned is fig  # each helper returns the figure its axes belong to
fig.tight_layout()
fig.savefig("plotting_example.png", dpi=100)
print("wrote plotting_example.png")
