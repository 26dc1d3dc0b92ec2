"""
The threshold dense associative memory of Kafraj, Krotov & Latham as Brian2 objects.

`build_network` returns ordinary Brian2 objects (`NeuronGroup` and `Synapses`)
that implement Eq. (1) of the paper::

    tau_v dv_i/dt  = -v_i  + N_h^(-1/2)    sum_mu xi_imu s_mu        (1a)
    tau_h dh_mu/dt = -h_mu + N_h^(1/2)/N_v sum_i  xi_mui v_i         (1b)
    s_mu = Theta(h_mu - theta_mu)                                    (2, 4)

The sums are Brian2 summed variables computed by the projections; they are
evaluated from the state at time t before any group is updated, so a time
step is one simultaneous (forward Euler) step of the whole system.

Every variant is an argument of this one builder: asymmetric weights
(``xi_back``), per-neuron thresholds (``theta`` as an array), the sigmoid
activation, sparse connectivity (``connection_probability``) and Dale's law
(``dale=True``). Several independent copies of the network can be packed
into the same objects (``n_copies``), which is how many cues are recalled in
one simulation (see `bioam.recall`).
"""

from dataclasses import dataclass, field

import numpy as np
from brian2 import Clock, NeuronGroup, defaultclock, Synapses, TimedArray, linked_var, ms, second
from brian2.units.fundamentalunits import check_units
from brian2.utils.logger import get_logger

from .pieces import get_piece
from .event import build_event_objects, event_unsupported_reason
from .validation import BioamError, check_theta, check_time, check_weights

__all__ = ["AssociativeMemory", "EventMemory", "FORMULATIONS", "SpikingHidden", "build_network", "connection_masks",
           "dale_parameters"]

logger = get_logger(__name__)

#: The formulations of Eq. (1) the builder assembles: the literal dense one and
#: the exact event-driven one (`bioam.event`).
FORMULATIONS = ("dense", "event")

#: Visible neurons, Eq. (1a). ``{baseline}`` is empty, or ``+ baseline`` under Dale's law.
VISIBLE_EQUATIONS = """
dv/dt = (-v{baseline} + I_v / sqrt(N_h)) / tau_v : 1  # Eq. 1a
{inputs}
"""

#: Hidden neurons, Eq. (1b) with the activation s of Eq. (2)/(4) (a hidden piece,
#: `bioam.pieces`; Eq. 32a for Krotov & Hopfield's models).
HIDDEN_EQUATIONS = """
dh/dt = (-h + sqrt(N_h) / N_v * I_h) / tau_h : 1  # Eq. 1b
{inputs}
theta : 1 (constant)  # threshold, one value per neuron (Eq. 2)
{activation}
"""

#: The output of a layer: a subexpression for a local piece; for a non-local one a
#: variable that the layer sets every step from its pool (Brian2's Synapses cannot
#: read a subexpression of linked variables).
LOCAL_OUTPUT = "{variable} = {expression} : 1  # {description}, {name}"
POOLED_OUTPUT = "{variable} : 1  # {description}, {name}: {expression}, set every step"
OUTPUT_DESCRIPTION = {"s": "activation s_mu = f(h_mu) (Eq. 4, Eq. 32a)",
                      "g": "what the hidden neurons sum, g(v_i) (Eq. 32b; v in Eq. 1b)"}

#: A pool variable read by the neurons of a layer (non-local pieces).
LINKED_POOL_VARIABLE = "{name}_pool : 1 (linked)  # the pool's {name}, of this neuron's copy"


def _output_equation(variable, piece):
    """The equation of a layer's output ``variable`` (``s`` or ``g``) for a piece."""
    template = LOCAL_OUTPUT if piece.pool is None else POOLED_OUTPUT
    lines = [template.format(variable=variable, expression=piece.expression,
                             description=OUTPUT_DESCRIPTION[variable], name=piece.name)]
    if piece.pool is not None:
        lines += [LINKED_POOL_VARIABLE.format(name=name) for name in piece.pool.linked]
    return "\n".join(lines)

#: A summed input from one projection.
SINGLE_INPUT = "{name} : 1  # {description} (summed variable)"

#: Under Dale's law a summed input has an excitatory and an inhibitory part.
SPLIT_INPUT = """{name} = {name}_exc + {name}_inh : 1  # {description}
{name}_exc : 1  # from excitatory neurons, weights xi + c >= 0 (summed variable)
{name}_inh : 1  # from the inhibitory pool, weight -c <= 0 (summed variable)"""

#: Inhibitory interneurons of Dale's law: the pooled rate of their inputs,
#: instantaneous (tau_inhibitory = 0) or low-pass filtered.
POOL_EQUATIONS_INSTANTANEOUS = """
r : 1  # rate = sum of the presynaptic rates (summed variable)
"""
POOL_EQUATIONS_FILTERED = """
dr/dt = (-r + I_r) / tau_inhibitory : 1  # rate of the inhibitory pool
I_r : 1  # sum of the presynaptic rates (summed variable)
"""

#: Visible neurons of the spiking variant: the cue is held until ``t_release``;
#: the input from the hidden layer is a synaptic current driven by spikes.
VISIBLE_EQUATIONS_SPIKING = """
dv/dt = int(t >= t_release) * (-v + I_v / sqrt(N_h)) / tau_v : 1  # Eq. 1a, cue held until t_release
dI_v/dt = -I_v / tau_synapse : 1  # synaptic current from hidden spikes (mean: sum_mu xi_imu s_mu)
"""

