"""
The rate neuron of Eq. (1) for either layer: the default neuron model.

A rate layer sends its output (s or g(v)) through summed variables, so the
receiving layer's input is the exact sum of Eq. (1a) / (1b) at every step;
the hidden state read after a recall is f of the final h.
"""

from dataclasses import dataclass

from .base import NeuronModel, register

__all__ = ["RateHidden", "RateVisible"]


@register
@dataclass(frozen=True)
class RateHidden(NeuronModel):
    """
    Hidden rate neurons: h of Eq. (1b), output s = f(h) (the hidden nonlinearity).

    Examples
    --------
    >>> from bioam.pieces import get_piece
    >>> get_piece('hidden_neuron', 'rate')
    RateHidden()
    """

    kind = "hidden_neuron"
    name = "rate"
    description = "rate neurons, tau_h dh/dt = -h + input (Eq. 1b), output f(h)"


@register
@dataclass(frozen=True)
class RateVisible(NeuronModel):
    """
    Visible rate neurons: v of Eq. (1a), output g(v) (the visible nonlinearity).

    Examples
    --------
    >>> from bioam.pieces import get_piece
    >>> get_piece('visible_neuron', 'rate')
    RateVisible()
    """

    kind = "visible_neuron"
    name = "rate"
    description = "rate neurons, tau_v dv/dt = -v + input (Eq. 1a), output g(v)"
