"""The Heaviside step f(h) = Theta(h - theta), Theta(0) = 0 (Eq. 2): the paper's model."""

from dataclasses import dataclass

import numpy as np

from .base import Nonlinearity, register

__all__ = ["Step"]


@register
@dataclass(frozen=True)
class Step(Nonlinearity):
    """
    Heaviside step Theta(h - theta) (Eq. 2); the only f with which the event
    formulation is exact (the output changes only at threshold crossings).

    Examples
    --------
    >>> import numpy as np
    >>> Step().numpy(np.array([0.2, 0.5, 0.9]), 0.5)
    array([0., 0., 1.])
    """

    kind = "hidden"
    name = "step"
    description = "Heaviside step Theta(h - theta), Theta(0) = 0 (Eq. 2)"
    event_exact = True
    expression = "int(h > theta)"

    def numpy(self, x, theta=None):
        return (np.asarray(x) > theta).astype(np.float64)