#: Hidden leaky integrate-and-fire neurons driven by the input h of Eq. 1b;
#: the rheobase is h = theta, so firing realises Theta(h - theta).
HIDDEN_EQUATIONS_SPIKING = """
dh/dt = (-h + sqrt(N_h) / N_v * I_h) / tau_h : 1  # Eq. 1b: input from the visible layer
I_h : 1  # sum over visible neurons of xi_mui * v_i (summed variable)
theta : 1 (constant)  # threshold: rheobase of the neuron (Eq. 2)
du/dt = (clip(1 + gain * (h - theta), 0, inf) - u) / tau_m : 1 (unless refractory)  # membrane, fires at u > 1, floor 0
spike_count : 1  # spikes in the read-out window
s = int(spike_count >= readout_spikes) : 1  # hidden state read from the spike count
"""

#: Spikes of hidden neuron mu add xi_imu / (r_on tau_synapse) to I_v of visible
#: neuron i, so a neuron firing at its on-rate r_on contributes xi_imu on average.
SPIKING_PROJECTION_MODEL = """
w : 1 (constant)  # {weight}
"""
SPIKING_ON_PRE = "I_v_post += w / (r_on * tau_synapse)"

#: Spreads the spike generators' initial phases (i * 0.618... mod 1): no random draw.
GOLDEN_FRACTION = (np.sqrt(5) - 1) / 2

#: Spiking visible neurons (``SpikingHidden(visible_rate=...)``): v of Eq. 1a is the
#: neuron's filtered input (time constant tau_v); a spike generator fires at
#: visible_rate * |v|, an ON cell for v > 0 and an OFF cell (synapses of opposite
#: sign) for v < 0, folded into one neuron. Phases start spread over [0, 1).
VISIBLE_SPIKE_GENERATOR = """
dphase/dt = visible_rate * abs(v) : 1  # spike generator: fires at visible_rate * |v|
"""

#: Hidden input from spiking visible neurons: a synaptic current whose mean is
#: sum_i xi_mui v_i (each spike adds +-xi_mui / (visible_rate tau_visible_synapse)).
HIDDEN_SPIKING_INPUT = "dI_h/dt = -I_h / tau_visible_synapse : 1  # synaptic current from visible spikes"
VISIBLE_SPIKING_ON_PRE = "I_h_post += w * sign(v_pre) / (visible_rate * tau_visible_synapse)"


@dataclass(frozen=True)
class SpikingHidden:
    """
    Parameters of the spiking variant (hidden integrate-and-fire neurons).

    A hidden neuron's membrane ``u`` integrates ``1 + gain * (h - theta)``
    (floored at 0, the reset and reversal level, so that a neuron far below
    threshold is not driven far below rest) with time constant ``tau_m`` and
    fires at ``u > 1`` (reset to 0, refractory
    ``refractory``); it is silent for h <= theta and fires at a rate that
    saturates quickly above theta, at most 1 / refractory. Each spike adds
    ``xi_imu / (r_on * tau_synapse)`` to an exponential synaptic current of the
    visible neurons, so the current's mean is ``xi_imu * rate / r_on`` with
    ``r_on`` the rate at ``h - theta = on_margin``. The cue is held for
    ``cue_hold`` before the visible layer is released; the hidden state is 1
    where a neuron fires at least ``readout_fraction * r_on`` in the last
    ``readout_window`` of the simulation.

    Attributes
    ----------
    tau_m : Quantity
    gain : float
        Slope of the drive per unit of h above theta.
    refractory : Quantity
    tau_synapse : Quantity
    cue_hold : Quantity
    readout_window : Quantity
    readout_fraction : float
    on_margin : float
    initial_membrane : float
        Membrane potential u at the start of a recall (threshold 1): a neuron
        resting close to threshold fires sooner once h crosses theta.
    readout_start : Quantity, optional
        Start of the read-out window: `bioam.RecallSession` and `bioam.recall`
        set it to the duration minus ``readout_window``; `bioam.build_network`
        needs it set (it does not know how long the run will be).
    visible_rate : float
        Spiking visible neurons too where > 0: firing rate in Hz per unit of
        |v|. v of Eq. (1a) (time constant tau_v) is then the neuron's filtered
        input, and a spike generator fires at ``visible_rate * |v|`` (an ON cell
        for v > 0 and an OFF cell with synapses of the opposite sign for v < 0,
        folded into one neuron); each spike adds ``+-xi_mui / (visible_rate *
        tau_visible_synapse)`` to a synaptic current of the hidden neurons, whose
        mean is therefore ``sum_i xi_mui v_i`` (Eq. 1b). 0 (default): rate
        visible neurons.
    tau_visible_synapse : Quantity
        Time constant of that synaptic current.
    """

    tau_m: object = field(default_factory=lambda: 0.1 * ms)
    gain: float = 10000.0
    refractory: object = field(default_factory=lambda: 2 * ms)
    tau_synapse: object = field(default_factory=lambda: 1 * ms)
    cue_hold: object = field(default_factory=lambda: 0 * ms)
    readout_window: object = field(default_factory=lambda: 20 * ms)
    readout_fraction: float = 0.25
    on_margin: float = 0.5
    initial_membrane: float = 0.9
    readout_start: object = None
    visible_rate: float = 0.0
    tau_visible_synapse: object = field(default_factory=lambda: 1 * ms)

    @property
    def on_rate(self):
        """Firing rate r_on at h - theta = on_margin (LIF f-I curve)."""
        drive = 1 + self.gain * self.on_margin
        return 1 / (self.refractory + self.tau_m * np.log(drive / (drive - 1)))

    def readout_spikes(self):
        """Spikes in the read-out window that count as an active neuron."""
        return max(1.0, float(np.round(self.readout_fraction * self.on_rate * self.readout_window)))


#: A projection: ``{target}`` of the postsynaptic group summed over ``w * {source}``.
PROJECTION_MODEL = """
w : 1 (constant)  # {weight}
{target}_post = w * {source}_pre : 1 (summed)
"""


