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
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np
from brian2 import Network, StateMonitor, defaultclock, ms
from brian2.devices.device import get_device
from brian2.utils.logger import get_logger

from . import backends
from .pieces.assembly import ASSEMBLY_OPTIONS, assemble
from .event import ORDER
from .progress import progress_reporter
from .network import FORMULATIONS, build_network
from .standalone import build_cached, cache_root, compile_progress, run_project, write_run_files
from .validation import (BioamError, check_cues, check_positive, check_theta, check_timing,
                         check_weights)

__all__ = ["RecallResult", "RecallSession", "recall", "DEFAULTS", "choose_formulation",
           "progress_bar"]

logger = get_logger(__name__)

#: Default simulation parameters: tau_v = 20 tau_h as in Figure 1; dt and duration
#: give final hidden states converged in dt with the event formulation (see
#: docs/engine.md for the measurements behind them).
DEFAULTS = {
    "tau_v": 20 * ms,
    "tau_h": 1 * ms,
    "dt": 0.025 * ms,
    "duration": 50 * ms,
    # `bioam evaluate` and `bioam classify` recall whole data sets: they run each
    # recall to convergence. At 50 ms, 217 of the 60,000 MNIST recalls of the paper's
    # network (models/mnist_nh50_global.npz) had not reached their fixed point; at
    # 200 ms all but one had, and dt / 4 changes the count by 0.01% (docs/results.md).
    "evaluate_duration": 200 * ms,
    "theta": 0.5,
    "activation": "step",
    "steepness": 20.0,
    "formulation": "auto",
    # The Brian2 target of `recall`, `RecallSession` and every command (their
    # --backend): C++ standalone. A compiled binary recalls batch after batch
    # without returning to Python (the event formulation's cue sequences), and a
    # project with the same code is compiled once (bioam.standalone); cython,
    # numpy and cuda_standalone are a keyword or an option away.
    "backend": "cpp_standalone",
}

#: How the cue sequences of the event formulation are laid out, per processor
#: ('gpu' for cuda_standalone, 'cpu' otherwise):
#:
#: - ``cues_per_run``: cues recalled by one run of a compiled binary (bounds the
#:   memory of its cue files and results);
#: - ``lane_hidden_neurons``: hidden neurons (lanes x N_h) of the network. On a CPU,
#:   enough that the per-step overhead of the code objects is small, few enough that
#:   creating (and writing back) the lanes' synapses does not dominate a run (on
#:   MNIST, 40 lanes of N_h = 50 ran faster than 103). On a GPU (measured on an
#:   H200, docs/figures/engine/cuda_h200.txt), the kernels are cheap (0.14 s for
#:   2,000 steps of 256 lanes) and a run's host-side set-up, which grows with the
#:   lanes' synapses, is not (8.0 s in all for those 256 lanes, 10.7 M synapses;
#:   60,000 cues in 2,622 lanes took 187 s): a few hundred lanes;
#: - ``max_synapses``: default bound on the synapses of one build (bounds memory);
#: - ``workers``: binaries run at once by default (``None``: one per core).
SEQUENCE_LAYOUT = {
    "cpu": {"cues_per_run": 8192, "lane_hidden_neurons": 2000, "max_synapses": 2**23,
            "workers": None},
    "gpu": {"cues_per_run": 2**16, "lane_hidden_neurons": 2**14, "max_synapses": 2**28,
            "workers": 1},
}


def progress_bar(done, total, seconds, backend, width=30):
    """
    One line of progress: a bar, the cues recalled, the time and the time left.

    Examples
    --------
    >>> progress_bar(30, 120, 6.0, 'cpp_standalone', width=8)
    'bioam: [##------]  30/120 cues on cpp_standalone, 6.0 s, ~18 s left'
    """
    filled = int(width * done / total)
    left = seconds * (total - done) / done if done else float("nan")
    digits = len(str(total))
    return (f"bioam: [{'#' * filled}{'-' * (width - filled)}] {done:>{digits}}/{total} cues on "
            f"{backend}, {seconds:.1f} s, ~{left:.0f} s left")


