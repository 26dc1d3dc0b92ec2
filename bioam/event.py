"""
The event-driven formulation of Eq. (1): exact between flips, work only where something changes.

With the step activation the hidden state s changes only when some h_mu
crosses its threshold. Write the hidden input of Eq. (1b) as
``I_mu = N_h^(1/2)/N_v sum_i xi_imu v_i``; then, with ``J = xi^T xi_back^T / N_v``
(Eq. 6),

::

    tau_v dI/dt = -I + J s          (Eq. 1a projected on the hidden layer)
    tau_h dh/dt = -h + I            (Eq. 1b)
    tau_v dv/dt = -v + u,   u = N_h^(-1/2) xi_back^T s     (Eq. 1a)

so the hidden layer's dynamics close on (I, h, s). Between two flips ``K = J s``
and ``u`` are constant and all three equations are linear with constant input:
Brian2's ``exact`` method integrates (I, h) without error, and v has the closed
form ``v(t) = u + a exp(-(t - t_cue) / tau_v)``, with ``a`` constant between
flips and ``t_cue`` the time the cue was set; the visible group holds v as a
subexpression of ``u``, ``a`` and ``t_cue``: any monitor of ``v`` records the
exact state, yet no visible neuron is touched between flips. A flip that moves
u by du at time t keeps v continuous by moving a by ``-du exp((t - t_cue) /
tau_v)``; that factor is computed once per flip, on the hidden neuron (``E``),
so a flip costs two additions per visible neuron. Every ``REBASE_PERIODS``
tau_v the reference time moves to the present (``a`` is rescaled), so that the
factor never overflows however long a run is.

A flip is a Brian2 custom event of the hidden group, ``int(h > theta) != s``.
It toggles ``s`` and drives two event-based `Synapses`: one adds (or removes) a
column of J to ``K`` of the hidden neurons of the same copy, the other a row of
the backward weights to ``u`` of the visible neurons (and moves ``a``). The
event check, the toggle and the two pathways run in the ``before_groups``
slot, in that order, so each step uses the activation of the h at its start,
as a forward step of Eq. (1) does; the only approximation is that a crossing
is noticed at the end of the step in which it happens.

Dale's law (``dale=True`` with instantaneous inhibition, as in
`bioam.network.dale_parameters`): every neuron's outgoing weights have one
sign. Visible rates are ``v = baseline + ...`` >= 0; each pathway has
excitatory synapses (weights ``xi + c`` >= 0) and an inhibitory interneuron
per copy that pools its presynaptic rates and inhibits every target with
weight ``-c``. The interneurons are event-driven too: a flip changes a pool's
rate ``r``, and the pool's own custom event ``relay`` (``r != r_sent``, in the
same step) passes the change ``dr`` on through its inhibitory `Synapses`.
Hidden -> visible: excitatory flip synapses ``N_h^(-1/2) (xi_back + c_back)``
and the pool of the hidden rates (``r = sum_mu s_mu``), weight ``-c_back
N_h^(-1/2)``. Visible -> hidden, folded through the visible layer as J is: a
flip moves the visible targets by ``N_h^(-1/2) xi_back[mu]`` (both backward
parts together), so the excitatory forward synapses give the coupling ``J_E =
N_h^(1/2)/N_v (xi + c_fwd)^T N_h^(-1/2) xi_back^T`` and the pool of the visible
rates (``r = sum_i`` of their targets) receives ``N_h^(-1/2) sum_i
xi_back[mu, i]`` per flip and inhibits the hidden inputs with weight
``-c_fwd N_h^(1/2)/N_v``. Together they give exactly the unconstrained
network's ``u`` and ``K = J s`` plus the constant input of the baseline rates,
``h_rest = N_h^(1/2)/N_v baseline sum_i xi_imu`` (which is also added to
theta). Filtered inhibition (``tau_inhibitory > 0``) is not constant between
flips and needs the dense formulation.

Costs per cue: one projection of the cue (N_v N_h multiply-adds), then O(N_h)
per time step, plus O(N_v + N_h) per flip.

Two ways to give cues:

* `EventMemory.set_cues` (like the dense network): v(0) = cue, h(0) = 0, and
  the hidden input I(0) = N_h^(1/2)/N_v xi^T v(0), the initial condition of the
  low-rank variable.
* a *cue sequence* (``cue_period`` and ``n_cue_periods``): each copy (a *lane*)
  recalls one cue after another, a new one every ``cue_period``, from the
  `TimedArray` ``memory.cue_array`` whose values can be replaced through
  ``run_args`` on standalone targets. At the start of each period the lane's
  visible group loads its next cue and the hidden group its initial input
  I(0) = N_h^(1/2)/N_v xi^T v(0) from a second `TimedArray`,
  ``memory.input_array`` (the projection, computed with the cues, is the
  initial condition of I, as in `EventMemory.set_cues`).
"""

