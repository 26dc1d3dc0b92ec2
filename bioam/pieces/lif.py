"""
Hidden leaky integrate-and-fire neurons: firing realises Theta(h - theta) of Eq. (2).

A hidden neuron's membrane ``u`` integrates ``1 + gain * (h - theta)``
(floored at 0, the reset and reversal level, so that a neuron far below
threshold is not driven far below rest) with time constant ``tau_m`` and fires
at ``u > 1`` (reset to 0, refractory ``refractory``): it is silent for
h <= theta and fires at a rate that saturates quickly above theta, at most
1 / refractory. Each spike adds ``xi_imu / (r_on * tau_synapse)`` to an
exponential synaptic current of the visible neurons, so the current's mean is
``xi_imu * rate / r_on`` with ``r_on`` the rate at ``h - theta = on_margin``.
The cue is held for ``cue_hold`` before the visible layer is released; the
hidden state is 1 where a neuron fires at least ``readout_fraction * r_on`` in
the last ``readout_window`` of the recall.

`SpikingHidden` bundles these neurons with spiking visible neurons
(`bioam.pieces.spiking_visible`) as the ``spiking=`` option of
`bioam.build_network`.
"""

from dataclasses import dataclass, field, fields, replace

import numpy as np
from brian2 import ms

from ..validation import BioamError, check_time
from .base import NeuronModel, register
from .rate import RateVisible
from .spiking_visible import SpikingVisible

__all__ = ["LIF", "SpikingHidden"]

#: The hidden neuron's membrane and read-out (h and theta come from Eq. 1b's template).
MEMBRANE = """
du/dt = (clip(1 + gain * (h - theta), 0, inf) - u) / tau_m : 1 (unless refractory)  # membrane, fires at u > 1, floor 0
spike_count : 1  # spikes in the read-out window
s = int(spike_count >= readout_spikes) : 1  # hidden state read from the spike count
"""

#: The visible input fed by hidden spikes: a synaptic current (mean sum_mu xi_imu s_mu).
SYNAPTIC_INPUT = ("d{variable}/dt = -{variable} / tau_synapse : 1  "
                  "# synaptic current from hidden spikes (mean: {description})")

#: Spikes of hidden neuron mu add xi_imu / (r_on tau_synapse) to the current of visible
#: neuron i, so a neuron firing at its on-rate r_on contributes xi_imu on average.
ON_PRE = "{target}_post += w / (r_on * tau_synapse)"