def choose_formulation(formulation, pieces=None, **network_options):
    """
    The formulation a recall uses: 'auto' is 'event' wherever it is exact.

    Parameters
    ----------
    formulation : {'auto', 'event', 'dense'}
    pieces : Assembly, optional
        The network's pieces (`bioam.pieces.assemble`); default: those of
        ``network_options``.
    **network_options
        The network's options (see `bioam.build_network`): ``activation``,
        ``dale``, ``spiking``, ``constraints``, ...

    Returns
    -------
    str
        'event' or 'dense'.

    Examples
    --------
    >>> choose_formulation('auto', dale=True)
    'event'
    >>> choose_formulation('auto', activation='sigmoid')
    'dense'
    """
    if formulation not in ("auto",) + FORMULATIONS:
        raise BioamError(f"unknown formulation {formulation!r}; choose auto, "
                         f"{', '.join(FORMULATIONS)}")
    reason = (pieces or assemble(**network_options)).event_reason()
    if formulation == "auto":
        if reason:
            logger.info(f"using the dense formulation: {reason}", "formulation")
            return "dense"
        return "event"
    if formulation == "event" and reason:
        raise BioamError(f"formulation 'event' cannot recall this network: {reason}; "
                         "use formulation 'dense' (or 'auto')")
    return formulation


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

    @property
    def states(self):
        """
        The binarised hidden states, 0/1: the activations above 1/2.

        Theta(h - theta) for the step and sigmoid activations (sigma(beta (h - theta))
        > 1/2 exactly when h > theta), the spiking read-out for spiking hidden neurons.
        Capacities and agreements are counted on these, not on graded activations.
        """
        return (np.asarray(self.hidden) > 0.5).astype(np.float64)


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
    activation : str or piece
        The hidden nonlinearity (`bioam.pieces`): 'step', 'sigmoid',
        'power:n=5', 'softmax:beta=1', ... (``visible_nonlinearity`` is a
        network option, below).
    steepness : float
    backend : {'numpy', 'cython', 'cpp_standalone', 'cuda_standalone'}
    batch_size : int, optional
        Cues simulated together. Given, the network is built (and compiled)
        here; by default it is built at the first `recall`, for that call's
        number of cues or as many as fit in ``max_synapses``.
    max_synapses : int, optional
        Bound on the synapses of one build (both projections), which bounds
        memory (default: ``SEQUENCE_LAYOUT[processor]['max_synapses']``, larger
        on a GPU).
    record_dt : Quantity, optional
        Record traces of v and h with this period.
    directory : str, optional
        Project folder of the standalone backends (default: a temporary one,
        deleted by `close`).
    progress : bool or callable
        A line per chunk (a progress bar, `progress_bar`) and one when the
        project is compiled: True writes them to standard error, a function
        is called with each line (see `bioam.progress`); they also go to
        Brian2's logger (debug level).
    formulation : {'auto', 'event', 'dense'}
        'auto' (default): the exact event formulation (`bioam.event`) wherever
        the activation is a step and no variant needs the dense one, else the
        dense Eq. (1) (the reason is logged).
    executor : concurrent.futures.Executor, optional
        Runs the compiled binary of the event formulation (standalone
        targets) for several chunks at once; default: a thread pool of
        ``n_workers`` threads, each waiting on one binary's process.
    n_workers : int, optional
        Binaries run at once (default: the number of cores; one on a GPU).
    use_cache : bool
        Take a compiled project from the cache (`bioam.standalone`) when one
        with the same generated code and weights exists.
    **network_options
        Further options of `bioam.build_network`: the pieces
        (``visible_nonlinearity``, ``hidden_neuron``, ``visible_neuron``,
        ``constraints``) and their shorthands (``connection_probability``,
        ``shared_connectivity``, ``connectivity_seed``, ``dale``, ``baseline``,
        ``tau_inhibitory``, ``spiking``). A spiking read-out window is set to
        the last ``readout_window`` of ``duration``.

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
                 backend=DEFAULTS["backend"], batch_size=None, max_synapses=None, record_dt=None,
                 directory=None, progress=False, formulation=DEFAULTS["formulation"],
                 executor=None, n_workers=None, use_cache=True, **network_options):
        backends.check_backend(backend)
        _check_network_options(network_options)
        self.xi, self.xi_back = check_weights(xi, xi_back)
        check_timing(tau_v, tau_h, dt, duration)
        check_positive("steepness", steepness)
        # the network's pieces, for a recall of this duration
        piece_options = {key: network_options.pop(key) for key in ASSEMBLY_OPTIONS
                         if key in network_options}
        self.pieces = assemble(activation, steepness=steepness,
                               **piece_options).at_duration(duration)
        self.formulation = choose_formulation(formulation, self.pieces)
        self.layout = SEQUENCE_LAYOUT["gpu" if backend == "cuda_standalone" else "cpu"]
        if n_workers is not None and (int(n_workers) != n_workers or n_workers < 1):
            raise BioamError(f"n_workers must be a positive integer, got {n_workers}")
        self.n_workers = int(n_workers or self.layout["workers"] or os.cpu_count() or 1)
        if max_synapses is None:
            max_synapses = self.layout["max_synapses"]
        self.executor = executor
        self.use_cache = bool(use_cache)
        self.n_visible, self.n_hidden = self.xi.shape
        self.theta = check_theta(theta, self.n_hidden)
        self.hidden_nonlinearity = self.pieces.hidden
        if record_dt is not None and (record_dt < dt):
            raise BioamError(f"record_dt ({record_dt}) must be at least dt ({dt})")
        check_positive("max_synapses", max_synapses)
        if self.formulation == "event":  # the backward pathway and J
            per_copy = self.n_visible * self.n_hidden + self.n_hidden ** 2
        else:
            per_copy = 2 * self.n_visible * self.n_hidden
        self._max_batch = max(1, int(max_synapses // per_copy))
        if batch_size is not None and (int(batch_size) != batch_size or batch_size < 1):
            raise BioamError(f"batch_size must be a positive integer, got {batch_size}")
        self.backend = backend
        self.duration = duration
        self.progress = progress
        self._report = progress_reporter(progress, __name__)
        self.record = record_dt is not None
        # cue sequences in lanes, compiled once into the cache, run by the executor
        self.sequence = (self.formulation == "event" and not self.record
                         and backend in backends.STANDALONE_BACKENDS)
        if self.sequence and directory is None:
            directory = os.path.join(os.path.dirname(cache_root()), "device")
        self._own_directory = (directory is None and backend in backends.STANDALONE_BACKENDS)
        if self._own_directory:
            directory = tempfile.mkdtemp(prefix="bioam_")
        self.directory = directory
        self._closed = False
        self._build_kwds = dict(tau_v=tau_v, tau_h=tau_h, dt=dt, record_dt=record_dt)
        pieces = self.pieces
        self.network_options = dict(
            network_options, activation=pieces.hidden, steepness=steepness,
            visible_nonlinearity=pieces.visible, hidden_neuron=pieces.hidden_neuron,
            visible_neuron=pieces.visible_neuron, constraints=pieces.constraints)
        self.memory = None
        self.batch_size = None
        self.build_seconds = 0.0
        if batch_size is not None and not self.sequence:
            self._build(int(batch_size))
        elif batch_size is not None:
            self._build_sequence(*self._lanes_and_periods(int(batch_size)))

    def _lanes_and_periods(self, n_cues):
        """Lanes (network copies) and cues per lane of one run of the binary."""
        layout = self.layout
        per_run = min(layout["cues_per_run"], -(-n_cues // self.n_workers))
        lanes = max(1, min(self._max_batch, per_run,
                           -(-layout["lane_hidden_neurons"] // self.n_hidden)))
        return lanes, -(-per_run // lanes)

    def _build_sequence(self, lanes, periods):
        """Build and compile (or take from the cache) the lanes of a cue sequence."""
        kwds = self._build_kwds
        self.lanes, self.periods = lanes, periods
        self.batch_size = lanes * periods
        start = time.perf_counter()
        backends.activate(self.backend, build_directory=self.directory)
        dt, duration = kwds["dt"], self.duration
        if self.backend == "cuda_standalone":
            # brian2cuda's spike queues refer to the default clock by name
            self._saved_default_dt = defaultclock.dt
            defaultclock.dt = dt
            dt = None
        try:
            memory = build_network(
                self.xi, xi_back=self.xi_back, theta=self.theta, tau_v=kwds["tau_v"],
                tau_h=kwds["tau_h"], n_copies=lanes, dt=dt, name="bioam",
                formulation="event", cue_period=duration, n_cue_periods=periods,
                **self.network_options)
            final = {"when": "before_groups", "order": ORDER["monitor"],
                     "clock": memory.cue_clock}
            self._final_h = StateMonitor(memory.hidden, "h", record=True,
                                         name="bioam_final_hidden", **final)
            self._final_v = StateMonitor(memory.visible, "v", record=True,
                                         name="bioam_final_visible", **final)
            self.memory = memory
            self.network = Network(memory.objects + [self._final_h, self._final_v],
                                   name="bioam_network")
            # one step more than the cues need, so that the last cue's end is recorded
            self.network.run(periods * duration + kwds["dt"], namespace={})
            self.project, self.from_cache = build_cached(self.backend, self.use_cache,
                                                         progress=self._report)
        except BioamError:
            self.close()
            raise
        except Exception as error:
            self.close()
            _raise_build_failure(self.backend, error)
            raise  # anything else is a bug: keep its traceback
        device = get_device()
        self._outputs = {
            "h": (device.get_array_filename(self._final_h.variables["h"]), np.float64,
                  lanes * self.n_hidden),
            "visible": (device.get_array_filename(self._final_v.variables["v"]), np.float64,
                        lanes * self.n_visible),
        }
        self.build_seconds = time.perf_counter() - start
        how = "taken from the cache" if self.from_cache else "compiled"
        self._report(f"bioam: {self.backend} project with {lanes} lanes x {periods} cues "
                     f"{how} in {self.build_seconds:.1f} s")

    def _recall_sequence(self, cues, theta):
        """Recall cues in runs of the compiled binary, in parallel through the executor."""
        from concurrent.futures import ThreadPoolExecutor

        if self.backend == "cuda_standalone" and not backends.gpu_available():
            raise BioamError(
                "backend 'cuda_standalone' needs an NVIDIA GPU to run and none was "
                f"found (nvidia-smi); the compiled project is in {self.project}")
        self.memory.check_rates(cues)
        n_cues, n_visible, n_hidden = cues.shape[0], self.n_visible, self.n_hidden
        lanes, periods = self.lanes, self.periods
        chunk = lanes * periods
        executor = self.executor
        own_executor = executor is None
        if own_executor:
            executor = ThreadPoolExecutor(max_workers=self.n_workers)
        start = time.perf_counter()
        futures = []
        try:
            for first in range(0, n_cues, chunk):
                part = cues[first:first + chunk]
                if len(part) < chunk:  # pad the last run with silent cues
                    part = np.vstack([part, np.zeros((chunk - len(part), n_visible))])
                # cue c of the run goes to lane c // periods, period c % periods
                values = part.reshape(lanes, periods, n_visible).transpose(1, 0, 2)
                # the initial condition of the hidden input, I(0) = N_h^(1/2)/N_v xi^T v(0)
                inputs = self.memory.cue_inputs(values)
                run_dir, paths = write_run_files(self.project, {
                    "cues.dat": values.reshape(periods, -1),
                    "inputs.dat": inputs.reshape(periods, -1),
                    "theta.dat": self.memory.hidden_thresholds(theta)})
                run_args = [f"{self.memory.cue_array.name}.values={paths['cues.dat']}",
                            f"{self.memory.input_array.name}.values={paths['inputs.dat']}",
                            f"{self.memory.hidden.name}.theta={paths['theta.dat']}"]
                futures.append(executor.submit(run_project, self.project, run_args,
                                               self._outputs, run_dir))
            parts = {"h": [], "visible": []}
            for index, future in enumerate(futures):
                result = future.result()
                for key, n_per_lane in (("h", n_hidden), ("visible", n_visible)):
                    final = result[key][1:periods + 1].reshape(periods, lanes, n_per_lane)
                    parts[key].append(final.transpose(1, 0, 2).reshape(chunk, n_per_lane))
                self._report(progress_bar(min(n_cues, (index + 1) * chunk), n_cues,
                                          time.perf_counter() - start, self.backend))
        finally:
            for future in futures:
                future.cancel()
            if own_executor:
                executor.shutdown(wait=True)
        # the unconstrained model's states (Dale's law shifts v and h)
        h = np.concatenate(parts["h"])[:n_cues] - self.memory.threshold_shift
        return RecallResult(
            visible=np.concatenate(parts["visible"])[:n_cues] - self.memory.baseline, h=h,
            hidden=(h > theta).astype(np.float64), seconds=time.perf_counter() - start,
            backend=self.backend)

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
                tau_h=kwds["tau_h"], n_copies=batch_size, dt=dt,
                name="bioam", formulation=self.formulation, **self.network_options)
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
                with compile_progress(directory, self._report, backend):
                    get_device().build(directory=directory, compile=True, run=False,
                                       with_output=False)
            else:
                self.network.store("initial")
        except BioamError:
            self.close()
            raise
        except Exception as error:
            self.close()
            _raise_build_failure(backend, error)
            raise  # anything else is a bug: keep its traceback
        self.build_seconds = time.perf_counter() - start

    def _simulate_chunk(self, cues, theta):
        memory = self.memory
        if self.backend in backends.STANDALONE_BACKENDS:
            if self.backend == "cuda_standalone" and not backends.gpu_available():
                raise BioamError(
                    "backend 'cuda_standalone' needs an NVIDIA GPU to run and none was "
                    f"found (nvidia-smi); the compiled project is in {self.directory}"
                )
            get_device().run(run_args=memory.run_args(cues, theta), with_output=False)
        else:
            self.network.restore("initial")  # t = 0: the same steps for every chunk
            memory.set_cues(cues)
            memory.set_theta(theta)
            self.network.run(self.duration, namespace={})
        visible, h = memory.unconstrained_state(np.array(memory.visible.v[:]),
                                                np.array(memory.hidden.h[:]))
        # the hidden neuron model's read-out: f of the final h for rate neurons (a non-local
        # f's pool holds the previous step's normaliser), spike counts for spiking ones
        hidden, extras = self.pieces.hidden_neuron.readout(memory, h, theta)
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
        if self.sequence:
            if self.memory is None:
                self._build_sequence(*self._lanes_and_periods(n_cues))
            return self._recall_sequence(cues, theta)
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
            self._report(progress_bar(first + n_real, n_cues, time.perf_counter() - start,
                                      self.backend))
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
        backends.deactivate()  # the caller's device and codegen target come back
        if self.backend in backends.STANDALONE_BACKENDS:
            project = getattr(self, "project", None)
            if project and not self.use_cache and os.path.isdir(project):
                shutil.rmtree(project, ignore_errors=True)
            if self._own_directory and self.directory and os.path.isdir(self.directory):
                shutil.rmtree(self.directory, ignore_errors=True)
                shutil.rmtree(os.path.abspath(self.directory) + "_curand", ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _check_network_options(options):
    """Refuse keywords that neither `RecallSession` nor `bioam.build_network` takes."""
    import difflib
    import inspect

    from .network import build_network

    known = set(inspect.signature(build_network).parameters) | set(
        inspect.signature(RecallSession.__init__).parameters)
    known -= {"self", "xi", "network_options"}
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise BioamError(f"unknown option {name!r} of recall / RecallSession{hint} (the "
                             "options are RecallSession's and bioam.build_network's)")


def _raise_build_failure(backend, error):
    """
    A compiler that fails on the generated project is the machine's problem, not a bug.

    Raise it as one line that says so; leave every other exception alone.
    """
    message = str(error)
    if isinstance(error, RuntimeError) and "compilation failed" in message.lower():
        raise BioamError(f"compiling the {backend} project failed ({message.splitlines()[0]}); "
                         "check the C++ compiler (and nvcc for cuda_standalone), or use "
                         "--backend numpy") from error


def recall(xi, cues, *, theta=DEFAULTS["theta"], backend=DEFAULTS["backend"], **kwds):
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
    backends.check_runnable(backend)  # before compiling for minutes
    with RecallSession(xi, theta=theta, backend=backend, **kwds) as session:
        return session.recall(cues)
