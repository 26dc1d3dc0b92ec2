"""
Recall of many cues on any Brian2 target.

A `RecallSession` builds the network once with ``batch_size`` independent
copies (block-diagonal connectivity, one copy per cue) and recalls a batch of
cues chunk by chunk. In runtime mode (numpy, cython) the same `Network` is
re-used; in standalone mode (C++, CUDA) the project is compiled once and
re-run with new cues and thresholds through Brian2's ``run_args``. Memory is
bounded by ``max_synapses`` whatever the number of cues.
"""

import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
from brian2 import Network, StateMonitor, defaultclock, ms
from brian2.devices.device import get_device
from brian2.utils.logger import get_logger

from . import backends
from .activations import get_activation
from .network import build_network
from .validation import (BioamError, check_cues, check_positive, check_theta, check_timing,
                         check_weights)

__all__ = ["RecallResult", "RecallSession", "recall", "DEFAULTS"]

logger = get_logger(__name__)

#: Default simulation parameters (tau_v = 20 tau_h as in Figure 1; duration 5 tau_v).
DEFAULTS = {
    "tau_v": 20 * ms,
    "tau_h": 1 * ms,
    "dt": 0.1 * ms,
    "duration": 100 * ms,
    "theta": 0.5,
    "activation": "step",
    "steepness": 20.0,
}


@dataclass
class RecallResult:
    """
    Final states of a batch of recalls.

    Attributes
    ----------
    visible : ndarray, shape (B, N_v)
        Final visible states v.
    h : ndarray, shape (B, N_h)
        Final hidden potentials h.
    hidden : ndarray, shape (B, N_h)
        Final hidden activations s = f(h - theta); 0/1 for the step activation.
    traces : dict
        With recording on: ``t`` (T,) in seconds, ``visible`` (B, N_v, T) and
        ``h`` (B, N_h, T).
    seconds : float
        Wall-clock time of the simulations (excluding the one-off build).
    backend : str
    hidden_rates : ndarray, shape (B, N_h), optional
        Spiking variant: firing rates (Hz) in the read-out window.
    """

    visible: np.ndarray
    h: np.ndarray
    hidden: np.ndarray
    traces: dict = field(default_factory=dict)
    hidden_rates: np.ndarray = None
    seconds: float = 0.0
    backend: str = ""