def connection_masks(n_visible, n_hidden, connection_probability=1.0, shared=False, seed=0):
    """
    Which synapses exist under sparse connectivity.

    Parameters
    ----------
    n_visible, n_hidden : int
    connection_probability : float
        Probability p that a synapse is present (0 < p <= 1).
    shared : bool
        If True, visible->hidden and hidden->visible synapses come in pairs
        (the backward mask is the transpose of the forward one); otherwise
        the two directions are drawn independently.
    seed : int

    Returns
    -------
    forward : ndarray of bool, shape (N_v, N_h)
    backward : ndarray of bool, shape (N_h, N_v)
    """
    if not 0 < connection_probability <= 1:
        raise BioamError(
            f"connection_probability must be in (0, 1], got {connection_probability}")
    if connection_probability == 1:
        return np.ones((n_visible, n_hidden), bool), np.ones((n_hidden, n_visible), bool)
    rng = np.random.default_rng([seed, 1])
    forward = rng.random((n_visible, n_hidden)) < connection_probability
    backward = forward.T.copy() if shared else rng.random((n_hidden, n_visible)) < connection_probability
    return forward, backward


def dale_parameters(forward, backward, n_visible, n_hidden, baseline=None):
    """
    The E/I mapping of Dale's law for effective weight matrices.

    Each mixed-sign projection ``sum_j W_jk x_j`` is rewritten as
    ``sum_j (W_jk + c) x_j - c sum_j x_j`` with ``c = max(0, -min W)``: the first
    term is carried by excitatory synapses (weights >= 0), the second by one
    inhibitory interneuron per copy that pools the presynaptic rates (input
    weights 1) and inhibits every target with weight ``-c``. Visible rates
    are shifted by a ``baseline`` b >= 0 so that they are never negative,
    ``rate = v + b``; the constant extra input this gives the hidden neurons,
    ``N_h^(1/2)/N_v * b * sum_i xi_mui``, is moved into their thresholds.

    Parameters
    ----------
    forward : ndarray, shape (N_v, N_h)
    backward : ndarray, shape (N_h, N_v)
    n_visible, n_hidden : int
    baseline : float, optional
        Default: the most negative visible state a fixed point can have,
        ``max(0, -min_i sum_mu min(0, backward_mui) / sqrt(N_h))``.

    Returns
    -------
    dict
        ``c_forward``, ``c_backward``, ``baseline``, ``threshold_shift`` (N_h,).
    """
    if baseline is None:
        baseline = max(0.0, float(-np.min(np.minimum(backward, 0).sum(axis=0)) / np.sqrt(n_hidden)))
    if not np.isfinite(baseline) or baseline < 0:
        raise BioamError(f"baseline must be a rate >= 0, got {baseline}")
    return {
        "c_forward": max(0.0, float(-forward.min())),
        "c_backward": max(0.0, float(-backward.min())),
        "baseline": float(baseline),
        "threshold_shift": np.sqrt(n_hidden) / n_visible * baseline * forward.sum(axis=0),
    }