@register
@dataclass(frozen=True)
class LIF(NeuronModel):
    """
    Hidden leaky integrate-and-fire neurons (see the module docstring).

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

    Examples
    --------
    >>> round(float(LIF().on_rate))
    500
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

    kind = "hidden_neuron"
    name = "lif"
    description = "leaky integrate-and-fire neurons, rheobase h = theta (Eq. 2), spike-count read-out"
    spiking = True

    def __post_init__(self):
        for name in ("tau_m", "refractory", "tau_synapse", "readout_window"):
            check_time(f"spiking {name}", getattr(self, name))
        check_time("spiking cue_hold", self.cue_hold, allow_zero=True)
        for name, low in (("gain", 0.0), ("on_margin", 0.0), ("readout_fraction", 0.0)):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= low:
                raise BioamError(f"spiking {name} must be a finite number > {low:g}, got {value}")
        if not np.isfinite(self.initial_membrane):
            raise BioamError(f"spiking initial_membrane must be finite, got {self.initial_membrane}")

    @property
    def on_rate(self):
        """Firing rate r_on at h - theta = on_margin (LIF f-I curve)."""
        drive = 1 + self.gain * self.on_margin
        return 1 / (self.refractory + self.tau_m * np.log(drive / (drive - 1)))

    def readout_spikes(self):
        """Spikes in the read-out window that count as an active neuron."""
        return max(1.0, float(np.round(self.readout_fraction * self.on_rate * self.readout_window)))

    def namespace(self):
        return {"gain": float(self.gain), "tau_m": self.tau_m, "tau_synapse": self.tau_synapse,
                "r_on": self.on_rate, "t_release": self.cue_hold,
                "readout_start": self.readout_start, "readout_spikes": self.readout_spikes()}

    def terms(self):
        return {"visible_gate": "int(t >= t_release) * "}

    def equations(self, model):
        return MEMBRANE.strip()

    def group_keywords(self):
        return {"threshold": "u > 1", "reset": "u = 0\nspike_count += int(t >= readout_start)",
                "refractory": self.refractory}

    def input_equation(self, variable, description):
        return SYNAPTIC_INPUT.format(variable=variable, description=description)

    def projection(self, target, source, weight):
        return f"w : 1 (constant)  # {weight}", ON_PRE.format(target=target)

    def initial_state(self, n_neurons):
        return {"u": self.initial_membrane}

    def readout(self, memory, h, theta):
        shape = (memory.n_copies, memory.n_hidden)
        counts = np.array(memory.hidden.spike_count[:]).reshape(shape)
        hidden = np.array(memory.hidden.s[:], dtype=np.float64).reshape(shape)
        return hidden, {"hidden_rates": counts / float(self.readout_window)}

    def at_duration(self, duration):
        if self.readout_window + self.cue_hold > duration:
            raise BioamError(
                f"duration ({duration}) must exceed the spiking cue hold plus read-out "
                f"window ({self.cue_hold + self.readout_window})")
        return replace(self, readout_start=duration - self.readout_window)

    def event_reason(self):
        return "the spiking variant has its own hidden neuron model"

    def refuses(self, model, dt):
        if model.hidden.name != "step" or model.visible.name != "identity":
            return ("spiking hidden neurons realise the step activation of Eq. 1; "
                    "leave activation='step' and visible_nonlinearity='identity'")
        if float(dt) > float(self.tau_m):
            return (f"the spiking membrane (tau_m = {self.tau_m}) needs dt <= tau_m for its "
                    f"Euler step, got dt = {dt}; use a smaller dt or a larger spiking tau_m")
        if self.readout_start is None:
            return ("the spiking read-out window has no start: build with SpikingHidden("
                    "readout_start=duration - readout_window) for the documented window (the "
                    "last readout_window of the run); RecallSession and recall set it from "
                    "their duration")
        return None


@dataclass(frozen=True)
class SpikingHidden(LIF):
    """
    The spiking variant: `LIF` hidden neurons, and spiking visible neurons where ``visible_rate > 0``.

    The ``spiking=`` option of `bioam.build_network`; `pieces` gives the two
    neuron models it stands for.

    Attributes
    ----------
    visible_rate : float
        Spiking visible neurons too where > 0 (`SpikingVisible`'s ``rate``, Hz
        per unit of ``|v|``); 0 (default): rate visible neurons.
    tau_visible_synapse : Quantity
        `SpikingVisible`'s ``tau_synapse``.

    Examples
    --------
    >>> SpikingHidden(visible_rate=200.0).pieces()[1].spec()
    'spiking:rate=200,tau_synapse=1ms'
    """

    visible_rate: float = 0.0
    tau_visible_synapse: object = field(default_factory=lambda: 1 * ms)

    def __post_init__(self):
        super().__post_init__()
        if not np.isfinite(self.visible_rate) or self.visible_rate < 0:
            raise BioamError(f"spiking visible_rate must be a rate >= 0 (Hz per unit of v), "
                             f"got {self.visible_rate}")

    def pieces(self):
        """The hidden and visible neuron models: ``(LIF, SpikingVisible or RateVisible)``."""
        hidden = LIF(**{f.name: getattr(self, f.name) for f in fields(LIF)})
        if self.visible_rate > 0:
            return hidden, SpikingVisible(self.visible_rate, self.tau_visible_synapse)
        return hidden, RateVisible()