class RecallSession:
    """
    A network built once for one weight matrix, recalling batches of cues.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    xi_back : array-like, shape (N_h, N_v), optional
    theta : float or array-like, shape (N_h,)
        Default threshold; `recall` can override it without rebuilding.
    tau_v, tau_h, dt, duration : Quantity
    activation : {'step', 'sigmoid'}
    steepness : float
    backend : {'numpy', 'cython', 'cpp_standalone', 'cuda_standalone'}
    batch_size : int, optional
        Cues simulated together. Given, the network is built (and compiled)
        here; by default it is built at the first `recall`, for that call's
        number of cues or as many as fit in ``max_synapses``.
    max_synapses : int
        Bound on the synapses of one build (both projections), which bounds memory.
    record_dt : Quantity, optional
        Record traces of v and h with this period.
    directory : str, optional
        Project folder of the standalone backends (default: a temporary one,
        deleted by `close`).
    progress : bool
        Print a line per chunk to standard error.
    **network_options
        Further options of `bioam.build_network` (``connection_probability``,
        ``shared_connectivity``, ``connectivity_seed``, ``dale``, ``baseline``,
        ``tau_inhibitory``).

    Examples
    --------
    >>> import numpy as np
    >>> from bioam import RecallSession
    >>> xi = np.random.default_rng(1).standard_normal((100, 3))
    >>> with RecallSession(xi, backend='numpy') as session:
    ...     result = session.recall(xi.T / np.sqrt(3))  # each basic memory as cue
    >>> result.hidden
    array([[1., 0., 0.],
           [0., 1., 0.],
           [0., 0., 1.]])
    """

    def __init__(self, xi, *, xi_back=None, theta=DEFAULTS["theta"], tau_v=DEFAULTS["tau_v"],
                 tau_h=DEFAULTS["tau_h"], dt=DEFAULTS["dt"], duration=DEFAULTS["duration"],
                 activation=DEFAULTS["activation"], steepness=DEFAULTS["steepness"],
                 backend="cython", batch_size=None, max_synapses=2**23, record_dt=None,
                 directory=None, progress=False, **network_options):
        backends.check_backend(backend)
        self.xi, self.xi_back = check_weights(xi, xi_back)
        self.n_visible, self.n_hidden = self.xi.shape
        self.theta = check_theta(theta, self.n_hidden)
        check_timing(tau_v, tau_h, dt, duration)
        get_activation(activation)
        if record_dt is not None and (record_dt < dt):
            raise BioamError(f"record_dt ({record_dt}) must be at least dt ({dt})")
        check_positive("max_synapses", max_synapses)
        per_copy = 2 * self.n_visible * self.n_hidden
        self._max_batch = max(1, int(max_synapses // per_copy))
        if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
            raise BioamError(f"batch_size must be a positive integer, got {batch_size}")
        self.backend = backend
        self.duration = duration
        self.progress = progress
        self.record = record_dt is not None
        self._own_directory = directory is None and backend in backends.STANDALONE_BACKENDS
        if self._own_directory:
            directory = tempfile.mkdtemp(prefix="bioam_")
        self.directory = directory
        self._closed = False
        self._build_kwds = dict(tau_v=tau_v, tau_h=tau_h, dt=dt, activation=activation,
                                steepness=steepness, record_dt=record_dt)
        spiking = network_options.get("spiking")
        if spiking is True:
            from .network import SpikingHidden
            spiking = SpikingHidden()
        if spiking:
            from dataclasses import replace
            if spiking.readout_window + spiking.cue_hold > duration:
                raise BioamError(
                    f"duration ({duration}) must exceed the spiking cue hold plus read-out "
                    f"window ({spiking.cue_hold + spiking.readout_window})")
            network_options["spiking"] = replace(
                spiking, readout_start=duration - spiking.readout_window)
        self.network_options = network_options
        self.memory = None
        self.batch_size = None
        self.build_seconds = 0.0
        if batch_size is not None:
            self._build(int(batch_size))

    def _build(self, batch_size):
        """Build (and on standalone targets compile) the network with ``batch_size`` copies."""
        self.batch_size = batch_size
        kwds = self._build_kwds
        backend, directory = self.backend, self.directory
        start = time.perf_counter()
        backends.activate(backend, build_directory=directory)
        dt = kwds["dt"]
        if backend == "cuda_standalone":
            # brian2cuda's spike queues refer to the default clock by name
            self._saved_default_dt = defaultclock.dt
            defaultclock.dt = dt
            dt = None
        try:
            self.memory = build_network(
                self.xi, xi_back=self.xi_back, theta=self.theta, tau_v=kwds["tau_v"],
                tau_h=kwds["tau_h"], activation=kwds["activation"],
                steepness=kwds["steepness"], n_copies=batch_size, dt=dt,
                name="bioam", **self.network_options)
            objects = list(self.memory.objects)
            if self.record:
                self._monitor_v = StateMonitor(self.memory.visible, "v", record=True,
                                               dt=kwds["record_dt"], name="bioam_visible_monitor")
                self._monitor_h = StateMonitor(self.memory.hidden, "h", record=True,
                                               dt=kwds["record_dt"], name="bioam_hidden_monitor")
                objects += [self._monitor_v, self._monitor_h]
            self.network = Network(objects, name="bioam_network")
            if backend in backends.STANDALONE_BACKENDS:
                self.memory.set_cues(np.zeros((batch_size, self.n_visible)))
                self.network.run(self.duration, namespace={})
                get_device().build(directory=directory, compile=True, run=False,
                                   with_output=False)
            else:
                self.network.store("initial")
        except BioamError:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise BioamError(f"building the {backend} network failed: {error}") from error
        self.build_seconds = time.perf_counter() - start

    def _simulate_chunk(self, cues, theta):
        memory = self.memory
        flat_theta = np.tile(theta + memory.threshold_shift, self.batch_size)
        if self.backend in backends.STANDALONE_BACKENDS:
            if self.backend == "cuda_standalone" and not backends.gpu_available():
                raise BioamError(
                    "backend 'cuda_standalone' needs an NVIDIA GPU to run and none was "
                    f"found (nvidia-smi); the compiled project is in {self.directory}"
                )
            if memory.parameters["dale"] and (cues + memory.baseline).min() < 0:
                memory.set_cues(cues)  # raises the error that names the baseline needed
            get_device().run(run_args={memory.visible.v: (cues + memory.baseline).ravel(),
                                       memory.hidden.theta: flat_theta},
                             with_output=False)
        else:
            self.network.restore("initial")  # t = 0: the same steps for every chunk
            memory.set_cues(cues)
            memory.set_theta(theta)
            self.network.run(self.duration, namespace={})
        visible, h = memory.unconstrained_state(np.array(memory.visible.v[:]),
                                                np.array(memory.hidden.h[:]))
        hidden = np.array(memory.hidden.s[:], dtype=np.float64).reshape(self.batch_size, self.n_hidden)
        extras = {}
        spiking = memory.parameters.get("spiking")
        if spiking:
            counts = np.array(memory.hidden.spike_count[:]).reshape(self.batch_size, self.n_hidden)
            extras["hidden_rates"] = counts / float(spiking.readout_window)
        traces = {}
        if self.record:
            traces["t"] = np.asarray(self._monitor_v.t[:] / ms) * 1e-3
            traces["visible"] = np.array(self._monitor_v.v).reshape(
                self.batch_size, self.n_visible, -1) - memory.baseline
            traces["h"] = np.array(self._monitor_h.h).reshape(
                self.batch_size, self.n_hidden, -1) - memory.threshold_shift[None, :, None]
        return visible, h, hidden, traces, extras

    def recall(self, cues, theta=None):
        """
        Recall a batch of cues: v(0) = cue, h(0) = 0 (Eq. 12).

        Parameters
        ----------
        cues : array-like, shape (B, N_v)
        theta : float or array-like of shape (N_h,), optional
            Threshold(s) for this batch (default: the session's).

        Returns
        -------
        RecallResult
        """
        if self._closed:
            raise BioamError("this RecallSession is closed; create a new one")
        cues = check_cues(cues, self.n_visible)
        theta = self.theta if theta is None else check_theta(theta, self.n_hidden)
        n_cues = cues.shape[0]
        if self.memory is None:
            self._build(min(n_cues, self._max_batch))
        outputs = {"visible": [], "h": [], "hidden": [], "hidden_rates": []}
        trace_chunks = []
        start = time.perf_counter()
        for first in range(0, n_cues, self.batch_size):
            chunk = cues[first:first + self.batch_size]
            n_real = chunk.shape[0]
            if n_real < self.batch_size:  # pad the last chunk with silent copies
                chunk = np.vstack([chunk, np.zeros((self.batch_size - n_real, self.n_visible))])
            visible, h, hidden, traces, extras = self._simulate_chunk(chunk, theta)
            if "hidden_rates" in extras:
                outputs["hidden_rates"].append(extras["hidden_rates"][:n_real])
            outputs["visible"].append(visible[:n_real])
            outputs["h"].append(h[:n_real])
            outputs["hidden"].append(hidden[:n_real])
            if traces:
                trace_chunks.append({k: (v if k == "t" else v[:n_real]) for k, v in traces.items()})
            if self.progress:
                done = first + n_real
                print(f"bioam: recalled {done}/{n_cues} cues on {self.backend} "
                      f"({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
        result = RecallResult(
            visible=np.concatenate(outputs["visible"]),
            h=np.concatenate(outputs["h"]),
            hidden=np.concatenate(outputs["hidden"]),
            seconds=time.perf_counter() - start,
            backend=self.backend,
            hidden_rates=(np.concatenate(outputs["hidden_rates"])
                          if outputs["hidden_rates"] else None),
        )
        if trace_chunks:
            result.traces = {
                "t": trace_chunks[0]["t"],
                "visible": np.concatenate([c["visible"] for c in trace_chunks]),
                "h": np.concatenate([c["h"] for c in trace_chunks]),
            }
        return result

    def close(self):
        """Leave standalone mode and delete a temporary project folder."""
        if self._closed:
            return
        self._closed = True
        if getattr(self, "_saved_default_dt", None) is not None:
            defaultclock.dt = self._saved_default_dt
        if self.backend in backends.STANDALONE_BACKENDS:
            backends.deactivate()
            if self._own_directory and self.directory and os.path.isdir(self.directory):
                shutil.rmtree(self.directory, ignore_errors=True)
                shutil.rmtree(os.path.abspath(self.directory) + "_curand", ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def recall(xi, cues, *, theta=DEFAULTS["theta"], backend="cython", **kwds):
    """
    Recall a batch of cues in one call (build, simulate, clean up).

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
    cues : array-like, shape (B, N_v)
    theta : float or array-like, shape (N_h,)
    backend : str
        One of ``numpy``, ``cython``, ``cpp_standalone``, ``cuda_standalone``.
    **kwds
        Any other argument of `RecallSession`.

    Returns
    -------
    RecallResult
    """
    with RecallSession(xi, theta=theta, backend=backend, **kwds) as session:
        return session.recall(cues)