import numpy as np
from brian2 import Clock, NeuronGroup, TimedArray, second

from .validation import BioamError

__all__ = ["EVENT_HIDDEN_EQUATIONS", "EVENT_VISIBLE_EQUATIONS", "build_event_objects",
           "event_unsupported_reason"]

#: Hidden neurons of the event formulation. ``{tau_h}`` is ``tau_h``, or ``tau_v``
#: when the two are equal (so that Brian2's exact solution has the t exp(-t/tau) form).
EVENT_HIDDEN_EQUATIONS = """
dI/dt = (K - I) / tau_v : 1  # tau_v dI/dt = -I + J s: the input of Eq. 1b, I = N_h^(1/2)/N_v xi^T v
dh/dt = (I - h) / {tau_h} : 1  # Eq. 1b
K : 1  # J s (Eq. 6), the value I relaxes to; changed by flips only
s : integer  # Theta(h - theta) (Eq. 2), toggled by the flip event
theta : 1 (constant)  # threshold, one value per neuron (Eq. 2)
E : 1  # exp((t - t_cue) / tau_v) at the last flip
t_cue : second  # reference time of the visible state (the cue's)
"""

#: Under Dale's law: the constant input of the visible baseline rates.
EVENT_HIDDEN_REST = """
h_rest : 1 (constant)  # N_h^(1/2)/N_v baseline sum_i xi_imu: input of the baseline rates (Dale's law)"""

#: Visible neurons: Eq. (1a) solved in closed form since the last flip.
#: ``{baseline}`` is empty, or ``+ baseline`` under Dale's law (v is then the rate).
EVENT_VISIBLE_EQUATIONS = """
v = u + a * exp(-(t - t_cue) / tau_v){baseline} : 1  # Eq. 1a, exact between flips
u : 1  # N_h^(-1/2) sum_mu xi_imu s_mu, the value v relaxes to
a : 1  # (v - u) exp((t - t_cue) / tau_v), constant between flips
t_cue : second  # reference time (the cue's, moved forward by rebasing)
"""

#: The flip event: the hidden neuron's activation differs from its stored state.
FLIP_CONDITION = "int(h > theta) != s"

#: The toggle of a flip; E is the factor that keeps v continuous (see the module text).
TOGGLE_ON_FLIP = """s = 1 - s
E = exp((t - t_cue) / tau_v)"""

#: A flip of hidden neuron nu (s now its new state) adds or removes column nu of J to K.
COUPLING_ON_FLIP = "K_post += (2 * s_pre - 1) * w"

#: A flip moves the value v relaxes to, and a so that v stays continuous.
BACKWARD_ON_FLIP = """u_post += (2 * s_pre - 1) * w
a_post -= (2 * s_pre - 1) * w * E_pre"""

#: Inhibitory interneurons of Dale's law, one per copy and pathway: the pooled rate
#: of their presynaptic neurons, passed on (as its change) by the relay event.
EVENT_POOL_EQUATIONS = """
r : 1  # pooled rate: sum of the presynaptic (target) rates
r_sent : 1  # the pooled rate the targets have received
dr : 1  # the change passed on by the last relay
"""
RELAY_CONDITION = "r != r_sent"
RELAY_RESET = """dr = r - r_sent
r_sent = r"""

#: A flip changes the pooled rate by w (1 per hidden neuron, or the summed change
#: of the visible targets it causes).
POOL_ON_FLIP = "r_post += (2 * s_pre - 1) * w"

#: The pool of the hidden rates inhibits the visible neurons (keeping v continuous).
INHIBIT_VISIBLE_ON_RELAY = """u_post += w * dr_pre
a_post -= w * dr_pre * exp((t - t_cue_post) / tau_v)"""

#: The pool of the visible rates inhibits the hidden inputs.
INHIBIT_HIDDEN_ON_RELAY = "K_post += w * dr_pre"

#: Moving the reference time of v to the present (exact; prevents overflow of E).
REBASE_VISIBLE = """a = a * exp(-(t - t_cue) / tau_v)
t_cue = t"""
REBASE_HIDDEN = "t_cue = t"

#: Reference time moves every this many tau_v (exp(100) is far from overflowing).
REBASE_PERIODS = 100

