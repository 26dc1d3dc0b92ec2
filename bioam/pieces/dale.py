"""
Dale's law: every neuron's outgoing synapses have one sign.

Each mixed-sign projection ``sum_j W_jk x_j`` is rewritten as
``sum_j (W_jk + c) x_j - c sum_j x_j`` with ``c = max(0, -min W)``: the first
term is carried by excitatory synapses (weights >= 0), the second by one
inhibitory interneuron per copy and pathway that pools the presynaptic rates
(input weights 1, a summed variable) and inhibits every target with weight
``-c``. Visible rates are shifted by a ``baseline`` b >= 0 so that they are
never negative, ``rate = v + b``; the constant extra input this gives the
hidden neurons, ``N_h^(1/2)/N_v * b * sum_i xi_mui``, is moved into their
thresholds. With instantaneous interneurons (``tau_inhibitory = 0``) the
network is exactly the unconstrained one; with ``tau_inhibitory > 0`` the
interneurons low-pass filter their input.

In the event formulation (`bioam.event`, instantaneous inhibition only) the
interneurons are event-driven too: a flip changes a pool's rate ``r``, and the
pool's own custom event ``relay`` (``r != r_sent``, in the same step) passes
the change ``dr`` on through its inhibitory `Synapses`. Hidden -> visible:
excitatory flip synapses ``N_h^(-1/2) (xi_back + c_back)`` and the pool of the
hidden rates (``r = sum_mu s_mu``), weight ``-c_back N_h^(-1/2)``. Visible ->
hidden, folded through the visible layer as J is: a flip moves the visible
targets by ``N_h^(-1/2) xi_back[mu]`` (both backward parts together), so the
excitatory forward synapses give the coupling ``J_E = N_h^(1/2)/N_v (xi +
c_fwd)^T N_h^(-1/2) xi_back^T`` and the pool of the visible rates (``r =
sum_i`` of their targets) receives ``N_h^(-1/2) sum_i xi_back[mu, i]`` per
flip and inhibits the hidden inputs with weight ``-c_fwd N_h^(1/2)/N_v``.
Together they give exactly the unconstrained network's ``u`` and ``K = J s``
plus the constant input of the baseline rates, ``h_rest = N_h^(1/2)/N_v
baseline sum_i xi_imu`` (which is also added to theta).
"""

from dataclasses import dataclass, field

import numpy as np
from brian2 import NeuronGroup, ms

from ..event import BACKWARD_ON_FLIP, COUPLING_ON_FLIP, ORDER, flip_synapses
from ..validation import BioamError, check_time
from .base import SUMMED_PROJECTION, Constraint, register

__all__ = ["Dale", "dale_parameters"]

#: Inhibitory interneurons: the pooled rate of their inputs, instantaneous ...
POOL_INSTANTANEOUS = """
r : 1  # rate = sum of the presynaptic rates (summed variable)
"""
#: ... or low-pass filtered.
POOL_FILTERED = """
dr/dt = (-r + I_r) / tau_inhibitory : 1  # rate of the inhibitory pool
I_r : 1  # sum of the presynaptic rates (summed variable)
"""

#: Event formulation: the constant input of the visible baseline rates.
EVENT_HIDDEN_REST = """
h_rest : 1 (constant)  # N_h^(1/2)/N_v baseline sum_i xi_imu: input of the baseline rates (Dale's law)"""

#: Event formulation: an interneuron per copy and pathway, the pooled rate of its
#: presynaptic neurons, passed on (as its change) by the relay event.
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

#: The two pathways: (projection, source layer, its rate variable, target layer, input).
PATHWAYS = (("visible_to_hidden", "visible", "v", "hidden", "I_h"),
            ("hidden_to_visible", "hidden", "s", "visible", "I_v"))


def dale_parameters(forward, backward, n_visible, n_hidden, baseline=None):
    """
    The E/I mapping of Dale's law for effective weight matrices.

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

    Examples
    --------
    >>> import numpy as np
    >>> xi = np.array([[1.0, -2.0], [0.5, 1.0]])
    >>> mapping = dale_parameters(xi, xi.T, 2, 2)
    >>> mapping['c_forward'], round(mapping['baseline'], 4)
    (2.0, 1.4142)
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


def _event_pool(name, context):
    """One interneuron per copy whose relay event passes on its rate's changes."""
    pool = NeuronGroup(context["n_copies"], EVENT_POOL_EQUATIONS.strip(),
                       events={"relay": RELAY_CONDITION}, namespace=context["namespace"],
                       name=name, **context["clock_kwds"])
    pool.thresholder["relay"].when = "before_groups"
    pool.thresholder["relay"].order = ORDER["relay_check"]
    pool.run_on_event("relay", RELAY_RESET, when="before_groups", order=ORDER["relay_reset"])
    return pool