class AssociativeMemory:
    """
    The Brian2 objects of one (possibly replicated) associative memory.

    Attributes
    ----------
    visible : NeuronGroup
        ``n_copies * N_v`` visible neurons, variable ``v`` (under Dale's law
        ``v`` is the rate, the unconstrained model's v plus ``baseline``).
    hidden : NeuronGroup
        ``n_copies * N_h`` hidden neurons, variables ``h``, ``theta`` and the
        activation ``s``.
    visible_to_hidden, hidden_to_visible : Synapses
        The two projections (excitatory parts under Dale's law), weight ``w``.
    inhibitory : list of NeuronGroup
        The inhibitory pools of Dale's law (empty otherwise).
    inhibitory_synapses : list of Synapses
        Their input and output synapses.
    pools : list of NeuronGroup and Synapses
        The pooling neurons of non-local pieces (softmax, normalisation) and
        the synapses of their summed variables (empty otherwise).
    n_visible, n_hidden, n_copies : int
    parameters : dict
        The parameters the network was built with.
    forward_weights, backward_weights : ndarray
        The effective weights (N_v x N_h and N_h x N_v, zeros where a synapse
        is absent and scaled by 1/p under sparse connectivity) of the
        equivalent unconstrained model.
    """

    def __init__(self, visible, hidden, visible_to_hidden, hidden_to_visible, n_visible,
                 n_hidden, n_copies, parameters, equations, forward_weights,
                 backward_weights, inhibitory=(), inhibitory_synapses=(), pools=()):
        self.visible = visible
        self.hidden = hidden
        self.visible_to_hidden = visible_to_hidden
        self.hidden_to_visible = hidden_to_visible
        self.inhibitory = list(inhibitory)
        self.inhibitory_synapses = list(inhibitory_synapses)
        self.pools = list(pools)
        self.n_visible = n_visible
        self.n_hidden = n_hidden
        self.n_copies = n_copies
        self.parameters = parameters
        self.equations = equations
        self.forward_weights = forward_weights
        self.backward_weights = backward_weights

    @property
    def objects(self):
        """All Brian2 objects, to pass to `Network` or `Network.add`."""
        return ([self.visible, self.hidden, self.visible_to_hidden, self.hidden_to_visible]
                + self.inhibitory + self.inhibitory_synapses + self.pools)

    @property
    def hidden_nonlinearity(self):
        """The hidden piece f (`bioam.pieces`)."""
        return self.parameters["hidden_nonlinearity"]

    @property
    def visible_nonlinearity(self):
        """The visible piece g (`bioam.pieces`)."""
        return self.parameters["visible_nonlinearity"]

    @property
    def baseline(self):
        """Visible baseline rate (0 unless Dale's law)."""
        return self.parameters.get("baseline", 0.0)

    @property
    def threshold_shift(self):
        """Per hidden neuron, how much h (and theta) sit above the unconstrained model's."""
        return self.parameters.get("threshold_shift", np.zeros(self.n_hidden))

    def set_cues(self, cues):
        """
        Set the initial state of Eq. (12): ``v`` = cues, ``h`` = 0.

        Parameters
        ----------
        cues : array-like, shape (n_copies, N_v), or (N_v,) for one copy
            States of the unconstrained model (shifted by the baseline under
            Dale's law).
        """
        cues = self._checked_cues(cues)
        self.check_rates(cues)
        rates = cues + self.baseline
        self.visible.v = rates.ravel()
        self.hidden.h = self.threshold_shift_tiled()
        spiking = self.parameters.get("spiking")
        if spiking:
            self.hidden.u = spiking.initial_membrane
        if "phase" in self.visible.variables:  # spike generators' phases spread over [0, 1)
            self.visible.phase = (np.arange(self.visible.N) * GOLDEN_FRACTION) % 1.0
        if self.inhibitory and "I_r" in self.inhibitory[0].variables:
            # filtered interneurons start at their steady state for h = 0 (s = 0)
            self.inhibitory[0].r = rates.sum(axis=1)
            self.inhibitory[1].r = 0

    def run_args(self, cues, theta):
        """
        Brian2 ``run_args`` that give a built standalone project new cues and thresholds.

        The project must have been built after a `set_cues` (any cues): only
        the values that depend on the cues and on theta are replaced.
        """
        self.check_rates(cues)
        rates = np.asarray(cues, dtype=np.float64) + self.baseline
        run_args = {self.visible.v: rates.ravel(),
                    self.hidden.theta: self.hidden_thresholds(theta)}
        if self.inhibitory and "I_r" in self.inhibitory[0].variables:
            # filtered interneurons start at their steady state for the cue (as in set_cues)
            run_args[self.inhibitory[0].r] = rates.sum(axis=1)
            run_args[self.inhibitory[1].r] = np.zeros(self.n_copies)
        return run_args

    def check_rates(self, cues):
        """Under Dale's law, refuse cues whose rates (cue + baseline) would be negative."""
        cues = np.asarray(cues)
        if self.parameters["dale"] and cues.size and (cues + self.baseline).min() < 0:
            raise BioamError(
                f"under Dale's law visible rates must be >= 0, but a cue reaches "
                f"{cues.min():.3g} with baseline {self.baseline:.3g}; build with "
                f"baseline >= {-cues.min():.3g}"
            )

    def _checked_cues(self, cues):
        """``cues`` as an (n_copies, N_v) float array, or a `BioamError`."""
        cues = np.asarray(cues, dtype=np.float64)
        if cues.ndim == 1 and self.n_copies == 1:
            cues = cues[None, :]
        if cues.shape != (self.n_copies, self.n_visible):
            raise BioamError(
                f"cues must have shape (n_copies, N_v) = ({self.n_copies}, "
                f"{self.n_visible}), got {cues.shape}"
            )
        return cues

    def threshold_shift_tiled(self):
        """`threshold_shift` repeated for every copy."""
        return np.tile(self.threshold_shift, self.n_copies)

    def hidden_thresholds(self, theta):
        """The hidden group's ``theta`` for the unconstrained model's (shifted, every copy)."""
        return np.tile(check_theta(theta, self.n_hidden) + self.threshold_shift, self.n_copies)

    def set_theta(self, theta):
        """Set the thresholds (scalar or N_h values) of the unconstrained model."""
        self.hidden.theta = self.hidden_thresholds(theta)

    def unconstrained_state(self, visible, h):
        """Convert flat ``v`` and ``h`` values to the unconstrained model's v and h."""
        visible = np.asarray(visible).reshape(self.n_copies, self.n_visible) - self.baseline
        h = np.asarray(h).reshape(self.n_copies, self.n_hidden) - self.threshold_shift
        return visible, h

    def __repr__(self):
        return (
            f"AssociativeMemory(N_v={self.n_visible}, N_h={self.n_hidden}, "
            f"n_copies={self.n_copies}, activation={self.parameters['activation']!r}, "
            f"p={self.parameters['connection_probability']}, dale={self.parameters['dale']})"
        )