#: ``before_groups`` orders of the objects of one step (and of one cue period).
ORDER = {"monitor": -40, "load_visible": -30, "load_hidden": -10, "rebase": -5,
         "check": 0, "toggle": 1, "propagate": 2, "relay_check": 3, "relay_reset": 4,
         "relay": 5}


def event_unsupported_reason(activation="step", dale=False, spiking=None,
                             tau_inhibitory=0 * second, visible_nonlinearity="identity"):
    """
    Why the event formulation cannot run this network, or None if it can.

    The event formulation is exact for the step activation and a visible
    layer that the hidden neurons sum as it is (g = identity: the low-rank
    projection is linear); any other f changes the hidden output
    continuously, filtered inhibitory interneurons of Dale's law change
    between flips, and the spiking variant has its own neuron model.

    Parameters
    ----------
    activation, visible_nonlinearity : str or piece
        The hidden and visible pieces (`bioam.pieces`).
    dale, spiking, tau_inhibitory
        The options of `bioam.build_network`.
    """
    from .pieces import get_piece

    activation = get_piece("hidden", activation)
    visible_nonlinearity = get_piece("visible", visible_nonlinearity)
    if activation.name != "step":
        return (f"activation {activation.spec()!r} changes s continuously (only 'step' "
                "has flips)")
    if visible_nonlinearity.name != "identity":
        return (f"visible nonlinearity {visible_nonlinearity.spec()!r} is not linear, so the "
                "hidden input is no low-rank projection of the visible state")
    if dale and float(tau_inhibitory) > 0:
        return ("Dale's law with filtered inhibition (tau_inhibitory > 0) changes the "
                "inhibitory rates between flips")
    if spiking:
        return "the spiking variant has its own hidden neuron model"
    return None


def _flip_synapses(source, target, weights, description, on_flip, name, project, mask=None,
                   event="flip", order="propagate"):
    """
    Event-based `Synapses` of the ``event`` pathway with per-copy ``weights`` (n_pre x n_post).

    The weight ``w`` is a subexpression that reads one table of the weights (the
    same for every copy) at the synapse's place in its copy: it is needed only
    when a neuron flips, and storing it per synapse would make creating and
    writing back the synapses of many copies the larger part of a run. The
    pathway has no delay.
    """
    n_pre, n_post = weights.shape
    table = TimedArray(weights.ravel()[None, :], dt=1 * second, name=f"{name}_weights")
    model = (f"w = {table.name}(0*second, (i % {n_pre}) * {n_post} + (j % {n_post})) : 1"
             f"  # {description}")
    synapses = project(source, target, model, None, name, mask=mask,
                       weight_shape=weights.shape, on_pre={event: on_flip},
                       on_event={event: event}, delay={event: 0 * second},
                       extra_namespace={table.name: table})
    pathway = getattr(synapses, event)
    pathway.when = "before_groups"
    pathway.order = ORDER[order]
    return synapses


def _inhibitory_pool(name, n_copies, namespace, clock_kwds):
    """One interneuron per copy (Dale's law) whose relay event passes on its rate's changes."""
    pool = NeuronGroup(n_copies, EVENT_POOL_EQUATIONS.strip(), events={"relay": RELAY_CONDITION},
                       namespace=namespace, name=name, **clock_kwds)
    pool.thresholder["relay"].when = "before_groups"
    pool.thresholder["relay"].order = ORDER["relay_check"]
    pool.run_on_event("relay", RELAY_RESET, when="before_groups", order=ORDER["relay_reset"])
    return pool