@register
@dataclass(frozen=True)
class Dale(Constraint):
    """
    Dale's law with pooled inhibition (see the module docstring).

    Parameters
    ----------
    baseline : float, optional
        Visible baseline rate (default: the bound of `dale_parameters`).
    tau_inhibitory : Quantity
        Time constant of the inhibitory interneurons (0: instantaneous, exact).

    Examples
    --------
    >>> from bioam.pieces import get_piece
    >>> get_piece('constraint', 'dale:tau_inhibitory=0.5ms').spec()
    'dale:tau_inhibitory=0.5ms'
    """

    baseline: float = None
    tau_inhibitory: object = field(default_factory=lambda: 0 * ms)

    kind = "constraint"
    name = "dale"
    description = "Dale's law: excitatory synapses plus one pooled inhibitory interneuron per pathway"

    def __post_init__(self):
        check_time("tau_inhibitory", self.tau_inhibitory, allow_zero=True)
        if self.baseline is not None and (not np.isfinite(self.baseline) or self.baseline < 0):
            raise BioamError(f"baseline must be a rate >= 0, got {self.baseline}")

    @property
    def filtered(self):
        """Whether the interneurons low-pass filter their input (``tau_inhibitory > 0``)."""
        return float(self.tau_inhibitory) > 0

    def namespace(self):
        return {"tau_inhibitory": self.tau_inhibitory}

    def prepare(self, forward, backward):
        parameters = dale_parameters(forward, backward, *forward.shape, self.baseline)
        parameters.update(tau_inhibitory=self.tau_inhibitory, dale=True)
        return parameters, {"baseline": parameters["baseline"]}

    def synapse_weights(self, forward, backward, parameters):
        return forward + parameters["c_forward"], backward + parameters["c_backward"]

    def terms(self):
        return {"visible_rest": " + baseline"}

    def input_parts(self, variable, description):
        return [(f"{variable}_exc", "from excitatory neurons, weights xi + c >= 0"),
                (f"{variable}_inh", "from the inhibitory pool, weight -c <= 0")]

    def add_objects(self, context):
        pool_model = POOL_FILTERED if self.filtered else POOL_INSTANTANEOUS
        pooled = "I_r" if self.filtered else "r"
        parameters, layers, project = context["parameters"], context["layers"], context["project"]
        name, n_copies = context["name"], context["n_copies"]
        equations = {"inhibitory": pool_model.strip()}
        pools, synapses = [], []
        for key, source, rates, target, variable in PATHWAYS:
            source, target = layers[source], layers[target]
            # one inhibitory neuron per copy pools the source's rates (weights 1) ...
            pool = NeuronGroup(n_copies, pool_model, method=context["method"],
                               namespace=context["namespace"], name=f"{name}_inhibitory_{key}",
                               order=-10, **context["clock_keywords"])
            to_pool = SUMMED_PROJECTION.format(target=pooled, source=rates,
                                               weight="1, excitatory input to the pool")
            # ... and inhibits every neuron of the target with weight -c
            from_pool = SUMMED_PROJECTION.format(target=f"{variable}_inh", source="r",
                                                 weight="-c, inhibitory")
            c = parameters["c_forward" if source is layers["visible"] else "c_backward"]
            equations[f"{key}_to_inhibitory"] = to_pool.strip()
            equations[f"inhibitory_to_{key.split('_to_')[1]}"] = from_pool.strip()
            synapses.append(project(source, pool, to_pool, np.ones((source.N // n_copies, 1)),
                                    f"{name}_{key}_to_pool"))
            synapses.append(project(pool, target, from_pool,
                                    np.full((1, target.N // n_copies), -c), f"{name}_pool_{key}"))
            pools.append(pool)
        return {"inhibitory": pools, "inhibitory_synapses": synapses}, equations

    def initial_state(self, memory, rates):
        if not self.filtered:
            return []
        # filtered interneurons start at their steady state for the cue (h = 0, s = 0)
        visible_pool, hidden_pool = memory.inhibitory
        return [(visible_pool, "r", rates.sum(axis=1)), (hidden_pool, "r", np.zeros(len(rates)))]

    def check_cues(self, memory, cues):
        cues = np.asarray(cues)
        if cues.size and (cues + memory.baseline).min() < 0:
            raise BioamError(
                f"under Dale's law visible rates must be >= 0, but a cue reaches "
                f"{cues.min():.3g} with baseline {memory.baseline:.3g}; build with "
                f"baseline >= {-cues.min():.3g}")

    def event_terms(self):
        return {"hidden": EVENT_HIDDEN_REST, "visible_rest": " + baseline"}

    def event_pathways(self, context):
        hidden, visible, project = context["hidden"], context["visible"], context["project"]
        name, parameters = context["name"], context["parameters"]
        forward, backward_scaled = context["forward"], context["backward_scaled"]
        n_visible, n_hidden = forward.shape
        c_forward, c_backward = parameters["c_forward"], parameters["c_backward"]
        scale = np.sqrt(n_hidden) / n_visible
        excitatory_coupling = ((forward + c_forward) * scale).T @ backward_scaled.T
        coupling = flip_synapses(
            hidden, hidden, excitatory_coupling.T,
            "J_E: through the excitatory forward synapses xi + c_fwd >= 0",
            COUPLING_ON_FLIP, f"{name}_coupling", project)
        backward = flip_synapses(
            hidden, visible, (context["backward"] + c_backward) / np.sqrt(n_hidden),
            "N_h^(-1/2) (xi_back + c_back) >= 0, excitatory",
            BACKWARD_ON_FLIP, f"{name}_hidden_to_visible", project)
        equations = {}
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
             n_visible * float(parameters["baseline"])),
        )
        pools, pool_synapses, pool_rest = [], [], []
        for key, to_pool, to_pool_doc, target, from_pool, on_relay, rest in pathways:
            pool = _event_pool(f"{name}_inhibitory_{key}", context)
            pool.r = rest
            pool.r_sent = rest
            pool_synapses.append(flip_synapses(
                hidden, pool, to_pool, to_pool_doc, POOL_ON_FLIP, f"{name}_{key}_to_pool",
                project))
            pool_synapses.append(flip_synapses(
                pool, target, from_pool, "-c <= 0, inhibitory", on_relay,
                f"{name}_pool_{key}", project, event="relay", order="relay"))
            pools.append(pool)
            pool_rest.append(rest)
            equations[f"{key}_to_inhibitory"] = (f"w : 1 (constant)  # {to_pool_doc}\n"
                                                 f"on flip: {POOL_ON_FLIP}")
            equations[f"inhibitory_to_{key.split('_to_')[1]}"] = (
                f"w : 1 (constant)  # -c, inhibitory\non relay: {on_relay}")
        equations["inhibitory"] = (EVENT_POOL_EQUATIONS.strip() + f"\nevent relay: "
                                   f"{RELAY_CONDITION}\non relay: " + RELAY_RESET.replace("\n", "; "))
        equations["coupling"] = f"w : 1 (constant)  # J_E\non flip: {COUPLING_ON_FLIP}"
        equations["hidden_to_visible"] = (f"w : 1 (constant)  # xi_back + c >= 0\n"
                                          f"on flip: {BACKWARD_ON_FLIP}")
        hidden.h_rest = np.tile(parameters["threshold_shift"], context["n_copies"])
        return {"coupling": coupling, "backward": backward, "pools": pools,
                "pool_synapses": pool_synapses, "pool_rest": pool_rest, "equations": equations}

    def event_reason(self):
        if self.filtered:
            return ("Dale's law with filtered inhibition (tau_inhibitory > 0) changes the "
                    "inhibitory rates between flips")
        return None

    def refuses(self, model, dt):
        if model.hidden_neuron.spiking or model.visible_neuron.spiking:
            return ("Dale's law and spiking neurons cannot be combined yet: the inhibitory "
                    "pools sum rates, and spiking neurons send spikes; use one of the two")
        if any(constraint.removes_synapses for constraint in model.constraints):
            return ("Dale's law with sparse connectivity is not supported: pooled inhibition "
                    "assumes dense projections; use one of the two")
        if model.visible.name != "identity":
            return ("Dale's law pools the visible rates, so the hidden neurons must sum them: "
                    "leave visible_nonlinearity='identity' with dale=True")
        return None
