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

A constraint may add equations and replace the flip pathways: Dale's law
with instantaneous inhibition does (`bioam.pieces.dale`), with excitatory flip
synapses and event-driven inhibitory interneurons. Filtered inhibition
(``tau_inhibitory > 0``) is not constant between flips and needs the dense
formulation.

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

__all__ = ["EVENT_HIDDEN_EQUATIONS", "EVENT_VISIBLE_EQUATIONS", "ORDER", "build_event_objects",
           "flip_synapses"]

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

#: Visible neurons: Eq. (1a) solved in closed form since the last flip.
#: ``{baseline}`` is empty, or what a constraint adds (``+ baseline`` under Dale's law).
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


def flip_synapses(source, target, weights, description, on_flip, name, project, mask=None,
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


def _plain_pathways(context, coupling_matrix):
    """The flip pathways of the unconstrained network: J (hidden -> hidden) and the backward weights."""
    hidden, visible, project = context["hidden"], context["visible"], context["project"]
    name = context["name"]
    coupling = flip_synapses(hidden, hidden, coupling_matrix.T, "J_{mu nu}", COUPLING_ON_FLIP,
                              f"{name}_coupling", project)
    backward = flip_synapses(
        hidden, visible, context["backward_scaled"], "N_h^(-1/2) xi_imu (or the backward matrix)",
        BACKWARD_ON_FLIP, f"{name}_hidden_to_visible", project, mask=context["backward_mask"])
    return {"coupling": coupling, "backward": backward, "equations": {
        "coupling": f"w : 1 (constant)  # J_{{mu nu}}\non flip: {COUPLING_ON_FLIP}",
        "hidden_to_visible": f"w : 1 (constant)\non flip: {BACKWARD_ON_FLIP}"}}


def build_event_objects(forward, backward, *, theta, tau_v, tau_h, n_copies, method,
                        namespace, name, clock_kwds, project, backward_mask=None, cue_period=None,
                        n_cue_periods=None, constraints=(), parameters=None):
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
    constraints : sequence of Constraint
        The network's constraints (`bioam.pieces`): each may add equations
        (``event_terms``) and replace the flip pathways (``event_pathways``),
        as Dale's law does.
    parameters : dict, optional
        The network's parameters (what the constraints derived, e.g. Dale's c).

    Returns
    -------
    dict
        ``visible``, ``hidden``, ``coupling``, ``backward``, ``pools``,
        ``pool_synapses`` and ``pool_rest`` (the pools' rates at s = 0) of a
        constraint (else empty) and, for a cue sequence,
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
    terms = {"hidden": "", "visible_rest": ""}
    for constraint in constraints:
        for slot, text in constraint.event_terms().items():
            terms[slot] += text
    hidden_equations = EVENT_HIDDEN_EQUATIONS.format(
        tau_h="tau_v" if same_tau else "tau_h").strip() + terms["hidden"]
    visible_equations = EVENT_VISIBLE_EQUATIONS.format(baseline=terms["visible_rest"]).strip()
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
    context = {"visible": visible, "hidden": hidden, "forward": forward, "backward": backward,
               "backward_scaled": backward_scaled, "parameters": parameters or {},
               "name": name, "n_copies": n_copies, "namespace": namespace,
               "clock_kwds": clock_kwds, "project": project, "backward_mask": backward_mask}
    pathways = [constraint.event_pathways(context) for constraint in constraints]
    pathways = [made for made in pathways if made is not None]
    if len(pathways) > 1:
        raise BioamError("two constraints replace the event formulation's flip pathways; "
                         "use formulation='dense'")
    pathways = pathways[0] if pathways else _plain_pathways(context, coupling_matrix)
    equations.update(pathways["equations"])
    coupling, backward_synapses = pathways["coupling"], pathways["backward"]
    pools, pool_synapses = pathways.get("pools", []), pathways.get("pool_synapses", [])
    pool_rest = pathways.get("pool_rest", [])
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
    rest = "h_rest" if "h_rest" in hidden.variables else "0"  # a constraint's resting input
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