class EventMemory(AssociativeMemory):
    """
    The Brian2 objects of the event-driven formulation (`bioam.event`).

    The same interface as `AssociativeMemory`; ``visible.v`` is the exact
    visible state (a subexpression), ``hidden`` also has the low-rank input
    ``I``, ``K = J s`` and the stored activation ``s`` (0/1, the activation
    of h at the start of the current time step). The flip pathways are the
    `Synapses` ``coupling`` (hidden -> hidden, weights J) and
    ``hidden_to_visible``.

    Attributes
    ----------
    coupling : Synapses
    coupling_matrix : ndarray, shape (N_h, N_h)
        J = xi^T xi_back^T / N_v of the effective weights (Eq. 6).
    input_weights : ndarray, shape (N_v, N_h)
        N_h^(1/2)/N_v xi of the effective weights: a cue's hidden input is
        I(0) = cue @ input_weights (Eq. 1b).
    cue_array : TimedArray or None
        The cues of a cue sequence, shape (n_cue_periods, n_copies * N_v).
    input_array : TimedArray or None
        Their projections I(0), shape (n_cue_periods, n_copies * N_h).
    cue_clock : Clock or None
        The clock of a cue sequence (one tick per cue).
    """

    def __init__(self, parts, n_visible, n_hidden, n_copies, parameters, forward_weights,
                 backward_weights):
        super().__init__(parts["visible"], parts["hidden"], None, parts["backward"], n_visible,
                         n_hidden, n_copies, parameters, parts["equations"], forward_weights,
                         backward_weights, parts["pools"], parts["pool_synapses"])
        self.coupling = parts["coupling"]
        self._pool_rest = parts["pool_rest"]
        self.coupling_matrix = parts["coupling_matrix"]
        self.input_weights = parts["forward_scaled"]
        self.cue_array = parts.get("cue_array")
        self.input_array = parts.get("input_array")
        self.cue_clock = parts.get("cue_clock")

    @property
    def objects(self):
        """All Brian2 objects, to pass to `Network` or `Network.add`."""
        return ([self.visible, self.hidden, self.coupling, self.hidden_to_visible]
                + self.inhibitory + self.inhibitory_synapses)

    def cue_inputs(self, cues):
        """
        The hidden input at the start of a recall, I(0) = N_h^(1/2)/N_v xi^T v(0).

        Under Dale's law it includes the input of the baseline rates (``h_rest``).

        Parameters
        ----------
        cues : ndarray, shape (..., N_v)
            States of the unconstrained model.
        """
        return np.asarray(cues) @ self.input_weights + self.threshold_shift

    def run_args(self, cues, theta):
        self.check_rates(cues)
        return {self.visible.a: np.asarray(cues, dtype=np.float64).ravel(),
                self.hidden.I: self.cue_inputs(cues).ravel(),
                self.hidden.theta: self.hidden_thresholds(theta)}

    run_args.__doc__ = AssociativeMemory.run_args.__doc__

    def set_cues(self, cues):
        """
        Set the initial state of Eq. (12): ``v`` = cues, ``h`` = 0, s = 0.

        The low-rank input starts at its value for v(0),
        ``I = N_h^(1/2)/N_v xi^T v(0)``; ``t_cue`` is the current time, so a
        new cue can be set after a run.

        Parameters
        ----------
        cues : array-like, shape (n_copies, N_v), or (N_v,) for one copy
        """
        if self.cue_array is not None:
            raise BioamError(
                "this memory recalls a cue sequence from memory.cue_array; build it "
                "without cue_period to set cues directly")
        cues = self._checked_cues(cues)
        if not np.all(np.isfinite(cues)):
            raise BioamError("cues contain NaN or infinite values; give finite numbers")
        self.check_rates(cues)
        self.visible.a = cues.ravel()  # v = u + a (+ baseline) at t = t_cue
        self.visible.u = 0
        self.visible.t_cue = "t"
        self.hidden.t_cue = "t"
        self.hidden.I = self.cue_inputs(cues).ravel()
        self.hidden.h = self.threshold_shift_tiled()
        self.hidden.K = self.threshold_shift_tiled()
        self.hidden.s = 0
        for pool, rate in zip(self.inhibitory, self._pool_rest):  # the pooled rates at s = 0
            pool.r = rate
            pool.r_sent = rate

    def __repr__(self):
        return super().__repr__().replace("AssociativeMemory(", "EventMemory(", 1)


def block_indices(n_pre, n_post, n_copies, mask=None):
    """
    Pre- and postsynaptic indices of ``n_copies`` disjoint blocks.

    Without a mask the blocks are dense, and synapse ``(b * n_pre + k) * n_post
    + m`` connects neuron ``k`` of block ``b`` of the source to neuron ``m`` of
    block ``b`` of the target, the order in which Brian2 creates the synapses
    of the generator ``j = 'm + (i // n_pre) * n_post for m in range(n_post)'``.
    With a mask (n_pre x n_post, bool) only its True entries are connected, in
    the same order.
    """
    if mask is None:
        mask = np.ones((n_pre, n_post), bool)
    pre_local, post_local = np.nonzero(mask)
    offsets = np.arange(n_copies, dtype=np.int64)[:, None]
    pre = (offsets * n_pre + pre_local[None, :]).ravel().astype(np.int32)
    post = (offsets * n_post + post_local[None, :]).ravel().astype(np.int32)
    return pre, post


def _project(source, target, model, weights, n_copies, standalone, name, namespace,
             clock_kwds, mask=None, on_pre=None, weight_shape=None, extra_namespace=None,
             **synapse_kwds):
    """
    Synapses from ``source`` to ``target`` with per-copy ``weights`` (n_pre x n_post).

    With ``weights=None`` the model defines ``w`` itself and only the
    connectivity of ``weight_shape`` blocks is made.
    """
    n_pre, n_post = weights.shape if weights is not None else weight_shape
    if extra_namespace:
        namespace = {**namespace, **extra_namespace}
    synapses = Synapses(source, target, model, on_pre=on_pre, namespace=namespace, name=name,
                        **clock_kwds, **synapse_kwds)
    if weights is None:
        if mask is None and standalone:
            synapses.connect(j=f"m + (i // {n_pre}) * {n_post} for m in range({n_post})")
        else:
            pre, post = block_indices(n_pre, n_post, n_copies, mask)
            synapses.connect(i=pre, j=post)
        return synapses
    if mask is None and standalone:
        # generated code; no index arrays stored in the project, and one copy of the
        # weights (a table read by the generated code) whatever the number of copies
        synapses.connect(j=f"m + (i // {n_pre}) * {n_post} for m in range({n_post})")
        table = TimedArray(weights.ravel()[None, :], dt=1 * second, name=f"{name}_weights")
        synapses.namespace[table.name] = table
        synapses.w = f"{table.name}(0*second, (i % {n_pre}) * {n_post} + (j % {n_post}))"
    else:
        pre, post = block_indices(n_pre, n_post, n_copies, mask)
        synapses.connect(i=pre, j=post)
        kept = weights.ravel() if mask is None else weights[mask]
        synapses.w = np.tile(kept, n_copies)
    return synapses


def _input_equations(name, description, split):
    template = SPLIT_INPUT if split else SINGLE_INPUT
    return template.format(name=name, description=description)


