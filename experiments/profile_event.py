"""
Where a run of the event formulation spends its time: Brian2's profiler on one cue period.

Builds the event formulation of ``models/mnist_nh50.npz`` with ``--lanes``
network copies on a standalone target, recalls the first ``--lanes`` MNIST
training images for one cue period (the default duration and dt), and prints
the build time, the run time of the binary and Brian2's profiling summary (the
time of each code object). On ``cuda_standalone`` the difference between the
run time and the summed kernel times is the binary's set-up (see
``docs/figures/engine/cuda_h200.txt``).

    python experiments/profile_event.py --backend cuda_standalone --lanes 256
"""

import argparse
import tempfile
import time

from brian2 import BrianLogger, Network, defaultclock, get_device, profiling_summary

from bioam import DEFAULTS, backends
from bioam.datasets import load_dataset
from bioam.models import load_model, model_theta
from bioam.network import build_network


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--backend", default="cpp_standalone",
                        choices=sorted(backends.STANDALONE_BACKENDS))
    parser.add_argument("--lanes", type=int, default=256)
    args = parser.parse_args()
    BrianLogger.log_level_warn()
    directory = tempfile.mkdtemp(prefix="bioam_profile_")
    backends.activate(args.backend, build_directory=directory)
    model = load_model("models/mnist_nh50.npz")
    defaultclock.dt = DEFAULTS["dt"]  # brian2cuda's synapses read the default clock
    memory = build_network(model["xi"], xi_back=model["xi_back"], theta=model_theta(model),
                           tau_v=DEFAULTS["tau_v"], tau_h=DEFAULTS["tau_h"],
                           n_copies=args.lanes, name="bioam", formulation="event",
                           cue_period=DEFAULTS["duration"], n_cue_periods=1)
    images, _, _ = load_dataset("mnist", split="train", limit=args.lanes)
    cues = images.astype(float)
    network = Network(memory.objects)
    start = time.perf_counter()
    network.run(DEFAULTS["duration"], namespace={}, profile=True)
    get_device().build(directory=directory, compile=True, run=False, with_output=False)
    print("build", time.perf_counter() - start, flush=True)
    start = time.perf_counter()
    get_device().run(run_args={memory.cue_array: cues.reshape(1, -1),
                               memory.input_array: (cues @ memory.input_weights).reshape(1, -1)},
                     with_output=False)
    print("run", time.perf_counter() - start, flush=True)
    print(profiling_summary(network, show=20))
    print("active hidden neurons at the end", int(memory.hidden.s[:].sum()))


if __name__ == "__main__":
    main()