def build_event_objects(forward, backward, *, theta, tau_v, tau_h, n_copies, method,
                        namespace, name, clock_kwds, project, backward_mask=None, cue_period=None,
                        n_cue_periods=None, dale=None):
    """
    The Brian2 objects of the event formulation (see the module docstring).

    Parameters
    ----------
    forward : ndarray, shape (N_v, N_h)
        Effective forward weights (xi, masked and scaled under sparse connectivity).
    backward : ndarray, shape (N_h, N_v)
        Effective backward weights.
    theta : ndarray, shape (N_h,)
    tau_v, tau_h : Quantity
    n_copies : int
    method : str
        Integration method of (I, h); 'exact' for the exact pieces.
    namespace : dict
    name : str
    clock_kwds : dict
        ``{'dt': dt}`` or empty (the default clock).
    project : callable
        ``project(source, target, model, weights, name, mask=None, **synapse_kwds)``
        creating block-diagonal `Synapses` (the builder's).
    backward_mask : ndarray of bool, optional
        Which backward synapses exist (sparse connectivity); the forward mask
        is already in ``forward`` (it enters only J and the cue inputs).
    cue_period : Quantity, optional
        Recall a sequence of cues, one every ``cue_period``.
    n_cue_periods : int, optional
        Number of cues per lane in a sequence.
    dale : dict, optional
        Dale's law with instantaneous inhibition: the mapping of
        `bioam.network.dale_parameters` (``c_forward``, ``c_backward``,
        ``baseline``, ``threshold_shift``); ``baseline`` must be in ``namespace``.

    Returns
    -------
    dict
        ``visible``, ``hidden``, ``coupling``, ``backward``, ``pools``,
        ``pool_synapses`` and ``pool_rest`` (the pools' rates at s = 0) under
        Dale's law (else empty) and, for a cue sequence,
        ``cue_array``, ``input_array`` and ``cue_clock``; plus ``equations``,
        ``coupling_matrix`` (J, the whole coupling) and ``forward_scaled``.
    """
    n_visible, n_hidden = forward.shape
    if method not in ("exact", "linear"):
        raise BioamError(
            f"the event formulation integrates exactly between flips; method {method!r} "
            "is for the dense formulation (leave method='exact')")
    same_tau = abs(float(tau_v) - float(tau_h)) <= 1e-12 * float(tau_v)
    sequence = cue_period is not None
    hidden_equations = EVENT_HIDDEN_EQUATIONS.format(
        tau_h="tau_v" if same_tau else "tau_h").strip()
    if dale:
        hidden_equations += EVENT_HIDDEN_REST
    visible_equations = EVENT_VISIBLE_EQUATIONS.format(
        baseline=" + baseline" if dale else "").strip()
    hidden = NeuronGroup(n_copies * n_hidden, hidden_equations, method="exact",
                         events={"flip": FLIP_CONDITION}, namespace=namespace,
                         name=f"{name}_hidden", **clock_kwds)
    hidden.thresholder["flip"].when = "before_groups"
    hidden.thresholder["flip"].order = ORDER["check"]
    hidden.run_on_event("flip", TOGGLE_ON_FLIP, when="before_groups", order=ORDER["toggle"])
    visible = NeuronGroup(n_copies * n_visible, visible_equations, namespace=namespace,
                          name=f"{name}_visible", **clock_kwds)
    rebase_clock = Clock(REBASE_PERIODS * tau_v, name=f"{name}_rebase_clock")
    for group, code in ((visible, REBASE_VISIBLE), (hidden, REBASE_HIDDEN)):
        group.run_regularly(code, when="before_groups", order=ORDER["rebase"],
                            clock=rebase_clock, name=f"{group.name}_rebase")

    forward_scaled = forward * (np.sqrt(n_hidden) / n_visible)
    backward_scaled = backward / np.sqrt(n_hidden)
    coupling_matrix = forward_scaled.T @ backward_scaled.T  # J = xi^T xi_back^T / N_v (Eq. 6)
    equations = {
        "visible": visible_equations,
        "hidden": hidden_equations + f"\nevent flip: {FLIP_CONDITION}\non flip: "
                  + TOGGLE_ON_FLIP.replace("\n", "; "),
    }
    pools, pool_synapses, pool_rest = [], [], []
    if not dale:
        coupling = _flip_synapses(hidden, hidden, coupling_matrix.T, "J_{mu nu}",
                                  COUPLING_ON_FLIP, f"{name}_coupling", project)
        backward_synapses = _flip_synapses(
            hidden, visible, backward_scaled, "N_h^(-1/2) xi_imu (or the backward matrix)",
            BACKWARD_ON_FLIP, f"{name}_hidden_to_visible", project, mask=backward_mask)
        equations["coupling"] = f"w : 1 (constant)  # J_{{mu nu}}\non flip: {COUPLING_ON_FLIP}"
        equations["hidden_to_visible"] = f"w : 1 (constant)\non flip: {BACKWARD_ON_FLIP}"
    else:
        c_forward, c_backward = dale["c_forward"], dale["c_backward"]
        scale = np.sqrt(n_hidden) / n_visible
        excitatory_coupling = ((forward + c_forward) * scale).T @ backward_scaled.T
        coupling = _flip_synapses(
            hidden, hidden, excitatory_coupling.T,
            "J_E: through the excitatory forward synapses xi + c_fwd >= 0",
            COUPLING_ON_FLIP, f"{name}_coupling", project)
        backward_synapses = _flip_synapses(
            hidden, visible, (backward + c_backward) / np.sqrt(n_hidden),
            "N_h^(-1/2) (xi_back + c_back) >= 0, excitatory",
            BACKWARD_ON_FLIP, f"{name}_hidden_to_visible", project)
        pathways = (
            # pool of the hidden rates (sum of s), inhibiting the visible neurons
            ("hidden_to_visible", np.ones((n_hidden, 1)), "1: each active hidden neuron",
             visible, np.full((1, n_visible), -c_backward / np.sqrt(n_hidden)),
             INHIBIT_VISIBLE_ON_RELAY, 0.0),
            # pool of the visible rates: a flip changes their sum by N_h^(-1/2) sum_i
            # xi_back[mu, i] (folded through the visible layer, as J is)
            ("visible_to_hidden", backward_scaled.sum(axis=1)[:, None],
             "N_h^(-1/2) sum_i xi_back[mu, i]: the flip's change of the summed visible rates",
             hidden, np.full((1, n_hidden), -c_forward * scale), INHIBIT_HIDDEN_ON_RELAY,
             n_visible * float(dale["baseline"])),
        )
        for key, to_pool, to_pool_doc, target, from_pool, on_relay, rest in pathways:
            pool = _inhibitory_pool(f"{name}_inhibitory_{key}", n_copies, namespace, clock_kwds)
            pool.r = rest
            pool.r_sent = rest
            pool_synapses.append(_flip_synapses(
                hidden, pool, to_pool, to_pool_doc, POOL_ON_FLIP, f"{name}_{key}_to_pool",
                project))
            pool_synapses.append(_flip_synapses(
                pool, target, from_pool, "-c <= 0, inhibitory", on_relay,
                f"{name}_pool_{key}", project, event="relay", order="relay"))
            pools.append(pool)
            pool_rest.append(rest)
            equations[f"{key}_to_inhibitory"] = f"w : 1 (constant)  # {to_pool_doc}\non flip: {POOL_ON_FLIP}"
            equations[f"inhibitory_to_{key.split('_to_')[1]}"] = (
                f"w : 1 (constant)  # -c, inhibitory\non relay: {on_relay}")
        equations["inhibitory"] = (EVENT_POOL_EQUATIONS.strip() + f"\nevent relay: "
                                   f"{RELAY_CONDITION}\non relay: " + RELAY_RESET.replace("\n", "; "))
        equations["coupling"] = f"w : 1 (constant)  # J_E\non flip: {COUPLING_ON_FLIP}"
        equations["hidden_to_visible"] = f"w : 1 (constant)  # xi_back + c >= 0\non flip: {BACKWARD_ON_FLIP}"
        hidden.h_rest = np.tile(dale["threshold_shift"], n_copies)
    objects = {"visible": visible, "hidden": hidden, "coupling": coupling,
               "backward": backward_synapses, "pools": pools, "pool_synapses": pool_synapses,
               "pool_rest": pool_rest,
               "equations": equations, "coupling_matrix": coupling_matrix,
               "forward_scaled": forward_scaled}
    if not sequence:
        return objects

    if int(n_cue_periods) != n_cue_periods or n_cue_periods < 1:
        raise BioamError(f"n_cue_periods must be a positive integer, got {n_cue_periods}")
    cue_clock = {"clock": Clock(cue_period, name=f"{name}_cue_clock")}
    # each period, the visible group loads its cue and the hidden group the cue's
    # projection I(0) = N_h^(1/2)/N_v xi^T v(0): the initial condition of I, computed with
    # the cues (as set_cues does), one row per cue like the cues themselves
    arrays = []
    rest = "h_rest" if dale else "0"
    for group, n_per_copy, suffix, code, order in (
            (visible, n_visible, "cues", "a = {}(t, i)\nu = 0\nt_cue = t", "load_visible"),
            (hidden, n_hidden, "cue_inputs",
             f"I = {{}}(t, i)\nh = {rest}\nK = {rest}\ns = 0\nt_cue = t", "load_hidden")):
        array = TimedArray(np.zeros((int(n_cue_periods), n_copies * n_per_copy)),
                           dt=cue_period, name=f"{name}_{suffix}")
        group.namespace[array.name] = array
        group.run_regularly(code.format(array.name), when="before_groups", order=ORDER[order],
                            name=f"{group.name}_load_cue", **cue_clock)
        arrays.append(array)
    for pool, rate in zip(pools, pool_rest):  # the pools' rates at s = 0
        pool.run_regularly(f"r = {rate!r}\nr_sent = {rate!r}", when="before_groups",
                           order=ORDER["load_hidden"], name=f"{pool.name}_load_cue", **cue_clock)
    cue_array, input_array = arrays
    objects.update(cue_array=cue_array, input_array=input_array, cue_clock=cue_clock["clock"])
    return objects