@check_units(tau_v=ms, tau_h=ms, tau_inhibitory=ms)
def build_network(xi, *, xi_back=None, theta=0.5, tau_v=20 * ms, tau_h=1 * ms,
                  activation="step", steepness=20.0, n_copies=1, method=None,
                  dt=None, name="bioam", connection_probability=1.0,
                  shared_connectivity=False, connectivity_seed=0, dale=False,
                  baseline=None, tau_inhibitory=0 * ms, spiking=None, formulation="dense",
                  cue_period=None, n_cue_periods=None, visible_nonlinearity="identity"):
    """
    Build the associative memory of Eq. (1) as Brian2 objects.

    Parameters
    ----------
    xi : array-like, shape (N_v, N_h)
        Weights xi_imu (Eq. 3 for random weights; learned weights otherwise).
        Used for both projections unless ``xi_back`` is given.
    xi_back : array-like, shape (N_h, N_v), optional
        Separate hidden -> visible weights (asymmetric network, Appendix E).
    theta : float or array-like of shape (N_h,)
        Threshold(s); one value per hidden neuron gives heterogeneous
        thresholds. Default 0.5, the optimum of Section 2.1.
    tau_v, tau_h : Quantity
        Time constants; the paper uses ``tau_v = 20 tau_h`` (Figure 1).
    activation : str or piece
        The hidden nonlinearity f (a hidden piece of `bioam.pieces`): 'step'
        (Eq. 2), 'sigmoid' (Appendix F), 'power:n=5', 'softmax:beta=1', ...
    steepness : float
        Slope of the sigmoid activation, unless the spec sets it.
    n_copies : int
        Number of independent copies packed into the objects (block-diagonal
        connectivity), one per cue recalled in parallel.
    method : str, optional
        Brian2 integration method. Dense formulation: 'euler' (default)
        matches `bioam.reference` with ``integrator='euler'``. Event
        formulation: 'exact' (the only choice).
    dt : Quantity, optional
        Time step of the objects' clock (default: the global ``defaultclock``).
    name : str
        Prefix of the objects' names.
    connection_probability : float
        Sparse connectivity: each synapse is present with probability p and
        present weights are scaled by 1/p, which keeps the expected input
        unchanged. 1 (default) is the dense network.
    shared_connectivity : bool
        Draw the two directions' synapses as reciprocal pairs (True) or
        independently (False).
    connectivity_seed : int
        Seed of the connectivity draw.
    dale : bool
        Dale's law: every neuron's outgoing weights have one sign and every
        rate is >= 0 (see `dale_parameters` for the exact mapping).
    baseline : float, optional
        Under Dale's law, the visible baseline rate (see `dale_parameters`).
    tau_inhibitory : Quantity
        Under Dale's law, the time constant of the inhibitory interneurons;
        0 ms (default) makes them instantaneous, and the network then
        reproduces the unconstrained model exactly.
    spiking : SpikingHidden or bool, optional
        Hidden neurons as leaky integrate-and-fire neurons (see `SpikingHidden`);
        True takes the default parameters.
    formulation : {'dense', 'event'}
        'dense' (default): Eq. (1) literally, two N_v x N_h projections with
        summed variables, recomputed every step. 'event': the exact,
        event-driven low-rank formulation of `bioam.event` (step activation;
        asymmetric weights, per-neuron thresholds and sparse connectivity).
    visible_nonlinearity : str or piece
        What the hidden neurons sum, g(v) (a visible piece of `bioam.pieces`):
        'identity' (Eq. 1b, default), 'sign', 'normalised' (Eq. 32b).
    cue_period : Quantity, optional
        Event formulation only: recall a sequence of cues in each copy, one
        every ``cue_period``, from ``memory.cue_array`` (see `bioam.event`).
    n_cue_periods : int, optional
        Number of cues per copy in a sequence.

    Returns
    -------
    AssociativeMemory

    Examples
    --------
    >>> import numpy as np
    >>> from brian2 import Network, StateMonitor, ms
    >>> from bioam import build_network
    >>> xi = np.random.default_rng(0).standard_normal((200, 2))
    >>> memory = build_network(xi, tau_v=20*ms, tau_h=1*ms)
    >>> memory.set_cues(xi @ [1, 0] / np.sqrt(2))  # target s = (1, 0), Eq. 12
    >>> net = Network(memory.objects)
    >>> net.run(50*ms)
    >>> memory.hidden.s[:]
    array([1, 0], dtype=int32)

    The same network in the exact, event-driven formulation:

    >>> memory = build_network(xi, tau_v=20*ms, tau_h=1*ms, formulation='event')
    >>> memory.set_cues(xi @ [1, 0] / np.sqrt(2))
    >>> Network(memory.objects).run(50*ms)
    >>> memory.hidden.s[:]
    array([1, 0], dtype=int32)
    """
    xi, xi_back = check_weights(xi, xi_back)
    n_visible, n_hidden = xi.shape
    theta = check_theta(theta, n_hidden)
    check_time("tau_v", tau_v)
    check_time("tau_h", tau_h)
    act = get_piece("hidden", activation, steepness=steepness)
    visible_output = get_piece("visible", visible_nonlinearity)
    if int(n_copies) != n_copies or n_copies < 1:
        raise BioamError(f"n_copies must be a positive integer, got {n_copies}")
    n_copies = int(n_copies)
    if float(tau_inhibitory) < 0:
        raise BioamError(f"tau_inhibitory must be >= 0, got {tau_inhibitory}")

    if spiking is True:
        spiking = SpikingHidden()
    if spiking:
        if dale:
            raise BioamError("Dale's law and spiking neurons cannot be combined yet; use one")
        if act.name != "step" or visible_output.name != "identity":
            raise BioamError("spiking hidden neurons realise the step activation of Eq. 1; "
                             "leave activation='step' and visible_nonlinearity='identity'")
        step = dt if dt is not None else defaultclock.dt
        if float(step) > float(spiking.tau_m):
            raise BioamError(
                f"the spiking membrane (tau_m = {spiking.tau_m}) needs dt <= tau_m for its "
                f"Euler step, got dt = {step}; use a smaller dt or a larger spiking tau_m")
        if spiking.visible_rate < 0 or not np.isfinite(spiking.visible_rate):
            raise BioamError(f"spiking visible_rate must be a rate >= 0 (Hz per unit of v), "
                             f"got {spiking.visible_rate}")
        if spiking.readout_start is None:
            raise BioamError(
                "the spiking read-out window has no start: build with SpikingHidden("
                "readout_start=duration - readout_window) for the documented window (the "
                "last readout_window of the run); RecallSession and recall set it from "
                "their duration")
    forward_mask, backward_mask = connection_masks(
        n_visible, n_hidden, connection_probability, shared_connectivity, connectivity_seed)
    sparse = connection_probability < 1
    if sparse and dale:
        raise BioamError(
            "Dale's law with sparse connectivity is not supported: pooled inhibition "
            "assumes dense projections; use one of the two")
    if dale and visible_output.name != "identity":
        raise BioamError(
            "Dale's law pools the visible rates, so the hidden neurons must sum them: "
            "leave visible_nonlinearity='identity' with dale=True")
    forward = xi * forward_mask / connection_probability
    backward = xi_back * backward_mask / connection_probability

    if formulation not in FORMULATIONS:
        raise BioamError(f"unknown formulation {formulation!r}; choose one of "
                         f"{', '.join(FORMULATIONS)}")
    if formulation == "event":
        reason = event_unsupported_reason(act, dale, spiking, tau_inhibitory, visible_output)
        if reason:
            raise BioamError(f"formulation 'event' cannot build this network: {reason}; "
                             "use formulation='dense'")
    elif cue_period is not None:
        raise BioamError("cue_period is an option of formulation='event'")
    if method is None:
        method = "exact" if formulation == "event" else "euler"

    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import get_device

    standalone = isinstance(get_device(), CPPStandaloneDevice)
    namespace = {
        "N_v": n_visible,
        "N_h": n_hidden,
        "tau_v": tau_v,
        "tau_h": tau_h,
        **act.namespace(),
        **visible_output.namespace(),
    }
    parameters = {
        "n_visible": n_visible,
        "n_hidden": n_hidden,
        "theta": theta,
        "tau_v": tau_v,
        "tau_h": tau_h,
        "activation": act.name,
        "steepness": float(getattr(act, "steepness", steepness)),
        "hidden_nonlinearity": act,
        "visible_nonlinearity": visible_output,
        "asymmetric": not np.array_equal(xi_back, xi.T),
        "method": method,
        "connection_probability": float(connection_probability),
        "shared_connectivity": bool(shared_connectivity),
        "connectivity_seed": connectivity_seed,
        "dale": bool(dale),
        "spiking": spiking or None,
    }
    if dale:
        parameters.update(dale_parameters(forward, backward, n_visible, n_hidden, baseline))
        parameters["tau_inhibitory"] = tau_inhibitory
        namespace["baseline"] = parameters["baseline"]
        namespace["tau_inhibitory"] = tau_inhibitory

    if spiking:
        namespace.update(gain=float(spiking.gain), tau_m=spiking.tau_m,
                         tau_synapse=spiking.tau_synapse, r_on=spiking.on_rate,
                         t_release=spiking.cue_hold, readout_start=spiking.readout_start,
                         readout_spikes=spiking.readout_spikes(),
                         visible_rate=spiking.visible_rate / second,
                         tau_visible_synapse=spiking.tau_visible_synapse)
    # a named clock: automatic names ('_clock_1', ...) would make the generated code,
    # and so the compiled-project cache key, depend on what else the process created
    clock_kwds = {} if dt is None else {"clock": Clock(dt, name=f"{name}_clock")}
    parameters["formulation"] = formulation
    if formulation == "event":
        def project(source, target, model, weights, object_name, mask=None, **kwds):
            return _project(source, target, model, weights, n_copies, standalone,
                            object_name, namespace, clock_kwds, mask, **kwds)

        parts = build_event_objects(
            forward, backward, theta=theta, tau_v=tau_v, tau_h=tau_h, n_copies=n_copies,
            method=method, namespace=namespace, name=name, clock_kwds=clock_kwds,
            project=project, backward_mask=backward_mask if sparse else None, cue_period=cue_period,
            n_cue_periods=n_cue_periods, dale=parameters if dale else None)
        memory = EventMemory(parts, n_visible, n_hidden, n_copies, parameters, forward,
                             backward)
        memory.set_theta(theta)
        return memory
    equations = {
        "visible": VISIBLE_EQUATIONS.format(
            baseline=" + baseline" if dale else "",
            inputs=_input_equations("I_v", "sum over hidden neurons of xi_imu * s_mu", dale),
        ).strip(),
        "hidden": HIDDEN_EQUATIONS.format(
            activation=_output_equation("s", act),
            inputs=_input_equations("I_h", "sum over visible neurons of xi_mui * g(v_i)", dale),
        ).strip(),
    }
    spike_kwds, visible_spike_kwds = {}, {}
    spiking_visible = bool(spiking) and spiking.visible_rate > 0
    if spiking:
        equations["visible"] = VISIBLE_EQUATIONS_SPIKING.strip()
        equations["hidden"] = HIDDEN_EQUATIONS_SPIKING.strip()
        spike_kwds = dict(threshold="u > 1",
                          reset="u = 0\nspike_count += int(t >= readout_start)",
                          refractory=spiking.refractory)
    if spiking_visible:
        equations["visible"] += "\n" + VISIBLE_SPIKE_GENERATOR.strip()
        equations["hidden"] = equations["hidden"].replace(
            "I_h : 1  # sum over visible neurons of xi_mui * v_i (summed variable)",
            HIDDEN_SPIKING_INPUT)
        visible_spike_kwds = dict(threshold="phase > 1", reset="phase -= 1")
    equations["visible"] += "\n" + _output_equation("g", visible_output)
    visible = NeuronGroup(n_copies * n_visible, equations["visible"], method=method,
                          namespace=namespace, name=f"{name}_visible", **visible_spike_kwds,
                          **clock_kwds)
    hidden = NeuronGroup(n_copies * n_hidden, equations["hidden"], method=method,
                         namespace=namespace, name=f"{name}_hidden", **spike_kwds,
                         **clock_kwds)

    # the pooling neurons of non-local pieces: one per copy, filled by a summed variable
    # (before the projections: Synapses take their pre- and postsynaptic variables,
    # the linked ones too, when they are created)
    piece_pools = []
    for layer, piece, output in ((hidden, act, "s"), (visible, visible_output, "g")):
        if piece.pool is None:
            continue
        pool_name = f"{name}_{piece.name}_pool"
        pool = NeuronGroup(n_copies, piece.pool.equations.strip(), namespace=namespace,
                           name=pool_name, order=-10, **clock_kwds)
        n_per_copy = layer.N // n_copies
        summed = f"{piece.pool.summed}_post = {piece.pool.summand} : 1 (summed)"
        piece_pools += [pool, _project(layer, pool, summed, None, n_copies, standalone,
                                       f"{pool_name}_input", namespace, clock_kwds,
                                       weight_shape=(n_per_copy, 1))]
        copy_of_neuron = np.repeat(np.arange(n_copies), n_per_copy)
        for variable in piece.pool.linked:
            setattr(layer, f"{variable}_pool", linked_var(pool, variable, index=copy_of_neuron))
        # the output, from the pool's sum of this step and before the projections' sums
        layer.run_regularly(f"{output} = {piece.expression}", when="groups", order=-5,
                            name=f"{layer.name}_{output}_from_pool")
        if piece.pool.end_of_step:
            pool.run_regularly(piece.pool.end_of_step, when="end", name=f"{pool_name}_update")
        equations[f"{piece.name}_pool"] = (piece.pool.equations.strip()
                                           + f"\nsummed: {summed}")

    suffix = "_exc" if dale else ""
    c_forward = parameters.get("c_forward", 0.0)
    c_backward = parameters.get("c_backward", 0.0)
    projections = {
        "visible_to_hidden": (visible, hidden, "I_h" + suffix, "g", forward + c_forward,
                              None if not sparse else forward_mask,
                              "xi_mui (+ c under Dale's law)"),
        "hidden_to_visible": (hidden, visible, "I_v" + suffix, "s", backward + c_backward,
                              None if not sparse else backward_mask,
                              "xi_imu, or the backward matrix (+ c under Dale's law)"),
    }
    synapses = {}
    for key, (source, target, target_var, source_var, weights, mask, weight_doc) in projections.items():
        on_pre = None
        model = PROJECTION_MODEL.format(target=target_var, source=source_var, weight=weight_doc)
        if spiking and key == "hidden_to_visible":
            model, on_pre = SPIKING_PROJECTION_MODEL.format(weight=weight_doc), SPIKING_ON_PRE
        if spiking_visible and key == "visible_to_hidden":
            model = SPIKING_PROJECTION_MODEL.format(weight=weight_doc)
            on_pre = VISIBLE_SPIKING_ON_PRE
        equations[key] = model.strip() + (f"\non_pre: {on_pre}" if on_pre else "")
        synapses[key] = _project(source, target, model, weights, n_copies, standalone,
                                 f"{name}_{key}", namespace, clock_kwds, mask, on_pre)

    pools, pool_synapses = [], []
    if dale:
        filtered = float(tau_inhibitory) > 0
        pool_model = POOL_EQUATIONS_FILTERED if filtered else POOL_EQUATIONS_INSTANTANEOUS
        pooled_var = "I_r" if filtered else "r"
        equations["inhibitory"] = pool_model.strip()
        for key, (source, target, target_var, source_var, _, _, _) in projections.items():
            # one inhibitory neuron per copy pools the source's rates (weights 1) ...
            pool = NeuronGroup(n_copies, pool_model, method=method, namespace=namespace,
                               name=f"{name}_inhibitory_{key}", order=-10, **clock_kwds)
            n_source = source.N // n_copies
            n_target = target.N // n_copies
            rates = "v" if source is visible else "s"
            to_pool = PROJECTION_MODEL.format(target=pooled_var, source=rates,
                                              weight="1, excitatory input to the pool")
            from_pool = PROJECTION_MODEL.format(target=target_var.replace("_exc", "_inh"),
                                                source="r", weight="-c, inhibitory")
            c = c_forward if key == "visible_to_hidden" else c_backward
            equations[f"{key}_to_inhibitory"] = to_pool.strip()
            equations[f"inhibitory_to_{key.split('_to_')[1]}"] = from_pool.strip()
            pool_synapses.append(_project(source, pool, to_pool, np.ones((n_source, 1)),
                                          n_copies, standalone, f"{name}_{key}_to_pool",
                                          namespace, clock_kwds))
            pool_synapses.append(_project(pool, target, from_pool, np.full((1, n_target), -c),
                                          n_copies, standalone, f"{name}_pool_{key}",
                                          namespace, clock_kwds))
            pools.append(pool)

    memory = AssociativeMemory(visible, hidden, synapses["visible_to_hidden"],
                               synapses["hidden_to_visible"], n_visible, n_hidden, n_copies,
                               parameters, equations, forward, backward, pools, pool_synapses,
                               piece_pools)
    memory.set_theta(theta)
    return memory
