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

Every variant is a registered piece (`bioam.pieces`) that this one builder
assembles by calling its hooks: the nonlinearity and the neuron model of each
layer (rate or spiking) and connectivity constraints (sparse synapses, Dale's
law); asymmetric weights (``xi_back``) and per-neuron thresholds (``theta`` as
an array) are arguments. Several independent copies of the network can be packed
into the same objects (``n_copies``), which is how many cues are recalled in
one simulation (see `bioam.recall`).
"""

import numpy as np
from brian2 import Clock, NeuronGroup, defaultclock, Synapses, TimedArray, linked_var, ms, second
from brian2.core.base import BrianObject
from brian2.utils.logger import get_logger

from .pieces.base import output_equation
from .pieces.assembly import assemble
from .pieces.dale import dale_parameters
from .pieces.lif import SpikingHidden
from .pieces.sparse import connection_masks
from .event import build_event_objects
from .validation import BioamError, check_memory, check_theta, check_time, check_weights

__all__ = ["AssociativeMemory", "EventMemory", "FORMULATIONS", "SpikingHidden", "build_network",
           "connection_masks", "dale_parameters"]

logger = get_logger(__name__)

#: The formulations of Eq. (1) the builder assembles: the literal dense one and
#: the exact event-driven one (`bioam.event`).
FORMULATIONS = ("dense", "event")

#: Visible neurons, Eq. (1a). The slots are empty unless a piece fills them
#: (``visible_rest``: ``+ baseline`` under Dale's law; ``visible_gate``: the cue hold of
#: spiking hidden neurons); ``{inputs}`` is the input from the hidden layer, ``{neuron}``
#: what the visible neuron model adds, ``{output}`` g(v); ``{external}`` and
#: ``{external_variables}`` the external input of `EXTERNAL_TERM` (empty unless asked for).
VISIBLE_EQUATIONS = """
dv/dt = {visible_gate}(-v{visible_rest} + I_v / sqrt(N_h){external}) / tau_v : 1  # Eq. 1a
{inputs}
{external_variables}
{neuron}
{output}
"""

#: Hidden neurons, Eq. (1b); ``{neuron}`` is what the hidden neuron model adds: for
#: rate neurons the activation s of Eq. (2)/(4) (a hidden piece, `bioam.pieces`;
#: Eq. 32a for Krotov & Hopfield's models); ``{external}`` and ``{external_variables}``
#: as for the visible neurons.
HIDDEN_EQUATIONS = """
dh/dt = (-h + sqrt(N_h) / N_v * I_h{external}) / tau_h : 1  # Eq. 1b
{inputs}
{external_variables}
theta : 1 (constant)  # threshold, one value per neuron (Eq. 2)
{neuron}
"""

#: The layers that can take an external input (``build_network(external_input=...)``).
EXTERNAL_LAYERS = ("visible", "hidden")

#: What an external input adds inside the bracket of Eq. 1a / 1b:
#: ``tau_v dv/dt = -v + N_h^(-1/2) xi s + I_ext + I_syn`` (and the same for h). Both
#: are in the units of the layer's own state (an input held at I makes the layer relax
#: towards it, as the memory's own input does).
EXTERNAL_TERM = " + I_ext + I_syn"

#: The external input's variables: ``I_ext`` for the user's summed variables,
#: ``run_regularly`` code or assignments; ``I_syn`` for spikes (``on_pre``), decaying
#: with ``tau_ext`` (the builder's ``tau_external``).
EXTERNAL_VARIABLES = """
I_ext : 1  # external input (+ I_ext in Eq. {equation}): summed variable, run_regularly, value
dI_syn/dt = -I_syn / tau_ext : 1  # external spike input (+ I_syn in Eq. {equation}): on_pre adds
"""

#: What each projection's synapses carry.
WEIGHT_DESCRIPTION = {"visible_to_hidden": "xi_mui (+ c under Dale's law)",
                      "hidden_to_visible": "xi_imu, or the backward matrix (+ c under Dale's law)"}


class AssociativeMemory(BrianObject):
    """
    The Brian2 objects of one (possibly replicated) associative memory.

    A container Brian2 object: ``Network(memory)``, ``net.add(memory)`` and
    Brian2's own ``run()`` (which collects it from the caller's namespace)
    simulate all of its objects; ``memory.objects`` lists them.

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
    external_input : tuple of str
        The layers ('visible', 'hidden') whose equations have the external
        input ``+ I_ext + I_syn`` that the user's own objects drive (see
        `build_network`); empty by default.
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
                 backward_weights, inhibitory=(), inhibitory_synapses=(), pools=(),
                 constraint_objects=None):
        self.visible = visible
        self.hidden = hidden
        self.visible_to_hidden = visible_to_hidden
        self.hidden_to_visible = hidden_to_visible
        self.inhibitory = list(inhibitory)
        self.inhibitory_synapses = list(inhibitory_synapses)
        self.pools = list(pools)
        self._further_objects = self.inhibitory + self.inhibitory_synapses
        # the constraints' objects, each list also an attribute (Dale's law: inhibitory, ...)
        for attribute, objects in (constraint_objects or {}).items():
            setattr(self, attribute, list(objects))
            self._further_objects += list(objects)
        self.n_visible = n_visible
        self.n_hidden = n_hidden
        self.n_copies = n_copies
        self.parameters = parameters
        self.equations = equations
        self.forward_weights = forward_weights
        self.backward_weights = backward_weights
        # a container Brian2 object: Brian2's run() and Network(memory) take its objects
        name = visible.name[:-len("_visible")] if visible.name.endswith("_visible") else "bioam"
        BrianObject.__init__(self, clock=visible.clock, when="start", name=f"{name}_memory")
        self.contained_objects.extend(self.objects)

    #: Brian2's ``run()`` collects a memory from the caller's namespace, with its objects.
    add_to_magic_network = True

    def __del__(self):
        # a container that users often leave out of their Network (passing .objects
        # instead) is no unused object: no warning when it is collected
        pass

    @property
    def objects(self):
        """All Brian2 objects, to pass to `Network` or `Network.add`."""
        return ([self.visible, self.hidden, self.visible_to_hidden, self.hidden_to_visible]
                + self._further_objects + self.pools)

    @property
    def hidden_nonlinearity(self):
        """The hidden piece f (`bioam.pieces`)."""
        return self.parameters["hidden_nonlinearity"]

    @property
    def visible_nonlinearity(self):
        """The visible piece g (`bioam.pieces`)."""
        return self.parameters["visible_nonlinearity"]

    @property
    def external_input(self):
        """The layers with the external input ``+ I_ext + I_syn`` (see `build_network`)."""
        return self.parameters.get("external_input", ())

    @property
    def baseline(self):
        """Visible baseline rate (0 unless Dale's law)."""
        return self.parameters.get("baseline", 0.0)

    @property
    def threshold_shift(self):
        """Per hidden neuron, how much h (and theta) sit above the unconstrained model's."""
        return self.parameters.get("threshold_shift", np.zeros(self.n_hidden))

    @property
    def pieces(self):
        """The network's pieces (`bioam.pieces.Assembly`)."""
        return self.parameters["pieces"]

    def set_cues(self, cues):
        """
        Set the initial state of Eq. (12): ``v`` = cues, ``h`` = 0.

        Each piece then sets its own variables (a spiking membrane, the
        phases of spike generators, filtered inhibitory pools).

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
        for group, variable, values in self._piece_state(rates):
            setattr(group, variable, values)

    def _piece_state(self, rates):
        """``[(group, variable, values)]`` that the pieces set at a cue."""
        pieces = self.pieces
        state = [(layer, variable, values)
                 for layer, neuron in ((self.hidden, pieces.hidden_neuron),
                                       (self.visible, pieces.visible_neuron))
                 for variable, values in neuron.initial_state(layer.N).items()]
        for constraint in pieces.constraints:
            state += constraint.initial_state(self, rates)
        return state

    def run_args(self, cues, theta):
        """
        Brian2 ``run_args`` that give a built standalone project new cues and thresholds.

        The project must have been built after a `set_cues` (any cues): the
        values that depend on the cues and on theta are replaced, and so is
        every variable a piece sets at a cue (as `set_cues` does).
        """
        self.check_rates(cues)
        rates = np.asarray(cues, dtype=np.float64) + self.baseline
        run_args = {self.visible.v: rates.ravel(),
                    self.hidden.theta: self.hidden_thresholds(theta)}
        for group, variable, values in self._piece_state(rates):
            run_args[getattr(group, variable)] = np.broadcast_to(
                np.asarray(values, dtype=np.float64).ravel(), (group.N,)).copy()
        return run_args

    def check_rates(self, cues):
        """Refuse cues that a constraint cannot take (under Dale's law, negative rates)."""
        for constraint in self.pieces.constraints:
            constraint.check_cues(self, cues)

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
        return (f"AssociativeMemory(N_v={self.n_visible}, N_h={self.n_hidden}, "
                f"n_copies={self.n_copies}, {self.pieces})")


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
        self.coupling = parts["coupling"]
        self._pool_rest = parts["pool_rest"]
        self.coupling_matrix = parts["coupling_matrix"]
        self.input_weights = parts["forward_scaled"]
        self.cue_array = parts.get("cue_array")
        self.input_array = parts.get("input_array")
        self.cue_clock = parts.get("cue_clock")
        super().__init__(parts["visible"], parts["hidden"], None, parts["backward"], n_visible,
                         n_hidden, n_copies, parameters, parts["equations"], forward_weights,
                         backward_weights, parts["pools"], parts["pool_synapses"])

    @property
    def objects(self):
        """All Brian2 objects, to pass to `Network` or `Network.add`."""
        return ([self.visible, self.hidden, self.coupling, self.hidden_to_visible]
                + self._further_objects)

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


def build_network(xi, *, xi_back=None, theta=0.5, tau_v=20 * ms, tau_h=1 * ms,
                  activation="step", steepness=20.0, n_copies=1, method=None,
                  dt=None, name=None, connection_probability=1.0,
                  shared_connectivity=False, connectivity_seed=0, dale=False,
                  baseline=None, tau_inhibitory=0 * ms, spiking=None, formulation="dense",
                  cue_period=None, n_cue_periods=None, visible_nonlinearity="identity",
                  hidden_neuron="rate", visible_neuron="rate", constraints=(),
                  external_input=(), tau_external=5 * ms):
    """
    Build the associative memory of Eq. (1) as Brian2 objects.

    The network is assembled from registered pieces (`bioam.pieces`): the
    nonlinearity and neuron model of each layer, and connectivity
    constraints. ``spiking``, ``dale`` and ``connection_probability`` are
    shorthands for the neuron models and constraints they name.

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
    name : str, optional
        Prefix of the objects' names (``NAME_visible``, ``NAME_hidden``, ...).
        By default 'bioam', or 'bioam_1', 'bioam_2', ... when a memory of that
        name exists, so that two memories can run in one `Network`.
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
    formulation : {'dense', 'event', 'auto'}
        'dense' (default): Eq. (1) literally, two N_v x N_h projections with
        summed variables, recomputed every step. 'event': the exact,
        event-driven low-rank formulation of `bioam.event` (step activation;
        asymmetric weights, per-neuron thresholds and sparse connectivity).
        'auto': 'event' wherever it is exact, else 'dense' (the reason is
        logged at INFO level by Brian2's logger).
    visible_nonlinearity : str or piece
        What the hidden neurons sum, g(v) (a visible piece of `bioam.pieces`):
        'identity' (Eq. 1b, default), 'sign', 'normalised' (Eq. 32b).
    hidden_neuron, visible_neuron : str or piece
        Neuron model of each layer (`bioam.pieces`): 'rate' (Eq. 1, default),
        'lif' (hidden integrate-and-fire neurons), 'spiking' (visible spike
        generators).
    constraints : sequence of str or piece
        Connectivity constraints (`bioam.pieces`): 'sparse:p=0.5', 'dale', ...
    cue_period : Quantity, optional
        Event formulation only: recall a sequence of cues in each copy, one
        every ``cue_period``, from ``memory.cue_array`` (see `bioam.event`).
    n_cue_periods : int, optional
        Number of cues per copy in a sequence.
    external_input : bool, str or sequence of str
        Layers that take an input from the user's own Brian2 objects:
        'visible', 'hidden', both (True) or none (default). Each such layer
        gains two variables inside the bracket of its equation,
        ``tau_v dv/dt = -v + N_h^(-1/2) sum_mu xi_imu s_mu + I_ext + I_syn``
        (Eq. 1a; the same terms in Eq. 1b for h), in the units of the layer's
        state: ``I_ext`` (0 unless set) is held between writes, for a user's
        summed variable (``I_ext_post = ... : 1 (summed)``, one `Synapses` per
        layer, as Brian2 allows), ``run_regularly`` code (a `TimedArray`) or an
        assignment; ``I_syn`` decays with ``tau_external`` and is what a user's
        ``on_pre`` adds to (any number of `Synapses`). The input moves v (or h)
        outside the event formulation's closed form, so external input needs the
        dense formulation: 'auto' chooses it, 'event' is refused.
    tau_external : Quantity
        Time constant of ``I_syn`` (default 5 ms): a spike adding ``w`` to
        ``I_syn`` adds ``w * tau_external`` to the time integral of the input.

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
    check_time("tau_inhibitory", tau_inhibitory, allow_zero=True)
    check_time("tau_external", tau_external)
    if dt is not None:
        check_time("dt", dt)
    if name is None:
        name = _unique_prefix("bioam")
    if not isinstance(name, str) or not name.isidentifier():
        raise BioamError(f"name must be a word of letters, digits and underscores that Brian2 "
                         f"can prefix its objects' names with, got {name!r}")
    if isinstance(n_copies, bool) or not isinstance(n_copies, (int, np.integer)) \
            or n_copies < 1:
        raise BioamError(f"n_copies must be a positive integer, got {n_copies!r}")
    n_copies = int(n_copies)
    # Brian2 keeps each synapse's weight, indices and bookkeeping: some 40 bytes
    check_memory(f"{n_copies} copies of the network ({n_visible} x {n_hidden} synapses each way)",
                 40.0 * 2 * n_copies * n_visible * n_hidden, "build fewer copies (n_copies)")
    model = assemble(activation, visible_nonlinearity, hidden_neuron, visible_neuron,
                     constraints, steepness, spiking=spiking, dale=dale, baseline=baseline,
                     tau_inhibitory=tau_inhibitory, connection_probability=connection_probability,
                     shared_connectivity=shared_connectivity, connectivity_seed=connectivity_seed)
    reason = model.refusal(dt if dt is not None else defaultclock.dt)
    if reason:
        raise BioamError(reason)
    forward, backward, forward_mask, backward_mask = model.effective_weights(xi, xi_back)

    external = _external_layers(external_input)
    if external:
        check_time("tau_external", tau_external)
    formulation = _choose_formulation(formulation, model, external)
    if formulation != "event" and cue_period is not None:
        raise BioamError("cue_period is an option of formulation='event'")
    if method is None:
        method = "exact" if formulation == "event" else "euler"

    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice
    from brian2.devices.device import get_device

    standalone = isinstance(get_device(), CPPStandaloneDevice)
    namespace = {"N_v": n_visible, "N_h": n_hidden, "tau_v": tau_v, "tau_h": tau_h,
                 **model.namespace()}
    parameters = {
        "n_visible": n_visible,
        "n_hidden": n_hidden,
        "theta": theta,
        "tau_v": tau_v,
        "tau_h": tau_h,
        "activation": model.hidden.name,
        "steepness": float(getattr(model.hidden, "steepness", steepness)),
        "hidden_nonlinearity": model.hidden,
        "visible_nonlinearity": model.visible,
        "pieces": model,
        "asymmetric": not np.array_equal(xi_back, xi.T),
        "method": method,
        "formulation": formulation,
        "external_input": external,
    }
    if external:
        parameters["tau_external"] = tau_external
        namespace["tau_ext"] = tau_external
    for constraint in model.constraints:
        constraint_parameters, constraint_namespace = constraint.prepare(forward, backward)
        parameters.update(constraint_parameters)
        namespace.update(constraint_namespace)
    # a named clock: automatic names ('_clock_1', ...) would make the generated code,
    # and so the compiled-project cache key, depend on what else the process created
    clock_keywords = {} if dt is None else {"clock": Clock(dt, name=f"{name}_clock")}

    def project(source, target, synapse_model, weights, object_name, mask=None, **keywords):
        return _project(source, target, synapse_model, weights, n_copies, standalone,
                        object_name, namespace, clock_keywords, mask, **keywords)

    if formulation == "event":
        parts = build_event_objects(
            forward, backward, theta=theta, tau_v=tau_v, tau_h=tau_h, n_copies=n_copies,
            method=method, namespace=namespace, name=name, clock_kwds=clock_keywords,
            project=project, backward_mask=backward_mask, cue_period=cue_period,
            n_cue_periods=n_cue_periods, constraints=model.constraints, parameters=parameters)
        memory = EventMemory(parts, n_visible, n_hidden, n_copies, parameters, forward,
                             backward)
        memory.set_theta(theta)
        return memory

    terms = model.terms(visible_gate="", visible_rest="")
    visible_inputs, visible_target = model.input_equations(
        "I_v", "sum over hidden neurons of xi_imu * s_mu", model.hidden_neuron)
    hidden_inputs, hidden_target = model.input_equations(
        "I_h", "sum over visible neurons of xi_mui * g(v_i)", model.visible_neuron)
    external_slots = {
        layer: ({"external": EXTERNAL_TERM,
                 "external_variables": EXTERNAL_VARIABLES.format(equation=equation).strip()}
                if layer in external else {"external": "", "external_variables": ""})
        for layer, equation in (("visible", "1a"), ("hidden", "1b"))}
    equations = {
        "visible": _tidy(VISIBLE_EQUATIONS.format(
            inputs=visible_inputs, neuron=model.visible_neuron.equations(model),
            output=output_equation("g", model.visible), **external_slots["visible"], **terms)),
        "hidden": _tidy(HIDDEN_EQUATIONS.format(
            inputs=hidden_inputs, neuron=model.hidden_neuron.equations(model),
            **external_slots["hidden"])),
    }
    visible = NeuronGroup(n_copies * n_visible, equations["visible"], method=method,
                          namespace=namespace, name=f"{name}_visible",
                          **model.visible_neuron.group_keywords(), **clock_keywords)
    hidden = NeuronGroup(n_copies * n_hidden, equations["hidden"], method=method,
                         namespace=namespace, name=f"{name}_hidden",
                         **model.hidden_neuron.group_keywords(), **clock_keywords)

    # the pooling neurons of non-local pieces: one per copy, filled by a summed variable
    # (before the projections: Synapses take their pre- and postsynaptic variables,
    # the linked ones too, when they are created)
    piece_pools = []
    for layer, piece, output in ((hidden, model.hidden, "s"), (visible, model.visible, "g")):
        if piece.pool is None:
            continue
        pool_name = f"{name}_{piece.name}_pool"
        pool = NeuronGroup(n_copies, piece.pool.equations.strip(), namespace=namespace,
                           name=pool_name, order=-10, **clock_keywords)
        n_per_copy = layer.N // n_copies
        summed = f"{piece.pool.summed}_post = {piece.pool.summand} : 1 (summed)"
        piece_pools += [pool, project(layer, pool, summed, None, f"{pool_name}_input",
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

    forward_synapses, backward_synapses = forward, backward
    for constraint in model.constraints:
        forward_synapses, backward_synapses = constraint.synapse_weights(
            forward_synapses, backward_synapses, parameters)
    projections = {
        "visible_to_hidden": (visible, hidden, hidden_target, "g", forward_synapses,
                              forward_mask, model.visible_neuron),
        "hidden_to_visible": (hidden, visible, visible_target, "s", backward_synapses,
                              backward_mask, model.hidden_neuron),
    }
    synapses = {}
    for key, (source, target, target_var, source_var, weights, mask, sender) in projections.items():
        synapse_model, on_pre = sender.projection(target_var, source_var, WEIGHT_DESCRIPTION[key])
        equations[key] = synapse_model.strip() + (f"\non_pre: {on_pre}" if on_pre else "")
        synapses[key] = project(source, target, synapse_model, weights, f"{name}_{key}", mask,
                                on_pre=on_pre)

    constraint_objects = {}
    context = {"layers": {"visible": visible, "hidden": hidden}, "parameters": parameters,
               "project": project, "name": name, "n_copies": n_copies, "method": method,
               "namespace": namespace, "clock_keywords": clock_keywords}
    for constraint in model.constraints:
        objects, constraint_equations = constraint.add_objects(context)
        for attribute, group in objects.items():
            constraint_objects.setdefault(attribute, []).extend(group)
        equations.update(constraint_equations)

    memory = AssociativeMemory(visible, hidden, synapses["visible_to_hidden"],
                               synapses["hidden_to_visible"], n_visible, n_hidden, n_copies,
                               parameters, equations, forward, backward, pools=piece_pools,
                               constraint_objects=constraint_objects)
    memory.set_theta(theta)
    return memory


#: Why the event formulation cannot take an external input on each layer.
EXTERNAL_EVENT_REASONS = {
    "visible": ("external input to the visible layer moves v outside the low-rank state "
                "I = N_h^(1/2)/N_v xi^T v that the event formulation integrates"),
    "hidden": ("external input to the hidden layer varies in time, and the event formulation "
               "integrates h in closed form between flips for a constant input only"),
}


def _unique_prefix(base):
    """``base``, or ``base_1``, ``base_2``, ...: the first no living Brian2 object is named by."""
    from brian2.core.names import Nameable

    taken = set()
    for reference in Nameable.__instances__():
        instance = reference()
        if instance is not None and isinstance(getattr(instance, "name", None), str):
            taken.add(instance.name)
    candidate, number = base, 0
    while f"{candidate}_memory" in taken or f"{candidate}_visible" in taken:
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def _external_layers(external_input):
    """The layers of `build_network`'s ``external_input``, in `EXTERNAL_LAYERS` order."""
    if external_input is True:
        return EXTERNAL_LAYERS
    if external_input is None or external_input is False:
        return ()
    layers = (external_input,) if isinstance(external_input, str) else external_input
    try:
        layers = set(layers)
    except TypeError:
        layers = {external_input}
    unknown = sorted(map(repr, layers - set(EXTERNAL_LAYERS)))
    if unknown:
        raise BioamError(f"external_input takes True, 'visible', 'hidden' or both, got "
                         f"{', '.join(unknown)}")
    return tuple(layer for layer in EXTERNAL_LAYERS if layer in layers)


def _choose_formulation(formulation, model, external):
    """
    The formulation built: 'auto' is 'event' wherever it is exact, and 'dense' (logged) otherwise.

    ``external`` are the layers with an external input; the event formulation takes none.
    """
    if formulation not in ("auto",) + FORMULATIONS:
        raise BioamError(f"unknown formulation {formulation!r}; choose one of "
                         f"{', '.join(FORMULATIONS)} or auto")
    external_reason = EXTERNAL_EVENT_REASONS[external[0]] if external else None
    if formulation == "auto":
        reason = model.event_reason() or external_reason
        if reason:
            logger.info(f"using the dense formulation: {reason}", "formulation")
            return "dense"
        return "event"
    if formulation == "event":
        if external_reason:
            raise BioamError(f"formulation 'event' cannot take external input: {external_reason}; "
                             "use formulation='dense' (or 'auto')")
        reason = model.event_reason()
        if reason:
            raise BioamError(f"formulation 'event' cannot build this network: {reason}; "
                             "use formulation='dense'")
    return formulation


def _tidy(equations):
    """Equations without the empty lines that unused template slots leave."""
    return "\n".join(line for line in equations.strip().splitlines() if line.strip())
