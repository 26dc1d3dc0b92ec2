"""
Spiking visible neurons: v of Eq. (1a) drives a spike generator at a rate proportional to ``|v|``.

v (time constant tau_v) is the neuron's filtered input; a phase integrator
fires at ``rate * |v|`` (an ON cell for v > 0 and an OFF cell with synapses of
the opposite sign for v < 0, folded into one neuron). Each spike adds
``+-xi_mui / (rate * tau_synapse)`` to an exponential synaptic current of the
hidden neurons, whose mean is therefore ``sum_i xi_mui v_i`` (Eq. 1b). The
generators' phases start spread over [0, 1) by the golden ratio (no random
draw), so a recall is deterministic.
"""

from dataclasses import dataclass, field

import numpy as np
from brian2 import ms, second

from ..validation import BioamError, check_time
from .base import NeuronModel, register

__all__ = ["SpikingVisible", "GOLDEN_FRACTION"]

#: Spreads the spike generators' initial phases (i * 0.618... mod 1): no random draw.
GOLDEN_FRACTION = (np.sqrt(5) - 1) / 2

#: The spike generator of a visible neuron.
SPIKE_GENERATOR = "dphase/dt = visible_rate * abs(v) : 1  # spike generator: fires at visible_rate * |v|"

#: The hidden input fed by visible spikes: a synaptic current (mean sum_i xi_mui v_i).
SYNAPTIC_INPUT = ("d{variable}/dt = -{variable} / tau_visible_synapse : 1  "
                  "# synaptic current from visible spikes (mean: {description})")

#: Each spike adds +-w / (visible_rate tau_visible_synapse), the sign of the neuron's v.
ON_PRE = "{target}_post += w * sign(v_pre) / (visible_rate * tau_visible_synapse)"


@register
@dataclass(frozen=True)
class SpikingVisible(NeuronModel):
    """
    Spiking visible neurons firing at ``rate`` Hz per unit of ``|v|``.

    Parameters
    ----------
    rate : float
        Firing rate in Hz per unit of ``|v|`` (> 0).
    tau_synapse : Quantity
        Time constant of the hidden neurons' synaptic current.

    Examples
    --------
    >>> from bioam.pieces import get_piece
    >>> get_piece('visible_neuron', 'spiking:rate=2000').spec()
    'spiking:rate=2000,tau_synapse=1ms'
    """

    rate: float = 2000.0
    tau_synapse: object = field(default_factory=lambda: 1 * ms)

    kind = "visible_neuron"
    name = "spiking"
    description = "spike generators at rate * |v| with synaptic currents onto the hidden layer"

    def __post_init__(self):
        if not np.isfinite(self.rate) or self.rate <= 0:
            raise BioamError(f"spiking visible rate must be > 0 Hz per unit of v, got {self.rate}")
        check_time("spiking visible tau_synapse", self.tau_synapse)

    def namespace(self):
        return {"visible_rate": self.rate / second, "tau_visible_synapse": self.tau_synapse}

    def equations(self, model):
        return SPIKE_GENERATOR

    def group_keywords(self):
        return {"threshold": "phase > 1", "reset": "phase -= 1"}

    def input_equation(self, variable, description):
        return SYNAPTIC_INPUT.format(variable=variable, description=description)

    def projection(self, target, source, weight):
        return f"w : 1 (constant)  # {weight}", ON_PRE.format(target=target)

    def initial_state(self, n_neurons):
        return {"phase": (np.arange(n_neurons) * GOLDEN_FRACTION) % 1.0}

    def event_reason(self):
        return "spiking visible neurons are their own neuron model"

    def refuses(self, model, dt):
        if model.visible.name != "identity":
            return ("spiking visible neurons send the sign of v in their spikes, so the hidden "
                    "neurons sum v: leave visible_nonlinearity='identity'")
        return None
